// SPDX-License-Identifier: MIT
/* What the text and JSON renderers both derive from a snapshot pair. */
#include <math.h>
#include <string.h>

#include "output/report.h"

double report_interval(const struct report_input *in)
{
	double measured;

	if (!in->before || !in->now || !(in->interval > 0))
		return 0;
	measured = (double)(in->now->taken.tv_sec - in->before->taken.tv_sec) +
		   (double)(in->now->taken.tv_nsec - in->before->taken.tv_nsec) / 1e9;
	return measured > 0 ? measured : in->interval;
}

const struct mq_nic *report_before_nic(const struct report_input *in, const struct mq_nic *n)
{
	const struct mq_nic *b;

	if (!in->before)
		return NULL;
	b = snapshot_find_nic(in->before, n->ifindex);
	/* An ifindex reused by another device is not the same NIC. */
	return b && strcmp(b->name, n->name) == 0 ? b : NULL;
}

uint64_t report_delta(uint64_t now, uint64_t before)
{
	if (now == MQ_NA || before == MQ_NA || now < before)
		return MQ_NA;
	return now - before;
}

void report_queue_counts(const struct report_input *in, const struct mq_nic *n, unsigned q,
			 struct queue_counts *ret)
{
	const struct mq_queue *a, *b = NULL;
	const struct mq_nic *bn;

	if (q >= n->nqueues || !n->queues) {
		*ret = (struct queue_counts){MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA};
		return;
	}
	a = &n->queues[q];
	if (report_interval(in) <= 0) {
		*ret = (struct queue_counts){a->rx_packets, a->rx_bytes, a->rx_drops,
					     a->tx_packets, a->tx_bytes, a->tx_drops};
		return;
	}
	bn = report_before_nic(in, n);
	if (bn && bn->queues && q < bn->nqueues)
		b = &bn->queues[q];
	if (!b) {
		*ret = (struct queue_counts){MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA};
		return;
	}
	ret->rx_packets = report_delta(a->rx_packets, b->rx_packets);
	ret->rx_bytes = report_delta(a->rx_bytes, b->rx_bytes);
	ret->rx_drops = report_delta(a->rx_drops, b->rx_drops);
	ret->tx_packets = report_delta(a->tx_packets, b->tx_packets);
	ret->tx_bytes = report_delta(a->tx_bytes, b->tx_bytes);
	ret->tx_drops = report_delta(a->tx_drops, b->tx_drops);
}

double report_rx_share(const struct report_input *in, const struct mq_nic *n, unsigned q)
{
	struct queue_counts c;
	uint64_t mine, sum = 0;

	report_queue_counts(in, n, q, &c);
	mine = c.rx_packets;
	if (mine == MQ_NA)
		return NAN;
	for (unsigned i = 0; i < n->nqueues; i++) {
		report_queue_counts(in, n, i, &c);
		if (c.rx_packets != MQ_NA)
			sum += c.rx_packets;
	}
	return sum ? (double)mine / (double)sum : NAN;
}

static bool is_queue_role(enum mq_irq_role r)
{
	return r == IRQ_ROLE_RX || r == IRQ_ROLE_TX || r == IRQ_ROLE_RXTX;
}

unsigned report_queue_irqs(const struct mq_nic *n, unsigned q, unsigned *ret, unsigned max)
{
	unsigned cnt = 0;

	if (q >= n->nqueues || !n->queues || !n->irqs)
		return 0;
	for (unsigned i = 0; i < n->nirqs && cnt < max; i++) {
		const struct mq_irq *irq = &n->irqs[i];

		if ((int)i == n->queues[q].irq_rx || (int)i == n->queues[q].irq_tx ||
		    (irq->queue >= 0 && (unsigned)irq->queue == q && is_queue_role(irq->role)))
			ret[cnt++] = i;
	}
	return cnt;
}

bool report_irq_is_queue(const struct mq_nic *n, unsigned i)
{
	const struct mq_irq *irq;

	if (i >= n->nirqs || !n->irqs)
		return false;
	irq = &n->irqs[i];
	if (irq->queue >= 0 && (unsigned)irq->queue < n->nqueues && is_queue_role(irq->role))
		return true;
	for (unsigned q = 0; n->queues && q < n->nqueues; q++)
		if (n->queues[q].irq_rx == (int)i || n->queues[q].irq_tx == (int)i)
			return true;
	return false;
}
