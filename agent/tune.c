// SPDX-License-Identifier: MIT
/* One tuning pass: probe -> plan -> apply (or not), one log line per change. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "agent/apply.h"
#include "agent/channels.h"
#include "agent/log.h"
#include "core/plan.h"
#include "agent/tune.h"
#include "output/plan.h"
#include "probes/probe.h"

/* IRQs that answered EIO once: the daemon reports them once, then skips them. */
static struct apply_memory managed;
/* The daemon's NIC selection (--all, IFACE...): its tune and sample hooks have no room for it. */
static const struct probe_opts *default_opts;

struct tune_ctx {
	struct mq_nl *nl;
	const struct mq_config *cfg;
	const struct probe_opts *opts;
	struct mq_snapshot snap; /* the latest probe: channels_set needs its nic */
};

static void mark_managed(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++)
		for (unsigned j = 0; j < s->nics[i].nirqs; j++)
			for (unsigned k = 0; k < managed.n; k++)
				if (s->nics[i].irqs[j].irq == managed.managed[k])
					s->nics[i].irqs[j].managed = true;
}

static int probe_and_plan(struct tune_ctx *t, struct mq_plan *ret)
{
	struct probe_opts none = {0};
	struct mq_snapshot s = {0};
	int r;

	r = snapshot_take(t->nl, t->opts ? t->opts : &none, &s);
	if (r < 0)
		return r;
	mark_managed(&s);
	r = plan_build(&s, t->cfg, ret);
	if (r < 0) {
		snapshot_free(&s);
		return r;
	}
	snapshot_free(&t->snap);
	t->snap = s;
	return 0;
}

static int env_channels_set(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	struct tune_ctx *t = ctx;
	const struct mq_nic *nic = snapshot_find_nic(&t->snap, it->ifindex);

	if (!nic)
		return -ENODEV;
	return channels_set(t->nl, nic, &it->ch_target, msg, msglen);
}

static int env_reprobe(void *ctx, struct mq_plan *ret)
{
	return probe_and_plan(ctx, ret);
}

static void log_results(const struct mq_plan *p, const char *cause, bool dry_run)
{
	char line[512];

	for (unsigned i = 0; i < p->nnotes; i++)
		log_debug("%s%s%s", p->notes[i].ifname, p->notes[i].ifname[0] ? ": " : "",
			  p->notes[i].text);
	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];

		if (plan_item_string(it, line, sizeof(line)) < 0)
			continue;
		if (dry_run) {
			if (it->change)
				log_info("would set %s (%s)", line, cause);
			continue;
		}
		switch (it->status) {
		case STEP_OK:
			log_info("%s (%s)", line, cause);
			break;
		case STEP_FAILED:
			log_warn("%s (%s)", line, cause);
			break;
		case STEP_SKIPPED:
			/* a known kernel-managed IRQ was reported on an earlier pass */
			if (it->err == -EIO)
				log_debug("%s", line);
			else
				log_info("%s", line);
			break;
		case STEP_UNCHANGED:
		case STEP_PLANNED:
		case _STEP_STATUS_MAX:
			break;
		}
	}
}

static void summarise(const struct mq_plan *p, const struct apply_report *rep, bool dry_run,
		      struct tune_result *ret)
{
	unsigned by_kind[_PLAN_KIND_MAX] = {0};

	memset(ret, 0, sizeof(*ret));
	for (unsigned i = 0; i < p->n; i++)
		if (dry_run ? p->items[i].change : p->items[i].status == STEP_OK)
			by_kind[p->items[i].kind]++;
	ret->changed = dry_run ? plan_changes(p) : rep->ok;
	ret->failed = rep->failed;
	ret->skipped = rep->skipped;
	if (ret->changed == 0 && ret->failed == 0)
		snprintf(ret->summary, sizeof(ret->summary), "nothing to do");
	else
		snprintf(ret->summary, sizeof(ret->summary),
			 "%s%u channel change%s, %u IRQ%s moved, %u XPS and %u RPS masks set, %u failed",
			 dry_run ? "would make " : "", by_kind[PLAN_CHANNELS],
			 by_kind[PLAN_CHANNELS] == 1 ? "" : "s", by_kind[PLAN_IRQ_AFFINITY],
			 by_kind[PLAN_IRQ_AFFINITY] == 1 ? "" : "s", by_kind[PLAN_XPS], by_kind[PLAN_RPS],
			 ret->failed);
}

void tune_probe_opts(const struct mq_config *cfg, struct probe_opts *po, const char **names)
{
	unsigned n = 0;

	if (po->nifnames)
		return;
	for (unsigned i = 0; i < cfg->nifs && n < MQ_IFS_MAX; i++)
		if (!cfg->ifs[i].exclude)
			names[n++] = cfg->ifs[i].name;
	po->extra = names;
	po->nextra = n;
}

int tune_run(struct mq_nl *nl, const struct mq_config *cfg, const struct probe_opts *o,
	     const char *cause, bool dry_run, struct mq_plan *ret_plan,
	     struct apply_report *ret_report, struct tune_result *ret)
{
	const char *names[MQ_IFS_MAX];
	struct probe_opts po = o ? *o : tune_default_opts();
	struct tune_ctx t = {.nl = nl, .cfg = cfg, .opts = &po};
	struct apply_env env = {
		.ctx = &t,
		.channels_set = env_channels_set,
		.reprobe = env_reprobe,
		.memory = &managed,
	};
	struct apply_report rep = {0};
	struct mq_plan p = {0};
	int r;

	if (!cause)
		cause = "requested";
	tune_probe_opts(cfg, &po, names);
	r = probe_and_plan(&t, &p);
	if (r < 0) {
		log_error("cannot probe this machine (%s): %s", cause, strerror(-r));
		return r;
	}
	if (!dry_run) {
		r = apply_run(&p, &env, &rep);
		if (r < 0) {
			log_error("cannot apply the plan (%s): %s", cause, strerror(-r));
			goto out;
		}
		if (rep.reprobe_err)
			log_warn("re-probe after the channel change failed: %s; the rest waits for the "
				 "next pass", strerror(-rep.reprobe_err));
	}
	log_results(&p, cause, dry_run);
	summarise(&p, &rep, dry_run, ret);
	if (ret_report)
		*ret_report = rep;
	if (ret_plan) {
		*ret_plan = p;
		p = (struct mq_plan){0};
	}
out:
	plan_free(&p);
	snapshot_free(&t.snap);
	return r < 0 ? r : 0;
}

int tune_once(struct mq_nl *nl, const struct mq_config *cfg, const char *cause, bool dry_run,
	      struct tune_result *ret)
{
	return tune_run(nl, cfg, NULL, cause, dry_run, NULL, NULL, ret);
}

void tune_select(const struct probe_opts *o)
{
	default_opts = o;
}

struct probe_opts tune_default_opts(void)
{
	return default_opts ? *default_opts : (struct probe_opts){0};
}
