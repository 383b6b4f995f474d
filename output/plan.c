// SPDX-License-Identifier: MIT
#include <errno.h>
#include <string.h>

#include "output/jsonw.h"
#include "output/plan.h"

const char *plan_cpus_string(const struct mq_cpuset *s, char *buf, size_t len)
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
	return it->change || it->status == STEP_FAILED || it->status == STEP_SKIPPED;
}

static void channels_text(FILE *f, const struct plan_item *it)
{
	const struct mq_channels *c = &it->ch_current, *t = &it->ch_target;
	bool any = false;

	if (c->combined_max || c->combined != t->combined) {
		fprintf(f, " combined %u -> %u", c->combined, t->combined);
		any = true;
	}
	if (c->rx != t->rx || (!c->combined_max && c->rx_max)) {
		fprintf(f, " rx %u -> %u", c->rx, t->rx);
		any = true;
	}
	if (c->tx != t->tx || (!c->combined_max && c->tx_max)) {
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
		fprintf(f, "%s channels", it->ifname);
		channels_text(f, it);
		break;
	case PLAN_IRQ_AFFINITY:
		fprintf(f, "%s queue %d irq %d cpus %s -> %s", it->ifname, it->queue, it->irq,
			it->has_current ? plan_cpus_string(&it->current, a, sizeof(a)) : "?",
			plan_cpus_string(&it->target, b, sizeof(b)));
		break;
	case PLAN_XPS:
	case PLAN_RPS:
		fprintf(f, "%s %s-%d %s %s -> %s", it->ifname, it->kind == PLAN_XPS ? "tx" : "rx",
			it->queue, plan_kind_to_string(it->kind),
			it->has_current ? plan_cpus_string(&it->current, a, sizeof(a)) : "?",
			plan_cpus_string(&it->target, b, sizeof(b)));
		break;
	case _PLAN_KIND_MAX:
		break;
	}
	switch (it->status) {
	case STEP_OK:
		fprintf(f, ": ok");
		if (it->kind == PLAN_IRQ_AFFINITY && it->has_effective &&
		    !cpuset_equal(&it->effective, &it->target))
			fprintf(f, " (effective %s)", plan_cpus_string(&it->effective, a, sizeof(a)));
		break;
	case STEP_FAILED:
		fprintf(f, ": failed: %s", it->msg[0] ? it->msg : strerror(-it->err));
		break;
	case STEP_SKIPPED:
		fprintf(f, ": skipped: %s", it->msg);
		break;
	case STEP_UNCHANGED:
	case STEP_PLANNED:
	case _STEP_STATUS_MAX:
		break;
	}
	if (it->note[0] && it->status != STEP_SKIPPED)
		fprintf(f, " (%s)", it->note);
	fputc('\n', f);
}

/* Interface names in order of first appearance, "" (machine-wide) first. */
static unsigned nic_order(const struct mq_plan *p, const char **names, unsigned max)
{
	unsigned n = 0;

	names[n++] = "";
	for (unsigned i = 0; i < p->n + p->nnotes; i++) {
		const char *name = i < p->n ? p->items[i].ifname : p->notes[i - p->n].ifname;
		bool seen = false;

		for (unsigned j = 0; j < n && !seen; j++)
			seen = strcmp(names[j], name) == 0;
		if (!seen && n < max)
			names[n++] = name;
	}
	return n;
}

int plan_render_text(FILE *f, const struct mq_plan *p, const struct apply_report *r)
{
	static const char *const kind_word[_PLAN_KIND_MAX] = {"channels", "IRQ", "XPS", "RPS"};
	const char *names[1024];
	unsigned nn = nic_order(p, names, 1024), changes = plan_changes(p);

	for (unsigned ni = 0; ni < nn; ni++) {
		unsigned same[_PLAN_KIND_MAX] = {0}, nsame = 0;

		for (int k = 0; k < _PLAN_KIND_MAX; k++)
			for (unsigned i = 0; i < p->n; i++) {
				const struct plan_item *it = &p->items[i];

				if (it->kind != (enum plan_kind)k || strcmp(it->ifname, names[ni]) != 0)
					continue;
				if (shown(it)) {
					plan_item_text(f, it);
				} else {
					same[k]++;
					nsame++;
				}
			}
		if (nsame) {
			const char *sep = "";

			fprintf(f, "%s: %u unchanged (", names[ni], nsame);
			for (int k = 0; k < _PLAN_KIND_MAX; k++)
				if (same[k]) {
					if (k == PLAN_CHANNELS)
						fprintf(f, "%schannels", sep);
					else
						fprintf(f, "%s%u %s%s", sep, same[k], kind_word[k],
							k == PLAN_IRQ_AFFINITY && same[k] > 1 ? "s" : "");
					sep = ", ";
				}
			fprintf(f, ")\n");
		}
		/* what unchanged items have to say ("the device offers 1 queue ...") */
		for (unsigned i = 0; i < p->n; i++)
			if (!shown(&p->items[i]) && p->items[i].note[0] &&
			    strcmp(p->items[i].ifname, names[ni]) == 0)
				fprintf(f, "%s: %s\n", names[ni], p->items[i].note);
		for (unsigned i = 0; i < p->nnotes; i++)
			if (strcmp(p->notes[i].ifname, names[ni]) == 0)
				fprintf(f, "%s%s%s\n", p->notes[i].ifname, p->notes[i].ifname[0] ? ": " : "",
					p->notes[i].text);
	}
	if (!r) {
		if (changes)
			fprintf(f, "dry run: %u change%s planned, nothing written\n", changes,
				changes == 1 ? "" : "s");
		else
			fprintf(f, "dry run: nothing to do, everything is already tuned\n");
	} else if (r->ok == 0 && r->failed == 0) {
		fprintf(f, "nothing to do: everything is already tuned (%u unchanged, %u skipped)\n",
			r->unchanged, r->skipped);
	} else {
		fprintf(f, "applied: %u ok, %u failed, %u skipped, %u unchanged\n", r->ok, r->failed,
			r->skipped, r->unchanged);
	}
	if (r && r->reprobe_err)
		fprintf(f, "re-probe after the channel change failed: %s\n", strerror(-r->reprobe_err));
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

static void channels_json(struct jsonw *w, const char *key, const struct mq_channels *c, bool max)
{
	jsonw_key(w, key);
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "combined", max ? c->combined_max : c->combined);
	jsonw_kv_uint(w, "rx", max ? c->rx_max : c->rx);
	jsonw_kv_uint(w, "tx", max ? c->tx_max : c->tx);
	jsonw_kv_uint(w, "other", max ? c->other_max : c->other);
	jsonw_object_end(w);
}

