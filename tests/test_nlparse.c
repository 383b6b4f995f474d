// SPDX-License-Identifier: MIT
/* Netlink reply parsers fed raw bytes: built here with libmnl, and captured. */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/uapi.h"

static _Alignas(8) char buf[4096];

static struct nlmsghdr *genl_msg(uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x15;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static size_t read_fixture(const char *name, void *dst, size_t len)
{
	const char *dir = getenv("MQ_TEST_DATA");
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/netlink/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	if (!f) {
		fail_msg("cannot open %s", path);
		return 0;
	}
	n = fread(dst, 1, len, f);
	fclose(f);
	return n;
}

/* ---- ethtool CHANNELS_GET ------------------------------------------------- */

static void test_channels_captured_veth(void **state)
{
	struct mq_channels ch;
	size_t n;
	(void)state;
	/* `ethtool -L mqa rx 3 tx 5` on a veth with 8/8 queues, kernel 6.18. */
	n = read_fixture("channels-get-veth-6.18.bin", buf, sizeof(buf));
	assert_true(n >= MNL_NLMSG_HDRLEN);
	assert_true(mnl_nlmsg_ok((struct nlmsghdr *)buf, (int)n));
	assert_int_equal(ethtool_channels_parse((struct nlmsghdr *)buf, &ch), 0);
	assert_int_equal(ch.source, CHANNELS_NETLINK);
	assert_int_equal(ch.rx_max, 8);
	assert_int_equal(ch.tx_max, 8);
	assert_int_equal(ch.rx, 3);
	assert_int_equal(ch.tx, 5);
	/* veth has no combined or other channels: the attributes are absent => 0. */
	assert_int_equal(ch.combined_max, 0);
	assert_int_equal(ch.other_max, 0);
	assert_int_equal(ch.combined, 0);
}

static void test_channels_built_virtio_shape(void **state)
{
	struct nlmsghdr *nlh = genl_msg(ETHTOOL_MSG_CHANNELS_GET_REPLY);
	struct nlattr *nest;
	struct mq_channels ch;
	(void)state;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 2);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "eth0");
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 4);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 1);
	mnl_attr_put_u32(nlh, 200, 7); /* an attribute from a newer kernel: skipped */
	assert_int_equal(ethtool_channels_parse(nlh, &ch), 0);
	assert_int_equal(ch.combined_max, 4);
	assert_int_equal(ch.combined, 1);
	assert_int_equal(ch.rx_max, 0);
	assert_int_equal(ch.tx_max, 0);
}

static void test_channels_bad(void **state)
{
	struct nlmsghdr *nlh;
	struct mq_channels ch = {.rx = 99};
	(void)state;
	/* A count that is not a u32. */
	nlh = genl_msg(ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mnl_attr_put_u16(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, 3);
	assert_int_equal(ethtool_channels_parse(nlh, &ch), -EINVAL);
	assert_int_equal(ch.rx, 99); /* untouched on failure */
	/* Another command's reply. */
	nlh = genl_msg(ETHTOOL_MSG_RINGS_GET_REPLY);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, 3);
	assert_int_equal(ethtool_channels_parse(nlh, &ch), -EINVAL);
	/* No genl header. */
	nlh = mnl_nlmsg_put_header(memset(buf, 0, sizeof(buf)));
	assert_int_equal(ethtool_channels_parse(nlh, &ch), -EINVAL);
	/* A truncated attribute (length beyond the message) ends the walk, no overrun. */
	nlh = genl_msg(ETHTOOL_MSG_CHANNELS_GET_REPLY);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, 3);
	((struct nlattr *)((char *)nlh + nlh->nlmsg_len - 8))->nla_len = 200;
	assert_int_equal(ethtool_channels_parse(nlh, &ch), 0);
	assert_int_equal(ch.rx, 0);
	assert_int_equal(ethtool_channels_parse(NULL, &ch), -EINVAL);
}

