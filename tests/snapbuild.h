/* SPDX-License-Identifier: MIT */
#pragma once

/* Snapshot builders for planner and applier tests (include after cmocka.h). */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assess.h"
#include "core/plan.h"
#include "tests/fx_cpuset.h"

/* The plan of assess(s, cfg), taken out of the assessment (free it with plan_free). */
static inline int plan_of(const struct mq_snapshot *s, const struct mq_config *cfg, struct mq_plan *ret)
{
	struct mq_assessment a;
	int r = assess(s, NULL, cfg, &a);

	if (r < 0)
		return r;
	*ret = a.plan;
	a.plan = (struct mq_plan){0};
	assessment_free(&a);
	return 0;
}

/* ---- snapshot builders ----------------------------------------------------- */

enum style {
	ST_VIRTIO,  /* combined channels; input.N + output.N per queue (for every max queue), config */
	ST_PAIR,    /* combined channels; one TxRx vector per queue (ENA, gve-like) */
	ST_RXTX,    /* rx/tx channels only (combined_max 0), separate vectors */
	ST_SINGLE,  /* e1000: no channel support, one queue IRQ */
	ST_SHARED,  /* virtio with one "virtqueues" vector */
	ST_VETH,    /* channels but no IRQs */
};

struct nic_spec {
	enum style style;
	unsigned max, cur; /* channel max, current */
	int node;
};

static unsigned next_irq __attribute__((unused));

/* ncpu CPUs; smt threads per core (adjacent ids); nodes NUMA nodes in blocks, one L3 per node. */
static inline void snap_init(struct mq_snapshot *s, unsigned ncpu, unsigned smt, unsigned nodes)
{
	memset(s, 0, sizeof(*s));
	s->cpus.n = ncpu;
	s->cpus.cpu = calloc(ncpu, sizeof(struct mq_cpu));
	assert_non_null(s->cpus.cpu);
	for (unsigned i = 0; i < ncpu; i++) {
		struct mq_cpu *c = &s->cpus.cpu[i];

		c->id = (int)i;
		c->present = c->online = true;
		c->core = (int)(i / smt);
		c->smt_rank = (int)(i % smt);
		c->package = 0;
		c->node = (int)(i * nodes / ncpu);
		c->l3 = (int)((unsigned)c->node * ncpu / nodes);
	}
	s->cpus.possible = s->cpus.present = s->cpus.online = fx_first(&s->cpus.sets, ncpu);
	s->cpus.nr_cpu_ids = ncpu;
	s->cpus.n_online = ncpu;
	s->cpus.n_nodes = nodes;
	s->cpus.smt_active = smt > 1;
	next_irq = 24;
}

static inline void nic_queues(struct mq_nic *n, unsigned q)
{
	free(n->queues);
	n->nqueues = q;
	n->real_rx_queues = n->real_tx_queues = q;
	n->queues = calloc(q ? q : 1, sizeof(*n->queues));
	assert_non_null(n->queues);
	for (unsigned i = 0; i < q; i++) {
		n->queues[i].index = i;
		n->queues[i].has_rx = n->queues[i].has_tx = true;
		n->queues[i].has_xps = n->queues[i].has_rps = true;
		n->queues[i].irq_rx = n->queues[i].irq_tx = -1;
	}
}

static inline void add_irq(struct mq_nic *n, const char *name, enum mq_irq_role role, int q)
{
	struct mq_irq *irq;

	n->irqs = realloc(n->irqs, (n->nirqs + 1) * sizeof(*n->irqs));
	assert_non_null(n->irqs);
	irq = &n->irqs[n->nirqs++];
	memset(irq, 0, sizeof(*irq));
	irq->irq = next_irq++;
	snprintf(irq->name, sizeof(irq->name), "%s", name);
	irq->role = role;
	irq->queue = q;
	irq->affinity = fx_cpu(&n->sets, 0); /* the bad start: everything on CPU 0 */
	irq->has_affinity = true;
	irq->effective = irq->affinity;
	irq->has_effective = true;
}

