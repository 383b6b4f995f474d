// SPDX-License-Identifier: MIT
/*
 * core/assess.c: assess_counters() redoes only what counters decide (the
 * interval, the per-CPU load, the findings that read counters) and keeps
 * the rest, yet must give what a full assess() of the same readings gives:
 * one truth. Compared on random snapshots and random traffic.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/assess.h"
#include "core/rates.h"
#include "tests/snapbuild.h"

static unsigned rnd(unsigned n)
{
	return n ? (unsigned)random() % n : 0;
}

/* A random machine: CPUs, NICs of every style, IRQs anywhere, RSS tables, counters. */
static void random_snapshot(struct mq_snapshot *s, struct mq_config *cfg)
{
	static const enum style styles[] = {ST_VIRTIO, ST_PAIR, ST_RXTX, ST_SINGLE, ST_SHARED, ST_VETH};
	unsigned ncpu = 1 + rnd(8), nnics = 1 + rnd(4);
	char name[16];

	snap_init(s, ncpu, 1 + rnd(2), 1 + rnd(2));
	s->taken.tv_sec = 100;
	config_init(cfg);
	if (rnd(4) == 0)
		cpuset_set(cpuset_buf(&cfg->banned_cpus), rnd(ncpu));
	for (unsigned c = 0; c < ncpu; c++) {
		struct mq_cpu_counters *k = &s->cpus.cpu[c].cnt;

		*k = (struct mq_cpu_counters){.net_rx = rnd(1000), .net_tx = rnd(1000),
					      .ticks_total = 10000, .ticks_softirq = rnd(100),
					      .softnet_processed = rnd(1000)};
	}
	for (unsigned i = 0; i < nnics; i++) {
		unsigned max = 1 + rnd(8);
		struct nic_spec sp = {styles[rnd(6)], max, 1 + rnd(max), 0};
		struct mq_nic *n;

		snprintf(name, sizeof(name), "eth%u", i);
		n = add_nic(s, name, &sp);
		if (rnd(2))
			nic_rss(n, 128, 1 + rnd(n->nqueues));
		for (unsigned k = 0; k < n->nirqs; k++) {
			struct mq_irq *irq = &n->irqs[k];

			if (rnd(2))
				irq->affinity = irq->effective = fx_cpu(&n->sets, rnd(ncpu));
			irq->n_per_cpu = ncpu;
			irq->per_cpu = calloc(ncpu, sizeof(uint64_t));
			assert_non_null(irq->per_cpu);
		}
		for (unsigned q = 0; q < n->nqueues; q++)
			n->queues[q].rx_packets = rnd(100000);
	}
}

/* One second of random traffic, often on one queue or one CPU. */
static void traffic(struct mq_snapshot *s)
{
	s->taken.tv_sec++;
	for (unsigned c = 0; c < s->cpus.n; c++) {
		struct mq_cpu_counters *k = &s->cpus.cpu[c].cnt;

		k->ticks_total += 100;
		k->ticks_softirq += rnd(3) ? rnd(8) : 50 + rnd(50);
		k->net_rx += rnd(5000);
		k->softnet_processed += rnd(5000);
		k->softnet_dropped += rnd(4) ? 0 : rnd(5);
		k->softnet_squeezed += rnd(4) ? 0 : rnd(5);
	}
	for (unsigned i = 0; i < s->nnics; i++) {
		struct mq_nic *n = &s->nics[i];
		unsigned hot = rnd(n->nqueues);

		for (unsigned q = 0; q < n->nqueues; q++)
			n->queues[q].rx_packets += q == hot ? rnd(20000) : rnd(3) ? rnd(500) : rnd(5000);
		for (unsigned k = 0; k < n->nirqs; k++)
			for (unsigned c = 0; c < n->irqs[k].n_per_cpu; c++)
				n->irqs[k].per_cpu[c] += rnd(2000);
	}
}

static void assert_double_same(double a, double b)
{
	assert_true((isnan(a) && isnan(b)) || a == b);
}

static void assert_load_same(const struct cpuload *a, const struct cpuload *b)
{
	assert_double_same(a->secs, b->secs);
	assert_int_equal(a->n, b->n);
	assert_int_equal(a->nirqs, b->nirqs);
	for (unsigned c = 0; c < a->n; c++) {
		const struct cpuload_cpu *x = &a->cpu[c], *y = &b->cpu[c];

		assert_int_equal(x->cpu, y->cpu);
		assert_int_equal(x->online, y->online);
		assert_double_same(x->softirq_share, y->softirq_share);
		assert_double_same(x->net_rx_per_s, y->net_rx_per_s);
		assert_double_same(x->softnet_dropped_per_s, y->softnet_dropped_per_s);
		assert_double_same(x->softnet_squeezed_per_s, y->softnet_squeezed_per_s);
		assert_double_same(x->queue_irqs_per_s, y->queue_irqs_per_s);
		assert_int_equal(x->nirqs, y->nirqs);
	}
	for (unsigned k = 0; k < a->nirqs; k++) {
		assert_int_equal(a->irqs[k].nic, b->irqs[k].nic);
		assert_int_equal(a->irqs[k].irq, b->irqs[k].irq);
		assert_double_same(a->irqs[k].per_s, b->irqs[k].per_s);
	}
}

