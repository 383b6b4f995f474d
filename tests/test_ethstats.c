// SPDX-License-Identifier: MIT
/*
 * ethtool -S key names -> (queue, column), per driver; and the merge of the
 * per-queue sources: netdev qstats first, ethtool -S for the columns still
 * missing, each column credited to its source. The I/O runs against a fake
 * generic netlink socket and a fake SIOCETHTOOL (tests/test_ethstats.mk wraps
 * ioctl and libmnl's socket I/O) fed with what virtio_net sends on 6.1 and
 * 6.12 (observed in the guest).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/driver.h"
#include "probes/nl.h"
#include "probes/probe.h"
#include "probes/uapi.h"
#include "tests/fixture_snapshot.h"
#include "tests/ioctl_fake.h"

/* The probe's view: a driver name looked up in the table, then one key. */
static int ethstats_normalise(const char *driver, const char *key, unsigned *ret_queue,
			      enum mq_stats_col *ret_field)
{
	struct driver_stat st;
	int r = driver_stat_match(driver_find(driver), key, &st);

	if (r == 1) {
		*ret_queue = st.queue;
		*ret_field = st.field;
	}
	return r;
}

struct row {
	const char *driver, *key;
	int match;
	unsigned queue;
	enum mq_stats_col field;
};

static const struct row rows[] = {
	/* virtio_net <= 6.9 */
	{"virtio_net", "rx_queue_0_packets", 1, 0, STATS_COL_RX_PACKETS},
	{"virtio_net", "rx_queue_3_bytes", 1, 3, STATS_COL_RX_BYTES},
	{"virtio_net", "rx_queue_15_drops", 1, 15, STATS_COL_RX_DROPS},
	{"virtio_net", "tx_queue_2_packets", 1, 2, STATS_COL_TX_PACKETS},
	{"virtio_net", "tx_queue_2_bytes", 1, 2, STATS_COL_TX_BYTES},
	{"virtio_net", "rx_queue_0_xdp_packets", 0, 0, 0},
	{"virtio_net", "rx_queue_0_xdp_drops", 0, 0, 0},
	{"virtio_net", "tx_queue_0_xdp_tx_drops", 0, 0, 0},
	{"virtio_net", "tx_queue_0_kicks", 0, 0, 0},
	/* virtio_net >= 6.10: rxN_*, txN_*, no packets/bytes (those moved to qstats) */
	{"virtio_net", "rx1_drops", 1, 1, STATS_COL_RX_DROPS},
	{"virtio_net", "rx1_xdp_drops", 0, 0, 0},
	{"virtio_net", "rx1_hw_drops", 0, 0, 0},
	{"virtio_net", "rx_drops", 0, 0, 0},          /* the total, not a queue */
	{"virtio_net", "tx0_kicks", 0, 0, 0},
	{"virtio_net", "tx0_xdp_tx_drops", 0, 0, 0},
	{"virtio_net", "rx_packets", 0, 0, 0},
	/* ixgbe / ice / hv_netvsc */
	{"ixgbe", "tx_queue_7_packets", 1, 7, STATS_COL_TX_PACKETS},
	{"ixgbe", "rx_queue_1_bytes", 1, 1, STATS_COL_RX_BYTES},
	{"ice", "tx_queue_0_bytes", 1, 0, STATS_COL_TX_BYTES},
	{"ice", "rx_queue_12_packets", 1, 12, STATS_COL_RX_PACKETS},
	{"hv_netvsc", "tx_queue_1_packets", 1, 1, STATS_COL_TX_PACKETS},
	{"hv_netvsc", "rx_queue_1_bytes", 1, 1, STATS_COL_RX_BYTES},
	{"hv_netvsc", "rx_queue_1_xdp_drop", 0, 0, 0},
	{"hv_netvsc", "cpu0_rx_packets", 0, 0, 0},
	/* ENA */
	{"ena", "queue_0_tx_cnt", 1, 0, STATS_COL_TX_PACKETS},
	{"ena", "queue_3_tx_bytes", 1, 3, STATS_COL_TX_BYTES},
	{"ena", "queue_4_rx_cnt", 1, 4, STATS_COL_RX_PACKETS},
	{"ena", "queue_4_rx_bytes", 1, 4, STATS_COL_RX_BYTES},
	{"ena", "queue_4_rx_page_alloc_fail", 0, 0, 0},
	{"ena", "queue_8_xdp_tx_cnt", 0, 0, 0},       /* an XDP ring, not a netdev queue */
	{"ena", "ena_admin_q_aborted_cmd", 0, 0, 0},
	{"ena", "bw_in_allowance_exceeded", 0, 0, 0},
	/* gve */
	{"gve", "rx_completed_desc[0]", 1, 0, STATS_COL_RX_PACKETS},
	{"gve", "rx_bytes[5]", 1, 5, STATS_COL_RX_BYTES},
	{"gve", "rx_dropped_pkt[2]", 1, 2, STATS_COL_RX_DROPS},
	{"gve", "tx_bytes[1]", 1, 1, STATS_COL_TX_BYTES},
	{"gve", "tx_completed_desc[1]", 0, 0, 0},     /* descriptors, not packets */
	{"gve", "rx_posted_desc[0]", 0, 0, 0},
	{"gve", "rx_bytes", 0, 0, 0},
	{"gve", "rx_bytes[]", 0, 0, 0},
	{"gve", "rx_bytes[1", 0, 0, 0},
	{"gve", "rx_bytes[x]", 0, 0, 0},
	/* mlx5 */
	{"mlx5_core", "rx0_packets", 1, 0, STATS_COL_RX_PACKETS},
	{"mlx5_core", "rx11_bytes", 1, 11, STATS_COL_RX_BYTES},
	{"mlx5_core", "tx3_packets", 1, 3, STATS_COL_TX_PACKETS},
	{"mlx5_core", "tx3_bytes", 1, 3, STATS_COL_TX_BYTES},
	{"mlx5_core", "tx3_dropped", 1, 3, STATS_COL_TX_DROPS},
	{"mlx5_core", "rx_packets", 0, 0, 0},
	{"mlx5_core", "rx0_xdp_drop", 0, 0, 0},
	{"mlx5_core", "tx0_xdp_xmit", 0, 0, 0},
	/* veth: XDP-path counters only, never queue packets */
	{"veth", "rx_queue_0_xdp_packets", 0, 0, 0},
	{"veth", "rx_queue_0_xdp_bytes", 0, 0, 0},
	{"veth", "rx_queue_0_drops", 0, 0, 0},
	{"veth", "tx_queue_0_xdp_xmit", 0, 0, 0},
	{"veth", "peer_ifindex", 0, 0, 0},
	/* unknown driver: the common shapes only */
	{"foo", "rx_queue_2_packets", 1, 2, STATS_COL_RX_PACKETS},
	{"foo", "tx5_bytes", 1, 5, STATS_COL_TX_BYTES},
	{"foo", "rx_queue_2_drops", 0, 0, 0},
	{NULL, "tx_queue_1_bytes", 1, 1, STATS_COL_TX_BYTES},
	/* odd names seen in the wild, and hostile ones */
	{"foo", "Queue[0] AllocFails", 0, 0, 0},
	{"ixgbe", "     err", 0, 0, 0},
	{"ixgbe", "", 0, 0, 0},
	{"ixgbe", "rx_queue__packets", 0, 0, 0},
	{"ixgbe", "rx_queue_-1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_+1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_ 1_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_1_packets ", 0, 0, 0},
	{"ixgbe", "rx_queue_1_packetsX", 0, 0, 0},
	{"ixgbe", "rx_queue_99999999999_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_18446744073709551617_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_65536_packets", 0, 0, 0},
	{"ixgbe", "rx_queue_65535_packets", 1, 65535, STATS_COL_RX_PACKETS},
	{"ixgbe", "rx_queue_007_packets", 1, 7, STATS_COL_RX_PACKETS},
	{"mlx5_core", "rx_bytes", 0, 0, 0},
	{"gve", "[0]", 0, 0, 0},
	{"ena", "queue__rx_cnt", 0, 0, 0},
};

