// SPDX-License-Identifier: MIT
/*
 * core/rss.c: how an RSS indirection table spreads over the active RX
 * queues (equal 2 of 4, the default spread, weights, n not dividing 128,
 * one queue, tables smaller than the queue count, empty), and the strings.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/rss.h"

static uint32_t spread2[128], spread4[128];

static int setup(void **state)
{
	(void)state;
	for (unsigned i = 0; i < 128; i++) {
		spread2[i] = i % 2;
		spread4[i] = i % 4;
	}
	return 0;
}

static void test_analyse_equal2_of4(void **state)
{
	struct rss_spread s;
	char list[32];
	(void)state;

	/* `ethtool -X eth0 equal 2` with 4 active queues: the issue. */
	assert_int_equal(rss_table_analyse(spread2, 128, 4, &s), 0);
	assert_int_equal(s.n, 128);
	assert_int_equal(s.nqueues, 4);
	assert_int_equal(s.covered, 2);
	assert_int_equal(s.left_out, 2);
	assert_int_equal(s.first_left_out, 2);
	assert_true(cpuset_format_list(cpuset_buf(&s.left_out_set), list, sizeof(list)) > 0);
	assert_string_equal(list, "2-3");
	assert_int_equal(s.beyond, 0);
	assert_int_equal(s.busiest, 0);
	assert_int_equal(s.max_weight, 64);
	assert_int_equal(s.min_weight, 0);
	assert_true(fabs(s.max_share - 0.5) < 1e-9);
	assert_false(s.even);
	assert_false(s.is_default);
	assert_int_equal(s.target_max_weight, 32);
	assert_int_equal(s.target_left_out, 0);
	assert_true(s.reset_helps);
}

static void test_analyse_default(void **state)
{
	struct rss_spread s;
	uint32_t t[128];
	(void)state;

	assert_int_equal(rss_table_analyse(spread4, 128, 4, &s), 0);
	assert_true(s.is_default);
	assert_true(s.even);
	assert_int_equal(s.covered, 4);
	assert_int_equal(s.left_out, 0);
	assert_int_equal(s.first_left_out, -1);
	assert_true(cpuset_empty(cpuset_buf(&s.left_out_set)));
	assert_int_equal(s.max_weight, 32);
	assert_int_equal(s.min_weight, 32);
	assert_true(fabs(s.max_share - 0.25) < 1e-9);
	assert_false(s.reset_helps);
	/* The default over 2 queues is not the default over 4, and vice versa. */
	assert_int_equal(rss_table_analyse(spread2, 128, 2, &s), 0);
	assert_true(s.is_default);
	assert_int_equal(rss_table_analyse(spread4, 128, 2, &s), 0);
	assert_false(s.is_default);
	assert_int_equal(s.beyond, 64); /* entries for queues 2-3, no longer active */
	assert_int_equal(s.covered, 2);
	assert_true(s.reset_helps);
	/* 3 queues: 128 = 43 + 43 + 42, still even and the default. */
	for (unsigned i = 0; i < 128; i++)
		t[i] = i % 3;
	assert_int_equal(rss_table_analyse(t, 128, 3, &s), 0);
	assert_true(s.is_default);
	assert_true(s.even);
	assert_int_equal(s.max_weight, 43);
	assert_int_equal(s.min_weight, 42);
	assert_int_equal(s.target_max_weight, 43);
	assert_false(s.reset_helps);
	/* The same weights in another order: not the default, but nothing to gain. */
	for (unsigned i = 0; i < 128; i++)
		t[i] = 2 - i % 3;
	assert_int_equal(rss_table_analyse(t, 128, 3, &s), 0);
	assert_false(s.is_default);
	assert_true(s.even);
	assert_false(s.reset_helps);
}

static void test_analyse_weights(void **state)
{
	struct rss_spread s;
	uint32_t t[128];
	(void)state;

	/* `ethtool -X eth0 weight 2 1 1 1`: 64, 22, 21, 21 entries. */
	for (unsigned i = 0; i < 128; i++)
		t[i] = i < 64 ? 0 : 1 + (i - 64) % 3;
	assert_int_equal(rss_table_analyse(t, 128, 4, &s), 0);
	assert_int_equal(s.covered, 4);
	assert_int_equal(s.left_out, 0);
	assert_int_equal(s.max_weight, 64);
	assert_int_equal(s.min_weight, 21);
	assert_false(s.even);
	assert_true(s.reset_helps);
	/* One entry moved from queue 3 to queue 0: 33, 32, 32, 31 is uneven by two. */
	for (unsigned i = 0; i < 128; i++)
		t[i] = i == 3 ? 0 : i % 4;
	assert_int_equal(rss_table_analyse(t, 128, 4, &s), 0);
	assert_int_equal(s.max_weight, 33);
	assert_int_equal(s.min_weight, 31);
	assert_false(s.even);
	assert_false(s.is_default);
	assert_true(s.reset_helps);
	/* Queue 3 busiest, a tie goes to the lowest queue. */
	for (unsigned i = 0; i < 128; i++)
		t[i] = i < 40 ? 3 : i % 3;
	assert_int_equal(rss_table_analyse(t, 128, 4, &s), 0);
	assert_int_equal(s.busiest, 3);
	for (unsigned i = 0; i < 128; i++)
		t[i] = i % 2 ? 1 : 3;
	assert_int_equal(rss_table_analyse(t, 128, 4, &s), 0);
	assert_int_equal(s.busiest, 1);
	assert_int_equal(s.first_left_out, 0);
	assert_int_equal(s.left_out, 2);
}

