// SPDX-License-Identifier: MIT
/* The planner (rules in core/assess.h): one snapshot + config -> items. Pure. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assess.h"
#include "core/plan.h"
#include "core/plan_cpus.h"
#include "core/rss.h"

/* No device has this many queues; a larger index is not planned for. */
#define PLAN_MAX_QUEUES 4096

static const char *const plan_kind_table[_PLAN_KIND_MAX] = {
	[PLAN_CHANNELS] = "channels",
	[PLAN_IRQ_AFFINITY] = "irq_affinity",
	[PLAN_XPS] = "xps",
	[PLAN_RPS] = "rps",
	[PLAN_RSS] = "rss",
};

static const char *const plan_hold_table[_HOLD_MAX] = {
	[HOLD_NONE] = "none",
	[HOLD_MANAGED] = "managed",
	[HOLD_XDP] = "xdp",
	[HOLD_NO_CHANNELS] = "no_channels",
	[HOLD_EXCLUDED] = "excluded",
};

static const char *const step_status_table[_STEP_STATUS_MAX] = {
	[STEP_PLANNED] = "planned",
	[STEP_OK] = "ok",
	[STEP_UNCHANGED] = "unchanged",
	[STEP_FAILED] = "failed",
	[STEP_SKIPPED] = "skipped",
};

#define LOOKUP(table, v) ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ? (table)[v] : "invalid")

const char *plan_kind_to_string(enum plan_kind k) { return LOOKUP(plan_kind_table, k); }
const char *plan_hold_to_string(enum plan_hold h) { return LOOKUP(plan_hold_table, h); }
const char *step_status_to_string(enum step_status s) { return LOOKUP(step_status_table, s); }

void plan_free(struct mq_plan *p)
{
	if (!p)
		return;
	free(p->items);
	p->items = NULL;
	p->n = 0;
	p->online = p->usable = NULL;
	cpuset_pool_free(&p->sets);
}

int plan_set(struct mq_plan *p, const struct mq_cpuset **slot, const struct mq_cpuset *s)
{
	return cpuset_pool_intern(&p->sets, s, slot);
}

/* *dst = *src with src's sets interned in p (dst may be src). */
static int item_copy(struct mq_plan *p, struct plan_item *dst, const struct plan_item *src)
{
	const struct mq_cpuset *cur, *target, *eff;

	if (plan_set(p, &cur, src->current) < 0 || plan_set(p, &target, src->target) < 0 ||
	    plan_set(p, &eff, src->effective) < 0)
		return -ENOMEM;
	*dst = *src;
	dst->current = cur;
	dst->target = target;
	dst->effective = eff;
	return 0;
}

unsigned plan_changes(const struct mq_plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->items[i].change;
	return n;
}

struct plan_tally plan_tally(const struct mq_plan *p)
{
	struct plan_tally t = {0};

	for (unsigned i = 0; i < p->n; i++)
		switch (p->items[i].status) {
		case STEP_OK: t.ok++; break;
		case STEP_UNCHANGED: t.unchanged++; break;
		case STEP_FAILED: t.failed++; break;
		case STEP_SKIPPED: t.skipped++; break;
		case STEP_PLANNED:
		case _STEP_STATUS_MAX: t.planned++; break;
		}
	return t;
}

/*
 * A plan for 64 NICs x 16 queues has thousands of items: grow by doubling,
 * not by one. The capacity is implicit (8, then the next power of two), so
 * every item must come through here, which they do.
 */
int plan_push_item(struct mq_plan *p, const struct plan_item *it)
{
	if (p->n == 0 || (p->n >= 8 && (p->n & (p->n - 1)) == 0)) {
		size_t cap = p->n ? (size_t)p->n * 2 : 8;
		struct plan_item *items = realloc(p->items, cap * sizeof(*items));

		if (!items)
			return -ENOMEM;
		p->items = items;
	}
	if (item_copy(p, &p->items[p->n], it) < 0)
		return -ENOMEM;
	p->n++;
	return 0;
}

