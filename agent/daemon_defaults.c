// SPDX-License-Identifier: MIT
/*
 * The production wiring of the daemon, apart from daemon.c so that tests can
 * link the loop with fakes: tuning passes that keep the tuning history, and
 * the sampler that rewrites the textfile every interval.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config_file.h"
#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/textfile.h"
#include "agent/tune.h"
#include "output/prom.h"
#include "probes/probe.h"

/* One daemon per process: its tuning history and the previous sample. */
static struct tune tuner;
static bool tuner_ready;
static struct mq_snapshot prev;
static bool have_prev;
static char last_write_err[512];
static struct probe_opts selection;

void daemon_defaults_select(const struct probe_opts *o)
{
	selection = o ? *o : (struct probe_opts){0};
}

/* A missing config file means built-in defaults (and its drop-ins), as for --apply. */
static int load_or_defaults(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	int r = config_load(path, true, ret, err, errlen);

	if (r < 0)
		return r;
	if (!ret->path[0])
		log_info("%s not found, using built-in defaults%s", path,
			 ret->nfiles ? " under its drop-ins" : "");
	config_log_warnings(ret);
	return 0;
}

static int tune_with_stats(struct mq_nl *nl, const struct mq_config *cfg, const char *cause,
			   bool dry_run, struct tune_result *ret)
{
	struct tune_pass pass;
	int r;

	if (!tuner_ready) {
		tune_init(&tuner, nl, cfg, &selection);
		tuner_ready = true;
	}
	tuner.cfg = cfg;
	r = tune_run(&tuner, dry_run, &pass);
	if (r < 0) {
		tune_pass_free(&pass);
		return r;
	}
	tune_log(&pass, cause, dry_run);
	ret->changed = pass.changes;
	ret->failed = pass.tally.failed;
	ret->skipped = pass.tally.skipped;
	snprintf(ret->summary, sizeof(ret->summary), "%s", pass.summary);
	tune_pass_free(&pass);
	return 0;
}

static int sample(struct mq_nl *nl, const struct mq_config *cfg)
{
	struct mq_snapshot now = {0};
	struct mq_assessment a;
	struct prom_input in;
	char err[512] = "";
	struct probe_opts po = selection;
	const char *names[MQ_IFS_MAX];
	int r;

	if (!cfg->prom_file[0])
		return 0;
	tune_probe_opts(cfg, &po, names);
	r = snapshot_take(nl, &po, &now);
	if (r < 0)
		return r;
	if (tuner_ready)
		irq_memory_mark(&tuner.managed, &now);
	r = assess(&now, have_prev ? &prev : NULL, cfg, &a);
	if (r < 0)
		goto out;
	in = (struct prom_input){.a = &a, .tune = tuner_ready ? &tuner.stats : NULL};
	r = textfile_write(cfg->prom_file, prom_render_cb, &in, err, sizeof(err));
	/* A full disk at every interval would flood the journal: log each new error once. */
	if (r < 0 && strcmp(err, last_write_err) != 0)
		log_error("%s", err[0] ? err : strerror(-r));
	else if (r >= 0 && last_write_err[0])
		log_info("%s written again", cfg->prom_file);
	snprintf(last_write_err, sizeof(last_write_err), "%s", r < 0 ? err : "");
	r = r < 0 ? 0 : r; /* reported above */
	assessment_free(&a);
out:
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
