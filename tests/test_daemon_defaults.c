// SPDX-License-Identifier: MIT
/*
 * The daemon's production hooks (agent/daemon_defaults.c), called one by one
 * as daemon_run() would: command-line overrides over every config loaded, a
 * pass's results and its failures said once, the irqbalance file, the
 * textfile written every interval with each new error logged once.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/owned.h"
#include "agent/steady.h"
#include "agent/tune.h"
#include "core/config.h"
#include "probes/monitor.h"
#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static struct {
	void (*scenario)(const struct daemon_opts *o);
	char log[4096];                     /* every message, one a line */
	int load_r, sample_r, write_r, tune_r, owned_r, tell_r, check_r, driver_r;
	unsigned nfiles;                    /* drop-ins config_load() found */
	bool have_a;                        /* steady_sample() leaves an assessment */
	struct steady *st;                  /* as steady_sample() got it */
	unsigned samples, writes, tells, frees, after, before;
	int after_r;
	bool news;                          /* tune_log()'s failures_news */
	const char *cause;
	struct plan_item items[5];
	bool calloc_fails;                  /* the next calloc() returns NULL */
	unsigned runs;                      /* daemon_run() calls */
} f;

void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size)
{
	if (f.calloc_fails) {
		f.calloc_fails = false;
		return NULL;
	}
	return __real_calloc(n, size);
}

int __wrap_daemon_run(const struct daemon_opts *o);
int __wrap_daemon_run(const struct daemon_opts *o)
{
	f.runs++;
	if (f.scenario)
		f.scenario(o);
	return 7;
}

void __wrap_log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void __wrap_log_msg(enum log_level lvl, const char *fmt, ...)
{
	size_t n = strlen(f.log);
	va_list ap;

	n += (size_t)snprintf(f.log + n, sizeof(f.log) - n, "%d ", lvl);
	va_start(ap, fmt);
	n += (size_t)vsnprintf(f.log + n, sizeof(f.log) - n, fmt, ap);
	va_end(ap);
	snprintf(f.log + n, sizeof(f.log) - n, "\n");
}

void __wrap_monitor_init(struct mq_monitor *m, const struct mq_nl *nl);
void __wrap_monitor_init(struct mq_monitor *m, const struct mq_nl *nl)
{
	(void)nl;
	memset(m, 0, sizeof(*m));
}

void __wrap_monitor_close_all(struct mq_monitor *m);
void __wrap_monitor_close_all(struct mq_monitor *m)
{
	(void)m;
}

int __wrap_config_load(const char *path, bool missing_ok, struct mq_config *ret, char *err,
		       size_t errlen);
int __wrap_config_load(const char *path, bool missing_ok, struct mq_config *ret, char *err,
		       size_t errlen)
{
	assert_true(missing_ok);
	if (f.load_r < 0) {
		snprintf(err, errlen, "%s:3: bad line", path);
		return f.load_r;
	}
	config_init(ret);
	ret->interval = 2;
	if (f.load_r > 0) /* the file was there */
		snprintf(ret->path, sizeof(ret->path), "%s", path);
	ret->nfiles = f.nfiles;
	return 0;
}

int __wrap_link_driver_get(struct mq_nl *nl, const char *ifname, char *ret, size_t len);
int __wrap_link_driver_get(struct mq_nl *nl, const char *ifname, char *ret, size_t len)
{
	(void)nl;
	assert_string_equal(ifname, "eth0");
	if (f.driver_r < 0)
		return f.driver_r;
	snprintf(ret, len, "virtio_net");
	return 0;
}

int __wrap_steady_sample(struct steady *st, struct tune *t);
int __wrap_steady_sample(struct steady *st, struct tune *t)
{
	(void)t;
	f.st = st;
	f.samples++;
	st->have_a = f.have_a;
	return f.sample_r;
}

int __wrap_steady_write(struct steady *st, const struct mq_tune_stats *stats, const char *path,
			char *err, size_t errlen);
