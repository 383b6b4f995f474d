/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The daemon's event intake: keeps the monitor's sources (probes/monitor.h)
 * registered in the loop, reads them when they are readable and hands every
 * event to one callback, stamped with the loop's clock. Lost events (a receive
 * buffer overrun, a datagram too large) arrive as EV_OVERRUN; a link's new
 * name as EV_LINK_RENAME (core/linknames.h), before the event that told it. A source that
 * breaks is closed and, at watch_reopen(), opened again; each failure is
 * logged once, and its end once.
 */

#include <linux/netlink.h>
#include <stdbool.h>

#include "agent/log.h"
#include "agent/loop.h"
#include "core/linknames.h"
#include "probes/monitor.h"

struct mq_watch;

struct watch_src {
	struct mq_watch *w;
	enum mon_src s;
	int id;    /* in the loop, -1: not watched */
	bool lost; /* broke while running: watch_reopen() tries again */
	struct log_lasting err;
};

struct mq_watch {
	struct mq_loop *loop;
	struct mq_monitor *mon;
	monitor_event_fn fn;
	void *ctx;
	struct watch_src src[_MON_SRC_MAX];
	struct link_names names; /* seeded from the kernel's links when the sources are real */
	union {
		struct nlmsghdr align;
		char b[65536];
	} buf;
};

/*
 * Open the sources of m that are not open yet (a missing one is logged once,
 * naming drift_s, the drift check that covers for it) and watch them all in
 * l. Returns 0, or -errno when the loop cannot take one.
 */
int watch_start(struct mq_watch *w, struct mq_loop *l, struct mq_monitor *m, double drift_s,
		monitor_event_fn fn, void *ctx);
/* Open again the sources that broke since. */
void watch_reopen(struct mq_watch *w);
