/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Builders for constructed snapshots, for any test that needs a struct
 * mq_snapshot without a kernel. Everything is calloc'd; fx_free() releases it
 * (it does not depend on snapshot_free()). Typical use:
 *
 *	struct mq_snapshot s;
 *	fx_init(&s, 4);                                    4 online CPUs, 1 node
 *	struct mq_nic *n = fx_nic(&s, "eth0", "virtio_net", 1, 4);   1 of 4 queues
 *	fx_virtio_irqs(n, 24, (int[]){0});                 config + input.0/output.0 on CPU 0
 *	fx_counters(n, 0, 1000, 64000, 900, 54000);
 *	...
 *	fx_free(&s);
 *
 * A struct mq_nic pointer stays valid only until the next fx_nic() on the
 * same snapshot (the array is realloc'd).
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/assess.h"
#include "core/config.h"
#include "core/snapshot.h"
#include "tests/fx_cpuset.h"

static inline void *fx_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);

	if (!p)
		abort();
	return p;
}

static inline void fx_init(struct mq_snapshot *s, unsigned ncpus)
{
	memset(s, 0, sizeof(*s));
	s->taken.tv_sec = 1000;
	s->cpus.n = ncpus;
	s->cpus.cpu = fx_xcalloc(ncpus, sizeof(*s->cpus.cpu));
	for (unsigned i = 0; i < ncpus; i++) {
		s->cpus.cpu[i] = (struct mq_cpu){.id = (int)i, .present = true, .online = true,
						 .core = (int)i, .package = 0, .node = 0, .l3 = 0};
	}
	s->cpus.possible = s->cpus.present = s->cpus.online = fx_first(&s->cpus.sets, ncpus);
	s->cpus.nr_cpu_ids = ncpus;
	s->cpus.n_online = ncpus;
	s->cpus.n_nodes = 1;
	s->cpus.n_cores = ncpus;
	s->cpus.n_l3 = 1;
	s->have_ethtool_nl = s->have_netdev_nl = s->have_qstats = true;
}

static inline void fx_cpu_offline(struct mq_snapshot *s, unsigned cpu)
{
	if (cpu < s->cpus.n && s->cpus.cpu[cpu].online) {
		s->cpus.cpu[cpu].online = false;
		s->cpus.online = fx_with(&s->cpus.sets, s->cpus.online, cpu, false);
		s->cpus.n_online--;
	}
}

/*
 * A virtio-like NIC with `active` of `allocated` queue pairs, channels
 * combined active/allocated over netlink, qstats counters all 0 (every column
 * from qstats), administratively up, XPS readable and empty, no IRQs yet.
 * ifindex = 2 + position.
 */
static inline struct mq_nic *fx_nic(struct mq_snapshot *s, const char *name, const char *driver,
				    unsigned active, unsigned allocated)
{
	struct mq_nic *nics = realloc(s->nics, (s->nnics + 1) * sizeof(*nics));
	struct mq_nic *n;

	if (!nics)
		abort();
	s->nics = nics;
	n = &s->nics[s->nnics++];
	memset(n, 0, sizeof(*n));
	n->ifindex = (int)s->nnics + 1;
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->driver, sizeof(n->driver), "%s", driver);
	snprintf(n->bus_info, sizeof(n->bus_info), "0000:00:%02x.0", 2 + s->nnics);
	snprintf(n->operstate, sizeof(n->operstate), "up");
	snprintf(n->irq_prefix, sizeof(n->irq_prefix), "virtio%u", s->nnics - 1);
	n->mtu = 1500;
	n->has_device = true;
	n->numa_node = -1;
	n->num_tx_queues = n->num_rx_queues = allocated;
	n->real_tx_queues = n->real_rx_queues = active;
	n->ch.source = CHANNELS_NETLINK;
	n->ch.combined = active;
	n->ch.combined_max = allocated;
	n->stats_source = STATS_QSTATS;
	for (unsigned c = 0; c < _STATS_COL_MAX; c++)
		n->col_source[c] = STATS_QSTATS;
	n->admin_up = true;
	n->irqmap_source = IRQMAP_NAMES;
	n->nqueues = active;
	n->queues = fx_xcalloc(active, sizeof(*n->queues));
	for (unsigned q = 0; q < active; q++)
		n->queues[q] = (struct mq_queue){.index = q, .has_rx = true, .has_tx = true,
						 .has_xps = true, .has_rps = true, .napi_id = -1,
						 .irq_rx = -1, .irq_tx = -1};
	return n;
}

