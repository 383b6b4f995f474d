// SPDX-License-Identifier: MIT
/* link_parse(): one RTM_NEWLINK message, as the link dump hands it over. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"

static _Alignas(8) char buf[4096];

static struct nlmsghdr *link_msg(uint16_t type, int ifindex)
{
	struct nlmsghdr *nlh;
	struct ifinfomsg *ifi;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_index = ifindex;
	return nlh;
}

static void test_full(void **state)
{
	struct nlmsghdr *nlh = link_msg(RTM_NEWLINK, 7);
	struct nlattr *nest;
	struct mq_nic nic;
	(void)state;

	mnl_attr_put_strz(nlh, IFLA_IFNAME, "veth0");
	mnl_attr_put_u32(nlh, IFLA_MTU, 9000);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 6);
	mnl_attr_put_u32(nlh, IFLA_NUM_TX_QUEUES, 8);
	mnl_attr_put_u32(nlh, IFLA_NUM_RX_QUEUES, 4);
	nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);
	mnl_attr_put_strz(nlh, IFLA_INFO_KIND, "veth");
	mnl_attr_nest_end(nlh, nest);
	nest = mnl_attr_nest_start(nlh, IFLA_XDP);
	mnl_attr_put_u8(nlh, IFLA_XDP_ATTACHED, XDP_ATTACHED_DRV);
	mnl_attr_nest_end(nlh, nest);

	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_int_equal(nic.ifindex, 7);
	assert_string_equal(nic.name, "veth0");
	assert_string_equal(nic.kind, "veth");
	assert_string_equal(nic.operstate, "up");
	assert_int_equal(nic.mtu, 9000);
	assert_int_equal(nic.num_tx_queues, 8);
	assert_int_equal(nic.num_rx_queues, 4);
	assert_true(nic.xdp);
	assert_int_equal(nic.numa_node, -1);
	assert_true(nic.rx_packets == MQ_NA);
	assert_null(nic.queues);
}

static void test_odd(void **state)
{
	struct nlmsghdr *nlh;
	struct mq_nic nic;
	char longname[64];
	(void)state;

	/* No name: not a link we can use. */
	nlh = link_msg(RTM_NEWLINK, 3);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	assert_int_equal(link_parse(nlh, &nic), -EINVAL);
	/* An empty name attribute is no name either. */
	mnl_attr_put(nlh, IFLA_IFNAME, 0, "");
	assert_int_equal(link_parse(nlh, &nic), -EINVAL);
	/* RTM_DELLINK carries the same attributes (the daemon's monitor reads it); others do not. */
	nlh = link_msg(RTM_DELLINK, 3);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_int_equal(nic.ifindex, 3);
	assert_string_equal(nic.name, "eth0");
	nlh->nlmsg_type = RTM_GETLINK;
	assert_int_equal(link_parse(nlh, &nic), -EINVAL);
	/* Shorter than struct ifinfomsg. */
	nlh = link_msg(RTM_NEWLINK, 3);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	assert_int_equal(link_parse(nlh, &nic), -EINVAL);
	assert_int_equal(link_parse(NULL, &nic), -EINVAL);
	/* A name without NUL, longer than IFNAMSIZ; short u32s; odd operstate. */
	nlh = link_msg(RTM_NEWLINK, 4);
	memset(longname, 'x', sizeof(longname));
	mnl_attr_put(nlh, IFLA_IFNAME, sizeof(longname), longname);
	mnl_attr_put_u16(nlh, IFLA_MTU, 1500);
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 200);
	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_int_equal(strlen(nic.name), IF_NAMESIZE - 1);
	assert_int_equal(nic.mtu, 0);
	assert_string_equal(nic.operstate, "unknown");
	/* 7, the first value past IF_OPER_UP (6, "up" above), is no state either */
	nlh = link_msg(RTM_NEWLINK, 4);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put_u8(nlh, IFLA_OPERSTATE, 7);
	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_string_equal(nic.operstate, "unknown");
	/*
	 * An empty operstate is no state: its byte would be the next attribute's
	 * length (6, IF_OPER_UP, for one of 2 bytes; its type is past IFLA_MAX).
	 */
	nlh = link_msg(RTM_NEWLINK, 4);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_OPERSTATE, 0, NULL);
	mnl_attr_put_u16(nlh, 1000, 0);
	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_string_equal(nic.operstate, "unknown");
	/* three bytes of a u32 are no MTU either (and the fourth is not read) */
	nlh = link_msg(RTM_NEWLINK, 4);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	mnl_attr_put(nlh, IFLA_MTU, 3, (const char[4]){1, 2, 3, 4});
	assert_int_equal(link_parse(nlh, &nic), 0);
	assert_int_equal(nic.mtu, 0);
	/* An attribute running past the message: refused, ret untouched. */
	nlh = link_msg(RTM_NEWLINK, 5);
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth0");
	nlh->nlmsg_len -= 4;
	memset(&nic, 0xa5, sizeof(nic));
	if (link_parse(nlh, &nic) == 0)
		assert_string_equal(nic.name, "eth0");
	else
		assert_int_equal(nic.ifindex, (int)0xa5a5a5a5);
}

