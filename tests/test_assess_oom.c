// SPDX-License-Identifier: MIT
/*
 * assess() with each of its allocations failing in turn, over one machine
 * per kind of finding, made so that this kind comes first (its
 * finding_add() is the one that allocates the list): -ENOMEM or the whole
 * assessment, never a crash and never some of the findings (ASan, in `make
 * asan`, sees the leaks).
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

static unsigned fail_at, allocs; /* fail the fail_at-th allocation (1-based) after arming; 0 off */
static bool failed;
static bool zero_null; /* malloc(0) and calloc(0, n) return NULL, as C allows */

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);

static bool fails(void)
{
	if (!fail_at || ++allocs != fail_at)
		return false;
	failed = true;
	return true;
}

void *__wrap_malloc(size_t n) { return fails() || (zero_null && !n) ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b)
{
	return fails() || (zero_null && !(a && b)) ? NULL : __real_calloc(a, b);
}
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }

struct machine {
	struct mq_snapshot now, before;
	struct mq_config cfg;
	bool has_before;
};

/* ncpus CPUs, eth0 virtio_net with active of max queues, queue q's IRQs on cpus[q] (NULL: q % ncpus). */
static struct mq_nic *base(struct machine *m, unsigned ncpus, unsigned active, unsigned max,
			   const int *cpus)
{
	int spread[16];
	struct mq_nic *n;

	for (unsigned q = 0; q < 16; q++)
		spread[q] = (int)(q % ncpus);
	fx_init(&m->now, ncpus);
	fx_config(&m->cfg);
	n = fx_nic(&m->now, "eth0", "virtio_net", active, max);
	fx_virtio_irqs(n, 24, cpus ? cpus : spread);
	fx_xps_from_irqs(n);
	return n;
}

static void later(struct machine *m)
{
	fx_copy(&m->before, &m->now);
	m->has_before = true;
	m->now.taken.tv_sec += 1;
}

static void m_below(struct machine *m) { base(m, 4, 1, 4, NULL); }
static void m_fewer(struct machine *m) { base(m, 4, 2, 2, NULL); }
static void m_above(struct machine *m) { base(m, 2, 4, 4, NULL); }
static void m_stacked(struct machine *m) { base(m, 4, 4, 4, (const int[]){0, 0, 1, 2}); }
static void m_pending(struct machine *m) { base(m, 4, 4, 4, (const int[]){1, 0, 2, 3}); }
static void m_irqbalance(struct machine *m)
{
	base(m, 4, 4, 4, NULL);
	m->now.platform.irqbalance_pid = 812;
}
static void m_xdp(struct machine *m) { base(m, 4, 1, 4, NULL)->xdp = true; }
static void m_managed(struct machine *m)
{
	struct mq_nic *n = base(m, 4, 4, 4, (const int[]){1, 0, 2, 3});

	for (unsigned i = 0; i < n->nirqs; i++)
		n->irqs[i].managed = true;
}
static void m_shared(struct machine *m)
{
	struct mq_nic *n;

	fx_init(&m->now, 2);
	fx_config(&m->cfg);
	n = fx_nic(&m->now, "eth0", "virtio_net", 2, 2);
	fx_irq(n, 24, "virtio0-config", IRQ_ROLE_CONFIG, -1, 0);
	fx_irq(n, 25, "virtio0-virtqueues", IRQ_ROLE_SHARED, -1, 0);
	n->irq_shared = true;
}
static void m_unknown(struct machine *m)
{
	base(m, 4, 4, 4, NULL)->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
}
static void m_xps(struct machine *m)
{
	struct mq_nic *n = base(m, 4, 4, 4, NULL);

	for (unsigned q = 0; q < 4; q++)
		n->queues[q].xps = NULL;
}
static void m_rps(struct machine *m)
{
	base(m, 4, 4, 4, NULL);
	m->cfg.defaults.rps = true;
}
static void m_clamped(struct machine *m)
{
	base(m, 4, 4, 4, NULL);
	m->cfg.defaults.queues_mode = QUEUES_N;
	m->cfg.defaults.queues = 8;
}
static void m_fallback(struct machine *m)
{
	base(m, 2, 1, 1, NULL);
	cpuset_parse_list("0-1", cpuset_buf(&m->cfg.banned_cpus));
}
static void m_unmatched(struct machine *m)
{
	base(m, 4, 4, 4, NULL);
	m->cfg.sections = calloc(1, sizeof(*m->cfg.sections));
	assert_non_null(m->cfg.sections);
	m->cfg.sections[0] = (struct mq_section){.match = MATCH_NAME, .pattern = "eth9", .line = 7};
	m->cfg.nsections = 1;
}
static void m_rss(struct machine *m, uint32_t first)
{
	struct mq_nic *n = base(m, 4, 4, 4, NULL);

	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 8, .indir = calloc(8, sizeof(uint32_t))};
	assert_non_null(n->rss.indir);
	for (uint32_t i = 0; i < 8; i++)
		n->rss.indir[i] = i < first ? 0 : i % 4;
}
static void m_rss_left_out(struct machine *m) { m_rss(m, 8); }
static void m_rss_uneven(struct machine *m) { m_rss(m, 2); }
static void m_imbalance(struct machine *m)
{
	base(m, 4, 4, 4, NULL);
	later(m);
	m->now.nics[0].queues[0].rx_packets += 9700;
	m->now.nics[0].queues[1].rx_packets += 300;
}
static void m_cpu(struct machine *m, uint64_t softirq, uint64_t dropped, uint64_t squeezed)
{
	base(m, 2, 2, 2, NULL);
	later(m);
	for (unsigned c = 0; c < 2; c++)
		m->now.cpus.cpu[c].cnt.ticks_total = 100;
	m->now.cpus.cpu[1].cnt.ticks_softirq = softirq;
	m->now.cpus.cpu[1].cnt.softnet_dropped = dropped;
	m->now.cpus.cpu[1].cnt.softnet_squeezed = squeezed;
}
static void m_busy(struct machine *m) { m_cpu(m, 80, 0, 0); }
static void m_drops(struct machine *m) { m_cpu(m, 0, 5, 0); }
static void m_squeeze(struct machine *m) { m_cpu(m, 0, 0, 5); }

