// SPDX-License-Identifier: MIT
/*
 * The production wiring of the daemon, apart from daemon.c so that tests can
 * link the policy with fakes and without the planner, the applier or the
 * config parser: tuning passes that also keep the Prometheus tuning state,
 * and the sampler that rewrites the textfile every interval. Their state
 * lives in struct service, reached through the hooks' context.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "agent/config_file.h"
#include "agent/daemon.h"
#include "agent/lock.h"
#include "agent/log.h"
#include "agent/owned.h"
#include "agent/steady.h"
#include "agent/tune.h"
#include "core/config.h"
#include "core/assess.h"
#include "probes/monitor.h"
#include "probes/probe.h"
#include "probes/sysfs.h"

struct service {
	struct tune tune;           /* nl, --all / IFACE..., managed IRQs, the tuning history */
	struct steady steady;       /* the last probe and its assessment, counters kept fresh */
	struct log_lasting write_err, step_err, owned_err;
	struct daemon_overrides ov;
	struct owned_irqs owned;    /* what <run dir>/irqs says, for irqbalance's policy script */
};

/*
 * The queue IRQs this pass placed, for irqbalance's policy script; when the
 * set changed, irqbalance is asked to rescan (only the daemon does this:
 * --apply leaves irqbalance to the daemon or to the admin).
 */
static void share_with_irqbalance(struct service *sv, const struct tune_pass *pass)
{
	char path[4096], err[512] = "";
	int w, k;

	snprintf(path, sizeof(path), "%s/irqs", run_dir());
	w = owned_irqs_write(path, &pass->a, &sv->owned, err, sizeof(err));
	if (w < 0) {
		if (log_lasting_fail(&sv->owned_err, err))
			log_warn("%s, ignoring", err);
		return;
	}
	if (log_lasting_ok(&sv->owned_err))
		log_info("%s written again", path);
	if (w == 0)
		return;
	k = owned_irqs_tell_irqbalance(&pass->snap.platform);
	log_info("%s: %u queue IRQs for irqbalance to leave alone%s", path, sv->owned.n,
		 k > 0 ? " (irqbalance asked to rescan)" : "");
	if (k < 0)
		log_warn("irqbalance (pid %ld): cannot ask for a rescan: %s, ignoring",
			 (long)pass->snap.platform.irqbalance_pid, strerror(-k));
}

static void override(const struct daemon_overrides *ov, struct mq_config *c)
{
	if (ov->interval > 0)
		c->interval = ov->interval;
	if (ov->prom_file)
		snprintf(c->prom_file, sizeof(c->prom_file), "%s", ov->prom_file);
}

/* A missing config file means built-in defaults (and its drop-ins), as for --apply. */
static int load_or_defaults(void *ctx, const char *path, struct mq_config *ret, char *err,
			    size_t errlen)
{
	struct service *sv = ctx;
	int r = config_load(path, true, ret, err, errlen);

	if (r < 0)
		return r;
	if (!ret->path[0])
		log_info("%s not found, using built-in defaults%s", path,
			 ret->nfiles ? " under its drop-ins" : "");
	config_log_warnings(ret);
	override(&sv->ov, ret);
	sv->steady.stale = true; /* other NICs may be selected, other settings planned */
	textfile_dir_close(&sv->steady.dir); /* prom_file's directory opened again */
	return 0;
}

static void free_config(void *ctx, struct mq_config *c)
{
	(void)ctx;
	config_free(c);
}

static void driver(void *ctx, const char *ifname, char *buf, size_t len)
{
	struct service *sv = ctx;

	if (link_driver_get(sv->tune.nl, ifname, buf, len) < 0 && len)
		buf[0] = '\0';
}

static bool has_device(void *ctx, const char *ifname)
{
	(void)ctx;
	return sysfs_exists("/sys/class/net/%s/device", ifname) > 0;
}

/* The failed steps of a pass in one line, to tell a new failure from the same one again. */
static void failures_key(const struct tune_pass *p, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < p->a.plan.n && o + 1 < len; i++) {
		const struct plan_item *it = &p->a.plan.items[i];

		if (it->status == STEP_FAILED)
			o += (size_t)snprintf(buf + o, len - o, "%s/%s/%d/%d/%d;", it->ifname,
					      plan_kind_to_string(it->kind), it->queue, it->irq, it->err);
	}
}