static void item_json(struct jsonw *w, const struct plan_item *it)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "kind", plan_kind_to_string(it->kind));
	jsonw_kv_string(w, "ifname", it->ifname);
	jsonw_kv_int(w, "ifindex", it->ifindex);
	if (it->kind == PLAN_CHANNELS) {
		jsonw_kv_null(w, "queue");
		channels_json(w, "current", &it->ch_current, false);
		channels_json(w, "target", &it->ch_target, false);
		channels_json(w, "max", &it->ch_current, true);
	} else {
		jsonw_kv_int(w, "queue", it->queue);
		if (it->kind == PLAN_IRQ_AFFINITY) {
			jsonw_kv_int(w, "irq", it->irq);
			jsonw_kv_string(w, "irq_name", it->irq_name);
		}
		jsonw_kv_cpus(w, "current_cpus", it->has_current ? &it->current : NULL);
		jsonw_kv_cpus(w, "target_cpus", &it->target);
		if (it->kind == PLAN_IRQ_AFFINITY)
			jsonw_kv_cpus(w, "effective_cpus", it->has_effective ? &it->effective : NULL);
	}
	jsonw_kv_bool(w, "change", it->change);
	jsonw_kv_string(w, "status", step_status_to_string(it->status));
	jsonw_key(w, "errno");
	if (it->err)
		jsonw_int(w, -it->err);
	else
		jsonw_null(w);
	jsonw_kv_string_or_null(w, "message", it->msg);
	jsonw_kv_string_or_null(w, "note", it->note);
	jsonw_object_end(w);
}

int plan_render_json(FILE *f, const struct mq_plan *p, const struct apply_report *r, bool pretty)
{
	struct jsonw w;

	jsonw_init(&w, f, pretty);
	jsonw_object_begin(&w);
	jsonw_kv_bool(&w, "dry_run", r == NULL);
	jsonw_key(&w, "summary");
	jsonw_object_begin(&w);
	jsonw_kv_uint(&w, "changes", plan_changes(p));
	if (r) {
		jsonw_kv_uint(&w, "ok", r->ok);
		jsonw_kv_uint(&w, "failed", r->failed);
		jsonw_kv_uint(&w, "skipped", r->skipped);
		jsonw_kv_uint(&w, "unchanged", r->unchanged);
		jsonw_kv_bool(&w, "reprobed", r->reprobed);
		jsonw_kv_string_or_null(&w, "reprobe_error", r->reprobe_err ? strerror(-r->reprobe_err) : NULL);
		jsonw_kv_int(&w, "exit_status", apply_exit_status(r));
	} else {
		jsonw_kv_null(&w, "ok");
		jsonw_kv_null(&w, "failed");
		jsonw_kv_null(&w, "skipped");
		jsonw_kv_null(&w, "unchanged");
		jsonw_kv_bool(&w, "reprobed", false);
		jsonw_kv_null(&w, "reprobe_error");
		jsonw_kv_int(&w, "exit_status", 0);
	}
	jsonw_object_end(&w);
	jsonw_key(&w, "cpus");
	jsonw_object_begin(&w);
	jsonw_kv_cpus(&w, "online", &p->online);
	jsonw_kv_cpus(&w, "usable", &p->usable);
	jsonw_kv_uint(&w, "nr_cpu_ids", p->nr_cpu_ids);
	jsonw_object_end(&w);
	jsonw_key(&w, "items");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < p->n; i++)
		item_json(&w, &p->items[i]);
	jsonw_array_end(&w);
	jsonw_key(&w, "notes");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < p->nnotes; i++) {
		jsonw_object_begin(&w);
		jsonw_kv_string_or_null(&w, "ifname", p->notes[i].ifname);
		jsonw_kv_string(&w, "text", p->notes[i].text);
		jsonw_object_end(&w);
	}
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	return jsonw_finish(&w);
}