int plan_keep_channel_results(struct mq_plan *np, const struct mq_plan *old)
{
	for (unsigned i = 0; i < old->n; i++) {
		const struct plan_item *it = &old->items[i];
		bool placed = false;
		int r;

		if ((it->kind != PLAN_CHANNELS && it->kind != PLAN_RSS) || it->status == STEP_PLANNED)
			continue;
		for (unsigned k = 0; k < np->n && !placed; k++)
			if (np->items[k].kind == it->kind && np->items[k].ifindex == it->ifindex) {
				/* an RSS table the re-plan still finds wrong is reset again (6.1) */
				if ((it->kind == PLAN_CHANNELS || !np->items[k].change) &&
				    item_copy(np, &np->items[k], it) < 0)
					return -ENOMEM;
				placed = true;
			}
		if (!placed && (r = plan_push_item(np, it)) < 0)
			return r;
	}
	return 0;
}

static unsigned nirqs_of(const struct mq_nic *nic)
{
	return nic->irqs ? nic->nirqs : 0;
}

static bool channels_supported(const struct mq_channels *c)
{
	return c->source != CHANNELS_NONE && (c->combined_max || c->rx_max || c->tx_max);
}

static struct mq_counts counts_of(const struct mq_channels *c, bool max)
{
	if (max)
		return (struct mq_counts){c->rx_max, c->tx_max, c->other_max, c->combined_max};
	return (struct mq_counts){c->rx, c->tx, c->other, c->combined};
}

static bool counts_equal(const struct mq_counts *a, const struct mq_counts *b)
{
	return a->rx == b->rx && a->tx == b->tx && a->other == b->other && a->combined == b->combined;
}

/* Drivers that refuse channel changes while an XDP program is attached. */
static bool xdp_blocks_channels(const struct mq_nic *nic)
{
	return strcmp(nic->driver, "virtio_net") == 0;
}

void plan_item_init(struct plan_item *it, enum plan_kind kind, const struct mq_nic *nic)
{
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->ifindex = nic->ifindex;
	snprintf(it->ifname, sizeof(it->ifname), "%s", nic->name);
	it->queue = -1;
	it->irq = -1;
	it->status = STEP_PLANNED;
}

static unsigned min_u(unsigned a, unsigned b) { return a < b ? a : b; }
static unsigned max_u(unsigned a, unsigned b) { return a > b ? a : b; }

/* The NIC's channel target into v, and its item. Returns the queue count the rest is planned for. */
static int plan_channels(struct mq_plan *p, const struct mq_nic *nic, const struct mq_if_config *ic,
			 unsigned nusable, struct mq_nic_verdict *v)
{
	const struct mq_channels *c = &nic->ch;
	struct plan_item it;
	unsigned devmax = v->queues_max, n;
	int r;

	switch (ic->queues_mode) {
	case QUEUES_N:
		v->queues_wanted = ic->queues;
		break;
	case QUEUES_MAX:
		v->queues_wanted = devmax;
		break;
	case QUEUES_AUTO:
	default:
		v->queues_wanted = nusable;
		break;
	}
	v->clamped_cpus = v->queues_wanted > nusable;
	/* auto asks for the usable CPUs: a smaller device is the host's business, not a clamp */
	v->clamped_device = ic->queues_mode == QUEUES_N && v->queues_wanted > devmax;
	n = max_u(min_u(min_u(v->queues_wanted, nusable), devmax), 1);

	plan_item_init(&it, PLAN_CHANNELS, nic);
	it.ch_current = counts_of(c, false);
	it.ch_max = counts_of(c, true);
	it.ch_target = it.ch_current;
	it.has_current = true;
	if (c->combined_max) {
		it.ch_target.combined = n;
	} else {
		if (c->rx_max)
			it.ch_target.rx = min_u(n, c->rx_max);
		if (c->tx_max)
			it.ch_target.tx = min_u(n, c->tx_max);
	}
	it.change = !counts_equal(&it.ch_current, &it.ch_target);
	if (it.change && nic->xdp && xdp_blocks_channels(nic)) {
		it.change = false;
		it.hold = HOLD_XDP;
		v->hold = HOLD_XDP;
	}
	v->queues_target = it.change ? max_u(max_u(it.ch_target.combined, it.ch_target.rx),
					     it.ch_target.tx)
				     : v->queues_active;
	r = plan_push_item(p, &it);
	/* capped as plan_nic() caps it: a u32 count past INT_MAX would read as an error */
	return r < 0 ? r : (int)min_u(max_u(v->queues_target, 1), PLAN_MAX_QUEUES);
}

