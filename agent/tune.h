/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One tuning pass: probe -> assess -> apply, shared by --apply, --dry-run
 * and the daemon. Returns what happened; the caller logs (once).
 */

#include <stdbool.h>
#include <stdint.h>

#include "agent/apply.h"
#include "core/assess.h"
#include "core/config.h"
#include "core/state.h"
#include "core/tunestats.h"
#include "probes/nl.h"
#include "probes/probe.h"

/* What lasts from one pass to the next: one per process. */
struct tune {
	struct mq_nl *nl;
	const struct mq_config *cfg;  /* may be replaced between passes (reload) */
	struct probe_opts select;     /* NICs named on the command line, --all */
	struct irq_memory managed;    /* IRQs that answered EIO */
	struct mq_tune_stats stats;   /* applied passes only */
	struct mq_state saved;        /* the way back (agent/state_file.h), loaded at the first pass */
	int saved_err;                /* 0, or why the state file cannot be used: nothing is recorded */
	bool saved_loaded;
	/*
	 * --apply, --revert: SIGINT and SIGTERM are blocked, and one pending
	 * stops the pass before its next change. false: never (the daemon
	 * takes its signals between passes).
	 */
	bool stop_on_signal;
	/* A test hook (MQBALANCE_TEST_SIGTERM_AFTER): raise SIGTERM after this many changes; -1 never. */
	long sigterm_after;
	long changes_begun;
};

/* One pass. It refers to itself (a.now is &snap): fill in place, never copy. */
struct tune_pass {
	struct mq_snapshot snap;      /* the last probe (after a channel change: the re-probe) */
	struct mq_assessment a;       /* its assessment; the plan carries the results */
	struct plan_tally tally;
	unsigned changes;             /* dry run: planned; else steps that changed something */
	char summary[256];            /* "1 channel change, 8 IRQs moved, ..." or "nothing to do" */
	const char *stage;            /* when tune_run fails: "probe", "assess" or "apply" */
	char state_err[256];          /* the way back could not be recorded: why ("" if it was) */
};

void tune_init(struct tune *t, struct mq_nl *nl, const struct mq_config *cfg,
	       const struct probe_opts *select);
void tune_free(struct tune *t);

/*
 * Without interface names, a NIC with a config section of its own is managed
 * even when it has no device (veth, ...): po->extra points into names, which
 * needs MQ_IFS_MAX entries and must outlive po.
 */
void tune_probe_opts(const struct mq_config *cfg, struct probe_opts *po, const char **names);

/*
 * Probe, assess and (unless dry_run) apply. Returns 0 when it ran (see
 * ret->tally.failed), or -errno with ret->stage saying what could not run;
 * free ret with tune_pass_free() either way.
 */
int tune_run(struct tune *t, bool dry_run, struct tune_pass *ret);
void tune_pass_free(struct tune_pass *p);

/*
 * Put back what the state file recorded for the NICs named (n == 0: all),
 * then forget their record. Returns as tune_run; ret->a.plan is the revert.
 */
int tune_revert(struct tune *t, const char *const *names, unsigned n, struct tune_pass *ret);

/*
 * The pass's changes as log lines, for the daemon's journal. Failed steps are
 * warnings when failures_news, else debug lines (the same failure again).
 */
void tune_log(const struct tune_pass *p, const char *cause, bool dry_run, bool failures_news);
