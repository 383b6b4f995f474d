// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core/events.h"

static const char *const ev_type_table[_EV_TYPE_MAX] = {
	[EV_LINK_NEW] = "link_new",
	[EV_LINK_DEL] = "link_del",
	[EV_LINK_UP] = "link_up",
	[EV_LINK_DOWN] = "link_down",
	[EV_LINK_CHANGE] = "link_change",
	[EV_LINK_RENAME] = "link_rename",
	[EV_CHANNELS_CHANGED] = "channels_changed",
	[EV_CPU_ONLINE] = "cpu_online",
	[EV_CPU_OFFLINE] = "cpu_offline",
	[EV_TIMER_DRIFT_CHECK] = "timer_drift_check",
	[EV_TIMER_SAMPLE] = "timer_sample",
	[EV_SIGHUP] = "sighup",
	[EV_SIGTERM] = "sigterm",
	[EV_CONFIG_RELOADED] = "config_reloaded",
	[EV_OVERRUN] = "overrun",
};

const char *ev_type_to_string(enum ev_type t)
{
	return (unsigned)t < _EV_TYPE_MAX ? ev_type_table[t] : "unknown";
}

void events_init(struct ev_state *s, const struct ev_params *p)
{
	memset(s, 0, sizeof(*s));
	s->p.debounce_ms = p && p->debounce_ms ? p->debounce_ms : 200;
	s->p.debounce_max_ms = p && p->debounce_max_ms ? p->debounce_max_ms : 2000;
	s->p.suppress_ms = p && p->suppress_ms ? p->suppress_ms : 1000;
	if (s->p.debounce_max_ms < s->p.debounce_ms)
		s->p.debounce_max_ms = s->p.debounce_ms;
}

static bool is_link_type(enum ev_type t)
{
	return t == EV_LINK_NEW || t == EV_LINK_DEL || t == EV_LINK_UP || t == EV_LINK_RENAME ||
	       t == EV_CHANNELS_CHANGED;
}

bool events_is_own(const struct ev_state *s, int ifindex, unsigned count, uint64_t t_ms)
{
	if (t_ms <= s->suppress_all_until)
		return true;
	for (unsigned i = 0; i < EV_MAX_SUPPRESS; i++)
		if (s->suppress[i].ifindex == ifindex && ifindex > 0 && t_ms <= s->suppress[i].until_ms)
			return !count || !s->suppress[i].count || count == s->suppress[i].count;
	return false;
}

unsigned ev_channel_count(uint32_t combined, uint32_t rx)
{
	return combined ? combined : rx;
}

void events_own_change(struct ev_state *s, int ifindex, unsigned count, uint64_t now_ms)
{
	uint64_t until = now_ms + s->p.suppress_ms;
	int free_slot = -1;

	if (ifindex <= 0) {
		s->suppress_all_until = until;
		return;
	}
	for (unsigned i = 0; i < EV_MAX_SUPPRESS; i++) {
		if (s->suppress[i].ifindex == ifindex) {
			s->suppress[i].count = count;
			s->suppress[i].until_ms = until;
			return;
		}
		if (free_slot < 0 && (s->suppress[i].ifindex == 0 || s->suppress[i].until_ms < now_ms))
			free_slot = (int)i;
	}
	if (free_slot < 0) {
		s->suppress_all_until = until;
		return;
	}
	s->suppress[free_slot].ifindex = ifindex;
	s->suppress[free_slot].count = count;
	s->suppress[free_slot].until_ms = until;
}

/* The cause entry for e: an existing one with the same subject, or a new one. */
static struct ev_cause *cause_for(struct ev_state *s, const struct mq_event *e)
{
	bool cpu = e->type == EV_CPU_ONLINE || e->type == EV_CPU_OFFLINE;
	struct ev_cause *c;

	for (unsigned i = 0; i < s->ncauses; i++) {
		c = &s->causes[i];
		if (c->type != e->type)
			continue;
		if (!is_link_type(e->type))
			return c; /* CPUs, timers, reloads, overruns: one entry per type */
		if (e->ifindex > 0 ? c->ifindex == e->ifindex : !strcmp(c->ifname, e->ifname))
			return c;
	}
	if (s->ncauses == EV_MAX_CAUSES) {
		s->overflow = true;
		return NULL;
	}
	c = &s->causes[s->ncauses++];
	memset(c, 0, sizeof(*c));
	c->type = e->type;
	c->ifindex = e->ifindex;
	if (!cpu && is_link_type(e->type)) {
		snprintf(c->ifname, sizeof(c->ifname), "%s", e->ifname);
		snprintf(c->oldname, sizeof(c->oldname), "%s", e->oldname);
	}
	return c;
}

