// SPDX-License-Identifier: MIT
/*
 * The --watch loop (agent/live.c) without a terminal: one frame per
 * interval, counters refreshed into a twin of the last probe between whole
 * probes, a whole probe after an event (or lost events) and every 10 s,
 * a broken event source closed, SIGWINCH redraws, SIGTERM ends it (fd 0
 * closed or not), every snapshot freed at the end. The clock,
 * poll(), the probes and the event sources are fakes driven by each test.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/live.h"
#include "agent/state_file.h"
#include "probes/monitor.h"
#include "tests/fixture_snapshot.h"

#define MAX_POLLS 16

/* One poll() of the script: what it returns after the time passes. */
struct step {
	int64_t advance_ms;  /* -1: the whole timeout */
	int signo;           /* raised and reported on the signalfd */
	int src;             /* an event source reported readable, -1 none */
	ssize_t recv[3];     /* what monitor_recv() returns on it, then -EAGAIN */
	unsigned messages;   /* or this many messages of 48 bytes */
	int key;             /* a key pressed (EOF: stdin closed) */
	int err;             /* poll() fails with this errno instead */
};

static struct {
	int64_t ms;                    /* the fake CLOCK_MONOTONIC */
	unsigned takes, samples, recvs, closes, parses, nsteps, polls;
	int take_err[8];               /* per take, 0: a snapshot */
	int closed;                    /* the source monitor_close() got */
	struct step steps[MAX_POLLS];
	int timeouts[MAX_POLLS];
	int fds[MAX_POLLS][_MON_SRC_MAX]; /* the event fds each poll was given */
	unsigned nrecv;
	uint64_t rx;                   /* queue 0's counter, 1000 per sample */
	bool tty;                      /* stdin and stdout are a 100x20 terminal */
	int tcset_err, tcsets, key;
	struct termios raw, set;       /* what the first and the last tcsetattr() set */
	int held;                      /* snapshots taken or copied and not freed */
	bool no_stdin;                 /* fd 0 closed: a read of it is the signalfd's */
} f;

int __wrap_isatty(int fd);
int __wrap_isatty(int fd)
{
	return f.tty && (fd == STDIN_FILENO || fd == STDOUT_FILENO);
}

int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct winsize *ws;
	va_list ap;

	assert_int_equal(fd, STDOUT_FILENO);
	assert_int_equal(req, TIOCGWINSZ);
	assert_true(f.tty);
	va_start(ap, req);
	ws = va_arg(ap, struct winsize *);
	va_end(ap);
	*ws = (struct winsize){.ws_row = 20, .ws_col = 100};
	return 0;
}

int __wrap_tcgetattr(int fd, struct termios *t);
int __wrap_tcgetattr(int fd, struct termios *t)
{
	assert_int_equal(fd, STDIN_FILENO);
	memset(t, 0, sizeof(*t));
	t->c_lflag = ICANON | ECHO | ISIG;
	t->c_cc[VMIN] = 7;
	t->c_cc[VTIME] = 9;
	return 0;
}

int __wrap_tcsetattr(int fd, int how, const struct termios *t);
int __wrap_tcsetattr(int fd, int how, const struct termios *t)
{
	assert_int_equal(fd, STDIN_FILENO);
	assert_int_equal(how, TCSANOW);
	f.tcsets++;
	if (f.tcset_err) {
		errno = f.tcset_err;
		return -1;
	}
	if (f.tcsets == 1)
		f.raw = *t;
	f.set = *t;
	return 0;
}

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	if (fd != STDIN_FILENO || f.no_stdin)
		return __real_read(fd, buf, len);
	assert_int_equal(len, 1);
	if (f.key == EOF)
		return 0;
	*(char *)buf = (char)f.key;
	return 1;
}

int __wrap_clock_gettime(clockid_t id, struct timespec *ts);
int __wrap_clock_gettime(clockid_t id, struct timespec *ts)
{
	assert_int_equal(id, CLOCK_MONOTONIC);
	ts->tv_sec = f.ms / 1000;
	ts->tv_nsec = (f.ms % 1000) * 1000000;
	return 0;
}