/* Each machine's first finding is the one named: its finding_add() is the first to allocate. */
static const struct {
	void (*build)(struct machine *m);
	enum finding_code first;
} machines[] = {
	{m_below, FIND_CHANNELS_BELOW_TARGET},   {m_fewer, FIND_DEVICE_FEWER_QUEUES},
	{m_above, FIND_CHANNELS_ABOVE_TARGET},   {m_stacked, FIND_IRQS_STACKED},
	{m_pending, FIND_IRQS_PENDING},          {m_irqbalance, FIND_IRQBALANCE_RUNNING},
	{m_xdp, FIND_XDP_BLOCKS_CHANNELS},       {m_managed, FIND_IRQS_MANAGED},
	{m_shared, FIND_IRQ_SHARED_VECTOR},      {m_unknown, FIND_CHANNELS_UNKNOWN},
	{m_xps, FIND_XPS_MISMATCH},              {m_rps, FIND_RPS_PENDING},
	{m_clamped, FIND_QUEUES_CLAMPED},        {m_fallback, FIND_CPUS_FALLBACK},
	{m_unmatched, FIND_CONFIG_UNMATCHED},    {m_rss_left_out, FIND_RSS_LEAVES_OUT},
	{m_rss_uneven, FIND_RSS_UNEVEN},         {m_imbalance, FIND_RX_IMBALANCE},
	{m_busy, FIND_CPU_SOFTIRQ_BUSY},         {m_drops, FIND_SOFTNET_DROPS},
	{m_squeeze, FIND_SOFTNET_SQUEEZE},
};

/* "code ifname" of each finding, in order: what a run says, not how it words it. */
static void summary(const struct mq_assessment *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < a->nfindings && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s %s\n",
				      finding_code_to_string(a->findings[i].code), a->findings[i].ifname);
}

/* Every allocation of one assess() failing in turn: -ENOMEM, or all of the findings. */
static void sweep(const struct machine *m, const char *want)
{
	struct mq_assessment a;
	char got[4096];
	unsigned n;
	int r;

	for (n = 1; n < 2000; n++) {
		fail_at = n;
		allocs = 0;
		failed = false;
		r = assess(&m->now, m->has_before ? &m->before : NULL, &m->cfg, &a);
		fail_at = 0;
		if (!failed) {
			assert_int_equal(r, 0);
			assessment_free(&a);
			break; /* every allocation has failed once */
		}
		if (r != 0) {
			assert_int_equal(r, -ENOMEM);
			continue;
		}
		/* a failure something tolerated: the findings are still the same ones */
		summary(&a, got, sizeof(got));
		assessment_free(&a);
		if (strcmp(got, want) != 0)
			fail_msg("allocation %u failed, assess() returned 0 with other findings:\n%s"
				 "instead of\n%s", n, got, want);
	}
	assert_true(n > 5 && n < 2000);
}

