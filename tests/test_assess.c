// SPDX-License-Identifier: MIT
/*
 * One truth: what the findings recommend is what the plan does. For configs
 * that clamp or skip things, after a perfect --apply (simulate_apply) the
 * plan has nothing to do and no finding asks for --apply; before it, every
 * --apply finding has a changing item of its NIC behind it.
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

#include "tests/snapbuild.h"

static const char *const configs[] = {
	"",
	"queues = 8\n",                       /* above the usable CPUs */
	"queues = max\n",
	"banned_cpus = 1,3\n",
	"xps = off\n",
	"rps = on\n",
	"irq_affinity = off\n",
	"[eth1]\nqueues = 2\nrps = on\n[eth2]\nexclude = yes\n",
	"queues = 3\nbanned_cpus = 0\nirq_affinity = off\nxps = off\n",
	"rss = off\n",
	"[eth0]\nrss = off\nqueues = 2\n",
};

static void build(struct mq_snapshot *s, unsigned ncpu, unsigned smt)
{
	snap_init(s, ncpu, smt, 1);
	add_nic(s, "eth0", &(struct nic_spec){ST_VIRTIO, 8, 1, -1});
	add_nic(s, "eth1", &(struct nic_spec){ST_RXTX, 4, 1, -1}); /* rx/tx-only (gve-like) */
	add_nic(s, "eth2", &(struct nic_spec){ST_PAIR, 4, 4, -1});
	add_nic(s, "eth3", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	add_nic(s, "eth4", &(struct nic_spec){ST_VETH, 4, 4, -1});
	nic_rss(&s->nics[0], 128, 1); /* left at one queue by hand (ethtool -X equal 1) */
	nic_rss(&s->nics[2], 128, 2); /* equal 2 of 4 */
}

/* Every finding that says "run --apply" stands on a changing item of its NIC, and back. */
static void check_consistent(const struct mq_assessment *a, const char *cfgtext)
{
	for (unsigned i = 0; i < a->nfindings; i++) {
		const struct mq_finding *f = &a->findings[i];
		bool backed = false;

		if (f->fix_kind != FIX_APPLY) {
			if (strstr(f->fix, "--apply") && !strstr(f->fix, "then reattach"))
				fail_msg("[%s] %s: fix names --apply but is not an apply fix: %s", cfgtext,
					 finding_code_to_string(f->code), f->fix);
			continue;
		}
		for (unsigned k = 0; k < a->plan.n && !backed; k++)
			backed = a->plan.items[k].change && strcmp(a->plan.items[k].ifname, f->ifname) == 0;
		if (!backed)
			fail_msg("[%s] %s on %s recommends --apply, which would change nothing there", cfgtext,
				 finding_code_to_string(f->code), f->ifname);
	}
	for (unsigned k = 0; k < a->plan.n; k++) {
		const struct plan_item *it = &a->plan.items[k];
		bool said = false;

		for (unsigned i = 0; i < a->nfindings && !said; i++)
			said = a->findings[i].fix_kind == FIX_APPLY &&
			       strcmp(a->findings[i].ifname, it->ifname) == 0;
		if (it->change && !said)
			fail_msg("[%s] %s %s would change but no finding says so", cfgtext, it->ifname,
				 plan_kind_to_string(it->kind));
	}
}

/* One --apply: channels, then (as the applier does) a re-probe and the rest re-planned. */
static void apply_once(struct mq_snapshot *s, const struct mq_config *cfg)
{
	struct mq_assessment a;
	bool channels = false;

	assert_int_equal(assess(s, NULL, cfg, &a), 0);
	for (unsigned k = 0; k < a.plan.n; k++)
		channels |= a.plan.items[k].kind == PLAN_CHANNELS && a.plan.items[k].change;
	simulate_apply(s, &a.plan);
	assessment_free(&a);
	if (!channels)
		return;
	assert_int_equal(assess(s, NULL, cfg, &a), 0);
	simulate_apply(s, &a.plan);
	assessment_free(&a);
}

static void run(unsigned ncpu, unsigned smt, const char *cfgtext)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_config cfg;
	char err[256];

	assert_int_equal(config_parse(cfgtext, "t", &cfg, err, sizeof(err)), 0);
	build(&s, ncpu, smt);
	for (int pass = 0; pass < 3; pass++) {
		assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
		check_consistent(&a, cfgtext);
		if (pass > 0) {
			/* the second --apply has nothing to do, and nothing asks for one */
			for (unsigned k = 0; k < a.plan.n && plan_changes(&a.plan); k++)
				if (a.plan.items[k].change)
					print_message("left: %s %s q%d irq %d\n", a.plan.items[k].ifname,
						      plan_kind_to_string(a.plan.items[k].kind), a.plan.items[k].queue,
						      a.plan.items[k].irq);
			if (plan_changes(&a.plan))
				fail_msg("[%s] %u CPUs: %u changes left after --apply", cfgtext, ncpu,
					 plan_changes(&a.plan));
			for (unsigned i = 0; i < a.nfindings; i++)
				assert_int_not_equal(a.findings[i].fix_kind, FIX_APPLY);
		}
		assessment_free(&a);
		apply_once(&s, &cfg);
	}
	snap_free(&s);
	config_free(&cfg);
}

static void test_apply_then_nothing_to_recommend(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(configs) / sizeof(configs[0]); i++) {
		run(2, 1, configs[i]);
		run(4, 1, configs[i]);
		run(8, 2, configs[i]);
		run(3, 1, configs[i]);
	}
}

