/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * How an RSS indirection table spreads flows over the active RX queues, and
 * what a reset would give. Pure: no system calls. A reset (agent/rss.c)
 * writes the kernel's default spread, ethtool_rxfh_indir_default(i, n) =
 * i % n over the driver's RX ring count, which is the active RX queue count
 * for the drivers we know (virtio_net: current queue pairs).
 */

#include <stdbool.h>
#include <stdint.h>

#include "core/cpuset.h"
#include "core/snapshot.h"

/* ETH_RSS_HASH_* bits of linux/ethtool.h, for code that includes no kernel headers. */
#define MQ_RSS_HASH_TOP 1u   /* Toeplitz */
#define MQ_RSS_HASH_XOR 2u
#define MQ_RSS_HASH_CRC32 4u
/* "toeplitz", "xor", "crc32", "unknown" (0), "other" (anything else). */
const char *rss_hfunc_to_string(uint32_t hfunc);

struct rss_spread {
	uint32_t n;                     /* table entries */
	unsigned nqueues;               /* active RX queues judged against */
	unsigned covered;               /* active queues with at least one entry */
	unsigned left_out;              /* active queues with no entry: they receive nothing */
	int first_left_out;             /* lowest of them, -1 none */
	struct mq_cpuset_buf left_out_set; /* the same queues, the cpuset type as a bitmap (< MQ_MAX_CPUS) */
	uint32_t beyond;                /* entries naming an inactive queue (>= nqueues) */
	unsigned busiest;               /* active queue with the most entries (lowest on a tie) */
	uint32_t max_weight;            /* its entries */
	uint32_t min_weight;            /* entries of the least used active queue (0 if one is left out) */
	double max_share;               /* max_weight / n: its share of the hash space */
	bool even;                      /* active queues' weights differ by at most one entry */
	bool is_default;                /* entry i == i % nqueues for all i: what a reset writes */
	/* What the reset target (the default spread over nqueues) gives. */
	uint32_t target_max_weight;     /* ceil(n / nqueues) */
	unsigned target_left_out;       /* nqueues - n when the table is smaller, else 0 */
	bool reset_helps;               /* !is_default and the target covers more, caps lower or drops beyond */
};

/*
 * Judge a table of n entries against nqueues active RX queues. Returns 0,
 * -ENODATA for an empty table (n == 0 or no indir), -EINVAL for nqueues 0
 * or above 65536, -ENOMEM.
 */
int rss_table_analyse(const uint32_t *indir, uint32_t n, unsigned nqueues, struct rss_spread *ret);

/*
 * The same for a probed NIC: its table against its active RX queues
 * (real_rx_queues from sysfs; channels rx + combined if that is unknown).
 * -ENODATA when the NIC has no table (nic->rss.err says why).
 */
int rss_nic_analyse(const struct mq_nic *nic, struct rss_spread *ret);
