// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/snapshot.h"

/* Names used in JSON, metrics labels and logs: keep them stable. */
static const char *const irq_role_table[_IRQ_ROLE_MAX] = {
	[IRQ_ROLE_RX] = "rx",
	[IRQ_ROLE_TX] = "tx",
	[IRQ_ROLE_RXTX] = "rxtx",
	[IRQ_ROLE_CONFIG] = "config",
	[IRQ_ROLE_SHARED] = "shared",
	[IRQ_ROLE_OTHER] = "other",
};

static const char *const channels_source_table[_CHANNELS_SOURCE_MAX] = {
	[CHANNELS_NONE] = "none",
	[CHANNELS_NETLINK] = "netlink",
	[CHANNELS_IOCTL] = "ioctl",
};

static const char *const stats_source_table[_STATS_SOURCE_MAX] = {
	[STATS_NONE] = "none",
	[STATS_QSTATS] = "qstats",
	[STATS_ETHTOOL] = "ethtool",
};

static const char *const stats_col_table[_STATS_COL_MAX] = {
	[STATS_COL_RX_PACKETS] = "rx_packets", [STATS_COL_RX_BYTES] = "rx_bytes",
	[STATS_COL_RX_DROPS] = "rx_drops",     [STATS_COL_TX_PACKETS] = "tx_packets",
	[STATS_COL_TX_BYTES] = "tx_bytes",     [STATS_COL_TX_DROPS] = "tx_drops",
};

static const char *const counters_missing_table[_COUNTERS_MISSING_MAX] = {
	[COUNTERS_MISSING_DOWN] =
		"down: the kernel reports per-queue counters only for an interface that is up",
};

static const char *const irqmap_source_table[_IRQMAP_SOURCE_MAX] = {
	[IRQMAP_NONE] = "none",
	[IRQMAP_NETDEV] = "netdev",
	[IRQMAP_NAMES] = "names",
};

static const char *const rss_source_table[_RSS_SOURCE_MAX] = {
	[RSS_NONE] = "none",
	[RSS_NETLINK] = "netlink",
	[RSS_IOCTL] = "ioctl",
};

/* Out-of-range values come from our own bugs or memory corruption: say so, don't crash. */
#define LOOKUP(table, v) ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ? (table)[v] : "invalid")

const char *irq_role_to_string(enum mq_irq_role r) { return LOOKUP(irq_role_table, r); }
const char *channels_source_to_string(enum mq_channels_source s) { return LOOKUP(channels_source_table, s); }
const char *stats_source_to_string(enum mq_stats_source s) { return LOOKUP(stats_source_table, s); }
const char *stats_col_to_string(enum mq_stats_col c) { return LOOKUP(stats_col_table, c); }
const char *irqmap_source_to_string(enum mq_irqmap_source s) { return LOOKUP(irqmap_source_table, s); }
const char *rss_source_to_string(enum mq_rss_source s) { return LOOKUP(rss_source_table, s); }

const char *counters_missing_to_string(enum mq_counters_missing m)
{
	return (unsigned)m < _COUNTERS_MISSING_MAX ? counters_missing_table[m] : NULL;
}

void rss_free(struct mq_rss *r)
{
	if (!r)
		return;
	free(r->indir);
	r->indir = NULL;
	r->n = 0;
}

void nic_free(struct mq_nic *n)
{
	if (!n)
		return;
	for (unsigned i = 0; n->irqs && i < n->nirqs; i++)
		free(n->irqs[i].per_cpu);
	free(n->irqs);
	free(n->queues);
	rss_free(&n->rss);
	cpuset_pool_free(&n->sets);
	n->irqs = NULL;
	n->nirqs = 0;
	n->queues = NULL;
	n->nqueues = 0;
}

void cpu_free(struct mq_cpus *c)
{
	if (!c)
		return;
	free(c->cpu);
	c->cpu = NULL;
	c->n = 0;
	cpuset_pool_free(&c->sets);
	c->possible = c->present = c->online = c->isolated = c->nohz_full = NULL;
}

