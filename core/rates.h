/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Counters over an interval: what the findings and every renderer derive
 * from a pair of snapshots, computed in one place. Pure.
 */

#include <stdint.h>

#include "core/snapshot.h"

/* Seconds from before to now by their own timestamps; 0 if not positive or before is NULL. */
double snapshot_interval(const struct mq_snapshot *now, const struct mq_snapshot *before);
/* The same NIC in before: same ifindex and name (an ifindex reused by another device is not it). */
const struct mq_nic *snapshot_before_nic(const struct mq_snapshot *before, const struct mq_nic *n);
/* now - before; MQ_NA if either is missing or the counter went backwards (reset). */
uint64_t counter_delta(uint64_t now, uint64_t before);

/* Per-queue counters: deltas over the interval, or totals without one. MQ_NA = missing. */
struct queue_counts {
	uint64_t rx_packets, rx_bytes, rx_drops;
	uint64_t tx_packets, tx_bytes, tx_drops;
};
/* Queue q of n (a NIC of now); before NULL: totals. */
void queue_counts(const struct mq_snapshot *before, const struct mq_nic *n, unsigned q,
		  struct queue_counts *ret);
/* The NIC's device totals on the same basis. */
void device_counts(const struct mq_snapshot *before, const struct mq_nic *n, struct queue_counts *ret);
/* Share of the NIC's RX packets (same basis) on queue q, 0..1; NAN if unknown or none. */
double queue_rx_share(const struct mq_snapshot *before, const struct mq_nic *n, unsigned q);
