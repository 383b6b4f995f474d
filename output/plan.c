// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "core/escape.h"
#include "output/jsonw.h"
#include "output/plan.h"
#include "output/report.h"

static const char *plan_cpus_string(const struct mq_cpuset *s, char *buf, size_t len)
{
	if (!len)
		return "";
	if (cpuset_empty(s)) {
		snprintf(buf, len, "-");
		return buf;
	}
	if (cpuset_format_list(s, buf, len) < 0)
		snprintf(buf, len, "(%u CPUs)", cpuset_count(s));
	return buf;
}

static bool shown(const struct plan_item *it)
{
	return it->change || it->hold != HOLD_NONE || it->status == STEP_FAILED ||
	       it->status == STEP_SKIPPED;
}

static const char *hold_text(enum plan_hold h)
{
	switch (h) {
	case HOLD_MANAGED: return "kernel-managed IRQ, cannot be moved from user space";
	case HOLD_XDP: return "an XDP program is attached: the driver refuses channel changes";
	case HOLD_NO_CHANNELS: return "no channel control: the device fixes the queue count";
	case HOLD_EXCLUDED: return "excluded by config";
	case HOLD_NONE:
	case _HOLD_MAX: break;
	}
	return "";
}

static void channels_text(FILE *f, const struct plan_item *it)
{
	const struct mq_counts *c = &it->ch_current, *t = &it->ch_target, *m = &it->ch_max;
	bool any = false;

	if (m->combined || c->combined != t->combined) {
		fprintf(f, " combined %u -> %u", c->combined, t->combined);
		any = true;
	}
	if (c->rx != t->rx || (!m->combined && m->rx)) {
		fprintf(f, " rx %u -> %u", c->rx, t->rx);
		any = true;
	}
	if (c->tx != t->tx || (!m->combined && m->tx)) {
		fprintf(f, " tx %u -> %u", c->tx, t->tx);
		any = true;
	}
	if (!any)
		fprintf(f, " combined %u", t->combined);
}

void plan_item_text(FILE *f, const struct plan_item *it)
{
	char a[4096], b[4096];

	switch (it->kind) {
	case PLAN_CHANNELS:
		fprintf(f, "%s channels", ESC(it->ifname));
		channels_text(f, it);
		break;
	case PLAN_IRQ_AFFINITY:
		fprintf(f, "%s queue %d irq %d cpus %s -> %s", ESC(it->ifname), it->queue, it->irq,
			it->has_current ? plan_cpus_string(it->current, a, sizeof(a)) : "?",
			plan_cpus_string(it->target, b, sizeof(b)));
		break;
	case PLAN_XPS:
	case PLAN_RPS:
		fprintf(f, "%s %s-%d %s %s -> %s", ESC(it->ifname), it->kind == PLAN_XPS ? "tx" : "rx",
			it->queue, plan_kind_to_string(it->kind),
			it->has_current ? plan_cpus_string(it->current, a, sizeof(a)) : "?",
			plan_cpus_string(it->target, b, sizeof(b)));
		break;
	case PLAN_RSS:
		if (it->rss.restore) {
			fprintf(f, "%s rss table: %u of %u RX queues -> the %u entries recorded before", ESC(it->ifname),
				it->rss.covered, it->rss.queues, it->rss.entries);
			break;
		}
		fprintf(f, "%s rss table: %u of %u RX queues -> even over the active queues%s", ESC(it->ifname),
			it->rss.covered, it->rss.queues,
			it->change && !it->rss.was_default ? " (replaces a table that is not the driver's default)"
							    : "");
		break;
	case _PLAN_KIND_MAX:
		break;
	}
	switch (it->status) {
	case STEP_OK:
		fprintf(f, ": ok");
		if (it->kind == PLAN_IRQ_AFFINITY && it->has_effective &&
		    !cpuset_equal(it->effective, it->target))
			fprintf(f, " (effective %s)", plan_cpus_string(it->effective, a, sizeof(a)));
		break;
	case STEP_FAILED:
		fprintf(f, ": failed: %s", ESC(it->msg[0] ? it->msg : strerror(-it->err)));
		break;
	case STEP_SKIPPED:
		fprintf(f, ": skipped: %s", ESC(it->msg));
		break;
	case STEP_UNCHANGED:
	case STEP_PLANNED:
	case _STEP_STATUS_MAX:
		break;
	}
	if (it->hold != HOLD_NONE)
		fprintf(f, " (held: %s)", hold_text(it->hold));
	fputc('\n', f);
}

static unsigned interrupted_count(const struct mq_plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->items[i].status == STEP_SKIPPED && p->items[i].err == -EINTR;
	return n;
}

