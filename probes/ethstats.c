// SPDX-License-Identifier: MIT
/*
 * `ethtool -S` per-queue counters: the SIOCETHTOOL trio ETHTOOL_GSSET_INFO,
 * ETHTOOL_GSTRINGS, ETHTOOL_GSTATS; the driver table (core/driver.h) maps a
 * driver's key names to (queue, column). Fills only the columns no source gave
 * yet (netdev qstats come first).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "probes/probe.h"

/* No driver has this many counters; a larger count is refused, not allocated. */
#define ETHSTAT_MAX_COUNT (1u << 16)

/*
 * GSTRINGS and GSTATS write as many entries as the driver counts *now*, not
 * as many as we asked for; a queue added in between would overrun a plain
 * buffer. So the buffer ends at an inaccessible guard page: an overrun makes
 * the ioctl fail with EFAULT instead of corrupting memory, and we retry.
 */
static int ethtool_ioctl(struct mq_nl *nl, const char *ifname, void *data)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = data;
	return ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int stats_count(struct mq_nl *nl, const char *ifname, uint32_t *ret)
{
	/* The header and room for the one count we ask for (one bit in sset_mask). */
	uint64_t raw[(sizeof(struct ethtool_sset_info) + sizeof(uint32_t) + 7) / 8] = {0};
	struct ethtool_sset_info *info = (struct ethtool_sset_info *)raw;
	int r;

	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ULL << ETH_SS_STATS;
	r = ethtool_ioctl(nl, ifname, info);
	if (r < 0)
		return r;
	if (!(info->sset_mask & (1ULL << ETH_SS_STATS)))
		return -EOPNOTSUPP;
	if (info->data[0] > ETHSTAT_MAX_COUNT)
		return -E2BIG;
	*ret = info->data[0];
	return 0;
}

int ethstats_fill(struct mq_nic *nic, const struct mq_driver *d, unsigned cols, const char *keys,
		  const uint64_t *vals, uint32_t n)
{
	int found = 0;

	for (uint32_t i = 0; i < n; i++) {
		char key[ETH_GSTRING_LEN + 1];
		struct driver_stat st;

		memcpy(key, keys + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		key[ETH_GSTRING_LEN] = '\0';
		/* Queues past the active ones (mlx5's per-TC TX rings, ...) are not ours. */
		if (driver_stat_match(d, key, &st) != 1 || st.queue >= nic->nqueues ||
		    !(cols & STATS_COL_BIT(st.field)))
			continue;
		*queue_counter_ptr(&nic->queues[st.queue], st.field) = vals[i];
		found++;
	}
	return found;
}

static int read_once(struct mq_nl *nl, struct mq_nic *nic, const struct mq_driver *d, unsigned cols)
{
	struct ethtool_gstrings *strs;
	struct ethtool_stats *vals;
	uint32_t n;
	int r;

	r = stats_count(nl, nic->name, &n);
	if (r < 0 || n == 0)
		return r;
	r = mqnl_buf(&nl->stat_keys, sizeof(*strs) + (size_t)n * ETH_GSTRING_LEN);
	if (r < 0)
		return r;
	r = mqnl_buf(&nl->stat_vals, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (r < 0)
		return r;
	strs = nl->stat_keys.p;
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_STATS;
	strs->len = n;
	r = ethtool_ioctl(nl, nic->name, strs);
	if (r == -EFAULT || (r == 0 && strs->len != n))
		r = -EAGAIN; /* the count changed under us */
	if (r < 0)
		return r;
	vals = nl->stat_vals.p;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	r = ethtool_ioctl(nl, nic->name, vals);
	if (r == -EFAULT || (r == 0 && vals->n_stats != n))
		r = -EAGAIN;
	if (r < 0)
		return r;
	/* __u64 is unsigned long long, uint64_t unsigned long: same 8 bytes */
	return ethstats_fill(nic, d, cols, (const char *)strs->data, (const uint64_t *)vals->data,
			     n);
}

int ethstats_read(struct mq_nl *nl, struct mq_nic *nic)
{
	const struct mq_driver *d;
	unsigned cols;
	int r;

	if (!nl || !nic)
		return -EINVAL;
	d = driver_find(nic->driver);
	/*
	 * Only what no source gave yet, and only keys the driver has: with
	 * nothing left (qstats gave it all, veth has no keys worth it) the
	 * ioctls are not spent at all.
	 */
	cols = nic_counters_missing(nic) & driver_stat_cols(d);
	if (!cols || !nic->queues)
		return 0;
	if (nl->ioctl_fd < 0)
		return -EBADF;
	r = read_once(nl, nic, d, cols);
	if (r == -EAGAIN)
		r = read_once(nl, nic, d, cols);
	if (r > 0)
		nic_counters_credit(nic, STATS_ETHTOOL);
	return r;
}
