// SPDX-License-Identifier: MIT
/*
 * Findings at their thresholds (core/findings.c, core/findings_work.c): the
 * RX imbalance at 1000 packets/s and at each share limit, IRQ stacking at a
 * load of exactly two queues, a busy CPU at exactly half its time in
 * softirq, and which fix each gets. tests/test_findings.c has the cases
 * away from the edges.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/assess.h"
#include "core/findings.h"
#include "tests/fixture_snapshot.h"

struct env {
	struct mq_snapshot now, before;
	struct mq_config cfg;
	struct mq_assessment a;
	bool has_before, assessed;
};

static struct env e;

static int setup(void **state)
{
	(void)state;
	memset(&e, 0, sizeof(e));
	fx_config(&e.cfg);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	if (e.assessed)
		assessment_free(&e.a);
	config_free(&e.cfg);
	fx_free(&e.now);
	if (e.has_before)
		fx_free(&e.before);
	return 0;
}

/* ncpus CPUs; eth0 virtio_net, active of max queues, queue q's IRQs on cpus[q]. */
static struct mq_nic *nic(unsigned ncpus, unsigned active, unsigned max, const int *cpus)
{
	struct mq_nic *n;

	fx_init(&e.now, ncpus);
	n = fx_nic(&e.now, "eth0", "virtio_net", active, max);
	fx_virtio_irqs(n, 24, cpus);
	fx_xps_from_irqs(n);
	return n;
}

/* The earlier sample, 1 s before now: now's counters get the traffic from here on. */
static void second_sample(void)
{
	fx_copy(&e.before, &e.now);
	e.has_before = true;
	e.now.taken.tv_sec += 1;
}

static void rx(const uint64_t *per_queue, unsigned n)
{
	for (unsigned q = 0; q < n; q++)
		e.now.nics[0].queues[q].rx_packets += per_queue[q];
}

/* CPU c spent share (in hundredths) of the last second in softirq. */
static void softirq(unsigned c, unsigned hundredths)
{
	e.before.cpus.cpu[c].cnt.ticks_total = 10000;
	e.now.cpus.cpu[c].cnt = e.before.cpus.cpu[c].cnt;
	e.now.cpus.cpu[c].cnt.ticks_total += 100;
	e.now.cpus.cpu[c].cnt.ticks_softirq += hundredths;
}

static void run(void)
{
	if (e.assessed)
		assessment_free(&e.a);
	fx_assess(&e.a, &e.now, e.has_before ? &e.before : NULL, &e.cfg);
	e.assessed = true;
}

static const struct mq_finding *find(enum finding_code code)
{
	for (unsigned i = 0; i < e.a.nfindings; i++)
		if (e.a.findings[i].code == code)
			return &e.a.findings[i];
	return NULL;
}

static const int spread[] = {0, 1, 2, 3, 4, 5, 6, 7};

