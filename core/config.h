/* SPDX-License-Identifier: MIT */
#pragma once

/* /etc/mqbalance.conf: global settings, then [IFNAME] sections. */

#include <limits.h>
#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>

#include "core/cpuset.h"

#define MQ_DEFAULT_CONFIG "/etc/mqbalance.conf"
#define MQ_DEFAULT_PROM_FILE "/var/lib/prometheus/node-exporter/mqbalance.prom"

enum queues_mode { QUEUES_AUTO, QUEUES_MAX, QUEUES_N, _QUEUES_MODE_MAX };
const char *queues_mode_to_string(enum queues_mode m);

#define MQ_QUEUES_LIMIT 4096  /* largest `queues = N` accepted */
#define MQ_EXCLUDE_MAX 32     /* patterns in the global `exclude` list */
#define MQ_IFS_MAX 256        /* [IFNAME] sections */

struct mq_if_config {
	char name[IF_NAMESIZE]; /* "" for the global defaults */
	bool exclude;
	enum queues_mode queues_mode;
	unsigned queues;        /* QUEUES_N */
	bool irq_affinity;      /* spread (true) | off */
	bool xps, rps;
	bool pinned;            /* queues given explicitly: someone else's change is not undone */
};

struct mq_config {
	char path[PATH_MAX];    /* file it came from, "" for built-in defaults */
	struct mq_if_config defaults;
	struct mq_if_config *ifs;
	unsigned nifs;
	struct mq_cpuset banned_cpus;
	double interval;        /* sampling interval, seconds */
	char prom_file[PATH_MAX]; /* "" = no textfile */
	bool prom_file_set;       /* prom_file came from the file: one-shot reports write it too */
	/* global `exclude = PATTERN...`: interface names or fnmatch(3) patterns */
	char exclude[MQ_EXCLUDE_MAX][IF_NAMESIZE];
	unsigned nexclude;
	/* effective settings of an interface with no section matched by exclude */
	struct mq_if_config defaults_excluded;
	double drift_check;       /* daemon: seconds between drift checks (default 30) */
};

void config_init(struct mq_config *c);  /* built-in defaults */
void config_free(struct mq_config *c);
/*
 * Parse text (the contents of path, for messages). On error writes
 * "path:line: problem" into err and returns -EINVAL; ret untouched.
 */
int config_parse(const char *text, const char *path, struct mq_config *ret, char *err, size_t errlen);
/* Effective settings for an interface: its section over the defaults. */
const struct mq_if_config *config_for(const struct mq_config *c, const char *ifname);