static void test_table(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		const struct row *r = &rows[i];
		unsigned q = 12345;
		enum mq_stats_col f = _STATS_COL_MAX;
		int got = ethstats_normalise(r->driver, r->key, &q, &f);

		if (got != r->match)
			fail_msg("%s \"%s\": got %d, want %d", r->driver ? r->driver : "(null)",
				 r->key, got, r->match);
		if (got == 1) {
			assert_int_equal(q, r->queue);
			assert_int_equal(f, r->field);
		} else {
			assert_int_equal(q, 12345); /* out-params untouched */
		}
	}
}

static void test_null_key(void **state)
{
	unsigned q;
	enum mq_stats_col f;
	(void)state;
	assert_int_equal(ethstats_normalise("ixgbe", NULL, &q, &f), 0);
}

/* Every byte value in every position of a key: never a crash, never a wrong match. */
static void test_bytes(void **state)
{
	char key[] = "rx_queue_1_packets";
	unsigned q;
	enum mq_stats_col f;
	(void)state;
	for (size_t pos = 0; pos < sizeof(key) - 1; pos++) {
		char orig = key[pos];

		for (int c = 1; c < 256; c++) {
			key[pos] = (char)c;
			if (ethstats_normalise("ixgbe", key, &q, &f) == 1)
				assert_true(q < 65536);
		}
		key[pos] = orig;
	}
}