/* Append an IRQ; cpu >= 0 sets affinity and effective affinity to that one CPU. */
static inline struct mq_irq *fx_irq(struct mq_nic *n, unsigned irq, const char *name,
				    enum mq_irq_role role, int queue, int cpu)
{
	struct mq_irq *irqs = realloc(n->irqs, (n->nirqs + 1) * sizeof(*irqs));
	struct mq_irq *i;
	int idx = (int)n->nirqs;

	if (!irqs)
		abort();
	n->irqs = irqs;
	i = &n->irqs[n->nirqs++];
	memset(i, 0, sizeof(*i));
	i->irq = irq;
	snprintf(i->name, sizeof(i->name), "%s", name);
	i->role = role;
	i->queue = queue;
	if (cpu >= 0) {
		i->affinity = i->effective = fx_cpu(&n->sets, (unsigned)cpu);
		i->has_affinity = i->has_effective = true;
	}
	if (queue >= 0 && (unsigned)queue < n->nqueues) {
		if (role == IRQ_ROLE_RX || role == IRQ_ROLE_RXTX || role == IRQ_ROLE_SHARED)
			n->queues[queue].irq_rx = idx;
		if (role == IRQ_ROLE_TX || role == IRQ_ROLE_RXTX || role == IRQ_ROLE_SHARED)
			n->queues[queue].irq_tx = idx;
	}
	return i;
}

/* virtio_net naming: <prefix>-config on cpus[0], then input.q/output.q on cpus[q]. */
static inline void fx_virtio_irqs(struct mq_nic *n, unsigned first_irq, const int *cpus)
{
	char name[MQ_NAME_MAX];

	fx_irq(n, first_irq, "virtio-config", IRQ_ROLE_CONFIG, -1, cpus[0]);
	snprintf(n->irqs[n->nirqs - 1].name, MQ_NAME_MAX, "%s-config", n->irq_prefix);
	for (unsigned q = 0; q < n->nqueues; q++) {
		snprintf(name, sizeof(name), "%s-input.%u", n->irq_prefix, q);
		fx_irq(n, first_irq + 1 + 2 * q, name, IRQ_ROLE_RX, (int)q, cpus[q]);
		snprintf(name, sizeof(name), "%s-output.%u", n->irq_prefix, q);
		fx_irq(n, first_irq + 2 + 2 * q, name, IRQ_ROLE_TX, (int)q, cpus[q]);
	}
}

/* XPS of each queue = the effective CPUs of its TX (else RX) IRQ, as mqbalance sets it. */
static inline void fx_xps_from_irqs(struct mq_nic *n)
{
	for (unsigned q = 0; q < n->nqueues; q++) {
		int idx = n->queues[q].irq_tx >= 0 ? n->queues[q].irq_tx : n->queues[q].irq_rx;

		n->queues[q].xps = idx >= 0 && (unsigned)idx < n->nirqs ? n->irqs[idx].effective : NULL;
	}
}

static inline void fx_counters(struct mq_nic *n, unsigned q, uint64_t rx_packets, uint64_t rx_bytes,
			       uint64_t tx_packets, uint64_t tx_bytes)
{
	if (q >= n->nqueues)
		abort();
	n->queues[q].rx_packets = rx_packets;
	n->queues[q].rx_bytes = rx_bytes;
	n->queues[q].tx_packets = tx_packets;
	n->queues[q].tx_bytes = tx_bytes;
}

/* Every per-queue counter MQ_NA: a source without per-queue statistics. */
static inline void fx_no_counters(struct mq_nic *n)
{
	n->stats_source = STATS_NONE;
	for (unsigned c = 0; c < _STATS_COL_MAX; c++)
		n->col_source[c] = STATS_NONE;
	for (unsigned q = 0; q < n->nqueues; q++) {
		struct mq_queue *qu = &n->queues[q];

		qu->rx_packets = qu->rx_bytes = qu->rx_drops = MQ_NA;
		qu->tx_packets = qu->tx_bytes = qu->tx_drops = MQ_NA;
	}
}

