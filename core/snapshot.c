// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
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
const char *irqmap_source_to_string(enum mq_irqmap_source s) { return LOOKUP(irqmap_source_table, s); }
const char *rss_source_to_string(enum mq_rss_source s) { return LOOKUP(rss_source_table, s); }

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
	n->irqs = NULL;
	n->nirqs = 0;
	n->queues = NULL;
	n->nqueues = 0;
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
	cpu_free(&s->cpus);
}

const struct mq_nic *snapshot_find_nic(const struct mq_snapshot *s, int ifindex)
{
	for (unsigned i = 0; s && s->nics && i < s->nnics; i++)
		if (s->nics[i].ifindex == ifindex)
			return &s->nics[i];
	return NULL;
}