void snapshot_free(struct mq_snapshot *s)
{
	if (!s)
		return;
	for (unsigned i = 0; s->nics && i < s->nnics; i++)
		nic_free(&s->nics[i]);
	free(s->nics);
	s->nics = NULL;
	s->nnics = 0;
	free(s->links);
	s->links = NULL;
	s->nlinks = 0;
	cpu_free(&s->cpus);
}

const struct mq_nic *snapshot_find_nic(const struct mq_snapshot *s, int ifindex)
{
	for (unsigned i = 0; s && s->nics && i < s->nnics; i++)
		if (s->nics[i].ifindex == ifindex)
			return &s->nics[i];
	return NULL;
}

bool irq_role_is_queue(enum mq_irq_role r)
{
	return r == IRQ_ROLE_RX || r == IRQ_ROLE_TX || r == IRQ_ROLE_RXTX;
}

unsigned nic_queue_irqs(const struct mq_nic *n, unsigned q, unsigned *ret, unsigned max)
{
	unsigned cnt = 0;

	if (q >= n->nqueues || !n->queues || !n->irqs)
		return 0;
	for (unsigned i = 0; i < n->nirqs && cnt < max; i++) {
		const struct mq_irq *irq = &n->irqs[i];

		if ((int)i == n->queues[q].irq_rx || (int)i == n->queues[q].irq_tx ||
		    (irq->queue >= 0 && (unsigned)irq->queue == q && irq_role_is_queue(irq->role)))
			ret[cnt++] = i;
	}
	return cnt;
}

bool nic_irq_is_queue(const struct mq_nic *n, unsigned i)
{
	const struct mq_irq *irq;

	if (i >= n->nirqs || !n->irqs)
		return false;
	irq = &n->irqs[i];
	if (irq->queue >= 0 && (unsigned)irq->queue < n->nqueues && irq_role_is_queue(irq->role))
		return true;
	for (unsigned q = 0; n->queues && q < n->nqueues; q++)
		if (n->queues[q].irq_rx == (int)i || n->queues[q].irq_tx == (int)i)
			return true;
	return false;
}

const struct mq_cpuset *irq_cpus(const struct mq_irq *irq)
{
	if (irq->has_effective)
		return irq->effective;
	return irq->has_affinity ? irq->affinity : NULL;
}

int irq_cpu(const struct mq_irq *irq, const struct mq_cpuset *usable)
{
	const struct mq_cpuset *set = irq_cpus(irq);

	if (!set)
		return -1;
	for (int c = cpuset_next(set, 0); c >= 0; c = cpuset_next(set, (unsigned)c + 1))
		if (!usable || cpuset_isset(usable, (unsigned)c))
			return c;
	return -1;
}

static unsigned max_u(unsigned a, unsigned b) { return a > b ? a : b; }

unsigned nic_queues_max(const struct mq_nic *n)
{
	const struct mq_channels *c = &n->ch;

	if (c->source != CHANNELS_NONE && (c->combined_max || c->rx_max || c->tx_max))
		return c->combined_max ? c->combined_max : max_u(c->rx_max, c->tx_max);
	return max_u(n->num_rx_queues, n->num_tx_queues);
}

unsigned nic_queues_active(const struct mq_nic *n)
{
	const struct mq_channels *c = &n->ch;

	if (c->source != CHANNELS_NONE && (c->combined_max || c->rx_max || c->tx_max))
		return c->combined_max ? c->combined : max_u(c->rx, c->tx);
	return max_u(n->real_rx_queues, n->real_tx_queues);
}

bool nic_is_loopback(const struct mq_nic *n)
{
	return strcmp(n->name, "lo") == 0 || strcmp(n->kind, "loopback") == 0;
}

