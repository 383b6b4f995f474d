// SPDX-License-Identifier: MIT
/*
 * The planner where the ordinary tables do not reach (core/plan.c,
 * core/plan_cpus.c): cores with four threads, and XPS that follows where
 * the queue IRQs already are when irq_affinity = off.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/plan_cpus.h"
#include "tests/guard.h"
#include "tests/snapbuild.h"

static const struct plan_item *find_item(const struct mq_plan *p, enum plan_kind k, int queue)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->items[i].kind == k && p->items[i].queue == queue)
			return &p->items[i];
	return NULL;
}

/* The CPU queue q's IRQs are given, -1 if none planned. */
static int planned_cpu(const struct mq_plan *p, int q)
{
	const struct plan_item *it = find_item(p, PLAN_IRQ_AFFINITY, q);

	return it ? cpuset_next(it->target, 0) : -1;
}

static void expect_xps(const struct mq_plan *p, int q, const char *list)
{
	const struct plan_item *it = find_item(p, PLAN_XPS, q);
	char got[64];

	assert_non_null(it);
	assert_true(cpuset_format_list(it->target, got, sizeof(got)) >= 0);
	if (strcmp(got, list) != 0)
		fail_msg("tx-%d xps %s, want %s", q, got, list);
}

/*
 * Cores of four threads (SMT4: POWER guests, some x86 hosts pass it
 * through), cores {0-3} {4-7}: first threads first, then the second thread
 * of each core, then the third; a queue's siblings join its XPS.
 */
static void test_smt4(void **state)
{
	static const struct {
		unsigned queues;
		int cpu[8];
		const char *xps[8];
	} cases[] = {
		{2, {0, 4}, {"0-3", "4-7"}},
		{4, {0, 4, 1, 5}, {"0,2-3", "4,6-7", "1", "5"}},
		{6, {0, 4, 1, 5, 2, 6}, {"0,3", "4,7", "1", "5", "2", "6"}},
		{8, {0, 4, 1, 5, 2, 6, 3, 7}, {"0", "4", "1", "5", "2", "6", "3", "7"}},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_snapshot s;
		struct mq_plan p;

		snap_init(&s, 8, 4, 1);
		add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, cases[i].queues, cases[i].queues, -1});
		assert_int_equal(plan_of(&s, NULL, &p), 0);
		for (unsigned q = 0; q < cases[i].queues; q++) {
			if (planned_cpu(&p, (int)q) != cases[i].cpu[q])
				fail_msg("%u queues: queue %u on CPU %d, want %d", cases[i].queues, q,
					 planned_cpu(&p, (int)q), cases[i].cpu[q]);
			expect_xps(&p, (int)q, cases[i].xps[q]);
		}
		plan_free(&p);
		snap_free(&s);
	}
}