/* The header nest naming the device: a name of IF_NAMESIZE bytes with its NUL fits, one more does not. */
static void test_header_name(void **state)
{
	static const char *const names[] = {"", "e", "fifteen-chars-x", "sixteen-chars-xy"};
	struct ethtool_dev dev;
	(void)state;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		struct nlmsghdr *nlh = genl_msg(ETHTOOL_MSG_CHANNELS_NTF);
		struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
		int r;

		mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 7);
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, names[i]);
		mnl_attr_nest_end(nlh, nest);
		memset(&dev, 0x55, sizeof(dev));
		r = ethtool_header_parse(nlh, &dev);
		if (strlen(names[i]) < IF_NAMESIZE) {
			assert_int_equal(r, 0);
			assert_int_equal(dev.ifindex, 7);
			assert_string_equal(dev.name, names[i]);
		} else {
			assert_int_equal(r, -EINVAL);
			assert_int_equal(dev.ifindex, 0x55555555); /* untouched */
		}
	}
	/* No header at all: no device. */
	assert_int_equal(ethtool_header_parse(genl_msg(ETHTOOL_MSG_CHANNELS_NTF), &dev), -EINVAL);
	/* ifindex 1 (lo) is a device, 0 is none */
	for (int idx = 1; idx >= 0; idx--) {
		struct nlmsghdr *nlh = genl_msg(ETHTOOL_MSG_CHANNELS_NTF);
		struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);

		mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)idx);
		mnl_attr_nest_end(nlh, nest);
		memset(&dev, 0x55, sizeof(dev));
		assert_int_equal(ethtool_header_parse(nlh, &dev), idx ? 0 : -EINVAL);
		assert_int_equal(dev.ifindex, idx ? 1 : 0x55555555);
	}
}

/* ---- netdev qstats ---------------------------------------------------------- */

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, type, sizeof(v), &v);
}

static struct nlmsghdr *qstats_msg(int ifindex, int type, unsigned q)
{
	struct nlmsghdr *nlh = genl_msg(MQ_NETDEV_CMD_QSTATS_GET);

	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, (uint32_t)ifindex);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_TYPE, (uint32_t)type);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_ID, q);
	return nlh;
}

static void test_qstats_rx_4_and_8_bytes(void **state)
{
	struct nlmsghdr *nlh = qstats_msg(3, MQ_NETDEV_QUEUE_TYPE_RX, 5);
	struct netdev_qstat q;
	(void)state;
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 1234);          /* 4 bytes */
	put_u64(nlh, MQ_NETDEV_A_QSTATS_RX_BYTES, UINT64_C(0x100000005));  /* 8 bytes */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_HW_DROPS, 7);
	mnl_attr_put_u32(nlh, 15, 9); /* rx-csum-complete: not ours, skipped */
	assert_int_equal(netdev_qstats_parse(nlh, &q), 0);
	assert_int_equal(q.ifindex, 3);
	assert_int_equal(q.type, MQ_NETDEV_QUEUE_TYPE_RX);
	assert_int_equal(q.queue, 5);
	assert_true(q.rx_packets == 1234);
	assert_true(q.rx_bytes == UINT64_C(0x100000005));
	assert_true(q.rx_hw_drops == 7);
	assert_true(q.rx_alloc_fail == MQ_NA);
	assert_true(q.tx_packets == MQ_NA && q.tx_bytes == MQ_NA && q.tx_hw_drops == MQ_NA);
}

static void test_qstats_tx(void **state)
{
	struct nlmsghdr *nlh = qstats_msg(2, MQ_NETDEV_QUEUE_TYPE_TX, 0);
	struct netdev_qstat q;
	(void)state;
	put_u64(nlh, MQ_NETDEV_A_QSTATS_TX_PACKETS, 10);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_TX_BYTES, 1500);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_TX_HW_DROPS, UINT64_MAX); /* all ones: not "absent" */
	assert_int_equal(netdev_qstats_parse(nlh, &q), 0);
	assert_int_equal(q.type, MQ_NETDEV_QUEUE_TYPE_TX);
	assert_true(q.tx_packets == 10 && q.tx_bytes == 1500);
	assert_true(q.tx_hw_drops != MQ_NA);
	assert_true(q.rx_packets == MQ_NA);
}

static void test_qstats_bad(void **state)
{
	struct nlmsghdr *nlh;
	struct netdev_qstat q = {.ifindex = 77};
	uint8_t three[3] = {1, 2, 3};
	uint16_t two = 5;
	(void)state;
	/* A counter of 3 bytes or 2 bytes: rejected. */
	nlh = qstats_msg(3, 0, 1);
	mnl_attr_put(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, sizeof(three), three);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	nlh = qstats_msg(3, 0, 1);
	mnl_attr_put(nlh, MQ_NETDEV_A_QSTATS_RX_BYTES, sizeof(two), &two);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	assert_int_equal(q.ifindex, 77); /* untouched */
	/* Missing queue id. */
	nlh = genl_msg(MQ_NETDEV_CMD_QSTATS_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 3);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_TYPE, 0);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* Device-scope reply (no type/id). */
	nlh = genl_msg(MQ_NETDEV_CMD_QSTATS_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 3);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 1);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* Queue type from the future (XSK = 2). */
	nlh = qstats_msg(3, 2, 0);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* ifindex that is not a u32. */
	nlh = genl_msg(MQ_NETDEV_CMD_QSTATS_GET);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 3);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* Wrong command. */
	nlh = genl_msg(MQ_NETDEV_CMD_QUEUE_GET);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* Truncated last attribute: the walk stops, ids before it still count. */
	nlh = qstats_msg(3, 0, 1);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 42);
	nlh->nlmsg_len -= 4; /* cut the 8-byte value in half */
	assert_int_equal(netdev_qstats_parse(nlh, &q), 0);
	assert_true(q.rx_packets == MQ_NA);
}

