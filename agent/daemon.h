/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * mqbalance --daemon: one epoll loop over link events (rtnetlink), channel
 * changes (ethtool netlink "monitor" group), CPU hotplug (kernel uevents),
 * timers (drift check, sampling, watchdog) and signals. Events are coalesced
 * by agent/events.h into retunes, each a call of opts->tune with its cause.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/events.h"
#include "probes/probe.h"
#include "probes/nl.h"

/* What a tuning pass tells the loop. */
struct tune_result {
	unsigned changed;     /* steps that changed something */
	unsigned failed;      /* steps that failed */
	unsigned skipped;
	char summary[256];    /* one line: "1 channel change, 8 IRQs moved, ..." */
};

typedef int (*daemon_tune_fn)(struct mq_nl *nl, const struct mq_config *cfg, const char *cause,
			      bool dry_run, struct tune_result *ret);
typedef int (*daemon_load_fn)(const char *path, struct mq_config *ret, char *err, size_t errlen);

struct daemon_opts {
	const char *config_path;   /* NULL: MQ_DEFAULT_CONFIG */
	struct mq_nl *nl;          /* handed to tune and sample, never used by the loop itself */
	daemon_tune_fn tune;       /* tune_once */
	daemon_load_fn load_config; /* config_load, with a missing file meaning defaults */
	void (*free_config)(struct mq_config *c);
	/*
	 * The NICs tune and sample were told to take (--all, IFACE...): their virtual
	 * links' events count too. NULL: only virtual links with a config section.
	 */
	const struct probe_opts *select;
	/* Optional: refresh counters and the Prometheus textfile every cfg->interval. */
	int (*sample)(struct mq_nl *nl, const struct mq_config *cfg);
	struct ev_params ev;       /* zeros: defaults */
	unsigned drift_ms;         /* drift check period, 0: 30 s */
	/*
	 * Tests: use these fds as the event sources instead of opening sockets
	 * (-1: source absent). daemon_run closes them. ethtool_family is the
	 * genl family id the fake ethtool messages carry.
	 */
	bool inject;
	int rtnl_fd, ethtool_fd, uevent_fd;
	uint16_t ethtool_family;
};

/* Production defaults: tune_once, config_load, config_free (agent/daemon_defaults.c). */
void daemon_opts_default(struct daemon_opts *o);
/* The NICs the production tune and sample hooks take (--all, IFACE...). */
void daemon_defaults_select(const struct probe_opts *o);

/*
 * Run until SIGTERM or SIGINT. Returns 0 after a clean stop, -EINVAL when the
 * configuration cannot be loaded at start, another -errno when the loop cannot
 * be set up. Nothing a NIC, netlink or a later config does makes it return.
 */
int daemon_run(const struct daemon_opts *o);

/*
 * Parse one kernel uevent ("offline@/devices/system/cpu/cpu3\0ACTION=offline\0
 * SUBSYSTEM=cpu\0..."). Returns 1 with ret filled (type, cpu) for a CPU going
 * online/offline, 0 for any other uevent, -EINVAL for garbage. Pure.
 */
int daemon_uevent_parse(const char *buf, size_t len, struct mq_event *ret);