/* link_stats_parse(): one RTM_NEWSTATS message of a 64-bit stats dump (the counter refresh). */
static struct nlmsghdr *stats_msg(int ifindex)
{
	struct nlmsghdr *nlh;
	struct if_stats_msg *ifs;

	memset(buf, 0, sizeof(buf));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWSTATS;
	ifs = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifs));
	ifs->ifindex = (uint32_t)ifindex;
	ifs->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	return nlh;
}

static void test_stats(void **state)
{
	struct rtnl_link_stats64 st = {.rx_packets = 10, .tx_packets = 20, .rx_bytes = 30,
				       .tx_bytes = 40, .rx_dropped = 5, .tx_dropped = UINT64_MAX};
	struct nlmsghdr *nlh = stats_msg(7);
	struct mq_nic nic;
	(void)state;

	mnl_attr_put(nlh, IFLA_STATS_LINK_64, sizeof(st), &st);
	memset(&nic, 0, sizeof(nic));
	snprintf(nic.name, sizeof(nic.name), "kept");
	assert_int_equal(link_stats_parse(nlh, &nic), 0);
	assert_int_equal(nic.ifindex, 7);
	assert_int_equal(nic.rx_packets, 10);
	assert_int_equal(nic.tx_packets, 20);
	assert_int_equal(nic.rx_bytes, 30);
	assert_int_equal(nic.tx_bytes, 40);
	assert_int_equal(nic.rx_dropped, 5);
	assert_true(nic.tx_dropped == MQ_NA - 1); /* a real value, never "unknown" */
	assert_string_equal(nic.name, "kept");     /* the rest untouched */

	/* a shorter struct from an old kernel is fine as long as it has tx_dropped */
	nlh = stats_msg(8);
	mnl_attr_put(nlh, IFLA_STATS_LINK_64, offsetof(struct rtnl_link_stats64, tx_dropped) + 8, &st);
	assert_int_equal(link_stats_parse(nlh, &nic), 0);
	assert_int_equal(nic.ifindex, 8);
	/* too short, no stats, no ifindex, a link message, nothing: refused, ret untouched */
	nlh = stats_msg(9);
	mnl_attr_put(nlh, IFLA_STATS_LINK_64, 16, &st);
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	nlh = stats_msg(9);
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	/* an ifindex no link has: the u32 past INT_MAX would be a negative one (found by fuzz_nl_link) */
	nlh = stats_msg((int)0xfdff0000);
	mnl_attr_put(nlh, IFLA_STATS_LINK_64, sizeof(st), &st);
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	nlh = stats_msg(0);
	mnl_attr_put(nlh, IFLA_STATS_LINK_64, sizeof(st), &st);
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	nlh->nlmsg_type = RTM_NEWLINK;
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	nlh = stats_msg(9);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 4;
	assert_int_equal(link_stats_parse(nlh, &nic), -EINVAL);
	assert_int_equal(link_stats_parse(NULL, &nic), -EINVAL);
	assert_int_equal(nic.ifindex, 8);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_odd),
		cmocka_unit_test(test_stats),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
