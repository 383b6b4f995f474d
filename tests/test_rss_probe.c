// SPDX-License-Identifier: MIT
/*
 * The RSS probe (probes/rss.c) at its edges, next to tests/test_rss.c (at its
 * size limit): an INDIR attribute of 0, 1 entries with and without memory
 * (tests/memcount.h fails the Nth allocation), and the ioctl-only probe's
 * nl->extack (SIOCETHTOOL answered here, tests/test_rss_probe.mk).
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/uapi.h"
#include "tests/ioctl_fake.h"
#include "tests/memcount.h"

static unsigned ioctls;

/* ETHTOOL_GRSSH of a device without RSS (virtio without rss=on, veth). */
static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	(void)fd;
	(void)ifr;
	ioctls++;
	errno = req == SIOCETHTOOL ? EOPNOTSUPP : ENOTTY;
	return -1;
}

static _Alignas(8) char mbuf[4096];

/* An RSS_GET reply: an INDIR attribute of n entries (0: present, empty), hfunc 1, a 40-byte key. */
static const struct nlmsghdr *reply(uint32_t n)
{
	static const uint32_t table[2] = {3, 1};
	static const uint8_t key[40];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(mbuf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	g->cmd = MQ_ETHTOOL_MSG_RSS_GET_REPLY;
	g->version = 1;
	mnl_attr_put_u32(nlh, MQ_ETHTOOL_A_RSS_HFUNC, 1);
	mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_INDIR, n * sizeof(uint32_t), table);
	mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_HKEY, sizeof(key), key);
	return nlh;
}

/*
 * 6.2-rc kernels sent an empty INDIR attribute for a device without a table:
 * n 0 and no table, nothing allocated, so no memory is needed. One entry is
 * a table; without memory for it, -ENOMEM and ret as it was.
 */
static void test_parse_table_sizes(void **state)
{
	struct mq_rss r = {.n = 77};
	(void)state;

	assert_int_equal(ethtool_rss_parse(reply(0), &r), 0);
	assert_int_equal(r.source, RSS_NETLINK);
	assert_int_equal(r.n, 0);
	assert_null(r.indir);
	assert_int_equal(r.key_size, 40);
	assert_int_equal(r.hfunc, 1);
	r.n = 77;
	mem_fail_in = 1;
	assert_int_equal(ethtool_rss_parse(reply(0), &r), 0);
	assert_int_equal(mem_fail_in, 1); /* not asked for */
	assert_int_equal(r.n, 0);
	assert_null(r.indir);

	assert_int_equal(ethtool_rss_parse(reply(1), &r), -ENOMEM);
	assert_int_equal(mem_fail_in, 0);
	assert_int_equal(r.n, 0); /* untouched: the 0 of the parse before */
	r.n = 77;
	assert_int_equal(ethtool_rss_parse(reply(1), &r), 0);
	assert_int_equal(r.n, 1);
	assert_non_null(r.indir);
	assert_int_equal(r.indir[0], 3);
	rss_free(&r);
}

/*
 * Without the ethtool family only the ioctl is asked: its failure has no
 * kernel words, so nl->extack says "" (not an earlier request's message)
 * and errmsg is strerror.
 */
static void test_ioctl_only(void **state)
{
	struct mq_nic nic = {.ifindex = 2, .name = "eth0"};
	struct mq_nl nl;
	(void)state;

	memset(&nl, 0, sizeof(nl));
	nl.ioctl_fd = 99; /* never used: ioctl is the fake above */
	snprintf(nl.extack, sizeof(nl.extack), "%s", "stale: an earlier request's words");
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EOPNOTSUPP);
	assert_int_equal(ioctls, 1);
	assert_string_equal(nl.extack, "");
	assert_int_equal(nic.rss.source, RSS_NONE);
	assert_int_equal(nic.rss.err, -EOPNOTSUPP);
	assert_string_equal(nic.rss.errmsg, strerror(EOPNOTSUPP));
	assert_null(nic.rss.indir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_table_sizes),
		cmocka_unit_test(test_ioctl_only),
	};

	return cmocka_run_group_tests_name("rss_probe", tests, NULL, NULL);
}
