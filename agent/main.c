// SPDX-License-Identifier: MIT
/* mqbalance: command line. Modes: --report (default), --apply, --daemon. */
#include <errno.h>
#include <getopt.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/config.h"
#include "agent/daemon.h"
#include "core/findings.h"
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
	const char *path = a->config ? a->config : MQ_DEFAULT_CONFIG;
	char err[512];
	int r;

	config_init(cfg);
	r = config_load(path, cfg, err, sizeof(err));
	if (r == -ENOENT && !a->config && a->mode != MODE_DAEMON)
		return 0; /* no default file: defaults */
	if (r == -ENOENT && a->mode == MODE_DAEMON) {
		/* The service starts anyway; a SIGHUP reads the file once it is there. */
		log_info("%s not found, using built-in defaults", path);
		config_init(cfg);
		return 0;
	}
	if (r < 0) {
		log_error("%s", err[0] ? err : strerror(-r));
		return r;
	}
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

static int write_prom(const char *path, const struct mq_snapshot *s, const struct mq_finding *f,
		      unsigned nf, const struct mq_config *cfg)
{
	struct mq_cpuset usable;
	struct prom_input in;
	char err[512];
	int r;

	cpus_usable(&s->cpus, cfg, &usable);
	in = (struct prom_input){
		.s = s, .findings = f, .nfindings = nf, .cpus_usable = cpuset_count(&usable),
	};
	r = textfile_write(path, prom_render_cb, &in, err, sizeof(err));
	if (r < 0)
		log_error("%s", err[0] ? err : strerror(-r));
	return r;
}

static int run_apply(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct apply_report rep = {0};
	struct tune_result res = {0};
	struct mq_plan plan = {0};
	int r, status;

	/* The rendered plan says what changed; per-change log lines are for the daemon's journal. */
	if (!a->verbose && !a->quiet)
		log_setup(LOG_LVL_WARN, false);
	r = tune_run(nl, cfg, &po, a->dry_run ? "dry run" : "--apply", a->dry_run, &plan, &rep, &res);
	if (r == -ENODEV) {
		log_error("%s", res.summary[0] ? res.summary : "no such interface");
		return EXIT_USAGE;
	}
	if (r < 0) {
		log_error("cannot tune: %s", strerror(-r));
		return EXIT_CANNOT;
	}
	r = a->json ? plan_render_json(stdout, &plan, a->dry_run ? NULL : &rep, false)
		    : plan_render_text(stdout, &plan, a->dry_run ? NULL : &rep);
	status = res.failed ? EXIT_WARN : EXIT_OK;
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the plan: %s", strerror(r < 0 ? -r : errno));
		status = EXIT_CANNOT;
	}
	plan_free(&plan);
	return status;
}

static int run_daemon(const struct args *a, struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	int r;

#ifdef __GLIBC__
	/*
	 * Every pass allocates snapshots and plans of a few hundred KiB and frees
	 * them. glibc's dynamic mmap threshold soon serves those from the heap,
	 * which keeps the pages: a fixed threshold gives them back (64 veth x 16
	 * queues: peak RSS 4.1 -> 2.7 MiB, bench/run.sh).
	 */
	mallopt(M_MMAP_THRESHOLD, 64 * 1024);
	mallopt(M_TRIM_THRESHOLD, 128 * 1024);
#endif
	/* Named NICs need not exist yet: the daemon tunes them when they appear. */
	r = daemon_main(nl, cfg, a->config ? a->config : MQ_DEFAULT_CONFIG, &po);
	return r == 0 ? EXIT_OK : r == -EINVAL ? EXIT_USAGE : EXIT_CANNOT;
}

static int run_report(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct mq_snapshot before = {0}, now = {0};
	const char *names[MQ_IFS_MAX];
	struct mq_finding *f = NULL;
	unsigned nf = 0;
	double interval = a->interval;
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
	if (interval > 0) {
		sleep_seconds(interval);
		r = snapshot_take(nl, &po, &now);
		if (r < 0) {
			log_error("cannot probe the system: %s", strerror(-r));
			snapshot_free(&before);
			return EXIT_CANNOT;
		}
		interval = (double)(now.taken.tv_sec - before.taken.tv_sec) +
			   (double)(now.taken.tv_nsec - before.taken.tv_nsec) / 1e9;
	} else {
		now = before;
		before = (struct mq_snapshot){0};
	}

	r = findings_build(&now, interval > 0 ? &before : NULL, cfg, &f, &nf);
	if (r < 0) {
		log_error("cannot build findings: %s", strerror(-r));
		status = EXIT_CANNOT;
		goto out;
	}
	for (unsigned i = 0; i < nf; i++)
		if (f[i].severity >= SEV_WARNING)
			status = EXIT_WARN;

	struct report_input in = {
		.now = &now,
		.before = interval > 0 ? &before : NULL,
		.interval = interval,
		.findings = f,
		.nfindings = nf,
		.cfg = cfg,
		.color = !a->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
	};
	prom_path = a->prom_file ? a->prom_file : cfg->prom_file_set ? cfg->prom_file : NULL;
	if (prom_path && write_prom(prom_path, &now, f, nf, cfg) < 0)
		status = EXIT_CANNOT;
	r = a->json ? report_render_json(stdout, &in) : report_render_text(stdout, &in);
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the report: %s", strerror(r < 0 ? -r : errno));
		status = EXIT_CANNOT;
	}
out:
	free(f);
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
		status = run_daemon(&a, &cfg, &nl);
		break;
	default:
		status = EXIT_CANNOT;
	}
	mqnl_close(&nl);
	config_free(&cfg);
	return status;
}
