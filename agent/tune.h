/* SPDX-License-Identifier: MIT */
#pragma once

/* One tuning pass: probe -> plan -> apply, shared by --apply and the daemon. */

#include <stdbool.h>

#include "agent/apply.h"
#include "agent/config.h"
#include "agent/plan.h"
#include "probes/nl.h"

struct tune_result {
	unsigned changed;     /* steps that changed something */
	unsigned failed;      /* steps that failed */
	unsigned skipped;     /* NICs skipped (no channel support, excluded, ...) */
	char summary[256];    /* one line: "eth0 channels 1 -> 4, 8 IRQs moved, ..." */
};

/*
 * cause: why we run ("startup", "cpu3 went offline", ...), used in log lines.
 * Returns 0 when it ran (see ret->failed), -errno when it could not run.
 */
int tune_once(struct mq_nl *nl, const struct mq_config *cfg, const char *cause, bool dry_run,
	      struct tune_result *ret);

/*
 * The same pass over the NICs o selects (NULL: every NIC with a device, as
 * tune_once), handing back the plan (with each step's result; plain plan on
 * a dry run) and the applier's report for --dry-run / --json rendering.
 * ret_plan and ret_report may be NULL; free the plan with plan_free().
 * ret_report is all zero on a dry run.
 */
struct probe_opts;
int tune_run(struct mq_nl *nl, const struct mq_config *cfg, const struct probe_opts *o,
	     const char *cause, bool dry_run, struct mq_plan *ret_plan,
	     struct apply_report *ret_report, struct tune_result *ret);

/* The NICs tune_once() probes from now on (NULL: every NIC with a device); o must outlive it. */
void tune_once_select(const struct probe_opts *o);
