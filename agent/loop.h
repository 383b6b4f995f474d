/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A small event loop in the manner of chrony's sched.c: file descriptors,
 * periodic timers (timerfd) and signals (signalfd) are registered each with a
 * callback and a context pointer of its own; a prepare hook runs before every
 * wait and says until when the loop may sleep (the daemon's debounce). All
 * state lives in struct mq_loop: two loops in one process do not meet.
 *
 * Callbacks may add and remove sources, re-arm timers and stop the loop. A
 * readable fd can be reported once more after its callback drained it: read
 * with MSG_DONTWAIT / O_NONBLOCK and take EAGAIN as "nothing".
 */

#include <stdint.h>

struct mq_loop;

typedef void (*loop_fd_fn)(struct mq_loop *l, int fd, void *ctx);
typedef void (*loop_timer_fn)(struct mq_loop *l, void *ctx);
typedef void (*loop_signal_fn)(struct mq_loop *l, int signo, void *ctx);
/*
 * Before every wait, with the monotonic time in ms: returns when it wants to
 * run again (absolute ms; <= now_ms: right after the ready fds were handled,
 * without sleeping; UINT64_MAX: no wish).
 */
typedef uint64_t (*loop_prepare_fn)(struct mq_loop *l, uint64_t now_ms, void *ctx);

#define LOOP_SOURCES_MAX 16

/* Returns 0 or -errno. */
int loop_new(struct mq_loop **ret);
/* Closes what the loop created (timers, signalfd, epoll), not the fds it was given;
 * restores the signal mask from before the first loop_add_signal(). NULL is fine. */
void loop_free(struct mq_loop *l);

/* Watch fd for input. Returns a source id >= 0, or -errno (-ENOSPC: table full). */
int loop_add_fd(struct mq_loop *l, int fd, loop_fd_fn fn, void *ctx);
/* A periodic timer, first due one period from now; period 0: created disarmed. */
int loop_add_timer(struct mq_loop *l, uint64_t period_ms, loop_timer_fn fn, void *ctx);
/* Re-arm a timer with a new period from now (0: disarm). 0 or -errno. */
int loop_timer_set(struct mq_loop *l, int id, uint64_t period_ms);
/*
 * Deliver signo to fn through a signalfd; the signal is blocked from now on.
 * Returns a source id, or -errno (-EEXIST: signo already has a callback).
 */
int loop_add_signal(struct mq_loop *l, int signo, loop_signal_fn fn, void *ctx);
/* Forget a source. A given fd is left open; a timer is closed. Unknown ids are ignored. */
void loop_remove(struct mq_loop *l, int id);

void loop_set_prepare(struct mq_loop *l, loop_prepare_fn fn, void *ctx);

/* Run until loop_stop(): returns its code, or -errno when waiting itself fails. */
int loop_run(struct mq_loop *l);
void loop_stop(struct mq_loop *l, int code);

/* CLOCK_MONOTONIC in milliseconds: the clock of the prepare hook. */
uint64_t loop_now_ms(void);
