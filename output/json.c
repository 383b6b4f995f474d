// SPDX-License-Identifier: MIT
/*
 * The JSON report (docs/json.md). snake_case keys as in `ip -j`;
 * null, never 0, for what is missing or unsupported.
 */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "core/rates.h"
#include "core/rss.h"
#include "core/version.h"
#include "output/jsonw.h"
#include "output/report.h"


#define JSON_SCHEMA_VERSION 2
#define MAX_QUEUE_IRQS 8

static void kv_counter(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	if (v == MQ_NA)
		jsonw_null(w);
	else
		jsonw_uint(w, v);
}

static void kv_rate(struct jsonw *w, const char *key, uint64_t delta, double secs)
{
	jsonw_key(w, key);
	if (secs <= 0 || delta == MQ_NA)
		jsonw_null(w);
	else
		jsonw_double(w, (double)delta / secs, 3);
}

static void kv_int_or_null(struct jsonw *w, const char *key, int v)
{
	jsonw_key(w, key);
	if (v < 0)
		jsonw_null(w);
	else
		jsonw_int(w, v);
}

static void render_cpus(struct jsonw *w, const struct mq_assessment *a)
{
	const struct mq_cpus *c = &a->now->cpus;

	jsonw_key(w, "cpus");
	jsonw_object_begin(w);
	jsonw_kv_cpus(w, "online", true, c->online);
	jsonw_kv_cpus(w, "usable", true, a->usable);
	jsonw_kv_bool(w, "usable_fallback", a->usable_fallback);
	jsonw_kv_cpus(w, "isolated", true, c->isolated);
	jsonw_kv_cpus(w, "nohz_full", true, c->nohz_full);
	jsonw_kv_cpus(w, "banned", true, a->banned);
	jsonw_kv_bool(w, "smt_active", c->smt_active);
	jsonw_kv_uint(w, "numa_nodes", c->n_nodes);
	jsonw_object_end(w);
}

static void render_platform(struct jsonw *w, const struct mq_platform *p)
{
	jsonw_key(w, "platform");
	jsonw_object_begin(w);
	jsonw_kv_string_or_null(w, "hypervisor", p->hypervisor);
	jsonw_kv_string_or_null(w, "cloud", p->cloud);
	jsonw_kv_string_or_null(w, "sys_vendor", p->sys_vendor);
	jsonw_kv_string_or_null(w, "product_name", p->product_name);
	kv_int_or_null(w, "irqbalance_pid", p->irqbalance_pid > 0 ? (int)p->irqbalance_pid : -1);
	jsonw_object_end(w);
	jsonw_kv_bool(w, "irqbalance_running", p->irqbalance_pid > 0);
}

static void channel_pair(struct jsonw *w, const char *key, const char *key_max, uint32_t cur, uint32_t max)
{
	jsonw_key(w, key);
	if (max)
		jsonw_uint(w, cur);
	else
		jsonw_null(w);
	jsonw_key(w, key_max);
	if (max)
		jsonw_uint(w, max);
	else
		jsonw_null(w);
}

static void render_channels(struct jsonw *w, const struct mq_channels *c)
{
	jsonw_key(w, "channels");
	if (c->source == CHANNELS_NONE) {
		jsonw_null(w);
		jsonw_key(w, "channels_error");
		if (c->errmsg[0])
			jsonw_string(w, c->errmsg);
		else if (c->err)
			jsonw_string(w, strerror(-c->err));
		else
			jsonw_string(w, "not queried");
		return;
	}
	jsonw_object_begin(w);
	channel_pair(w, "combined", "combined_max", c->combined, c->combined_max);
	channel_pair(w, "rx", "rx_max", c->rx, c->rx_max);
	channel_pair(w, "tx", "tx_max", c->tx, c->tx_max);
	channel_pair(w, "other", "other_max", c->other, c->other_max);
	jsonw_kv_string(w, "source", channels_source_to_string(c->source));
	jsonw_object_end(w);
	jsonw_kv_null(w, "channels_error");
}

static void render_irq(struct jsonw *w, const struct mq_irq *irq)
{
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "irq", irq->irq);
	jsonw_kv_string(w, "name", irq->name);
	jsonw_kv_string(w, "role", irq_role_to_string(irq->role));
	kv_int_or_null(w, "queue", irq->queue);
	jsonw_kv_cpus(w, "effective_cpus", irq->has_effective, irq->effective);
	jsonw_kv_cpus(w, "affinity_cpus", irq->has_affinity, irq->affinity);
	kv_counter(w, "count", irq->total);
	jsonw_kv_bool(w, "managed", irq->managed);
	jsonw_object_end(w);
}

