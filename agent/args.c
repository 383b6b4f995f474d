// SPDX-License-Identifier: MIT
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/args.h"
#include "core/config.h"

const char args_usage[] =
	"Usage: mqbalance [--report] [--interval SECONDS] [--json [--pretty]] [--prom-file PATH] [IFACE...]\n"
	"       mqbalance --check [--interval SECONDS] [--json [--pretty]] [IFACE...]\n"
	"       mqbalance --watch [--interval SECONDS] [IFACE...]\n"
	"       mqbalance --apply [--json [--pretty]] [IFACE...]\n"
	"       mqbalance --dry-run [--json [--pretty]] [IFACE...]\n"
	"       mqbalance --revert [--json [--pretty]] [IFACE...]\n"
	"       mqbalance --daemon [--interval SECONDS] [--prom-file PATH] [--all] [IFACE...]\n"
	"\n"
	"Make multiqueue NICs in a VM use their queues: channels = usable vCPUs,\n"
	"one queue IRQ per CPU, XPS to match.\n"
	"\n"
	"Modes:\n"
	"  -r, --report          show NICs, queues, IRQs, CPUs, rates and findings (default)\n"
	"  -C, --check           the same assessment as a check: exit 1 on a warning or\n"
	"                        a pending change (Nagios/Icinga, scripts)\n"
	"  -w, --watch           a live view of queues and CPUs, redrawn every interval; q quits\n"
	"  -a, --apply           tune channels, IRQ affinity, XPS/RPS\n"
	"  -n, --dry-run         print the plan --apply would carry out, change nothing\n"
	"  -R, --revert          put back what mqbalance changed in this boot\n"
	"  -d, --daemon          keep the VM tuned (systemd service)\n"
	"Options:\n"
	"  -i, --interval SECONDS  rates over this interval (report, check, watch; default 1,\n"
	"                        0 = counters only), or the daemon's sampling interval\n"
	"  -j, --json            machine-readable output (report, check, apply, dry-run, revert)\n"
	"      --pretty          indented JSON, for people\n"
	"  -p, --prom-file PATH  write a node_exporter textfile (report, check, daemon)\n"
	"  -A, --all             include virtual interfaces (veth, bridges, ...)\n"
	"  -c, --config FILE     configuration (default " MQ_DEFAULT_CONFIG ")\n"
	"      --root DIR        read /proc and /sys under DIR (report, check, watch; tests)\n"
	"  -v, --verbose         more log output\n"
	"  -q, --quiet           errors only\n"
	"  -h, --help            this help\n"
	"  -V, --version         print the version\n"
	"\n"
	"Exit status: 0 done (--check: nothing wrong, nothing pending); 1 --check found\n"
	"a warning or a pending change, or a change failed (apply, revert); 2 usage or\n"
	"configuration error, nothing done; 3 could not run; 130, 143 apply or revert\n"
	"stopped by SIGINT, SIGTERM (what was done is listed, --revert still works).\n";

static const char *const mode_table[_MODE_MAX] = {
	[MODE_REPORT] = "--report", [MODE_CHECK] = "--check",   [MODE_WATCH] = "--watch",
	[MODE_APPLY] = "--apply",   [MODE_DRY_RUN] = "--dry-run", [MODE_DAEMON] = "--daemon",
	[MODE_REVERT] = "--revert",
};

const char *mode_to_string(enum mode m)
{
	return (unsigned)m < _MODE_MAX ? mode_table[m] : "?";
}

#define M(m) (1u << (m))
#define READS (M(MODE_REPORT) | M(MODE_CHECK) | M(MODE_WATCH))

/* Which modes an option applies to. */
static const struct {
	int opt;
	const char *name;
	unsigned modes;
} applies[] = {
	{'i', "--interval", READS | M(MODE_DAEMON)},
	{'j', "--json", M(MODE_REPORT) | M(MODE_CHECK) | M(MODE_APPLY) | M(MODE_DRY_RUN) | M(MODE_REVERT)},
	{'p', "--prom-file", M(MODE_REPORT) | M(MODE_CHECK) | M(MODE_DAEMON)},
	{'A', "--all", READS | M(MODE_APPLY) | M(MODE_DRY_RUN) | M(MODE_DAEMON)},
	{'c', "--config", READS | M(MODE_APPLY) | M(MODE_DRY_RUN) | M(MODE_DAEMON)},
	/* read-only: a fixture tree is never written through */
	{0x100, "--root", READS},
};

enum { OPT_ROOT = 0x100, OPT_PRETTY };

static int fail(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err && errlen) {
		va_start(ap, fmt);
		vsnprintf(err, errlen, fmt, ap);
		va_end(ap);
	}
	return -EINVAL;
}

int args_seconds(const char *text, double *ret)
{
	unsigned dots = 0, digits = 0;
	char *end;
	double v;

	if (!text || !*text || strlen(text) > 16)
		return -EINVAL;
	for (const char *p = text; *p; p++) {
		if (*p == '.')
			dots++;
		else if (*p >= '0' && *p <= '9')
			digits++;
		else
			return -EINVAL; /* signs, exponents, hex, inf, nan */
	}
	if (dots > 1 || !digits)
		return -EINVAL;
	v = strtod(text, &end);
	if (*end)
		return -EINVAL;
	*ret = v;
	return 0;
}

