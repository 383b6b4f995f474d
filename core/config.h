/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * /etc/mqbalance.conf (and its drop-ins): global settings, then sections
 * that override the per-interface keys for the interfaces they match.
 * mqbalance.conf(5) is the user's version.
 */

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
#define MQ_IFS_MAX 256        /* sections, over every file */
#define MQ_FILES_MAX 65       /* the main file and up to 64 drop-ins */
#define MQ_WARNINGS_MAX 16    /* warnings kept (nwarnings counts them all) */
#define MQ_MATCH_MAX 32       /* a section's pattern, with its NUL (ethtool driver names: 32) */

/* Effective settings of one interface (config_for()). */
struct mq_if_config {
	bool exclude;
	enum queues_mode queues_mode;
	unsigned queues;        /* QUEUES_N */
	bool irq_affinity;      /* spread (true) | off */
	bool xps, rps;
	bool rss;               /* auto (true): an RSS table leaving active queues out is reset | off */
	bool pinned;            /* queues given explicitly (max or N): the daemon's log names it */
};

/* What a section matches on, weakest first: a stronger match overrides the keys it sets. */
enum mq_match { MATCH_DRIVER, MATCH_GLOB, MATCH_NAME, _MATCH_MAX };

/* The per-interface keys, as bits of mq_section.keys. */
enum {
	MQ_KEY_QUEUES = 1 << 0,
	MQ_KEY_EXCLUDE = 1 << 1,
	MQ_KEY_IRQ_AFFINITY = 1 << 2,
	MQ_KEY_XPS = 1 << 3,
	MQ_KEY_RPS = 1 << 4,
	MQ_KEY_RSS = 1 << 5,
	MQ_KEYS_ALL = (1 << 6) - 1,
};

/* [eth0], [eth*] or [driver=virtio_net]; sections of one match merge over the files. */
struct mq_section {
	enum mq_match match;
	char pattern[MQ_MATCH_MAX]; /* the name, the fnmatch(3) pattern or the driver */
	unsigned keys;              /* MQ_KEY_* the section sets; only these count in v */
	struct mq_if_config v;
	unsigned file, line;        /* where it was first opened: files[file], line */
};

struct mq_config {
	char path[PATH_MAX];    /* the main file, "" when it was missing (built-in defaults) */
	char *files[MQ_FILES_MAX]; /* every file read, in order (owned) */
	unsigned nfiles;
	struct mq_if_config defaults; /* the global per-interface keys */
	struct mq_section *sections;  /* in the order they were first opened */
	unsigned nsections;
	struct mq_cpuset_buf banned_cpus; /* cpuset_buf(&c->banned_cpus) is the set */
	double interval;        /* sampling interval, seconds */
	char prom_file[PATH_MAX]; /* "" = no textfile */
	bool prom_file_set;       /* prom_file came from the file: one-shot reports write it too */
	/* global `exclude = PATTERN...`: interface names or fnmatch(3) patterns */
	char exclude[MQ_EXCLUDE_MAX][IF_NAMESIZE];
	unsigned nexclude;
	double drift_check;       /* daemon: seconds between drift checks (default 30) */
	/* "file:line: problem, ignored" for what an older mqbalance does not know (unknown keys) */
	char warnings[MQ_WARNINGS_MAX][256];
	unsigned nwarnings;       /* all of them, kept or not */
};

void config_init(struct mq_config *c);  /* built-in defaults */
void config_free(struct mq_config *c);
/*
 * Parse text (the contents of path, for messages) into a new config. On
 * error writes "path:line: problem" into err and returns -EINVAL (-ENOMEM);
 * ret untouched. Unknown keys are warnings (c->warnings), not errors.
 */
int config_parse(const char *text, const char *path, struct mq_config *ret, char *err, size_t errlen);
/*
 * One more file on top of c (a drop-in): the global keys it sets replace
 * c's, its sections merge into c's sections of the same match key by key.
 * On error c is half-merged: free it.
 */
int config_merge(struct mq_config *c, const char *text, const char *path, char *err, size_t errlen);

/*
 * Effective settings of an interface: the global keys, then its [driver=]
 * section, its glob sections (later ones win), its [name] section, each
 * overriding only the keys it sets. driver NULL or "" (unknown): driver
 * sections do not apply. Interfaces matching the global exclude list are
 * excluded unless a section says `exclude = no`.
 */
struct mq_if_config config_for(const struct mq_config *c, const char *ifname, const char *driver);
/* Does the section apply to this interface? */
bool config_section_matches(const struct mq_section *s, const char *ifname, const char *driver);
/* The section of exactly this match and pattern, NULL if none. */
const struct mq_section *config_section(const struct mq_config *c, enum mq_match m, const char *pattern);
/* "[eth0]", "[eth*]", "[driver=virtio_net]" into buf. */
const char *config_section_str(const struct mq_section *s, char *buf, size_t len);
/* The file a section was opened in, for messages. */
const char *config_section_file(const struct mq_config *c, const struct mq_section *s);

struct mq_snapshot;
/*
 * Sections that match no interface of s (its NICs and every other link it
 * saw): their indices into c->sections, at most max into ret. Returns how
 * many there are.
 */
unsigned config_unmatched(const struct mq_config *c, const struct mq_snapshot *s, unsigned *ret,
			  unsigned max);
