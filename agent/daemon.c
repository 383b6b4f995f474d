// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/loop.h"
#include "agent/sdnotify.h"
#include "agent/watch.h"

#define DRIFT_MS_DEFAULT 30000

struct daemon {
	const struct daemon_opts *o;
	const struct daemon_hooks *h;
	const char *config_path;
	struct mq_config *cfg;
	struct ev_state ev;
	struct mq_loop *loop;
	struct mq_watch watch;
	int drift_timer, sample_timer;
	struct mq_cpuset_buf online;
	bool have_online;
	struct probe_files files;  /* /sys/devices/system/cpu/online, read at every tick */
	unsigned long retunes;
	bool links_unwatched;      /* link events may have been missed: the next drift check is a pass */
	struct log_lasting tune_err, failed, sample_err, online_err;
};

static void push(struct daemon *d, enum ev_type t)
{
	events_push(&d->ev, &(struct mq_event){.type = t, .t_ms = loop_now_ms(), .cpu = -1});
}

/* ---- configuration ----------------------------------------------------------- */

static const char *config_shown(const struct daemon *d)
{
	return d->cfg->path[0] ? d->cfg->path : d->config_path;
}

/* opts->drift_ms (tests) over the config's drift_check over 30 s. */
static uint64_t drift_ms(const struct daemon *d)
{
	if (d->o->drift_ms)
		return d->o->drift_ms;
	if (!(d->cfg->drift_check >= 1))
		return DRIFT_MS_DEFAULT;
	if (d->cfg->drift_check > 86400)
		return 86400000;
	return (uint64_t)(d->cfg->drift_check * 1000);
}

static uint64_t sample_ms(const struct daemon *d)
{
	if (!d->h->sample || !(d->cfg->interval > 0))
		return 0;
	if (d->cfg->interval > 86400)
		return 86400000;
	return d->cfg->interval < 0.1 ? 100 : (uint64_t)(d->cfg->interval * 1000);
}

/* ---- links ------------------------------------------------------------------- */

/*
 * Whether a pass takes the link, by the rule it probes with (tune_probe_opts,
 * probe_selects): the names given, else [NAME] sections and devices, or every
 * link with --all. Virtual links (veth, bridges, tunnels: they have a kind)
 * come and go with every container: most are not ours.
 */
static bool selected(const struct daemon *d, bool device, const char *ifname)
{
	const char *names[MQ_IFS_MAX];
	struct probe_opts po = {0};

	if (d->o->select)
		po = *d->o->select;
	tune_probe_opts(d->cfg, &po, names);
	return probe_selects(&po, ifname, device);
}

/* The interface's merged settings ([driver=] sections count once its driver is known). */
static struct mq_if_config if_config(const struct daemon *d, const char *ifname)
{
	char driver[32] = "";

	if (d->h->driver)
		d->h->driver(d->h->ctx, ifname, driver, sizeof(driver));
	return config_for(d->cfg, ifname, driver);
}

static bool takes(const struct daemon *d, const char *kind, const char *ifname)
{
	/* the message's kind: a removed link has no sysfs left to ask */
	return ifname[0] && selected(d, !kind[0], ifname) && !if_config(d, ifname).exclude;
}

static void on_link(struct daemon *d, const struct mq_event *e)
{
	if (e->type == EV_LINK_CHANGE)
		return; /* carrier, MTU, statistics...: nothing for us */
	if (!takes(d, e->kind, e->ifname) &&
	    !(e->type == EV_LINK_RENAME && takes(d, e->kind, e->oldname))) {
		log_debug("event: %s %s (%s), not one a pass takes, ignoring", e->ifname,
			  ev_type_to_string(e->type), e->kind[0] ? e->kind : "device");
		return;
	}
	log_debug("event: %s %s%s%s", e->ifname, ev_type_to_string(e->type),
		  e->oldname[0] ? " from " : "", e->oldname);
	events_push(&d->ev, e);
}

