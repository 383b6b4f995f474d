// SPDX-License-Identifier: MIT
/*
 * Prometheus text format for node_exporter's textfile collector, which drops
 * a file whole on any parse error and rejects duplicate series. So: HELP and
 * TYPE once per family, written just before its first sample (families stay
 * contiguous and a family without samples leaves no trace), label values
 * escaped, no timestamps, one series per label set, a final newline.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "core/rss.h"
#include "core/version.h"
#include "output/prom.h"


/* ---- writing ------------------------------------------------------------- */

struct fam {
	const char *name, *type, *help;
	bool started;
};

struct lbl {
	const char *k, *v;
};

/*
 * Label values must be valid UTF-8 with backslash, double quote and newline
 * escaped. A name is written as the text report shows it (core/escape.h: a
 * control character or a byte that is not UTF-8 as the text \xNN), except
 * that a backslash stays one: the value read back is the name itself
 * wherever the name is printable UTF-8, so it joins node_exporter's device.
 */
static void put_escaped(FILE *f, const char *v)
{
	char buf[ESCAPE_BUF];

	for (const char *c = escape_text(buf, sizeof(buf), v, false); *c; c++) {
		if (*c == '\\' || *c == '"')
			fputc('\\', f);
		fputc(*c, f);
	}
}

/*
 * Two names written as the same label value are one series: a byte 0xff and
 * the text \xff. Only a name with a backslash can meet another that way.
 */
static bool same_label(const char *a, const char *b)
{
	char x[ESCAPE_BUF], y[ESCAPE_BUF];

	if (strcmp(a, b) == 0)
		return true;
	if (!strchr(a, '\\') && !strchr(b, '\\'))
		return false;
	return strcmp(escape_text(x, sizeof(x), a, false), escape_text(y, sizeof(y), b, false)) == 0;
}

static void labels(FILE *f, struct fam *fam, const struct lbl *l, size_t nl)
{
	if (!fam->started) {
		fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", fam->name, fam->help, fam->name, fam->type);
		fam->started = true;
	}
	fputs(fam->name, f);
	for (size_t i = 0; i < nl; i++) {
		fprintf(f, "%c%s=\"", i ? ',' : '{', l[i].k);
		put_escaped(f, l[i].v);
		fputc('"', f);
	}
	fputs(nl ? "} " : " ", f);
}

/* A ratio 0..1 (base units, never a percentage). */
static void sample_ratio(FILE *f, struct fam *fam, const struct lbl *l, size_t nl, double v)
{
	labels(f, fam, l, nl);
	fprintf(f, "%.4f\n", v);
}

static void sample(FILE *f, struct fam *fam, const struct lbl *l, size_t nl, uint64_t v)
{
	labels(f, fam, l, nl);
	fprintf(f, "%" PRIu64 "\n", v);
}

/* ---- duplicate guards: the snapshot comes from the kernel, trust nothing --- */

static bool nic_first(const struct mq_snapshot *s, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (same_label(s->nics[j].name, s->nics[i].name))
			return false;
	return true;
}

static unsigned nic_nqueues(const struct mq_nic *n) { return n->queues ? n->nqueues : 0; }
static unsigned nic_nirqs(const struct mq_nic *n) { return n->irqs ? n->nirqs : 0; }

static bool queue_first(const struct mq_nic *n, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (n->queues[j].index == n->queues[i].index)
			return false;
	return true;
}

static bool irq_first(const struct mq_nic *n, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (n->irqs[j].irq == n->irqs[i].irq)
			return false;
	return true;
}

static bool finding_first(const struct mq_finding *fs, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (fs[j].code == fs[i].code && fs[j].severity == fs[i].severity &&
		    same_label(fs[j].ifname, fs[i].ifname))
			return false;
	return true;
}

static bool tune_nic_first(const struct mq_tune_stats *t, unsigned i)
{
	for (unsigned j = 0; j < i; j++)
		if (same_label(t->nic[j].ifname, t->nic[i].ifname)) /* snprintf'd: terminated */
			return false;
	return true;
}