/* What the assessment leaves alone for a NIC, and why (beyond held items). */
static void verdict_text(FILE *f, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	if (v->hold == HOLD_EXCLUDED || v->hold == HOLD_NO_CHANNELS)
		fprintf(f, "%s: %s: %s\n", ESC(n->name), hold_text(v->hold),
			v->hold == HOLD_EXCLUDED ? "left alone" : "channels left alone");
	if (v->clamped_cpus || v->clamped_device)
		fprintf(f, "%s: queues %u clamped to %u (%s)\n", ESC(n->name), v->queues_wanted,
			v->queues_target, v->clamped_cpus ? "usable vCPUs" : "device maximum");
}

static void nic_text(FILE *f, const struct mq_assessment *a, unsigned ni)
{
	static const char *const kind_word[_PLAN_KIND_MAX] = {"channels", "IRQ", "XPS", "RPS", "RSS"};
	const struct mq_nic_verdict *v = &a->nics[ni];
	const struct mq_nic *n = &a->now->nics[ni];
	unsigned same[_PLAN_KIND_MAX] = {0}, nsame = 0;
	const char *sep = "";

	for (int k = 0; k < _PLAN_KIND_MAX; k++)
		for (unsigned i = 0; i < a->plan.n; i++) {
			const struct plan_item *it = &a->plan.items[i];

			if (it->kind != (enum plan_kind)k || it->ifindex != n->ifindex)
				continue;
			if (shown(it)) {
				plan_item_text(f, it);
			} else {
				same[k]++;
				nsame++;
			}
		}
	if (nsame) {
		fprintf(f, "%s: %u unchanged (", ESC(n->name), nsame);
		for (int k = 0; k < _PLAN_KIND_MAX; k++)
			if (same[k]) {
				if (k == PLAN_CHANNELS || k == PLAN_RSS)
					fprintf(f, "%s%s", sep, kind_word[k]);
				else
					fprintf(f, "%s%u %s%s", sep, same[k], kind_word[k],
						k == PLAN_IRQ_AFFINITY && same[k] > 1 ? "s" : "");
				sep = ", ";
			}
		fprintf(f, ")\n");
	}
	verdict_text(f, n, v);
}

int plan_render_text(FILE *f, const struct mq_assessment *a)
{
	const struct mq_plan *p = &a->plan;
	struct plan_tally t = plan_tally(p);
	unsigned changes = plan_changes(p);

	for (unsigned i = 0; i < a->now->nnics; i++) {
		bool items = false;

		for (unsigned k = 0; k < p->n && !items; k++)
			items = p->items[k].ifindex == a->now->nics[i].ifindex;
		if (items || a->nics[i].tuned || a->nics[i].hold == HOLD_EXCLUDED)
			nic_text(f, a, i);
	}
	/* What --apply cannot fix, so a clean run is not mistaken for a healthy machine. */
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].severity >= SEV_WARNING && a->findings[i].fix_kind != FIX_APPLY)
			fprintf(f, "note: %s\n", ESC(a->findings[i].message));
	if (p->interrupted) {
		const char *sig = sigabbrev_np(p->interrupted);

		/* the items above say which: each ": ok", ": failed", or "not done" */
		fprintf(f, "interrupted by SIG%s: %u change%s made, %u failed, %u not done; the state "
			"file keeps the way back (mqbalance --revert)\n", sig ? sig : "NAL", t.ok,
			t.ok == 1 ? "" : "s", t.failed, interrupted_count(p));
	} else if (!p->applied) {
		if (changes)
			fprintf(f, "dry run: %u change%s planned, nothing written\n", changes,
				changes == 1 ? "" : "s");
		else
			fprintf(f, "dry run: nothing to do, everything is already tuned\n");
	} else if (t.ok == 0 && t.failed == 0) {
		fprintf(f, "nothing to do: everything is already tuned (%u unchanged, %u skipped)\n",
			t.unchanged, t.skipped);
	} else {
		fprintf(f, "applied: %u ok, %u failed, %u skipped, %u unchanged\n", t.ok, t.failed,
			t.skipped, t.unchanged);
	}
	if (p->reprobe_err)
		fprintf(f, "re-probe after the channel change failed: %s\n", strerror(-p->reprobe_err));
	return ferror(f) ? -EIO : 0;
}

int plan_item_string(const struct plan_item *it, char *buf, size_t len)
{
	FILE *f;
	size_t n;

	if (!len)
		return -ENOSPC;
	f = fmemopen(buf, len, "w");
	if (!f)
		return -errno;
	plan_item_text(f, it);
	if (fclose(f) != 0)
		return -EIO;
	buf[len - 1] = '\0';
	n = strlen(buf);
	while (n && buf[n - 1] == '\n')
		buf[--n] = '\0';
	return (int)n;
}

