// SPDX-License-Identifier: MIT
/* One tuning pass: probe -> assess -> apply (or not). */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "agent/channels.h"
#include "agent/log.h"
#include "agent/rss.h"
#include "agent/state_file.h"
#include "agent/tune.h"
#include "output/plan.h"

void tune_init(struct tune *t, struct mq_nl *nl, const struct mq_config *cfg,
	       const struct probe_opts *select)
{
	memset(t, 0, sizeof(*t));
	t->sigterm_after = -1;
	t->nl = nl;
	t->cfg = cfg;
	if (select)
		t->select = *select;
}

void tune_free(struct tune *t)
{
	irq_memory_free(&t->managed);
	state_free(&t->saved);
}

/* The state file, read once: later passes keep it in memory and write it when it grows. */
static void saved_load(struct tune *t, struct tune_pass *p)
{
	if (t->saved_loaded)
		return;
	t->saved_loaded = true;
	t->saved_err = state_file_load(&t->saved, p->state_err, sizeof(p->state_err));
}

void tune_pass_free(struct tune_pass *p)
{
	assessment_free(&p->a);
	snapshot_free(&p->snap);
}

void tune_probe_opts(const struct mq_config *cfg, struct probe_opts *po, const char **names)
{
	unsigned n = 0;

	if (po->nifnames)
		return;
	/* [NAME] sections bring virtual interfaces in; globs and drivers only configure. */
	for (unsigned i = 0; i < cfg->nsections && n < MQ_IFS_MAX; i++) {
		const struct mq_section *sec = &cfg->sections[i];

		if (sec->match == MATCH_NAME && !config_for(cfg, sec->pattern, NULL).exclude)
			names[n++] = sec->pattern;
	}
	po->extra = names;
	po->nextra = n;
}

struct pass_ctx {
	struct tune *t;
	struct tune_pass *p;
	const char *const *revert; /* --revert: these NICs (nrevert 0: all); NULL: tune */
	unsigned nrevert;
	bool reverting;
};

static int probe_and_assess(struct pass_ctx *c, struct mq_snapshot *ret_snap,
			    struct mq_assessment *ret_a)
{
	const char *names[MQ_IFS_MAX];
	struct probe_opts po = c->t->select;
	int r;

	tune_probe_opts(c->t->cfg, &po, names);
	if (c->reverting && !po.nifnames)
		po.all = true; /* a recorded veth has no device: probe every link, revert the recorded */
	c->p->stage = "probe";
	r = snapshot_take(c->t->nl, &po, ret_snap);
	if (r < 0)
		return r;
	if (ret_snap->errmsg[0])
		log_warn("%s", ret_snap->errmsg);
	irq_memory_mark(&c->t->managed, ret_snap);
	state_mark(&c->t->saved, ret_snap);
	c->p->stage = "assess";
	r = assess(ret_snap, NULL, c->t->cfg, ret_a);
	if (r == 0 && c->reverting) {
		/* the report's view of the NICs, the revert's plan */
		plan_free(&ret_a->plan);
		r = state_revert_plan(&c->t->saved, ret_snap, c->revert, c->nrevert, &ret_a->plan);
		if (r < 0)
			assessment_free(ret_a);
	}
	if (r < 0)
		snapshot_free(ret_snap);
	return r;
}

static int env_channels_set(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	struct pass_ctx *c = ctx;
	const struct mq_nic *nic = snapshot_find_nic(&c->p->snap, it->ifindex);
	struct mq_channels want;

	if (!nic)
		return -ENODEV;
	want = nic->ch;
	want.rx = it->ch_target.rx;
	want.tx = it->ch_target.tx;
	want.other = it->ch_target.other;
	want.combined = it->ch_target.combined;
	return channels_set(c->t->nl, nic, &want, msg, msglen);
}

static int env_rss_reset(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	struct pass_ctx *c = ctx;
	const struct mq_nic *nic = snapshot_find_nic(&c->p->snap, it->ifindex);
	const struct mq_saved_nic *sv = it->rss.restore ? state_find(&c->t->saved, it->ifname) : NULL;

	if (!nic)
		return -ENODEV;
	if (sv && sv->rss_n)
		return rss_table_set(c->t->nl, nic, sv->rss, sv->rss_n, msg, msglen);
	return rss_table_reset(c->t->nl, nic, msg, msglen);
}

/* Before each change: stop when a signal came (the test hook sends one after N changes). */
static int env_stop(void *ctx)
{
	struct tune *t = ((struct pass_ctx *)ctx)->t;
	sigset_t pending;

	if (t->sigterm_after >= 0 && t->changes_begun++ == t->sigterm_after)
		raise(SIGTERM);
	if (!t->stop_on_signal || sigpending(&pending) < 0)
		return 0;
	return sigismember(&pending, SIGTERM) ? SIGTERM : sigismember(&pending, SIGINT) ? SIGINT : 0;
}

/*
 * The re-probe after a channel change replaces the pass's snapshot and
 * assessment; each NIC's channel item keeps the result of the change.
 */
static int env_reprobe(void *ctx, struct mq_plan *p)
{
	struct pass_ctx *c = ctx;
	struct mq_snapshot snap;
	struct mq_assessment a;
	int r;

	r = probe_and_assess(c, &snap, &a);
	if (r < 0)
		return r;
	r = plan_keep_channel_results(&a.plan, p);
	if (r < 0) {
		assessment_free(&a);
		snapshot_free(&snap);
		return r;
	}
	/* p is &c->p->a.plan: swap the contents, the storage stays */
	assessment_free(&c->p->a);
	snapshot_free(&c->p->snap);
	c->p->snap = snap;
	c->p->a = a;
	c->p->a.now = &c->p->snap;
	return 0;
}

