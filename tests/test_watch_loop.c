// SPDX-License-Identifier: MIT
/*
 * The --watch loop (agent/live.c) without a terminal: one frame per
 * interval, counters refreshed into a twin of the last probe between whole
 * probes, a whole probe after an event (or lost events) and every 10 s,
 * a broken event source closed, SIGWINCH redraws, SIGTERM ends it, every
 * snapshot freed at the end. The clock, poll(), the probes and the event
 * sources are fakes driven by each test (tests/watch_fake.h);
 * tests/test_watch_loop_term.c has the terminal and fd 0.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/watch_fake.h"

/* One frame at once, then one per interval from counters alone, uncut without a terminal. */
static void test_frames(void **state)
{
	char *text;
	int r;
	(void)state;

	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.takes, 1);
	assert_int_equal(f.samples, 3);
	assert_int_equal(strncmp(text, "mqbalance --watch  ", 19), 0);
	assert_null(strchr(text, '\033')); /* no terminal: no escape sequences */
	assert_int_equal(count_of(text, "mqbalance --watch  "), 4);
	assert_int_equal(count_of(text, "\n\nmqbalance --watch  "), 3); /* a blank line between */
	assert_int_equal(count_of(text, "  every 0.0 s  q quits\n"), 1);
	assert_int_equal(count_of(text, "  every 1.0 s  q quits\n"), 3);
	/* the counters of each sample against the one before: 1000 packets a second */
	assert_int_equal(count_of(text, "\n      0      0      1000    100.0k         0         0       0\n"), 3);
	/* 200 columns without a terminal, not 80 */
	assert_int_equal(count_of(text, "(1 of 2 RX queues had traffic)\n"), 3);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(f.timeouts[i], 1000);
		for (int k = 0; k < _MON_SRC_MAX; k++)
			assert_int_equal(f.fds[i][k], 100 + k);
	}
	free(text);
}

/* Every 10 s (and at 10 s exactly) the whole machine is probed again, in between counters only. */
static void test_probe_every_10s(void **state)
{
	char *text;
	int r;
	(void)state;

	f.nsteps = 3;
	text = run(5.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.takes, 2);
	assert_int_equal(f.samples, 2);
	assert_int_equal(count_of(text, "  every 5.0 s  q quits\n"), 3);
	free(text);
}

/*
 * An event, or events lost, means a whole probe at the next interval (not at
 * once); a source that fails is closed and no longer polled.
 */
static void test_events(void **state)
{
	char *text;
	int r;
	(void)state;

	f.steps[0] = (struct step){.advance_ms = 300, .src = MON_RTNL, .recv = {48, 48, 48}};
	f.steps[2] = (struct step){.advance_ms = 100, .src = MON_ETHTOOL, .recv = {-ENOBUFS}};
	f.steps[4] = (struct step){.advance_ms = 100, .src = MON_UEVENT, .recv = {-EBADF, 48}};
	f.steps[6] = (struct step){.advance_ms = 100, .src = MON_RTNL, .recv = {-EMSGSIZE}};
	f.nsteps = 8;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.parses, 3);
	assert_int_equal(f.recvs, 4 + 2 + 1 + 2);
	assert_int_equal(f.closes, 1);
	assert_int_equal(f.closed, MON_UEVENT);
	assert_int_equal(f.fds[4][MON_UEVENT], 100 + MON_UEVENT);
	assert_int_equal(f.fds[5][MON_UEVENT], -1);
	assert_int_equal(f.fds[5][MON_RTNL], 100 + MON_RTNL);
	/* probes: the first, after the events (step 1), after the loss (3), after the other loss (7) */
	assert_int_equal(f.takes, 4);
	assert_int_equal(f.samples, 1); /* step 5 */
	assert_int_equal(count_of(text, "mqbalance --watch  "), 5);
	assert_int_equal(f.timeouts[0], 1000);
	assert_int_equal(f.timeouts[1], 700);
	assert_int_equal(f.timeouts[3], 900);
	/* a probe after a probe still has the one before: rates in every frame but the first */
	assert_int_equal(count_of(text, "  every 0.0 s  q quits\n"), 1);
	free(text);
}

/* SIGWINCH redraws without a sample; a late wakeup does not make the next intervals short. */
static void test_winch_and_late(void **state)
{
	char *text;
	int r;
	(void)state;

	f.steps[0] = (struct step){.advance_ms = 0, .signo = SIGWINCH, .src = -1};
	f.steps[1].advance_ms = 2500;
	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 4);
	assert_int_equal(count_of(text, "  every 0.0 s  q quits\n"), 2); /* no second sample yet */
	assert_int_equal(f.samples, 2);
	assert_int_equal(f.timeouts[0], 1000);
	assert_int_equal(f.timeouts[1], 1000);
	assert_int_equal(f.timeouts[2], 1000);
	free(text);
}