static void test_analyse_edges(void **state)
{
	struct rss_spread s;
	uint32_t zero[128] = {0}, t[4] = {0, 1, 2, 3};
	(void)state;

	/* One queue: every entry 0 is the default. */
	assert_int_equal(rss_table_analyse(zero, 128, 1, &s), 0);
	assert_true(s.is_default);
	assert_int_equal(s.covered, 1);
	assert_true(fabs(s.max_share - 1.0) < 1e-9);
	assert_int_equal(s.target_max_weight, 128);
	assert_false(s.reset_helps);
	/* 5 entries over 4 queues: one queue must take 2, so 2, 1, 1, 1 is already the best. */
	{
		uint32_t five[5] = {1, 0, 2, 3, 0};

		assert_int_equal(rss_table_analyse(five, 5, 4, &s), 0);
		assert_false(s.is_default);
		assert_int_equal(s.max_weight, 2);
		assert_int_equal(s.target_max_weight, 2);
		assert_false(s.reset_helps);
	}
	/* A table smaller than the queue count cannot cover them all, not even after a reset. */
	assert_int_equal(rss_table_analyse(t, 4, 8, &s), 0);
	assert_true(s.is_default);
	assert_int_equal(s.left_out, 4);
	assert_int_equal(s.target_left_out, 4);
	assert_true(s.even);
	assert_false(s.reset_helps);
	/* Empty, no table, no queues, absurd queue counts. */
	assert_int_equal(rss_table_analyse(t, 0, 4, &s), -ENODATA);
	assert_int_equal(rss_table_analyse(NULL, 128, 4, &s), -ENODATA);
	assert_int_equal(rss_table_analyse(t, 4, 0, &s), -EINVAL);
	assert_int_equal(rss_table_analyse(t, 4, 65537, &s), -EINVAL);
	assert_int_equal(rss_table_analyse(t, 4, 4, NULL), -EINVAL);
	/* Queues beyond the bitmap are counted, not set. */
	assert_int_equal(rss_table_analyse(t, 4, 10000, &s), 0);
	assert_int_equal(s.left_out, 9996);
	assert_int_equal(cpuset_count(cpuset_buf(&s.left_out_set)), MQ_MAX_CPUS - 4);
}

static void test_analyse_nic(void **state)
{
	struct mq_nic nic = {.name = "eth0", .real_rx_queues = 4};
	struct rss_spread s;
	(void)state;

	assert_int_equal(rss_nic_analyse(&nic, &s), -ENODATA); /* not probed */
	nic.rss = (struct mq_rss){.source = RSS_NONE, .err = -EOPNOTSUPP};
	assert_int_equal(rss_nic_analyse(&nic, &s), -ENODATA);
	/* a table is judged only when its read says it was read */
	nic.rss = (struct mq_rss){.source = RSS_NONE, .n = 128, .indir = spread2};
	assert_int_equal(rss_nic_analyse(&nic, &s), -ENODATA);
	nic.rss = (struct mq_rss){.source = RSS_NETLINK, .n = 0, .key_size = 40}; /* a key, no table */
	assert_int_equal(rss_nic_analyse(&nic, &s), -ENODATA);
	nic.rss = (struct mq_rss){.source = RSS_NETLINK, .n = 128, .indir = spread2};
	assert_int_equal(rss_nic_analyse(&nic, &s), 0);
	assert_int_equal(s.nqueues, 4);
	assert_int_equal(s.left_out, 2);
	/* sysfs unreadable: channels say how many RX queues are active */
	nic.real_rx_queues = 0;
	nic.ch = (struct mq_channels){.source = CHANNELS_NETLINK, .combined = 2};
	assert_int_equal(rss_nic_analyse(&nic, &s), 0);
	assert_int_equal(s.nqueues, 2);
	assert_true(s.is_default);
	nic.ch.combined = 0;
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(rss_nic_analyse(&nic, &s), -ENODATA);
	assert_int_equal(s.nqueues, 0xa5a5a5a5u); /* written only on success */
	/* nothing to judge or nowhere to put it */
	nic.ch.combined = 2;
	assert_int_equal(rss_nic_analyse(NULL, &s), -EINVAL);
	assert_int_equal(rss_nic_analyse(&nic, NULL), -EINVAL);
}

static void test_strings(void **state)
{
	(void)state;
	assert_string_equal(rss_hfunc_to_string(1), "toeplitz");
	assert_string_equal(rss_hfunc_to_string(2), "xor");
	assert_string_equal(rss_hfunc_to_string(4), "crc32");
	assert_string_equal(rss_hfunc_to_string(0), "unknown");
	assert_string_equal(rss_hfunc_to_string(3), "other");
	assert_string_equal(rss_source_to_string(RSS_NETLINK), "netlink");
	assert_string_equal(rss_source_to_string(RSS_IOCTL), "ioctl");
	assert_string_equal(rss_source_to_string(RSS_NONE), "none");
	assert_string_equal(rss_source_to_string(_RSS_SOURCE_MAX), "invalid");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_analyse_equal2_of4, setup),
		cmocka_unit_test_setup(test_analyse_default, setup),
		cmocka_unit_test_setup(test_analyse_weights, setup),
		cmocka_unit_test_setup(test_analyse_edges, setup),
		cmocka_unit_test_setup(test_analyse_nic, setup),
		cmocka_unit_test(test_strings),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
