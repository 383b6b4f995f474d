// SPDX-License-Identifier: MIT
/*
 * What the daemon makes of its configuration (fakes from
 * tests/daemon_fake.h): the periods of its timers, from interval and
 * drift_check at start-up and again at a reload, clamped at both ends; and
 * what a reload that fails logs. The loop's timers are the real ones,
 * recorded on their way in (tests/test_daemon_config.mk); each run ends
 * with the start-up pass (SIGTERM), before any of them fires.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "agent/log.h"
#include "agent/loop.h"
#include "tests/daemon_fake.h"

static struct {
	unsigned nadds, nsets;
	uint64_t add[4];          /* in the order armed: drift check, sample, watchdog */
	int add_id[4];
	uint64_t set[4];          /* re-armed at a reload, */
	int set_id[4];            /* which timer */
	char log[4096];           /* every message, "level text" one a line */
} t;

int __real_loop_add_timer(struct mq_loop *l, uint64_t period_ms, loop_timer_fn fn, void *ctx);
int __wrap_loop_add_timer(struct mq_loop *l, uint64_t period_ms, loop_timer_fn fn, void *ctx);
int __wrap_loop_add_timer(struct mq_loop *l, uint64_t period_ms, loop_timer_fn fn, void *ctx)
{
	int id = __real_loop_add_timer(l, period_ms, fn, ctx);

	assert_true(t.nadds < 4);
	t.add[t.nadds] = period_ms;
	t.add_id[t.nadds++] = id;
	return id;
}

int __real_loop_timer_set(struct mq_loop *l, int id, uint64_t period_ms);
int __wrap_loop_timer_set(struct mq_loop *l, int id, uint64_t period_ms);
int __wrap_loop_timer_set(struct mq_loop *l, int id, uint64_t period_ms)
{
	assert_true(t.nsets < 4);
	t.set[t.nsets] = period_ms;
	t.set_id[t.nsets++] = id;
	return __real_loop_timer_set(l, id, period_ms);
}

void __wrap_log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void __wrap_log_msg(enum log_level lvl, const char *fmt, ...)
{
	size_t n = strlen(t.log);
	va_list ap;

	n += (size_t)snprintf(t.log + n, sizeof(t.log) - n, "%d ", lvl);
	va_start(ap, fmt);
	n += (size_t)vsnprintf(t.log + n, sizeof(t.log) - n, fmt, ap);
	va_end(ap);
	snprintf(t.log + n, sizeof(t.log) - n, "\n");
}

static int setup_t(void **state)
{
	memset(&t, 0, sizeof(t));
	return setup(state);
}

/* The period the timer armed as the add-th was last re-armed with. */
static uint64_t rearmed(unsigned add)
{
	for (unsigned i = t.nsets; i-- > 0;)
		if (t.set_id[i] == t.add_id[add])
			return t.set[i];
	fail_msg("timer %u not re-armed", add);
	return 0;
}

/*
 * interval: a sample every that many seconds, none at 0 (or below, or
 * NaN) or without a sampler, at most every 100 ms and at least once a day.
 * drift_check: a check every that many seconds, the default 30 s below 1 s
 * (or NaN), at least once a day; a test's own drift_ms over all of it. The
 * watchdog: at half WATCHDOG_USEC, at least 1 ms.
 */
static void test_timer_periods(void **state)
{
	static const struct {
		double interval, drift_check;
		bool no_sampler;     /* no sample hook */
		unsigned drift_ms;   /* opts.drift_ms */
		const char *wd;      /* WATCHDOG_USEC */
		uint64_t sample_ms, check_ms, wd_ms;
	} rows[] = {
		{2, 3600, false, 0, NULL, 2000, 3600000, 0},
		{0.25, 2.5, false, 0, NULL, 250, 2500, 0},
		{0.1, 1, false, 0, NULL, 100, 1000, 0},
		{0.099, 0.999, false, 0, NULL, 100, 30000, 0},
		{0.05, 0, false, 0, NULL, 100, 30000, 0},
		{86400, 86400, false, 0, NULL, 86400000, 86400000, 0},
		{86400.5, 86401, false, 0, NULL, 86400000, 86400000, 0},
		{1e12, 1e12, false, 0, NULL, 86400000, 86400000, 0},
		{0, -5, false, 0, NULL, 0, 30000, 0},
		{-1, NAN, false, 0, NULL, 0, 30000, 0},
		{NAN, 7, false, 150, NULL, 0, 150, 0},
		{2, 7, true, 0, NULL, 0, 7000, 0},
		{5, 7, false, 0, "3000000", 5000, 7000, 1500},
		{5, 7, false, 0, "1999", 5000, 7000, 1},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (i > 0) {
			teardown(NULL);
			assert_int_equal(setup_t(NULL), 0);
		}
		print_message("interval %g%s, drift_check %g, drift_ms %u, WATCHDOG_USEC %s\n",
			      rows[i].interval, rows[i].no_sampler ? " (no sampler)" : "",
			      rows[i].drift_check, rows[i].drift_ms,
			      rows[i].wd ? rows[i].wd : "unset");
		if (!rows[i].no_sampler)
			opts.hooks.sample = fake_sample;
		f.interval = rows[i].interval;
		f.drift_check[0] = rows[i].drift_check;
		opts.drift_ms = rows[i].drift_ms;
		if (rows[i].wd)
			setenv("WATCHDOG_USEC", rows[i].wd, 1);
		f.stop_after = 1;
		assert_int_equal(run(), 0);
		unsetenv("WATCHDOG_USEC");
		assert_int_equal(t.nadds, rows[i].wd ? 3 : 2);
		assert_int_equal(t.add[0], rows[i].check_ms);
		assert_int_equal(t.add[1], rows[i].sample_ms);
		if (rows[i].wd)
			assert_int_equal(t.add[2], rows[i].wd_ms);
		assert_int_equal(t.nsets, 0);
		assert_int_equal(f.samples, 0);
	}
}