bool events_push(struct ev_state *s, const struct mq_event *e)
{
	struct ev_cause *c;

	switch (e->type) {
	case EV_SIGTERM:
		s->want_exit = true;
		return true;
	case EV_SIGHUP:
		s->want_reload = true;
		return true;
	case EV_TIMER_SAMPLE:
		s->want_sample = true;
		return true;
	case EV_LINK_DOWN:
	case EV_LINK_CHANGE:
		return false;
	case EV_CPU_ONLINE:
	case EV_CPU_OFFLINE:
		if (e->cpu < 0 || e->cpu >= MQ_MAX_CPUS)
			return false;
		break;
	case EV_CHANNELS_CHANGED:
		if (events_is_own(s, e->ifindex, e->count, e->t_ms)) {
			struct mq_event v = *e;

			/*
			 * Most likely the echo of our own change; but a change by
			 * someone else right after ours looks the same. Verify with
			 * a quiet pass: one that finds nothing to do logs nothing.
			 */
			s->suppressed++;
			v.type = EV_TIMER_DRIFT_CHECK;
			return events_push(s, &v);
		}
		break;
	case EV_LINK_NEW:
	case EV_LINK_DEL:
	case EV_LINK_UP:
	case EV_LINK_RENAME:
		if (e->ifindex <= 0 && !e->ifname[0])
			return false;
		break;
	case EV_TIMER_DRIFT_CHECK:
	case EV_CONFIG_RELOADED:
	case EV_OVERRUN:
		break;
	default:
		return false;
	}

	if (!s->pending) {
		s->pending = true;
		s->first_ms = e->t_ms;
	}
	if (e->t_ms > s->last_ms || s->nevents == 0)
		s->last_ms = e->t_ms;
	if (s->nevents < UINT32_MAX)
		s->nevents++;

	if (e->type == EV_CPU_ONLINE)
		cpuset_set(cpuset_buf(&s->cpus_on), (unsigned)e->cpu);
	else if (e->type == EV_CPU_OFFLINE)
		cpuset_set(cpuset_buf(&s->cpus_off), (unsigned)e->cpu);

	c = cause_for(s, e);
	if (!c)
		return true;
	c->n++;
	if (e->type == EV_CHANNELS_CHANGED)
		c->count = e->count;
	if (e->type == EV_LINK_RENAME || e->type == EV_LINK_NEW)
		snprintf(c->ifname, sizeof(c->ifname), "%s", e->ifname); /* keep the first oldname */
	return true;
}

uint64_t events_deadline(const struct ev_state *s)
{
	uint64_t a, b;

	if (s->want_exit || s->want_reload || s->want_sample)
		return 0;
	if (!s->pending)
		return UINT64_MAX;
	a = s->last_ms + s->p.debounce_ms;
	b = s->first_ms + s->p.debounce_max_ms;
	return a < b ? a : b;
}

struct out {
	char *buf;
	size_t len, off;
	bool cut;
};

static void __attribute__((format(printf, 2, 3))) put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->cut || o->len == 0)
		return;
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->off, o->len - o->off, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= o->len - o->off) {
		o->cut = true;
		o->off = o->len - 1;
		return;
	}
	o->off += (size_t)n;
}

static void put_cpus(struct out *o, const struct mq_cpuset *set, const char *what)
{
	char list[128];

	if (cpuset_format_list(set, list, sizeof(list)) < 0)
		put(o, "%u cpus %s", cpuset_count(set), what);
	else if (cpuset_count(set) == 1)
		put(o, "cpu%s %s", list, what);
	else
		put(o, "cpus %s %s", list, what);
}

static void put_cause(struct out *o, const struct ev_state *s, const struct ev_cause *c)
{
	switch (c->type) {
	case EV_LINK_NEW:
		put(o, "%s appeared", c->ifname);
		break;
	case EV_LINK_DEL:
		put(o, "%s went away", c->ifname);
		break;
	case EV_LINK_UP:
		put(o, "%s link up", c->ifname);
		break;
	case EV_LINK_RENAME:
		put(o, "%s renamed to %s", c->oldname[0] ? c->oldname : "a link", c->ifname);
		break;
	case EV_CHANNELS_CHANGED:
		put(o, "%s channels changed by someone else", c->ifname);
		if (c->count)
			put(o, " (to %u)", c->count);
		break;
	case EV_CPU_ONLINE:
		put_cpus(o, cpuset_cbuf(&s->cpus_on), "came online");
		return;
	case EV_CPU_OFFLINE:
		put_cpus(o, cpuset_cbuf(&s->cpus_off), "went offline");
		return;
	case EV_TIMER_DRIFT_CHECK:
		put(o, "drift check");
		return;
	case EV_CONFIG_RELOADED:
		put(o, "configuration reloaded");
		return;
	case EV_OVERRUN:
		put(o, "netlink events were lost");
		return;
	default:
		put(o, "%s", ev_type_to_string(c->type));
		return;
	}
	if (c->n > 1)
		put(o, " (%u times)", c->n);
}

unsigned events_poll(struct ev_state *s, uint64_t now_ms, char *cause, size_t len)
{
	unsigned act = 0;

	if (len)
		cause[0] = '\0';
	if (s->want_exit)
		act |= EV_ACT_EXIT;
	if (s->want_reload)
		act |= EV_ACT_RELOAD;
	if (s->want_sample)
		act |= EV_ACT_SAMPLE;
	s->want_exit = s->want_reload = s->want_sample = false;

	if (s->pending && now_ms >= events_deadline(s)) {
		struct out o = {cause, len, 0, false};
		bool quiet = true;

		if (s->overflow)
			put(&o, "many events (%u): ", s->nevents);
		for (unsigned i = 0; i < s->ncauses; i++) {
			if (i)
				put(&o, ", ");
			put_cause(&o, s, &s->causes[i]);
			if (s->causes[i].type != EV_TIMER_DRIFT_CHECK)
				quiet = false;
		}
		if (s->overflow) {
			put(&o, ", ...");
			quiet = false;
		}
		if (o.cut && len >= 4)
			memcpy(cause + len - 4, "...", 4);
		act |= EV_ACT_RETUNE | (quiet ? EV_ACT_QUIET : 0);
		s->pending = false;
		s->ncauses = 0;
		s->nevents = 0;
		s->overflow = false;
		cpuset_zero(cpuset_buf(&s->cpus_on));
		cpuset_zero(cpuset_buf(&s->cpus_off));
	}
	return act;
}
