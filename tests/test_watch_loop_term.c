// SPDX-License-Identifier: MIT
/*
 * The --watch loop (agent/live.c) and its terminal: raw mode, the alternate
 * screen and keys on a terminal, and a start with fd 0 closed. The fakes
 * are tests/watch_fake.h's.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "tests/watch_fake.h"

/* Started with fd 0 closed (its signalfd may get fd 0): frames as ever, SIGTERM still ends it. */
static void test_stdin_closed(void **state)
{
	int in = dup(STDIN_FILENO), r;
	char *text;
	(void)state;

	assert_true(in >= 0);
	f.no_stdin = true;
	f.nsteps = 2;
	text = run(1.0, &r);
	assert_int_equal(dup2(in, STDIN_FILENO), STDIN_FILENO);
	close(in);
	assert_int_equal(r, 0);
	assert_int_equal(f.samples, 2);
	assert_int_equal(count_of(text, "mqbalance --watch  "), 3);
	free(text);
}

/*
 * On a terminal: the alternate screen, cleared for each frame, fitted to the
 * window with the last line free and its size by the clock; keys without
 * echo one at a time; `q` quits and the terminal is put back.
 */
static void test_terminal(void **state)
{
	char *text;
	int r;
	(void)state;

	f.tty = true;
	f.steps[0] = (struct step){.advance_ms = 0, .key = 'x', .src = -1};
	f.steps[1] = (struct step){.advance_ms = 0, .key = 'q', .src = -1};
	f.nsteps = 3;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.polls, 2);
	assert_int_equal(strncmp(text, "\033[?1049h\033[?25l\033[H\033[2Jmqbalance --watch  ", 39), 0);
	assert_non_null(strstr(text, "  100x20  every 0.0 s  q quits\n"));
	assert_int_equal(count_of(text, "\033[H\033[2J"), 1);
	assert_int_equal(count_of(text, "\n"), 9); /* 19 rows would hold more: all of it */
	assert_non_null(strstr(text, "eth0 1\n\033[?25h\033[?1049l"));
	assert_int_equal(f.tcsets, 2);
	/* raw: what tcgetattr() said, without ICANON and ECHO, reads of one byte */
	assert_int_equal(f.raw.c_lflag, ISIG);
	assert_int_equal(f.raw.c_cc[VMIN], 1);
	assert_int_equal(f.raw.c_cc[VTIME], 0);
	assert_int_equal(f.set.c_lflag, ICANON | ECHO | ISIG); /* put back */
	assert_int_equal(f.set.c_cc[VMIN], 7);
	free(text);

	setup(NULL);
	f.tty = true;
	f.steps[0] = (struct step){.advance_ms = 0, .key = 'Q', .src = -1};
	f.nsteps = 2;
	text = run(1.0, &r);
	assert_int_equal(f.polls, 1);
	free(text);

	/* stdin closed: the end, as `q` */
	setup(NULL);
	f.tty = true;
	f.steps[0] = (struct step){.advance_ms = 0, .key = EOF, .src = -1};
	f.nsteps = 2;
	text = run(1.0, &r);
	assert_int_equal(f.polls, 1);
	free(text);

	/* no raw mode: no keys, the terminal left as it was */
	setup(NULL);
	f.tty = true;
	f.tcset_err = EIO;
	f.nsteps = 1;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.tcsets, 1);
	assert_non_null(strstr(text, "\033[?25h\033[?1049l"));
	free(text);

	/* the terminal's settings unreadable (hung up after isatty()): no keys, nothing set */
	setup(NULL);
	f.tty = true;
	f.tcget_err = EIO;
	f.nsteps = 1;
	text = run(1.0, &r);
	assert_int_equal(r, 0);
	assert_int_equal(f.tcsets, 0);
	assert_non_null(strstr(text, "\033[?25h\033[?1049l"));
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_stdin_closed, setup),
		cmocka_unit_test_setup(test_terminal, setup),
	};
	return cmocka_run_group_tests_name("watch_loop_term", tests, NULL, NULL);
}