/* Every prefix of a valid message parses or fails cleanly (ASan watches). */
static void test_qstats_every_truncation(void **state)
{
	struct nlmsghdr *nlh = qstats_msg(3, 0, 1);
	uint32_t full;
	struct netdev_qstat q;
	(void)state;
	put_u64(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 42);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_BYTES, 4242);
	full = nlh->nlmsg_len;
	for (uint32_t len = 0; len <= full; len++) {
		char *copy = malloc(len ? len : 1);
		int r;

		memcpy(copy, nlh, len);
		if (len >= sizeof(struct nlmsghdr))
			((struct nlmsghdr *)copy)->nlmsg_len = len;
		if (len < sizeof(struct nlmsghdr)) {
			free(copy);
			continue; /* callers only pass messages mnl_nlmsg_ok() accepted */
		}
		r = netdev_qstats_parse((struct nlmsghdr *)copy, &q);
		assert_true(r == 0 || r == -EINVAL);
		free(copy);
	}
}

static void test_channels_every_truncation(void **state)
{
	static _Alignas(8) char full[256];
	struct mq_channels ch;
	size_t n;
	(void)state;
	n = read_fixture("channels-get-veth-6.18.bin", full, sizeof(full));
	assert_true(n > MNL_NLMSG_HDRLEN);
	for (size_t len = MNL_NLMSG_HDRLEN; len <= n; len++) {
		char *copy = malloc(len);
		int r;

		memcpy(copy, full, len);
		((struct nlmsghdr *)copy)->nlmsg_len = (uint32_t)len;
		r = ethtool_channels_parse((struct nlmsghdr *)copy, &ch);
		assert_true(r == 0 || r == -EINVAL);
		if (len % 4)
			assert_int_equal(r, -EINVAL); /* unaligned: refused, not overread */
		free(copy);
	}
}

/* ---- netdev queue-get / napi-get -------------------------------------------- */

static void test_queue_napi(void **state)
{
	struct nlmsghdr *nlh;
	struct netdev_queue_info qi;
	struct netdev_napi_info ni;
	(void)state;
	nlh = genl_msg(MQ_NETDEV_CMD_QUEUE_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_ID, 3);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, MQ_NETDEV_QUEUE_TYPE_TX);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_NAPI_ID, 8195);
	assert_int_equal(netdev_queue_parse(nlh, &qi), 0);
	assert_int_equal(qi.id, 3);
	assert_int_equal(qi.ifindex, 2);
	assert_int_equal(qi.type, MQ_NETDEV_QUEUE_TYPE_TX);
	assert_int_equal(qi.napi_id, 8195);
	/* No NAPI (veth without GRO): napi_id -1. */
	nlh = genl_msg(MQ_NETDEV_CMD_QUEUE_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_ID, 0);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, MQ_NETDEV_QUEUE_TYPE_RX);
	assert_int_equal(netdev_queue_parse(nlh, &qi), 0);
	assert_int_equal(qi.napi_id, -1);

	nlh = genl_msg(MQ_NETDEV_CMD_NAPI_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_ID, 8195);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IRQ, 27);
	mnl_attr_put_u32(nlh, 4, 123); /* pid: not ours */
	assert_int_equal(netdev_napi_parse(nlh, &ni), 0);
	assert_int_equal(ni.id, 8195);
	assert_int_equal(ni.irq, 27);
	nlh = genl_msg(MQ_NETDEV_CMD_NAPI_GET);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, 2);
	mnl_attr_put_u16(nlh, MQ_NETDEV_A_NAPI_ID, 1); /* wrong size */
	assert_int_equal(netdev_napi_parse(nlh, &ni), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channels_captured_veth),
		cmocka_unit_test(test_channels_built_virtio_shape),
		cmocka_unit_test(test_channels_bad),
		cmocka_unit_test(test_channels_every_truncation),
		cmocka_unit_test(test_header_name),
		cmocka_unit_test(test_qstats_rx_4_and_8_bytes),
		cmocka_unit_test(test_qstats_tx),
		cmocka_unit_test(test_qstats_bad),
		cmocka_unit_test(test_qstats_every_truncation),
		cmocka_unit_test(test_queue_napi),
	};
	return cmocka_run_group_tests_name("nlparse", tests, NULL, NULL);
}