/* ---- a fake SIOCETHTOOL: ETHTOOL_GSSET_INFO, GSTRINGS, GSTATS ---------------- */

struct stat_kv {
	const char *key;
	uint64_t val;
};

static struct {
	const struct stat_kv *kv; /* the device's ethtool -S, NULL ends */
	unsigned calls;
} K;

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	uint32_t *cmd, n = 0;
	void *data;

	(void)fd;
	K.calls++;
	while (K.kv && K.kv[n].key)
		n++;
	data = ifr->ifr_data;
	cmd = data;
	if (req != SIOCETHTOOL) {
		errno = ENOTTY;
		return -1;
	}
	if (*cmd == ETHTOOL_GSSET_INFO) {
		struct ethtool_sset_info *si = data;

		si->data[0] = n;
		return 0;
	}
	if (*cmd == ETHTOOL_GSTRINGS) {
		struct ethtool_gstrings *gs = data;

		for (uint32_t i = 0; i < n && i < gs->len; i++)
			strncpy((char *)gs->data + i * ETH_GSTRING_LEN, K.kv[i].key, ETH_GSTRING_LEN);
		return 0;
	}
	if (*cmd == ETHTOOL_GSTATS) {
		struct ethtool_stats *st = data;

		for (uint32_t i = 0; i < n && i < st->n_stats; i++)
			st->data[i] = K.kv[i].val;
		return 0;
	}
	errno = EOPNOTSUPP;
	return -1;
}

/* ---- a fake generic netlink socket answering the qstats dump ------------------ */

#define NETDEV_FAMILY 30

struct qstat_reply {
	int type;          /* MQ_NETDEV_QUEUE_TYPE_RX / _TX, -1 ends */
	unsigned queue;
	uint16_t attr[4];  /* counter attributes sent, 0 ends */
	uint64_t val[4];
};

static struct {
	uint32_t seq;
	unsigned recvs;
	const struct qstat_reply *replies; /* for ifindex 2 */
} N;

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	N.seq = ((const struct nlmsghdr *)buf)->nlmsg_seq;
	N.recvs = 0;
	return (ssize_t)len;
}

/* The dump in one datagram, then NLMSG_DONE. */
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	struct nlmsghdr *nlh;
	size_t off = 0;

	(void)nl;
	memset(buf, 0, len);
	for (const struct qstat_reply *r = N.replies; N.recvs == 0 && r && r->type >= 0; r++) {
		struct genlmsghdr *g;

		nlh = mnl_nlmsg_put_header((char *)buf + off);
		nlh->nlmsg_type = NETDEV_FAMILY;
		nlh->nlmsg_flags = NLM_F_MULTI;
		nlh->nlmsg_seq = N.seq;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = MQ_NETDEV_CMD_QSTATS_GET;
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 2);
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_TYPE, (uint32_t)r->type);
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_ID, r->queue);
		for (unsigned i = 0; i < 4 && r->attr[i]; i++)
			mnl_attr_put_u64(nlh, r->attr[i], r->val[i]);
		off += nlh->nlmsg_len;
	}
	if (off)
		return (ssize_t)(N.recvs++, off);
	N.recvs++;
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI;
	nlh->nlmsg_seq = N.seq;
	*(int *)mnl_nlmsg_put_extra_header(nlh, sizeof(int)) = 0;
	return (ssize_t)nlh->nlmsg_len;
}

static int dummy_sock;

static void fake_nl(struct mq_nl *nl, bool qstats)
{
	memset(nl, 0, sizeof(*nl));
	nl->genl = (struct mnl_socket *)&dummy_sock;
	nl->netdev_id = qstats ? NETDEV_FAMILY : 0;
	nl->ioctl_fd = 99; /* never used: ioctl is the fake above */
}

