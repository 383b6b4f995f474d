// SPDX-License-Identifier: MIT
/*
 * Live netlink/ioctl probes against a veth that tests/integration/
 * netns-probes.sh creates in its own network namespace. The script passes
 * what independent tools (ip -d -j link, ethtool -l, sysfs) say in MQ_TEST_*
 * variables; without MQ_TEST_IFACE every test skips (tests/run also runs
 * this binary outside any namespace, where it must not touch anything).
 */
#include <errno.h>
#include <fcntl.h>
#include <netlink/socket.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/channels.h"
#include "agent/rss.h"
#include "probes/probe.h"
#include "probes/uapi.h"

static const char *iface;
static struct mq_nl nl;

/* netdev_irqmap() reads /proc/irq/N; not reached on a veth, stubbed here. */
int __wrap_irq_affinity_read(struct mq_irq *irq);
int __wrap_irq_affinity_read(struct mq_irq *irq)
{
	(void)irq;
	return -ENOENT;
}

static long env_long(const char *name)
{
	const char *v = getenv(name);
	char *end;
	long r;

	if (!v || !*v)
		fail_msg("%s not set by the script", name);
	r = strtol(v, &end, 0);
	if (*end)
		fail_msg("%s=%s is not a number", name, v);
	return r;
}

static const char *env_str(const char *name)
{
	const char *v = getenv(name);

	if (!v)
		fail_msg("%s not set by the script", name);
	return v;
}

static void free_nic(struct mq_nic *n)
{
	nic_free(n);
	memset(n, 0, sizeof(*n));
}

static int setup(void **state)
{
	(void)state;
	iface = getenv("MQ_TEST_IFACE");
	if (!iface || !*iface) {
		printf("test_live_nl: MQ_TEST_IFACE unset: skipping (run by "
		       "tests/integration/netns-probes.sh inside its own namespace)\n");
		iface = NULL;
		return 0;
	}
	return mqnl_open(&nl) == 0 ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	if (iface)
		mqnl_close(&nl);
	return 0;
}

#define NEED_IFACE()              \
	do {                      \
		if (!iface)       \
			skip();   \
	} while (0)

static void assert_cloexec(int fd)
{
	int fl = fcntl(fd, F_GETFD);

	assert_true(fl >= 0);
	assert_true(fl & FD_CLOEXEC);
}

static void test_open(void **state)
{
	(void)state;
	NEED_IFACE();
	assert_non_null(nl.rt);
	assert_non_null(nl.genl);
	assert_true(nl.ethtool_id != 0);        /* kernel >= 5.7 */
	assert_true(nl.ethtool_monitor_grp != 0);
	assert_true(nl.netdev_id != 0);         /* kernel >= 6.0 */
	assert_true(nl.netdev_mgmt_grp != 0);
	assert_cloexec(nl_socket_get_fd(nl.rt));
	assert_cloexec(mnl_socket_get_fd(nl.genl));
	assert_cloexec(nl.ioctl_fd);
}

static void test_link_get(void **state)
{
	struct mq_nic nic;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_string_equal(nic.name, iface);
	assert_int_equal(nic.ifindex, env_long("MQ_TEST_IFINDEX"));
	assert_int_equal(nic.mtu, env_long("MQ_TEST_MTU"));
	assert_int_equal(nic.num_tx_queues, env_long("MQ_TEST_NUMTXQ"));
	assert_int_equal(nic.num_rx_queues, env_long("MQ_TEST_NUMRXQ"));
	assert_string_equal(nic.kind, env_str("MQ_TEST_KIND"));
	assert_string_equal(nic.operstate, env_str("MQ_TEST_OPERSTATE"));
	assert_string_equal(nic.driver, "veth");   /* ETHTOOL_GDRVINFO */
	assert_false(nic.has_device);
	assert_false(nic.xdp);
	assert_int_equal(nic.numa_node, -1);
	assert_int_equal(nic.real_rx_queues, env_long("MQ_TEST_RX"));
	assert_int_equal(nic.real_tx_queues, env_long("MQ_TEST_TX"));
	free_nic(&nic);
	assert_int_equal(link_get(&nl, "mq-no-such0", &nic), -ENODEV);
	assert_int_equal(link_get(&nl, "", &nic), -EINVAL);
}