/* 1000 RX packets/s is enough to judge, 999 is not; above 60% is a note, 90% a warning. */
static void test_imbalance_thresholds(void **state)
{
	static const struct {
		uint64_t rx[4];
		bool found;
		enum finding_severity sev;
		const char *msg;
	} cases[] = {
		{{610, 130, 130, 130}, true, SEV_INFO,
		 "eth0: rx-0 carries 61% of 1000 RX packets/s over 1.0 s (4 of 4 RX queues had traffic)"},
		{{610, 130, 130, 129}, false, 0, NULL},     /* 999 packets/s */
		{{600, 200, 200, 0}, false, 0, NULL},       /* exactly 60%: not more */
		{{601, 199, 200, 0}, true, SEV_INFO,
		 "eth0: rx-0 carries 60% of 1000 RX packets/s over 1.0 s (3 of 4 RX queues had traffic)"},
		{{100, 899, 1, 0}, true, SEV_INFO, NULL},   /* 89.9% */
		{{100, 900, 0, 0}, true, SEV_WARNING,       /* exactly 90% */
		 "eth0: rx-1 carries 90% of 1000 RX packets/s over 1.0 s (2 of 4 RX queues had traffic)"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mq_finding *f;

		teardown(NULL);
		setup(NULL);
		nic(4, 4, 4, spread);
		second_sample();
		rx(cases[i].rx, 4);
		run();
		f = find(FIND_RX_IMBALANCE);
		if (!f != !cases[i].found)
			fail_msg("case %zu: finding %s, want %s", i, f ? "made" : "none",
				 cases[i].found ? "one" : "none");
		if (!f)
			continue;
		assert_int_equal(f->severity, cases[i].sev);
		if (cases[i].msg)
			assert_string_equal(f->message, cases[i].msg);
	}
}

/* With two queues 60-90% is hashing luck: only more than 90% counts, and never as a warning. */
static void test_imbalance_two_queues(void **state)
{
	const struct mq_finding *f;
	(void)state;

	nic(4, 2, 2, spread);
	second_sample();
	rx((uint64_t[]){900, 100}, 2);
	run();
	assert_null(find(FIND_RX_IMBALANCE));
	teardown(NULL);
	setup(NULL);
	nic(4, 2, 2, spread);
	second_sample();
	rx((uint64_t[]){10, 990}, 2);
	run();
	f = find(FIND_RX_IMBALANCE);
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_string_equal(f->message,
			    "eth0: rx-1 carries 99% of 1000 RX packets/s over 1.0 s (2 of 2 RX queues had traffic)");
}

/*
 * Two queues on one CPU while another usable CPU has none is stacking; one
 * queue per CPU is not, and neither are two on one when no CPU is left idle.
 */
static void test_stacking_threshold(void **state)
{
	const struct mq_finding *f;
	(void)state;

	nic(4, 3, 3, (const int[]){0, 0, 1});
	run();
	f = find(FIND_IRQS_STACKED);
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_WARNING);
	assert_int_equal(f->fix_kind, FIX_APPLY);
	assert_string_equal(f->message, "eth0: IRQs of 2 queues land on CPU 0 while usable CPUs 2-3 have none");
	assert_string_equal(f->fix, "run `mqbalance --apply` to spread queue IRQs one per CPU (4 IRQs to move)"); /* queues 1 and 2, input and output */

	/* the same layout with irq_affinity = off: mqbalance leaves it, the admin may not */
	e.cfg.defaults.irq_affinity = false;
	run();
	f = find(FIND_IRQS_STACKED);
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_non_null(strstr(f->fix, "irq_affinity = off in the config leaves them"));

	/* no CPU left idle: 3 queues on 2 CPUs must share */
	teardown(NULL);
	setup(NULL);
	nic(2, 3, 3, (const int[]){0, 0, 1});
	run();
	assert_null(find(FIND_IRQS_STACKED));

	/* one queue per CPU, input and output of a queue together: load 1 */
	teardown(NULL);
	setup(NULL);
	nic(3, 3, 3, (const int[]){0, 1, 2});
	run();
	assert_int_equal(e.a.nfindings, 0);
}

/* Kernel-managed IRQs in the wrong place: said once, as nothing user space can change. */
static void test_managed_held(void **state)
{
	struct mq_nic *n;
	const struct mq_finding *f;
	(void)state;

	n = nic(4, 4, 4, (const int[]){1, 0, 2, 3});
	for (unsigned i = 0; i < n->nirqs; i++)
		n->irqs[i].managed = true;
	run();
	f = find(FIND_IRQS_MANAGED);
	assert_non_null(f);
	assert_int_equal(f->severity, SEV_INFO);
	assert_int_equal(f->fix_kind, FIX_NONE);
	assert_string_equal(f->message, "eth0: 4 queue IRQs are kernel-managed: the kernel places them, "
					"mqbalance leaves them alone");
	assert_null(find(FIND_IRQS_STACKED));
	assert_null(find(FIND_IRQS_PENDING));
}

