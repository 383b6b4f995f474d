// SPDX-License-Identifier: MIT
/*
 * assess() with each of its allocations failing in turn, over a machine that
 * makes nearly every kind of finding: -ENOMEM or a whole assessment, never a
 * crash and never half the findings (ASan, in `make asan`, sees the leaks).
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

void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b) { return fails() ? NULL : __real_calloc(a, b); }
void *__wrap_realloc(void *p, size_t n) { return fails() ? NULL : __real_realloc(p, n); }

/*
 * 4 CPUs with irqbalance running and CPU 1 busy in softirq; eth0 with kernel-
 * managed IRQs stacked on CPU 0 and a lopsided RX; eth1 one shared vector;
 * eth2 with unknown channels; eth3 kernel-managed IRQs in the wrong places
 * and an RSS table that sends everything to rx-0; eth4 below target with
 * XDP attached; a config section that matches nothing.
 */
static void machine(struct mq_snapshot *now, struct mq_snapshot *before, struct mq_config *cfg)
{
	struct mq_nic *n;

	fx_init(now, 4);
	now->platform.irqbalance_pid = 812;
	n = fx_nic(now, "eth0", "virtio_net", 4, 8);
	fx_virtio_irqs(n, 24, (const int[]){0, 0, 0, 1});
	for (unsigned i = 0; i < n->nirqs; i++)
		n->irqs[i].managed = true;
	n = fx_nic(now, "eth1", "virtio_net", 2, 2);
	fx_irq(n, 40, "virtio1-config", IRQ_ROLE_CONFIG, -1, 0);
	fx_irq(n, 41, "virtio1-virtqueues", IRQ_ROLE_SHARED, -1, 0);
	n->irq_shared = true;
	n = fx_nic(now, "eth2", "e1000", 1, 1);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	fx_irq(n, 11, "eth2", IRQ_ROLE_RXTX, 0, 2);
	n = fx_nic(now, "eth3", "virtio_net", 4, 4);
	fx_virtio_irqs(n, 60, (const int[]){3, 2, 1, 0});
	for (unsigned i = 0; i < n->nirqs; i++)
		n->irqs[i].managed = true;
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 8, .indir = calloc(8, sizeof(uint32_t))};
	assert_non_null(n->rss.indir);
	n = fx_nic(now, "eth4", "virtio_net", 1, 4);
	fx_virtio_irqs(n, 80, (const int[]){2});
	n->xdp = true;
	fx_copy(before, now);
	now->taken.tv_sec += 1;
	now->nics[0].queues[0].rx_packets += 97000;
	now->nics[0].queues[1].rx_packets += 3000;
	for (unsigned c = 0; c < 4; c++) {
		now->cpus.cpu[c].cnt.ticks_total = 100;
		now->cpus.cpu[c].cnt.ticks_softirq = c == 1 ? 80 : 1;
		now->cpus.cpu[c].cnt.softnet_dropped = c == 1 ? 50 : 0;
		now->cpus.cpu[c].cnt.softnet_squeezed = c == 1 ? 50 : 0;
	}
	fx_config(cfg);
	cfg->sections = calloc(1, sizeof(*cfg->sections));
	assert_non_null(cfg->sections);
	cfg->sections[0] = (struct mq_section){.match = MATCH_NAME, .pattern = "eth9", .line = 7};
	cfg->nsections = 1;
}

/* "code ifname" of each finding, in order: what a run says, not how it words it. */
static void summary(const struct mq_assessment *a, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < a->nfindings && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s %s\n",
				      finding_code_to_string(a->findings[i].code), a->findings[i].ifname);
}

static void test_every_allocation_fails(void **state)
{
	struct mq_snapshot now, before;
	struct mq_config cfg;
	struct mq_assessment a;
	char want[4096], got[4096];
	unsigned n, codes = 0;
	int r;
	(void)state;

	machine(&now, &before, &cfg);
	/* Unhindered first: the findings a run that got its memory makes. */
	assert_int_equal(assess(&now, &before, &cfg, &a), 0);
	summary(&a, want, sizeof(want));
	for (unsigned i = 0; i < a.nfindings; i++)
		codes |= 1u << a.findings[i].code;
	assert_true(a.nfindings >= 15);
	assessment_free(&a);
	if (getenv("MQ_TEST_VERBOSE"))
		for (unsigned c = 0; c < _FIND_CODE_MAX; c++)
			print_message("# %s %s\n", codes & (1u << c) ? "made" : "not made",
				      finding_code_to_string((enum finding_code)c));

	for (n = 1; n < 2000; n++) {
		fail_at = n;
		allocs = 0;
		failed = false;
		r = assess(&now, &before, &cfg, &a);
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
	assert_true(n > 20 && n < 2000);
	config_free(&cfg);
	fx_free(&now);
	fx_free(&before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_allocation_fails),
	};
	return cmocka_run_group_tests_name("assess_oom", tests, NULL, NULL);
}