static void machine(struct mq_snapshot *s)
{
	struct mq_nic *n;

	fx_init(s, 2);
	n = fx_nic(s, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (int[]){0, 1});
	fx_xps_from_irqs(n);
	fx_counters(n, 0, f.rx, f.rx * 100, 0, 0);
	s->taken.tv_sec = f.ms / 1000;
	s->taken.tv_nsec = (f.ms % 1000) * 1000000;
}

int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret);
int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret)
{
	int r = f.takes < 8 ? f.take_err[f.takes] : 0;
	(void)nl;
	(void)o;

	f.takes++;
	if (r < 0)
		return r;
	machine(ret);
	f.held++;
	return 0;
}

int __real_snapshot_copy(const struct mq_snapshot *src, struct mq_snapshot *ret);
int __wrap_snapshot_copy(const struct mq_snapshot *src, struct mq_snapshot *ret);
int __wrap_snapshot_copy(const struct mq_snapshot *src, struct mq_snapshot *ret)
{
	int r = __real_snapshot_copy(src, ret);

	f.held += r >= 0;
	return r;
}

void __real_snapshot_free(struct mq_snapshot *s);
void __wrap_snapshot_free(struct mq_snapshot *s);
void __wrap_snapshot_free(struct mq_snapshot *s)
{
	f.held--;
	__real_snapshot_free(s);
}

/* Counters only, into the twin: 1000 more packets on queue 0 each time. */
int __wrap_snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
				struct mq_snapshot *s);
int __wrap_snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
				struct mq_snapshot *s)
{
	(void)nl;
	(void)files;
	assert_int_equal(what, SAMPLE_ALL);
	assert_int_equal(s->nnics, 1);
	f.samples++;
	f.rx += 1000;
	s->nics[0].queues[0].rx_packets = f.rx;
	s->nics[0].queues[0].rx_bytes = f.rx * 100;
	s->taken.tv_sec = f.ms / 1000;
	s->taken.tv_nsec = (f.ms % 1000) * 1000000;
	return -ENOENT; /* /proc/interrupts unreadable: not an error */
}

int __wrap_state_file_load(struct mq_state *ret, char *err, size_t errlen);
int __wrap_state_file_load(struct mq_state *ret, char *err, size_t errlen)
{
	(void)ret;
	(void)err;
	(void)errlen;
	return -ENOENT;
}

int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s);
int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s)
{
	m->fd[s] = 100 + (int)s; /* never read: poll() is a fake too */
	return 0;
}

void __wrap_monitor_close(struct mq_monitor *m, enum mon_src s);
void __wrap_monitor_close(struct mq_monitor *m, enum mon_src s)
{
	f.closes++;
	f.closed = (int)s;
	m->fd[s] = -1;
}

ssize_t __wrap_monitor_recv(const struct mq_monitor *m, enum mon_src s, void *buf, size_t len);
ssize_t __wrap_monitor_recv(const struct mq_monitor *m, enum mon_src s, void *buf, size_t len)
{
	const struct step *st = &f.steps[f.polls - 1];
	(void)m;

	assert_int_equal(s, st->src);
	assert_true(len >= 65536);
	f.recvs++;
	if (f.nrecv < st->messages) {
		f.nrecv++;
		return 48;
	}
	if (f.nrecv < 3 && st->recv[f.nrecv]) {
		memset(buf, 0, 16);
		return st->recv[f.nrecv++];
	}
	return -EAGAIN;
}

int __wrap_monitor_parse(enum mon_src s, uint16_t ethtool_family, const void *buf, size_t len,
			 monitor_event_fn fn, void *ctx);
int __wrap_monitor_parse(enum mon_src s, uint16_t ethtool_family, const void *buf, size_t len,
			 monitor_event_fn fn, void *ctx)
{
	struct mq_event e;
	(void)s;
	(void)ethtool_family;
	(void)buf;

	f.parses++;
	assert_int_equal(len, 48);
	memset(&e, 0, sizeof(e));
	fn(&e, ctx);
	return 1;
}

