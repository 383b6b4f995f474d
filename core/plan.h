/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The planner: snapshot + config -> plan, a list of items "set X from
 * current to target". Pure: no I/O, no logging; the applier carries a plan
 * out and writes each item's result into it.
 */

#include <net/if.h>
#include <stdbool.h>

#include "core/config.h"
#include "core/snapshot.h"

enum plan_kind { PLAN_CHANNELS, PLAN_IRQ_AFFINITY, PLAN_XPS, PLAN_RPS, _PLAN_KIND_MAX };
const char *plan_kind_to_string(enum plan_kind k); /* "channels", "irq_affinity", "xps", "rps" */

enum step_status {
	STEP_PLANNED,   /* not run (dry run) */
	STEP_OK,        /* written (and read back where the kernel allows) */
	STEP_UNCHANGED, /* current == target: nothing written */
	STEP_FAILED,    /* err and msg say why */
	STEP_SKIPPED,   /* not attempted: msg says why (interface vanished, ...) */
	_STEP_STATUS_MAX,
};
const char *step_status_to_string(enum step_status s); /* "planned", "ok", ... */

struct plan_item {
	enum plan_kind kind;
	int ifindex;
	char ifname[IF_NAMESIZE];
	int queue;                     /* queue index, -1 for channels */
	int irq;                       /* IRQ number for PLAN_IRQ_AFFINITY, else -1 */
	char irq_name[MQ_NAME_MAX];
	struct mq_channels ch_current, ch_target; /* PLAN_CHANNELS */
	struct mq_cpuset current, target;         /* IRQ: smp_affinity_list; XPS/RPS: the mask */
	bool has_current;              /* current was readable */
	bool change;                   /* target differs from current: the applier writes it */
	char note[160];                /* "queues=16 clamped to 4 usable vCPUs", ... */
	/* results: apply_run */
	enum step_status status;
	int err;                       /* -errno of a failed step */
	char msg[256];                 /* why it failed or was skipped (the kernel's words if any) */
	struct mq_cpuset effective;    /* IRQ: effective_affinity_list read back after the write */
	bool has_effective;
};

/* Something about a NIC (or the machine, ifname "") that is not an item. */
struct plan_note {
	char ifname[IF_NAMESIZE];
	char text[200];
};

struct mq_plan {
	unsigned n;
	struct plan_item *items;       /* per NIC: channels, IRQs by queue, XPS, RPS */
	unsigned nnotes;
	struct plan_note *notes;
	struct mq_cpuset online, usable;
	unsigned nr_cpu_ids;           /* width of XPS/RPS masks */
};

/*
 * Build the plan. Rules (README.md, "Configuration" has the user's version):
 * - usable CPUs = online - banned_cpus - isolated - nohz_full;
 * - channels = min(device max, usable CPUs, `queues`), never 0; combined if
 *   the driver has it, else rx = tx = n; no item for NICs without channel
 *   support, excluded NICs and loopback;
 * - one CPU per queue (its RX and TX IRQs together), the least loaded usable
 *   CPU in the NIC's order (NUMA-local, first threads of cores, L3 groups
 *   interleaved), continuing after the CPU the previous queue got, so NICs
 *   share CPUs evenly (loads differ by at most one queue);
 * - XPS: each usable CPU to the first queue it serves, others to the queue
 *   its SMT sibling serves, else to the queue with the fewest CPUs;
 * - RPS: empty unless rps = on, then rx-N gets tx-N's XPS CPUs (all usable
 *   CPUs for a single-queue NIC).
 * Returns 0 or -ENOMEM.
 */
int plan_build(const struct mq_snapshot *s, const struct mq_config *cfg, struct mq_plan *ret);
void plan_free(struct mq_plan *p);
/* Items with change set. */
unsigned plan_changes(const struct mq_plan *p);
/*
 * Append a copy of an item / note (used by the applier to merge re-plans).
 * items grows by doubling with an implicit capacity: a plan's items must all
 * have come through plan_push_item (plan_build does); n may shrink, never grow by hand.
 */
int plan_push_item(struct mq_plan *p, const struct plan_item *it);
int plan_push_note(struct mq_plan *p, const char *ifname, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
