// SPDX-License-Identifier: MIT
/*
 * apply_run() (agent/apply.c) on plans built by hand through fake setters:
 * the order of the steps, which channel counts it refuses, what a re-plan, a
 * failed re-probe, a stop and no memory leave, which IRQs it learns are
 * kernel-managed. The IRQ writes are answered here (tests/test_apply_items.mk);
 * tests/test_apply.c has them against a fixture tree.
 */
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/apply.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static char calls[256]; /* "rss:eth0 ch:eth0 irq:30 ..." */
static int reprobe_r, channels_r;
static struct plan_item replanned[3];
static bool eio;            /* every IRQ write: EIO (a kernel-managed IRQ) */
static bool realloc_fails;  /* every realloc() returns NULL */

void *__real_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size);
void *__wrap_realloc(void *p, size_t size)
{
	return realloc_fails ? NULL : __real_realloc(p, size);
}

int __wrap_sysfs_write(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int __wrap_sysfs_write(const char *val, const char *fmt, ...)
{
	char path[256];
	size_t n = strlen(calls);
	unsigned irq;
	va_list ap;

	(void)val;
	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	if (sscanf(path, "/proc/irq/%u/smp_affinity_list", &irq) != 1)
		fail_msg("unexpected write to %s", path);
	snprintf(calls + n, sizeof(calls) - n, "%sirq:%u", n ? " " : "", irq);
	return eio ? -EIO : 0;
}

static void called(const char *what, const struct plan_item *it)
{
	size_t n = strlen(calls);

	snprintf(calls + n, sizeof(calls) - n, "%s%s:%s", n ? " " : "", what, it->ifname);
}

static int fake_channels_set(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	(void)ctx;
	called("ch", it);
	if (msglen)
		msg[0] = '\0';
	return channels_r;
}

static int fake_rss_reset(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	(void)ctx;
	called("rss", it);
	if (msglen)
		msg[0] = '\0';
	return 0;
}

/* The re-plan: eth0's channel item keeps its result, eth1 now has a channel change too. */
static int fake_reprobe(void *ctx, struct mq_plan *p)
{
	(void)ctx;
	snprintf(calls + strlen(calls), sizeof(calls) - strlen(calls), " reprobe");
	if (reprobe_r)
		return reprobe_r;
	replanned[0] = p->items[0];
	replanned[1] = (struct plan_item){.kind = PLAN_CHANNELS, .ifindex = 3, .ifname = "eth1",
					  .queue = -1, .irq = -1, .change = true,
					  .ch_target = {.combined = 2}};
	replanned[2] = (struct plan_item){.kind = PLAN_CHANNELS, .ifindex = 4, .ifname = "eth2",
					  .queue = -1, .irq = -1};
	p->items = replanned;
	p->n = 3;
	return 0;
}

static const struct apply_env env = {
	.channels_set = fake_channels_set, .rss_reset = fake_rss_reset, .reprobe = fake_reprobe};

static struct plan_item channels(const char *ifname, int ifindex, struct mq_counts target)
{
	struct plan_item it = {.kind = PLAN_CHANNELS, .ifindex = ifindex, .queue = -1, .irq = -1,
			       .change = true, .ch_target = target};

	snprintf(it.ifname, sizeof(it.ifname), "%s", ifname);
	return it;
}

/* An IRQ item of ifindex/ifname to move to CPU cpu, in p's pool. */
static struct plan_item irq_item(struct mq_plan *p, const char *ifname, int ifindex, int irq, unsigned cpu)
{
	struct plan_item it = {.kind = PLAN_IRQ_AFFINITY, .ifindex = ifindex, .queue = 0, .irq = irq,
			       .change = true};
	CPUSET_DEFINE(s);

	snprintf(it.ifname, sizeof(it.ifname), "%s", ifname);
	cpuset_set(s, cpu);
	assert_int_equal(plan_set(p, &it.target, s), 0);
	return it;
}

/* CPUs 0-3 online. */
static void online(struct mq_plan *p)
{
	CPUSET_DEFINE(s);

	for (unsigned c = 0; c < 4; c++)
		cpuset_set(s, c);
	assert_int_equal(plan_set(p, &p->online, s), 0);
}

static int setup(void **state)
{
	(void)state;
	calls[0] = '\0';
	reprobe_r = channels_r = 0;
	eio = realloc_fails = false;
	/* effective_affinity_list is read back: from nowhere */
	sysfs_set_root("/nonexistent-mq-apply-items");
	return 0;
}

/* A hand-set RSS table first (it can make the driver refuse fewer channels), then channels. */
static void test_rss_before_channels(void **state)
{
	struct plan_item items[2] = {channels("eth0", 2, (struct mq_counts){.combined = 4}),
				     {.kind = PLAN_RSS, .ifindex = 2, .ifname = "eth0", .queue = -1,
				      .irq = -1, .change = true}};
	struct mq_plan p = {.n = 2, .items = items};
	(void)state;

	reprobe_r = -EIO;
	assert_int_equal(apply_run(&p, &env), 0);
	assert_string_equal(calls, "rss:eth0 ch:eth0 reprobe");
	assert_int_equal(p.items[0].status, STEP_OK);
	assert_int_equal(p.items[1].status, STEP_OK);
	assert_true(p.applied);
}

/*
 * No RX or no TX channel left is refused; rx/tx counts beside combined ones
 * count toward both.
 */
static void test_zero_channels(void **state)
{
	static const struct {
		struct mq_counts target;
		bool refused;
	} cases[] = {
		{{.combined = 0, .rx = 1, .tx = 1}, false},
		{{.combined = 0, .rx = 2, .tx = 0}, true},
		{{.combined = 0, .rx = 0, .tx = 2}, true},
		{{.combined = 2, .rx = 0, .tx = 2}, false},
		{{.combined = 0, .rx = 1, .tx = 5}, false},
		{{.combined = 0}, true},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan_item it = channels("eth0", 2, cases[i].target);
		struct mq_plan p = {.n = 1, .items = &it};

		setup(NULL);
		reprobe_r = -EIO;
		assert_int_equal(apply_run(&p, &env), 0);
		if (cases[i].refused) {
			assert_int_equal(it.status, STEP_FAILED);
			assert_int_equal(it.err, -EINVAL);
			assert_string_equal(it.msg, "refusing to leave eth0 without RX or TX channels");
			assert_string_equal(calls, "");
		} else if (it.status != STEP_OK) {
			fail_msg("case %zu: status %d, '%s'", i, it.status, it.msg);
		}
	}
}

/*
 * After the re-plan, a channel change planned for a NIC not changed in this
 * pass waits for the next one; one without a change is unchanged.
 */
static void test_replanned_channels(void **state)
{
	struct plan_item items[1] = {channels("eth0", 2, (struct mq_counts){.combined = 4})};
	struct mq_plan p = {.n = 1, .items = items};
	(void)state;

	assert_int_equal(apply_run(&p, &env), 0);
	assert_string_equal(calls, "ch:eth0 reprobe");
	assert_true(p.reprobed);
	assert_int_equal(p.items[0].status, STEP_OK);
	assert_int_equal(p.items[1].status, STEP_SKIPPED);
	assert_int_equal(p.items[1].err, 0);
	assert_string_equal(p.items[1].msg, "re-planned after a channel change: next pass");
	assert_int_equal(p.items[2].status, STEP_UNCHANGED);
}

/* The re-probe failed: that NIC's other items are skipped (not failed) with the reason. */
static void test_reprobe_failed(void **state)
{
	struct plan_item items[3] = {
		channels("eth0", 2, (struct mq_counts){.combined = 4}),
		{.kind = PLAN_RSS, .ifindex = 2, .ifname = "eth0", .queue = -1, .irq = -1},
		{.kind = PLAN_IRQ_AFFINITY, .ifindex = 2, .ifname = "eth0", .queue = 0, .irq = 30,
		 .change = true},
	};
	struct mq_plan p = {.n = 3, .items = items};
	(void)state;

	items[1].change = true;
	reprobe_r = -EIO;
	assert_int_equal(apply_run(&p, &env), 0);
	assert_int_equal(p.reprobe_err, -EIO);
	assert_false(p.reprobed);
	assert_string_equal(calls, "rss:eth0 ch:eth0 reprobe");
	assert_int_equal(items[2].status, STEP_SKIPPED);
	assert_int_equal(items[2].err, 0);
	assert_string_equal(items[2].msg, "skipped: not re-probed after the channel change (Input/output error)");
}

/* The re-probe failed after two NICs changed: both NICs' other items are skipped. */
static void test_reprobe_failed_two_nics(void **state)
{
	struct plan_item items[4] = {channels("eth0", 2, (struct mq_counts){.combined = 4}),
				     channels("eth1", 3, (struct mq_counts){.combined = 4})};
	struct mq_plan p = {.n = 4, .items = items};
	(void)state;

	online(&p);
	items[2] = irq_item(&p, "eth0", 2, 30, 1);
	items[3] = irq_item(&p, "eth1", 3, 31, 2);
	reprobe_r = -EIO;
	assert_int_equal(apply_run(&p, &env), 0);
	assert_string_equal(calls, "ch:eth0 ch:eth1 reprobe");
	for (unsigned i = 2; i < 4; i++) {
		assert_int_equal(items[i].status, STEP_SKIPPED);
		assert_string_equal(items[i].msg,
				    "skipped: not re-probed after the channel change (Input/output error)");
	}
	cpuset_pool_free(&p.sets);
}

/* SIGTERM asked before the second NIC's channels: no re-probe (the run ends), that change not done. */
static int stop_second(void *ctx)
{
	unsigned *asked = ctx;

	return ++*asked >= 2 ? SIGTERM : 0;
}

static void test_stop_between_channels(void **state)
{
	struct plan_item items[2] = {channels("eth0", 2, (struct mq_counts){.combined = 4}),
				     channels("eth1", 3, (struct mq_counts){.combined = 4})};
	struct mq_plan p = {.n = 2, .items = items};
	unsigned asked = 0;
	struct apply_env e = env;
	(void)state;

	e.ctx = &asked;
	e.stop = stop_second;
	assert_int_equal(apply_run(&p, &e), 0);
	assert_string_equal(calls, "ch:eth0");
	assert_int_equal(asked, 2);
	assert_false(p.reprobed);
	assert_int_equal(p.interrupted, SIGTERM);
	assert_true(p.applied);
	assert_ptr_equal(p.items, items); /* not replaced by a re-plan */
	assert_int_equal(items[0].status, STEP_OK);
	assert_int_equal(items[1].status, STEP_SKIPPED);
	assert_int_equal(items[1].err, -EINTR);
	assert_string_equal(items[1].msg, "not done: interrupted by SIGTERM");
}

/* No memory to note a vanished or un-re-probed NIC: -ENOMEM, nothing more tried, not applied. */
static void test_enomem(void **state)
{
	struct plan_item items[3] = {channels("eth0", 2, (struct mq_counts){.combined = 4})};
	struct mq_plan p = {.n = 3, .items = items};
	(void)state;

	online(&p);
	items[1] = channels("eth1", 3, (struct mq_counts){.combined = 4});
	items[2] = irq_item(&p, "eth1", 3, 31, 2);
	channels_r = -ENODEV; /* eth0 vanished */
	realloc_fails = true;
	assert_int_equal(apply_run(&p, &env), -ENOMEM);
	realloc_fails = false;
	assert_string_equal(calls, "ch:eth0");
	assert_false(p.applied);
	assert_int_equal(items[1].status, STEP_PLANNED);

	/* the same in the re-probe's bookkeeping */
	setup(NULL);
	memset(items, 0, sizeof(items[0]) * 2);
	items[0] = channels("eth0", 2, (struct mq_counts){.combined = 4});
	items[1] = channels("eth1", 3, (struct mq_counts){.combined = 4});
	items[2].status = STEP_PLANNED;
	reprobe_r = -EIO;
	realloc_fails = true;
	assert_int_equal(apply_run(&p, &env), -ENOMEM);
	realloc_fails = false;
	assert_string_equal(calls, "ch:eth0 ch:eth1 reprobe");
	assert_false(p.applied);
	assert_int_equal(items[2].status, STEP_PLANNED);
	cpuset_pool_free(&p.sets);
}

/* Each IRQ that answers EIO is learnt once, however many there are and however often. */
static void test_managed_learnt(void **state)
{
	struct plan_item items[3];
	struct mq_plan p = {.n = 3, .items = items};
	struct irq_memory mem = {0};
	struct apply_env e = env;
	(void)state;

	online(&p);
	for (unsigned i = 0; i < 3; i++)
		items[i] = irq_item(&p, "eth0", 2, 30 + (int)i, i);
	e.managed = &mem;
	eio = true;
	assert_int_equal(apply_run(&p, &e), 0);
	assert_string_equal(calls, "irq:30 irq:31 irq:32");
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(items[i].status, STEP_FAILED);
		assert_int_equal(items[i].err, -EIO);
		assert_true(irq_memory_has(&mem, 30 + i));
		items[i].status = STEP_PLANNED;
	}
	assert_int_equal(mem.n, 3);
	assert_false(irq_memory_has(&mem, 33));
	assert_int_equal(apply_run(&p, &e), 0); /* the same again: nothing new */
	assert_int_equal(mem.n, 3);
	irq_memory_free(&mem);
	assert_int_equal(mem.n, 0);
	assert_false(irq_memory_has(&mem, 30));

	/* no memory to note it: the step still fails in the kernel's words, nothing learnt */
	items[0].status = STEP_PLANNED;
	p.n = 1;
	realloc_fails = true;
	assert_int_equal(apply_run(&p, &e), 0);
	realloc_fails = false;
	assert_int_equal(items[0].status, STEP_FAILED);
	assert_int_equal(items[0].err, -EIO);
	assert_int_equal(mem.n, 0);
	assert_false(irq_memory_has(&mem, 30));
	cpuset_pool_free(&p.sets);
}

