/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Prometheus text exposition (format 0.0.4) of a snapshot, its findings and
 * the daemon's tuning state, for node_exporter's textfile collector.
 * Every metric is listed in README.md, "Prometheus metrics and alerts".
 */

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/findings.h"
#include "core/snapshot.h"

/* What the applier does to a NIC; label "action" of mqbalance_apply_failures_total. */
enum tune_action {
	TUNE_ACTION_CHANNELS,
	TUNE_ACTION_IRQ_AFFINITY,
	TUNE_ACTION_XPS,
	TUNE_ACTION_RPS,
	_TUNE_ACTION_MAX,
};
const char *tune_action_to_string(enum tune_action a); /* snake_case, stable */

#define MQ_TUNE_MAX_NICS 64

/* Per NIC: failures since the daemon started, and the plan's channel target. */
struct mq_tune_nic {
	char ifname[IF_NAMESIZE];
	uint64_t failures[_TUNE_ACTION_MAX];
	bool has_target;            /* the plan chose counts for this NIC */
	uint32_t target_rx, target_tx, target_other, target_combined;
};

/* The daemon's tuning state. Plain data: the daemon fills it, prom_render reads it. */
struct mq_tune_stats {
	int64_t last_apply;          /* unix time of the last pass without failures, 0 = never */
	uint64_t drift_corrections;  /* passes that undid someone else's change */
	unsigned nnics;
	struct mq_tune_nic nic[MQ_TUNE_MAX_NICS];
};

/* The entry for ifname, added (zeroed) if missing. NULL when the table is full. */
struct mq_tune_nic *tune_stats_nic(struct mq_tune_stats *t, const char *ifname);

struct prom_input {
	const struct mq_snapshot *s;
	const struct mq_finding *findings;
	unsigned nfindings;
	const struct mq_tune_stats *tune; /* NULL: one-shot run, no tuning families */
	const char *version;              /* NULL: mq_version */
	unsigned cpus_usable;             /* online minus banned/isolated: what the planner spreads over */
};

/*
 * Write the whole exposition to f. Returns 0, -EINVAL for a NULL snapshot,
 * or -EIO when a write to f failed (then f holds a partial file: write to a
 * temporary file, see agent/textfile.h).
 */
int prom_render(FILE *f, const struct prom_input *in);
/* prom_render with the signature textfile_write() takes: arg is a struct prom_input. */
int prom_render_cb(FILE *f, void *arg);