static void on_channels(struct daemon *d, struct mq_event e)
{
	struct mq_if_config ic;
	bool named = true;

	if (!e.ifname[0]) {
		const char *known = link_names_get(&d->watch.names, e.ifindex);

		if (known)
			snprintf(e.ifname, sizeof(e.ifname), "%s", known);
		else
			snprintf(e.ifname, sizeof(e.ifname), "ifindex%d", e.ifindex);
		named = known != NULL;
	}
	if (events_is_own(&d->ev, e.ifindex, e.count, e.t_ms)) {
		/* events_push turns it into a quiet verification pass. */
		log_debug("event: %s channels now %u, probably our own change; verifying", e.ifname,
			  e.count);
		events_push(&d->ev, &e);
		return;
	}
	if (named) {
		bool device = !d->h->has_device || d->h->has_device(d->h->ctx, e.ifname);

		if (!selected(d, device, e.ifname)) {
			log_debug("event: %s channels now %u (%s), not one a pass takes, ignoring",
				  e.ifname, e.count, device ? "device" : "virtual");
			return;
		}
	}
	ic = if_config(d, e.ifname);
	if (ic.exclude) {
		log_debug("event: %s channels now %u, excluded, ignoring", e.ifname, e.count);
		return;
	}
	if (ic.pinned) {
		char want[16] = "max";

		if (ic.queues_mode == QUEUES_N)
			snprintf(want, sizeof(want), "%u", ic.queues);
		log_info("%s channels changed by someone else (now %u), restoring queues = %s of %s",
			 e.ifname, e.count, want, config_shown(d));
	} else if (!named) {
		log_info("%s channels changed by someone else (now %u), restoring them", e.ifname,
			 e.count);
	} else {
		log_info("%s channels changed by someone else (now %u), restoring them; set queues = "
			 "%u in [%s] of %s to keep it", e.ifname, e.count, e.count, e.ifname,
			 config_shown(d));
	}
	events_push(&d->ev, &e);
}

/* ---- CPUs -------------------------------------------------------------------- */

static void on_cpu(struct daemon *d, const struct mq_event *e)
{
	/* Keep the polled view in step so the fallback does not report it twice. */
	if (e->type == EV_CPU_ONLINE)
		cpuset_set(cpuset_buf(&d->online), (unsigned)e->cpu);
	else
		cpuset_clear(cpuset_buf(&d->online), (unsigned)e->cpu);
	log_debug("event: cpu%d %s", e->cpu, ev_type_to_string(e->type));
	events_push(&d->ev, e);
}

/*
 * /sys/devices/system/cpu/online, read at every timer tick: catches hotplug
 * when uevents are unavailable or were lost. (sysfs attributes raise no
 * inotify events, so polling it is the only fallback.)
 */
static void poll_cpus_online(struct daemon *d)
{
	struct mq_cpuset *online = cpuset_buf(&d->online);
	CPUSET_DEFINE(cur);
	CPUSET_DEFINE(gone);
	CPUSET_DEFINE(came);
	const char *text;
	size_t len;
	uint64_t now = loop_now_ms();
	int r = probe_file_read(&d->files, PROBE_FILE_CPU_ONLINE, &text, &len);

	if (r >= 0)
		r = cpuset_parse_list(text, cur);
	if (r < 0) {
		if (log_lasting_fail(&d->online_err, strerror(-r)))
			log_debug("cannot read /sys/devices/system/cpu/online: %s, ignoring",
				  strerror(-r));
		return;
	}
	log_lasting_ok(&d->online_err);
	if (d->have_online) {
		cpuset_andnot(gone, online, cur);
		cpuset_andnot(came, cur, online);
		CPUSET_FOREACH(cpu, gone)
			events_push(&d->ev, &(struct mq_event){.type = EV_CPU_OFFLINE, .t_ms = now, .cpu = cpu});
		CPUSET_FOREACH(cpu, came)
			events_push(&d->ev, &(struct mq_event){.type = EV_CPU_ONLINE, .t_ms = now, .cpu = cpu});
	}
	cpuset_copy(online, cur);
	d->have_online = true;
}

/* ---- event sources ----------------------------------------------------------- */

static void on_event(const struct mq_event *e, void *ctx)
{
	struct daemon *d = ctx;

	if (e->type == EV_CHANNELS_CHANGED) {
		on_channels(d, *e);
	} else if (e->type == EV_CPU_ONLINE || e->type == EV_CPU_OFFLINE) {
		on_cpu(d, e);
	} else if (e->type == EV_OVERRUN) {
		events_push(&d->ev, e);
		poll_cpus_online(d); /* lost uevents too, maybe */
	} else {
		on_link(d, e);
	}
}