/* A failing probe ends --watch with its error: at once (nothing drawn), or later. */
static void test_probe_fails(void **state)
{
	char *text;
	int r;
	(void)state;

	f.take_err[0] = -EACCES;
	f.nsteps = 1; /* an interval it must not wait for */
	text = run(1.0, &r);
	assert_int_equal(r, -EACCES);
	assert_string_equal(text, "");
	assert_int_equal(f.polls, 0);
	assert_int_equal(f.takes, 1);
	free(text);

	setup(NULL);
	f.take_err[1] = -EIO;
	f.nsteps = 5;
	text = run(5.0, &r);
	assert_int_equal(r, -EIO);
	assert_int_equal(f.polls, 2);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 2);
	free(text);
}

/* poll() interrupted: waits again; failing otherwise: the end, with its error. */
static void test_poll_fails(void **state)
{
	char *text;
	int r;
	(void)state;

	f.steps[0] = (struct step){.advance_ms = 0, .src = -1, .err = EINTR};
	f.steps[1] = (struct step){.advance_ms = 0, .src = -1, .err = ENOMEM};
	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(f.polls, 2);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 1);
	free(text);
}

/* At most 64 messages per wakeup from one source: a flood does not starve the rest. */
static void test_drain_bounded(void **state)
{
	char *text;
	int r;
	(void)state;

	f.steps[0] = (struct step){.advance_ms = 0, .src = MON_ETHTOOL, .messages = 70};
	f.nsteps = 1;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.parses, 64);
	free(text);
}

/*
 * Without a terminal a frame is 200 columns wide: a line longer (a NIC
 * whose name and driver escape to 4 characters a byte) is cut at exactly 200.
 */
static void test_width_without_terminal(void **state)
{
	char name[16], driver[32], want[201], *text, *line, *end;
	size_t n = 0;
	int r;
	(void)state;

	memset(name, 0x7f, sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	memset(driver, 0x01, sizeof(driver) - 1);
	driver[sizeof(driver) - 1] = '\0';
	f.name = name;
	f.driver = driver;
	for (unsigned i = 0; i < 15; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "\\x7f");
	n += (size_t)snprintf(want + n, sizeof(want) - n, " ");
	for (unsigned i = 0; i < 31; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "\\x01");
	snprintf(want + n, sizeof(want) - n, ": 2 queues, target 2"); /* 205: cut to 200 */
	f.nsteps = 0;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	line = strstr(text, "\n\\x7f");
	assert_non_null(line);
	line++;
	end = strchr(line, '\n');
	assert_non_null(end);
	assert_int_equal(end - line, 200);
	assert_memory_equal(line, want, 200);
	for (line = text; (end = strchr(line, '\n')); line = end + 1)
		assert_true(end - line <= 200);
	free(text);
}

/*
 * No memory for the twin of the last probe: --watch ends with -ENOMEM and
 * gives every snapshot back (run() counts them), whether the twin is the
 * first (nothing before it) or one after a whole probe (the old one freed
 * first); on a terminal, the terminal put back.
 */
static void test_copy_fails(void **state)
{
	char *text;
	int r;
	(void)state;

	f.copy_err[0] = -ENOMEM;
	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(f.polls, 1);
	assert_int_equal(f.takes, 1);
	assert_int_equal(f.copies, 1);
	assert_int_equal(f.samples, 0);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 1);
	free(text);

	/* 0 s probe, 5 s twin and counters, 10 s probe, 15 s twin: no memory */
	setup(NULL);
	f.copy_err[1] = -ENOMEM;
	f.nsteps = 5;
	text = run(5.0, &r);
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(f.polls, 3);
	assert_int_equal(f.takes, 2);
	assert_int_equal(f.copies, 2);
	assert_int_equal(f.samples, 1);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 3);
	free(text);

	setup(NULL);
	f.tty = true;
	f.copy_err[0] = -ENOMEM;
	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, -ENOMEM);
	assert_int_equal(f.polls, 1);
	assert_int_equal(f.tcsets, 2);
	assert_int_equal(f.set.c_lflag, ICANON | ECHO | ISIG);
	assert_non_null(strstr(text, "\033[?25h\033[?1049l"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_frames, setup),
		cmocka_unit_test_setup(test_probe_every_10s, setup),
		cmocka_unit_test_setup(test_events, setup),
		cmocka_unit_test_setup(test_winch_and_late, setup),
		cmocka_unit_test_setup(test_probe_fails, setup),
		cmocka_unit_test_setup(test_poll_fails, setup),
		cmocka_unit_test_setup(test_drain_bounded, setup),
		cmocka_unit_test_setup(test_width_without_terminal, setup),
		cmocka_unit_test_setup(test_copy_fails, setup),
	};
	return cmocka_run_group_tests_name("watch_loop", tests, NULL, NULL);
}
