// SPDX-License-Identifier: MIT
/*
 * The whole tuning pass (probe, plan, apply, re-probe) on a veth that
 * tests/integration/netns-apply.sh creates in its own network namespace with
 * channels rx 1 tx 1. Without MQ_TEST_IFACE every test skips: tests/run also
 * runs this binary outside any namespace, where it must not touch anything.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/log.h"
#include "agent/tune.h"
#include "output/plan.h"
#include "probes/probe.h"

/* A veth has no IRQs and the machine's DMI does not matter here (tests/test_live_apply.mk). */
int __wrap_platform_probe(struct mq_platform *ret);
int __wrap_platform_probe(struct mq_platform *ret)
{
	memset(ret, 0, sizeof(*ret));
	return 0;
}
int __wrap_irqmap_by_names(struct mq_nic *nic, const struct irq_table *t);
int __wrap_irqmap_by_names(struct mq_nic *nic, const struct irq_table *t)
{
	(void)nic;
	(void)t;
	return 0;
}
int __wrap_irq_affinity_read(struct mq_irq *irq);
int __wrap_irq_affinity_read(struct mq_irq *irq)
{
	(void)irq;
	return -ENOENT;
}

static char *iface;
static struct mq_nl nl;

static int setup(void **state)
{
	int r;

	(void)state;
	iface = getenv("MQ_TEST_IFACE");
	if (!iface || !*iface) {
		printf("test_live_apply: MQ_TEST_IFACE unset: skipping (run by "
		       "tests/integration/netns-apply.sh)\n");
		iface = NULL;
		return 0;
	}
	r = mqnl_open(&nl);
	if (r < 0) {
		printf("mqnl_open: %s\n", strerror(-r));
		return -1;
	}
	log_setup(LOG_LVL_WARN, false);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (iface)
		mqnl_close(&nl);
	return 0;
}

static unsigned run(bool dry, struct tune_pass *p)
{
	struct mq_config cfg;
	struct probe_opts o = {.ifnames = &iface, .nifnames = 1};
	struct tune t;

	config_init(&cfg);
	tune_init(&t, &nl, &cfg, &o);
	assert_int_equal(tune_run(&t, dry, p), 0);
	plan_render_text(stdout, &p->a);
	tune_free(&t);
	config_free(&cfg);
	return plan_changes(&p->a.plan);
}

static void test_dry_apply_again(void **state)
{
	struct tune_pass p;
	CPUSET_DEFINE(xps);
	unsigned want = 0, nxps = 0;
	(void)state;
	if (!iface)
		skip();
	/* dry run: changes planned, nothing written */
	assert_true(run(true, &p) > 0);
	for (unsigned i = 0; i < p.a.plan.n; i++)
		assert_int_equal(p.a.plan.items[i].status, STEP_PLANNED);
	tune_pass_free(&p);
	assert_true(run(true, &p) > 0);
	tune_pass_free(&p);

	/* apply */
	run(false, &p);
	assert_int_equal(p.tally.failed, 0);
	assert_true(p.tally.ok > 0);
	assert_true(p.a.plan.reprobed);
	cpuset_zero(xps);
	for (unsigned i = 0; i < p.a.plan.n; i++) {
		const struct plan_item *it = &p.a.plan.items[i];

		assert_true(it->status == STEP_OK || it->status == STEP_UNCHANGED);
		if (it->kind == PLAN_CHANNELS) {
			want = p.a.nusable < 8 ? p.a.nusable : 8;
			assert_int_equal(it->ch_target.rx, want);
			assert_int_equal(it->ch_target.tx, want);
			assert_int_equal(it->status, STEP_OK);
		}
		if (it->kind == PLAN_XPS) {
			cpuset_or(xps, xps, it->target);
			nxps++;
		}
	}
	assert_true(want > 0);
	if (want > 1) {
		assert_int_equal(nxps, want); /* re-planned for the new queues */
		assert_true(cpuset_equal(xps, p.a.usable));
	}
	printf("MQ_RESULT_CHANNELS=%u\n", want);
	tune_pass_free(&p);

	/* again: nothing to do, nothing written, and nothing recommends --apply */
	assert_int_equal(run(false, &p), 0);
	assert_int_equal(p.tally.ok, 0);
	assert_int_equal(p.tally.failed, 0);
	assert_int_equal(p.changes, 0);
	assert_string_equal(p.summary, "nothing to do");
	for (unsigned i = 0; i < p.a.nfindings; i++)
		assert_int_not_equal(p.a.findings[i].fix_kind, FIX_APPLY);
	tune_pass_free(&p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_apply_again),
	};
	return cmocka_run_group_tests_name("live_apply", tests, setup, teardown);
}