/* A NIC's verdict by its address: only for the snapshot's own NICs, none for one beside them. */
static void test_verdict_lookup(void **state)
{
	struct mq_nic arr[3] = {{.ifindex = 1}, {.ifindex = 2}, {.ifindex = 3}};
	struct mq_snapshot s = {.nics = &arr[1], .nnics = 1};
	struct mq_nic_verdict v[1] = {{0}};
	struct mq_assessment a = {.now = &s, .nics = v};
	(void)state;

	assert_ptr_equal(assess_nic(&a, &arr[1]), &v[0]);
	assert_null(assess_nic(&a, &arr[0]));
	assert_null(assess_nic(&a, &arr[2]));
	s.nics = NULL;
	assert_null(assess_nic(&a, &arr[1]));
}

/* The clamp is said once, as info, and not as something --apply would fix. */
static void test_clamp_is_info(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_config cfg;
	char err[256];
	unsigned clamped = 0;
	(void)state;

	assessment_free(NULL); /* a no-op, as free(NULL): error paths call it on nothing */

	assert_int_equal(config_parse("[eth0]\nqueues = 8\n", "t", &cfg, err, sizeof(err)), 0);
	snap_init(&s, 2, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 8, 2, -1});
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	simulate_apply(&s, &a.plan);
	assessment_free(&a);
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	assert_int_equal(plan_changes(&a.plan), 0);
	for (unsigned i = 0; i < a.nfindings; i++) {
		assert_int_not_equal(a.findings[i].severity, SEV_WARNING);
		if (a.findings[i].code == FIND_QUEUES_CLAMPED) {
			clamped++;
			assert_int_equal(a.findings[i].severity, SEV_INFO);
			assert_non_null(strstr(a.findings[i].message, "queues = 8"));
			assert_non_null(strstr(a.findings[i].message, "using 2"));
		}
	}
	assert_int_equal(clamped, 1);
	assert_int_equal(a.nics[0].queues_target, 2);
	assessment_free(&a);
	/* freed is empty, and freeing again is a no-op: callers free on every path */
	assert_null(a.nics);
	assert_null(a.findings);
	assert_int_equal(a.nfindings, 0);
	assert_int_equal(a.plan.n, 0);
	assessment_free(&a);
	snap_free(&s);
	config_free(&cfg);
}

/* An rx/tx-only NIC has one device maximum, the same for the plan and the findings. */
static void test_rxtx_one_maximum(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	const struct plan_item *it;
	(void)state;

	snap_init(&s, 8, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_RXTX, 4, 1, -1});
	s.nics[0].ch.rx_max = 6; /* rx 6, tx 4 */
	snprintf(s.nics[0].driver, sizeof(s.nics[0].driver), "gve");
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(a.nics[0].queues_max, 6);
	assert_int_equal(nic_queues_max(&s.nics[0]), 6);
	it = &a.plan.items[a.nics[0].first];
	assert_int_equal(it->kind, PLAN_CHANNELS);
	assert_int_equal(it->ch_target.rx, 6);
	assert_int_equal(it->ch_target.tx, 4);
	for (unsigned i = 0; i < a.nfindings; i++)
		if (a.findings[i].code == FIND_DEVICE_FEWER_QUEUES)
			assert_non_null(strstr(a.findings[i].message, "at most 6 queues"));
	assessment_free(&a);
	snap_free(&s);
}

/* A table that leaves queues out: a warning --apply fixes (rss = auto), info with rss = off. */
static void test_rss_table(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_config cfg;
	const struct plan_item *it;
	char err[256];
	unsigned seen = 0;
	(void)state;

	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_PAIR, 4, 4, -1});
	nic_rss(&s.nics[0], 128, 2);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	it = assess_item(&a, &a.nics[0], PLAN_RSS);
	assert_non_null(it);
	assert_true(it->change);
	assert_int_equal(it->rss.covered, 2);
	assert_int_equal(it->rss.queues, 4);
	assert_false(it->rss.was_default);
	for (unsigned i = 0; i < a.nfindings; i++)
		if (a.findings[i].code == FIND_RSS_LEAVES_OUT) {
			seen++;
			assert_int_equal(a.findings[i].severity, SEV_WARNING);
			assert_int_equal(a.findings[i].fix_kind, FIX_APPLY);
			assert_non_null(strstr(a.findings[i].message, "2 of 4 active RX queues: 2-3 receive nothing"));
		}
	assert_int_equal(seen, 1);
	simulate_apply(&s, &a.plan);
	assessment_free(&a);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	it = assess_item(&a, &a.nics[0], PLAN_RSS);
	assert_true(it && !it->change && it->rss.was_default && it->rss.covered == 4);
	for (unsigned i = 0; i < a.nfindings; i++)
		assert_int_not_equal(a.findings[i].code, FIND_RSS_LEAVES_OUT);
	assessment_free(&a);

	/* rss = off: no item, the finding says why it stays */
	nic_rss(&s.nics[0], 128, 2);
	assert_int_equal(config_parse("rss = off\n", "t", &cfg, err, sizeof(err)), 0);
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	assert_null(assess_item(&a, &a.nics[0], PLAN_RSS));
	seen = 0;
	for (unsigned i = 0; i < a.nfindings; i++)
		if (a.findings[i].code == FIND_RSS_LEAVES_OUT) {
			seen++;
			assert_int_equal(a.findings[i].severity, SEV_INFO);
			assert_int_equal(a.findings[i].fix_kind, FIX_ADMIN);
			assert_non_null(strstr(a.findings[i].fix, "rss = off"));
		}
	assert_int_equal(seen, 1);
	assessment_free(&a);
	config_free(&cfg);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_apply_then_nothing_to_recommend),
		cmocka_unit_test(test_clamp_is_info),
		cmocka_unit_test(test_verdict_lookup),
		cmocka_unit_test(test_rxtx_one_maximum),
		cmocka_unit_test(test_rss_table),
	};

	return cmocka_run_group_tests_name("assess", tests, NULL, NULL);
}