/* ---- timers and signals ------------------------------------------------------ */

static void on_signal(struct mq_loop *l, int signo, void *ctx)
{
	(void)l;
	push(ctx, signo == SIGHUP ? EV_SIGHUP : EV_SIGTERM);
}

static void on_drift(struct mq_loop *l, void *ctx)
{
	struct daemon *d = ctx;
	(void)l;
	/* Without link events a new NIC is found only by a full pass. */
	if (d->watch.src[MON_RTNL].id < 0)
		d->links_unwatched = true;
	watch_reopen(&d->watch);
	poll_cpus_online(ctx);
	push(ctx, EV_TIMER_DRIFT_CHECK);
}

static void on_sample_tick(struct mq_loop *l, void *ctx)
{
	(void)l;
	poll_cpus_online(ctx);
	push(ctx, EV_TIMER_SAMPLE);
}

static void on_watchdog(struct mq_loop *l, void *ctx)
{
	(void)l;
	(void)ctx;
	sdnotify_send("WATCHDOG=1");
}

/* ---- actions ----------------------------------------------------------------- */

static void reload(struct daemon *d)
{
	struct mq_config next;
	char err[256] = "";
	int r;

	memset(&next, 0, sizeof(next));
	r = d->h->load_config(d->h->ctx, d->config_path, &next, err, sizeof(err));
	if (r < 0) {
		if (err[0])
			log_error("reload failed: %s; keeping the old configuration", err);
		else
			log_error("reload of %s failed: %s; keeping the old configuration",
				  d->config_path, strerror(-r));
		sdnotify_sendf("STATUS=configuration reload failed, running with the old one: %s",
			       err[0] ? err : strerror(-r));
		return;
	}
	d->h->free_config(d->h->ctx, d->cfg);
	*d->cfg = next;
	log_info("configuration reloaded from %s", d->config_path);
	if ((r = loop_timer_set(d->loop, d->sample_timer, sample_ms(d))) < 0)
		log_warn("cannot re-arm the sample timer: %s", strerror(-r));
	if ((r = loop_timer_set(d->loop, d->drift_timer, drift_ms(d))) < 0)
		log_warn("cannot re-arm the drift check timer: %s", strerror(-r));
	push(d, EV_CONFIG_RELOADED);
}

static void sample(struct daemon *d)
{
	int r = d->h->sample ? d->h->sample(d->h->ctx, d->cfg) : 0;

	if (r < 0 && log_lasting_fail(&d->sample_err, strerror(-r)))
		log_warn("sampling failed: %s, ignoring", strerror(-r));
	else if (r >= 0 && log_lasting_ok(&d->sample_err))
		log_info("sampling works again");
}

/* quiet: a drift check (or the check of our own echo), which repeats its failures. */
static void retune(struct daemon *d, const char *cause, bool quiet)
{
	struct tune_result res;
	char what[64];
	int r;

	memset(&res, 0, sizeof(res));
	if (quiet && d->h->check && !d->links_unwatched) {
		r = d->h->check(d->h->ctx, d->cfg);
		if (r > 0) {
			log_debug("%s: nothing moved", cause);
			return;
		}
		if (r < 0)
			log_debug("%s: cannot tell (%s)", cause, strerror(-r));
	}
	if (quiet)
		log_debug("%s: re-tuning", cause);
	else
		log_info("%s: re-tuning", cause);
	r = d->h->tune(d->h->ctx, d->cfg, cause, &res);
	d->retunes++;
	if (r < 0) {
		if (log_lasting_fail(&d->tune_err, strerror(-r)) || !quiet)
			log_error("%s: could not tune (%s); trying again at the next check", cause,
				  strerror(-r));
		else
			log_debug("%s: could not tune (%s), still", cause, strerror(-r));
		sdnotify_sendf("STATUS=could not tune (%s), retrying", strerror(-r));
		return;
	}
	d->links_unwatched = false;
	if (log_lasting_ok(&d->tune_err))
		log_info("%s: tuning works again", cause);
	/* Our channel changes come back as notifications: not someone else's. */
	if (res.nchannels > EV_MAX_SUPPRESS)
		events_own_change(&d->ev, 0, 0, loop_now_ms());
	else
		for (unsigned i = 0; i < res.nchannels; i++)
			events_own_change(&d->ev, res.channels[i].ifindex, res.channels[i].count,
					  loop_now_ms());
	snprintf(what, sizeof(what), "%u", res.failed);
	if (res.failed && (log_lasting_fail(&d->failed, what) || !quiet))
		log_warn("%s: %u change(s) failed, %u made", cause, res.failed, res.changed);
	else if (quiet && res.changed)
		log_info("%s: %u setting(s) had been changed behind our back, restored", cause,
			 res.changed);
	if (!res.failed && log_lasting_ok(&d->failed))
		log_info("%s: no change fails any more", cause);
	res.summary[sizeof(res.summary) - 1] = '\0';
	sdnotify_sendf("STATUS=%s (pass %lu: %s)", res.summary[0] ? res.summary : "tuned",
		       d->retunes, cause);
}

