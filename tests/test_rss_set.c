// SPDX-License-Identifier: MIT
/*
 * agent/rss.c: rss_table_set() writes a recorded table back only when the
 * device's table still has its size; a table it cannot hold (none given,
 * over 65,536 entries) is refused before the kernel is asked anything;
 * without memory for the request, -ENOMEM and nothing written.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/rss.h"
#include "probes/probe.h"
#include "tests/ioctl_fake.h"
#include "tests/memcount.h"

/* A fake SIOCETHTOOL: GRSSH tells the table size, SRSSH is recorded. */
static struct {
	uint32_t n;          /* the device's table */
	unsigned gets, sets;
	uint32_t set_size;   /* of the last SRSSH */
	uint32_t set[8];     /* its first entries */
} K;

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	struct ethtool_rxfh *rx;

	(void)fd;
	assert_int_equal(req, SIOCETHTOOL);
	rx = (struct ethtool_rxfh *)ifr->ifr_data;
	if (rx->cmd == ETHTOOL_GRSSH) {
		K.gets++;
		rx->indir_size = K.n;
		return 0;
	}
	assert_int_equal(rx->cmd, ETHTOOL_SRSSH);
	K.sets++;
	K.set_size = rx->indir_size;
	memcpy(K.set, rx->rss_config, (rx->indir_size < 8 ? rx->indir_size : 8) * sizeof(uint32_t));
	return 0;
}

static void test_set(void **state)
{
	static uint32_t big[65537];
	const uint32_t table[4] = {1, 0, 1, 0};
	struct mq_nic nic = {.ifindex = 2, .name = "eth0"};
	struct mq_nl nl = {.ioctl_fd = 99};
	char msg[80];
	(void)state;

	memset(&K, 0, sizeof(K));
	K.n = 4;
	assert_int_equal(rss_table_set(&nl, &nic, table, 4, msg, sizeof(msg)), 0);
	assert_int_equal(K.sets, 1);
	assert_int_equal(K.set_size, 4);
	assert_memory_equal(K.set, table, sizeof(table));
	/* no table, or one no device has: refused, the kernel not asked */
	assert_int_equal(rss_table_set(&nl, &nic, NULL, 4, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(rss_table_set(&nl, &nic, big, 65537, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(K.gets, 1);
	assert_int_equal(K.sets, 1);
	/* 65,536 is a size a device may have: asked, and here the device's differs */
	assert_int_equal(rss_table_set(&nl, &nic, big, 65536, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "the table has 4 entries now, 65536 were recorded");
	assert_int_equal(K.gets, 2);
	assert_int_equal(K.sets, 1);
	/* n 0: the default table, no entries needed */
	assert_int_equal(rss_table_set(&nl, &nic, NULL, 0, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(K.sets, 2);
	assert_int_equal(K.set_size, 0);
	/* no memory for the request: said, the device's table not written */
	mem_fail_in = 1;
	assert_int_equal(rss_table_set(&nl, &nic, table, 4, msg, sizeof(msg)), -ENOMEM);
	assert_int_equal(mem_fail_in, 0); /* the allocation was the one that failed */
	assert_int_equal(K.gets, 4);
	assert_int_equal(K.sets, 2);
	assert_int_equal(mem_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