/* ---- families ------------------------------------------------------------ */

/* A queue's IRQ, or the one vector every queue shares: what a CPU carries for the NIC. */
static bool queue_irq(const struct mq_irq *q)
{
	return irq_role_is_queue(q->role) || q->role == IRQ_ROLE_SHARED;
}

static void render_machine(FILE *f, const struct prom_input *in)
{
	const struct mq_snapshot *s = in->a->now;
	struct fam build = {"mqbalance_build_info", "gauge",
			    "Always 1; the version label says which mqbalance wrote this file."};
	struct fam online = {"mqbalance_cpus_online", "gauge", "Online CPUs."};
	struct fam usable = {"mqbalance_cpus_usable", "gauge",
			     "Online CPUs that may take queue IRQs (not isolated, nohz_full or banned)."};
	struct fam spread = {"mqbalance_cpu_queue_irqs", "gauge",
			     "Queue IRQs whose effective affinity (else the requested one) includes this "
			     "online CPU."};
	struct fam fired = {"mqbalance_cpu_queue_interrupts_total", "counter",
			    "Interrupts of NIC queue IRQs on this CPU (/proc/interrupts), all NICs."};
	/* per online CPU, by id: sized by the highest online CPU, not MQ_MAX_CPUS */
	unsigned width = (unsigned)(cpuset_last(s->cpus.online) + 1);
	struct {
		uint32_t nirqs;
		bool known;
		uint64_t count;
	} *per = NULL;
	char cpu[16];

	sample(f, &build, (struct lbl[]){{"version", in->version ? in->version : mq_version}}, 1, 1);
	sample(f, &online, NULL, 0, cpuset_count(s->cpus.online));
	sample(f, &usable, NULL, 0, in->a->nusable);
	per = calloc(width ? width : 1, sizeof(*per));
	if (!per)
		return; /* no memory: the per-CPU families are left out */

	/* one pass over the IRQs, then one sample per online CPU */
	for (unsigned i = 0; s->nics && i < s->nnics; i++) {
		const struct mq_nic *nic = &s->nics[i];

		if (!nic_first(s, i))
			continue;
		for (unsigned k = 0; k < nic_nirqs(nic); k++) {
			const struct mq_cpuset *cs = irq_cpus(&nic->irqs[k]);

			if (!queue_irq(&nic->irqs[k]) || !irq_first(nic, k))
				continue;
			for (unsigned c = 0; nic->irqs[k].per_cpu && c < nic->irqs[k].n_per_cpu && c < width; c++)
				if (nic->irqs[k].per_cpu[c] != MQ_NA) {
					per[c].count += nic->irqs[k].per_cpu[c];
					per[c].known = true;
				}
			CPUSET_FOREACH(c, cs)
				if ((unsigned)c < width)
					per[c].nirqs++;
		}
	}
	CPUSET_FOREACH(c, s->cpus.online) {
		snprintf(cpu, sizeof(cpu), "%d", c);
		sample(f, &spread, (struct lbl[]){{"cpu", cpu}}, 1, per[c].nirqs);
	}
	/* node_exporter's interrupts collector is off by default and splits per IRQ; this is per CPU */
	CPUSET_FOREACH(c, s->cpus.online) {
		if (!per[c].known)
			continue;
		snprintf(cpu, sizeof(cpu), "%d", c);
		sample(f, &fired, (struct lbl[]){{"cpu", cpu}}, 1, per[c].count);
	}
	free(per);
}