/* The channel counts the pass set, as their notifications will say them. */
static void own_channels(const struct tune_pass *p, struct tune_result *ret)
{
	ret->nchannels = 0;
	for (unsigned i = 0; i < p->a.plan.n; i++) {
		const struct plan_item *it = &p->a.plan.items[i];

		if (it->kind != PLAN_CHANNELS || it->status != STEP_OK)
			continue;
		if (ret->nchannels < EV_MAX_SUPPRESS) {
			ret->channels[ret->nchannels].ifindex = it->ifindex;
			ret->channels[ret->nchannels].count =
				ev_channel_count(it->ch_target.combined, it->ch_target.rx);
		}
		ret->nchannels++;
	}
}

static int tune_hook(void *ctx, const struct mq_config *cfg, const char *cause, struct tune_result *ret)
{
	struct service *sv = ctx;
	struct tune_pass pass;
	bool news = false;
	char key[256];
	int r;

	sv->tune.cfg = cfg;
	steady_before_pass(&sv->steady);
	r = tune_run(&sv->tune, false, &pass);
	if (r < 0) {
		steady_after_pass(&sv->steady, r, &pass);
		tune_pass_free(&pass);
		return r;
	}
	failures_key(&pass, key, sizeof(key));
	/* the same steps failing at every drift check: said once, then at debug */
	if (key[0])
		news = log_lasting_fail(&sv->step_err, key);
	else
		log_lasting_ok(&sv->step_err);
	tune_log(&pass, cause, false, news);
	share_with_irqbalance(sv, &pass);
	ret->changed = pass.changes;
	own_channels(&pass, ret);
	ret->failed = pass.tally.failed;
	ret->skipped = pass.tally.skipped;
	snprintf(ret->summary, sizeof(ret->summary), "%s", pass.summary);
	steady_after_pass(&sv->steady, 0, &pass);
	tune_pass_free(&pass);
	return 0;
}

static int check(void *ctx, const struct mq_config *cfg)
{
	struct service *sv = ctx;

	sv->tune.cfg = cfg;
	return steady_check(&sv->steady, &sv->tune);
}

static int sample(void *ctx, const struct mq_config *cfg)
{
	struct service *sv = ctx;
	char err[512] = "";
	int r, rs;

	if (!cfg->prom_file[0])
		return 0;
	sv->tune.cfg = cfg;
	rs = steady_sample(&sv->steady, &sv->tune);
	if (!sv->steady.have_a)
		return rs;
	r = steady_write(&sv->steady, &sv->tune.stats, cfg->prom_file, err, sizeof(err));
	/* A full disk at every interval would flood the journal: each new error once. */
	if (r < 0 && log_lasting_fail(&sv->write_err, err[0] ? err : strerror(-r)))
		log_error("%s", err[0] ? err : strerror(-r));
	else if (r >= 0 && log_lasting_ok(&sv->write_err))
		log_info("%s written again", cfg->prom_file);
	return rs; /* a write error is reported above */
}

int daemon_main(struct mq_nl *nl, struct mq_config *cfg, const char *config_path,
		const struct probe_opts *select, const struct daemon_overrides *ov)
{
	struct service *sv = calloc(1, sizeof(*sv));
	struct mq_monitor mon;
	int r;

	if (!sv)
		return -ENOMEM;
	tune_init(&sv->tune, nl, cfg, select);
	steady_init(&sv->steady);
	if (ov)
		sv->ov = *ov;
	override(&sv->ov, cfg);
	monitor_init(&mon, nl);
	struct daemon_opts o = {
		.config_path = config_path,
		.cfg = cfg,
		.hooks = {.ctx = sv, .tune = tune_hook, .sample = sample, .check = check,
			  .load_config = load_or_defaults, .free_config = free_config, .driver = driver,
			  .has_device = has_device},
		.mon = &mon,
		.select = select,
	};
	r = daemon_run(&o);
	monitor_close_all(&mon);
	steady_free(&sv->steady);
	tune_free(&sv->tune);
	owned_irqs_free(&sv->owned);
	free(sv);
	return r;
}