/* What a full assessment would say, said the same: every field that a reader reads. */
static void assert_same(const struct mq_assessment *a, const struct mq_assessment *b)
{
	assert_ptr_equal(a->now, b->now);
	assert_ptr_equal(a->before, b->before);
	assert_double_same(a->interval, b->interval);
	assert_true(cpuset_equal(a->usable, b->usable));
	assert_true(cpuset_equal(a->banned, b->banned));
	assert_int_equal(a->nusable, b->nusable);
	assert_int_equal(a->usable_fallback, b->usable_fallback);
	assert_memory_equal(a->nics, b->nics, a->now->nnics * sizeof(*a->nics));
	assert_int_equal(a->plan.n, b->plan.n);
	for (unsigned i = 0; i < a->plan.n; i++) {
		assert_int_equal(a->plan.items[i].kind, b->plan.items[i].kind);
		assert_int_equal(a->plan.items[i].change, b->plan.items[i].change);
		assert_true(cpuset_equal(a->plan.items[i].target, b->plan.items[i].target));
	}
	assert_load_same(&a->load, &b->load);
	assert_int_equal(a->nfindings, b->nfindings);
	for (unsigned i = 0; i < a->nfindings; i++)
		assert_memory_equal(&a->findings[i], &b->findings[i], sizeof(a->findings[i]));
}

static void free_per_cpu(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++)
		for (unsigned k = 0; k < s->nics[i].nirqs; k++)
			free(s->nics[i].irqs[k].per_cpu);
}

static void test_as_a_full_assessment(void **state)
{
	unsigned seen[_FIND_CODE_MAX] = {0};
	(void)state;

	srandom(2026);
	for (unsigned run = 0; run < 300; run++) {
		struct mq_snapshot s[2];
		struct mq_assessment kept, full;
		struct mq_config cfg;

		random_snapshot(&s[0], &cfg);
		assert_int_equal(assess(&s[0], NULL, &cfg, &kept), 0);
		assert_int_equal(snapshot_copy(&s[0], &s[1]), 0);
		/* the daemon's intervals: the newest reading against the one before */
		for (unsigned t = 1; t <= 4; t++) {
			struct mq_snapshot *now = &s[t % 2], *before = &s[(t + 1) % 2];

			if (t > 1) {
				/* the twin: counters of the one before, then a second of traffic */
				for (unsigned i = 0; i < now->nnics; i++)
					for (unsigned q = 0; q < now->nics[i].nqueues; q++)
						now->nics[i].queues[q].rx_packets =
							before->nics[i].queues[q].rx_packets;
				memcpy(now->cpus.cpu, before->cpus.cpu, now->cpus.n * sizeof(*now->cpus.cpu));
				for (unsigned i = 0; i < now->nnics; i++)
					for (unsigned k = 0; k < now->nics[i].nirqs; k++)
						memcpy(now->nics[i].irqs[k].per_cpu,
						       before->nics[i].irqs[k].per_cpu,
						       now->nics[i].irqs[k].n_per_cpu * sizeof(uint64_t));
				now->taken = before->taken;
			}
			traffic(now);
			assert_int_equal(assess_counters(&kept, now, before, &cfg), 0);
			assert_int_equal(assess(now, before, &cfg, &full), 0);
			assert_same(&kept, &full);
			for (unsigned i = 0; i < full.nfindings; i++)
				seen[full.findings[i].code]++;
			assessment_free(&full);
		}
		assessment_free(&kept);
		free_per_cpu(&s[0]);
		snap_free(&s[0]);
		snapshot_free(&s[1]);
	}
	/* the comparison met both kinds: findings from counters and from the layout */
	assert_true(seen[FIND_RX_IMBALANCE] > 0);
	assert_true(seen[FIND_CPU_SOFTIRQ_BUSY] > 0);
	assert_true(seen[FIND_SOFTNET_DROPS] > 0);
	assert_true(seen[FIND_SOFTNET_SQUEEZE] > 0);
	assert_true(seen[FIND_IRQS_STACKED] > 0);
	assert_true(seen[FIND_CHANNELS_BELOW_TARGET] > 0);
	assert_true(seen[FIND_RSS_LEAVES_OUT] > 0);
}

