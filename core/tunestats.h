/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The daemon's tuning history, kept across passes and exported in the
 * textfile: failures by NIC and action, the last clean pass, and how often a
 * pass undid someone else's change. Plain data, fixed size. Pure.
 */

#include <net/if.h>
#include <stdint.h>

#include "core/plan.h"

#define MQ_TUNE_MAX_NICS 64

struct mq_tune_nic {
	char ifname[IF_NAMESIZE];
	uint64_t failures[_PLAN_KIND_MAX]; /* label "action": plan_kind_to_string() */
};

struct mq_tune_stats {
	int64_t last_apply;          /* unix time of the last pass without failures, 0 = never */
	uint64_t drift_corrections;  /* passes after the first that changed something */
	uint64_t passes;
	unsigned nnics;
	struct mq_tune_nic nic[MQ_TUNE_MAX_NICS];
};

/* The entry for ifname, added (zeroed) if missing. NULL when the table is full. */
struct mq_tune_nic *tune_stats_nic(struct mq_tune_stats *t, const char *ifname);
/* The entry for ifname, or NULL. */
const struct mq_tune_nic *tune_stats_find(const struct mq_tune_stats *t, const char *ifname);
/*
 * Count one applied pass: failed items by NIC and kind; last_apply = now
 * (unix seconds) when nothing failed; a drift correction when a pass after
 * the first changed something.
 */
void tune_stats_update(struct mq_tune_stats *t, const struct mq_plan *p, int64_t now);