/* Deep copy, e.g. to make the "before" sample of a pair. */
static inline void fx_copy(struct mq_snapshot *dst, const struct mq_snapshot *src)
{
	const struct mq_cpus *sc = &src->cpus;
	struct mq_cpus *dc = &dst->cpus;

	*dst = *src;
	/* every set into the copy's own pools */
	dc->sets = (struct cpuset_pool){0};
	dc->possible = fx_intern(&dc->sets, sc->possible);
	dc->present = fx_intern(&dc->sets, sc->present);
	dc->online = fx_intern(&dc->sets, sc->online);
	dc->isolated = fx_intern(&dc->sets, sc->isolated);
	dc->nohz_full = fx_intern(&dc->sets, sc->nohz_full);
	dst->cpus.cpu = fx_xcalloc(src->cpus.n, sizeof(*dst->cpus.cpu));
	memcpy(dst->cpus.cpu, src->cpus.cpu, src->cpus.n * sizeof(*dst->cpus.cpu));
	dst->nics = fx_xcalloc(src->nnics, sizeof(*dst->nics));
	for (unsigned i = 0; i < src->nnics; i++) {
		const struct mq_nic *sn = &src->nics[i];
		struct mq_nic *dn = &dst->nics[i];

		*dn = *sn;
		dn->sets = (struct cpuset_pool){0};
		dn->queues = fx_xcalloc(sn->nqueues, sizeof(*dn->queues));
		if (sn->nqueues)
			memcpy(dn->queues, sn->queues, sn->nqueues * sizeof(*dn->queues));
		dn->irqs = fx_xcalloc(sn->nirqs, sizeof(*dn->irqs));
		if (sn->nirqs)
			memcpy(dn->irqs, sn->irqs, sn->nirqs * sizeof(*dn->irqs));
		for (unsigned q = 0; q < dn->nqueues; q++) {
			dn->queues[q].xps = fx_intern(&dn->sets, dn->queues[q].xps);
			dn->queues[q].rps = fx_intern(&dn->sets, dn->queues[q].rps);
		}
		for (unsigned k = 0; k < dn->nirqs; k++) {
			dn->irqs[k].affinity = fx_intern(&dn->sets, dn->irqs[k].affinity);
			dn->irqs[k].effective = fx_intern(&dn->sets, dn->irqs[k].effective);
		}
		if (sn->rss.indir) {
			dn->rss.indir = fx_xcalloc(sn->rss.n, sizeof(uint32_t));
			memcpy(dn->rss.indir, sn->rss.indir, sn->rss.n * sizeof(uint32_t));
		}
		for (unsigned k = 0; k < sn->nirqs; k++) {
			if (!sn->irqs[k].per_cpu)
				continue;
			dn->irqs[k].per_cpu = fx_xcalloc(sn->irqs[k].n_per_cpu, sizeof(uint64_t));
			memcpy(dn->irqs[k].per_cpu, sn->irqs[k].per_cpu,
			       sn->irqs[k].n_per_cpu * sizeof(uint64_t));
		}
	}
}

static inline void fx_free(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++) {
		for (unsigned k = 0; k < s->nics[i].nirqs; k++)
			free(s->nics[i].irqs[k].per_cpu);
		free(s->nics[i].irqs);
		free(s->nics[i].queues);
		free(s->nics[i].rss.indir);
		cpuset_pool_free(&s->nics[i].sets);
	}
	free(s->nics);
	free(s->cpus.cpu);
	cpuset_pool_free(&s->cpus.sets);
	memset(s, 0, sizeof(*s));
}

/* A config with the built-in defaults: auto queues, spread IRQs, XPS on. Free with config_free(). */
static inline void fx_config(struct mq_config *c)
{
	config_init(c);
	c->interval = 1.0;
}

/* The assessment of now (before and cfg may be NULL); aborts on failure. Free with assessment_free(). */
static inline void fx_assess(struct mq_assessment *a, const struct mq_snapshot *now,
			     const struct mq_snapshot *before, const struct mq_config *cfg)
{
	if (assess(now, before, cfg, a) < 0)
		abort();
}

/* Replace the assessment's findings by a copy of n given ones (renderer tests). */
static inline void fx_findings(struct mq_assessment *a, const struct mq_finding *f, unsigned n)
{
	free(a->findings);
	a->findings = fx_xcalloc(n, sizeof(*f));
	if (n)
		memcpy(a->findings, f, n * sizeof(*f));
	a->nfindings = n;
}
