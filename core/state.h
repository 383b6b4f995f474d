/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The way back: what each NIC looked like before mqbalance first changed it
 * in this boot (channels, queue IRQ affinities, XPS, RPS), kept in a state
 * file (agent/) so `mqbalance --revert` can put it back. This module is the
 * pure part: the record, its text form's parser, and the plans that record
 * and revert. The text form (output/state.c writes it):
 *
 *	mqbalance-state 1
 *	boot 0b7c...                 /proc/sys/kernel/random/boot_id
 *	nic eth0 2 1764470000        name, ifindex, unix time of the first change
 *	channels eth0 0 0 0 1        rx tx other combined
 *	irq eth0 38 0-1              IRQ, smp_affinity_list
 *	xps eth0 0 0-1               queue, CPUs ("-" empty)
 *	rps eth0 0 -
 *	rss eth0 default             the RSS table: the driver's even spread, or
 *	rss eth0 0 1 0 1 ...         the entries as they were (set by hand)
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpuset.h"
#include "core/plan.h"
#include "core/snapshot.h"

#define MQ_STATE_MAX_NICS 1024
#define MQ_STATE_MAX_ITEMS 65536   /* IRQs or queues per NIC */
#define MQ_STATE_BOOT_ID_MAX 40
#define MQ_STATE_RSS_MAX 1024      /* RSS table entries (virtio and ENA 128, mlx5 256); larger: not recorded */

struct mq_saved_irq {
	unsigned irq;
	const struct mq_cpuset *cpus; /* in the state's sets */
};

struct mq_saved_queue {
	unsigned queue;
	bool has_xps, has_rps;
	const struct mq_cpuset *xps, *rps; /* in the state's sets */
};

struct mq_saved_nic {
	char ifname[IF_NAMESIZE];
	int ifindex;
	int64_t since;                /* unix time of the first change in this boot */
	bool has_channels;
	struct mq_counts channels;
	unsigned nirqs, nqueues;
	struct mq_saved_irq *irqs;
	struct mq_saved_queue *queues;
	bool has_rss;                 /* the table was read: rss_n entries, 0 = the driver's default */
	uint32_t rss_n;
	uint32_t *rss;
};

struct mq_state {
	char boot_id[MQ_STATE_BOOT_ID_MAX];
	unsigned n;
	struct mq_saved_nic *nics;
	struct cpuset_pool sets;
};

void state_free(struct mq_state *st);
const struct mq_saved_nic *state_find(const struct mq_state *st, const char *ifname);
/* Drop ifname's record (after a revert). Returns true if there was one. */
bool state_forget(struct mq_state *st, const char *ifname);

/* Set nic->tuned_since of every recorded NIC of s (by name). */
void state_mark(const struct mq_state *st, struct mq_snapshot *s);

/*
 * Parse the text form (len bytes, need not be NUL-terminated). On error
 * "line N: problem" into err and -EINVAL (-ENOMEM, -E2BIG past the limits);
 * ret untouched.
 */
int state_parse(const char *text, size_t len, struct mq_state *ret, char *err, size_t errlen);

/*
 * Before an apply: add a record, taken from s, for every NIC the plan is
 * about to change that has none yet (now: unix time). Returns how many were
 * added (0: nothing to write), or -ENOMEM.
 */
int state_record(struct mq_state *st, const struct mq_snapshot *s, const struct mq_plan *p,
		 int64_t now);

/*
 * The plan that puts the recorded values back on the NICs of s named in
 * names (n == 0: every recorded NIC), as items the applier carries out.
 * A NIC not in s is left out. Returns 0 or -ENOMEM.
 */
int state_revert_plan(const struct mq_state *st, const struct mq_snapshot *s,
		      const char *const *names, unsigned n, struct mq_plan *ret);