void cpu_counters_clear(struct mq_cpu_counters *c)
{
	c->net_rx = c->net_tx = MQ_NA;
	c->ticks_total = c->ticks_irq = c->ticks_softirq = c->ticks_steal = MQ_NA;
	c->softnet_processed = c->softnet_dropped = c->softnet_squeezed = MQ_NA;
}

unsigned snapshot_denied(const struct mq_snapshot *s, char *buf, size_t len)
{
	static const char *const words[] = {"Permission denied", "Operation not permitted"};
	unsigned n = 0;
	size_t o = 0;

	if (len)
		buf[0] = '\0';
	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_nic *nic = &s->nics[i];
		bool ch = nic->ch.err == -EPERM || nic->ch.err == -EACCES, other = false;

		for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++)
			other = other || strstr(nic->errmsg, words[k]);
		for (int j = 0; j < 2; j++) {
			if (!(j ? other : ch))
				continue;
			n++;
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "%s%s %s", o ? ", " : "", nic->name,
						      j ? "queues or IRQs" : "channels");
		}
	}
	return n;
}

/* Where each column lives in struct mq_queue. */
static const size_t col_offset[_STATS_COL_MAX] = {
	[STATS_COL_RX_PACKETS] = offsetof(struct mq_queue, rx_packets),
	[STATS_COL_RX_BYTES] = offsetof(struct mq_queue, rx_bytes),
	[STATS_COL_RX_DROPS] = offsetof(struct mq_queue, rx_drops),
	[STATS_COL_TX_PACKETS] = offsetof(struct mq_queue, tx_packets),
	[STATS_COL_TX_BYTES] = offsetof(struct mq_queue, tx_bytes),
	[STATS_COL_TX_DROPS] = offsetof(struct mq_queue, tx_drops),
};

uint64_t *queue_counter_ptr(struct mq_queue *q, enum mq_stats_col c)
{
	return (unsigned)c < _STATS_COL_MAX ? (uint64_t *)((char *)q + col_offset[c]) : NULL;
}

uint64_t queue_counter(const struct mq_queue *q, enum mq_stats_col c)
{
	if ((unsigned)c >= _STATS_COL_MAX)
		return MQ_NA;
	return *(const uint64_t *)((const char *)q + col_offset[c]);
}

unsigned nic_counters_missing(const struct mq_nic *n)
{
	unsigned missing = STATS_COLS_ALL;

	for (unsigned q = 0; n->queues && q < n->nqueues; q++)
		for (unsigned c = 0; c < _STATS_COL_MAX; c++)
			if (queue_counter(&n->queues[q], c) != MQ_NA)
				missing &= ~STATS_COL_BIT(c);
	return missing;
}

void nic_counters_reset(struct mq_nic *n)
{
	n->stats_source = STATS_NONE;
	for (unsigned c = 0; c < _STATS_COL_MAX; c++) {
		n->col_source[c] = STATS_NONE;
		for (unsigned q = 0; n->queues && q < n->nqueues; q++)
			*queue_counter_ptr(&n->queues[q], c) = MQ_NA;
	}
	n->counters_missing = COUNTERS_MISSING_NONE;
}

void nic_counters_credit(struct mq_nic *n, enum mq_stats_source src)
{
	unsigned missing = nic_counters_missing(n);

	for (unsigned c = 0; c < _STATS_COL_MAX; c++) {
		if (n->col_source[c] != STATS_NONE || (missing & STATS_COL_BIT(c)))
			continue;
		n->col_source[c] = src;
		if (n->stats_source == STATS_NONE)
			n->stats_source = src;
	}
}

enum mq_counters_missing nic_counters_explain(const struct mq_nic *n, bool have_qstats)
{
	/* A NIC without queues says so itself; a down one lost what qstats would give. */
	if (n->nqueues && n->queues && !n->admin_up && have_qstats && nic_counters_missing(n))
		return COUNTERS_MISSING_DOWN;
	return COUNTERS_MISSING_NONE;
}