/* virtio_net on 6.12, as the guest's qstats dump has it: packets and bytes, tx stop/wake. */
#define RX MQ_NETDEV_QUEUE_TYPE_RX
#define TX MQ_NETDEV_QUEUE_TYPE_TX
static const struct qstat_reply virtio_612_qstats[] = {
	{RX, 0, {MQ_NETDEV_A_QSTATS_RX_PACKETS, MQ_NETDEV_A_QSTATS_RX_BYTES}, {1856, 33363224}},
	{RX, 1, {MQ_NETDEV_A_QSTATS_RX_PACKETS, MQ_NETDEV_A_QSTATS_RX_BYTES}, {1350, 28135973}},
	{TX, 0, {MQ_NETDEV_A_QSTATS_TX_PACKETS, MQ_NETDEV_A_QSTATS_TX_BYTES, 33, 34}, {1864, 52513457}},
	{TX, 1, {MQ_NETDEV_A_QSTATS_TX_PACKETS, MQ_NETDEV_A_QSTATS_TX_BYTES, 33, 34}, {1134, 18448447}},
	{-1, 0, {0}, {0}},
};
/* Its ethtool -S (abridged): drops per RX queue, no packets or bytes per queue. */
static const struct stat_kv virtio_612_ethtool[] = {
	{"rx_drops", 12}, {"rx_kicks", 20}, {"tx_xdp_tx_drops", 0},
	{"rx0_drops", 5}, {"rx0_xdp_drops", 1}, {"rx0_kicks", 9},
	{"rx1_drops", 7}, {"rx1_xdp_drops", 1}, {"rx1_kicks", 11},
	{"tx0_xdp_tx_drops", 2}, {"tx0_kicks", 1195}, {"tx1_xdp_tx_drops", 2},
	/* not on 6.12; here to prove a column qstats gave is never overwritten */
	{"rx_queue_0_packets", 999999},
	{NULL, 0},
};
/* virtio_net on 6.1 (no netdev family): everything but TX drops in ethtool -S. */
static const struct stat_kv virtio_61_ethtool[] = {
	{"rx_queue_0_packets", 3760}, {"rx_queue_0_bytes", 34719789}, {"rx_queue_0_drops", 3},
	{"rx_queue_0_xdp_drops", 1},  {"rx_queue_1_packets", 403},     {"rx_queue_1_bytes", 1678453},
	{"rx_queue_1_drops", 0},      {"tx_queue_0_packets", 3792},    {"tx_queue_0_bytes", 140089054},
	{"tx_queue_0_xdp_tx_drops", 4}, {"tx_queue_1_packets", 537},   {"tx_queue_1_bytes", 11264542},
	{NULL, 0},
};

/* One virtio-like NIC, ifindex 2, 2 queues, every counter unknown. */
static struct mq_nic *merge_setup(struct mq_snapshot *s, const char *driver, bool up)
{
	struct mq_nic *n;

	memset(&K, 0, sizeof(K));
	memset(&N, 0, sizeof(N));
	fx_init(s, 2);
	s->have_qstats = false;
	n = fx_nic(s, "eth0", driver, 2, 2);
	n->ifindex = 2;
	n->admin_up = up;
	nic_counters_reset(n);
	return n;
}

static void assert_sources(const struct mq_nic *n, enum mq_stats_source rxp, enum mq_stats_source rxb,
			   enum mq_stats_source rxd, enum mq_stats_source txp, enum mq_stats_source txb,
			   enum mq_stats_source txd)
{
	const enum mq_stats_source want[_STATS_COL_MAX] = {rxp, rxb, rxd, txp, txb, txd};

	for (unsigned c = 0; c < _STATS_COL_MAX; c++)
		if (n->col_source[c] != want[c])
			fail_msg("%s: source %s, want %s", stats_col_to_string(c),
				 stats_source_to_string(n->col_source[c]), stats_source_to_string(want[c]));
}

