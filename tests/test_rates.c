// SPDX-License-Identifier: MIT
/*
 * core/rates.c queue_counts(): deltas for a queue both samples have, totals
 * without a before, and "missing" (MQ_NA) for a queue or NIC one sample
 * lacks, never a read past what that sample holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/rates.h"
#include "tests/fixture_snapshot.h"

static void expect_none(const struct queue_counts *c)
{
	const uint64_t *v = &c->rx_packets;

	for (unsigned i = 0; i < 6; i++)
		assert_true(v[i] == MQ_NA);
}

static void test_queue_counts(void **state)
{
	struct mq_snapshot now, before;
	struct mq_queue *saved;
	struct queue_counts c;
	(void)state;

	/* before: 2 queues; now: 4 (channels raised between the samples) */
	fx_init(&before, 4);
	fx_nic(&before, "eth0", "virtio_net", 2, 4);
	for (unsigned q = 0; q < 2; q++)
		fx_counters(&before.nics[0], q, 100, 1000, 10, 500);
	fx_init(&now, 4);
	fx_nic(&now, "eth0", "virtio_net", 4, 4);
	for (unsigned q = 0; q < 4; q++)
		fx_counters(&now.nics[0], q, 150, 1600, 13, 900);
	now.taken.tv_sec += 1;

	queue_counts(NULL, &now.nics[0], 3, &c); /* no before: totals */
	assert_true(c.rx_packets == 150 && c.rx_bytes == 1600 && c.tx_packets == 13 && c.tx_bytes == 900);
	queue_counts(&before, &now.nics[0], 1, &c); /* the last queue both have */
	assert_true(c.rx_packets == 50 && c.rx_bytes == 600 && c.tx_packets == 3 && c.tx_bytes == 400);
	queue_counts(&before, &now.nics[0], 2, &c); /* the first only now has */
	expect_none(&c);
	queue_counts(&before, &now.nics[0], 4, &c); /* beyond now's queues */
	expect_none(&c);
	queue_counts(NULL, &now.nics[0], 4, &c);
	expect_none(&c);
	/* a before NIC whose queue array is missing while its count says 4 */
	before.nics[0].nqueues = 4;
	saved = before.nics[0].queues;
	before.nics[0].queues = NULL;
	queue_counts(&before, &now.nics[0], 0, &c);
	expect_none(&c);
	before.nics[0].queues = saved;
	before.nics[0].nqueues = 2;
	/* the NIC is not in before (renamed): missing, not totals */
	snprintf(before.nics[0].name, sizeof(before.nics[0].name), "eth9");
	queue_counts(&before, &now.nics[0], 0, &c);
	expect_none(&c);
	fx_free(&now);
	fx_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_counts),
	};
	return cmocka_run_group_tests_name("rates", tests, NULL, NULL);
}
