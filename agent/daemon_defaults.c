// SPDX-License-Identifier: MIT
/*
 * The production wiring of the daemon, apart from daemon.c so that tests can
 * link the loop with fakes and without the planner, the applier or the
 * config parser: tuning passes that also keep the Prometheus tuning state,
 * and the sampler that rewrites the textfile every interval.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/config.h"
#include "agent/daemon.h"
#include "core/findings.h"
#include "agent/log.h"
#include "agent/textfile.h"
#include "agent/tune.h"
#include "output/prom.h"
#include "probes/probe.h"

/* One daemon per process: its tuning history and the previous sample. */
static struct mq_tune_stats stats;
static unsigned passes;
static struct mq_snapshot prev;
static bool have_prev;
static char last_write_err[512];

/* A missing config file means built-in defaults, as for --apply. */
static int load_or_defaults(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	int r = config_load(path, ret, err, errlen);

	if (r == -ENOENT) {
		log_info("%s not found, using built-in defaults", path);
		config_init(ret);
		return 0;
	}
	return r;
}

static void stats_update(const struct mq_plan *p, const struct tune_result *res)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		struct mq_tune_nic *tn = tune_stats_nic(&stats, it->ifname);

		if (!tn)
			continue; /* more NICs than the table: their failures still reach the log */
		_Static_assert((int)PLAN_RPS == (int)TUNE_ACTION_RPS &&
				       (int)PLAN_CHANNELS == (int)TUNE_ACTION_CHANNELS,
			       "plan kinds and tune actions share their order");
		if (it->status == STEP_FAILED)
			tn->failures[(enum tune_action)it->kind]++;
		if (it->kind == PLAN_CHANNELS) {
			tn->has_target = true;
			tn->target_rx = it->ch_target.rx;
			tn->target_tx = it->ch_target.tx;
			tn->target_other = it->ch_target.other;
			tn->target_combined = it->ch_target.combined;
		}
	}
	if (!res->failed)
		stats.last_apply = (int64_t)time(NULL);
	/* After the first pass, every change undoes something the kernel, a driver or a tool did. */
	if (passes++ > 0 && res->changed)
		stats.drift_corrections++;
}

static int tune_with_stats(struct mq_nl *nl, const struct mq_config *cfg, const char *cause,
			   bool dry_run, struct tune_result *ret)
{
	struct mq_plan plan = {0};
	struct apply_report rep = {0};
	int r;

	r = tune_run(nl, cfg, NULL, cause, dry_run, &plan, &rep, ret);
	if (r >= 0)
		stats_update(&plan, ret);
	plan_free(&plan);
	return r;
}

static int sample(struct mq_nl *nl, const struct mq_config *cfg)
{
	struct mq_snapshot now = {0};
	struct mq_finding *f = NULL;
	struct mq_cpuset usable;
	struct prom_input in;
	unsigned nf = 0;
	char err[512] = "";
	int r;

	if (!cfg->prom_file[0])
		return 0;
	struct probe_opts po = tune_default_opts();
	const char *names[MQ_IFS_MAX];

	tune_probe_opts(cfg, &po, names);
	r = snapshot_take(nl, &po, &now);
	if (r < 0)
		return r;
	r = findings_build(&now, have_prev ? &prev : NULL, cfg, &f, &nf);
	if (r < 0)
		goto out;
	cpus_usable(&now.cpus, cfg, &usable);
	in = (struct prom_input){
		.s = &now, .findings = f, .nfindings = nf, .tune = &stats,
		.cpus_usable = cpuset_count(&usable),
	};
	r = textfile_write(cfg->prom_file, prom_render_cb, &in, err, sizeof(err));
	/* A full disk at every interval would flood the journal: log each new error once. */
	if (r < 0 && strcmp(err, last_write_err) != 0)
		log_error("%s", err[0] ? err : strerror(-r));
	else if (r >= 0 && last_write_err[0])
		log_info("%s written again", cfg->prom_file);
	snprintf(last_write_err, sizeof(last_write_err), "%s", r < 0 ? err : "");
	r = r < 0 ? 0 : r; /* reported above */
out:
	free(f);
	if (have_prev)
		snapshot_free(&prev);
	prev = now;
	have_prev = true;
	return r;
}

void daemon_opts_default(struct daemon_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tune = tune_with_stats;
	o->sample = sample;
	o->load_config = load_or_defaults;
	o->free_config = config_free;
	o->rtnl_fd = o->ethtool_fd = o->uevent_fd = -1;
}
