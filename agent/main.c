// SPDX-License-Identifier: MIT
/* mqbalance: the modes of agent/args.h, each a run_* here. */
#include <errno.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "agent/args.h"
#include "agent/config_file.h"
#include "agent/live.h"
#include "agent/daemon.h"
#include "agent/lock.h"
#include "agent/log.h"
#include "agent/privs.h"
#include "agent/sdnotify.h"
#include "agent/state_file.h"
#include "agent/textfile.h"
#include "agent/tune.h"
#include "core/assess.h"
#include "core/version.h"
#include "output/plan.h"
#include "output/prom.h"
#include "output/report.h"
#include "probes/probe.h"
#include "probes/sysfs.h"

/* And 128 + the signal (130 SIGINT, 143 SIGTERM): --apply or --revert stopped by it. */
enum { EXIT_OK = 0, EXIT_WARN = 1, EXIT_USAGE = 2, EXIT_CANNOT = 3, EXIT_SIGNAL = 128 };

static bool read_only(enum mode m)
{
	return m == MODE_REPORT || m == MODE_CHECK || m == MODE_WATCH;
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
static int check_named(const struct args *a)
{
	for (unsigned i = 0; i < a->nifnames; i++)
		if (!if_nametoindex(a->ifnames[i])) {
			log_error("%s: no such interface", a->ifnames[i]);
			return -ENODEV;
		}
	return 0;
}

static void sleep_seconds(double s)
{
	struct timespec ts = {.tv_sec = (time_t)s, .tv_nsec = (long)((s - (double)(time_t)s) * 1e9)};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int flush_stdout(const char *what, int r)
{
	if (r < 0 || fflush(stdout) != 0 || ferror(stdout)) {
		log_error("cannot write the %s: %s", what, strerror(r < 0 ? -r : errno));
		return -EIO;
	}
	return 0;
}

/* The state file's "tuned since" into the snapshot; a report reads it, never writes. */
static void mark_tuned(struct mq_snapshot *s)
{
	struct mq_state st;
	char err[256];

	if (state_file_load(&st, err, sizeof(err)) < 0) {
		log_debug("%s, ignoring", err);
		return;
	}
	state_mark(&st, s);
	state_free(&st);
}

/* --report and --check: one assessment; they differ in the exit status only. */
static int run_report(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct mq_snapshot before = {0}, now = {0};
	const char *names[MQ_IFS_MAX];
	struct mq_assessment as;
	int r, status = EXIT_OK;

	tune_probe_opts(cfg, &po, names);
	r = snapshot_take(nl, &po, &before);
	if (r < 0) {
		log_error("cannot probe the system: %s", strerror(-r));
		return EXIT_CANNOT;
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
	mark_tuned(&now);
	if (now.errmsg[0])
		log_warn("%s", now.errmsg);
	now.unprivileged = privs_unprivileged();
	r = assess(&now, a->interval > 0 ? &before : NULL, cfg, &as);
	if (r < 0) {
		log_error("cannot assess the system: %s", strerror(-r));
		status = EXIT_CANNOT;
		goto out;
	}
	if (a->mode == MODE_CHECK && (assess_worst(&as) >= SEV_WARNING || plan_changes(&as.plan)))
		status = EXIT_WARN;
	if (a->prom_file) {
		struct prom_input in = {.a = &as};
		char err[512];

		r = textfile_write(a->prom_file, prom_render_cb, &in, err, sizeof(err));
		if (r < 0) {
			log_error("%s", err[0] ? err : strerror(-r));
			status = EXIT_CANNOT;
		}
	}
	struct report_input in = {
		.a = &as,
		.color = !a->json && isatty(STDOUT_FILENO) && !getenv("NO_COLOR"),
		.pretty = a->pretty,
	};
	r = a->json ? report_render_json(stdout, &in) : report_render_text(stdout, &in);
	if (flush_stdout("report", r) < 0)
		status = EXIT_CANNOT;
	assessment_free(&as);
out:
	snapshot_free(&now);
	snapshot_free(&before);
	return status;
}

/*
 * SIGINT and SIGTERM during --apply and --revert: blocked, so the change
 * under way is finished (each is one write or one netlink request, none is
 * cut short), and the pass sees them pending before the next one: it begins
 * no other and the plan says what was done and what was not. The state file
 * was written before the first change, so --revert still works. Blocked, not
 * caught: no handler, no flag outside the pass.
 * MQBALANCE_TEST_SIGTERM_AFTER=N makes the pass send itself SIGTERM after N
 * changes, so a test interrupts it at a known step. It is read here, not in
 * the daemon, and does only what anyone who can set our environment could
 * do with kill(1): compiling it out would leave the shipped binary untested.
 */
static void block_stop_signals(struct tune *t)
{
	const char *after = getenv("MQBALANCE_TEST_SIGTERM_AFTER");
	sigset_t set;
	char *end;
	long n;

	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGTERM);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return; /* then they end the process at once, as before */
	t->stop_on_signal = true;
	if (after && *after) {
		errno = 0;
		n = strtol(after, &end, 10);
		if (!errno && !*end && n >= 0)
			t->sigterm_after = n;
	}
}

/* --apply, --dry-run and --revert: one pass, its plan with the results. */
static int run_tune(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct tune_pass pass;
	struct tune t;
	int r, status;

	tune_init(&t, nl, cfg, &po);
	if (a->mode != MODE_DRY_RUN)
		block_stop_signals(&t);
	if (a->mode == MODE_REVERT)
		r = tune_revert(&t, (const char *const *)a->ifnames, a->nifnames, &pass);
	else
		r = tune_run(&t, a->mode == MODE_DRY_RUN, &pass);
	if (r < 0) {
		if (pass.state_err[0])
			log_error("%s", pass.state_err);
		else
			log_error("cannot %s: %s", pass.stage ? pass.stage : "tune", strerror(-r));
		status = EXIT_CANNOT;
		goto out;
	}
	if (pass.state_err[0])
		log_warn("%s: no way back recorded (--revert)", pass.state_err);
	status = pass.a.plan.interrupted ? EXIT_SIGNAL + pass.a.plan.interrupted
	       : pass.tally.failed     ? EXIT_WARN
				       : EXIT_OK;
	if (a->mode == MODE_REVERT && !a->json && pass.a.plan.n == 0)
		printf("nothing to revert: mqbalance changed nothing%s in this boot\n",
		       a->nifnames ? " on these interfaces" : "");
	else if (a->json)
		r = plan_render_json(stdout, &pass.a, status, a->pretty);
	else
		r = plan_render_text(stdout, &pass.a);
	if (flush_stdout("plan", r) < 0)
		status = EXIT_CANNOT;
out:
	tune_pass_free(&pass);
	tune_free(&t);
	return status;
}

static int run_watch(const struct args *a, const struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	const char *names[MQ_IFS_MAX];
	int r;

	tune_probe_opts(cfg, &po, names);
	r = live_run(nl, cfg, &po, a->interval);
	if (r < 0) {
		log_error("--watch: %s", strerror(-r));
		return EXIT_CANNOT;
	}
	return EXIT_OK;
}

static int run_daemon(const struct args *a, struct mq_config *cfg, struct mq_nl *nl)
{
	struct probe_opts po = {.ifnames = a->ifnames, .nifnames = a->nifnames, .all = a->all};
	struct daemon_overrides ov = {.interval = a->interval_set ? a->interval : 0,
				      .prom_file = a->prom_file};
	int r;

	/* Named NICs need not exist yet: the daemon tunes them when they appear. */
	r = daemon_main(nl, cfg, a->config ? a->config : MQ_DEFAULT_CONFIG, &po, &ov);
	return r == 0 ? EXIT_OK : r == -EINVAL ? EXIT_USAGE : EXIT_CANNOT;
}

/* Changing NICs: the privileges first, then the one instance. Returns the lock fd or an exit status < 0. */
static int may_tune(const struct args *a)
{
	char why[160], holder[32], err[300];
	struct mq_platform plat;
	pid_t pid;
	int fd;

	/* The NICs and IRQs a container sees belong to its host: tune the VM, not a guest of it. */
	if (platform_probe(&plat) == 0 && plat.container[0]) {
		log_error("%s refused: this is a %s container (%s says so); its NICs and IRQs belong "
			  "to the host, tune the VM itself", mode_to_string(a->mode), plat.container,
			  plat.container_source[0] ? plat.container_source : "the environment");
		return -EXIT_CANNOT;
	}
	if (!privs_can_tune(why, sizeof(why))) {
		log_error("%s needs %s: run it as root", mode_to_string(a->mode), why);
		return -EXIT_CANNOT;
	}
	fd = lock_take(a->mode == MODE_DAEMON ? "daemon" : a->mode == MODE_APPLY ? "apply" : "revert",
		       &pid, holder, sizeof(holder), err, sizeof(err));
	if (fd >= 0)
		return fd;
	if (fd != -EWOULDBLOCK)
		log_error("cannot take the lock: %s", err);
	else if (a->mode != MODE_DAEMON && strcmp(holder, "daemon") == 0)
		log_error("mqbalance --daemon (pid %ld) keeps the NICs tuned: change the configuration "
			  "and `systemctl reload mqbalance` (or send it SIGHUP), or stop it first; "
			  "%s refused", (long)pid, mode_to_string(a->mode));
	else
		log_error("another mqbalance (pid %ld%s%s) is running: %s/lock is taken", (long)pid,
			  holder[0] ? ", --" : "", holder, run_dir());
	return -EXIT_CANNOT;
}

int main(int argc, char **argv)
{
	struct args a;
	struct mq_config cfg;
	struct mq_nl nl;
	const char *root;
	char err[256];
	int r, status, lock = -1;

	log_setup(LOG_LVL_INFO, false);
	if (args_parse(argc, argv, &a, err, sizeof(err)) < 0) {
		log_error("%s (mqbalance --help lists the options)", err);
		return EXIT_USAGE;
	}
	if (a.help) {
		fputs(args_usage, stdout);
		return EXIT_OK;
	}
	if (a.version) {
		printf("mqbalance %s\n", mq_version);
		return EXIT_OK;
	}
	log_setup(a.verbose ? LOG_LVL_DEBUG : a.quiet ? LOG_LVL_ERROR : LOG_LVL_INFO,
		  a.mode == MODE_DAEMON && sdnotify_stderr_is_journal());
	root = a.root ? a.root : getenv("MQBALANCE_ROOT");
	if (root && *root) {
		if (!read_only(a.mode)) {
			log_error("%s does not apply to %s: a fixture tree is only read",
				  a.root ? "--root" : "MQBALANCE_ROOT", mode_to_string(a.mode));
			return EXIT_USAGE;
		}
		sysfs_set_root(root);
	}
	if (a.mode != MODE_REVERT && load_config(&a, &cfg) < 0)
		return EXIT_USAGE;
	if (a.mode == MODE_REVERT)
		config_init(&cfg);
	if (a.mode != MODE_DAEMON && check_named(&a) < 0) {
		config_free(&cfg);
		return EXIT_USAGE;
	}
	if (a.mode == MODE_APPLY || a.mode == MODE_REVERT || a.mode == MODE_DAEMON) {
		lock = may_tune(&a);
		if (lock < 0) {
			config_free(&cfg);
			return -lock;
		}
	}
	r = mqnl_open(&nl);
	if (r < 0) {
		log_error("cannot open netlink sockets: %s", strerror(-r));
		config_free(&cfg);
		return EXIT_CANNOT;
	}
	switch (a.mode) {
	case MODE_REPORT:
	case MODE_CHECK:
		status = run_report(&a, &cfg, &nl);
		break;
	case MODE_DAEMON:
		status = run_daemon(&a, &cfg, &nl);
		break;
	case MODE_WATCH:
		status = run_watch(&a, &cfg, &nl);
		break;
	default:
		status = run_tune(&a, &cfg, &nl);
		break;
	}
	mqnl_close(&nl);
	config_free(&cfg);
	if (lock >= 0)
		close(lock);
	return status;
}