int __wrap_poll(struct pollfd *p, nfds_t n, int timeout);
int __wrap_poll(struct pollfd *p, nfds_t n, int timeout)
{
	const struct step *st;

	assert_int_equal(n, 2 + _MON_SRC_MAX);
	if (f.polls >= f.nsteps) { /* the script is over: stop */
		raise(SIGTERM);
		p[0].revents = POLLIN;
		return 1;
	}
	f.timeouts[f.polls] = timeout;
	for (int i = 0; i < _MON_SRC_MAX; i++)
		f.fds[f.polls][i] = p[2 + i].fd;
	assert_int_equal(p[1].fd, f.tty && !f.tcset_err ? STDIN_FILENO : -1); /* keys on a terminal */
	st = &f.steps[f.polls++];
	f.nrecv = 0;
	f.ms += st->advance_ms < 0 ? timeout : st->advance_ms;
	if (st->err) {
		errno = st->err;
		return -1;
	}
	for (nfds_t i = 0; i < n; i++)
		p[i].revents = 0;
	if (st->signo) {
		raise(st->signo);
		p[0].revents = POLLIN;
	}
	if (st->src >= 0)
		p[2 + st->src].revents = POLLIN;
	if (st->key) {
		f.key = st->key;
		p[1].revents = POLLIN;
	}
	return st->signo || st->src >= 0 || st->key ? 1 : 0;
}

int __wrap___poll_chk(struct pollfd *p, nfds_t n, int timeout, size_t plen);
int __wrap___poll_chk(struct pollfd *p, nfds_t n, int timeout, size_t plen)
{
	assert_true(plen >= n * sizeof(*p));
	return __wrap_poll(p, n, timeout);
}

ssize_t __real___read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __wrap___read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __wrap___read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	if (fd != STDIN_FILENO)
		return __real___read_chk(fd, buf, len, buflen);
	return __wrap_read(fd, buf, len);
}

static int setup(void **state)
{
	(void)state;
	memset(&f, 0, sizeof(f));
	f.ms = 5000000;
	f.rx = 1000;
	for (int i = 0; i < MAX_POLLS; i++)
		f.steps[i] = (struct step){.advance_ms = -1, .src = -1};
	return 0;
}

/* live_run() with stdout into a file; returns what it printed. */
static char *run(double interval, int *ret)
{
	char path[] = "/tmp/mq-watch.XXXXXX", *text;
	int fd = mkstemp(path), saved;
	struct mq_config cfg;
	struct probe_opts po = {0};
	long len;

	assert_true(fd >= 0);
	unlink(path);
	fx_config(&cfg);
	fflush(stdout);
	saved = dup(STDOUT_FILENO);
	assert_true(saved >= 0);
	assert_int_equal(dup2(fd, STDOUT_FILENO), STDOUT_FILENO);
	if (f.no_stdin) /* only now: the file and the saved stdout are not to get fd 0 */
		close(STDIN_FILENO);
	*ret = live_run(NULL, &cfg, &po, interval);
	fflush(stdout);
	assert_int_equal(dup2(saved, STDOUT_FILENO), STDOUT_FILENO);
	close(saved);
	assert_int_equal(f.held, 0); /* every snapshot given back, however it ended */
	config_free(&cfg);
	len = lseek(fd, 0, SEEK_END);
	text = calloc(1, (size_t)len + 1);
	assert_non_null(text);
	assert_int_equal(pread(fd, text, (size_t)len, 0), len);
	close(fd);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	return text;
}

static unsigned count_of(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}

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
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_frames, setup),
		cmocka_unit_test_setup(test_stdin_closed, setup),
		cmocka_unit_test_setup(test_probe_every_10s, setup),
		cmocka_unit_test_setup(test_events, setup),
		cmocka_unit_test_setup(test_winch_and_late, setup),
		cmocka_unit_test_setup(test_probe_fails, setup),
		cmocka_unit_test_setup(test_poll_fails, setup),
		cmocka_unit_test_setup(test_drain_bounded, setup),
		cmocka_unit_test_setup(test_terminal, setup),
	};
	return cmocka_run_group_tests_name("watch_loop", tests, NULL, NULL);
}