/* CPU a queue's IRQs are on now (irq_affinity = off): the TX side's if known, it decides XPS. */
static int current_queue_cpu(const struct mq_nic *nic, unsigned q, const struct mq_cpuset *usable)
{
	int fallback = -1;

	for (unsigned i = 0; i < nirqs_of(nic); i++) {
		const struct mq_irq *irq = &nic->irqs[i];
		int c;

		if (!irq_role_is_queue(irq->role) || irq->queue != (int)q)
			continue;
		c = irq_cpu(irq, usable);
		if (c >= 0 && irq->role != IRQ_ROLE_RX)
			return c;
		if (c >= 0 && fallback < 0)
			fallback = c;
	}
	return fallback;
}

static bool queue_has_irq(const struct mq_nic *nic, unsigned q)
{
	for (unsigned i = 0; i < nirqs_of(nic); i++)
		if (irq_role_is_queue(nic->irqs[i].role) && nic->irqs[i].queue == (int)q)
			return true;
	return false;
}

static int plan_irqs(struct mq_plan *p, const struct mq_nic *nic, const int *qcpu, unsigned q,
		     struct mq_nic_verdict *v)
{
	for (unsigned k = 0; k < q; k++) {
		for (unsigned i = 0; i < nirqs_of(nic); i++) {
			const struct mq_irq *irq = &nic->irqs[i];
			struct plan_item it;
			CPUSET_DEFINE(target);
			int r;

			if (!irq_role_is_queue(irq->role) || irq->queue != (int)k || qcpu[k] < 0)
				continue;
			plan_item_init(&it, PLAN_IRQ_AFFINITY, nic);
			it.queue = (int)k;
			it.irq = (int)irq->irq;
			cpuset_set(target, (unsigned)qcpu[k]);
			it.target = target;
			it.current = irq->affinity;
			it.has_current = irq->has_affinity;
			it.change = !it.has_current || !cpuset_equal(it.current, it.target);
			if (irq->managed) {
				it.hold = it.change ? HOLD_MANAGED : HOLD_NONE;
				it.change = false;
				v->managed_irqs++;
			}
			r = plan_push_item(p, &it);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

static int plan_masks(struct mq_plan *p, const struct mq_nic *nic, const struct mq_if_config *ic,
		      const struct queue_cpus *qc, unsigned q)
{
	CPUSET_DEFINE(set);

	for (int kind = PLAN_XPS; kind <= PLAN_RPS; kind++) {
		if (kind == PLAN_XPS && (!ic->xps || q < 2))
			continue;
		for (unsigned k = 0; nic->queues && k < q && k < nic->nqueues; k++) {
			const struct mq_queue *mq = &nic->queues[k];
			struct plan_item it;
			int r;

			if (kind == PLAN_XPS ? !mq->has_tx || !mq->has_xps : !mq->has_rx || !mq->has_rps)
				continue;
			plan_item_init(&it, (enum plan_kind)kind, nic);
			it.queue = (int)k;
			it.current = kind == PLAN_XPS ? mq->xps : mq->rps;
			it.has_current = true;
			if (kind == PLAN_XPS || ic->rps) {
				plan_queue_set(qc, k, set);
				it.target = set;
			}
			it.change = !cpuset_equal(it.current, it.target);
			r = plan_push_item(p, &it);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

/*
 * The RSS table against the active RX queues: a reset item when the table
 * leaves queues out, is uneven, or names queues no longer active, and is not
 * the driver's default already. Planned before the channel change (a table
 * set by hand makes some drivers refuse fewer channels).
 */
static int plan_rss(struct mq_plan *p, const struct mq_nic *nic, const struct mq_if_config *ic)
{
	struct rss_spread sp;
	struct plan_item it;

	if (!ic->rss || rss_nic_analyse(nic, &sp) < 0)
		return 0;
	plan_item_init(&it, PLAN_RSS, nic);
	it.has_current = true;
	it.rss.entries = sp.n;
	it.rss.queues = sp.nqueues;
	it.rss.covered = sp.covered;
	it.rss.was_default = sp.is_default;
	it.change = sp.reset_helps;
	return plan_push_item(p, &it);
}

static int plan_nic(struct mq_assessment *a, const struct mq_config *cfg, struct placer *pl,
		    const struct mq_nic *nic, struct mq_nic_verdict *v, const int *order,
		    const int *tier, unsigned norder)
{
	const struct mq_if_config icv = config_for(cfg, nic->name, nic->driver), *ic = &icv;
	struct mq_plan *p = &a->plan;
	unsigned q = nic->queues ? nic->nqueues : 0;
	unsigned width = (unsigned)(cpuset_last(a->usable) + 1);
	struct queue_cpus qc = {0};
	int *qcpu = NULL;
	int r = 0;

	v->queues_target = v->queues_active;
	if (ic->exclude) {
		v->hold = HOLD_EXCLUDED;
		return 0;
	}
	v->tuned = true;
	r = plan_rss(p, nic, ic);
	if (r < 0)
		return r;
	if (channels_supported(&nic->ch)) {
		r = plan_channels(p, nic, ic, norder, v);
		if (r < 0)
			return r;
		q = (unsigned)r;
	} else {
		v->hold = HOLD_NO_CHANNELS;
		if (q == 0) /* no queue dirs: count the queues the IRQs serve */
			for (unsigned i = 0; i < nirqs_of(nic); i++)
				if (irq_role_is_queue(nic->irqs[i].role) &&
				    nic->irqs[i].queue < PLAN_MAX_QUEUES && (unsigned)nic->irqs[i].queue >= q)
					q = (unsigned)nic->irqs[i].queue + 1;
	}
	if (q == 0)
		return 0;
	q = min_u(q, PLAN_MAX_QUEUES);

	qcpu = malloc(q * sizeof(*qcpu));
	qc.first = malloc(q * sizeof(*qc.first));
	qc.last = malloc(q * sizeof(*qc.last));
	qc.setn = calloc(q, sizeof(*qc.setn));
	qc.next = malloc((width ? width : 1) * sizeof(*qc.next));
	if (!qcpu || !qc.first || !qc.last || !qc.setn || !qc.next) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned k = 0; k < q; k++)
		qcpu[k] = ic->irq_affinity && queue_has_irq(nic, k) ? plan_place(pl, order, tier, norder)
								    : current_queue_cpu(nic, k, a->usable);
	if (ic->irq_affinity && !nic->irq_shared) {
		r = plan_irqs(p, nic, qcpu, q, v);
		if (r < 0)
			goto out;
	}
	plan_queue_sets(a->now, a->usable, qcpu, q, &qc);
	r = plan_masks(p, nic, ic, &qc, q);
out:
	free(qcpu);
	free(qc.first);
	free(qc.last);
	free(qc.setn);
	free(qc.next);
	return r;
}

/* Width of XPS/RPS masks: nr_cpu_ids, else the highest possible or online CPU + 1. */
static unsigned mask_width(const struct mq_cpus *c)
{
	int hi = cpuset_last(c->possible), on = cpuset_last(c->online);

	if (c->nr_cpu_ids && c->nr_cpu_ids <= MQ_MAX_CPUS)
		return c->nr_cpu_ids;
	hi = hi > on ? hi : on;
	return hi >= 0 ? (unsigned)hi + 1 : 1;
}

int plan_build(struct mq_assessment *a, const struct mq_config *cfg)
{
	const struct mq_snapshot *s = a->now;
	struct mq_plan *p = &a->plan;
	unsigned nusable = cpuset_count(a->usable);
	struct placer pl = {.last = -1};
	struct cpu_key *keys = NULL;
	int *order = NULL, *tier = NULL;
	int r;

	r = plan_set(p, &p->online, s->cpus.online);
	if (r == 0)
		r = plan_set(p, &p->usable, a->usable);
	if (r < 0)
		return r;
	p->nr_cpu_ids = mask_width(&s->cpus);
	/* Sized by the usable CPUs: a machine with 8,192 possible and 4 online needs 4. */
	pl.load = calloc((size_t)cpuset_last(a->usable) + 2, sizeof(*pl.load));
	keys = malloc((nusable ? nusable : 1) * sizeof(*keys));
	order = malloc((nusable ? nusable : 1) * sizeof(*order));
	tier = malloc((nusable ? nusable : 1) * sizeof(*tier));
	if (!pl.load || !keys || !order || !tier) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < s->nnics && r == 0; i++) {
		const struct mq_nic *nic = &s->nics[i];
		struct mq_nic_verdict *v = &a->nics[i];
		unsigned n;

		v->queues_max = nic_queues_max(nic);
		v->queues_active = v->queues_target = nic_queues_active(nic);
		v->first = p->n;
		if (nic_is_loopback(nic) || cpuset_empty(a->usable))
			continue;
		n = plan_cpu_order(s, a->usable, nic->numa_node, keys, order, tier);
		r = plan_nic(a, cfg, &pl, nic, v, order, tier, n);
		v->count = p->n - v->first;
	}
out:
	free(pl.load);
	free(keys);
	free(order);
	free(tier);
	return r;
}
