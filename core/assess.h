/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The one assessment. From a snapshot (and the previous one, for rates) and
 * the config, assess() decides once: which CPUs are usable, each NIC's queue
 * target, the plan that gets there, and the findings. --report, --check,
 * --json, the textfile, --dry-run, --apply and the daemon all read this one
 * struct, so what mqbalance reports, plans, applies and exports cannot
 * disagree. Pure: no I/O, no clock, no logging.
 *
 * The rules (docs/configuration.md has the user's version):
 * - usable CPUs = online - banned_cpus - isolated - nohz_full; if that
 *   leaves nothing, online - banned, then online (a NIC must interrupt
 *   somewhere), and the assessment says so;
 * - channels = min(device max, usable CPUs, `queues`), never 0; combined if
 *   the driver has it, else rx and tx each up to their own max; no item for
 *   NICs without channel support, excluded NICs and loopback;
 * - one CPU per queue (its RX and TX IRQs together), the least loaded usable
 *   CPU in the NIC's order (NUMA-local, first threads of cores, L3 groups
 *   interleaved), continuing after the CPU the previous queue got, so NICs
 *   share CPUs evenly (loads differ by at most one queue);
 * - XPS: each usable CPU to the first queue it serves, others to the queue
 *   its SMT sibling serves, else to the queue with the fewest CPUs;
 * - RPS: empty unless rps = on, then rx-N gets tx-N's XPS CPUs (all usable
 *   CPUs for a single-queue NIC);
 * - a finding whose fix is `mqbalance --apply` exists only for a plan item
 *   that would change something; what the plan leaves alone on purpose
 *   (clamped, banned, managed, XDP, fixed by the device) is an info finding
 *   that says why.
 */

#include <stdbool.h>

#include "core/config.h"
#include "core/cpuload.h"
#include "core/findings.h"
#include "core/plan.h"
#include "core/snapshot.h"

/* What the assessment decided for one NIC; parallel to now->nics. */
struct mq_nic_verdict {
	bool tuned;              /* mqbalance manages it (not loopback, not excluded) */
	unsigned queues_max;     /* nic_queues_max(): the device's maximum, 0 unknown */
	unsigned queues_active;  /* nic_queues_active() */
	unsigned queues_wanted;  /* what the config asks for before clamping (auto: usable CPUs) */
	unsigned queues_target;  /* what the plan leaves in use; queues_active when left alone */
	bool clamped_cpus;       /* wanted > usable CPUs */
	bool clamped_device;     /* wanted > device maximum */
	enum plan_hold hold;     /* why channels are left alone, HOLD_NONE if planned */
	unsigned first, count;   /* its items: plan.items[first .. first + count) */
	unsigned managed_irqs;   /* queue IRQs held as kernel-managed */
};

struct mq_assessment {
	const struct mq_snapshot *now, *before; /* borrowed: must outlive the assessment */
	double interval;                 /* seconds between before and now, 0 without before */
	const struct mq_cpuset *usable;  /* in sets */
	unsigned nusable;
	const struct mq_cpuset *banned;  /* the config's banned_cpus, in sets */
	struct cpuset_pool sets;
	bool usable_fallback;            /* every online CPU was banned, isolated or nohz_full */
	struct mq_nic_verdict *nics;     /* now->nnics entries */
	struct mq_plan plan;
	struct cpuload load;             /* where the work lands, per CPU (rates NAN without before) */
	struct mq_finding *findings;
	unsigned nfindings;
};

/*
 * Usable CPUs for queue IRQs: online minus cfg->banned_cpus (cfg may be
 * NULL), isolated and nohz_full, with the fallbacks above. Returns true when
 * a fallback was needed.
 */
bool cpus_usable(const struct mq_cpus *c, const struct mq_config *cfg, struct mq_cpuset *ret);

/*
 * Assess now (before: the previous sample, may be NULL; cfg may be NULL for
 * the built-in defaults). Returns 0 or -ENOMEM / -EINVAL; on failure ret is
 * untouched.
 */
int assess(const struct mq_snapshot *now, const struct mq_snapshot *before,
	   const struct mq_config *cfg, struct mq_assessment *ret);
void assessment_free(struct mq_assessment *a);

/* The verdict for a NIC of a->now (by pointer into now->nics), NULL if not one. */
const struct mq_nic_verdict *assess_nic(const struct mq_assessment *a, const struct mq_nic *n);
/* The first of a NIC's items of kind k (the channel item, the RSS item, ...), or NULL. */
const struct plan_item *assess_item(const struct mq_assessment *a, const struct mq_nic_verdict *v,
				    enum plan_kind k);
/* Worst severity among the findings, or -1 with none. */
int assess_worst(const struct mq_assessment *a);
/*
 * The IRQs mqbalance owns, for irqbalance to leave alone: every queue IRQ
 * (RX, TX or both; of an active queue or not, so that a channel change
 * needs no new ban) of each tuned NIC whose IRQs the plan places (it has
 * irq_affinity items: not `irq_affinity = off`, not one shared vector).
 * Sorted, unique, into *ret (malloc'd; NULL when there are none). Returns
 * the count or -ENOMEM.
 */
int assess_owned_irqs(const struct mq_assessment *a, unsigned **ret);
