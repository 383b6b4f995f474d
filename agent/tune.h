/* SPDX-License-Identifier: MIT */
#pragma once

/* One tuning pass: probe -> plan -> apply, shared by --apply and the daemon. */

#include <stdbool.h>

#include "agent/apply.h"
#include "core/config.h"
#include "core/plan.h"
#include "probes/nl.h"
#include "probes/probe.h"

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
/*
 * Without interface names, a NIC with an [IFNAME] section of its own is managed
 * even when it has no device (veth, ...): point po->extra at names[MQ_IFS_MAX].
 */
void tune_probe_opts(const struct mq_config *cfg, struct probe_opts *po, const char **names);
int tune_run(struct mq_nl *nl, const struct mq_config *cfg, const struct probe_opts *o,
	     const char *cause, bool dry_run, struct mq_plan *ret_plan,
	     struct apply_report *ret_report, struct tune_result *ret);

/*
 * The NICs a pass without its own selection (tune_once, tune_run with o NULL,
 * the daemon's sampler) probes from now on: the daemon's --all / IFACE...
 * NULL: every NIC with a device. o must outlive its use.
 */
void tune_select(const struct probe_opts *o);
struct probe_opts tune_default_opts(void);
