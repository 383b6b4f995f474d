// SPDX-License-Identifier: MIT
#include <math.h>
#include <string.h>

#include "core/rates.h"

double snapshot_interval(const struct mq_snapshot *now, const struct mq_snapshot *before)
{
	double d;

	if (!now || !before)
		return 0;
	d = (double)(now->taken.tv_sec - before->taken.tv_sec) +
	    (double)(now->taken.tv_nsec - before->taken.tv_nsec) / 1e9;
	return d > 0 ? d : 0;
}

const struct mq_nic *snapshot_before_nic(const struct mq_snapshot *before, const struct mq_nic *n)
{
	const struct mq_nic *b = before ? snapshot_find_nic(before, n->ifindex) : NULL;

	return b && strcmp(b->name, n->name) == 0 ? b : NULL;
}

uint64_t counter_delta(uint64_t now, uint64_t before)
{
	if (now == MQ_NA || before == MQ_NA || now < before)
		return MQ_NA;
	return now - before;
}

static const struct queue_counts none = {MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA};

void queue_counts(const struct mq_snapshot *before, const struct mq_nic *n, unsigned q,
		  struct queue_counts *ret)
{
	const struct mq_queue *a, *b;
	const struct mq_nic *bn;

	if (q >= n->nqueues || !n->queues) {
		*ret = none;
		return;
	}
	a = &n->queues[q];
	if (!before) {
		*ret = (struct queue_counts){a->rx_packets, a->rx_bytes, a->rx_drops,
					     a->tx_packets, a->tx_bytes, a->tx_drops};
		return;
	}
	bn = snapshot_before_nic(before, n);
	if (!bn || !bn->queues || q >= bn->nqueues) {
		*ret = none;
		return;
	}
	b = &bn->queues[q];
	*ret = (struct queue_counts){
		counter_delta(a->rx_packets, b->rx_packets), counter_delta(a->rx_bytes, b->rx_bytes),
		counter_delta(a->rx_drops, b->rx_drops),     counter_delta(a->tx_packets, b->tx_packets),
		counter_delta(a->tx_bytes, b->tx_bytes),     counter_delta(a->tx_drops, b->tx_drops),
	};
}

void device_counts(const struct mq_snapshot *before, const struct mq_nic *n, struct queue_counts *ret)
{
	const struct mq_nic *b;

	if (!before) {
		*ret = (struct queue_counts){n->rx_packets, n->rx_bytes, n->rx_dropped,
					     n->tx_packets, n->tx_bytes, n->tx_dropped};
		return;
	}
	b = snapshot_before_nic(before, n);
	if (!b) {
		*ret = none;
		return;
	}
	*ret = (struct queue_counts){
		counter_delta(n->rx_packets, b->rx_packets), counter_delta(n->rx_bytes, b->rx_bytes),
		counter_delta(n->rx_dropped, b->rx_dropped), counter_delta(n->tx_packets, b->tx_packets),
		counter_delta(n->tx_bytes, b->tx_bytes),     counter_delta(n->tx_dropped, b->tx_dropped),
	};
}

double queue_rx_share(const struct mq_snapshot *before, const struct mq_nic *n, unsigned q)
{
	struct queue_counts c;
	uint64_t mine, sum = 0;

	queue_counts(before, n, q, &c);
	mine = c.rx_packets;
	if (mine == MQ_NA)
		return NAN;
	for (unsigned i = 0; i < n->nqueues; i++) {
		queue_counts(before, n, i, &c);
		if (c.rx_packets != MQ_NA)
			sum += c.rx_packets;
	}
	return sum ? (double)mine / (double)sum : NAN;
}