int __wrap_steady_write(struct steady *st, const struct mq_tune_stats *stats, const char *path,
			char *err, size_t errlen)
{
	(void)st;
	(void)stats;
	assert_string_equal(path, "/run/x.prom");
	f.writes++;
	if (f.write_r < 0 && f.write_r != -ENOSPC)
		snprintf(err, errlen, "%s: kept directory gone", path);
	return f.write_r;
}

int __wrap_steady_check(struct steady *st, struct tune *t);
int __wrap_steady_check(struct steady *st, struct tune *t)
{
	(void)st;
	assert_non_null(t->cfg);
	assert_int_equal(t->cfg->interval, 9);
	return f.check_r;
}

void __wrap_steady_before_pass(struct steady *st);
void __wrap_steady_before_pass(struct steady *st)
{
	(void)st;
	f.before++;
}

void __wrap_steady_after_pass(struct steady *st, int r, struct tune_pass *p);
void __wrap_steady_after_pass(struct steady *st, int r, struct tune_pass *p)
{
	(void)st;
	(void)p;
	f.after++;
	f.after_r = r;
}

int __wrap_tune_run(struct tune *t, bool dry_run, struct tune_pass *ret);
int __wrap_tune_run(struct tune *t, bool dry_run, struct tune_pass *ret)
{
	assert_false(dry_run);
	assert_non_null(t->cfg);
	memset(ret, 0, sizeof(*ret));
	if (f.tune_r < 0)
		return f.tune_r;
	ret->a.plan.items = f.items;
	ret->a.plan.n = 5;
	ret->changes = 4;
	ret->tally.failed = 1;
	ret->tally.skipped = 2;
	ret->snap.platform.irqbalance_pid = 321;
	snprintf(ret->summary, sizeof(ret->summary), "4 IRQs moved");
	return 0;
}

void __wrap_tune_log(const struct tune_pass *p, const char *cause, bool dry_run, bool failures_news);
void __wrap_tune_log(const struct tune_pass *p, const char *cause, bool dry_run, bool failures_news)
{
	(void)p;
	assert_false(dry_run);
	f.cause = cause;
	f.news = failures_news;
}

void __wrap_tune_pass_free(struct tune_pass *p);
void __wrap_tune_pass_free(struct tune_pass *p)
{
	(void)p;
	f.frees++;
}

int __wrap_owned_irqs_write(const char *path, const struct mq_assessment *a, struct owned_irqs *last,
			    char *err, size_t errlen);
int __wrap_owned_irqs_write(const char *path, const struct mq_assessment *a, struct owned_irqs *last,
			    char *err, size_t errlen)
{
	(void)a;
	assert_non_null(strstr(path, "/irqs"));
	if (f.owned_r < 0) {
		snprintf(err, errlen, "%s: Read-only file system", path);
		return f.owned_r;
	}
	last->n = 4;
	return f.owned_r;
}

int __wrap_owned_irqs_tell_irqbalance(const struct mq_platform *p);
int __wrap_owned_irqs_tell_irqbalance(const struct mq_platform *p)
{
	assert_int_equal(p->irqbalance_pid, 321);
	f.tells++;
	return f.tell_r;
}

static void reset(void)
{
	memset(&f, 0, sizeof(f));
	f.items[0] = (struct plan_item){.kind = PLAN_IRQ_AFFINITY, .ifname = "eth0", .queue = 1,
					.irq = 25, .status = STEP_FAILED, .err = -EIO};
	f.items[1] = (struct plan_item){.kind = PLAN_XPS, .ifname = "eth0", .queue = 0, .irq = -1,
					.status = STEP_OK};
	/* channels set: combined (virtio) and rx/tx (veth); unchanged and failed ones are not ours */
	f.items[2] = (struct plan_item){.kind = PLAN_CHANNELS, .ifindex = 5, .ifname = "eth0",
					.queue = -1, .irq = -1, .status = STEP_OK,
					.ch_target = {.combined = 3}};
	f.items[3] = (struct plan_item){.kind = PLAN_CHANNELS, .ifindex = 6, .ifname = "eth1",
					.queue = -1, .irq = -1, .status = STEP_UNCHANGED,
					.ch_target = {.combined = 2}};
	f.items[4] = (struct plan_item){.kind = PLAN_CHANNELS, .ifindex = 7, .ifname = "veth0",
					.queue = -1, .irq = -1, .status = STEP_OK,
					.ch_target = {.rx = 2, .tx = 2}};
}