static void render_devices(FILE *f, const struct prom_input *in)
{
	const struct mq_snapshot *s = in->a->now;
	struct fam info = {"mqbalance_device_info", "gauge",
			   "Always 1; driver and where mqbalance reads this NIC's queues, counters and IRQs."};
	struct fam rxq = {"mqbalance_device_receive_queues", "gauge",
			  "Active receive queues (sysfs queues/rx-N)."};
	struct fam txq = {"mqbalance_device_transmit_queues", "gauge",
			  "Active transmit queues (sysfs queues/tx-N)."};

	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_nic *n = &s->nics[i];

		if (!nic_first(s, i))
			continue;
		sample(f, &info,
		       (struct lbl[]){{"device", n->name},
				      {"driver", n->driver},
				      {"bus_info", n->bus_info},
				      {"kind", n->kind},
				      {"channels_source", channels_source_to_string(n->ch.source)},
				      {"stats_source", stats_source_to_string(n->stats_source)},
				      {"irqmap_source", irqmap_source_to_string(n->irqmap_source)}},
		       7, 1);
	}
	for (unsigned i = 0; i < s->nnics; i++)
		if (nic_first(s, i))
			sample(f, &rxq, (struct lbl[]){{"device", s->nics[i].name}}, 1,
			       s->nics[i].real_rx_queues);
	for (unsigned i = 0; i < s->nnics; i++)
		if (nic_first(s, i))
			sample(f, &txq, (struct lbl[]){{"device", s->nics[i].name}}, 1,
			       s->nics[i].real_tx_queues);
}

enum ch_what { CH_CUR, CH_MAX, CH_TARGET };

static void render_channels(FILE *f, const struct prom_input *in)
{
	static const char *const type[] = {"combined", "rx", "tx", "other"};
	const struct mq_snapshot *s = in->a->now;
	struct fam fams[] = {
		[CH_CUR] = {"mqbalance_channels", "gauge",
			    "Current channel count of this type (ethtool -l); only types the NIC supports."},
		[CH_MAX] = {"mqbalance_channels_max", "gauge", "Maximum channel count of this type."},
		[CH_TARGET] = {"mqbalance_channels_target", "gauge",
			       "Channel count of this type that mqbalance's plan wants."},
	};

	for (unsigned w = CH_CUR; w <= CH_TARGET; w++) {
		for (unsigned i = 0; i < s->nnics; i++) {
			const struct mq_nic *n = &s->nics[i];
			const struct mq_channels *ch = &n->ch;
			const uint32_t cur[] = {ch->combined, ch->rx, ch->tx, ch->other};
			const uint32_t max[] = {ch->combined_max, ch->rx_max, ch->tx_max, ch->other_max};
			const struct mq_nic_verdict *v = &in->a->nics[i];
			const struct plan_item *it = assess_item(in->a, v, PLAN_CHANNELS);
			bool known = ch->source != CHANNELS_NONE, has_target = it != NULL;
			uint32_t tgt[4] = {0};

			if (!nic_first(s, i))
				continue;
			if (has_target) {
				tgt[0] = it->ch_target.combined;
				tgt[1] = it->ch_target.rx;
				tgt[2] = it->ch_target.tx;
				tgt[3] = it->ch_target.other;
			}
			for (unsigned k = 0; k < 4; k++) {
				struct lbl l[] = {{"device", n->name}, {"type", type[k]}};
				bool supported = known && max[k] > 0;

				if (w == CH_CUR && supported)
					sample(f, &fams[w], l, 2, cur[k]);
				else if (w == CH_MAX && supported)
					sample(f, &fams[w], l, 2, max[k]);
				else if (w == CH_TARGET && has_target && (supported || tgt[k] > 0))
					sample(f, &fams[w], l, 2, tgt[k]);
			}
		}
	}
}

enum q_field { Q_RX_PACKETS, Q_RX_BYTES, Q_RX_DROPS, Q_TX_PACKETS, Q_TX_BYTES, Q_TX_DROPS, _Q_MAX };

static uint64_t queue_field(const struct mq_queue *q, enum q_field k)
{
	switch (k) {
	case Q_RX_PACKETS: return q->rx_packets;
	case Q_RX_BYTES: return q->rx_bytes;
	case Q_RX_DROPS: return q->rx_drops;
	case Q_TX_PACKETS: return q->tx_packets;
	case Q_TX_BYTES: return q->tx_bytes;
	case Q_TX_DROPS: return q->tx_drops;
	default: return MQ_NA;
	}
}

