/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * mqbalance --daemon: what each event means. The loop is agent/loop.h, the
 * event sources and their parsers probes/monitor.h, the coalescing
 * core/events.h; here is the policy on top (link new/up/rename, channel
 * changes by someone else or our own echo, excluded interfaces, CPU hotplug
 * with a polling fallback, reload, drift and sample timers, watchdog, STATUS)
 * and the hooks that do the work, each called with the caller's context.
 */

#include <stdbool.h>
#include <stddef.h>

#include "agent/tune.h"
#include "core/config.h"
#include "core/events.h"
#include "probes/monitor.h"
#include "probes/probe.h"

/* What a tuning pass tells the policy. */
struct tune_result {
	unsigned changed;     /* steps that changed something */
	unsigned failed;      /* steps that failed */
	unsigned skipped;
	char summary[256];    /* one line: "1 channel change, 8 IRQs moved, ..." */
	/* the channels it set, to know their notifications; nchannels > the array: some of many */
	struct {
		int ifindex;
		unsigned count; /* as a notification says it: ev_channel_count() */
	} channels[EV_MAX_SUPPRESS];
	unsigned nchannels;
};

struct daemon_hooks {
	void *ctx; /* handed to every hook */
	/* One pass (probe, plan, apply) over the selected NICs: 0 (see ret->failed) or -errno. */
	int (*tune)(void *ctx, const struct mq_config *cfg, const char *cause,
		    struct tune_result *ret);
	/* Optional: refresh counters and the Prometheus textfile, every cfg->interval. */
	int (*sample)(void *ctx, const struct mq_config *cfg);
	/*
	 * Optional: the drift check without a pass, reading only what the last
	 * pass left set: > 0 nothing moved, 0 a pass is needed, -errno cannot
	 * tell (a pass runs). Not used while link events may have been missed.
	 */
	int (*check)(void *ctx, const struct mq_config *cfg);
	/* SIGHUP: read path into ret (0), or -errno with err saying why (file:line). */
	int (*load_config)(void *ctx, const char *path, struct mq_config *ret, char *err,
			   size_t errlen);
	void (*free_config)(void *ctx, struct mq_config *c);
	/* Optional: the NIC's driver name into buf ("" unknown), for [driver=] sections. */
	void (*driver)(void *ctx, const char *ifname, char *buf, size_t len);
	/* Optional: whether the link is a device (has /sys/class/net/NAME/device); NULL: yes. */
	bool (*has_device)(void *ctx, const char *ifname);
};

struct daemon_opts {
	const char *config_path;   /* what SIGHUP reloads; NULL: MQ_DEFAULT_CONFIG */
	/*
	 * Loaded once by the caller. A reload frees the old one (free_config)
	 * and puts the new one here; the caller frees the last one.
	 */
	struct mq_config *cfg;
	struct daemon_hooks hooks;
	/*
	 * The event sources. Those not open yet are opened at start (a missing
	 * one is logged once; the drift check covers for it); one that breaks is
	 * reopened at the next drift check. The caller closes them afterwards.
	 */
	struct mq_monitor *mon;
	/*
	 * The NICs the hooks were told to take (--all, IFACE...): their virtual
	 * links' events count too. NULL: only virtual links with a config section.
	 */
	const struct probe_opts *select;
	struct ev_params ev;       /* zeros: defaults */
	unsigned drift_ms;         /* drift check period (tests); 0: the config's drift_check */
};

/*
 * Run until SIGTERM or SIGINT. Returns 0 after a clean stop, -EINVAL for
 * missing opts, another -errno when the loop cannot be set up. Nothing a NIC,
 * netlink or a later config does makes it return.
 */
int daemon_run(const struct daemon_opts *o);

/*
 * The service (agent/daemon_defaults.c): hooks over tune_run(), the findings
 * and the Prometheus textfile for the NICs select names (their statistics
 * and the previous sample live in a context of their own), configs from
 * config_load() with a missing file meaning the built-in defaults; event
 * sources from nl's families. cfg as daemon_opts.cfg. Returns as daemon_run.
 */
/* Command-line settings that win over the config, at start and after every reload. */
struct daemon_overrides {
	double interval;        /* --interval, 0: the config's */
	const char *prom_file;  /* --prom-file, NULL: the config's */
};

int daemon_main(struct mq_nl *nl, struct mq_config *cfg, const char *config_path,
		const struct probe_opts *select, const struct daemon_overrides *ov);
