// SPDX-License-Identifier: MIT
/*
 * ethstats_read() (probes/ethstats.c) when SIOCETHTOOL fails at each of its
 * three steps (count, key names, values) or the count changes under it: the
 * kernel's errno, and no counter filled from a buffer the kernel did not write.
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
#include <string.h>

#include <cmocka.h>

#include "probes/nl.h"
#include "probes/probe.h"
#include "tests/fixture_snapshot.h"
#include "tests/ioctl_fake.h"

static const char *const keys[] = {"rx_queue_0_packets", "rx_queue_0_bytes", "tx_queue_0_packets"};
#define NKEYS 3

static struct {
	uint32_t fail_cmd; /* this command fails with fail_errno */
	int fail_errno;
	uint32_t stats_n;  /* n_stats the values step reports back */
	unsigned calls;
} F;

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	uint32_t *cmd;

	(void)fd;
	cmd = (uint32_t *)ifr->ifr_data;
	F.calls++;
	if (req != SIOCETHTOOL || *cmd == F.fail_cmd) {
		errno = req != SIOCETHTOOL ? ENOTTY : F.fail_errno;
		return -1;
	}
	if (*cmd == ETHTOOL_GSSET_INFO) {
		((struct ethtool_sset_info *)cmd)->data[0] = NKEYS;
	} else if (*cmd == ETHTOOL_GSTRINGS) {
		struct ethtool_gstrings *gs = (struct ethtool_gstrings *)cmd;

		for (uint32_t i = 0; i < NKEYS && i < gs->len; i++)
			strncpy((char *)gs->data + i * ETH_GSTRING_LEN, keys[i], ETH_GSTRING_LEN);
	} else if (*cmd == ETHTOOL_GSTATS) {
		struct ethtool_stats *st = (struct ethtool_stats *)cmd;

		for (uint32_t i = 0; i < NKEYS && i < st->n_stats; i++)
			st->data[i] = 100 + i;
		st->n_stats = F.stats_n;
	} else {
		errno = EOPNOTSUPP;
		return -1;
	}
	return 0;
}

/* ethstats_read() on a one-queue virtio NIC with every counter unknown. */
static int read_with(uint32_t fail_cmd, int fail_errno, uint32_t stats_n, struct mq_snapshot *s)
{
	struct mq_nl nl = {.ioctl_fd = 99}; /* never used: ioctl is the fake above */
	struct mq_nic *n;
	int r;

	F = (typeof(F)){.fail_cmd = fail_cmd, .fail_errno = fail_errno, .stats_n = stats_n};
	fx_init(s, 1);
	n = fx_nic(s, "eth0", "virtio_net", 1, 1);
	nic_counters_reset(n);
	r = ethstats_read(&nl, n);
	nl.ioctl_fd = -1;
	mqnl_close(&nl);
	return r;
}

static void assert_untouched(const struct mq_snapshot *s)
{
	const struct mq_queue *q = &s->nics[0].queues[0];

	assert_true(q->rx_packets == MQ_NA && q->rx_bytes == MQ_NA && q->tx_packets == MQ_NA);
	assert_int_equal(s->nics[0].stats_source, STATS_NONE);
}

/* All three steps answer: three counters from ethtool -S. */
static void test_read_ok(void **state)
{
	struct mq_snapshot s;
	(void)state;

	assert_int_equal(read_with(0, 0, NKEYS, &s), NKEYS);
	assert_int_equal(F.calls, 3);
	assert_true(s.nics[0].queues[0].rx_packets == 100 && s.nics[0].queues[0].tx_packets == 102);
	assert_int_equal(s.nics[0].stats_source, STATS_ETHTOOL);
	fx_free(&s);
}

/* The kernel refuses a step: its errno, the steps after it not taken, nothing filled. */
static void test_step_fails(void **state)
{
	static const uint32_t steps[] = {ETHTOOL_GSSET_INFO, ETHTOOL_GSTRINGS, ETHTOOL_GSTATS};
	(void)state;

	for (unsigned i = 0; i < 3; i++) {
		struct mq_snapshot s;

		assert_int_equal(read_with(steps[i], ENODEV, NKEYS, &s), -ENODEV);
		assert_int_equal(F.calls, i + 1);
		assert_untouched(&s);
		fx_free(&s);
	}
}

/* The count changed between the steps (EFAULT, or fewer values): read once more, then -EAGAIN. */
static void test_count_changed(void **state)
{
	struct mq_snapshot s;
	(void)state;

	assert_int_equal(read_with(0, 0, NKEYS - 1, &s), -EAGAIN);
	assert_int_equal(F.calls, 6);
	assert_untouched(&s);
	fx_free(&s);
	assert_int_equal(read_with(ETHTOOL_GSTATS, EFAULT, NKEYS, &s), -EAGAIN);
	assert_int_equal(F.calls, 6);
	assert_untouched(&s);
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_read_ok),
		cmocka_unit_test(test_step_fails),
		cmocka_unit_test(test_count_changed),
	};
	return cmocka_run_group_tests_name("ethstats_fail", tests, NULL, NULL);
}