/* What the scenario saw: the config daemon_run() was handed. */
static double seen_interval;
static char seen_prom[sizeof(((struct mq_config *)0)->prom_file)];

static void see_config(const struct daemon_opts *o)
{
	seen_interval = o->cfg->interval;
	snprintf(seen_prom, sizeof(seen_prom), "%s", o->cfg->prom_file);
	assert_string_equal(o->config_path, "/etc/mq.conf");
	assert_non_null(o->mon);
}

static int run(struct mq_config *cfg, const struct daemon_overrides *ov,
	       void (*scenario)(const struct daemon_opts *o))
{
	struct probe_opts select = {0};

	f.scenario = scenario;
	return daemon_main(NULL, cfg, "/etc/mq.conf", &select, ov);
}

/* --interval and --prom-file over the config file's, when given. */
static void test_overrides(void **state)
{
	struct mq_config cfg;
	(void)state;

	reset();
	config_init(&cfg);
	cfg.interval = 3;
	snprintf(cfg.prom_file, sizeof(cfg.prom_file), "/var/a.prom");
	assert_int_equal(run(&cfg, NULL, see_config), 7);
	assert_true(seen_interval == 3);
	assert_string_equal(seen_prom, "/var/a.prom");
	assert_int_equal(run(&cfg, &(struct daemon_overrides){0}, see_config), 7);
	assert_true(seen_interval == 3);
	assert_string_equal(seen_prom, "/var/a.prom");
	assert_int_equal(run(&cfg, &(struct daemon_overrides){.interval = 0.5, .prom_file = "/run/x.prom"},
			     see_config), 7);
	assert_true(seen_interval == 0.5);
	assert_string_equal(seen_prom, "/run/x.prom");
	assert_int_equal(f.runs, 3);
	/* no memory for the service: its error, and no daemon started */
	f.calloc_fails = true;
	assert_int_equal(run(&cfg, NULL, see_config), -ENOMEM);
	assert_int_equal(f.runs, 3);
	config_free(&cfg);
}

