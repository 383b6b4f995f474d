/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The command line: one mode, and the options that apply to it. An option
 * given to a mode it does not apply to is refused (exit 2, naming both),
 * never ignored. Parsing does no I/O, so tests check the whole matrix.
 */

#include <stdbool.h>
#include <stddef.h>

enum mode {
	MODE_REPORT,  /* --report (default): what is there, findings; exit 0 when it ran */
	MODE_CHECK,   /* --check: the same assessment, exit 1 on a warning or a pending change */
	MODE_WATCH,   /* --watch: a live view */
	MODE_APPLY,   /* --apply */
	MODE_DRY_RUN, /* --dry-run (alone or with --apply): the plan, nothing written */
	MODE_DAEMON,  /* --daemon */
	MODE_REVERT,  /* --revert: put back what mqbalance changed */
	_MODE_MAX,
};
const char *mode_to_string(enum mode m); /* "--report", ... */

struct args {
	enum mode mode;
	bool json, pretty, all, verbose, quiet;
	bool interval_set;
	double interval;          /* seconds; default 1 (report, check, watch) */
	const char *config;       /* NULL: the default file */
	const char *prom_file;    /* NULL: the config's (daemon), none (report, check) */
	const char *root;
	char **ifnames;
	unsigned nifnames;
	bool help, version;
};

/*
 * Parse argv (argv[0] is the program). Returns 0, or -EINVAL with a message
 * for the user in err ("--prom-file does not apply to --apply").
 */
int args_parse(int argc, char **argv, struct args *ret, char *err, size_t errlen);

/* "12", "0.5", "3600": digits with at most one dot, nothing else. 0 or -EINVAL. */
int args_seconds(const char *text, double *ret);

/* The usage text, as --help prints it. */
extern const char args_usage[];
