// SPDX-License-Identifier: MIT
#include <errno.h>
#include <net/if.h>
#include <string.h>

#include "agent/watch.h"

#define DRAIN_MAX 64 /* datagrams per wakeup and source, then back to the loop */

static void deliver(struct mq_watch *w, struct mq_event *e)
{
	e->t_ms = loop_now_ms();
	w->fn(e, w->ctx);
}

static void stamp_and_deliver(const struct mq_event *e, void *ctx)
{
	struct mq_watch *w = ctx;
	struct mq_event copy = *e, rename;

	if (link_names_track(&w->names, e, &rename))
		deliver(w, &rename);
	deliver(w, &copy);
}

static void names_seed(struct mq_watch *w)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	if (!ifs) {
		log_debug("if_nameindex: %m, renames of existing links show as changes");
		return;
	}
	for (i = ifs; i->if_index && i->if_name; i++)
		link_names_set(&w->names, (int)i->if_index, i->if_name);
	if_freenameindex(ifs);
}

static void lost(struct mq_watch *w, struct watch_src *src, int err)
{
	const char *name = monitor_src_to_string(src->s);

	loop_remove(w->loop, src->id);
	src->id = -1;
	monitor_close(w->mon, src->s);
	src->lost = true;
	if (err == -EPIPE)
		log_debug("%s: end of stream, closing", name);
	else if (log_lasting_fail(&src->err, strerror(-err)))
		log_warn("%s: %s, closing this event source; the drift check covers for it", name,
			 strerror(-err));
}

static void on_readable(struct mq_loop *l, int fd, void *ctx)
{
	struct watch_src *src = ctx;
	struct mq_watch *w = src->w;
	const char *name = monitor_src_to_string(src->s);
	(void)l;
	(void)fd;

	for (int i = 0; i < DRAIN_MAX && src->id >= 0; i++) {
		ssize_t n = monitor_recv(w->mon, src->s, w->buf.b, sizeof(w->buf.b));
		int bad;

		if (n == -EAGAIN)
			return;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			if (n == -ENOBUFS)
				log_warn("%s: receive buffer overrun, events were lost; scheduling a "
					 "full re-tune", name);
			else
				log_warn("%s: message larger than %zu bytes, treating as lost events",
					 name, sizeof(w->buf.b));
			deliver(w, &(struct mq_event){.type = EV_OVERRUN, .cpu = -1});
			continue;
		}
		if (n < 0) {
			lost(w, src, (int)n);
			return;
		}
		bad = monitor_parse(src->s, w->mon->ethtool_family, w->buf.b, (size_t)n,
				    stamp_and_deliver, w);
		if (bad)
			log_debug("%s: %d malformed message(s) in %zd bytes, ignoring", name, bad, n);
	}
}

static int watch_one(struct mq_watch *w, struct watch_src *src)
{
	int id = loop_add_fd(w->loop, w->mon->fd[src->s], on_readable, src);

	if (id < 0)
		return id;
	src->id = id;
	return 0;
}

void watch_reopen(struct mq_watch *w)
{
	for (int s = 0; s < _MON_SRC_MAX; s++) {
		struct watch_src *src = &w->src[s];
		const char *name = monitor_src_to_string(src->s);
		int r;

		if (!src->lost)
			continue;
		r = monitor_open(w->mon, src->s);
		if (r >= 0)
			r = watch_one(w, src);
		if (r >= 0) {
			src->lost = false;
			if (log_lasting_ok(&src->err))
				log_info("%s: events work again", name);
			continue;
		}
		monitor_close(w->mon, src->s);
		/* -EOPNOTSUPP: a source a test handed over, nothing to reopen. */
		if (r != -EOPNOTSUPP && log_lasting_fail(&src->err, strerror(-r)))
			log_warn("%s: cannot reopen (%s); the drift check covers for it", name,
				 strerror(-r));
	}
}

int watch_start(struct mq_watch *w, struct mq_loop *l, struct mq_monitor *m, double drift_s,
		monitor_event_fn fn, void *ctx)
{
	int r;

	memset(w, 0, sizeof(*w));
	w->loop = l;
	w->mon = m;
	w->fn = fn;
	w->ctx = ctx;
	if (m->can_open)
		names_seed(w); /* real sources: the names this kernel has now */
	/* Sources not given: a missing one is a capability of this kernel, said once. */
	if (m->fd[MON_RTNL] < 0 && (r = monitor_open(m, MON_RTNL)) < 0 && r != -EOPNOTSUPP)
		log_warn("cannot watch link events (rtnetlink: %s); new NICs and link changes are "
			 "found by the drift check every %.1f s", strerror(-r), drift_s);
	if (m->fd[MON_ETHTOOL] < 0 && (r = monitor_open(m, MON_ETHTOOL)) < 0 && r != -EOPNOTSUPP)
		log_info("no ethtool netlink monitor (%s); channel changes by others are found by the "
			 "drift check", r == -ENOENT ? "not in this kernel" : strerror(-r));
	if (m->fd[MON_UEVENT] < 0 && (r = monitor_open(m, MON_UEVENT)) < 0 && r != -EOPNOTSUPP)
		log_info("no kernel uevents (%s); CPU hotplug is found by polling "
			 "/sys/devices/system/cpu/online at every check", strerror(-r));
	for (int s = 0; s < _MON_SRC_MAX; s++) {
		w->src[s] = (struct watch_src){.w = w, .s = (enum mon_src)s, .id = -1};
		if (m->fd[s] >= 0 && (r = watch_one(w, &w->src[s])) < 0) {
			log_error("cannot watch %s: %s", monitor_src_to_string((enum mon_src)s),
				  strerror(-r));
			return r;
		}
	}
	return 0;
}