/* The RSS table's spread: queues that get flows, and the busiest queue's share of the hash space. */
static void render_rss(FILE *f, const struct prom_input *in)
{
	const struct mq_snapshot *s = in->a->now;
	struct fam cov = {"mqbalance_rss_queues_covered", "gauge",
			  "Active RX queues the RSS indirection table sends flows to."};
	struct fam share = {"mqbalance_rss_max_weight_share", "gauge",
			    "Share of the RSS table's entries on its busiest RX queue, 0..1 (even: 1/queues)."};

	for (int pass = 0; pass < 2; pass++)
		for (unsigned i = 0; i < s->nnics; i++) {
			struct rss_spread sp;
			struct lbl l[] = {{"device", s->nics[i].name}};

			if (!nic_first(s, i) || rss_nic_analyse(&s->nics[i], &sp) < 0)
				continue;
			if (pass == 0)
				sample(f, &cov, l, 1, sp.covered);
			else
				sample_ratio(f, &share, l, 1, sp.max_share);
		}
}

static void render_queues(FILE *f, const struct prom_input *in)
{
	const struct mq_snapshot *s = in->a->now;
	struct fam fams[_Q_MAX] = {
		[Q_RX_PACKETS] = {"mqbalance_queue_receive_packets_total", "counter",
				  "Packets received on this queue."},
		[Q_RX_BYTES] = {"mqbalance_queue_receive_bytes_total", "counter",
				"Bytes received on this queue."},
		[Q_RX_DROPS] = {"mqbalance_queue_receive_drops_total", "counter",
				"Packets dropped on receive on this queue."},
		[Q_TX_PACKETS] = {"mqbalance_queue_transmit_packets_total", "counter",
				  "Packets transmitted on this queue."},
		[Q_TX_BYTES] = {"mqbalance_queue_transmit_bytes_total", "counter",
				"Bytes transmitted on this queue."},
		[Q_TX_DROPS] = {"mqbalance_queue_transmit_drops_total", "counter",
				"Packets dropped on transmit on this queue."},
	};
	char qs[16];

	for (unsigned k = 0; k < _Q_MAX; k++) {
		for (unsigned i = 0; i < s->nnics; i++) {
			const struct mq_nic *n = &s->nics[i];

			if (!nic_first(s, i))
				continue;
			for (unsigned j = 0; j < nic_nqueues(n); j++) {
				uint64_t v = queue_field(&n->queues[j], k);

				/* a counter the source lacks is absent, never 0 */
				if (v == MQ_NA || !queue_first(n, j))
					continue;
				snprintf(qs, sizeof(qs), "%u", n->queues[j].index);
				sample(f, &fams[k], (struct lbl[]){{"device", n->name}, {"queue", qs}}, 2,
				       v);
			}
		}
	}
}

static void render_irqs(FILE *f, const struct prom_input *in)
{
	const struct mq_snapshot *s = in->a->now;
	struct fam total = {"mqbalance_irq_interrupts_total", "counter",
			    "Interrupts of this NIC IRQ, summed over CPUs (/proc/interrupts)."};
	struct fam info = {"mqbalance_irq_info", "gauge",
			   "Always 1; the IRQ's action name and the CPUs it really lands on "
			   "(effective_affinity_list)."};
	char irq[16], queue[16], cpus[MQ_CPULIST_MAX];

	for (int pass = 0; pass < 2; pass++) {
		for (unsigned i = 0; i < s->nnics; i++) {
			const struct mq_nic *n = &s->nics[i];

			if (!nic_first(s, i))
				continue;
			for (unsigned j = 0; j < nic_nirqs(n); j++) {
				const struct mq_irq *q = &n->irqs[j];
				struct lbl l[] = {{"device", n->name}, {"irq", irq}, {"queue", queue},
						  {"role", irq_role_to_string(q->role)},
						  {"name", q->name}, {"effective_cpus", cpus}};

				if (!irq_first(n, j))
					continue;
				snprintf(irq, sizeof(irq), "%u", q->irq);
				/* a non-queue IRQ has no queue: the empty value is the absent label */
				if (q->queue >= 0)
					snprintf(queue, sizeof(queue), "%d", q->queue);
				else
					queue[0] = '\0';
				if (pass == 0) {
					if (q->total != MQ_NA)
						sample(f, &total, l, 4, q->total);
					continue;
				}
				if (!q->has_effective || cpuset_format_list(q->effective, cpus, sizeof(cpus)) < 0)
					cpus[0] = '\0';
				sample(f, &info, l, 6, 1);
			}
		}
	}
}