/* ---- JSON ------------------------------------------------------------------- */

static void channels_json(struct jsonw *w, const char *key, const struct mq_counts *c)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "combined", c->combined);
	jsonw_kv_uint(w, "rx", c->rx);
	jsonw_kv_uint(w, "tx", c->tx);
	jsonw_kv_uint(w, "other", c->other);
	jsonw_object_end(w);
}

/* The IRQ's action name from the snapshot the item was planned on. */
static const char *irq_name(const struct mq_assessment *a, const struct plan_item *it)
{
	const struct mq_nic *n = snapshot_find_nic(a->now, it->ifindex);

	for (unsigned i = 0; n && n->irqs && i < n->nirqs; i++)
		if ((int)n->irqs[i].irq == it->irq)
			return n->irqs[i].name;
	return NULL;
}

static void item_json(struct jsonw *w, const struct mq_assessment *a, const struct plan_item *it)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "kind", plan_kind_to_string(it->kind));
	jsonw_kv_string(w, "ifname", it->ifname);
	jsonw_kv_int(w, "ifindex", it->ifindex);
	if (it->kind == PLAN_CHANNELS) {
		jsonw_kv_null(w, "queue");
		channels_json(w, "current", &it->ch_current);
		channels_json(w, "target", &it->ch_target);
		channels_json(w, "max", &it->ch_max);
	} else if (it->kind == PLAN_RSS) {
		jsonw_kv_null(w, "queue");
		jsonw_key(w, "current");
		jsonw_object_begin(w);
		jsonw_kv_uint(w, "entries", it->rss.entries);
		jsonw_kv_uint(w, "queues", it->rss.queues);
		jsonw_kv_uint(w, "queues_covered", it->rss.covered);
		jsonw_kv_bool(w, "driver_default", it->rss.was_default);
		jsonw_object_end(w);
		jsonw_kv_string(w, "target", it->rss.restore ? "recorded" : "even");
	} else {
		jsonw_kv_int(w, "queue", it->queue);
		if (it->kind == PLAN_IRQ_AFFINITY) {
			jsonw_kv_int(w, "irq", it->irq);
			jsonw_kv_string_or_null(w, "irq_name", irq_name(a, it));
		}
		jsonw_kv_cpus(w, "current_cpus", it->has_current, it->current);
		jsonw_kv_cpus(w, "target_cpus", true, it->target);
		if (it->kind == PLAN_IRQ_AFFINITY)
			jsonw_kv_cpus(w, "effective_cpus", it->has_effective, it->effective);
	}
	jsonw_kv_bool(w, "change", it->change);
	jsonw_kv_string(w, "status", step_status_to_string(it->status));
	jsonw_key(w, "errno");
	if (it->err)
		jsonw_int(w, -it->err);
	else
		jsonw_null(w);
	jsonw_kv_string_or_null(w, "message", it->msg);
	jsonw_kv_string(w, "hold", plan_hold_to_string(it->hold));
	jsonw_object_end(w);
}

int plan_render_json(FILE *f, const struct mq_assessment *a, int exit_status, bool pretty)
{
	const struct mq_plan *p = &a->plan;
	struct plan_tally t = plan_tally(p);
	struct jsonw w;

	jsonw_init(&w, f, pretty);
	jsonw_object_begin(&w);
	jsonw_kv_bool(&w, "dry_run", !p->applied);
	jsonw_key(&w, "summary");
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "changes", plan_changes(p));
	if (p->applied) {
		jsonw_kv_uint(&w, "ok", t.ok);
		jsonw_kv_uint(&w, "failed", t.failed);
		jsonw_kv_uint(&w, "skipped", t.skipped);
		jsonw_kv_uint(&w, "unchanged", t.unchanged);
	} else {
		jsonw_kv_null(&w, "ok");
		jsonw_kv_null(&w, "failed");
		jsonw_kv_null(&w, "skipped");
		jsonw_kv_null(&w, "unchanged");
	}
	jsonw_kv_bool(&w, "reprobed", p->reprobed);
	jsonw_kv_string_or_null(&w, "reprobe_error", p->reprobe_err ? strerror(-p->reprobe_err) : NULL);
	jsonw_kv_int(&w, "exit_status", exit_status);
	jsonw_object_end(&w);
	jsonw_key(&w, "cpus");
	jsonw_object_begin(&w);
	jsonw_kv_cpus(&w, "online", true, p->online);
	jsonw_kv_cpus(&w, "usable", true, p->usable);
	jsonw_kv_uint(&w, "nr_cpu_ids", p->nr_cpu_ids);
	jsonw_object_end(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < p->n; i++)
		item_json(&w, a, &p->items[i]);
	jsonw_array_end(&w);
	json_findings(&w, a);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}
