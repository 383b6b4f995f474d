// SPDX-License-Identifier: MIT
/* Per-CPU rates between two snapshots (core/cpuload.h). */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpuload.h"
#include "core/rates.h"

/* A queue IRQ of now, with its namesake in before (NULL if none). */
struct qirq {
	unsigned nic, irq;
	const struct mq_irq *a, *b;
};

static double rate(uint64_t now, uint64_t before, double secs)
{
	uint64_t d = counter_delta(now, before);

	return d == MQ_NA || !(secs > 0) ? NAN : (double)d / secs;
}

/* part/total of the ticks, 0..1 (the fields are not read atomically: clamp). */
static double share(uint64_t now, uint64_t before, uint64_t total)
{
	uint64_t d = counter_delta(now, before);

	if (d == MQ_NA || total == MQ_NA || total == 0)
		return NAN;
	return d >= total ? 1.0 : (double)d / (double)total;
}

static bool is_queue_irq(const struct mq_irq *irq)
{
	return irq->queue >= 0 && irq_role_is_queue(irq->role);
}

static const struct mq_irq *before_irq(const struct mq_nic *b, unsigned irq)
{
	for (unsigned i = 0; b && b->irqs && i < b->nirqs; i++)
		if (b->irqs[i].irq == irq)
			return &b->irqs[i];
	return NULL;
}

static uint64_t irq_count(const struct mq_irq *irq, unsigned cpu)
{
	return irq && irq->per_cpu && cpu < irq->n_per_cpu ? irq->per_cpu[cpu] : MQ_NA;
}

static bool irq_affine(const struct mq_irq *irq, unsigned cpu)
{
	const struct mq_cpuset *set = irq_cpus(irq);

	return set && cpuset_isset(set, cpu);
}

static bool cpu_online(const struct mq_snapshot *s, unsigned cpu)
{
	return s->cpus.cpu && cpu < s->cpus.n && s->cpus.cpu[cpu].online;
}

static void cpu_rates(const struct mq_snapshot *now, const struct mq_snapshot *before, double secs,
		      struct cpuload_cpu *c)
{
	const struct mq_cpu_counters *a, *b;
	uint64_t total;

	c->net_rx_per_s = c->net_tx_per_s = NAN;
	c->softirq_share = c->irq_share = c->steal_share = NAN;
	c->softnet_processed_per_s = c->softnet_dropped_per_s = c->softnet_squeezed_per_s = NAN;
	if (!c->online || !before || !(secs > 0))
		return;
	a = &now->cpus.cpu[c->cpu].cnt;
	b = &before->cpus.cpu[c->cpu].cnt;
	c->net_rx_per_s = rate(a->net_rx, b->net_rx, secs);
	c->net_tx_per_s = rate(a->net_tx, b->net_tx, secs);
	total = counter_delta(a->ticks_total, b->ticks_total);
	c->softirq_share = share(a->ticks_softirq, b->ticks_softirq, total);
	c->irq_share = share(a->ticks_irq, b->ticks_irq, total);
	c->steal_share = share(a->ticks_steal, b->ticks_steal, total);
	c->softnet_processed_per_s = rate(a->softnet_processed, b->softnet_processed, secs);
	c->softnet_dropped_per_s = rate(a->softnet_dropped, b->softnet_dropped, secs);
	c->softnet_squeezed_per_s = rate(a->softnet_squeezed, b->softnet_squeezed, secs);
}

/*
 * The queue IRQs CPU c serves, into out (NULL: count only). Returns how many.
 * Also sums c->queue_irqs_per_s when filling.
 */
static unsigned served(const struct qirq *q, unsigned nq, double secs, struct cpuload_cpu *c,
		       struct cpuload_irq *out)
{
	unsigned cnt = 0;

	for (unsigned i = 0; i < nq; i++) {
		double per_s = NAN;
		bool affine = irq_affine(q[i].a, (unsigned)c->cpu);

		if (c->online && q[i].b)
			per_s = rate(irq_count(q[i].a, (unsigned)c->cpu),
				     irq_count(q[i].b, (unsigned)c->cpu), secs);
		if (!affine && !(per_s > 0))
			continue;
		if (out) {
			out[cnt] = (struct cpuload_irq){
				.nic = q[i].nic,
				.irq = q[i].irq,
				.queue = q[i].a->queue,
				.role = q[i].a->role,
				.affine = affine,
				.per_s = per_s,
			};
			if (!isnan(per_s))
				c->queue_irqs_per_s += per_s;
		}
		cnt++;
	}
	return cnt;
}

int cpuload_build(const struct mq_snapshot *now, const struct mq_snapshot *before,
		  struct cpuload *ret)
{
	struct cpuload l = {0};
	struct qirq *q = NULL;
	unsigned nq = 0, total = 0, at = 0;
	int r = -ENOMEM;

	if (!now || !ret || (now->cpus.n && !now->cpus.cpu))
		return -EINVAL;
	if (before) {
		l.secs = (double)(now->taken.tv_sec - before->taken.tv_sec) +
			 (double)(now->taken.tv_nsec - before->taken.tv_nsec) / 1e9;
		if (!(l.secs > 0))
			l.secs = 0;
	}
	for (unsigned i = 0; now->nics && i < now->nnics; i++)
		for (unsigned k = 0; now->nics[i].irqs && k < now->nics[i].nirqs; k++)
			nq += is_queue_irq(&now->nics[i].irqs[k]);
	q = calloc(nq ? nq : 1, sizeof(*q));
	l.n = now->cpus.n;
	l.cpu = calloc(l.n ? l.n : 1, sizeof(*l.cpu));
	if (!q || !l.cpu)
		goto out;
	nq = 0;
	for (unsigned i = 0; now->nics && i < now->nnics; i++) {
		const struct mq_nic *n = &now->nics[i], *bn = snapshot_before_nic(before, n);

		for (unsigned k = 0; n->irqs && k < n->nirqs; k++)
			if (is_queue_irq(&n->irqs[k]))
				q[nq++] = (struct qirq){i, k, &n->irqs[k], before_irq(bn, n->irqs[k].irq)};
	}

	for (unsigned c = 0; c < l.n; c++) {
		struct cpuload_cpu *x = &l.cpu[c];

		x->cpu = (int)c;
		x->online = cpu_online(now, c) && (!before || cpu_online(before, c));
		cpu_rates(now, before, l.secs, x);
		x->queue_irqs_per_s = x->online && l.secs > 0 ? 0 : NAN;
		x->nirqs = served(q, nq, l.secs, x, NULL);
		total += x->nirqs;
	}
	l.irqs = calloc(total ? total : 1, sizeof(*l.irqs));
	if (!l.irqs)
		goto out;
	l.nirqs = total;
	for (unsigned c = 0; c < l.n; c++) {
		struct cpuload_cpu *x = &l.cpu[c];

		x->irqs = x->nirqs ? &l.irqs[at] : NULL;
		at += served(q, nq, l.secs, x, &l.irqs[at]);
	}
	*ret = l;
	l = (struct cpuload){0};
	r = 0;
out:
	free(q);
	cpuload_free(&l);
	return r;
}

void cpuload_free(struct cpuload *l)
{
	if (!l)
		return;
	free(l->cpu);
	free(l->irqs);
	memset(l, 0, sizeof(*l));
}
