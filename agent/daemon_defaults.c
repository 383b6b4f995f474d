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

#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/textfile.h"
#include "agent/tune.h"
#include "core/config.h"
#include "core/findings.h"
#include "output/prom.h"
#include "probes/monitor.h"
#include "probes/probe.h"

struct service {
	struct mq_nl *nl;
	struct probe_opts select;   /* --all / IFACE..., as given */
	struct mq_tune_stats stats; /* the tuning history the textfile shows */
	unsigned passes;
	struct mq_snapshot prev;    /* the previous sample, for rates */
	bool have_prev;
	struct log_lasting write_err;
};

/* A missing config file means built-in defaults, as for --apply. */
static int load_or_defaults(void *ctx, const char *path, struct mq_config *ret, char *err,
			    size_t errlen)
{
	int r = config_load(path, ret, err, errlen);

	(void)ctx;
	if (r == -ENOENT) {
		log_info("%s not found, using built-in defaults", path);
		config_init(ret);
		return 0;
	}
	return r;
}

static void free_config(void *ctx, struct mq_config *c)
{
	(void)ctx;
	config_free(c);
}

static void stats_update(struct service *sv, const struct mq_plan *p, const struct tune_result *res)
{
	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		struct mq_tune_nic *tn = tune_stats_nic(&sv->stats, it->ifname);

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
		sv->stats.last_apply = (int64_t)time(NULL);
	/* After the first pass, every change undoes something the kernel, a driver or a tool did. */
	if (sv->passes++ > 0 && res->changed)
		sv->stats.drift_corrections++;
}

static int tune_with_stats(void *ctx, const struct mq_config *cfg, const char *cause,
			   struct tune_result *ret)
{
	struct service *sv = ctx;
	struct mq_plan plan = {0};
	struct apply_report rep = {0};
	int r;

	r = tune_run(sv->nl, cfg, &sv->select, cause, false, &plan, &rep, ret);
	if (r >= 0)
		stats_update(sv, &plan, ret);
	plan_free(&plan);
	return r;
}

static int sample(void *ctx, const struct mq_config *cfg)
{
	struct service *sv = ctx;
	struct mq_snapshot now = {0};
	struct mq_finding *f = NULL;
	struct mq_cpuset usable;
	struct prom_input in;
	unsigned nf = 0;
	char err[512] = "";
	int r;

	if (!cfg->prom_file[0])
		return 0;
	struct probe_opts po = sv->select;
	const char *names[MQ_IFS_MAX];

	tune_probe_opts(cfg, &po, names);
	r = snapshot_take(sv->nl, &po, &now);
	if (r < 0)
		return r;
	r = findings_build(&now, sv->have_prev ? &sv->prev : NULL, cfg, &f, &nf);
	if (r < 0)
		goto out;
	cpus_usable(&now.cpus, cfg, &usable);
	in = (struct prom_input){
		.s = &now, .findings = f, .nfindings = nf, .tune = &sv->stats,
		.cpus_usable = cpuset_count(&usable),
	};
	r = textfile_write(cfg->prom_file, prom_render_cb, &in, err, sizeof(err));
	/* A full disk at every interval would flood the journal: each new error once. */
	if (r < 0 && log_lasting_fail(&sv->write_err, err[0] ? err : strerror(-r)))
		log_error("%s", err[0] ? err : strerror(-r));
	else if (r >= 0 && log_lasting_ok(&sv->write_err))
		log_info("%s written again", cfg->prom_file);
	r = r < 0 ? 0 : r; /* reported above */
out:
	free(f);
	if (sv->have_prev)
		snapshot_free(&sv->prev);
	sv->prev = now;
	sv->have_prev = true;
	return r;
}

int daemon_main(struct mq_nl *nl, struct mq_config *cfg, const char *config_path,
		const struct probe_opts *select)
{
	struct service *sv = calloc(1, sizeof(*sv));
	struct mq_monitor mon;
	int r;

	if (!sv)
		return -ENOMEM;
	sv->nl = nl;
	if (select)
		sv->select = *select;
	monitor_init(&mon, nl);
	struct daemon_opts o = {
		.config_path = config_path,
		.cfg = cfg,
		.hooks = {.ctx = sv, .tune = tune_with_stats, .sample = sample,
			  .load_config = load_or_defaults, .free_config = free_config},
		.mon = &mon,
		.select = select,
	};
	r = daemon_run(&o);
	monitor_close_all(&mon);
	if (sv->have_prev)
		snapshot_free(&sv->prev);
	free(sv);
	return r;
}