/* Every target CPU offline: skipped without a write, and the next IRQ still gets its turn. */
static void test_target_offline(void **state)
{
	struct plan_item items[2] = {
		{.kind = PLAN_IRQ_AFFINITY, .ifindex = 2, .ifname = "eth0", .queue = 0, .irq = 30, .change = true},
		{.kind = PLAN_IRQ_AFFINITY, .ifindex = 2, .ifname = "eth0", .queue = 1, .irq = 31, .change = true},
	};
	struct mq_plan p = {.n = 2, .items = items};
	CPUSET_DEFINE(s);
	(void)state;

	cpuset_set(s, 0);
	cpuset_set(s, 1);
	assert_int_equal(plan_set(&p, &p.online, s), 0);
	cpuset_zero(s);
	cpuset_set(s, 3);
	assert_int_equal(plan_set(&p, &items[0].target, s), 0);
	cpuset_set(s, 2);
	assert_int_equal(plan_set(&p, &items[1].target, s), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(items[i].status, STEP_SKIPPED);
		assert_int_equal(items[i].err, -EINVAL);
		assert_string_equal(items[i].msg, "no online CPU left in the target");
	}
	assert_string_equal(calls, "");
	cpuset_pool_free(&p.sets);
}

/*
 * effective_affinity_list read back after the write: an empty one (an IRQ
 * not started) is an empty set the kernel gave; unreadable or garbage is
 * none at all.
 */