/* Before every wait: act on what the events asked for, then sleep until the debounce ends. */
static uint64_t on_prepare(struct mq_loop *l, uint64_t now, void *ctx)
{
	struct daemon *d = ctx;
	char cause[512];
	unsigned act = events_poll(&d->ev, now, cause, sizeof(cause));

	if (act & EV_ACT_EXIT) {
		loop_stop(l, 0);
		return UINT64_MAX;
	}
	if (act & EV_ACT_RELOAD)
		reload(d);
	if (act & EV_ACT_SAMPLE)
		sample(d);
	if (act & EV_ACT_RETUNE)
		retune(d, cause, act & EV_ACT_QUIET);
	/* A reload pushes a retune, a pass queues our own echoes: look again right away. */
	return act ? 0 : events_deadline(&d->ev);
}

/* ---- setup ------------------------------------------------------------------- */

static int setup(struct daemon *d)
{
	static const int signals[] = {SIGHUP, SIGTERM, SIGINT};
	uint64_t wd_usec = 0;
	int r;

	if ((r = loop_new(&d->loop)) < 0)
		return r;
	for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); i++)
		if ((r = loop_add_signal(d->loop, signals[i], on_signal, d)) < 0)
			return r;
	if ((r = d->drift_timer = loop_add_timer(d->loop, drift_ms(d), on_drift, d)) < 0 ||
	    (r = d->sample_timer = loop_add_timer(d->loop, sample_ms(d), on_sample_tick, d)) < 0)
		return r;
	if (sdnotify_watchdog_usec(&wd_usec) > 0 &&
	    (r = loop_add_timer(d->loop, wd_usec / 2000 ? wd_usec / 2000 : 1, on_watchdog, d)) < 0)
		log_warn("cannot arm the watchdog timer: %s", strerror(-r));
	if ((r = watch_start(&d->watch, d->loop, d->o->mon, (double)drift_ms(d) / 1000, on_event, d)) < 0)
		return r;
	poll_cpus_online(d);
	loop_set_prepare(d->loop, on_prepare, d);
	return 0;
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon *d;
	int r;

	if (!o->cfg || !o->mon || !o->hooks.tune || !o->hooks.load_config || !o->hooks.free_config)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->o = o;
	d->h = &o->hooks;
	probe_files_init(&d->files);
	d->cfg = o->cfg;
	d->config_path = o->config_path ? o->config_path : MQ_DEFAULT_CONFIG;
	events_init(&d->ev, &o->ev);
	r = setup(d);
	if (r < 0) {
		log_error("cannot set up the event loop: %s", strerror(-r));
		goto out;
	}
	log_info("daemon started (config %s, %s%s%s)", d->config_path,
		 d->o->mon->fd[MON_RTNL] >= 0 ? "links" : "no link events",
		 d->o->mon->fd[MON_ETHTOOL] >= 0 ? ", channels" : "",
		 d->o->mon->fd[MON_UEVENT] >= 0 ? ", cpu hotplug" : ", cpu polling");
	retune(d, "startup", false);
	sdnotify_send("READY=1");
	r = loop_run(d->loop);
	if (r < 0) {
		log_error("event loop: %s", strerror(-r));
		goto out;
	}
	log_info("stopping");
	sdnotify_send("STOPPING=1");
out:
	loop_free(d->loop);
	probe_files_close(&d->files);
	free(d);
	return r;
}