static void render_findings(FILE *f, const struct prom_input *in)
{
	struct fam count = {"mqbalance_findings", "gauge", "Active findings of this severity."};
	struct fam one = {"mqbalance_finding", "gauge",
			  "Always 1; one series per active finding (see mqbalance --report for the fix)."};
	const struct mq_finding *fs = in->a->nfindings ? in->a->findings : NULL;
	unsigned n = fs ? in->a->nfindings : 0;

	for (unsigned sev = 0; sev < _SEV_MAX; sev++) {
		uint64_t c = 0;

		for (unsigned i = 0; i < n; i++)
			if (fs[i].severity == sev && finding_first(fs, i))
				c++;
		sample(f, &count, (struct lbl[]){{"severity", severity_to_string(sev)}}, 1, c);
	}
	for (unsigned i = 0; i < n; i++) {
		if (!finding_first(fs, i))
			continue;
		sample(f, &one,
		       (struct lbl[]){{"code", finding_code_to_string(fs[i].code)},
				      {"severity", severity_to_string(fs[i].severity)},
				      {"device", fs[i].ifname}},
		       3, 1);
	}
}

static void render_tune(FILE *f, const struct mq_tune_stats *t)
{
	struct fam last = {"mqbalance_last_apply_timestamp_seconds", "gauge",
			   "Unix time of the last tuning pass without failures, 0 if none yet."};
	struct fam fail = {"mqbalance_apply_failures_total", "counter",
			   "Tuning steps that failed, by NIC and action, since the daemon started."};
	struct fam drift = {"mqbalance_drift_corrections_total", "counter",
			    "Tuning passes that undid someone else's change (driver, irqbalance, admin)."};
	unsigned n = t->nnics < MQ_TUNE_MAX_NICS ? t->nnics : MQ_TUNE_MAX_NICS;

	sample(f, &last, NULL, 0, t->last_apply > 0 ? (uint64_t)t->last_apply : 0);
	for (unsigned i = 0; i < n; i++) {
		const char *dev = t->nic[i].ifname;

		if (!tune_nic_first(t, i))
			continue;
		for (unsigned a = 0; a < _PLAN_KIND_MAX; a++)
			sample(f, &fail,
			       (struct lbl[]){{"device", dev}, {"action", plan_kind_to_string(a)}}, 2,
			       t->nic[i].failures[a]);
	}
	sample(f, &drift, NULL, 0, t->drift_corrections);
}

int prom_render(FILE *f, const struct prom_input *in)
{
	if (!f || !in || !in->a || !in->a->now || (in->a->now->nnics && !in->a->now->nics))
		return -EINVAL;
	render_machine(f, in);
	render_devices(f, in);
	render_channels(f, in);
	render_queues(f, in);
	render_rss(f, in);
	render_irqs(f, in);
	render_findings(f, in);
	if (in->tune)
		render_tune(f, in->tune);
	return ferror(f) ? -EIO : 0;
}

int prom_render_cb(FILE *f, void *arg)
{
	return prom_render(f, arg);
}
