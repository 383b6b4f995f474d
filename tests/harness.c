// SPDX-License-Identifier: MIT
/*
 * Linked into every cmocka binary (Makefile: -Wl,--wrap=_cmocka_run_group_tests).
 * cmocka has no per-test timeout, and a binary killed by alarm() loses its
 * buffered "[ RUN ]" lines, so a hang said nothing about which test hung. Here
 * each test's setup arms a SIGALRM of MQ_TEST_TIMEOUT seconds (default 10, 0 =
 * none) and its teardown disarms it; on expiry the handler prints
 *   [  TIMEOUT ] group/test: no result after N s (MQ_TEST_TIMEOUT)
 * and exits 124, as timeout(1) does. Fixtures are swapped for trampolines
 * (one per array slot) because cmocka hands a fixture only the state pointer,
 * not the test it runs for. No malloc and raw syscalls only: test_faults
 * wraps malloc() and write().
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#define MAX_TESTS 64

int __real__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);
int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown);

static struct CMUnitTest slots[MAX_TESTS];
static const struct CMUnitTest *orig;
static const char *group;
static volatile const char *current;
static unsigned timeout_s = 10;

static void say(const char *s)
{
	syscall(SYS_write, 2, s, strlen(s));
}

static void on_alarm(int sig)
{
	char n[12];
	int i = (int)sizeof(n) - 1;
	unsigned v = timeout_s;

	(void)sig;
	n[i] = '\0';
	do
		n[--i] = (char)('0' + v % 10);
	while ((v /= 10) && i > 0);
	say("[  TIMEOUT ] ");
	say(group ? group : "?");
	say("/");
	say(current ? (const char *)current : "(between tests)");
	say(": no result after ");
	say(n + i);
	say(" s (MQ_TEST_TIMEOUT)\n");
	_exit(124);
}

static int fixture(unsigned k, int up, void **state)
{
	CMFixtureFunction f = up ? orig[k].setup_func : orig[k].teardown_func;
	int r;

	if (up) {
		current = orig[k].name;
		alarm(timeout_s);
	}
	r = f ? f(state) : 0;
	if (!up) {
		alarm(0);
		current = NULL;
	}
	return r;
}

/* Slot a * 8 + b gets up_ab/down_ab. */
#define T1(a, b)                                                                         \
	static int up_##a##b(void **s) { return fixture(a * 8 + b, 1, s); }              \
	static int down_##a##b(void **s) { return fixture(a * 8 + b, 0, s); }
#define T8(a) T1(a, 0) T1(a, 1) T1(a, 2) T1(a, 3) T1(a, 4) T1(a, 5) T1(a, 6) T1(a, 7)
T8(0) T8(1) T8(2) T8(3) T8(4) T8(5) T8(6) T8(7)
#define P1(a, b) { up_##a##b, down_##a##b },
#define P8(a) P1(a, 0) P1(a, 1) P1(a, 2) P1(a, 3) P1(a, 4) P1(a, 5) P1(a, 6) P1(a, 7)
static const struct {
	CMFixtureFunction up, down;
} tramp[MAX_TESTS] = { P8(0) P8(1) P8(2) P8(3) P8(4) P8(5) P8(6) P8(7) };

int __wrap__cmocka_run_group_tests(const char *group_name, const struct CMUnitTest *const tests,
				   const size_t num_tests, CMFixtureFunction group_setup,
				   CMFixtureFunction group_teardown)
{
	const char *env = getenv("MQ_TEST_TIMEOUT");
	int r;

	/* A hang must not swallow the "[ RUN ]" line of the test that hung. */
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (env && *env)
		timeout_s = (unsigned)strtoul(env, NULL, 10);
	if (num_tests > MAX_TESTS) {
		say("tests/harness.c: more tests in a group than MAX_TESTS\n");
		return 1;
	}
	if (timeout_s == 0)
		return __real__cmocka_run_group_tests(group_name, tests, num_tests, group_setup,
						      group_teardown);
	orig = tests;
	group = group_name;
	for (size_t i = 0; i < num_tests; i++) {
		slots[i] = tests[i];
		slots[i].setup_func = tramp[i].up;
		slots[i].teardown_func = tramp[i].down;
	}
	signal(SIGALRM, on_alarm);
	r = __real__cmocka_run_group_tests(group_name, slots, num_tests, group_setup,
					   group_teardown);
	alarm(0);
	return r;
}
