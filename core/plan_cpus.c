// SPDX-License-Identifier: MIT
/* Where the planner's queues go (core/plan_cpus.h). Pure. */
#include <stdbool.h>
#include <stdlib.h>

#include "core/plan_cpus.h"

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

static int cmp_int(int a, int b) { return a < b ? -1 : a > b; }

/* Groups of CPUs that interleave: same side of the node, same thread rank, same L3. */
static int cpu_group_cmp(const void *pa, const void *pb)
{
	const struct cpu_key *a = pa, *b = pb;

	if (a->remote != b->remote)
		return cmp_int(a->remote, b->remote);
	if (a->smt != b->smt)
		return cmp_int(a->smt, b->smt);
	if (a->l3 != b->l3)
		return cmp_int(a->l3, b->l3);
	return cmp_int(a->cpu, b->cpu);
}

static bool same_group(const struct cpu_key *a, const struct cpu_key *b)
{
	return a->remote == b->remote && a->smt == b->smt && a->l3 == b->l3;
}

static int cpu_key_cmp(const void *pa, const void *pb)
{
	const struct cpu_key *a = pa, *b = pb;

	if (a->remote != b->remote)
		return cmp_int(a->remote, b->remote);
	if (a->smt != b->smt)
		return cmp_int(a->smt, b->smt);
	if (a->l3idx != b->l3idx)
		return cmp_int(a->l3idx, b->l3idx);
	if (a->l3 != b->l3)
		return cmp_int(a->l3, b->l3);
	return cmp_int(a->cpu, b->cpu);
}

/* Two sorts, O(n log n): by group, to number each CPU within its group (l3idx); then the order. */
unsigned plan_cpu_order(const struct mq_snapshot *s, const struct mq_cpuset *usable, int node,
			struct cpu_key *k, int *order, int *tier)
{
	unsigned n = 0;

	CPUSET_FOREACH(cpu, usable) {
		const struct mq_cpu *c = cpu_info(s, cpu);

		k[n].cpu = cpu;
		k[n].remote = node >= 0 && c && c->node >= 0 && c->node != node;
		k[n].smt = c && c->smt_rank > 0 ? (c->smt_rank > 1000 ? 1000 : c->smt_rank) : 0;
		k[n].l3 = c ? c->l3 : -1;
		n++;
	}
	qsort(k, n, sizeof(k[0]), cpu_group_cmp);
	for (unsigned i = 0; i < n; i++)
		k[i].l3idx = i && same_group(&k[i - 1], &k[i]) ? k[i - 1].l3idx + 1 : 0;
	qsort(k, n, sizeof(k[0]), cpu_key_cmp);
	for (unsigned i = 0; i < n; i++) {
		order[i] = k[i].cpu;
		tier[i] = k[i].remote * 2 + (k[i].smt > 0);
	}
	return n;
}

/*
 * Least loaded CPU; among those the best tier (local before remote node,
 * first thread before sibling); among those the first after the previous
 * pick, so the next queue (or NIC) continues the sequence.
 */
int plan_place(struct placer *pl, const int *order, const int *tier, unsigned n)
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

void plan_queue_sets(const struct mq_snapshot *s, const struct mq_cpuset *usable, const int *qcpu,
		     unsigned q, struct queue_cpus *qc)
{
	unsigned cursor = 0;

	if (q == 0) /* no queue to chain a CPU to (plan.c never asks) */
		return;
	for (unsigned k = 0; k < q; k++)
		qc->first[k] = qc->last[k] = -1;
	CPUSET_FOREACH(cpu, usable) {
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

				if (best < 0 || qc->setn[k] < qc->setn[best])
					best = (int)k;
			}
			cursor = ((unsigned)best + 1) % q;
		}
		qc->next[cpu] = -1;
		if (qc->last[best] >= 0)
			qc->next[qc->last[best]] = cpu;
		else
			qc->first[best] = cpu;
		qc->last[best] = cpu;
		qc->setn[best]++;
	}
}

void plan_queue_set(const struct queue_cpus *qc, unsigned k, struct mq_cpuset *ret)
{
	cpuset_zero(ret);
	for (int c = qc->first[k]; c >= 0; c = qc->next[c])
		cpuset_set(ret, (unsigned)c);
}
