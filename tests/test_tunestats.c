// SPDX-License-Identifier: MIT
/*
 * core/tunestats.c: the daemon's tuning history. A pass without failures
 * stamps last_apply, one with a failure leaves it; failures count by NIC and
 * action; a drift correction is a change after the first pass; the NIC table
 * holds 64 and the 65th NIC's failures still count in the pass.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/tunestats.h"

static struct plan_item item(const char *ifname, enum plan_kind kind, enum step_status status)
{
	struct plan_item it = {.kind = kind, .status = status, .queue = -1, .irq = -1};

	snprintf(it.ifname, sizeof(it.ifname), "%s", ifname);
	return it;
}

static void test_clean_and_failed_passes(void **state)
{
	static struct mq_tune_stats t;
	struct plan_item items[3] = {item("eth0", PLAN_CHANNELS, STEP_UNCHANGED),
				     item("eth1", PLAN_XPS, STEP_UNCHANGED)};
	struct mq_plan p = {.n = 2, .items = items};
	const struct mq_tune_nic *tn;
	(void)state;

	/* first pass, nothing to change: clean, not a drift correction; each NIC gets its series */
	tune_stats_update(&t, &p, 1000);
	assert_int_equal(t.last_apply, 1000);
	assert_int_equal(t.passes, 1);
	assert_int_equal(t.drift_corrections, 0);
	assert_int_equal(t.nnics, 2);
	tn = tune_stats_find(&t, "eth1");
	assert_non_null(tn);
	for (unsigned k = 0; k < _PLAN_KIND_MAX; k++)
		assert_int_equal(tn->failures[k], 0);
	assert_null(tune_stats_find(&t, "eth2"));

	/* second pass changes something, one IRQ step fails: last_apply stays */
	items[0].status = STEP_OK;
	items[2] = item("eth1", PLAN_IRQ_AFFINITY, STEP_FAILED);
	p.n = 3;
	tune_stats_update(&t, &p, 2000);
	assert_int_equal(t.last_apply, 1000);
	assert_int_equal(t.passes, 2);
	assert_int_equal(t.drift_corrections, 1);
	assert_int_equal(t.nnics, 2);
	tn = tune_stats_find(&t, "eth1");
	assert_int_equal(tn->failures[PLAN_IRQ_AFFINITY], 1);
	assert_int_equal(tn->failures[PLAN_XPS], 0);
	assert_int_equal(tune_stats_find(&t, "eth0")->failures[PLAN_IRQ_AFFINITY], 0);

	/* third: clean again, a change after the first pass */
	items[2].status = STEP_SKIPPED;
	tune_stats_update(&t, &p, 3000);
	assert_int_equal(t.last_apply, 3000);
	assert_int_equal(t.drift_corrections, 2);
	assert_int_equal(tune_stats_find(&t, "eth1")->failures[PLAN_IRQ_AFFINITY], 1);

	/* a clean pass with nothing changed: stamped, no correction */
	items[0].status = STEP_UNCHANGED;
	tune_stats_update(&t, &p, 4000);
	assert_int_equal(t.last_apply, 4000);
	assert_int_equal(t.passes, 4);
	assert_int_equal(t.drift_corrections, 2);
}

/* 64 NICs fit; the 65th is not in the table, yet its failure keeps last_apply. */
static void test_table_full(void **state)
{
	static struct mq_tune_stats t;
	static struct plan_item items[MQ_TUNE_MAX_NICS + 1];
	struct mq_plan p = {.n = MQ_TUNE_MAX_NICS + 1, .items = items};
	char name[IF_NAMESIZE];
	(void)state;

	for (unsigned i = 0; i <= MQ_TUNE_MAX_NICS; i++) {
		snprintf(name, sizeof(name), "eth%u", i);
		items[i] = item(name, PLAN_RPS, STEP_UNCHANGED);
	}
	items[MQ_TUNE_MAX_NICS].status = STEP_FAILED;
	t.last_apply = 5;
	tune_stats_update(&t, &p, 1000);
	assert_int_equal(t.nnics, MQ_TUNE_MAX_NICS);
	assert_int_equal(t.last_apply, 5);
	assert_non_null(tune_stats_find(&t, "eth63"));
	assert_null(tune_stats_find(&t, "eth64"));
	assert_null(tune_stats_nic(&t, "eth64"));
	assert_ptr_equal(tune_stats_nic(&t, "eth0"), &t.nic[0]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clean_and_failed_passes),
		cmocka_unit_test(test_table_full),
	};
	return cmocka_run_group_tests_name("tunestats", tests, NULL, NULL);
}