/* Three threads per core, 9 CPUs, and a second NIC: it carries on where the first left off. */
static void test_smt3_two_nics(void **state)
{
	static const int eth0[] = {0, 3, 6}, eth1[] = {1, 4, 7};
	struct mq_snapshot s;
	struct mq_plan p;
	(void)state;

	snap_init(&s, 9, 3, 1); /* cores {0-2} {3-5} {6-8} */
	add_nic(&s, "eth0", &(struct nic_spec){ST_PAIR, 3, 3, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_PAIR, 3, 3, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	for (unsigned i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.items[i];

		if (it->kind != PLAN_IRQ_AFFINITY)
			continue;
		assert_int_equal(cpuset_next(it->target, 0),
				 (strcmp(it->ifname, "eth0") == 0 ? eth0 : eth1)[it->queue]);
	}
	plan_free(&p);
	snap_free(&s);
}

/* Where queue q's IRQs are now: RX on rx_cpu, TX on tx_cpu (-1: unknown). */
static void place(struct mq_nic *n, unsigned q, int rx_cpu, int tx_cpu)
{
	for (unsigned i = 0; i < n->nirqs; i++) {
		struct mq_irq *irq = &n->irqs[i];
		int cpu = irq->role == IRQ_ROLE_RX ? rx_cpu : tx_cpu;

		if (irq->queue != (int)q)
			continue;
		irq->has_affinity = irq->has_effective = cpu >= 0;
		irq->affinity = irq->effective = cpu >= 0 ? fx_cpu(&n->sets, (unsigned)cpu) : NULL;
	}
}

/*
 * irq_affinity = off: the IRQs stay where they are and XPS follows them, by
 * the CPU of the queue's TX interrupt (it completes the sends), by the RX
 * one when that is all there is to go by.
 */
static void test_xps_with_irq_affinity_off(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_plan p;
	struct mq_nic *n;
	(void)state;

	snap_init(&s, 4, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	place(n, 0, 1, 2);
	place(n, 1, 0, 3);
	place(n, 2, 3, 0);
	place(n, 3, 1, -1); /* output.3's CPU unknown: input.3's */
	config_init(&cfg);
	cfg.defaults.irq_affinity = false;
	assert_int_equal(plan_of(&s, &cfg, &p), 0);
	for (unsigned i = 0; i < p.n; i++)
		assert_int_not_equal(p.items[i].kind, PLAN_IRQ_AFFINITY);
	expect_xps(&p, 0, "2");
	expect_xps(&p, 1, "3");
	expect_xps(&p, 2, "0");
	expect_xps(&p, 3, "1");
	plan_free(&p);

	/* two queues on CPUs 2 and 3: CPUs 0 and 1 join them, one each */
	nic_queues(n, 2);
	n->ch.combined = 2;
	for (unsigned i = 0; i < n->nirqs; i++)
		if (n->irqs[i].queue >= 2)
			n->irqs[i].queue = -1, n->irqs[i].role = IRQ_ROLE_OTHER;
	place(n, 0, 2, 2);
	place(n, 1, 3, 3);
	cfg.defaults.queues_mode = QUEUES_N;
	cfg.defaults.queues = 2;
	assert_int_equal(plan_of(&s, &cfg, &p), 0);
	expect_xps(&p, 0, "0,2");
	expect_xps(&p, 1, "1,3");
	plan_free(&p);
	config_free(&cfg);
	snap_free(&s);
}

/*
 * irq_affinity = off, the CPUs no queue IRQ is on: each to the queue with
 * the fewest, round-robin among equals (queue 1's IRQs are nowhere known);
 * of two RX IRQs of a queue with no TX CPU known, the first one's CPU.
 */
static void test_xps_round_robin_and_rx_fallback(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_plan p;
	struct mq_nic *n;
	(void)state;

	config_init(&cfg);
	cfg.defaults.irq_affinity = false;
	snap_init(&s, 4, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 3, 3, -1});
	place(n, 0, 0, 0);
	place(n, 1, -1, -1);
	place(n, 2, 1, 1);
	assert_int_equal(plan_of(&s, &cfg, &p), 0);
	expect_xps(&p, 0, "0");
	expect_xps(&p, 1, "2");
	expect_xps(&p, 2, "1,3");
	plan_free(&p);
	snap_free(&s);

	snap_init(&s, 2, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	place(n, 0, 1, 1);
	place(n, 1, 0, -1);
	add_irq(n, "virtio1-input.1b", IRQ_ROLE_RX, 1);
	n->irqs[n->nirqs - 1].affinity = n->irqs[n->nirqs - 1].effective = fx_cpu(&n->sets, 1);
	assert_int_equal(plan_of(&s, &cfg, &p), 0);
	expect_xps(&p, 0, "1");
	expect_xps(&p, 1, "0");
	plan_free(&p);
	config_free(&cfg);
	snap_free(&s);
}

/* Channel counts past INT_MAX (a driver's garbage): a plan all the same, not an error. */
static void test_absurd_channel_counts(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	struct mq_nic *n;
	const struct plan_item *it;
	(void)state;

	snap_init(&s, 4, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	n->ch.combined = 1;
	n->ch.combined_max = n->ch.rx = n->ch.rx_max = n->ch.tx = n->ch.tx_max = 4000000000u;
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	it = find_item(&p, PLAN_CHANNELS, -1);
	assert_non_null(it);
	assert_int_equal(it->ch_target.combined, 4);
	assert_true(planned_cpu(&p, 3) >= 0);
	plan_free(&p);
	snap_free(&s);
}

/*
 * A device that can set only one direction: rx channels and no tx (or the
 * other way round) is channel control all the same, and gets its target.
 */
static void test_one_direction_channels(void **state)
{
	static const struct mq_channels chs[] = {
		{.source = CHANNELS_NETLINK, .rx = 1, .rx_max = 8},
		{.source = CHANNELS_NETLINK, .tx = 1, .tx_max = 8},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(chs) / sizeof(chs[0]); i++) {
		struct mq_snapshot s;
		struct mq_assessment a;
		const struct plan_item *it;
		struct mq_nic *n;

		snap_init(&s, 4, 1, 1);
		n = add_nic(&s, "eth0", &(struct nic_spec){ST_RXTX, 8, 1, -1});
		n->ch = chs[i];
		assert_int_equal(assess(&s, NULL, NULL, &a), 0);
		assert_int_equal(a.nics[0].hold, HOLD_NONE);
		it = find_item(&a.plan, PLAN_CHANNELS, -1);
		assert_non_null(it);
		assert_true(it->change);
		assert_int_equal(i == 0 ? it->ch_target.rx : it->ch_target.tx, 4);
		assert_int_equal(i == 0 ? it->ch_target.tx : it->ch_target.rx, 0);
		assessment_free(&a);
		snap_free(&s);
	}
}

/* A queue's IRQ by the queue's own index even when its role says nothing (an odd name). */
static void test_irq_is_queue(void **state)
{
	struct mq_snapshot s;
	struct mq_nic *n;
	(void)state;

	snap_init(&s, 2, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_PAIR, 2, 2, -1});
	assert_true(nic_irq_is_queue(n, 0));
	assert_int_equal(n->irqs[1].queue, 1);
	n->queues[1].irq_rx = n->queues[1].irq_tx = 1;
	n->irqs[1].role = IRQ_ROLE_OTHER;
	n->irqs[1].queue = -1;
	assert_true(nic_irq_is_queue(n, 1)); /* queues[1].irq_rx still names it */
	n->queues[1].irq_rx = n->queues[1].irq_tx = -1;
	assert_false(nic_irq_is_queue(n, 1));
	{
		/* one past the last IRQ: refused without a read there (it faults) */
		struct mq_irq *own = n->irqs;

		n->irqs = guarded(own, n->nirqs * sizeof(*own));
		assert_true(nic_irq_is_queue(n, 0));
		assert_false(nic_irq_is_queue(n, n->nirqs));
		assert_false(nic_irq_is_queue(n, ~0u));
		n->irqs = own;
	}
	/* snapshot_find_nic: by ifindex; nothing in no snapshot or one without its array */
	assert_true(snapshot_find_nic(&s, n->ifindex) == n);
	assert_null(snapshot_find_nic(&s, n->ifindex + 1));
	assert_null(snapshot_find_nic(NULL, n->ifindex));
	{
		struct mq_nic *own = s.nics;

		s.nics = NULL;
		assert_null(snapshot_find_nic(&s, n->ifindex));
		s.nics = own;
	}
	snap_free(&s);
}

/* A freed plan holds nothing: freeing it again, or reading its items, is safe. */
static void test_plan_free(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	(void)state;

	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	assert_true(p.n > 0);
	plan_free(&p);
	assert_null(p.items);
	assert_int_equal(p.n, 0);
	plan_free(&p);
	plan_free(NULL);
	snap_free(&s);
}

/*
 * No channel control: the queues are counted by the queue directories, else
 * (none) by the IRQs' queue numbers; only queue IRQs below 4,096 count.
 */
static void test_no_channels_queue_count(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	struct mq_nic *n;
	char name[32];
	(void)state;

	snap_init(&s, 8, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	nic_queues(n, 0);
	assert_int_equal(plan_of(&s, NULL, &p), 0); /* its one IRQ, of queue 0 */
	assert_true(planned_cpu(&p, 0) >= 0);
	plan_free(&p);
	for (int q = 1; q < 4; q++) {
		snprintf(name, sizeof(name), "eth0-rxtx-%d", q);
		add_irq(n, name, IRQ_ROLE_RXTX, q);
	}
	add_irq(n, "eth0-lsc", IRQ_ROLE_OTHER, 6);   /* not a queue IRQ */
	add_irq(n, "eth0-rxtx-4096", IRQ_ROLE_RXTX, 4096); /* beyond the planner's queues */
	add_irq(n, "eth0-mbx", IRQ_ROLE_OTHER, -1);        /* of no queue, listed last (ixgbevf) */
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	for (int q = 0; q < 4; q++)
		for (int k = 0; k < q; k++)
			if (planned_cpu(&p, q) < 0 || planned_cpu(&p, q) == planned_cpu(&p, k))
				fail_msg("queue %d on CPU %d, queue %d on %d", q, planned_cpu(&p, q), k,
					 planned_cpu(&p, k));
	assert_null(find_item(&p, PLAN_IRQ_AFFINITY, 4));
	assert_null(find_item(&p, PLAN_IRQ_AFFINITY, 6));
	assert_null(find_item(&p, PLAN_IRQ_AFFINITY, 4096));
	assert_null(find_item(&p, PLAN_CHANNELS, -1));
	plan_free(&p);

	/* queue directories, when there are some, are the count: 2 of the 4 IRQs' queues */
	nic_queues(n, 2);
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	assert_true(planned_cpu(&p, 0) >= 0 && planned_cpu(&p, 1) >= 0);
	assert_null(find_item(&p, PLAN_IRQ_AFFINITY, 2));
	assert_null(find_item(&p, PLAN_IRQ_AFFINITY, 3));
	assert_non_null(find_item(&p, PLAN_XPS, 1));
	assert_null(find_item(&p, PLAN_XPS, 2));
	plan_free(&p);
	snap_free(&s);
}

/* An item of NIC ifindex as the applier leaves it. */
static struct plan_item result(enum plan_kind kind, int ifindex, enum step_status st, bool change)
{
	struct plan_item it = {.kind = kind, .ifindex = ifindex, .queue = -1, .irq = -1,
			       .status = st, .change = change};

	snprintf(it.ifname, sizeof(it.ifname), "eth%d", ifindex);
	return it;
}

/*
 * A re-plan takes over the channel and RSS results of the old plan: in
 * place of its own item for the NIC, else appended, every one of them; an
 * RSS table the re-plan still finds wrong keeps its new item.
 */
static void test_keep_channel_results(void **state)
{
	struct mq_plan old = {0}, np = {0};
	const struct plan_item olds[] = {
		result(PLAN_CHANNELS, 2, STEP_OK, true),
		result(PLAN_IRQ_AFFINITY, 2, STEP_OK, true),  /* not a channel result */
		result(PLAN_CHANNELS, 3, STEP_FAILED, true),  /* no item in np: appended */
		result(PLAN_CHANNELS, 5, STEP_PLANNED, true), /* not carried out */
		result(PLAN_RSS, 4, STEP_OK, true),           /* appended too */
		result(PLAN_RSS, 2, STEP_OK, true),           /* np still wants a reset */
		result(PLAN_RSS, 6, STEP_OK, true),           /* np is content */
	};
	const struct plan_item news[] = {
		result(PLAN_CHANNELS, 2, STEP_PLANNED, false),
		result(PLAN_RSS, 2, STEP_PLANNED, true),
		result(PLAN_RSS, 6, STEP_PLANNED, false),
		result(PLAN_IRQ_AFFINITY, 2, STEP_PLANNED, false),
	};
	(void)state;

	for (size_t i = 0; i < sizeof(olds) / sizeof(olds[0]); i++)
		assert_int_equal(plan_push_item(&old, &olds[i]), 0);
	for (size_t i = 0; i < sizeof(news) / sizeof(news[0]); i++)
		assert_int_equal(plan_push_item(&np, &news[i]), 0);
	assert_int_equal(plan_keep_channel_results(&np, &old), 0);
	assert_int_equal(np.n, 6);
	assert_int_equal(np.items[0].status, STEP_OK);      /* channels of eth2: the old result */
	assert_true(np.items[0].change);
	assert_int_equal(np.items[1].status, STEP_PLANNED); /* RSS of eth2: reset again */
	assert_int_equal(np.items[2].status, STEP_OK);      /* RSS of eth6: the old result */
	assert_int_equal(np.items[3].status, STEP_PLANNED); /* an IRQ: np's own */
	assert_int_equal(np.items[4].kind, PLAN_CHANNELS);
	assert_int_equal(np.items[4].ifindex, 3);
	assert_int_equal(np.items[4].status, STEP_FAILED);
	assert_int_equal(np.items[5].kind, PLAN_RSS);
	assert_int_equal(np.items[5].ifindex, 4);
	plan_free(&np);
	plan_free(&old);
}

/*
 * A mask only for a queue that has the file: XPS needs a TX queue with
 * xps_cpus, RPS an RX queue with rps_cpus (a kernel without CONFIG_XPS/RPS,
 * a one-direction queue).
 */
static void test_masks_need_their_file(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_nic *n;
	(void)state;

	snap_init(&s, 4, 1, 1);
	n = add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	n->queues[0].has_xps = false;
	n->queues[1].has_tx = false;
	n->queues[2].has_rps = false;
	n->queues[3].has_rx = false;
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_null(find_item(&a.plan, PLAN_XPS, 0));
	assert_null(find_item(&a.plan, PLAN_XPS, 1));
	expect_xps(&a.plan, 2, "2");
	expect_xps(&a.plan, 3, "3");
	assert_non_null(find_item(&a.plan, PLAN_RPS, 0));
	assert_non_null(find_item(&a.plan, PLAN_RPS, 1));
	assert_null(find_item(&a.plan, PLAN_RPS, 2));
	assert_null(find_item(&a.plan, PLAN_RPS, 3));
	assessment_free(&a);
	snap_free(&s);
}

/*
 * plan_place() alone: the least loaded CPU, then the better tier, then the
 * first after the previous pick; a previous pick not in this order starts
 * it from the beginning (the order ends at an unmapped page: no read past it).
 */
static void test_place(void **state)
{
	static const int ord[] = {2, 3, 5};
	const int tier[] = {1, 1, 0}, *order = guarded(ord, sizeof(ord));
	unsigned load[8] = {0};
	struct placer pl = {.load = load, .last = 7};
	(void)state;

	assert_int_equal(plan_place(&pl, order, tier, 0), -1);
	assert_int_equal(plan_place(&pl, order, tier, 3), 5); /* the better tier */
	pl.last = 7;
	assert_int_equal(plan_place(&pl, order, tier, 2), 2); /* 7 is not in it: from the start */
	assert_int_equal(pl.last, 2);
	assert_int_equal(plan_place(&pl, order, tier, 3), 3); /* least loaded, after 2 */
	assert_int_equal(plan_place(&pl, order, tier, 3), 5);
	assert_int_equal(plan_place(&pl, order, tier, 3), 2); /* wraps */
	assert_int_equal(load[2], 2);
	assert_int_equal(load[3], 1);
	assert_int_equal(load[5], 2);
}

/*
 * plan_cpu_order() reads what is known of each usable CPU: a CPU past the
 * described ones, or a snapshot with no CPU array, is one of no known node
 * or thread rank (tier 0) in id order, never read.
 */
static void test_cpu_order_unknown(void **state)
{
	struct mq_snapshot s;
	struct mq_cpuset_buf ub;
	struct mq_cpuset *usable = cpuset_init(&ub);
	struct cpu_key k[8];
	int order[8], tier[8];
	struct mq_cpu *own;
	(void)state;

	snap_init(&s, 4, 1, 1);
	for (unsigned c = 0; c < 6; c++)
		cpuset_set(usable, c);
	s.cpus.cpu[1].node = 1; /* remote from node 0: last */
	own = s.cpus.cpu;
	s.cpus.cpu = guarded(own, s.cpus.n * sizeof(*own)); /* cpu[4] faults */
	assert_int_equal(plan_cpu_order(&s, usable, 0, k, order, tier), 6);
	assert_int_equal(order[5], 1);
	assert_int_equal(tier[5], 2);
	for (unsigned i = 0; i < 5; i++) /* 4 and 5: beyond cpus.n, unknown */
		assert_int_equal(tier[i], 0);
	s.cpus.cpu = NULL;
	assert_int_equal(plan_cpu_order(&s, usable, 0, k, order, tier), 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(order[i], i);
		assert_int_equal(tier[i], 0);
	}
	s.cpus.cpu = own;
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_smt4),
		cmocka_unit_test(test_smt3_two_nics),
		cmocka_unit_test(test_xps_with_irq_affinity_off),
		cmocka_unit_test(test_xps_round_robin_and_rx_fallback),
		cmocka_unit_test(test_absurd_channel_counts),
		cmocka_unit_test(test_one_direction_channels),
		cmocka_unit_test(test_irq_is_queue),
		cmocka_unit_test(test_plan_free),
		cmocka_unit_test(test_no_channels_queue_count),
		cmocka_unit_test(test_keep_channel_results),
		cmocka_unit_test(test_masks_need_their_file),
		cmocka_unit_test(test_place),
		cmocka_unit_test(test_cpu_order_unknown),
	};
	return cmocka_run_group_tests_name("plan_edges", tests, NULL, NULL);
}