static int set_mode(struct args *a, enum mode m, unsigned *nmodes, char *err, size_t errlen)
{
	/* --apply --dry-run is the dry run; any other pair is a conflict */
	if (*nmodes && !((a->mode == MODE_APPLY && m == MODE_DRY_RUN) ||
			 (a->mode == MODE_DRY_RUN && m == MODE_APPLY)))
		return fail(err, errlen, "%s and %s are different modes: give one", mode_to_string(a->mode),
			    mode_to_string(m));
	if (!(*nmodes && m == MODE_APPLY))
		a->mode = m;
	(*nmodes)++;
	return 0;
}

int args_parse(int argc, char **argv, struct args *ret, char *err, size_t errlen)
{
	static const struct option opts[] = {
		{"report", no_argument, NULL, 'r'},   {"check", no_argument, NULL, 'C'},
		{"watch", no_argument, NULL, 'w'},    {"apply", no_argument, NULL, 'a'},
		{"dry-run", no_argument, NULL, 'n'},  {"daemon", no_argument, NULL, 'd'},
		{"revert", no_argument, NULL, 'R'},
		{"interval", required_argument, NULL, 'i'}, {"json", no_argument, NULL, 'j'},
		{"pretty", no_argument, NULL, OPT_PRETTY},
		{"prom-file", required_argument, NULL, 'p'}, {"all", no_argument, NULL, 'A'},
		{"config", required_argument, NULL, 'c'}, {"root", required_argument, NULL, OPT_ROOT},
		{"verbose", no_argument, NULL, 'v'},  {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},     {"version", no_argument, NULL, 'V'},
		{0},
	};
	struct args a = {.mode = MODE_REPORT, .interval = 1.0};
	unsigned given = 0, nmodes = 0; /* bit i: applies[i] given */
	int c, r;

	optind = 0; /* a fresh scan (tests parse many command lines) */
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":rCwandRjAi:p:c:vqhV", opts, NULL)) != -1) {
		r = 0;
		switch (c) {
		case 'r': r = set_mode(&a, MODE_REPORT, &nmodes, err, errlen); break;
		case 'C': r = set_mode(&a, MODE_CHECK, &nmodes, err, errlen); break;
		case 'w': r = set_mode(&a, MODE_WATCH, &nmodes, err, errlen); break;
		case 'a': r = set_mode(&a, MODE_APPLY, &nmodes, err, errlen); break;
		case 'n': r = set_mode(&a, MODE_DRY_RUN, &nmodes, err, errlen); break;
		case 'd': r = set_mode(&a, MODE_DAEMON, &nmodes, err, errlen); break;
		case 'R': r = set_mode(&a, MODE_REVERT, &nmodes, err, errlen); break;
		case 'j': a.json = true; break;
		case OPT_PRETTY: a.pretty = true; break;
		case 'A': a.all = true; break;
		case 'p':
			if (!*optarg)
				return fail(err, errlen, "--prom-file: an empty path");
			a.prom_file = optarg;
			break;
		case 'c':
			if (!*optarg)
				return fail(err, errlen, "--config: an empty path");
			a.config = optarg;
			break;
		case OPT_ROOT:
			if (!*optarg)
				return fail(err, errlen, "--root: an empty path");
			a.root = optarg;
			break;
		case 'v': a.verbose = true; break;
		case 'q': a.quiet = true; break;
		case 'h': a.help = true; break;
		case 'V': a.version = true; break;
		case 'i':
			if (args_seconds(optarg, &a.interval) < 0)
				return fail(err, errlen, "--interval: '%.40s' is not a decimal number of seconds",
					    optarg);
			a.interval_set = true;
			break;
		case ':':
			return fail(err, errlen, "%s needs a value", argv[optind - 1]);
		default:
			return fail(err, errlen, "unknown option '%s'", argv[optind - 1]);
		}
		if (r < 0)
			return r;
		for (size_t i = 0; i < sizeof(applies) / sizeof(applies[0]); i++)
			if (applies[i].opt == c)
				given |= 1u << i;
	}
	if (a.help || a.version) {
		*ret = a;
		return 0;
	}
	for (size_t i = 0; i < sizeof(applies) / sizeof(applies[0]); i++)
		if ((given & (1u << i)) && !(applies[i].modes & M(a.mode)))
			return fail(err, errlen, "%s does not apply to %s", applies[i].name,
				    mode_to_string(a.mode));
	if (a.pretty && !a.json)
		return fail(err, errlen, "--pretty goes with --json");
	if (a.verbose && a.quiet)
		return fail(err, errlen, "--verbose and --quiet contradict each other");
	if (a.mode == MODE_DAEMON ? a.interval_set && (a.interval < 0.1 || a.interval > 86400)
				  : a.interval > 3600)
		return fail(err, errlen, "--interval: %g s is out of range (%s)", a.interval,
			    a.mode == MODE_DAEMON ? "0.1..86400" : "0..3600");
	if (a.mode == MODE_WATCH && a.interval < 0.1)
		return fail(err, errlen, "--interval: --watch needs at least 0.1 s");
	for (int i = optind; i < argc; i++)
		if (!argv[i][0] || strlen(argv[i]) >= IF_NAMESIZE || strchr(argv[i], '/') ||
		    strcspn(argv[i], " \t\n:") != strlen(argv[i]))
			return fail(err, errlen, "'%.40s' is not an interface name", argv[i]);
	a.ifnames = argv + optind;
	a.nifnames = (unsigned)(argc - optind);
	*ret = a;
	return 0;
}