static void render_queue(struct jsonw *w, const struct mq_assessment *a, const struct mq_nic *n,
			 unsigned q)
{
	const struct mq_queue *qu = &n->queues[q];
	unsigned idx[MAX_QUEUE_IRQS], k = nic_queue_irqs(n, q, idx, MAX_QUEUE_IRQS);
	struct queue_counts d = {MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA, MQ_NA};
	double secs = a->before ? a->interval : 0;
	double share = qu->has_rx ? queue_rx_share(a->before, n, q) : NAN;

	if (secs > 0)
		queue_counts(a->before, n, q, &d);
	jsonw_object_begin(w);
	jsonw_kv_uint(w, "queue", qu->index);
	jsonw_kv_bool(w, "has_rx", qu->has_rx);
	jsonw_kv_bool(w, "has_tx", qu->has_tx);
	kv_counter(w, "rx_packets", qu->rx_packets);
	kv_counter(w, "tx_packets", qu->tx_packets);
	kv_counter(w, "rx_bytes", qu->rx_bytes);
	kv_counter(w, "tx_bytes", qu->tx_bytes);
	kv_counter(w, "rx_drops", qu->rx_drops);
	kv_counter(w, "tx_drops", qu->tx_drops);
	kv_rate(w, "rx_packets_per_sec", d.rx_packets, secs);
	kv_rate(w, "tx_packets_per_sec", d.tx_packets, secs);
	kv_rate(w, "rx_bytes_per_sec", d.rx_bytes, secs);
	kv_rate(w, "tx_bytes_per_sec", d.tx_bytes, secs);
	kv_rate(w, "rx_drops_per_sec", d.rx_drops, secs);
	kv_rate(w, "tx_drops_per_sec", d.tx_drops, secs);
	jsonw_kv_double(w, "rx_share", share, 4); /* NAN -> null */
	kv_int_or_null(w, "napi_id", qu->napi_id);
	jsonw_key(w, "irqs");
	jsonw_array_begin(w);
	for (unsigned i = 0; i < k; i++)
		render_irq(w, &n->irqs[idx[i]]);
	jsonw_array_end(w);
	jsonw_kv_cpus(w, "xps_cpus", qu->has_xps, qu->xps);
	jsonw_kv_cpus(w, "rps_cpus", qu->has_rps, qu->rps);
	jsonw_object_end(w);
}