static void test_effective_read_back(void **state)
{
	static const struct {
		const char *text; /* NULL: no file */
		bool has;
		unsigned count;
	} cases[] = {{"2\n", true, 1}, {"\n", true, 0}, {"", true, 0}, {"x\n", false, 0}, {NULL, false, 0}};
	char root[] = "/tmp/mq-apply-items-XXXXXX", path[128];
	(void)state;

	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	snprintf(path, sizeof(path), "%s/proc/irq/30/effective_affinity_list", root);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct plan_item it;
		struct mq_plan p = {.n = 1, .items = &it};

		online(&p);
		it = irq_item(&p, "eth0", 2, 30, 2);
		if (cases[i].text)
			assert_int_equal(tmptree_put(path, strlen(root), cases[i].text), 0);
		else
			unlink(path);
		assert_int_equal(apply_run(&p, &env), 0);
		assert_int_equal(it.status, STEP_OK);
		if (it.has_effective != cases[i].has)
			fail_msg("case %zu: has_effective %d", i, it.has_effective);
		if (cases[i].has)
			assert_int_equal(cpuset_count(it.effective), cases[i].count);
		cpuset_pool_free(&p.sets);
	}
	assert_int_equal(tmptree_rm(root), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rss_before_channels, setup),
		cmocka_unit_test_setup(test_zero_channels, setup),
		cmocka_unit_test_setup(test_replanned_channels, setup),
		cmocka_unit_test_setup(test_reprobe_failed, setup),
		cmocka_unit_test_setup(test_target_offline, setup),
		cmocka_unit_test_setup(test_reprobe_failed_two_nics, setup),
		cmocka_unit_test_setup(test_stop_between_channels, setup),
		cmocka_unit_test_setup(test_enomem, setup),
		cmocka_unit_test_setup(test_managed_learnt, setup),
		cmocka_unit_test_setup(test_effective_read_back, setup),
	};
	return cmocka_run_group_tests_name("apply_items", tests, NULL, NULL);
}
