/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The daemon between events. What a probe finds changes only when something
 * happens (an event, a reload, someone undoing our settings); counters change
 * by themselves. So the daemon keeps the last full snapshot and its
 * assessment, and each interval refreshes only the counters (per-queue
 * counters, device totals, the queue IRQs' per-CPU counts, the per-CPU load)
 * into a twin of it, then redoes what depends on them (assess_counters). A
 * full probe happens when there is nothing to refresh: at the first sample,
 * after a pass that changed something, after a reload.
 *
 * The drift check reads only what the plan owns (channels, the affinity of
 * the queue IRQs, XPS/RPS of the active queues, the RSS table) and compares
 * it with the kept snapshot: a difference, or a plan with changes still to
 * make, asks for a full pass.
 */

#include <stdbool.h>

#include "agent/textfile.h"
#include "agent/tune.h"
#include "core/assess.h"
#include "core/snapshot.h"
#include "probes/probe.h"

struct steady {
	struct mq_snapshot now;     /* the newest reading */
	struct mq_snapshot before;  /* the one before (rates); once twin, a copy of now's shape */
	bool have_now, have_before, twin;
	struct mq_assessment a;     /* of now against before; a.now is &now */
	bool have_a;
	bool stale;                 /* now no longer shows the system: probe it all again */
	struct probe_files files;   /* the /proc files of every refresh, kept open */
	struct textfile_dir dir;    /* the textfile's directory, kept open between drift checks */
	unsigned full_probes;       /* taken by steady_sample (tests, logs) */
	unsigned drift_reads;       /* settings the last steady_check read */
};

void steady_init(struct steady *st);
void steady_free(struct steady *st);

/*
 * A tuning pass is about to probe: the assessment and the reading before
 * go (the pass has its own; memory peaks during a pass), now stays for the
 * rates of the next interval.
 */
void steady_before_pass(struct steady *st);

/*
 * After a tuning pass: a pass that changed nothing saw the system as it is,
 * its snapshot becomes now (taken from p: p->snap is left empty); any
 * other (a change, a re-probe, a failure) leaves now stale. r: tune_run's.
 */
void steady_after_pass(struct steady *st, int r, struct tune_pass *p);

/*
 * One interval: refresh the counters of now (or probe everything when now is
 * missing or stale), then assess. Afterwards st->a is what to render. Returns
 * 0, or -errno: nothing to render when !st->have_a, else the counters are
 * what could be read.
 */
int steady_sample(struct steady *st, struct tune *t);

/*
 * The drift check. 1: everything the plan owns is as now says (no pass
 * needed); 0: something moved, or now is missing or stale, or the plan has
 * changes to make or retry: run a full pass. -errno: could not tell. The
 * textfile's directory is opened again at the next write (one that was
 * renamed away and replaced is written to for one drift period at most).
 */
int steady_check(struct steady *st, struct tune *t);

/*
 * st->a as the Prometheus textfile at path (textfile_write_at(), err as
 * there), through the kept directory and without fsync: the file is
 * rewritten every interval. -ENODATA without an assessment.
 */
int steady_write(struct steady *st, const struct mq_tune_stats *stats, const char *path,
		 char *err, size_t errlen);