/* The table's spread, not its entries: what a reader needs to judge it. */
static void render_rss(struct jsonw *w, const struct mq_nic *n)
{
	struct rss_spread sp;

	jsonw_key(w, "rss");
	if (rss_nic_analyse(n, &sp) < 0) {
		jsonw_null(w);
		jsonw_key(w, "rss_error");
		if (n->rss.errmsg[0])
			jsonw_string(w, n->rss.errmsg);
		else if (n->rss.err)
			jsonw_string(w, strerror(-n->rss.err));
		else
			jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_kv_string(w, "source", rss_source_to_string(n->rss.source));
	jsonw_kv_uint(w, "entries", sp.n);
	jsonw_kv_uint(w, "key_size", n->rss.key_size);
	jsonw_kv_string(w, "hfunc", rss_hfunc_to_string(n->rss.hfunc));
	jsonw_kv_uint(w, "rx_queues", sp.nqueues);
	jsonw_kv_uint(w, "queues_covered", sp.covered);
	jsonw_kv_cpus(w, "queues_left_out", true, cpuset_buf(&sp.left_out_set));
	jsonw_kv_uint(w, "entries_beyond", sp.beyond);
	jsonw_kv_double(w, "max_weight_share", sp.max_share, 4);
	jsonw_kv_bool(w, "even", sp.even);
	jsonw_kv_bool(w, "driver_default", sp.is_default);
	jsonw_object_end(w);
	jsonw_kv_null(w, "rss_error");
}

static void render_verdict(struct jsonw *w, const struct mq_assessment *a, const struct mq_nic *n)
{
	const struct mq_nic_verdict *v = assess_nic(a, n);
	unsigned changes = 0;

	jsonw_key(w, "target");
	if (!v || (!v->tuned && v->hold == HOLD_NONE)) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	jsonw_kv_bool(w, "tuned", v->tuned);
	jsonw_key(w, "queues_max");
	if (v->queues_max)
		jsonw_uint(w, v->queues_max);
	else
		jsonw_null(w);
	jsonw_kv_uint(w, "queues_active", v->queues_active);
	jsonw_kv_uint(w, "queues_wanted", v->queues_wanted);
	jsonw_kv_uint(w, "queues", v->queues_target);
	jsonw_kv_bool(w, "clamped_cpus", v->clamped_cpus);
	jsonw_kv_bool(w, "clamped_device", v->clamped_device);
	jsonw_kv_string(w, "hold", plan_hold_to_string(v->hold));
	for (unsigned i = v->first; i < v->first + v->count && i < a->plan.n; i++)
		changes += a->plan.items[i].change;
	jsonw_kv_uint(w, "pending_changes", changes);
	jsonw_object_end(w);
}

/* Where each per-queue column came from; null when no source gave any. */
static void render_counter_sources(struct jsonw *w, const struct mq_nic *n)
{
	jsonw_key(w, "counter_sources");
	if (n->stats_source == STATS_NONE) {
		jsonw_null(w);
		return;
	}
	jsonw_object_begin(w);
	for (unsigned c = 0; c < _STATS_COL_MAX; c++) {
		enum mq_stats_source src = n->col_source[c];

		jsonw_kv_string(w, stats_col_to_string(c), src != STATS_NONE ? stats_source_to_string(src) : NULL);
	}
	jsonw_object_end(w);
}

static void render_nic(struct jsonw *w, const struct mq_assessment *a, const struct mq_nic *n)
{
	jsonw_object_begin(w);
	jsonw_kv_string(w, "ifname", n->name);
	jsonw_kv_int(w, "ifindex", n->ifindex);
	jsonw_kv_string_or_null(w, "kind", n->kind);
	jsonw_kv_string_or_null(w, "driver", n->driver);
	jsonw_kv_string_or_null(w, "bus_info", n->bus_info);
	jsonw_kv_string_or_null(w, "operstate", n->operstate);
	jsonw_kv_uint(w, "mtu", n->mtu);
	jsonw_kv_bool(w, "has_device", n->has_device);
	kv_int_or_null(w, "numa_node", n->numa_node);
	jsonw_kv_uint(w, "num_tx_queues", n->num_tx_queues);
	jsonw_kv_uint(w, "num_rx_queues", n->num_rx_queues);
	jsonw_kv_uint(w, "real_tx_queues", n->real_tx_queues);
	jsonw_kv_uint(w, "real_rx_queues", n->real_rx_queues);
	render_channels(w, &n->ch);
	jsonw_kv_string(w, "stats_source", stats_source_to_string(n->stats_source));
	render_counter_sources(w, n);
	jsonw_kv_string(w, "counters_missing", counters_missing_to_string(n->counters_missing));
	jsonw_kv_string(w, "irq_map_source", irqmap_source_to_string(n->irqmap_source));
	jsonw_kv_bool(w, "irq_shared", n->irq_shared);
	render_rss(w, n);
	jsonw_kv_bool(w, "xdp", n->xdp);
	jsonw_key(w, "stats");
	jsonw_object_begin(w);
	kv_counter(w, "rx_packets", n->rx_packets);
	kv_counter(w, "tx_packets", n->tx_packets);
	kv_counter(w, "rx_bytes", n->rx_bytes);
	kv_counter(w, "tx_bytes", n->tx_bytes);
	kv_counter(w, "rx_dropped", n->rx_dropped);
	kv_counter(w, "tx_dropped", n->tx_dropped);
	jsonw_object_end(w);
	jsonw_kv_string_or_null(w, "probe_error", n->errmsg);
	jsonw_key(w, "tuned_since");
	if (n->tuned_since > 0)
		jsonw_int(w, n->tuned_since);
	else
		jsonw_null(w);
	render_verdict(w, a, n);
	jsonw_key(w, "queues");
	jsonw_array_begin(w);
	for (unsigned q = 0; n->queues && q < n->nqueues; q++)
		render_queue(w, a, n, q);
	jsonw_array_end(w);
	jsonw_key(w, "other_irqs");
	jsonw_array_begin(w);
	for (unsigned i = 0; n->irqs && i < n->nirqs; i++)
		if (!nic_irq_is_queue(n, i))
			render_irq(w, &n->irqs[i]);
	jsonw_array_end(w);
	jsonw_object_end(w);
}

void json_findings(struct jsonw *w, const struct mq_assessment *a)
{
	jsonw_key(w, "findings");
	jsonw_array_begin(w);
	for (unsigned i = 0; i < a->nfindings; i++) {
		const struct mq_finding *f = &a->findings[i];

		jsonw_object_begin(w);
		jsonw_kv_string(w, "severity", severity_to_string(f->severity));
		jsonw_kv_string(w, "code", finding_code_to_string(f->code));
		jsonw_kv_string_or_null(w, "interface", f->ifname);
		jsonw_kv_string(w, "message", f->message);
		jsonw_kv_string_or_null(w, "fix", f->fix);
		jsonw_kv_string(w, "fix_kind", finding_fix_to_string(f->fix_kind));
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

static void kv_num(struct jsonw *w, const char *key, double v, int decimals)
{
	jsonw_kv_double(w, key, v, decimals); /* NAN -> null */
}

/* Where the work lands, per usable CPU: rates over the interval (null without one). */
static void render_load(struct jsonw *w, const struct mq_assessment *a)
{
	const struct cpuload *l = &a->load;

	jsonw_key(w, "cpu_load");
	jsonw_array_begin(w);
	CPUSET_FOREACH(cpu, a->usable) {
		const struct cpuload_cpu *c = (unsigned)cpu < l->n ? &l->cpu[cpu] : NULL;

		if (!c)
			continue;
		jsonw_object_begin(w);
		jsonw_kv_int(w, "cpu", cpu);
		kv_num(w, "softirq_share", c->softirq_share, 4);
		kv_num(w, "irq_share", c->irq_share, 4);
		kv_num(w, "steal_share", c->steal_share, 4);
		kv_num(w, "net_rx_softirqs_per_sec", c->net_rx_per_s, 3);
		kv_num(w, "net_tx_softirqs_per_sec", c->net_tx_per_s, 3);
		kv_num(w, "softnet_processed_per_sec", c->softnet_processed_per_s, 3);
		kv_num(w, "softnet_dropped_per_sec", c->softnet_dropped_per_s, 3);
		kv_num(w, "softnet_squeezed_per_sec", c->softnet_squeezed_per_s, 3);
		kv_num(w, "queue_irqs_per_sec", l->secs > 0 ? c->queue_irqs_per_s : NAN, 3);
		jsonw_key(w, "irqs");
		jsonw_array_begin(w);
		for (unsigned i = 0; i < c->nirqs; i++) {
			const struct cpuload_irq *q = &c->irqs[i];
			const struct mq_nic *n = &a->now->nics[q->nic];

			jsonw_object_begin(w);
			jsonw_kv_string(w, "interface", n->name);
			jsonw_kv_uint(w, "irq", n->irqs[q->irq].irq);
			jsonw_kv_int(w, "queue", q->queue);
			jsonw_kv_string(w, "role", irq_role_to_string(q->role));
			jsonw_kv_bool(w, "affine", q->affine);
			kv_num(w, "per_sec", q->per_s, 3);
			jsonw_object_end(w);
		}
		jsonw_array_end(w);
		jsonw_object_end(w);
	}
	jsonw_array_end(w);
}

int report_render_json(FILE *f, const struct report_input *in)
{
	const struct mq_assessment *a = in ? in->a : NULL;
	struct jsonw w;
	int r;

	if (!f || !a || !a->now)
		return -EINVAL;
	jsonw_init(&w, f, in->pretty);
	jsonw_object_begin(&w);
	jsonw_kv_int(&w, "schema_version", JSON_SCHEMA_VERSION);
	jsonw_kv_string(&w, "version", mq_version);
	jsonw_key(&w, "interval");
	if (a->before)
		jsonw_double(&w, a->interval, 3);
	else
		jsonw_null(&w);
	render_cpus(&w, a);
	render_platform(&w, &a->now->platform);
	jsonw_kv_bool(&w, "unprivileged", a->now->unprivileged);
	jsonw_kv_string_or_null(&w, "probe_error", a->now->errmsg);
	jsonw_key(&w, "interfaces");
	jsonw_array_begin(&w);
	for (unsigned i = 0; i < a->now->nnics; i++)
		render_nic(&w, a, &a->now->nics[i]);
	jsonw_array_end(&w);
	render_load(&w, a);
	jsonw_kv_uint(&w, "pending_changes", plan_changes(&a->plan));
	json_findings(&w, a);
	jsonw_object_end(&w);
	r = jsonw_finish(&w);
	if (fflush(f))
		return -EIO;
	return r;
}