static inline struct mq_nic *add_nic(struct mq_snapshot *s, const char *name, const struct nic_spec *sp)
{
	struct mq_nic *n;
	char buf[64];

	s->nics = realloc(s->nics, (s->nnics + 1) * sizeof(*s->nics));
	assert_non_null(s->nics);
	n = &s->nics[s->nnics++];
	memset(n, 0, sizeof(*n));
	n->ifindex = (int)s->nnics + 1;
	snprintf(n->name, sizeof(n->name), "%s", name);
	n->numa_node = sp->node;
	n->has_device = sp->style != ST_VETH;
	n->ch.source = CHANNELS_NETLINK;
	switch (sp->style) {
	case ST_VIRTIO:
	case ST_PAIR:
	case ST_VETH:
	case ST_SHARED:
		n->ch.combined_max = sp->max;
		n->ch.combined = sp->cur;
		break;
	case ST_RXTX:
		n->ch.rx_max = n->ch.tx_max = sp->max;
		n->ch.rx = n->ch.tx = sp->cur;
		break;
	case ST_SINGLE:
		n->ch.source = CHANNELS_NONE;
		n->ch.err = -EOPNOTSUPP;
		break;
	}
	nic_queues(n, sp->style == ST_SINGLE ? 1 : sp->cur);
	for (unsigned q = 0; q < sp->max || (sp->style == ST_SINGLE && q < 1); q++) {
		switch (sp->style) {
		case ST_VIRTIO:
			snprintf(buf, sizeof(buf), "virtio%u-input.%u", s->nnics, q);
			add_irq(n, buf, IRQ_ROLE_RX, (int)q);
			snprintf(buf, sizeof(buf), "virtio%u-output.%u", s->nnics, q);
			add_irq(n, buf, IRQ_ROLE_TX, (int)q);
			break;
		case ST_PAIR:
			if (q < sp->cur) { /* ENA: vectors for active queues only */
				snprintf(buf, sizeof(buf), "%s-Tx-Rx-%u", name, q);
				add_irq(n, buf, IRQ_ROLE_RXTX, (int)q);
			}
			break;
		case ST_RXTX:
			snprintf(buf, sizeof(buf), "%s-rx-%u", name, q);
			add_irq(n, buf, IRQ_ROLE_RX, (int)q);
			snprintf(buf, sizeof(buf), "%s-tx-%u", name, q);
			add_irq(n, buf, IRQ_ROLE_TX, (int)q);
			break;
		case ST_SINGLE:
			add_irq(n, name, IRQ_ROLE_RXTX, 0);
			break;
		case ST_SHARED:
		case ST_VETH:
			break;
		}
	}
	if (sp->style == ST_VIRTIO) {
		snprintf(buf, sizeof(buf), "virtio%u-config", s->nnics);
		add_irq(n, buf, IRQ_ROLE_CONFIG, -1);
	}
	if (sp->style == ST_SHARED) {
		snprintf(buf, sizeof(buf), "virtio%u-virtqueues", s->nnics);
		add_irq(n, buf, IRQ_ROLE_SHARED, -1);
		n->irq_shared = true;
	}
	return n;
}

/* An RSS table of n entries spread over the first `over` queues (0: none). */
static inline void nic_rss(struct mq_nic *nic, uint32_t n, unsigned over)
{
	free(nic->rss.indir);
	nic->rss = (struct mq_rss){.source = RSS_NETLINK, .n = n, .key_size = 40, .hfunc = 1};
	nic->rss.indir = calloc(n ? n : 1, sizeof(uint32_t));
	assert_non_null(nic->rss.indir);
	for (uint32_t i = 0; i < n; i++)
		nic->rss.indir[i] = over ? i % over : 0;
}

static inline void snap_free(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++) {
		free(s->nics[i].queues);
		free(s->nics[i].irqs);
		free(s->nics[i].rss.indir);
		cpuset_pool_free(&s->nics[i].sets);
	}
	free(s->nics);
	free(s->cpus.cpu);
	cpuset_pool_free(&s->cpus.sets);
	memset(s, 0, sizeof(*s));
}

static inline struct mq_nic *nic_by_index(struct mq_snapshot *s, int ifindex)
{
	for (unsigned i = 0; i < s->nnics; i++)
		if (s->nics[i].ifindex == ifindex)
			return &s->nics[i];
	return NULL;
}

/* What a perfect applier plus re-probe would leave behind. */
static inline void simulate_apply(struct mq_snapshot *s, const struct mq_plan *p)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		struct mq_nic *n = nic_by_index(s, it->ifindex);

		assert_non_null(n);
		if (!it->change)
			continue;
		switch (it->kind) {
		case PLAN_CHANNELS: {
			unsigned q = it->ch_target.combined ? it->ch_target.combined
				   : it->ch_target.rx > it->ch_target.tx ? it->ch_target.rx : it->ch_target.tx;

			n->ch.combined = it->ch_target.combined;
			n->ch.rx = it->ch_target.rx;
			n->ch.tx = it->ch_target.tx;
			nic_queues(n, q);
			/* ENA-like: vectors exist for active queues only */
			if (n->nirqs && n->irqs[0].role == IRQ_ROLE_RXTX && n->ch.source != CHANNELS_NONE) {
				unsigned old = n->nirqs;

				n->nirqs = 0;
				for (unsigned k = 0; k < q; k++) {
					char buf[64];

					snprintf(buf, sizeof(buf), "%s-Tx-Rx-%u", n->name, k);
					if (k < old) {
						n->nirqs++;
						continue;
					}
					add_irq(n, buf, IRQ_ROLE_RXTX, (int)k);
				}
			}
			break;
		}
		case PLAN_IRQ_AFFINITY:
			for (unsigned k = 0; k < n->nirqs; k++)
				if ((int)n->irqs[k].irq == it->irq)
					n->irqs[k].affinity = n->irqs[k].effective = fx_intern(&n->sets, it->target);
			break;
		case PLAN_XPS:
			assert_true((unsigned)it->queue < n->nqueues);
			n->queues[it->queue].xps = fx_intern(&n->sets, it->target);
			break;
		case PLAN_RPS:
			assert_true((unsigned)it->queue < n->nqueues);
			n->queues[it->queue].rps = fx_intern(&n->sets, it->target);
			break;
		case PLAN_RSS: /* the driver's default: entry i to queue i % active queues */
			for (uint32_t e = 0; e < n->rss.n; e++)
				n->rss.indir[e] = e % (n->real_rx_queues ? n->real_rx_queues : 1);
			break;
		case _PLAN_KIND_MAX:
			fail();
		}
	}
}

