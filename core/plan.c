// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/findings.h"
#include "core/plan.h"

static const char *const plan_kind_table[_PLAN_KIND_MAX] = {
	[PLAN_CHANNELS] = "channels",
	[PLAN_IRQ_AFFINITY] = "irq_affinity",
	[PLAN_XPS] = "xps",
	[PLAN_RPS] = "rps",
};

const char *plan_kind_to_string(enum plan_kind k)
{
	return (unsigned)k < _PLAN_KIND_MAX ? plan_kind_table[k] : "unknown";
}

static const char *const step_status_table[_STEP_STATUS_MAX] = {
	[STEP_PLANNED] = "planned",
	[STEP_OK] = "ok",
	[STEP_UNCHANGED] = "unchanged",
	[STEP_FAILED] = "failed",
	[STEP_SKIPPED] = "skipped",
};

const char *step_status_to_string(enum step_status s)
{
	return (unsigned)s < _STEP_STATUS_MAX ? step_status_table[s] : "unknown";
}

void plan_free(struct mq_plan *p)
{
	if (!p)
		return;
	free(p->items);
	free(p->notes);
	p->items = NULL;
	p->notes = NULL;
	p->n = p->nnotes = 0;
}

unsigned plan_changes(const struct mq_plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->items[i].change;
	return n;
}

/*
 * Items are over 1 KiB and a plan for 64 NICs x 16 queues has thousands: grow
 * by doubling, not by one. The capacity is implicit (8, then the next power of
 * two), so every item must come through here, which they do.
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
	p->items[p->n++] = *it;
	return 0;
}

int plan_push_note(struct mq_plan *p, const char *ifname, const char *fmt, ...)
{
	struct plan_note *notes;
	va_list ap;

	notes = realloc(p->notes, (p->nnotes + 1) * sizeof(*notes));
	if (!notes)
		return -ENOMEM;
	p->notes = notes;
	snprintf(notes[p->nnotes].ifname, sizeof(notes[p->nnotes].ifname), "%s", ifname ? ifname : "");
	va_start(ap, fmt);
	vsnprintf(notes[p->nnotes].text, sizeof(notes[p->nnotes].text), fmt, ap);
	va_end(ap);
	p->nnotes++;
	return 0;
}

static const struct mq_cpu *cpu_info(const struct mq_snapshot *s, int cpu)
{
	if (cpu < 0 || !s->cpus.cpu || (unsigned)cpu >= s->cpus.n)
		return NULL;
	return &s->cpus.cpu[cpu];
}

static bool siblings(const struct mq_snapshot *s, int a, int b)
{
	const struct mq_cpu *x = cpu_info(s, a), *y = cpu_info(s, b);

	return x && y && a != b && x->core >= 0 && x->core == y->core && x->package == y->package;
}

struct cpu_key {
	int cpu, remote, smt, l3idx, l3;
};

static int cpu_key_cmp(const void *pa, const void *pb)
{
	const struct cpu_key *a = pa, *b = pb;

	if (a->remote != b->remote)
		return a->remote - b->remote;
	if (a->smt != b->smt)
		return a->smt - b->smt;
	if (a->l3idx != b->l3idx)
		return a->l3idx - b->l3idx;
	if (a->l3 != b->l3)
		return a->l3 - b->l3;
	return a->cpu - b->cpu;
}

/*
 * The order in which a NIC's queues take CPUs: NUMA-local first, first
 * threads of cores before their siblings, and within that L3 groups
 * interleaved (0, 8, 1, 9, ... for two groups of 8).
 */
