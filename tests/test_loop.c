// SPDX-License-Identifier: MIT
/* The event loop: fds, timers, signals and the prepare hook, each with its own context. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/loop.h"

/* epoll_ctl(2) fails with this once, when set (tests/test_loop.mk) */
static int epoll_ctl_err;

int __real_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev);
int __wrap_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev);
int __wrap_epoll_ctl(int ep, int op, int fd, struct epoll_event *ev)
{
	if (epoll_ctl_err && op == EPOLL_CTL_ADD) {
		errno = epoll_ctl_err;
		epoll_ctl_err = 0;
		return -1;
	}
	return __real_epoll_ctl(ep, op, fd, ev);
}

static int lowest_free_fd(void)
{
	int fd = dup(0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

struct counter {
	unsigned n;
	int last_fd, last_signo;
	int stop_at;       /* loop_stop after this many calls (0: never) */
	int code;          /* the stop code */
	int other_id;      /* remove this source at the first call (-1: none) */
	int rearm_id;      /* timer to set to rearm_ms at the first call (-1: none) */
	uint64_t rearm_ms;
};

static void counter_init(struct counter *c, int stop_at, int code)
{
	memset(c, 0, sizeof(*c));
	c->stop_at = stop_at;
	c->code = code;
	c->other_id = c->rearm_id = -1;
}

static void count(struct mq_loop *l, struct counter *c)
{
	c->n++;
	if (c->n == 1 && c->other_id >= 0)
		loop_remove(l, c->other_id);
	if (c->n == 1 && c->rearm_id >= 0)
		assert_int_equal(loop_timer_set(l, c->rearm_id, c->rearm_ms), 0);
	if (c->stop_at && (int)c->n == c->stop_at)
		loop_stop(l, c->code);
}

static void on_fd(struct mq_loop *l, int fd, void *ctx)
{
	struct counter *c = ctx;
	char buf[64];

	assert_true(read(fd, buf, sizeof(buf)) > 0);
	c->last_fd = fd;
	count(l, c);
}

static void on_timer(struct mq_loop *l, void *ctx)
{
	count(l, ctx);
}

static void on_signal(struct mq_loop *l, int signo, void *ctx)
{
	struct counter *c = ctx;

	c->last_signo = signo;
	count(l, c);
}

/* Stops the loop once the clock passes until (a guard for every test). */
struct guard {
	uint64_t until;
	unsigned calls;
	uint64_t first_due; /* if set: returned at the first call */
};

static uint64_t prepare_guard(struct mq_loop *l, uint64_t now, void *ctx)
{
	struct guard *g = ctx;

	g->calls++;
	if (now >= g->until) {
		loop_stop(l, -ETIMEDOUT);
		return UINT64_MAX;
	}
	if (g->calls == 1 && g->first_due)
		return g->first_due;
	return g->until;
}

static void test_fds_own_context(void **state)
{
	struct mq_loop *l;
	struct counter a, b;
	struct guard g = {.until = loop_now_ms() + 5000};
	int pa[2], pb[2], ida, idb;
	(void)state;

	assert_int_equal(pipe2(pa, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(pipe2(pb, O_CLOEXEC | O_NONBLOCK), 0);
	assert_int_equal(loop_new(&l), 0);
	counter_init(&a, 0, 0);
	counter_init(&b, 1, 7);
	ida = loop_add_fd(l, pa[0], on_fd, &a);
	idb = loop_add_fd(l, pb[0], on_fd, &b);
	assert_true(ida >= 0 && idb >= 0 && ida != idb);
	loop_set_prepare(l, prepare_guard, &g);
	assert_int_equal(write(pa[1], "x", 1), 1);
	assert_int_equal(write(pb[1], "y", 1), 1);
	assert_int_equal(loop_run(l), 7);
	assert_int_equal(b.n, 1);
	assert_int_equal(b.last_fd, pb[0]);
	assert_true(a.n <= 1); /* same wakeup or not: never in b's context */
	if (a.n)
		assert_int_equal(a.last_fd, pa[0]);

	/* Removed inside another's callback: never called again, its fd left open. */
	counter_init(&a, 0, 0);
	counter_init(&b, 1, 9);
	b.other_id = ida;
	assert_int_equal(write(pb[1], "y", 1), 1);
	assert_int_equal(loop_run(l), 9);
	assert_int_equal(write(pa[1], "x", 1), 1);
	g = (struct guard){.until = loop_now_ms() + 100};
	assert_int_equal(loop_run(l), -ETIMEDOUT);
	assert_int_equal(a.n, 0);
	loop_free(l);
	close(pa[1]);
	close(pb[1]);
	assert_int_equal(fcntl(pa[0], F_GETFD), FD_CLOEXEC); /* not closed by the loop */
	close(pa[0]);
	close(pb[0]);
}

static void test_timers(void **state)
{
	struct mq_loop *l;
	struct counter t, off;
	struct guard g;
	uint64_t t0;
	int id, idoff;
	(void)state;

	assert_int_equal(loop_new(&l), 0);
	counter_init(&t, 3, 3);
	counter_init(&off, 0, 0);
	g = (struct guard){.until = loop_now_ms() + 5000};
	loop_set_prepare(l, prepare_guard, &g);
	t0 = loop_now_ms();
	id = loop_add_timer(l, 20, on_timer, &t);
	idoff = loop_add_timer(l, 0, on_timer, &off); /* disarmed */
	assert_true(id >= 0 && idoff >= 0);
	assert_int_equal(loop_run(l), 3);
	assert_int_equal(t.n, 3);
	assert_true(loop_now_ms() - t0 >= 55); /* three periods of 20 ms */
	assert_int_equal(off.n, 0);

	/* Re-armed to 10 ms, each disarms itself (period 0) from its callback: one tick each. */
	counter_init(&t, 0, 0);
	counter_init(&off, 0, 0);
	t.rearm_id = id;
	off.rearm_id = idoff;
	assert_int_equal(loop_timer_set(l, idoff, 10), 0);
	assert_int_equal(loop_timer_set(l, id, 10), 0);
	g = (struct guard){.until = loop_now_ms() + 150};
	assert_int_equal(loop_run(l), -ETIMEDOUT);
	assert_int_equal(t.n, 1);
	assert_int_equal(off.n, 1);

	assert_int_equal(loop_timer_set(l, 99, 10), -EINVAL);
	loop_remove(l, id);
	assert_int_equal(loop_timer_set(l, id, 10), -EINVAL);
	loop_free(l);
}

static void test_signals(void **state)
{
	struct mq_loop *l;
	struct counter u1, u2;
	struct guard g = {.until = loop_now_ms() + 5000};
	sigset_t cur;
	(void)state;

	assert_int_equal(loop_new(&l), 0);
	counter_init(&u1, 0, 0);
	counter_init(&u2, 1, 12);
	assert_true(loop_add_signal(l, SIGUSR1, on_signal, &u1) >= 0);
	assert_int_equal(loop_add_signal(l, SIGUSR1, on_signal, &u1), -EEXIST);
	assert_int_equal(loop_add_signal(l, SIGKILL, on_signal, &u1), -EINVAL);
	assert_int_equal(loop_add_signal(l, 0, on_signal, &u1), -EINVAL);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	assert_int_equal(sigismember(&cur, SIGUSR1), 1);
	raise(SIGUSR1); /* blocked: waits for the signalfd */
	assert_true(loop_add_signal(l, SIGUSR2, on_signal, &u2) >= 0);
	loop_set_prepare(l, prepare_guard, &g);
	raise(SIGUSR2);
	assert_int_equal(loop_run(l), 12);
	assert_int_equal(u2.n, 1);
	assert_int_equal(u2.last_signo, SIGUSR2);
	if (u1.n == 0) { /* read in a later wakeup than SIGUSR2 */
		u2.stop_at = 0;
		u1.stop_at = 1;
		assert_int_equal(loop_run(l), 0);
	}
	assert_int_equal(u1.n, 1);
	assert_int_equal(u1.last_signo, SIGUSR1);
	loop_free(l);
	sigprocmask(SIG_BLOCK, NULL, &cur);
	assert_int_equal(sigismember(&cur, SIGUSR1), 0); /* the mask from before */
	assert_int_equal(sigismember(&cur, SIGUSR2), 0);
}

/* Standard input closed (a daemon started with <&-): the signalfd is fd 0, and still read. */
static void test_signals_on_fd0(void **state)
{
	struct mq_loop *l;
	struct counter c, c2;
	struct guard g = {.until = loop_now_ms() + 2000};
	int saved = dup(STDIN_FILENO), id1, id2;
	sigset_t pending;
	(void)state;

	assert_true(saved >= 0);
	assert_int_equal(loop_new(&l), 0);
	close(STDIN_FILENO);
	counter_init(&c, 1, 4);
	id1 = loop_add_signal(l, SIGUSR1, on_signal, &c);
	assert_true(id1 >= 0);
	assert_int_equal(fcntl(STDIN_FILENO, F_GETFD), FD_CLOEXEC); /* the signalfd */
	loop_set_prepare(l, prepare_guard, &g);
	raise(SIGUSR1);
	assert_int_equal(loop_run(l), 4);
	assert_int_equal(c.last_signo, SIGUSR1);
	/* a second signal joins the same signalfd, still fd 0 */
	counter_init(&c2, 1, 6);
	id2 = loop_add_signal(l, SIGUSR2, on_signal, &c2);
	assert_true(id2 >= 0);
	raise(SIGUSR2);
	assert_int_equal(loop_run(l), 6);
	assert_int_equal(c2.last_signo, SIGUSR2);
	/* the first removed: it stays blocked, and the signalfd no longer takes it */
	loop_remove(l, id1);
	raise(SIGUSR1);
	g.until = loop_now_ms() + 50;
	assert_int_equal(loop_run(l), -ETIMEDOUT);
	assert_int_equal(c.n, 1);
	sigemptyset(&pending);
	assert_int_equal(sigpending(&pending), 0);
	assert_true(sigismember(&pending, SIGUSR1));
	signal(SIGUSR1, SIG_IGN); /* drops it before loop_free unblocks */
	loop_free(l);
	signal(SIGUSR1, SIG_DFL);
	assert_int_equal(fcntl(STDIN_FILENO, F_GETFD), -1); /* closed with the loop, and no other */
	assert_int_equal(dup2(saved, STDIN_FILENO), STDIN_FILENO);
	close(saved);
}

static uint64_t prepare_twice(struct mq_loop *l, uint64_t now, void *ctx)
{
	struct guard *g = ctx;

	if (++g->calls == 1) {
		g->first_due = now; /* the time asked from */
		return now + 60;
	}
	g->until = now;
	loop_stop(l, 5);
	return UINT64_MAX;
}

static uint64_t prepare_now(struct mq_loop *l, uint64_t now, void *ctx)
{
	struct guard *g = ctx;

	if (++g->calls == 50)
		loop_stop(l, 50);
	return now; /* again at once */
}

static void test_prepare_deadline(void **state)
{
	struct mq_loop *l;
	struct guard g = {0};
	uint64_t t0;
	(void)state;

	assert_int_equal(loop_new(&l), 0);
	loop_set_prepare(l, prepare_twice, &g);
	assert_int_equal(loop_run(l), 5);
	assert_int_equal(g.calls, 2);
	assert_true(g.until - g.first_due >= 59); /* slept until the deadline, no fd woke it */
	assert_true(g.until - g.first_due < 1000);

	g = (struct guard){0};
	t0 = loop_now_ms();
	loop_set_prepare(l, prepare_now, &g);
	assert_int_equal(loop_run(l), 50);
	assert_true(loop_now_ms() - t0 < 1000); /* never slept */
	loop_free(l);
}

static void test_limits(void **state)
{
	struct mq_loop *l;
	struct counter c;
	int p[2], ids[LOOP_SOURCES_MAX];
	(void)state;

	counter_init(&c, 0, 0);
	assert_int_equal(pipe2(p, O_CLOEXEC), 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(loop_add_fd(l, -1, on_fd, &c), -EBADF);
	assert_int_equal(loop_add_fd(l, 12345, on_fd, &c), -EBADF);
	for (int i = 0; i < LOOP_SOURCES_MAX; i++) {
		ids[i] = loop_add_timer(l, 0, on_timer, &c);
		assert_true(ids[i] >= 0);
	}
	assert_int_equal(loop_add_fd(l, p[0], on_fd, &c), -ENOSPC);
	assert_int_equal(loop_add_timer(l, 0, on_timer, &c), -ENOSPC);
	loop_remove(l, ids[3]);
	loop_remove(l, ids[3]); /* twice: ignored */
	loop_remove(l, -1);
	assert_int_equal(loop_add_fd(l, p[0], on_fd, &c), ids[3]);
	loop_free(l);
	loop_free(NULL);
	close(p[0]);
	close(p[1]);
}

/* No descriptor left for a timer or a signal: the kernel's EMFILE, and no slot used up. */
static void test_out_of_descriptors(void **state)
{
	struct rlimit old, low;
	struct mq_loop *l;
	struct counter c;
	int lowest, r1, r2;
	(void)state;

	counter_init(&c, 0, 0);
	assert_int_equal(loop_new(&l), 0);
	assert_int_equal(getrlimit(RLIMIT_NOFILE, &old), 0);
	lowest = lowest_free_fd(); /* the next descriptor a new one would get */
	low = old;
	low.rlim_cur = (rlim_t)lowest;
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	r1 = loop_add_timer(l, 10, on_timer, &c);
	r2 = loop_add_signal(l, SIGUSR2, on_signal, &c);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r1, -EMFILE);
	assert_int_equal(r2, -EMFILE);
	assert_int_equal(loop_add_timer(l, 10, on_timer, &c), 0); /* slot 0 still free */
	loop_free(l);

	/* not even one for the epoll instance: no loop, *ret untouched */
	l = (struct mq_loop *)&c;
	low.rlim_cur = (rlim_t)lowest_free_fd();
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &low), 0);
	r1 = loop_new(&l);
	assert_int_equal(setrlimit(RLIMIT_NOFILE, &old), 0);
	assert_int_equal(r1, -EMFILE);
	assert_ptr_equal(l, &c);
}

/*
 * The epoll refuses the signalfd (ENOSPC: max_user_watches): the kernel's
 * errno, the signalfd closed, and the next signal gets a working one.
 */
static void test_signalfd_not_watched(void **state)
{
	struct mq_loop *l;
	struct counter c, t;
	int fd;
	(void)state;

	counter_init(&c, 1, 7);
	counter_init(&t, 1, 99);
	assert_int_equal(loop_new(&l), 0);
	fd = lowest_free_fd();
	epoll_ctl_err = ENOSPC;
	assert_int_equal(loop_add_signal(l, SIGUSR1, on_signal, &c), -ENOSPC);
	assert_int_equal(lowest_free_fd(), fd);
	/* the same errno for an fd source, and its slot stays free */
	epoll_ctl_err = ENOMEM;
	assert_int_equal(loop_add_timer(l, 10, on_timer, &c), -ENOMEM);
	assert_int_equal(lowest_free_fd(), fd);
	assert_int_equal(loop_add_signal(l, SIGUSR2, on_signal, &c), 0);
	assert_int_equal(loop_add_timer(l, 2000, on_timer, &t), 1); /* the bound, if SIGUSR2 is lost */
	assert_int_equal(kill(getpid(), SIGUSR2), 0);
	assert_int_equal(loop_run(l), 7);
	assert_int_equal(c.last_signo, SIGUSR2);
	assert_int_equal(t.n, 0);
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fds_own_context),
		cmocka_unit_test(test_timers),
		cmocka_unit_test(test_signals),
		cmocka_unit_test(test_signals_on_fd0),
		cmocka_unit_test(test_prepare_deadline),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_out_of_descriptors),
		cmocka_unit_test(test_signalfd_not_watched),
	};

	return cmocka_run_group_tests_name("loop", tests, NULL, NULL);
}