static void test_every_allocation_fails(void **state)
{
	char want[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(machines) / sizeof(machines[0]); i++) {
		struct machine m;
		struct mq_assessment a;

		memset(&m, 0, sizeof(m));
		machines[i].build(&m);
		/* Unhindered first: what a run that got its memory says. */
		assert_int_equal(assess(&m.now, m.has_before ? &m.before : NULL, &m.cfg, &a), 0);
		summary(&a, want, sizeof(want));
		if (!a.nfindings || a.findings[0].code != machines[i].first)
			fail_msg("machine %zu: first finding is not %s:\n%s", i,
				 finding_code_to_string(machines[i].first), want);
		assessment_free(&a);
		sweep(&m, want);
		free(m.cfg.sections);
		m.cfg.sections = NULL;
		m.cfg.nsections = 0;
		config_free(&m.cfg);
		fx_free(&m.now);
		if (m.has_before)
			fx_free(&m.before);
	}
}

/*
 * assess_counters() with each of its allocations failing in turn: -ENOMEM
 * and the assessment as it was (the daemon keeps using it), or every
 * finding of the new interval.
 */
static void test_counters_allocation_fails(void **state)
{
	void (*const builds[])(struct machine *) = {m_busy, m_imbalance, m_drops};
	char want[4096], kept[4096], got[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		struct machine m;
		struct mq_assessment a;
		unsigned n;
		int r;

		memset(&m, 0, sizeof(m));
		builds[i](&m);
		assert_int_equal(assess(&m.now, &m.before, &m.cfg, &a), 0);
		summary(&a, want, sizeof(want));
		assessment_free(&a);
		for (n = 1; n < 200; n++) {
			assert_int_equal(assess(&m.now, NULL, &m.cfg, &a), 0);
			summary(&a, kept, sizeof(kept));
			assert_string_not_equal(kept, want); /* the interval's finding is new */
			fail_at = n;
			allocs = 0;
			failed = false;
			r = assess_counters(&a, &m.now, &m.before, &m.cfg);
			fail_at = 0;
			summary(&a, got, sizeof(got));
			if (r == 0) {
				assert_string_equal(got, want);
				assert_true(a.load.secs == 1.0);
			} else {
				assert_int_equal(r, -ENOMEM);
				assert_true(failed);
				assert_string_equal(got, kept);
				assert_true(a.load.secs == 0); /* still the reading without an interval */
			}
			assessment_free(&a);
			if (!failed)
				break; /* every allocation has failed once */
		}
		assert_true(n > 2 && n < 200);
		config_free(&m.cfg);
		fx_free(&m.now);
		fx_free(&m.before);
	}
}

/* No CPU online (a broken probe): nothing is planned, with none of the buffers sized 0. */
static void m_no_cpu(struct machine *m)
{
	base(m, 2, 2, 2, NULL);
	m->now.cpus.online = NULL;
}

/* IRQs, but no queue active (channels 0, as while a driver resets). */
static void m_no_queues(struct machine *m) { base(m, 4, 0, 4, NULL); }

/*
 * A libc whose malloc(0) is NULL (C and POSIX allow it) changes nothing:
 * every buffer sized by a count that may be 0 asks for at least one element.
 */
static void test_zero_size_allocations(void **state)
{
	void (*const builds[])(struct machine *) = {m_no_cpu, m_no_queues, m_shared, m_xps,
						     m_rss_left_out, m_busy};
	char want[4096], got[4096];
	(void)state;

	for (size_t i = 0; i < sizeof(builds) / sizeof(builds[0]); i++) {
		struct machine m;
		struct mq_assessment a;

		memset(&m, 0, sizeof(m));
		builds[i](&m);
		assert_int_equal(assess(&m.now, m.has_before ? &m.before : NULL, &m.cfg, &a), 0);
		summary(&a, want, sizeof(want));
		assessment_free(&a);
		zero_null = true;
		assert_int_equal(assess(&m.now, m.has_before ? &m.before : NULL, &m.cfg, &a), 0);
		zero_null = false;
		summary(&a, got, sizeof(got));
		assessment_free(&a);
		assert_string_equal(got, want);
		config_free(&m.cfg);
		fx_free(&m.now);
		if (m.has_before)
			fx_free(&m.before);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails),
		cmocka_unit_test(test_zero_size_allocations),
		cmocka_unit_test(test_counters_allocation_fails),
	};
	return cmocka_run_group_tests_name("assess_oom", tests, NULL, NULL);
}