static void summarise(struct tune_pass *p, bool dry_run)
{
	unsigned by_kind[_PLAN_KIND_MAX] = {0};
	const struct mq_plan *plan = &p->a.plan;

	for (unsigned i = 0; i < plan->n; i++)
		if (dry_run ? plan->items[i].change : plan->items[i].status == STEP_OK)
			by_kind[plan->items[i].kind]++;
	p->tally = plan_tally(plan);
	p->changes = dry_run ? plan_changes(plan) : p->tally.ok;
	if (p->changes == 0 && p->tally.failed == 0)
		snprintf(p->summary, sizeof(p->summary), "nothing to do");
	else
		snprintf(p->summary, sizeof(p->summary),
			 "%s%u channel change%s, %u IRQ%s moved, %u XPS and %u RPS masks set, %u RSS "
			 "table%s reset, %u failed",
			 dry_run ? "would make " : "", by_kind[PLAN_CHANNELS],
			 by_kind[PLAN_CHANNELS] == 1 ? "" : "s", by_kind[PLAN_IRQ_AFFINITY],
			 by_kind[PLAN_IRQ_AFFINITY] == 1 ? "" : "s", by_kind[PLAN_XPS], by_kind[PLAN_RPS],
			 by_kind[PLAN_RSS], by_kind[PLAN_RSS] == 1 ? "" : "s", p->tally.failed);
}

/*
 * Before the first change to a NIC in this boot: what it looked like, on
 * disk first, so a stop midway still leaves the way back.
 */
static void record(struct tune *t, struct tune_pass *p)
{
	int added;

	if (t->saved_err) {
		if (!p->state_err[0])
			snprintf(p->state_err, sizeof(p->state_err), "the state file cannot be used: %s",
				 strerror(-t->saved_err));
		return;
	}
	added = state_record(&t->saved, &p->snap, &p->a.plan, (int64_t)time(NULL));
	if (added < 0)
		snprintf(p->state_err, sizeof(p->state_err), "%s", strerror(-added));
	else if (added > 0 && state_file_save(&t->saved, p->state_err, sizeof(p->state_err)) == 0)
		state_mark(&t->saved, &p->snap);
}

static int run(struct pass_ctx *c, bool dry_run)
{
	struct tune_pass *ret = c->p;
	struct apply_env env = {
		.ctx = c,
		.channels_set = env_channels_set,
		.rss_reset = env_rss_reset,
		.reprobe = env_reprobe,
		.managed = &c->t->managed,
		.stop = env_stop,
	};
	int r;

	memset(ret, 0, sizeof(*ret));
	saved_load(c->t, ret);
	r = probe_and_assess(c, &ret->snap, &ret->a);
	if (r < 0)
		return r;
	if (!dry_run) {
		if (!c->reverting && plan_changes(&ret->a.plan))
			record(c->t, ret);
		ret->stage = "apply";
		r = apply_run(&ret->a.plan, &env);
		if (r < 0)
			return r;
		if (!c->reverting)
			tune_stats_update(&c->t->stats, &ret->a.plan, (int64_t)time(NULL));
	}
	ret->stage = NULL;
	summarise(ret, dry_run);
	return 0;
}

int tune_run(struct tune *t, bool dry_run, struct tune_pass *ret)
{
	struct pass_ctx c = {.t = t, .p = ret};

	return run(&c, dry_run);
}

/* A NIC is back when none of its items failed or was skipped. */
static bool reverted(const struct mq_plan *p, const char *ifname)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->items[i].ifname, ifname) == 0 &&
		    (p->items[i].status == STEP_FAILED || p->items[i].status == STEP_SKIPPED))
			return false;
	return true;
}

int tune_revert(struct tune *t, const char *const *names, unsigned n, struct tune_pass *ret)
{
	struct pass_ctx c = {.t = t, .p = ret, .revert = names, .nrevert = n, .reverting = true};
	bool forgot = false;
	int r;

	r = run(&c, false);
	if (r < 0)
		return r;
	if (t->saved_err)
		return t->saved_err;
	for (unsigned i = t->saved.n; i-- > 0;) {
		const char *name = t->saved.nics[i].ifname;
		bool wanted = n == 0;

		for (unsigned k = 0; k < n && !wanted; k++)
			wanted = strcmp(names[k], name) == 0;
		/* a NIC that is not here any more has nothing left to put back */
		if (wanted && reverted(&ret->a.plan, name)) {
			state_forget(&t->saved, name);
			forgot = true;
		}
	}
	if (forgot && state_file_save(&t->saved, ret->state_err, sizeof(ret->state_err)) == 0)
		state_mark(&t->saved, &ret->snap);
	return 0;
}

void tune_log(const struct tune_pass *p, const char *cause, bool dry_run, bool failures_news)
{
	const struct mq_plan *plan = &p->a.plan;
	char line[512];

	for (unsigned i = 0; i < plan->n; i++) {
		const struct plan_item *it = &plan->items[i];

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
			if (failures_news)
				log_warn("%s (%s)", line, cause);
			else
				log_debug("%s (%s), still", line, cause);
			break;
		case STEP_SKIPPED:
			/* a known kernel-managed IRQ: said when it was found */
			if (it->hold == HOLD_MANAGED)
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
	if (p->a.plan.reprobe_err)
		log_warn("re-probe after the channel change failed: %s; the rest waits for the next pass",
			 strerror(-p->a.plan.reprobe_err));
}