/* 6.12: packets and bytes from qstats, RX drops from ethtool -S, TX drops nowhere. */
static void test_merge_qstats_then_ethtool(void **state)
{
	struct mq_snapshot s;
	struct mq_nl nl;
	struct mq_nic *n = merge_setup(&s, "virtio_net", true);
	(void)state;

	fake_nl(&nl, true);
	N.replies = virtio_612_qstats;
	K.kv = virtio_612_ethtool;
	assert_int_equal(netdev_qstats_read(&nl, &s), 1);
	assert_int_equal(n->stats_source, STATS_QSTATS);
	assert_int_equal(nic_counters_missing(n), STATS_COL_BIT(STATS_COL_RX_DROPS) |
							  STATS_COL_BIT(STATS_COL_TX_DROPS));
	assert_int_equal(ethstats_read(&nl, n), 2);
	assert_int_equal(K.calls, 3); /* GSSET_INFO, GSTRINGS, GSTATS */
	assert_true(n->queues[0].rx_packets == 1856 && n->queues[1].tx_bytes == 18448447);
	assert_true(n->queues[0].rx_drops == 5 && n->queues[1].rx_drops == 7);
	assert_true(n->queues[0].tx_drops == MQ_NA && n->queues[1].tx_drops == MQ_NA);
	assert_sources(n, STATS_QSTATS, STATS_QSTATS, STATS_ETHTOOL, STATS_QSTATS, STATS_QSTATS, STATS_NONE);
	assert_int_equal(n->stats_source, STATS_QSTATS); /* the main source */
	assert_int_equal(nic_counters_explain(n, true), COUNTERS_MISSING_NONE);

	/* Crediting again changes nothing already credited. */
	nic_counters_credit(n, STATS_ETHTOOL);
	assert_sources(n, STATS_QSTATS, STATS_QSTATS, STATS_ETHTOOL, STATS_QSTATS, STATS_QSTATS, STATS_NONE);
	/* Left: TX drops, which virtio's keys lack: the ioctls are not spent. */
	K.calls = 0;
	assert_int_equal(ethstats_read(&nl, n), 0);
	assert_int_equal(K.calls, 0);

	/* The next sample starts from scratch. */
	nic_counters_reset(n);
	assert_int_equal(nic_counters_missing(n), STATS_COLS_ALL);
	assert_int_equal(n->stats_source, STATS_NONE);
	assert_sources(n, STATS_NONE, STATS_NONE, STATS_NONE, STATS_NONE, STATS_NONE, STATS_NONE);
	fx_free(&s);
}

/* 6.1: no qstats at all; ethtool -S gives every column it has. */
static void test_merge_no_qstats(void **state)
{
	struct mq_snapshot s;
	struct mq_nl nl;
	struct mq_nic *n = merge_setup(&s, "virtio_net", false);
	(void)state;

	fake_nl(&nl, false);
	assert_int_equal(netdev_qstats_read(&nl, &s), -EOPNOTSUPP);
	assert_false(s.have_qstats);
	K.kv = (const struct stat_kv[]){{"rx_kicks", 1}, {NULL, 0}}; /* no key it knows */
	n->queues[0].tx_bytes = 5; /* filled, credited by no one: not claimed either */
	assert_int_equal(ethstats_read(&nl, n), 0);
	assert_int_equal(n->stats_source, STATS_NONE);
	n->queues[0].tx_bytes = MQ_NA;
	K.kv = virtio_61_ethtool;
	assert_int_equal(ethstats_read(&nl, n), 10);
	assert_true(n->queues[0].rx_packets == 3760 && n->queues[1].tx_bytes == 11264542);
	assert_true(n->queues[0].rx_drops == 3 && n->queues[0].tx_drops == MQ_NA);
	assert_sources(n, STATS_ETHTOOL, STATS_ETHTOOL, STATS_ETHTOOL, STATS_ETHTOOL, STATS_ETHTOOL,
		       STATS_NONE);
	assert_int_equal(n->stats_source, STATS_ETHTOOL);
	/* Down without qstats in the kernel: nothing was lost to it. */
	assert_int_equal(nic_counters_explain(n, s.have_qstats), COUNTERS_MISSING_NONE);
	fx_free(&s);
}