static void test_link_list(void **state)
{
	struct mq_nic *nics = NULL;
	unsigned n = 0;
	int seen_iface = 0, seen_lo = 0;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_list(&nl, &nics, &n), 0);
	assert_true(n >= 3); /* lo, the veth and its peer */
	for (unsigned i = 0; i < n; i++) {
		if (strcmp(nics[i].name, iface) == 0)
			seen_iface++;
		if (strcmp(nics[i].name, "lo") == 0) {
			seen_lo++;
			assert_int_equal(nics[i].ifindex, 1);
			assert_string_equal(nics[i].kind, "");
		}
		free_nic(&nics[i]);
	}
	free(nics);
	assert_int_equal(seen_iface, 1);
	assert_int_equal(seen_lo, 1);
}

static void check_channels(const struct mq_channels *ch)
{
	assert_int_equal(ch->rx, env_long("MQ_TEST_RX"));
	assert_int_equal(ch->tx, env_long("MQ_TEST_TX"));
	assert_int_equal(ch->rx_max, env_long("MQ_TEST_RX_MAX"));
	assert_int_equal(ch->tx_max, env_long("MQ_TEST_TX_MAX"));
	/* veth offers rx/tx only: combined and other are unsupported (max 0). */
	assert_int_equal(ch->combined_max, 0);
	assert_int_equal(ch->other_max, 0);
	assert_int_equal(ch->err, 0);
}

static void test_channels_get(void **state)
{
	struct mq_nic nic;
	struct mq_channels ch;
	uint16_t id;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), 0);
	assert_int_equal(ch.source, CHANNELS_NETLINK);
	check_channels(&ch);
	/* The same through the ioctl, as on a kernel without ethtool netlink. */
	id = nl.ethtool_id;
	nl.ethtool_id = 0;
	memset(&ch, 0xff, sizeof(ch));
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), 0);
	nl.ethtool_id = id;
	assert_int_equal(ch.source, CHANNELS_IOCTL);
	check_channels(&ch);
	/* A vanished device: an error with words, not a crash. */
	nic.ifindex = 999999;
	snprintf(nic.name, sizeof(nic.name), "mq-gone0");
	assert_true(ethtool_channels_get(&nl, &nic, &ch) < 0);
	assert_int_equal(ch.source, CHANNELS_NONE);
	assert_true(ch.err < 0);
	assert_true(ch.errmsg[0] != '\0');
	free_nic(&nic);
}

/* veth has no RSS: the kernel's EOPNOTSUPP over netlink and the ioctl alike, for the setter too. */
static void test_rss_veth(void **state)
{
	struct mq_nic nic;
	char msg[64];
	uint16_t id;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EOPNOTSUPP);
	assert_int_equal(nic.rss.source, RSS_NONE);
	assert_int_equal(nic.rss.err, -EOPNOTSUPP);
	assert_null(nic.rss.indir);
	id = nl.ethtool_id;
	nl.ethtool_id = 0;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EOPNOTSUPP);
	nl.ethtool_id = id;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), -EOPNOTSUPP);
	free_nic(&nic);
}