/* CPU 1 at exactly 50% softirq next to an idle CPU 0: busy. 49% is not, nor next to a 10% one. */
static void test_busy_cpu_thresholds(void **state)
{
	const struct mq_finding *f;
	(void)state;

	nic(2, 2, 2, spread);
	second_sample();
	softirq(0, 9);
	softirq(1, 50);
	run();
	f = find(FIND_CPU_SOFTIRQ_BUSY);
	assert_non_null(f);
	assert_string_equal(f->message, "CPU 1 spends 50% of its time in softirq while CPU 0 idles (9%)");
	/* as many queues as usable CPUs already: spreading is RPS's job, not the host's */
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_non_null(strstr(f->fix, "rps = on"));

	/* the idle CPU's share as the message rounds it: 9.49% is 9% */
	e.now.cpus.cpu[0].cnt.ticks_total = e.before.cpus.cpu[0].cnt.ticks_total + 10000;
	e.now.cpus.cpu[0].cnt.ticks_softirq = e.before.cpus.cpu[0].cnt.ticks_softirq + 949;
	run();
	f = find(FIND_CPU_SOFTIRQ_BUSY);
	assert_non_null(f);
	assert_string_equal(f->message, "CPU 1 spends 50% of its time in softirq while CPU 0 idles (9%)");

	softirq(0, 9);
	softirq(1, 49);
	run();
	assert_null(find(FIND_CPU_SOFTIRQ_BUSY));
	softirq(1, 80);
	softirq(0, 10);
	run();
	assert_null(find(FIND_CPU_SOFTIRQ_BUSY));
	/* an offline CPU is neither busy nor idle, whatever its counters say */
	softirq(0, 0);
	e.now.cpus.cpu[1].online = false;
	run();
	assert_null(find(FIND_CPU_SOFTIRQ_BUSY));
}

/* CPU 1 70% in softirq, most of it from eth0 queue 0's input IRQ, the other CPUs idle. */
static void busy_from_queue0(unsigned ncpus, unsigned queues)
{
	struct mq_nic *n = nic(ncpus, queues, queues, (const int[]){1, 0, 2, 3});

	n->irqs[1].per_cpu = calloc(ncpus, sizeof(uint64_t));
	assert_non_null(n->irqs[1].per_cpu);
	n->irqs[1].n_per_cpu = ncpus;
	second_sample();
	e.now.nics[0].irqs[1].per_cpu[1] = 4000;
	for (unsigned c = 0; c < ncpus; c++)
		softirq(c, c == 1 ? 70 : 1);
	run();
}

/* A busy CPU on a device with fewer queues than usable CPUs, all in use: the host must add queues. */
static void test_busy_cpu_host_fix(void **state)
{
	const struct mq_finding *f;
	(void)state;

	busy_from_queue0(4, 2);
	f = find(FIND_CPU_SOFTIRQ_BUSY);
	assert_non_null(f);
	assert_string_equal(f->ifname, "eth0");
	assert_string_equal(f->message, "CPU 1 spends 70% of its time in softirq while CPU 0 idles (1%): "
					"most of it from eth0 queue 0 (IRQ 25, 4000/s)");
	assert_int_equal(f->fix_kind, FIX_HOST);
}

/* The same with as many queues as usable CPUs: more queues would not help, RPS may. */
static void test_busy_cpu_admin_fix(void **state)
{
	const struct mq_finding *f;
	(void)state;

	busy_from_queue0(2, 2);
	f = find(FIND_CPU_SOFTIRQ_BUSY);
	assert_non_null(f);
	assert_string_equal(f->ifname, "eth0");
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_non_null(strstr(f->fix, "rps = on in [eth0]"));
}

/* Without effective_affinity_list (older kernels) an IRQ lands where its single-CPU affinity says. */
static void test_stacking_affinity_only(void **state)
{
	struct mq_nic *n;
	(void)state;

	n = nic(4, 3, 3, (const int[]){0, 0, 1});
	for (unsigned i = 0; i < n->nirqs; i++) {
		n->irqs[i].has_effective = false;
		n->irqs[i].effective = NULL;
	}
	run();
	assert_non_null(find(FIND_IRQS_STACKED));
	assert_string_equal(find(FIND_IRQS_STACKED)->message,
			    "eth0: IRQs of 2 queues land on CPU 0 while usable CPUs 2-3 have none");
	/* and the other way round: where it landed, with no affinity read */
	for (unsigned i = 0; i < n->nirqs; i++) {
		n->irqs[i].has_effective = true;
		n->irqs[i].effective = n->irqs[i].affinity;
		n->irqs[i].has_affinity = false;
		n->irqs[i].affinity = NULL;
	}
	run();
	assert_non_null(find(FIND_IRQS_STACKED));
}

/*
 * A queue lands where its first IRQ with a known place lands (CPU 0
 * included), not where its later ones do; one with no known place falls
 * through to the next.
 */
