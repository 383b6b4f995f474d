// SPDX-License-Identifier: MIT
/* mqbalance: command line. Modes: --report (default), --apply, --daemon. */
#include <errno.h>
#include <getopt.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "agent/config_file.h"
#include "agent/daemon.h"
#include "core/assess.h"
#include "agent/log.h"
#include "agent/sdnotify.h"
#include "agent/textfile.h"
#include "agent/tune.h"
#include "output/plan.h"
#include "output/prom.h"
#include "output/report.h"
#include "core/version.h"
#include "probes/probe.h"
#include "probes/sysfs.h"

enum { EXIT_OK = 0, EXIT_WARN = 1, EXIT_USAGE = 2, EXIT_CANNOT = 3 };

enum mode { MODE_REPORT, MODE_APPLY, MODE_DAEMON };

struct args {
	enum mode mode;
	bool json, dry_run, all, verbose, quiet;
	double interval;
	const char *config, *prom_file, *root;
	char **ifnames;
	unsigned nifnames;
};

static void usage(FILE *f)
{
	fputs("Usage: mqbalance [--report] [--interval SECONDS] [--json] [--prom-file PATH] [IFACE...]\n"
	      "       mqbalance --apply [--dry-run] [--json] [IFACE...]\n"
	      "       mqbalance --dry-run [--json] [IFACE...]\n"
	      "       mqbalance --daemon [--all] [IFACE...]\n"
	      "\n"
	      "Make multiqueue NICs in a VM use their queues: channels = usable vCPUs,\n"
	      "one queue IRQ per CPU, XPS to match.\n"
	      "\n"
	      "Modes:\n"
	      "  -r, --report          show NICs, queues, IRQs, CPUs, rates and findings (default)\n"
	      "  -a, --apply           tune channels, IRQ affinity, XPS/RPS\n"
	      "  -n, --dry-run         print the plan --apply would carry out, change nothing\n"
	      "  -d, --daemon          keep the VM tuned (systemd service)\n"
	      "Options:\n"
	      "  -i, --interval SECONDS  sampling interval for rates (default 1; 0 = counters only)\n"
	      "  -j, --json            machine-readable output\n"
	      "  -p, --prom-file PATH  also write a node_exporter textfile\n"
	      "  -A, --all             include virtual interfaces (veth, bridges, ...)\n"
	      "  -c, --config FILE     configuration (default " MQ_DEFAULT_CONFIG ")\n"
	      "      --root DIR        read /proc and /sys under DIR (tests)\n"
	      "  -v, --verbose         more log output\n"
	      "  -q, --quiet           errors only\n"
	      "  -h, --help            this help\n"
	      "  -V, --version         print the version\n"
	      "\n"
	      "Exit status: 0 all well; 1 warnings (report) or failed changes (apply);\n"
	      "2 usage or configuration error, nothing done; 3 could not run.\n",
	      f);
}