/* No layout finding at all (a tuned machine): nothing to keep, the counters' still come. */
static void test_nothing_to_keep(void **state)
{
	struct mq_snapshot s[2];
	struct mq_assessment kept, full;
	struct mq_config cfg;
	(void)state;

	snap_init(&s[0], 2, 1, 1);
	config_init(&cfg);
	assert_int_equal(assess(&s[0], NULL, &cfg, &kept), 0);
	assert_int_equal(kept.nfindings, 0);
	assert_int_equal(assess_worst(&kept), -1); /* no finding: below every severity */
	assert_int_equal(snapshot_copy(&s[0], &s[1]), 0);
	/* a reading taken at the same instant is no interval: nothing to compare with */
	assert_int_equal(assess_counters(&kept, &s[1], &s[0], &cfg), 0);
	assert_null(kept.before);
	s[1].taken.tv_sec++;
	for (unsigned c = 0; c < 2; c++) {
		s[1].cpus.cpu[c].cnt.ticks_total += 100;
		s[1].cpus.cpu[c].cnt.softnet_dropped += 7;
	}
	assert_int_equal(assess_counters(&kept, &s[1], &s[0], &cfg), 0);
	assert_int_equal(assess(&s[1], &s[0], &cfg, &full), 0);
	assert_same(&kept, &full);
	assert_int_equal(kept.nfindings, 2);
	assert_int_equal(kept.findings[0].code, FIND_SOFTNET_DROPS);
	assessment_free(&full);
	assessment_free(&kept);
	snap_free(&s[0]);
	snapshot_free(&s[1]);
}

/*
 * The findings that read no counter are the ones before, not checked again
 * (what findings_rebuild() saves): a word changed in one shows through; the
 * counters' findings are new.
 */
static void test_layout_findings_kept(void **state)
{
	struct mq_snapshot s[2];
	struct mq_assessment kept;
	struct mq_config cfg;
	unsigned nlayout = 0, nold;
	(void)state;

	snap_init(&s[0], 4, 1, 1);
	add_nic(&s[0], "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1}); /* 1 of 4 queues */
	config_init(&cfg);
	assert_int_equal(assess(&s[0], NULL, &cfg, &kept), 0);
	for (unsigned i = 0; i < kept.nfindings; i++) {
		assert_true(kept.findings[i].code != FIND_SOFTNET_DROPS);
		snprintf(kept.findings[i].message, sizeof(kept.findings[i].message), "as before %u", i);
	}
	nold = kept.nfindings;
	assert_true(nold > 0);
	assert_int_equal(snapshot_copy(&s[0], &s[1]), 0);
	s[1].taken.tv_sec++;
	for (unsigned c = 0; c < 4; c++) {
		s[1].cpus.cpu[c].cnt.ticks_total += 100;
		s[1].cpus.cpu[c].cnt.softnet_dropped += 7;
	}
	assert_int_equal(assess_counters(&kept, &s[1], &s[0], &cfg), 0);
	for (unsigned i = 0; i < kept.nfindings; i++) {
		if (strncmp(kept.findings[i].message, "as before ", 10) == 0)
			nlayout++;
		else
			assert_int_equal(kept.findings[i].code, FIND_SOFTNET_DROPS);
	}
	assert_int_equal(nlayout, nold);
	assert_true(kept.nfindings > nold);
	assessment_free(&kept);
	snap_free(&s[0]);
	snapshot_free(&s[1]);
}

/*
 * What assess_counters() cannot redo is refused and the assessment left as
 * it was: no reading, a reading whose NIC array is missing, no assessment
 * before, or a NIC count other than the assessment's.
 */
static void test_refused(void **state)
{
	struct mq_snapshot s[2], hollow;
	struct mq_assessment a, none = {0};
	struct mq_config cfg;
	(void)state;

	snap_init(&s[0], 2, 1, 1);
	add_nic(&s[0], "eth0", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	config_init(&cfg);
	assert_int_equal(assess(&s[0], NULL, &cfg, &a), 0);
	assert_int_equal(snapshot_copy(&s[0], &s[1]), 0);
	s[1].taken.tv_sec++;
	assert_int_equal(assess_counters(&a, NULL, &s[0], &cfg), -EINVAL);
	hollow = s[1];
	hollow.nics = NULL; /* same count as the assessment's, no array */
	assert_int_equal(assess_counters(&a, &hollow, &s[0], &cfg), -EINVAL);
	assert_true(a.now == &s[0]);
	assert_int_equal(assess_counters(&none, &s[1], &s[0], &cfg), -EINVAL);
	assert_null(none.now);
	s[1].nnics = 0;
	assert_int_equal(assess_counters(&a, &s[1], &s[0], &cfg), -EINVAL);
	assert_true(a.now == &s[0]);
	s[1].nnics = 1;
	assert_int_equal(assess_counters(&a, &s[1], &s[0], NULL), 0); /* no config: the defaults */
	assert_true(a.now == &s[1] && a.before == &s[0]);
	assert_true(a.interval == 1);
	assessment_free(&a);
	snap_free(&s[0]);
	snapshot_free(&s[1]);
}

/* The interval between two readings: none (0, never negative) without both or backwards. */
static void test_interval(void **state)
{
	struct mq_snapshot a = {.taken = {10, 500000000}}, b = {.taken = {12, 0}};
	(void)state;

	assert_true(snapshot_interval(&b, &a) == 1.5);
	assert_true(snapshot_interval(&a, &b) == 0);
	assert_true(snapshot_interval(&a, &a) == 0);
	assert_true(snapshot_interval(NULL, &a) == 0);
	assert_true(snapshot_interval(&b, NULL) == 0);
	assert_true(snapshot_interval(NULL, NULL) == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_as_a_full_assessment),
		cmocka_unit_test(test_nothing_to_keep),
		cmocka_unit_test(test_layout_findings_kept),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_interval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