/* SIGHUP: a missing file is the defaults, said so; the overrides still win; a bad file is the error. */
static void reload(const struct daemon_opts *o)
{
	const struct daemon_hooks *h = &o->hooks;
	struct mq_config c;
	char err[128] = "";

	/* a sample hands over the kept readings (f.st), current until a new config is in */
	config_init(&c);
	snprintf(c.prom_file, sizeof(c.prom_file), "/run/x.prom");
	assert_int_equal(h->sample(h->ctx, &c), 0);
	assert_int_equal(f.samples, 1);
	f.st->stale = false;
	config_free(&c);

	f.load_r = -EINVAL;
	assert_int_equal(h->load_config(h->ctx, "/etc/mq.conf", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/etc/mq.conf:3: bad line");
	assert_string_equal(f.log, "");
	assert_false(f.st->stale); /* the config in use stays, and so does what it selected */

	f.load_r = 0;
	assert_int_equal(h->load_config(h->ctx, "/etc/mq.conf", &c, err, sizeof(err)), 0);
	assert_true(f.st->stale); /* other NICs may be selected: probe everything again */
	assert_true(c.interval == 0.5);
	assert_string_equal(c.prom_file, "/run/x.prom");
	assert_string_equal(f.log, "6 /etc/mq.conf not found, using built-in defaults\n");
	h->free_config(h->ctx, &c);

	f.log[0] = '\0';
	f.nfiles = 2;
	assert_int_equal(h->load_config(h->ctx, "/etc/mq.conf", &c, err, sizeof(err)), 0);
	assert_string_equal(f.log, "6 /etc/mq.conf not found, using built-in defaults under its drop-ins\n");
	h->free_config(h->ctx, &c);

	f.log[0] = '\0';
	f.load_r = 1;
	assert_int_equal(h->load_config(h->ctx, "/etc/mq.conf", &c, err, sizeof(err)), 0);
	assert_string_equal(f.log, "");
	h->free_config(h->ctx, &c);
}

static void test_reload(void **state)
{
	struct mq_config cfg;
	(void)state;

	reset();
	config_init(&cfg);
	assert_int_equal(run(&cfg, &(struct daemon_overrides){.interval = 0.5, .prom_file = "/run/x.prom"},
			     reload), 7);
	config_free(&cfg);
}

/*
 * Every interval: nothing without a textfile; the sampler's result
 * whatever the write does; a failing write logged once per new error,
 * its end once.
 */
static void sample(const struct daemon_opts *o)
{
	const struct daemon_hooks *h = &o->hooks;
	struct mq_config c;

	config_init(&c);
	c.prom_file[0] = '\0'; /* no textfile */
	assert_int_equal(h->sample(h->ctx, &c), 0);
	assert_int_equal(f.samples, 0);
	snprintf(c.prom_file, sizeof(c.prom_file), "/run/x.prom");
	f.sample_r = -EAGAIN;
	assert_int_equal(h->sample(h->ctx, &c), -EAGAIN); /* nothing assessed: nothing written */
	assert_int_equal(f.writes, 0);

	f.have_a = true;
	f.sample_r = 1;
	f.write_r = -ENOSPC;
	assert_int_equal(h->sample(h->ctx, &c), 1);
	assert_int_equal(h->sample(h->ctx, &c), 1);
	assert_string_equal(f.log, "3 No space left on device\n");
	f.write_r = -ENOENT;
	assert_int_equal(h->sample(h->ctx, &c), 1);
	assert_string_equal(f.log, "3 No space left on device\n3 /run/x.prom: kept directory gone\n");
	f.log[0] = '\0';
	f.write_r = 0;
	f.sample_r = 0;
	assert_int_equal(h->sample(h->ctx, &c), 0);
	assert_int_equal(h->sample(h->ctx, &c), 0);
	assert_string_equal(f.log, "6 /run/x.prom written again\n");
	f.write_r = 1;
	f.log[0] = '\0';
	assert_int_equal(h->sample(h->ctx, &c), 0);
	assert_string_equal(f.log, "");
	assert_int_equal(f.writes, 6);
	config_free(&c);
}

static void test_sample(void **state)
{
	struct mq_config cfg;
	(void)state;

	reset();
	config_init(&cfg);
	assert_int_equal(run(&cfg, NULL, sample), 7);
	config_free(&cfg);
}

/*
 * A pass: its counts returned; the same failing steps news only the first
 * time; the irqbalance file written (irqbalance told when it changed), a
 * failure to write it warned about once; a failed pass is its error.
 */
static void tune(const struct daemon_opts *o)
{
	const struct daemon_hooks *h = &o->hooks;
	struct tune_result r;
	struct mq_config c;

	config_init(&c);
	f.owned_r = 1;
	f.tell_r = 1;
	assert_int_equal(h->tune(h->ctx, &c, "start", &r), 0);
	assert_int_equal(r.changed, 4);
	assert_int_equal(r.failed, 1);
	assert_int_equal(r.skipped, 2);
	assert_string_equal(r.summary, "4 IRQs moved");
	assert_int_equal(r.nchannels, 2); /* the channels it set, as their notifications say them */
	assert_int_equal(r.channels[0].ifindex, 5);
	assert_int_equal(r.channels[0].count, 3);
	assert_int_equal(r.channels[1].ifindex, 7);
	assert_int_equal(r.channels[1].count, 2);
	assert_string_equal(f.cause, "start");
	assert_true(f.news);
	assert_int_equal(f.after, 1);
	assert_int_equal(f.after_r, 0);
	assert_int_equal(f.before, 1);
	assert_int_equal(f.frees, 1);
	assert_int_equal(f.tells, 1);
	assert_non_null(strstr(f.log, "/irqs: 4 queue IRQs for irqbalance to leave alone (irqbalance asked to rescan)\n"));

	f.log[0] = '\0';
	f.owned_r = 0;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_false(f.news); /* the same step failing again */
	assert_int_equal(f.tells, 1);
	assert_string_equal(f.log, "");

	f.items[0].err = -EBUSY; /* another failure: news */
	f.owned_r = 1;
	f.tell_r = -EPERM;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_true(f.news);
	assert_non_null(strstr(f.log, "/irqs: 4 queue IRQs for irqbalance to leave alone\n"));
	assert_non_null(strstr(f.log, "4 irqbalance (pid 321): cannot ask for a rescan: Operation not permitted, ignoring\n"));

	f.log[0] = '\0';
	f.tell_r = 0; /* no irqbalance with our policy script: nothing to ask, nothing to warn */
	f.items[0].err = -EAGAIN;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_non_null(strstr(f.log, "/irqs: 4 queue IRQs for irqbalance to leave alone\n"));
	assert_null(strstr(f.log, "rescan"));

	f.log[0] = '\0';
	f.owned_r = -EROFS;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_non_null(strstr(f.log, "4 "));
	assert_non_null(strstr(f.log, "/irqs: Read-only file system, ignoring\n")); /* at once */
	f.log[0] = '\0';
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_null(strstr(f.log, "ignoring")); /* not again */
	f.log[0] = '\0';
	f.owned_r = 0;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_non_null(strstr(f.log, "/irqs written again\n"));

	f.items[0].status = STEP_OK; /* no failure: the next one is news again */
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_false(f.news);
	f.items[0].status = STEP_FAILED;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), 0);
	assert_true(f.news);

	f.tune_r = -ENOMEM;
	f.after = f.frees = 0;
	assert_int_equal(h->tune(h->ctx, &c, "drift", &r), -ENOMEM);
	assert_int_equal(f.after, 1);
	assert_int_equal(f.after_r, -ENOMEM);
	assert_int_equal(f.frees, 1);
	config_free(&c);
}

