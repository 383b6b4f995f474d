// SPDX-License-Identifier: MIT
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "agent/loop.h"

/* epoll data of the signalfd: not a slot of its own, signals have theirs. */
#define SIGFD_TAG LOOP_SOURCES_MAX
#define SIGNALS_PER_WAKEUP 64

enum kind { FREE, FD, TIMER, SIGNAL };

struct source {
	enum kind kind;
	int fd;     /* FD, TIMER */
	int signo;  /* SIGNAL */
	union {
		loop_fd_fn fd;
		loop_timer_fn timer;
		loop_signal_fn signal;
	} fn;
	void *ctx;
};

struct mq_loop {
	int ep;
	struct source src[LOOP_SOURCES_MAX];
	int sigfd;
	sigset_t sigs, oldmask;
	bool mask_saved;
	loop_prepare_fn prepare;
	void *prepare_ctx;
	bool stop;
	int code;
};

uint64_t loop_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

int loop_new(struct mq_loop **ret)
{
	struct mq_loop *l = calloc(1, sizeof(*l));

	if (!l)
		return -ENOMEM;
	l->sigfd = -1;
	sigemptyset(&l->sigs);
	l->ep = epoll_create1(EPOLL_CLOEXEC);
	if (l->ep < 0) {
		int r = -errno;

		free(l);
		return r;
	}
	*ret = l;
	return 0;
}

void loop_free(struct mq_loop *l)
{
	if (!l)
		return;
	for (int i = 0; i < LOOP_SOURCES_MAX; i++)
		loop_remove(l, i);
	if (l->sigfd >= 0)
		close(l->sigfd);
	close(l->ep);
	if (l->mask_saved)
		sigprocmask(SIG_SETMASK, &l->oldmask, NULL);
	free(l);
}

static int slot_new(struct mq_loop *l)
{
	for (int i = 0; i < LOOP_SOURCES_MAX; i++)
		if (l->src[i].kind == FREE)
			return i;
	return -ENOSPC;
}

static int watch(struct mq_loop *l, int fd, uint32_t tag)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = tag};

	return epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
}

int loop_add_fd(struct mq_loop *l, int fd, loop_fd_fn fn, void *ctx)
{
	int id = slot_new(l), r;

	if (fd < 0)
		return -EBADF;
	if (id < 0)
		return id;
	r = watch(l, fd, (uint32_t)id);
	if (r < 0)
		return r;
	l->src[id] = (struct source){.kind = FD, .fd = fd, .fn.fd = fn, .ctx = ctx};
	return id;
}

static int timer_arm(int fd, uint64_t period_ms)
{
	struct itimerspec it = {0};

	it.it_interval.tv_sec = (time_t)(period_ms / 1000);
	it.it_interval.tv_nsec = (long)(period_ms % 1000) * 1000000;
	it.it_value = it.it_interval;
	return timerfd_settime(fd, 0, &it, NULL) < 0 ? -errno : 0;
}

int loop_add_timer(struct mq_loop *l, uint64_t period_ms, loop_timer_fn fn, void *ctx)
{
	int id = slot_new(l), fd, r;

	if (id < 0)
		return id;
	fd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (fd < 0)
		return -errno;
	r = timer_arm(fd, period_ms);
	if (r >= 0)
		r = watch(l, fd, (uint32_t)id);
	if (r < 0) {
		close(fd);
		return r;
	}
	l->src[id] = (struct source){.kind = TIMER, .fd = fd, .fn.timer = fn, .ctx = ctx};
	return id;
}

int loop_timer_set(struct mq_loop *l, int id, uint64_t period_ms)
{
	if (id < 0 || id >= LOOP_SOURCES_MAX || l->src[id].kind != TIMER)
		return -EINVAL;
	return timer_arm(l->src[id].fd, period_ms);
}