static unsigned cpu_order(const struct mq_snapshot *s, const struct mq_cpuset *usable, int node,
			  int *order, int *tier)
{
	struct cpu_key k[MQ_MAX_CPUS];
	unsigned n = 0;

	CPUSET_FOREACH(cpu, usable) {
		const struct mq_cpu *c = cpu_info(s, cpu);

		k[n].cpu = cpu;
		k[n].remote = node >= 0 && c && c->node >= 0 && c->node != node;
		k[n].smt = c && c->smt_rank > 0 ? (c->smt_rank > 1000 ? 1000 : c->smt_rank) : 0;
		k[n].l3 = c ? c->l3 : -1;
		k[n].l3idx = 0;
		for (unsigned j = 0; j < n; j++)
			k[n].l3idx += k[j].remote == k[n].remote && k[j].smt == k[n].smt &&
				      k[j].l3 == k[n].l3;
		n++;
	}
	qsort(k, n, sizeof(k[0]), cpu_key_cmp);
	for (unsigned i = 0; i < n; i++) {
		order[i] = k[i].cpu;
		tier[i] = k[i].remote * 2 + (k[i].smt > 0);
	}
	return n;
}

struct placer {
	unsigned load[MQ_MAX_CPUS]; /* queues placed per CPU, over every NIC */
	int last;                   /* CPU the previous queue got, -1 none */
};

/*
 * Least loaded CPU; among those the best tier (local before remote node,
 * first thread before sibling); among those the first after the previous
 * pick, so the next queue (or NIC) continues the sequence.
 */
static int place(struct placer *pl, const int *order, const int *tier, unsigned n)
{
	unsigned start = 0, best = 0;
	bool found = false;

	if (!n)
		return -1;
	for (unsigned i = 0; pl->last >= 0 && i < n; i++)
		if (order[i] == pl->last) {
			start = (i + 1) % n;
			break;
		}
	for (unsigned j = 0; j < n; j++) {
		unsigned i = (start + j) % n;

		if (!found || pl->load[order[i]] < pl->load[order[best]] ||
		    (pl->load[order[i]] == pl->load[order[best]] && tier[i] < tier[best])) {
			best = i;
			found = true;
		}
	}
	pl->load[order[best]]++;
	pl->last = order[best];
	return order[best];
}

static unsigned nirqs_of(const struct mq_nic *nic)
{
	return nic->irqs ? nic->nirqs : 0;
}

static bool queue_irq_role(enum mq_irq_role r)
{
	return r == IRQ_ROLE_RX || r == IRQ_ROLE_TX || r == IRQ_ROLE_RXTX;
}

static bool channels_supported(const struct mq_channels *c)
{
	return c->source != CHANNELS_NONE && (c->combined_max || c->rx_max || c->tx_max);
}

static bool channels_equal(const struct mq_channels *a, const struct mq_channels *b)
{
	return a->rx == b->rx && a->tx == b->tx && a->other == b->other && a->combined == b->combined;
}

static void item_init(struct plan_item *it, enum plan_kind kind, const struct mq_nic *nic)
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

/* Channel item for one NIC; *ret_q = the queue count the rest is planned for. */
static int plan_channels(struct mq_plan *p, const struct mq_nic *nic, const struct mq_if_config *ic,
			 unsigned nusable, unsigned *ret_q)
{
	const struct mq_channels *c = &nic->ch;
	struct plan_item it;
	unsigned devmax, n;
	size_t o = 0;

	item_init(&it, PLAN_CHANNELS, nic);
	it.ch_current = *c;
	it.ch_target = *c;
	it.has_current = true;
	devmax = c->combined_max ? c->combined_max : (c->rx_max > c->tx_max ? c->rx_max : c->tx_max);
	switch (ic->queues_mode) {
	case QUEUES_N:
		n = ic->queues;
		if (n > nusable)
			o += (size_t)snprintf(it.note + o, sizeof(it.note) - o,
					      "queues=%u clamped to %u usable vCPUs", n, nusable);
		if (n > devmax && o < sizeof(it.note))
			o += (size_t)snprintf(it.note + o, sizeof(it.note) - o,
					      "%squeues=%u above the device maximum %u", o ? "; " : "",
					      n, devmax);
		n = min_u(min_u(n, nusable), devmax);
		break;
	case QUEUES_MAX:
		n = devmax;
		if (n > nusable)
			snprintf(it.note, sizeof(it.note), "queues=max (%u) clamped to %u usable vCPUs",
				 devmax, nusable);
		n = min_u(n, nusable);
		break;
	case QUEUES_AUTO:
	default:
		n = min_u(devmax, nusable);
		if (devmax < nusable)
			snprintf(it.note, sizeof(it.note),
				 "the device offers %u queue%s for %u usable vCPUs: more takes a "
				 "host-side change", devmax, devmax == 1 ? "" : "s", nusable);
		break;
	}
	if (n == 0)
		n = 1;
	if (c->combined_max) {
		it.ch_target.combined = n;
		*ret_q = n;
	} else {
		if (c->rx_max)
			it.ch_target.rx = min_u(n, c->rx_max);
		if (c->tx_max)
			it.ch_target.tx = min_u(n, c->tx_max);
		*ret_q = it.ch_target.rx > it.ch_target.tx ? it.ch_target.rx : it.ch_target.tx;
	}
	if (*ret_q == 0)
		*ret_q = 1;
	it.change = !channels_equal(&it.ch_current, &it.ch_target);
	if (it.change && nic->xdp) {
		o = strlen(it.note);
		snprintf(it.note + o, sizeof(it.note) - o,
			 "%san XDP program is attached: the driver may refuse", o ? "; " : "");
	}
	return plan_push_item(p, &it);
}