static void test_queues_xps(void **state)
{
	struct mq_nic nic;
	CPUSET_DEFINE(want);
	char buf[64];
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_int_equal(nic.nqueues, env_long("MQ_TEST_RX") > env_long("MQ_TEST_TX")
					      ? env_long("MQ_TEST_RX")
					      : env_long("MQ_TEST_TX"));
	for (unsigned i = 0; i < nic.nqueues; i++) {
		assert_int_equal(nic.queues[i].index, i);
		assert_true(nic.queues[i].rx_packets == MQ_NA);
		assert_true(nic.queues[i].tx_bytes == MQ_NA);
		assert_int_equal(nic.queues[i].irq_rx, -1);
		assert_int_equal(nic.queues[i].irq_tx, -1);
		assert_int_equal(nic.queues[i].napi_id, -1);
		assert_int_equal(nic.queues[i].has_rx, i < nic.real_rx_queues);
		assert_int_equal(nic.queues[i].has_tx, i < nic.real_tx_queues);
	}
	/* The script wrote MQ_TEST_XPS1 (a list) into tx-1/xps_cpus. */
	assert_true(nic.nqueues >= 2 && nic.queues[1].has_tx);
	assert_true(nic.queues[1].has_xps);
	assert_int_equal(cpuset_parse_list(env_str("MQ_TEST_XPS1"), want), 0);
	assert_int_equal(cpuset_format_list(nic.queues[1].xps, buf, sizeof(buf)) >= 0, 1);
	assert_string_equal(buf, env_str("MQ_TEST_XPS1"));
	assert_true(cpuset_equal(nic.queues[1].xps, want));
	assert_true(nic.queues[0].has_rps);
	assert_true(cpuset_empty(nic.queues[0].rps));
	/* Re-reading keeps the array (same shape). */
	{
		struct mq_queue *before = nic.queues;

		nic.queues[0].rx_packets = 5;
		assert_int_equal(link_queues_read(&nic), 0);
		assert_ptr_equal(nic.queues, before);
		assert_true(nic.queues[0].rx_packets == 5);
	}
	assert_int_equal(link_stats_read(&nic), 0);
	assert_true(nic.rx_packets != MQ_NA && nic.tx_bytes != MQ_NA);
	free_nic(&nic);
}

/* Device totals come with the link dump (IFLA_STATS64), and one dump refreshes them. */
static void test_stats_dump(void **state)
{
	struct mq_snapshot s = {0};
	struct mq_nic nic;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_true(nic.rx_packets != MQ_NA && nic.tx_packets != MQ_NA && nic.rx_bytes != MQ_NA &&
		    nic.tx_bytes != MQ_NA && nic.rx_dropped != MQ_NA && nic.tx_dropped != MQ_NA);
	nic.rx_packets = nic.tx_packets = nic.rx_bytes = nic.tx_bytes = MQ_NA;
	nic.rx_dropped = nic.tx_dropped = MQ_NA;
	s.nics = &nic;
	s.nnics = 1;
	assert_int_equal(link_stats_dump(&nl, &s), 1);
	assert_true(nic.rx_packets != MQ_NA && nic.tx_bytes != MQ_NA && nic.tx_dropped != MQ_NA);
	nic.ifindex = INT32_MAX; /* not in the dump: left alone */
	nic.rx_packets = MQ_NA;
	assert_int_equal(link_stats_dump(&nl, &s), 0);
	assert_true(nic.rx_packets == MQ_NA);
	assert_int_equal(link_stats_dump(NULL, &s), -EINVAL);
	free_nic(&nic);
}

static void test_counters_veth(void **state)
{
	struct mq_snapshot s = {0};
	struct mq_nic nic;
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	/* veth's ethtool -S has only XDP-path counters: nothing is taken. */
	assert_int_equal(ethstats_read(&nl, &nic), 0);
	assert_int_equal(nic.stats_source, STATS_NONE);
	for (unsigned i = 0; i < nic.nqueues; i++)
		assert_true(nic.queues[i].rx_packets == MQ_NA && nic.queues[i].rx_drops == MQ_NA);
	/* qstats: the op exists on 6.9+, veth does not implement it. */
	s.nics = &nic;
	s.nnics = 1;
	assert_int_equal(netdev_qstats_read(&nl, &s), 0);
	assert_true(s.have_qstats);
	assert_int_equal(nic.stats_source, STATS_NONE);
	/* queue-get knows the veth's queues but no NAPI has an IRQ. */
	assert_int_equal(netdev_irqmap(&nl, &nic, NULL), 0);
	assert_int_equal(nic.nirqs, 0);
	assert_int_equal(nic.irqmap_source, IRQMAP_NONE);
	free_nic(&nic);
}