static void test_stacking_first_irq_decides(void **state)
{
	struct mq_nic *n;
	(void)state;

	/* input.0 and input.1 on CPU 0, their outputs on CPUs 1 and 2, queue 2 on CPU 3 */
	n = nic(4, 3, 3, (const int[]){0, 0, 3});
	n->irqs[2].affinity = n->irqs[2].effective = fx_cpu(&n->sets, 1);
	n->irqs[4].affinity = n->irqs[4].effective = fx_cpu(&n->sets, 2);
	run();
	assert_non_null(find(FIND_IRQS_STACKED));
	assert_string_equal(find(FIND_IRQS_STACKED)->message,
			    "eth0: IRQs of 2 queues land on CPU 0 while usable CPUs 1-2 have none");

	/* input.1 nowhere known: queue 1 lands with its output on CPU 2, nothing stacked */
	n->irqs[3].has_affinity = n->irqs[3].has_effective = false;
	n->irqs[3].affinity = n->irqs[3].effective = NULL;
	run();
	assert_null(find(FIND_IRQS_STACKED));
}

/* Fewer device queues than CPUs is the host's to fix only for a real device. */
static void test_fewer_queues_real_device_only(void **state)
{
	struct mq_nic *n;
	(void)state;

	n = nic(4, 1, 1, spread);
	run();
	assert_non_null(find(FIND_DEVICE_FEWER_QUEUES));
	n->has_device = false; /* a virtual link: no host-side queue setting */
	run();
	assert_null(find(FIND_DEVICE_FEWER_QUEUES));
	n->has_device = true;
	snprintf(n->kind, sizeof(n->kind), "veth");
	run();
	assert_null(find(FIND_DEVICE_FEWER_QUEUES));
	snprintf(n->kind, sizeof(n->kind), "x"); /* any kind, however short */
	run();
	assert_null(find(FIND_DEVICE_FEWER_QUEUES));
	snprintf(n->kind, sizeof(n->kind), "%s", ""); /* no kind: the bytes after its NUL do not count */
	run();
	assert_non_null(find(FIND_DEVICE_FEWER_QUEUES));
}

/* Channel counts unknown: said for a device with the kernel's words and errno, never for a virtual link. */
static void test_channels_unknown(void **state)
{
	struct mq_nic *n;
	(void)state;

	n = nic(4, 4, 4, spread);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EPROTO};
	snprintf(n->ch.errmsg, sizeof(n->ch.errmsg), "odd reply");
	run();
	assert_non_null(find(FIND_CHANNELS_UNKNOWN));
	assert_string_equal(find(FIND_CHANNELS_UNKNOWN)->message,
			    "eth0: channel counts unknown: odd reply (Protocol error)");
	n->has_device = false;
	run();
	assert_null(find(FIND_CHANNELS_UNKNOWN));
}

/* One shared vector and no queue known: the host needs vectors for one queue at least. */
static void test_shared_vector_no_queues(void **state)
{
	struct mq_nic *n;
	(void)state;

	fx_init(&e.now, 2);
	n = fx_nic(&e.now, "eth0", "virtio_net", 0, 0);
	n->irq_shared = true;
	run();
	assert_non_null(find(FIND_IRQ_SHARED_VECTOR));
	assert_non_null(strstr(find(FIND_IRQ_SHARED_VECTOR)->fix, "vectors=4"));
	assert_int_equal(assess_worst(&e.a), SEV_WARNING);
}

/* The vectors asked of the host are for every queue the device could use, not only the active ones. */
static void test_shared_vector_for_max_queues(void **state)
{
	struct mq_nic *n;
	(void)state;

	fx_init(&e.now, 8);
	n = fx_nic(&e.now, "eth0", "virtio_net", 2, 8);
	n->irq_shared = true;
	run();
	assert_non_null(find(FIND_IRQ_SHARED_VECTOR));
	assert_non_null(strstr(find(FIND_IRQ_SHARED_VECTOR)->fix, "vectors=18"));
}

/*
 * Fewer device queues than usable CPUs: a warning from half of them down,
 * and the host's fix, unless the platform allows no more (GCE gVNIC: 16).
 */
