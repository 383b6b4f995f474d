// SPDX-License-Identifier: MIT
/*
 * `ethtool -S` per-queue counters: the SIOCETHTOOL trio ETHTOOL_GSSET_INFO,
 * ETHTOOL_GSTRINGS, ETHTOOL_GSTATS, and a per-driver table that maps a
 * driver's key names to (queue, field). Used where netdev qstats are absent.
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
#include <sys/mman.h>
#include <unistd.h>

#include "probes/probe.h"

/* Queue numbers at or above this are not a queue (and not our problem). */
#define ETHSTAT_MAX_QUEUE 65536
/* No driver has this many counters; a larger count is refused, not allocated. */
#define ETHSTAT_MAX_COUNT (1u << 16)

/* A key is prefix, decimal queue number, suffix — exactly. */
struct key_shape {
	const char *prefix, *suffix;
	enum ethstat_field field;
};

#define END {NULL, NULL, 0}

/* virtio_net <= 6.9 "rx_queue_N_*"; >= 6.10 "rxN_*" with packets/bytes moved to qstats. */
static const struct key_shape virtio_shapes[] = {
	{"rx_queue_", "_packets", ETHSTAT_RX_PACKETS},
	{"rx_queue_", "_bytes", ETHSTAT_RX_BYTES},
	{"rx_queue_", "_drops", ETHSTAT_RX_DROPS},
	{"tx_queue_", "_packets", ETHSTAT_TX_PACKETS},
	{"tx_queue_", "_bytes", ETHSTAT_TX_BYTES},
	{"rx", "_drops", ETHSTAT_RX_DROPS},
	END,
};

/* ixgbe, ice, hv_netvsc */
static const struct key_shape queue_shapes[] = {
	{"rx_queue_", "_packets", ETHSTAT_RX_PACKETS},
	{"rx_queue_", "_bytes", ETHSTAT_RX_BYTES},
	{"tx_queue_", "_packets", ETHSTAT_TX_PACKETS},
	{"tx_queue_", "_bytes", ETHSTAT_TX_BYTES},
	END,
};

/* ENA: queue_N_{tx,rx}_{cnt,bytes}; queue_N_xdp_tx_* are XDP rings, not netdev queues. */
static const struct key_shape ena_shapes[] = {
	{"queue_", "_rx_cnt", ETHSTAT_RX_PACKETS},
	{"queue_", "_rx_bytes", ETHSTAT_RX_BYTES},
	{"queue_", "_tx_cnt", ETHSTAT_TX_PACKETS},
	{"queue_", "_tx_bytes", ETHSTAT_TX_BYTES},
	END,
};

/*
 * gve: rx_completed_desc[N] is one descriptor per received packet (GQI);
 * tx_completed_desc[N] counts descriptors (several per TSO packet, 0 on DQO),
 * so there is no TX packet counter.
 */
static const struct key_shape gve_shapes[] = {
	{"rx_completed_desc[", "]", ETHSTAT_RX_PACKETS},
	{"rx_bytes[", "]", ETHSTAT_RX_BYTES},
	{"rx_dropped_pkt[", "]", ETHSTAT_RX_DROPS},
	{"tx_bytes[", "]", ETHSTAT_TX_BYTES},
	END,
};

static const struct key_shape mlx5_shapes[] = {
	{"rx", "_packets", ETHSTAT_RX_PACKETS},
	{"rx", "_bytes", ETHSTAT_RX_BYTES},
	{"tx", "_packets", ETHSTAT_TX_PACKETS},
	{"tx", "_bytes", ETHSTAT_TX_BYTES},
	{"tx", "_dropped", ETHSTAT_TX_DROPS},
	END,
};

/* veth: every rx_queue_N_* counter is XDP-path only: nothing we use. */
static const struct key_shape no_shapes[] = {END};

/* Drivers not listed: the two common shapes. */
static const struct key_shape generic_shapes[] = {
	{"rx_queue_", "_packets", ETHSTAT_RX_PACKETS},
	{"rx_queue_", "_bytes", ETHSTAT_RX_BYTES},
	{"tx_queue_", "_packets", ETHSTAT_TX_PACKETS},
	{"tx_queue_", "_bytes", ETHSTAT_TX_BYTES},
	{"rx", "_packets", ETHSTAT_RX_PACKETS},
	{"rx", "_bytes", ETHSTAT_RX_BYTES},
	{"tx", "_packets", ETHSTAT_TX_PACKETS},
	{"tx", "_bytes", ETHSTAT_TX_BYTES},
	END,
};

static const struct {
	const char *driver;
	const struct key_shape *shapes;
} drivers[] = {
	{"virtio_net", virtio_shapes}, {"ixgbe", queue_shapes},    {"ice", queue_shapes},
	{"hv_netvsc", queue_shapes},   {"ena", ena_shapes},        {"gve", gve_shapes},
	{"mlx5_core", mlx5_shapes},    {"veth", no_shapes},
};

static bool match_shape(const struct key_shape *s, const char *key, size_t kl,
			unsigned *ret_queue)
{
	size_t pl, sl, i;
	unsigned long q = 0;

	if (key[0] != s->prefix[0])
		return false; /* most keys fail here, before any strlen */
	pl = strlen(s->prefix);
	sl = strlen(s->suffix);
	if (kl <= pl + sl || strncmp(key, s->prefix, pl) != 0 ||
	    strcmp(key + kl - sl, s->suffix) != 0)
		return false;
	for (i = pl; i < kl - sl; i++) {
		if (key[i] < '0' || key[i] > '9')
			return false;
		q = q * 10 + (unsigned long)(key[i] - '0');
		if (q >= ETHSTAT_MAX_QUEUE)
			return false; /* also stops overflow: at most 6 digits get here */
	}
	*ret_queue = (unsigned)q;
	return true;
}

