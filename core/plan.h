/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The plan: a list of items "set X from current to target", built by
 * assess() (core/assess.h) as part of the one assessment. Pure. The applier
 * carries a plan out and writes each item's result into it.
 */

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#include "core/config.h"
#include "core/snapshot.h"

enum plan_kind { PLAN_CHANNELS, PLAN_IRQ_AFFINITY, PLAN_XPS, PLAN_RPS, PLAN_RSS, _PLAN_KIND_MAX };
/* "channels", "irq_affinity", "xps", "rps", "rss" */
const char *plan_kind_to_string(enum plan_kind k);

/*
 * Why an item, or a NIC, is left as it is although the config alone would
 * change it. Typed, so the applier, the findings and the renderers agree.
 */
enum plan_hold {
	HOLD_NONE,
	HOLD_MANAGED,     /* kernel-managed IRQ: writes fail with EIO */
	HOLD_XDP,         /* an XDP program is attached: the driver refuses channel changes */
	HOLD_NO_CHANNELS, /* the driver has no channel control: the device fixes the count */
	HOLD_EXCLUDED,    /* exclude = yes */
	_HOLD_MAX,
};
const char *plan_hold_to_string(enum plan_hold h); /* "none", "managed", ... (JSON) */

enum step_status {
	STEP_PLANNED,   /* not run (dry run) */
	STEP_OK,        /* written (and read back where the kernel allows) */
	STEP_UNCHANGED, /* current == target: nothing written */
	STEP_FAILED,    /* err and msg say why */
	STEP_SKIPPED,   /* not attempted: msg says why (interface vanished, ...) */
	_STEP_STATUS_MAX,
};
const char *step_status_to_string(enum step_status s); /* "planned", "ok", ... */

/* Channel counts of one NIC (ethtool -l): current, target or maximum. */
struct mq_counts {
	uint32_t rx, tx, other, combined;
};

struct plan_item {
	enum plan_kind kind;
	enum plan_hold hold;           /* not HOLD_NONE: change is false on purpose */
	bool change;                   /* target differs from current: the applier writes it */
	bool has_current;              /* current was readable */
	int ifindex;
	char ifname[IF_NAMESIZE];
	int queue;                     /* queue index, -1 for channels */
	int irq;                       /* IRQ number for PLAN_IRQ_AFFINITY, else -1 */
	struct mq_counts ch_current, ch_target, ch_max; /* PLAN_CHANNELS */
	const struct mq_cpuset *current, *target; /* IRQ: smp_affinity_list; XPS/RPS: the mask (plan sets) */
	struct {                       /* PLAN_RSS: the table now; the target is the even default */
		uint32_t entries;
		unsigned queues, covered;  /* active RX queues, those with an entry */
		bool was_default;          /* the driver's own spread (else set by hand, or stale) */
		bool restore;              /* --revert: the target is the recorded table, not the default */
	} rss;
	/* results: apply_run */
	enum step_status status;
	int err;                       /* -errno of a failed step */
	char msg[160];                 /* why it failed or was skipped (the kernel's words if any) */
	const struct mq_cpuset *effective; /* IRQ: effective_affinity_list read back after the write */
	bool has_effective;
};

struct mq_plan {
	unsigned n;
	struct plan_item *items;       /* per NIC: channels, IRQs by queue, XPS, RPS */
	const struct mq_cpuset *online, *usable; /* in sets */
	struct cpuset_pool sets;       /* every CPU set of the plan and its items */
	unsigned nr_cpu_ids;           /* width of XPS/RPS masks */
	/* apply_run */
	bool applied;                  /* carried out: every item has its result */
	bool reprobed;                 /* channels changed, the rest was re-planned on a new probe */
	int reprobe_err;               /* -errno of a failed re-probe, 0 otherwise */
	int interrupted;               /* the signal that stopped it before the end, 0 none */
};

/* Items by result. */
struct plan_tally {
	unsigned ok, unchanged, failed, skipped, planned;
};

/* A planned item of NIC nic with no queue and no IRQ yet. */
void plan_item_init(struct plan_item *it, enum plan_kind kind, const struct mq_nic *nic);
void plan_free(struct mq_plan *p);
/* Items with change set. */
unsigned plan_changes(const struct mq_plan *p);
struct plan_tally plan_tally(const struct mq_plan *p);
/*
 * Append a copy of an item, its CPU sets interned in p->sets (so they may
 * point anywhere: a temporary, another plan). items grows by doubling with
 * an implicit capacity: every item must come through here; n may shrink,
 * never grow by hand. Returns 0 or -ENOMEM.
 */
int plan_push_item(struct mq_plan *p, const struct plan_item *it);
/* *slot = p's copy of s (a set of the plan or of one of its items). 0 or -ENOMEM. */
int plan_set(struct mq_plan *p, const struct mq_cpuset **slot, const struct mq_cpuset *s);

/*
 * After a channel change the applier re-plans on a new probe: the new plan
 * np takes over the channel items old has already carried out (their
 * results), in place of its own for the same NIC. Returns 0 or -ENOMEM.
 */
int plan_keep_channel_results(struct mq_plan *np, const struct mq_plan *old);

struct mq_assessment;
/*
 * Fill a->plan and the per-NIC verdicts' targets (core/assess.h has the
 * rules). Called by assess() once a->usable is known. Returns 0 or -ENOMEM.
 */
int plan_build(struct mq_assessment *a, const struct mq_config *cfg);