/* 6.12, interface down: the dump leaves it out; ethtool -S still has RX drops. */
static void test_merge_down(void **state)
{
	struct mq_snapshot s;
	struct mq_nl nl;
	struct mq_nic *n = merge_setup(&s, "virtio_net", false);
	const char *why;
	(void)state;

	fake_nl(&nl, true);
	K.kv = virtio_612_ethtool;
	assert_int_equal(netdev_qstats_read(&nl, &s), 0);
	assert_true(s.have_qstats);
	assert_int_equal(n->stats_source, STATS_NONE);
	/* every column missing: rx drops from rxN_drops, rx packets from the stray old-style key */
	assert_int_equal(ethstats_read(&nl, n), 3);
	assert_sources(n, STATS_ETHTOOL, STATS_NONE, STATS_ETHTOOL, STATS_NONE, STATS_NONE, STATS_NONE);
	assert_int_equal(n->stats_source, STATS_ETHTOOL);
	assert_int_equal(nic_counters_explain(n, true), COUNTERS_MISSING_DOWN);
	why = counters_missing_to_string(COUNTERS_MISSING_DOWN);
	assert_non_null(why);
	assert_non_null(strstr(why, "only for an interface that is up"));
	assert_null(counters_missing_to_string(COUNTERS_MISSING_NONE));
	assert_null(counters_missing_to_string(_COUNTERS_MISSING_MAX));
	/* Up again, or nothing missing: no reason. */
	n->admin_up = true;
	assert_int_equal(nic_counters_explain(n, true), COUNTERS_MISSING_NONE);
	n->admin_up = false;
	for (unsigned q = 0; q < n->nqueues; q++)
		for (unsigned c = 0; c < _STATS_COL_MAX; c++)
			*queue_counter_ptr(&n->queues[q], c) = 0;
	assert_int_equal(nic_counters_explain(n, true), COUNTERS_MISSING_NONE);
	fx_free(&s);
}

/* A driver whose keys have no drops: with packets and bytes from qstats, no ioctl at all. */
static void test_merge_no_drop_keys(void **state)
{
	struct mq_snapshot s;
	struct mq_nl nl;
	struct mq_nic *n = merge_setup(&s, "ixgbe", true);
	(void)state;

	fake_nl(&nl, true);
	N.replies = virtio_612_qstats;
	K.kv = virtio_61_ethtool; /* would match ixgbe's shapes if read */
	assert_int_equal(driver_stat_cols(driver_find("ixgbe")) &
				 (STATS_COL_BIT(STATS_COL_RX_DROPS) | STATS_COL_BIT(STATS_COL_TX_DROPS)), 0);
	assert_int_equal(netdev_qstats_read(&nl, &s), 1);
	assert_int_equal(ethstats_read(&nl, n), 0);
	assert_int_equal(K.calls, 0);
	assert_sources(n, STATS_QSTATS, STATS_QSTATS, STATS_NONE, STATS_QSTATS, STATS_QSTATS, STATS_NONE);
	/* Without qstats the same driver reads packets and bytes from ethtool -S. */
	nic_counters_reset(n);
	assert_int_equal(ethstats_read(&nl, n), 8);
	assert_int_equal(K.calls, 3);
	assert_sources(n, STATS_ETHTOOL, STATS_ETHTOOL, STATS_NONE, STATS_ETHTOOL, STATS_ETHTOOL, STATS_NONE);
	/* veth: no key worth the ioctls. */
	snprintf(n->driver, sizeof(n->driver), "veth");
	nic_counters_reset(n);
	K.calls = 0;
	assert_int_equal(ethstats_read(&nl, n), 0);
	assert_int_equal(K.calls, 0);
	assert_int_equal(n->stats_source, STATS_NONE);
	fx_free(&s);
}

/* The pure fill: only the columns asked for, only active queues. */
static void test_fill(void **state)
{
	char keys[4 * ETH_GSTRING_LEN] = {0};
	const uint64_t vals[4] = {10, 20, 30, 40};
	struct mq_snapshot s;
	struct mq_nic *n = merge_setup(&s, "virtio_net", true);
	(void)state;

	strcpy(keys, "rx_queue_0_packets");
	strcpy(keys + ETH_GSTRING_LEN, "rx1_drops");
	strcpy(keys + 2 * ETH_GSTRING_LEN, "rx_queue_2_packets"); /* queue 2 is not active */
	memset(keys + 3 * ETH_GSTRING_LEN, 'x', ETH_GSTRING_LEN); /* no NUL in 32 bytes */
	assert_int_equal(ethstats_fill(n, driver_find(n->driver), STATS_COL_BIT(STATS_COL_RX_DROPS), keys,
				       vals, 4), 1);
	assert_true(n->queues[0].rx_packets == MQ_NA && n->queues[1].rx_drops == 20);
	assert_int_equal(ethstats_fill(n, driver_find(n->driver), STATS_COLS_ALL, keys, vals, 4), 2);
	assert_true(n->queues[0].rx_packets == 10);
	assert_int_equal(ethstats_fill(n, driver_find(n->driver), 0, keys, vals, 4), 0);
	assert_int_equal(driver_stat_cols(driver_find("virtio_net")),
			 STATS_COLS_ALL & ~STATS_COL_BIT(STATS_COL_TX_DROPS));
	assert_int_equal(driver_stat_cols(driver_find("veth")), 0);
	assert_int_equal(stats_col_to_string(STATS_COL_RX_DROPS)[0], 'r');
	assert_true(queue_counter(&n->queues[0], _STATS_COL_MAX) == MQ_NA);
	assert_null(queue_counter_ptr(&n->queues[0], _STATS_COL_MAX));
	fx_free(&s);
}