int loop_add_signal(struct mq_loop *l, int signo, loop_signal_fn fn, void *ctx)
{
	int id = slot_new(l), r;
	sigset_t one;

	if (signo <= 0 || signo >= NSIG || signo == SIGKILL || signo == SIGSTOP)
		return -EINVAL;
	if (sigismember(&l->sigs, signo) == 1)
		return -EEXIST;
	if (id < 0)
		return id;
	sigemptyset(&one);
	sigaddset(&one, signo);
	/* Blocked first, so that one sent from now on waits for the signalfd. */
	if (sigprocmask(SIG_BLOCK, &one, l->mask_saved ? NULL : &l->oldmask) < 0)
		return -errno;
	l->mask_saved = true;
	sigaddset(&l->sigs, signo);
	if (l->sigfd < 0) {
		l->sigfd = signalfd(-1, &l->sigs, SFD_CLOEXEC | SFD_NONBLOCK);
		r = l->sigfd < 0 ? -errno : watch(l, l->sigfd, SIGFD_TAG);
		if (r < 0 && l->sigfd >= 0) {
			close(l->sigfd);
			l->sigfd = -1;
		}
	} else {
		r = signalfd(l->sigfd, &l->sigs, 0) < 0 ? -errno : 0;
	}
	if (r < 0) {
		sigdelset(&l->sigs, signo);
		return r;
	}
	l->src[id] = (struct source){.kind = SIGNAL, .fd = -1, .signo = signo, .fn.signal = fn,
				     .ctx = ctx};
	return id;
}

void loop_remove(struct mq_loop *l, int id)
{
	struct source *s;

	if (id < 0 || id >= LOOP_SOURCES_MAX)
		return;
	s = &l->src[id];
	switch (s->kind) {
	case FD:
	case TIMER:
		epoll_ctl(l->ep, EPOLL_CTL_DEL, s->fd, NULL);
		if (s->kind == TIMER)
			close(s->fd);
		break;
	case SIGNAL:
		/* Stays blocked (unblocking could kill us with a pending one) until loop_free. */
		sigdelset(&l->sigs, s->signo);
		if (l->sigfd >= 0)
			signalfd(l->sigfd, &l->sigs, 0);
		break;
	case FREE:
		return;
	}
	memset(s, 0, sizeof(*s));
}

void loop_set_prepare(struct mq_loop *l, loop_prepare_fn fn, void *ctx)
{
	l->prepare = fn;
	l->prepare_ctx = ctx;
}

void loop_stop(struct mq_loop *l, int code)
{
	l->stop = true;
	l->code = code;
}

static void signals_read(struct mq_loop *l)
{
	struct signalfd_siginfo si;

	for (int i = 0; i < SIGNALS_PER_WAKEUP && !l->stop && l->sigfd >= 0; i++) {
		if (read(l->sigfd, &si, sizeof(si)) != (ssize_t)sizeof(si))
			return;
		for (int k = 0; k < LOOP_SOURCES_MAX; k++)
			if (l->src[k].kind == SIGNAL && l->src[k].signo == (int)si.ssi_signo) {
				l->src[k].fn.signal(l, l->src[k].signo, l->src[k].ctx);
				break;
			}
	}
}

static void dispatch(struct mq_loop *l, uint32_t tag)
{
	struct source *s;
	uint64_t ticks;

	if (tag == SIGFD_TAG) {
		signals_read(l);
		return;
	}
	if (tag >= LOOP_SOURCES_MAX)
		return;
	s = &l->src[tag];
	if (s->kind == FD) {
		s->fn.fd(l, s->fd, s->ctx);
	} else if (s->kind == TIMER) {
		/* EAGAIN: re-armed since the wakeup; the new period has not run out. */
		if (read(s->fd, &ticks, sizeof(ticks)) == (ssize_t)sizeof(ticks))
			s->fn.timer(l, s->ctx);
	}
}

int loop_run(struct mq_loop *l)
{
	struct epoll_event evs[LOOP_SOURCES_MAX + 1];

	l->stop = false;
	for (;;) {
		uint64_t now = loop_now_ms(), due = UINT64_MAX;
		int timeout = -1, n;

		if (l->prepare)
			due = l->prepare(l, now, l->prepare_ctx);
		if (l->stop)
			break;
		if (due != UINT64_MAX) {
			now = loop_now_ms();
			timeout = due <= now ? 0 : due - now > INT_MAX ? INT_MAX : (int)(due - now);
		}
		n = epoll_wait(l->ep, evs, LOOP_SOURCES_MAX + 1, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->stop; i++)
			dispatch(l, evs[i].data.u32);
		if (l->stop)
			break;
	}
	return l->code;
}