static double next_interval;

static void hup_first_new_interval(unsigned call)
{
	if (call != 1)
		return;
	f.interval = next_interval; /* what the reload loads */
	kill(getpid(), SIGHUP);
}

/* A reload re-arms both timers from the new configuration, clamped as at start-up. */
static void test_reload_rearms(void **state)
{
	static const struct {
		double interval, drift_check;
		uint64_t sample_ms, check_ms;
	} rows[] = {
		{0.05, 1, 100, 1000},
		{3, 0.5, 3000, 30000},
		{0, 90000, 0, 86400000},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		if (i > 0) {
			teardown(NULL);
			assert_int_equal(setup_t(NULL), 0);
		}
		opts.drift_ms = 0;
		opts.hooks.sample = fake_sample;
		f.interval = 2;
		f.drift_check[0] = 3600;
		next_interval = rows[i].interval;
		f.drift_check[1] = rows[i].drift_check;
		f.hook = hup_first_new_interval;
		f.stop_after = 2;
		assert_int_equal(run(), 0);
		assert_int_equal(f.loads, 2);
		assert_string_equal(f.causes[1], "configuration reloaded");
		assert_int_equal(t.add[0], 3600000);
		assert_int_equal(t.add[1], 2000);
		assert_int_equal(t.nsets, 2);
		assert_int_equal(rearmed(0), rows[i].check_ms);
		assert_int_equal(rearmed(1), rows[i].sample_ms);
	}
}

/* A load that fails without a message of its own: the errno, with the path. */
static int load_fails_quietly(void *ctx, const char *path, struct mq_config *ret, char *err,
			      size_t errlen)
{
	if (f.loads == 1) { /* main's load went through: the reload's fails */
		f.loads++;
		return -EACCES;
	}
	return fake_load(ctx, path, ret, err, errlen);
}

static void hup_first(unsigned call)
{
	if (call == 1)
		kill(getpid(), SIGHUP);
}

/*
 * A reload that fails keeps the old configuration and its timers, and says
 * why: the loader's own words (file and line), or the path and the errno.
 */
static void test_reload_fails(void **state)
{
	(void)state;

	opts.hooks.sample = fake_sample;
	f.interval = 2;
	f.fail_load_call = 2;
	f.hook = hup_first;
	f.stop_after = 2;
	opts.drift_ms = 200;
	assert_int_equal(run(), 0);
	assert_int_equal(f.loads, 2);
	assert_string_equal(f.causes[1], "drift check");
	assert_string_equal(f.cfg_path[1], "/etc/mqbalance.conf#1");
	assert_int_equal(t.nsets, 0);
	assert_non_null(strstr(t.log, "\n3 reload failed: /etc/mqbalance.conf:3: bad value 'x' for "
				      "queues; keeping the old configuration\n"));
	assert_null(strstr(t.log, "reload of"));

	teardown(NULL);
	assert_int_equal(setup_t(NULL), 0);
	opts.hooks.load_config = load_fails_quietly;
	f.hook = hup_first;
	f.stop_after = 2;
	opts.drift_ms = 200;
	assert_int_equal(run(), 0);
	assert_int_equal(f.loads, 2);
	assert_string_equal(f.causes[1], "drift check");
	assert_int_equal(t.nsets, 0);
	assert_non_null(strstr(t.log, "\n3 reload of /etc/mqbalance.conf failed: Permission denied; "
				      "keeping the old configuration\n"));
	assert_null(strstr(t.log, "reload failed"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_timer_periods, setup_t, teardown),
		cmocka_unit_test_setup_teardown(test_reload_rearms, setup_t, teardown),
		cmocka_unit_test_setup_teardown(test_reload_fails, setup_t, teardown),
	};
	return cmocka_run_group_tests_name("daemon_config", tests, NULL, NULL);
}
