// SPDX-License-Identifier: MIT
/*
 * prom-fixture PATH [ROUNDS]: write a Prometheus textfile of a constructed
 * snapshot (this machine's online CPUs, two made-up virtio NICs with odd IRQ
 * names, findings and tuning state) through textfile_write, ROUNDS times
 * (default 1) with growing counters. For tests/integration/prom.sh, until
 * `mqbalance --prom-file` exists, and as the writer of its atomicity test.
 * Exit 0, or 1 with textfile_write's message on stderr.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/textfile.h"
#include "output/prom.h"
#include "probes/sysfs.h"
#include "tests/fx_cpuset.h"

#define NQ 16

struct fixture {
	struct mq_snapshot s;
	struct mq_nic nics[2];
	struct mq_queue queues[2][NQ];
	struct mq_irq irqs[2][2 * NQ + 1];
	uint64_t per_cpu[2][2 * NQ + 1][2];
	uint32_t indir[2][128];
	struct mq_assessment a;
	struct mq_tune_stats tune;
	struct prom_input in;
	struct cpuset_pool sets; /* every CPU set of the snapshot */
};

static void build(struct fixture *x, uint64_t round)
{
	char online[256];
	unsigned ncpu;

	cpuset_pool_free(&x->sets);
	memset(x, 0, sizeof(*x));
	if (sysfs_read(online, sizeof(online), "/sys/devices/system/cpu/online") < 0 ||
	    cpuset_pool_parse_list(&x->sets, online, &x->s.cpus.online) < 0)
		x->s.cpus.online = fx_cpu(&x->sets, 0);
	ncpu = cpuset_count(x->s.cpus.online);
	x->s.nics = x->nics;
	x->s.nnics = 2;
	for (unsigned i = 0; i < 2; i++) {
		struct mq_nic *n = &x->nics[i];

		snprintf(n->name, sizeof(n->name), "fx%u", i);
		snprintf(n->driver, sizeof(n->driver), "virtio_net");
		snprintf(n->bus_info, sizeof(n->bus_info), "0000:00:0%u.0", 3 + i);
		n->ch = (struct mq_channels){.source = CHANNELS_NETLINK, .combined = i ? 2 : NQ,
					     .combined_max = NQ};
		n->stats_source = i ? STATS_ETHTOOL : STATS_QSTATS;
		n->irqmap_source = IRQMAP_NAMES;
		n->nqueues = n->real_rx_queues = n->real_tx_queues = i ? 2 : NQ;
		n->queues = x->queues[i];
		for (unsigned q = 0; q < n->nqueues; q++) {
			struct mq_queue *y = &n->queues[q];

			y->index = q;
			y->has_rx = y->has_tx = true;
			y->rx_packets = round * 10 + q;
			y->rx_bytes = round * 15000 + q;
			y->tx_packets = round * 7 + q;
			y->tx_bytes = round * 9000 + q;
			/* ethtool on this "driver" has no drops: those series are absent */
			y->rx_drops = y->tx_drops = i ? MQ_NA : q;
		}
		/* an RSS table: fx0's even, fx1's sending everything to queue 0 */
		n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 128, .indir = x->indir[i],
					 .key_size = 40, .hfunc = 1};
		for (unsigned e = 0; e < 128; e++)
			x->indir[i][e] = i ? 0 : e % n->nqueues;
		n->nirqs = 2 * n->nqueues + 1;
		n->irqs = x->irqs[i];
		for (unsigned k = 0; k < n->nirqs; k++) {
			struct mq_irq *q = &n->irqs[k];

			q->irq = 24 + 40 * i + k;
			q->queue = k < 2 * n->nqueues ? (int)(k / 2) : -1;
			q->role = q->queue < 0 ? IRQ_ROLE_CONFIG : k % 2 ? IRQ_ROLE_TX : IRQ_ROLE_RX;
			if (q->queue < 0)
				snprintf(q->name, sizeof(q->name), "virtio%u-config \"odd\\name\"", i);
			else
				snprintf(q->name, sizeof(q->name), "virtio%u-%s.%d", i,
					 k % 2 ? "output" : "input", q->queue);
			q->total = round * 3 + k;
			q->per_cpu = x->per_cpu[i][k];
			q->n_per_cpu = 2;
			q->per_cpu[0] = q->total;
			q->per_cpu[1] = 0;
			q->has_effective = true;
			q->effective = fx_cpu(&x->sets, ncpu ? (unsigned)(q->queue < 0 ? 0 : q->queue) % ncpu : 0);
		}
	}
	/* irqbalance "running": at least one finding, so every family has a sample */
	x->s.platform.irqbalance_pid = 1;
	x->tune.last_apply = 1700000000 + (int64_t)round;
	x->tune.drift_corrections = round / 10;
	for (unsigned i = 0; i < 2; i++) {
		struct mq_tune_nic *t = tune_stats_nic(&x->tune, x->nics[i].name);

		t->failures[PLAN_CHANNELS] = i;
	}
	if (assess(&x->s, NULL, NULL, &x->a) < 0)
		abort();
	x->in = (struct prom_input){.a = &x->a, .tune = &x->tune, .version = "fixture"};
}

int main(int argc, char **argv)
{
	static struct fixture x;
	unsigned long rounds = 1;
	char err[512];

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s PATH [ROUNDS]\n", argv[0]);
		return 2;
	}
	if (argc == 3)
		rounds = strtoul(argv[2], NULL, 10);
	for (unsigned long r = 1; r <= rounds; r++) {
		int ret;

		build(&x, r);
		ret = textfile_write(argv[1], prom_render_cb, &x.in, err, sizeof(err));
		assessment_free(&x.a);
		if (ret < 0) {
			fprintf(stderr, "prom-fixture: %s\n", err);
			return 1;
		}
	}
	return 0;
}