/* CPU a queue's IRQs are on now (irq_affinity = off): the effective one if known. */
static int current_queue_cpu(const struct mq_nic *nic, unsigned q, const struct mq_cpuset *usable)
{
	int fallback = -1;

	for (unsigned i = 0; i < nirqs_of(nic); i++) {
		const struct mq_irq *irq = &nic->irqs[i];
		const struct mq_cpuset *set;
		struct mq_cpuset u;
		int c;

		if (!queue_irq_role(irq->role) || irq->queue != (int)q)
			continue;
		set = irq->has_effective ? &irq->effective : irq->has_affinity ? &irq->affinity : NULL;
		if (!set)
			continue;
		cpuset_and(&u, set, usable);
		c = cpuset_next(&u, 0);
		if (c >= 0 && (irq->role != IRQ_ROLE_RX || fallback < 0)) {
			if (irq->role != IRQ_ROLE_RX)
				return c; /* the TX side decides XPS */
			fallback = c;
		}
	}
	return fallback;
}

static int plan_nic(const struct mq_snapshot *s, const struct mq_config *cfg, struct mq_plan *p,
		    struct placer *pl, const struct mq_nic *nic, const int *order, const int *tier,
		    unsigned norder)
{
	const struct mq_if_config *ic = config_for(cfg, nic->name);
	unsigned nusable = norder, q = nic->queues ? nic->nqueues : 0;
	int *qcpu = NULL;
	struct mq_cpuset *sets = NULL;
	unsigned *setn = NULL;
	int r = 0;

	if (ic->exclude)
		return plan_push_note(p, nic->name, "excluded by config: left alone");

	if (channels_supported(&nic->ch)) {
		r = plan_channels(p, nic, ic, nusable, &q);
		if (r < 0)
			return r;
	} else {
		if (nic->ch.errmsg[0])
			r = plan_push_note(p, nic->name, "no channel support (%s): channels left alone",
					   nic->ch.errmsg);
		else
			r = plan_push_note(p, nic->name, "no channel support: channels left alone");
		if (r < 0)
			return r;
		if (q == 0)
			for (unsigned i = 0; i < nirqs_of(nic); i++)
				if (queue_irq_role(nic->irqs[i].role) && nic->irqs[i].queue >= 0 &&
				    (unsigned)nic->irqs[i].queue >= q && nic->irqs[i].queue < 4096)
					q = (unsigned)nic->irqs[i].queue + 1;
	}
	if (q == 0)
		return 0;
	if (q > 4096)
		q = 4096;

	qcpu = malloc(q * sizeof(*qcpu));
	sets = calloc(q, sizeof(*sets));
	setn = calloc(q, sizeof(*setn));
	if (!qcpu || !sets || !setn) {
		r = -ENOMEM;
		goto out;
	}

	/* ---- IRQs: one CPU per queue ---- */
	for (unsigned i = 0; i <= nirqs_of(nic); i++) {
		if (i == nirqs_of(nic)) {
			if (nic->irq_shared)
				r = plan_push_note(p, nic->name, "one IRQ serves every queue: it cannot be "
								 "spread (too few MSI-X vectors)");
		} else if (nic->irqs[i].role == IRQ_ROLE_SHARED) {
			r = plan_push_note(p, nic->name,
					   "IRQ %u (%s) serves every queue: it cannot be spread "
					   "(too few MSI-X vectors)",
					   nic->irqs[i].irq, nic->irqs[i].name);
		} else {
			continue;
		}
		if (r < 0)
			goto out;
		break;
	}
	for (unsigned k = 0; k < q; k++) {
		bool has_irq = false;

		for (unsigned i = 0; i < nirqs_of(nic); i++)
			if (queue_irq_role(nic->irqs[i].role) && nic->irqs[i].queue == (int)k)
				has_irq = true;
		if (ic->irq_affinity && has_irq)
			qcpu[k] = place(pl, order, tier, norder);
		else
			qcpu[k] = current_queue_cpu(nic, k, &p->usable);
	}
	if (ic->irq_affinity) {
		for (unsigned k = 0; k < q; k++)
			for (unsigned i = 0; i < nirqs_of(nic); i++) {
				const struct mq_irq *irq = &nic->irqs[i];
				struct plan_item it;

				if (!queue_irq_role(irq->role) || irq->queue != (int)k || qcpu[k] < 0)
					continue;
				item_init(&it, PLAN_IRQ_AFFINITY, nic);
				it.queue = (int)k;
				it.irq = (int)irq->irq;
				snprintf(it.irq_name, sizeof(it.irq_name), "%s", irq->name);
				cpuset_set(&it.target, (unsigned)qcpu[k]);
				it.current = irq->affinity;
				it.has_current = irq->has_affinity;
				if (irq->managed) {
					snprintf(it.note, sizeof(it.note),
						 "kernel-managed IRQ %u, cannot be moved from user space",
						 irq->irq);
					it.change = false;
				} else {
					it.change = !it.has_current || !cpuset_equal(&it.current, &it.target);
				}
				r = plan_push_item(p, &it);
				if (r < 0)
					goto out;
			}
	}

	/* ---- per-queue CPU sets: XPS, and RPS when on ---- */
	if (q == 1) {
		sets[0] = p->usable;
	} else {
		unsigned cursor = 0;

		CPUSET_FOREACH(cpu, &p->usable) {
			int best = -1;

			for (unsigned k = 0; k < q && best < 0; k++)
				if (qcpu[k] == cpu)
					best = (int)k;
			for (unsigned k = 0; k < q && best < 0; k++)
				if (qcpu[k] >= 0 && siblings(s, cpu, qcpu[k]))
					best = (int)k;
			if (best < 0) {
				/* the queue with the fewest CPUs, round-robin among equals */
				for (unsigned j = 0; j < q; j++) {
					unsigned k = (cursor + j) % q;

					if (best < 0 || setn[k] < setn[best])
						best = (int)k;
				}
				cursor = ((unsigned)best + 1) % q;
			}
			cpuset_set(&sets[best], (unsigned)cpu);
			setn[best]++;
		}
	}
	if (ic->xps && q > 1) {
		for (unsigned k = 0; nic->queues && k < q && k < nic->nqueues; k++) {
			const struct mq_queue *mq = &nic->queues[k];
			struct plan_item it;

			if (!mq->has_tx || !mq->has_xps)
				continue;
			item_init(&it, PLAN_XPS, nic);
			it.queue = (int)k;
			it.current = mq->xps;
			it.has_current = true;
			it.target = sets[k];
			it.change = !cpuset_equal(&it.current, &it.target);
			r = plan_push_item(p, &it);
			if (r < 0)
				goto out;
		}
	}
	for (unsigned k = 0; nic->queues && k < q && k < nic->nqueues; k++) {
		const struct mq_queue *mq = &nic->queues[k];
		struct plan_item it;

		if (!mq->has_rx || !mq->has_rps)
			continue;
		item_init(&it, PLAN_RPS, nic);
		it.queue = (int)k;
		it.current = mq->rps;
		it.has_current = true;
		if (ic->rps)
			it.target = sets[k];
		it.change = !cpuset_equal(&it.current, &it.target);
		r = plan_push_item(p, &it);
		if (r < 0)
			goto out;
	}
out:
	free(qcpu);
	free(sets);
	free(setn);
	return r;
}