static void test_tune(void **state)
{
	struct mq_config cfg;
	(void)state;

	reset();
	config_init(&cfg);
	assert_int_equal(run(&cfg, NULL, tune), 7);
	config_free(&cfg);
}

/* A device has /sys/class/net/NAME/device (on a fixture root); a veth or a link gone has not. */
static void has_device_check(const struct daemon_hooks *h)
{
	char root[] = "/tmp/mqdefaults.XXXXXX", path[128];

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/device/vendor", root);
	assert_int_equal(tmptree_put(path, sizeof(root), "0x1af4\n"), 0);
	snprintf(path, sizeof(path), "%s/sys/class/net/veth0/mtu", root);
	assert_int_equal(tmptree_put(path, sizeof(root), "1500\n"), 0);
	sysfs_set_root(root);
	assert_true(h->has_device(h->ctx, "eth0"));
	assert_false(h->has_device(h->ctx, "veth0"));
	assert_false(h->has_device(h->ctx, "gone0"));
	sysfs_set_root("");
	assert_int_equal(tmptree_rm(root), 0);
}

/* The driver of a NIC ("" unknown), whether it is a device, and the drift check, with the config they were given. */
static void driver_check(const struct daemon_opts *o)
{
	const struct daemon_hooks *h = &o->hooks;
	struct mq_config c;
	char buf[32] = "stale";

	h->driver(h->ctx, "eth0", buf, sizeof(buf));
	assert_string_equal(buf, "virtio_net");
	f.driver_r = -ENODEV;
	h->driver(h->ctx, "eth0", buf, sizeof(buf));
	assert_string_equal(buf, "");
	has_device_check(h);
	config_init(&c);
	c.interval = 9;
	f.check_r = 1;
	assert_int_equal(h->check(h->ctx, &c), 1);
	f.check_r = -EIO;
	assert_int_equal(h->check(h->ctx, &c), -EIO);
	config_free(&c);
}

static void test_driver_check(void **state)
{
	struct mq_config cfg;
	(void)state;

	reset();
	config_init(&cfg);
	assert_int_equal(run(&cfg, NULL, driver_check), 7);
	config_free(&cfg);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_overrides),
		cmocka_unit_test(test_reload),
		cmocka_unit_test(test_sample),
		cmocka_unit_test(test_tune),
		cmocka_unit_test(test_driver_check),
	};
	return cmocka_run_group_tests_name("daemon_defaults", tests, NULL, NULL);
}
