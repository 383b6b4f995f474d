/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Shared by the --watch loop's tests (agent/live.c): a fake clock, fake
 * poll(), fake probes (every snapshot counted: f.held), fake event sources
 * and terminal, driven by a script of poll() steps; run() runs live_run()
 * with stdout into a file. One copy per test program (static state); link
 * with tests/test_watch_loop.mk's wraps. Include after <cmocka.h>.
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
#include "agent/live.h"
#include "agent/state_file.h"
#include "probes/monitor.h"
#include "tests/fixture_snapshot.h"
#include "tests/count_of.h"

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
	int tcget_err, tcset_err, tcsets, key;
	struct termios raw, set;       /* what the first and the last tcsetattr() set */
	int held;                      /* snapshots taken or copied and not freed */
	bool no_stdin;                 /* fd 0 closed: a read of it is the signalfd's */
	const char *name, *driver;     /* the NIC's, NULL: eth0, virtio_net */
	unsigned copies;
	int copy_err[4];               /* per snapshot_copy(), 0: a copy */
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
	if (f.tcget_err) {
		errno = f.tcget_err;
		return -1;
	}
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
	n = fx_nic(s, f.name ? f.name : "eth0", f.driver ? f.driver : "virtio_net", 2, 2);
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
	int r = f.copies < 4 ? f.copy_err[f.copies] : 0;

	f.copies++;
	if (r < 0)
		return r; /* *ret untouched, as on a real failure */
	r = __real_snapshot_copy(src, ret);

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
	assert_int_equal(p[1].fd, f.tty && !f.tcset_err && !f.tcget_err ? STDIN_FILENO : -1); /* keys on a terminal */
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