static bool is_loopback(const struct mq_nic *nic)
{
	return strcmp(nic->name, "lo") == 0 || strcmp(nic->kind, "loopback") == 0;
}

int plan_build(const struct mq_snapshot *s, const struct mq_config *cfg, struct mq_plan *ret)
{
	struct mq_plan p = {0};
	struct mq_config defaults;
	struct placer *pl = NULL;
	int *order = NULL, *tier = NULL;
	int r = 0;

	if (!cfg) {
		config_init(&defaults);
		cfg = &defaults;
	}
	p.online = s->cpus.online;
	cpus_usable(&s->cpus, cfg, &p.usable);
	{
		struct mq_cpuset strict;
		char list[4096];

		/* cpus_usable() falls back when nothing is left; say so */
		cpuset_andnot(&strict, &s->cpus.online, &s->cpus.isolated);
		cpuset_andnot(&strict, &strict, &s->cpus.nohz_full);
		cpuset_andnot(&strict, &strict, &cfg->banned_cpus);
		if (cpuset_empty(&strict) && !cpuset_empty(&p.usable)) {
			if (cpuset_format_list(&p.usable, list, sizeof(list)) < 0)
				snprintf(list, sizeof(list), "%u CPUs", cpuset_count(&p.usable));
			r = plan_push_note(&p, "",
					   "every online CPU is banned, isolated or nohz_full: using %s "
					   "instead", list);
			if (r < 0)
				goto out;
		}
	}
	p.nr_cpu_ids = s->cpus.nr_cpu_ids;
	if (p.nr_cpu_ids == 0 || p.nr_cpu_ids > MQ_MAX_CPUS) {
		int c = -1;

		for (int i = cpuset_next(&s->cpus.possible, 0); i >= 0;
		     i = cpuset_next(&s->cpus.possible, (unsigned)i + 1))
			c = i;
		for (int i = cpuset_next(&s->cpus.online, 0); i >= 0;
		     i = cpuset_next(&s->cpus.online, (unsigned)i + 1))
			c = c > i ? c : i;
		p.nr_cpu_ids = c >= 0 ? (unsigned)c + 1 : 1;
	}
	if (s->platform.irqbalance_pid > 0) {
		r = plan_push_note(&p, "",
				   "irqbalance (pid %d) is running and will move these IRQs again: ban "
				   "the CPUs (IRQBALANCE_BANNED_CPULIST) or stop it (systemctl disable "
				   "--now irqbalance)",
				   (int)s->platform.irqbalance_pid);
		if (r < 0)
			goto out;
	}
	if (cpuset_empty(&p.usable)) {
		r = plan_push_note(&p, "", "no online CPU: nothing planned");
		goto out;
	}
	pl = calloc(1, sizeof(*pl));
	order = malloc(MQ_MAX_CPUS * sizeof(*order));
	tier = malloc(MQ_MAX_CPUS * sizeof(*tier));
	if (!pl || !order || !tier) {
		r = -ENOMEM;
		goto out;
	}
	pl->last = -1;
	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_nic *nic = &s->nics[i];
		unsigned n;

		if (is_loopback(nic))
			continue;
		n = cpu_order(s, &p.usable, nic->numa_node, order, tier);
		r = plan_nic(s, cfg, &p, pl, nic, order, tier, n);
		if (r < 0)
			goto out;
	}
out:
	free(pl);
	free(order);
	free(tier);
	if (r < 0) {
		plan_free(&p);
		return r;
	}
	*ret = p;
	return 0;
}