static void test_fewer_queues_severity_and_limit(void **state)
{
	static const struct {
		const char *driver;
		unsigned ncpus, max;
		enum finding_severity sev;
		enum finding_fix fix;
	} cases[] = {
		{"virtio_net", 8, 4, SEV_WARNING, FIX_HOST}, {"virtio_net", 8, 5, SEV_INFO, FIX_HOST},
		{"gve", 32, 15, SEV_WARNING, FIX_HOST},      {"gve", 32, 16, SEV_INFO, FIX_NONE},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mq_finding *f;

		fx_free(&e.now);
		fx_init(&e.now, cases[i].ncpus);
		fx_nic(&e.now, "eth0", cases[i].driver, cases[i].max, cases[i].max);
		run();
		f = find(FIND_DEVICE_FEWER_QUEUES);
		assert_non_null(f);
		if (f->severity != cases[i].sev || f->fix_kind != cases[i].fix)
			fail_msg("%s, %u of %u: severity %d fix %d: %s", cases[i].driver, cases[i].max,
				 cases[i].ncpus, f->severity, f->fix_kind, f->fix);
	}
	assert_non_null(strstr(find(FIND_DEVICE_FEWER_QUEUES)->fix, "at most 16"));
}

/* A shared vector matters once there could be a second queue: 2 queues, 2 CPUs or a device max of 2. */
static void test_shared_vector_one_cpu(void **state)
{
	static const struct {
		unsigned ncpus, nqueues, max;
		const char *vectors; /* NULL: no finding */
	} cases[] = {
		{1, 1, 1, NULL}, {1, 2, 1, "vectors=6"}, {1, 1, 2, "vectors=6"}, {2, 1, 1, "vectors=4"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct mq_finding *f;
		struct mq_nic *n;

		fx_free(&e.now);
		fx_init(&e.now, cases[i].ncpus);
		n = fx_nic(&e.now, "eth0", "virtio_net", cases[i].nqueues, cases[i].max);
		n->ch.combined = n->ch.combined_max = cases[i].max;
		n->irq_shared = true;
		run();
		f = find(FIND_IRQ_SHARED_VECTOR);
		if (!cases[i].vectors ? f != NULL : !f || !strstr(f->fix, cases[i].vectors))
			fail_msg("%zu: %s", i, f ? f->fix : "no finding");
	}
}

/* RSS entries that name inactive queues, or an uneven table: one finding, each its own words. */
static void test_rss_beyond_or_uneven(void **state)
{
	struct mq_nic *n;
	(void)state;

	n = nic(4, 2, 4, spread);
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 128, .indir = calloc(128, sizeof(uint32_t))};
	assert_non_null(n->rss.indir);
	for (unsigned i = 0; i < 128; i++)
		n->rss.indir[i] = i % 4; /* queues 2 and 3 are not active */
	run();
	assert_null(find(FIND_RSS_LEAVES_OUT));
	assert_non_null(find(FIND_RSS_UNEVEN));
	assert_string_equal(find(FIND_RSS_UNEVEN)->message,
			    "eth0: 64 of the RSS table's 128 entries name RX queues that are not active any more");
	fx_free(&e.now);
	n = nic(4, 4, 4, spread);
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 128, .indir = calloc(128, sizeof(uint32_t))};
	assert_non_null(n->rss.indir);
	for (unsigned i = 0; i < 128; i++)
		n->rss.indir[i] = i < 64 ? 0 : 1 + (i - 64) % 3; /* ethtool -X weight 2 1 1 1 */
	run();
	assert_non_null(find(FIND_RSS_UNEVEN));
	assert_string_equal(find(FIND_RSS_UNEVEN)->message,
			    "eth0: the RSS table is uneven: rx-0 gets 50% of the hash space, 25% would be even");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_imbalance_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_imbalance_two_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacking_threshold, setup, teardown),
		cmocka_unit_test_setup_teardown(test_managed_held, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_cpu_thresholds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_cpu_host_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_busy_cpu_admin_fix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacking_affinity_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stacking_first_irq_decides, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewer_queues_real_device_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_vector_no_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_vector_for_max_queues, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fewer_queues_severity_and_limit, setup, teardown),
		cmocka_unit_test_setup_teardown(test_shared_vector_one_cpu, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rss_beyond_or_uneven, setup, teardown),
	};
	return cmocka_run_group_tests_name("findings_edges", tests, NULL, NULL);
}