static const struct key_shape *shapes_for(const char *driver)
{
	for (size_t i = 0; driver && i < sizeof(drivers) / sizeof(drivers[0]); i++)
		if (strcmp(driver, drivers[i].driver) == 0)
			return drivers[i].shapes;
	return generic_shapes;
}

static int normalise(const struct key_shape *shapes, const char *key, unsigned *ret_queue,
		     enum ethstat_field *ret_field)
{
	size_t kl;

	if (!key || !*key)
		return 0;
	kl = strlen(key);
	for (const struct key_shape *s = shapes; s->prefix; s++) {
		unsigned q;

		if (match_shape(s, key, kl, &q)) {
			*ret_queue = q;
			*ret_field = s->field;
			return 1;
		}
	}
	return 0;
}

int ethstats_normalise(const char *driver, const char *key, unsigned *ret_queue,
		       enum ethstat_field *ret_field)
{
	return normalise(shapes_for(driver), key, ret_queue, ret_field);
}

/*
 * GSTRINGS and GSTATS write as many entries as the driver counts *now*, not
 * as many as we asked for; a queue added in between would overrun a plain
 * buffer. So the buffer ends at an inaccessible guard page: an overrun makes
 * the ioctl fail with EFAULT instead of corrupting memory, and we retry.
 */
struct guarded {
	void *base;
	size_t maplen;
	void *p;
};

static void guarded_free(struct guarded *g)
{
	if (g->base && g->base != MAP_FAILED)
		munmap(g->base, g->maplen);
	g->base = NULL;
}

/*
 * The mapping is kept for the next read (a sampler reads every NIC every
 * interval): only a larger size maps anew. p ends exactly at the guard.
 */
static int guarded_alloc(struct guarded *g, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), body;

	size = (size + 7) & ~(size_t)7;
	body = (size + page - 1) / page * page;
	if (g->base && g->maplen == body + page) {
		g->p = (char *)g->base + body - size;
		return 0;
	}
	guarded_free(g);
	g->maplen = body + page;
	g->base = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED)
		return -ENOMEM;
	if (mprotect((char *)g->base + body, page, PROT_NONE) < 0) {
		munmap(g->base, g->maplen);
		return -ENOMEM;
	}
	g->p = (char *)g->base + body - size;
	return 0;
}

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

/* Reused by every read (one thread); the kernel writes them whole each time. */
static struct guarded gs, gv;

static int read_once(struct mq_nl *nl, struct mq_nic *nic)
{
	const struct key_shape *shapes = shapes_for(nic->driver);
	struct ethtool_gstrings *strs;
	struct ethtool_stats *vals;
	uint32_t n;
	int r, found = 0;

	if (!shapes->prefix)
		return 0; /* the driver has no per-queue counters we use (veth): skip the ioctls */
	r = stats_count(nl, nic->name, &n);
	if (r < 0 || n == 0)
		return r;
	r = guarded_alloc(&gs, sizeof(*strs) + (size_t)n * ETH_GSTRING_LEN);
	if (r < 0)
		return r;
	r = guarded_alloc(&gv, sizeof(*vals) + (size_t)n * sizeof(uint64_t));
	if (r < 0)
		return r;
	strs = gs.p;
	strs->cmd = ETHTOOL_GSTRINGS;
	strs->string_set = ETH_SS_STATS;
	strs->len = n;
	r = ethtool_ioctl(nl, nic->name, strs);
	if (r == -EFAULT || (r == 0 && strs->len != n))
		r = -EAGAIN; /* the count changed under us */
	if (r < 0)
		return r;
	vals = gv.p;
	vals->cmd = ETHTOOL_GSTATS;
	vals->n_stats = n;
	r = ethtool_ioctl(nl, nic->name, vals);
	if (r == -EFAULT || (r == 0 && vals->n_stats != n))
		r = -EAGAIN;
	if (r < 0)
		return r;

	for (uint32_t i = 0; i < n; i++) {
		char key[ETH_GSTRING_LEN + 1];
		enum ethstat_field f;
		unsigned q;
		struct mq_queue *mq;

		memcpy(key, strs->data + (size_t)i * ETH_GSTRING_LEN, ETH_GSTRING_LEN);
		key[ETH_GSTRING_LEN] = '\0';
		if (normalise(shapes, key, &q, &f) != 1 || q >= nic->nqueues)
			continue;
		mq = &nic->queues[q];
		switch (f) {
		case ETHSTAT_RX_PACKETS: mq->rx_packets = vals->data[i]; break;
		case ETHSTAT_RX_BYTES: mq->rx_bytes = vals->data[i]; break;
		case ETHSTAT_RX_DROPS: mq->rx_drops = vals->data[i]; break;
		case ETHSTAT_TX_PACKETS: mq->tx_packets = vals->data[i]; break;
		case ETHSTAT_TX_BYTES: mq->tx_bytes = vals->data[i]; break;
		case ETHSTAT_TX_DROPS: mq->tx_drops = vals->data[i]; break;
		default: continue;
		}
		found++;
	}
	return found;
}

int ethstats_read(struct mq_nl *nl, struct mq_nic *nic)
{
	int r;

	if (!nl || !nic)
		return -EINVAL;
	if (nl->ioctl_fd < 0)
		return -EBADF;
	r = read_once(nl, nic);
	if (r == -EAGAIN)
		r = read_once(nl, nic);
	if (r > 0)
		nic->stats_source = STATS_ETHTOOL;
	return r;
}