static void test_channels_set(void **state)
{
	struct mq_nic nic;
	struct mq_channels want, got;
	char msg[256];
	(void)state;
	NEED_IFACE();
	assert_int_equal(link_get(&nl, iface, &nic), 0);
	assert_int_equal(ethtool_channels_get(&nl, &nic, &nic.ch), 0);

	/* A no-op set is fine and sends nothing. */
	want = nic.ch;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");

	/* Refused: above the maximum. The kernel's -EINVAL and its own words. */
	want.rx = nic.ch.rx_max + 1;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EINVAL);
	assert_non_null(strstr(msg, "requested channel count exceeds maximum"));

	/* The same refusal through the ioctl: -EINVAL, no words. */
	{
		uint16_t id = nl.ethtool_id;

		nl.ethtool_id = 0;
		assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EINVAL);
		nl.ethtool_id = id;
		assert_string_equal(msg, "");
	}

	/* Change: the script checks the result with `ethtool -l`. */
	want = nic.ch;
	want.rx = (uint32_t)env_long("MQ_TEST_SET_RX");
	want.tx = (uint32_t)env_long("MQ_TEST_SET_TX");
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(ethtool_channels_get(&nl, &nic, &got), 0);
	assert_int_equal(got.rx, want.rx);
	assert_int_equal(got.tx, want.tx);
	/* sysfs follows. */
	assert_int_equal(link_queues_read(&nic), 0);
	assert_int_equal(nic.real_rx_queues, want.rx);
	assert_int_equal(nic.real_tx_queues, want.tx);

	/* The ioctl path changes channels too (and back). */
	{
		uint16_t id = nl.ethtool_id;
		struct mq_channels two = got;

		nic.ch = got;
		two.tx = 2;
		nl.ethtool_id = 0;
		assert_int_equal(channels_set(&nl, &nic, &two, msg, sizeof(msg)), 0);
		nl.ethtool_id = id;
		assert_int_equal(ethtool_channels_get(&nl, &nic, &got), 0);
		assert_int_equal(got.tx, 2);
		nic.ch = got;
		assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	}
	free_nic(&nic);
}

static int count_cb(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(*(int *)data)++;
	return MNL_CB_OK;
}

/* The transport itself: a dump that ends in an error, and a dump that works. */
static void test_transact(void **state)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int n = 0;
	(void)state;
	NEED_IFACE();
	/* napi-get for a missing ifindex: the error arrives in NLMSG_DONE. */
	nlh = mqnl_genl_put(&nl, buf, nl.netdev_id, MQ_NETDEV_CMD_NAPI_GET, 1, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, 999999);
	assert_int_equal(mqnl_genl_transact(&nl, nlh, count_cb, &n), -ENODEV);
	assert_int_equal(n, 0);
	/* queue-get for the veth: one reply per active queue, then DONE. */
	nlh = mqnl_genl_put(&nl, buf, nl.netdev_id, MQ_NETDEV_CMD_QUEUE_GET, 1, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, (uint32_t)env_long("MQ_TEST_IFINDEX"));
	assert_int_equal(mqnl_genl_transact(&nl, nlh, count_cb, &n), 0);
	assert_int_equal(n, env_long("MQ_TEST_RX") + env_long("MQ_TEST_TX"));
	assert_string_equal(nl.extack, "");
	/* An unknown command of a known family: -EOPNOTSUPP, the socket stays usable. */
	nlh = mqnl_genl_put(&nl, buf, nl.netdev_id, 250, 1, 0);
	assert_int_equal(mqnl_genl_transact(&nl, nlh, count_cb, &n), -EOPNOTSUPP);
	n = 0;
	nlh = mqnl_genl_put(&nl, buf, nl.netdev_id, MQ_NETDEV_CMD_QUEUE_GET, 1, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, (uint32_t)env_long("MQ_TEST_IFINDEX"));
	assert_int_equal(mqnl_genl_transact(&nl, nlh, count_cb, &n), 0);
	assert_true(n > 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open),
		cmocka_unit_test(test_transact),
		cmocka_unit_test(test_link_get),
		cmocka_unit_test(test_link_list),
		cmocka_unit_test(test_channels_get),
		cmocka_unit_test(test_rss_veth),
		cmocka_unit_test(test_queues_xps),
		cmocka_unit_test(test_counters_veth),
		cmocka_unit_test(test_stats_dump),
		cmocka_unit_test(test_channels_set),
	};
	return cmocka_run_group_tests_name("live_nl", tests, setup, teardown);
}