static int parse_args(int argc, char **argv, struct args *a)
{
	enum { OPT_ROOT = 0x100 };
	static const struct option opts[] = {
		{"report", no_argument, NULL, 'r'},   {"apply", no_argument, NULL, 'a'},
		{"dry-run", no_argument, NULL, 'n'},  {"daemon", no_argument, NULL, 'd'},
		{"interval", required_argument, NULL, 'i'}, {"json", no_argument, NULL, 'j'},
		{"prom-file", required_argument, NULL, 'p'}, {"all", no_argument, NULL, 'A'},
		{"config", required_argument, NULL, 'c'}, {"root", required_argument, NULL, OPT_ROOT},
		{"verbose", no_argument, NULL, 'v'},  {"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},     {"version", no_argument, NULL, 'V'},
		{0},
	};
	enum log_level lvl = LOG_LVL_INFO;
	int c, modes = 0;

	a->interval = 1.0;
	while ((c = getopt_long(argc, argv, "randjAi:p:c:vqhV", opts, NULL)) != -1) {
		switch (c) {
		case 'r': a->mode = MODE_REPORT; modes++; break;
		case 'a': a->mode = MODE_APPLY; modes++; break;
		case 'd': a->mode = MODE_DAEMON; modes++; break;
		case 'n': a->dry_run = true; break;
		case 'j': a->json = true; break;
		case 'A': a->all = true; break;
		case 'p': a->prom_file = optarg; break;
		case 'c': a->config = optarg; break;
		case OPT_ROOT: a->root = optarg; break;
		case 'v': lvl = LOG_LVL_DEBUG; a->verbose = true; break;
		case 'q': lvl = LOG_LVL_ERROR; a->quiet = true; break;
		case 'i': {
			char *end;

			errno = 0;
			a->interval = strtod(optarg, &end);
			if (errno || end == optarg || *end || a->interval < 0 || a->interval > 3600) {
				log_error("--interval: '%s' is not a number of seconds in 0..3600", optarg);
				return -EINVAL;
			}
			break;
		}
		case 'h': usage(stdout); exit(EXIT_OK);
		case 'V': printf("mqbalance %s\n", mq_version); exit(EXIT_OK);
		default: usage(stderr); return -EINVAL;
		}
	}
	log_setup(lvl, a->mode == MODE_DAEMON && sdnotify_stderr_is_journal());
	if (modes > 1) {
		log_error("--report, --apply and --daemon are exclusive");
		return -EINVAL;
	}
	if (a->dry_run && modes == 0)
		a->mode = MODE_APPLY; /* --dry-run alone: the plan --apply would carry out */
	if (a->dry_run && a->mode != MODE_APPLY) {
		log_error("--dry-run goes with --apply");
		return -EINVAL;
	}
	for (int i = optind; i < argc; i++)
		if (!argv[i][0] || strlen(argv[i]) >= IF_NAMESIZE || strchr(argv[i], '/')) {
			log_error("'%s' is not an interface name", argv[i]);
			return -EINVAL;
		}
	a->ifnames = argv + optind;
	a->nifnames = (unsigned)(argc - optind);
	return 0;
}

static int load_config(const struct args *a, struct mq_config *cfg)
{
	char err[512];
	int r = config_open(a->config, cfg, err, sizeof(err));

	if (r < 0) {
		log_error("%s", err[0] ? err : strerror(-r));
		return r;
	}
	config_log_warnings(cfg);
	return 0;
}

/* Named interfaces must exist; say which one does not. */
static int check_named(const struct args *a, const struct mq_snapshot *s)
{
	for (unsigned i = 0; i < a->nifnames; i++) {
		bool found = false;

		for (unsigned k = 0; k < s->nnics && !found; k++)
			found = strcmp(s->nics[k].name, a->ifnames[i]) == 0;
		if (!found) {
			log_error("%s: no such interface", a->ifnames[i]);
			return -ENODEV;
		}
	}
	return 0;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int write_prom(const char *path, const struct mq_assessment *a)
{
	struct prom_input in = {.a = a};
	char err[512];
	int r;

	r = textfile_write(path, prom_render_cb, &in, err, sizeof(err));
	if (r < 0)
		log_error("%s", err[0] ? err : strerror(-r));
	return r;
}

static int run_apply(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct tune_pass pass;
	struct tune t;
	int r, status;

	for (unsigned i = 0; i < a->nifnames; i++)
		if (!if_nametoindex(a->ifnames[i])) {
			log_error("%s: no such interface", a->ifnames[i]);
			return EXIT_USAGE;
		}
	tune_init(&t, nl, cfg, &po);
	r = tune_run(&t, a->dry_run, &pass);
	if (r < 0) {
		log_error("cannot %s: %s", pass.stage ? pass.stage : "tune", strerror(-r));
		status = EXIT_CANNOT;
		goto out;
	}
	status = pass.tally.failed ? EXIT_WARN : EXIT_OK;
	r = a->json ? plan_render_json(stdout, &pass.a, status, false) : plan_render_text(stdout, &pass.a);
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the plan: %s", strerror(r < 0 ? -r : errno));
		status = EXIT_CANNOT;
	}
out:
	tune_pass_free(&pass);
	tune_free(&t);
	return status;
}

static int run_daemon(const struct args *a, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct daemon_opts o;
	int r;

	/* Named NICs need not exist yet: the daemon tunes them when they appear. */
	daemon_opts_default(&o);
	daemon_defaults_select(&po);
	o.config_path = a->config;
	o.nl = nl;
	o.select = &po;
	r = daemon_run(&o);
	return r == 0 ? EXIT_OK : r == -EINVAL ? EXIT_USAGE : EXIT_CANNOT;
}

static int run_report(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct mq_snapshot before = {0}, now = {0};
	const char *names[MQ_IFS_MAX];
	struct mq_assessment as;
	const char *prom_path;
	int r, status = EXIT_OK;

	tune_probe_opts(cfg, &po, names);
	r = snapshot_take(nl, &po, &before);
	if (r < 0) {
		log_error("cannot probe the system: %s", strerror(-r));
		return EXIT_CANNOT;
	}
	if (check_named(a, &before) < 0) {
		snapshot_free(&before);
		return EXIT_USAGE;
	}
	if (a->interval > 0) {
		sleep_seconds(a->interval);
		r = snapshot_take(nl, &po, &now);
		if (r < 0) {
			log_error("cannot probe the system: %s", strerror(-r));
			snapshot_free(&before);
			return EXIT_CANNOT;
		}
	} else {
		now = before;
		before = (struct mq_snapshot){0};
	}

	r = assess(&now, a->interval > 0 ? &before : NULL, cfg, &as);
	if (r < 0) {
		log_error("cannot assess the system: %s", strerror(-r));
		status = EXIT_CANNOT;
		goto out;
	}
	if (assess_worst(&as) >= SEV_WARNING)
		status = EXIT_WARN;

	struct report_input in = {
		.a = &as,
		.color = !a->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
	};
	prom_path = a->prom_file ? a->prom_file : cfg->prom_file_set ? cfg->prom_file : NULL;
	if (prom_path && write_prom(prom_path, &as) < 0)
		status = EXIT_CANNOT;
	r = a->json ? report_render_json(stdout, &in) : report_render_text(stdout, &in);
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the report: %s", strerror(r < 0 ? -r : errno));
		status = EXIT_CANNOT;
	}
	assessment_free(&as);
out:
	snapshot_free(&now);
	snapshot_free(&before);
	return status;
}

int main(int argc, char **argv)
{
	struct args a = {0};
	struct mq_config cfg;
	struct mq_nl nl;
	int r, status;

	log_setup(LOG_LVL_INFO, false);
	if (parse_args(argc, argv, &a) < 0)
		return EXIT_USAGE;
	if (a.root)
		sysfs_set_root(a.root);
	else if (getenv("MQBALANCE_ROOT"))
		sysfs_set_root(getenv("MQBALANCE_ROOT"));
	if (load_config(&a, &cfg) < 0)
		return EXIT_USAGE;

	r = mqnl_open(&nl);
	if (r < 0) {
		log_error("cannot open netlink sockets: %s", strerror(-r));
		config_free(&cfg);
		return EXIT_CANNOT;
	}
	switch (a.mode) {
	case MODE_REPORT:
		status = run_report(&a, &cfg, &nl);
		break;
	case MODE_APPLY:
		status = run_apply(&a, &cfg, &nl);
		break;
	case MODE_DAEMON:
		status = run_daemon(&a, &nl);
		break;
	default:
		status = EXIT_CANNOT;
	}
	mqnl_close(&nl);
	config_free(&cfg);
	return status;
}