/*
 * The queue a key names, against the queues there are: rx_queue_2_* of a
 * 2-queue NIC lands nowhere, not one past the end (a queue array with a
 * guard entry after it shows such a write without ASan).
 */
static void test_fill_bounds(void **state)
{
	static const char *const names[] = {"rx_queue_1_packets", "tx_queue_1_bytes",
					    "rx_queue_2_packets", "tx_queue_2_bytes", "rx_queue_0_bytes"};
	char keys[5 * ETH_GSTRING_LEN] = {0};
	const uint64_t vals[5] = {11, 12, 21, 22, 3};
	struct mq_queue q[3];
	struct mq_nic nic = {.nqueues = 2, .queues = q};
	(void)state;

	for (unsigned i = 0; i < 3; i++)
		q[i] = (struct mq_queue){.rx_packets = 777, .rx_bytes = 777, .tx_bytes = 777};
	for (unsigned i = 0; i < 5; i++)
		strcpy(keys + i * ETH_GSTRING_LEN, names[i]);
	assert_int_equal(ethstats_fill(&nic, driver_find("virtio_net"), STATS_COLS_ALL, keys, vals, 5), 3);
	assert_true(q[1].rx_packets == 11 && q[1].tx_bytes == 12 && q[0].rx_bytes == 3);
	assert_true(q[0].rx_packets == 777 && q[1].rx_bytes == 777);
	assert_true(q[2].rx_packets == 777 && q[2].tx_bytes == 777); /* the guard: untouched */
}

/* The ethtool -S buffers: reused while big enough, a bigger one maps anew, closing unmaps. */
static void test_buffers(void **state)
{
	struct mq_nl nl;
	long page = sysconf(_SC_PAGESIZE);
	void *first;
	(void)state;

	memset(&nl, 0, sizeof(nl));
	nl.ioctl_fd = -1;
	assert_int_equal(mqnl_buf(&nl.stat_keys, 100), 0);
	first = nl.stat_keys.base;
	assert_ptr_equal((char *)nl.stat_keys.p + 104, (char *)first + page); /* ends at the guard */
	assert_int_equal(mqnl_buf(&nl.stat_keys, (size_t)page), 0); /* a whole page still fits: */
	assert_true(nl.stat_keys.base == first && nl.stat_keys.maplen == (size_t)page * 2);
	assert_int_equal(mqnl_buf(&nl.stat_keys, (size_t)page + 1), 0);
	assert_int_equal(nl.stat_keys.maplen, (size_t)page * 3);
	assert_int_equal(msync(nl.stat_keys.base, (size_t)page, MS_ASYNC), 0);
	first = nl.stat_keys.base;
	mqnl_close(&nl);
	assert_null(nl.stat_keys.base);
	assert_int_equal(nl.ioctl_fd, -1);
	/* unmapped: msync on it fails with ENOMEM */
	assert_int_equal(msync(first, (size_t)page, MS_ASYNC), -1);
	assert_int_equal(errno, ENOMEM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),		   cmocka_unit_test(test_null_key),
		cmocka_unit_test(test_bytes),		   cmocka_unit_test(test_merge_qstats_then_ethtool),
		cmocka_unit_test(test_merge_no_qstats),	   cmocka_unit_test(test_merge_down),
		cmocka_unit_test(test_merge_no_drop_keys), cmocka_unit_test(test_fill),
		cmocka_unit_test(test_fill_bounds),	   cmocka_unit_test(test_buffers),
	};
	return cmocka_run_group_tests_name("ethstats", tests, NULL, NULL);
}
