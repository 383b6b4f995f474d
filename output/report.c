// SPDX-License-Identifier: MIT
/*
 * The text report: machine, then one block per NIC with a per-queue table,
 * then the findings. Laid out for 80-100 columns like ip -s, sar and nicstat:
 * rates over a stated interval with units in the header, "-" for a counter
 * the source does not have (never 0), idle queues collapsed into one line.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/escape.h"
#include "core/rates.h"
#include "core/rss.h"
#include "core/version.h"
#include "output/report.h"
#include "output/text.h"


#define WIDTH 100
#define MAX_QUEUE_IRQS 8


struct out {
	FILE *f;
	bool color;
	const struct mq_assessment *a;
	const struct mq_snapshot *before; /* NULL: totals, no rates */
	double secs; /* > 0: rates over this many seconds; 0: totals */
};

static const char *ansi(const struct out *o, const char *code) { return o->color ? code : ""; }

static const char *plural(unsigned n, const char *one, const char *many) { return n == 1 ? one : many; }

/* Sum of two counters; missing only if both are. */
static uint64_t add_na(uint64_t a, uint64_t b)
{
	if (a == MQ_NA)
		return b;
	if (b == MQ_NA)
		return a;
	return a + b;
}

static const char *cpus_str(const struct mq_cpuset *s, char *buf, size_t len)
{
	if (cpuset_format_list(s, buf, len) < 0)
		snprintf(buf, len, "%u CPUs", cpuset_count(s));
	return buf;
}

/*
 * Print text word-wrapped at WIDTH from column col; continuation lines start
 * at indent. Escaped first: findings and notes quote names and the kernel.
 */
static void wrap(FILE *f, const char *text, unsigned col, unsigned indent)
{
	const char *p = ESC(text);
	bool first = true;

	while (*p == ' ')
		p++;
	while (*p) {
		size_t w = strcspn(p, " ");

		if (!first && col + 1 + w > WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
		} else if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(p, 1, w, f);
		col += (unsigned)w;
		p += w;
		first = false;
		while (*p == ' ')
			p++;
	}
	fputc('\n', f);
}

/* ---- machine --------------------------------------------------------------- */

static void render_machine(const struct out *o)
{
	const struct mq_snapshot *s = o->a->now;
	const struct mq_platform *p = &s->platform;
	const struct mq_cpuset *usable = o->a->usable, *banned = o->a->banned;
	char a[256], b[256];
	bool any = false;

	fprintf(o->f, "%smqbalance %s%s: ", ansi(o, ANSI_BOLD), mq_version, ansi(o, ANSI_RESET));
	if (o->secs > 0)
		fprintf(o->f, "rates over %.1f s (k = 1000, B = bytes)\n", o->secs);
	else
		fprintf(o->f, "counters since boot, no rates (k = 1000, B = bytes)\n");

	fprintf(o->f, "cpus:       %u online (%s), %u usable (%s); SMT %s; %u NUMA %s\n",
		cpuset_count(s->cpus.online), cpus_str(s->cpus.online, a, sizeof(a)),
		o->a->nusable, cpus_str(usable, b, sizeof(b)), s->cpus.smt_active ? "on" : "off",
		s->cpus.n_nodes, plural(s->cpus.n_nodes, "node", "nodes"));
	if (!cpuset_empty(s->cpus.isolated) || !cpuset_empty(s->cpus.nohz_full) ||
	    !cpuset_empty(banned)) {
		fprintf(o->f, "            kept free:");
		if (!cpuset_empty(s->cpus.isolated))
			fprintf(o->f, " isolated %s;", cpus_str(s->cpus.isolated, a, sizeof(a)));
		if (!cpuset_empty(s->cpus.nohz_full))
			fprintf(o->f, " nohz_full %s;", cpus_str(s->cpus.nohz_full, a, sizeof(a)));
		if (!cpuset_empty(banned))
			fprintf(o->f, " banned %s;", cpus_str(banned, a, sizeof(a)));
		fputc('\n', o->f);
	}

	fprintf(o->f, "platform:  ");
	if (p->hypervisor[0]) {
		fprintf(o->f, " %s", ESC(p->hypervisor));
		any = true;
	}
	if (p->cloud[0]) {
		fprintf(o->f, "%s cloud %s", any ? ";" : "", ESC(p->cloud));
		any = true;
	}
	if (p->sys_vendor[0] || p->product_name[0]) {
		fprintf(o->f, "%s %s%s%s", any ? ";" : "", ESC(p->sys_vendor),
			p->sys_vendor[0] && p->product_name[0] ? " " : "", ESC(p->product_name));
		any = true;
	}
	fprintf(o->f, "%s\n", any ? "" : " unknown");
	if (s->unprivileged) {
		unsigned n = snapshot_denied(s, b, sizeof(b));

		fprintf(o->f, "privilege:  read-only (no CAP_NET_ADMIN): %s%s\n",
			n ? "refused: " : "nothing was refused", n ? b : "");
	}
	if (p->irqbalance_pid > 0 && p->irqbalance_policy_ours)
		fprintf(o->f, "irqbalance: running (pid %ld) with mqbalance's policy script: "
			"leaves the queue IRQs alone\n", (long)p->irqbalance_pid);
	else if (p->irqbalance_pid > 0)
		fprintf(o->f, "irqbalance: %srunning (pid %ld)%s\n", ansi(o, ANSI_YELLOW),
			(long)p->irqbalance_pid, ansi(o, ANSI_RESET));
	else
		fprintf(o->f, "irqbalance: not running\n");
}

/* ---- one NIC --------------------------------------------------------------- */

static void channels_str(const struct mq_channels *c, char *buf, size_t len)
{
	size_t n = 0;
	const struct {
		const char *name;
		uint32_t cur, max;
	} t[] = {
		{"combined", c->combined, c->combined_max},
		{"rx", c->rx, c->rx_max},
		{"tx", c->tx, c->tx_max},
		{"other", c->other, c->other_max},
	};

	if (c->source == CHANNELS_NONE) {
		snprintf(buf, len, "n/a (%s)",
			 c->errmsg[0] ? c->errmsg : c->err ? strerror(-c->err) : "not queried");
		return;
	}
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]) && n < len; i++) {
		int k;

		if (!t[i].max)
			continue; /* unsupported type */
		k = snprintf(buf + n, len - n, "%s%s %u of %u", n ? ", " : "", t[i].name, t[i].cur, t[i].max);
		if (k < 0)
			return;
		n += (size_t)k;
	}
	if (n < len)
		snprintf(buf + n, len - n, "%s(%s)", n ? " " : "none supported ",
			 channels_source_to_string(c->source));
}

struct unit {
	const char *name;
	double div;
};

/* Byte rate unit for a table: the largest that keeps the busiest queue >= 1. */
static struct unit byte_unit(double max)
{
	if (max >= 1e6)
		return (struct unit){"MB/s", 1e6};
	if (max >= 1e3)
		return (struct unit){"kB/s", 1e3};
	return (struct unit){"B/s", 1};
}

static double per_sec(const struct out *o, uint64_t v)
{
	if (v == MQ_NA)
		return NAN;
	return o->secs > 0 ? (double)v / o->secs : (double)v;
}

static const char *fmt_bytes(const struct out *o, const struct unit *u, uint64_t v, char *buf, size_t len)
{
	double d = per_sec(o, v);

	if (o->secs <= 0 || isnan(d))
		return text_num(d, buf, len);
	snprintf(buf, len, u->div == 1 ? "%.0f" : "%.1f", d / u->div);
	return buf;
}

#define ROW_FMT "  %-6s %-11s %-6s %-8s %9s %9s %9s %9s %7s %6s"

static void row(const struct out *o, const char *label, const char *irqs, const char *cpus,
		const char *xps, const struct queue_counts *c, double share, const struct unit *u)
{
	char v[6][32], sh[16];

	if (isnan(share))
		snprintf(sh, sizeof(sh), "-");
	else
		snprintf(sh, sizeof(sh), "%.1f", share * 100);
	fprintf(o->f, ROW_FMT "\n", label, irqs, cpus, xps,
		text_num(per_sec(o, c->rx_packets), v[0], sizeof(v[0])),
		fmt_bytes(o, u, c->rx_bytes, v[1], sizeof(v[1])),
		text_num(per_sec(o, c->tx_packets), v[2], sizeof(v[2])),
		fmt_bytes(o, u, c->tx_bytes, v[3], sizeof(v[3])),
		text_num(per_sec(o, add_na(c->rx_drops, c->tx_drops)), v[4], sizeof(v[4])), sh);
}

static bool queue_idle(const struct queue_counts *c)
{
	if (c->rx_packets == MQ_NA && c->tx_packets == MQ_NA)
		return false; /* unknown is not idle */
	return (c->rx_packets == MQ_NA || !c->rx_packets) && (c->tx_packets == MQ_NA || !c->tx_packets);
}

/* Where queue q's IRQs land (effective, else requested affinity). Returns false if unknown. */
static bool queue_irq_cpus(const struct mq_nic *n, unsigned q, struct mq_cpuset *ret)
{
	unsigned idx[MAX_QUEUE_IRQS], k = nic_queue_irqs(n, q, idx, MAX_QUEUE_IRQS);
	bool known = false;

	cpuset_zero(ret);
	for (unsigned i = 0; i < k; i++) {
		const struct mq_irq *irq = &n->irqs[idx[i]];

		if (irq->has_effective || irq->has_affinity) {
			cpuset_or(ret, ret, irq_cpus(irq));
			known = true;
		}
	}
	return known;
}

/*
 * "queues 2-7: idle, irq cpus 2 3 4 5 6 7": collapsed, but still showing
 * where each queue's IRQs land, which is what an idle machine is checked for.
 */
static void idle_line(const struct out *o, const struct mq_nic *n, unsigned first, unsigned last)
{
	char line[WIDTH + 1];
	size_t len;
	bool any = false;
	int k;

	if (first == last)
		k = snprintf(line, sizeof(line), "  queue %u: idle", first);
	else
		k = snprintf(line, sizeof(line), "  queues %u-%u: idle", first, last);
	len = k > 0 ? (size_t)k : 0;
	for (unsigned q = first; q <= last; q++) {
		CPUSET_DEFINE(where);
		char cpus[64];
		const char *sep = q == first ? ", irq cpus " : " ";

		if (!queue_irq_cpus(n, q, where) || cpuset_format_list(where, cpus, sizeof(cpus)) < 0)
			snprintf(cpus, sizeof(cpus), "?");
		else
			any = true;
		if (!cpus[0]) /* an empty effective set: shut down, the kernel targets it nowhere */
			snprintf(cpus, sizeof(cpus), "none");
		/* Too many queues for one line: end it visibly, on a whole word. */
		if (len + strlen(sep) + strlen(cpus) + (q < last ? 4 : 0) > WIDTH) {
			snprintf(line + len, sizeof(line) - len, " ...");
			break;
		}
		len += (size_t)snprintf(line + len, sizeof(line) - len, "%s%s", sep, cpus);
	}
	if (!any) /* no IRQs known for these queues (veth, no map): just "idle" */
		line[strcspn(line, ",")] = '\0';
	fprintf(o->f, "%s%s%s\n", ansi(o, ANSI_DIM), line, ansi(o, ANSI_RESET));
}

static void queue_row(const struct out *o, const struct mq_nic *n, unsigned q,
		      const struct queue_counts *c, const struct unit *u)
{
	const struct mq_queue *qu = &n->queues[q];
	unsigned idx[MAX_QUEUE_IRQS], k = nic_queue_irqs(n, q, idx, MAX_QUEUE_IRQS);
	char label[16], irqs[96] = "", cpus[96] = "-", xps[96] = "-";
	CPUSET_DEFINE(where);
	size_t len = 0;

	for (unsigned i = 0; i < k; i++) {
		int w = snprintf(irqs + len, sizeof(irqs) - len, "%s%u", len ? "," : "", n->irqs[idx[i]].irq);

		if (w > 0 && (size_t)w < sizeof(irqs) - len)
			len += (size_t)w;
	}
	if (!k)
		snprintf(irqs, sizeof(irqs), "-");
	if (queue_irq_cpus(n, q, where))
		cpus_str(where, cpus, sizeof(cpus));
	if (qu->has_tx && qu->has_xps) {
		if (cpuset_empty(qu->xps))
			snprintf(xps, sizeof(xps), "none");
		else
			cpus_str(qu->xps, xps, sizeof(xps));
	}
	snprintf(label, sizeof(label), "%u", qu->index);
	row(o, label, irqs, cpus, xps, c, qu->has_rx ? queue_rx_share(o->before, n, q) : NAN, u);
}

static void render_queues(const struct out *o, const struct mq_nic *n)
{
	struct queue_counts *c = calloc(n->nqueues ? n->nqueues : 1, sizeof(*c));
	struct queue_counts dev;
	double max_bytes = 0;
	struct unit u;
	int idle_from = -1;

	if (!c)
		return;
	for (unsigned q = 0; q < n->nqueues; q++) {
		queue_counts(o->before, n, q, &c[q]);
		if (c[q].rx_bytes != MQ_NA && (double)c[q].rx_bytes > max_bytes)
			max_bytes = (double)c[q].rx_bytes;
		if (c[q].tx_bytes != MQ_NA && (double)c[q].tx_bytes > max_bytes)
			max_bytes = (double)c[q].tx_bytes;
	}
	/* The whole device, from /sys/class/net/X/statistics: includes what no queue counter has. */
	device_counts(o->before, n, &dev);
	if (dev.rx_bytes != MQ_NA && (double)dev.rx_bytes > max_bytes)
		max_bytes = (double)dev.rx_bytes;
	if (dev.tx_bytes != MQ_NA && (double)dev.tx_bytes > max_bytes)
		max_bytes = (double)dev.tx_bytes;
	if (o->secs > 0)
		max_bytes /= o->secs;
	u = byte_unit(max_bytes);

	if (o->secs > 0) {
		char rxb[16], txb[16];

		snprintf(rxb, sizeof(rxb), "rx %s", u.name);
		snprintf(txb, sizeof(txb), "tx %s", u.name);
		fprintf(o->f, "%s" ROW_FMT "%s\n", ansi(o, ANSI_BOLD), "queue", "irqs", "cpus", "xps",
			"rx pkt/s", rxb, "tx pkt/s", txb, "drop/s", "rx%", ansi(o, ANSI_RESET));
	} else {
		fprintf(o->f, "%s" ROW_FMT "%s\n", ansi(o, ANSI_BOLD), "queue", "irqs", "cpus", "xps",
			"rx pkts", "rx bytes", "tx pkts", "tx bytes", "drops", "rx%", ansi(o, ANSI_RESET));
	}
	for (unsigned q = 0; q < n->nqueues; q++) {
		if (queue_idle(&c[q])) {
			if (idle_from < 0)
				idle_from = (int)q;
			continue;
		}
		if (idle_from >= 0)
			idle_line(o, n, (unsigned)idle_from, q - 1);
		idle_from = -1;
		queue_row(o, n, q, &c[q], &u);
	}
	if (idle_from >= 0)
		idle_line(o, n, (unsigned)idle_from, n->nqueues - 1);
	row(o, "device", "", "", "", &dev, NAN, &u);
	free(c);
}

/* What the assessment decided for the NIC's queue count, after the queues line. */
static void verdict_str(const struct out *o, const struct mq_nic *n, char *buf, size_t len)
{
	const struct mq_nic_verdict *v = assess_nic(o->a, n);

	buf[0] = '\0';
	if (!v || nic_is_loopback(n))
		return;
	switch (v->hold) {
	case HOLD_EXCLUDED:
		snprintf(buf, len, "; excluded by config: left alone");
		return;
	case HOLD_NO_CHANNELS:
		snprintf(buf, len, "; no channel control: the device fixes the count");
		return;
	case HOLD_XDP:
		snprintf(buf, len, "; target %u, held while XDP is attached", v->queues_target);
		return;
	default:
		snprintf(buf, len, "; target %u", v->queues_target);
	}
}

/* "rss:" line: the table's spread over the active RX queues, when the NIC has one. */
static void render_rss(const struct out *o, const struct mq_nic *n)
{
	struct rss_spread sp;
	char q[96];

	if (rss_nic_analyse(n, &sp) < 0)
		return;
	fprintf(o->f, "  rss:      %u entries, %s, %u-byte key: ", sp.n, rss_hfunc_to_string(n->rss.hfunc),
		n->rss.key_size);
	if (sp.left_out) {
		/* the list when it fits (and its queues are below the set's size), else the count */
		if (cpuset_format_list(cpuset_buf(&sp.left_out_set), q, sizeof(q)) <= 0)
			snprintf(q, sizeof(q), "%u", sp.left_out);
		fprintf(o->f, "%s%u of %u RX queues, %s left out%s\n", ansi(o, ANSI_YELLOW), sp.covered,
			sp.nqueues, q, ansi(o, ANSI_RESET));
	} else
		fprintf(o->f, "%s over %u RX queues (busiest %.0f%%)%s\n", sp.even ? "even" : "uneven",
			sp.nqueues, sp.max_share * 100, sp.beyond ? ", names inactive queues" : "");
}

/* A counter source as a person would look it up. */
static const char *source_name(enum mq_stats_source s)
{
	return s == STATS_ETHTOOL ? "ethtool -S" : stats_source_to_string(s);
}

/*
 * The counter sources: the main one when one source gave every column there
 * is; when mixed, each with its columns: "qstats (packets, bytes), ethtool -S
 * (rx drops)".
 */
static void counters_str(const struct mq_nic *n, char *buf, size_t len)
{
	static const char *const kind[] = {"packets", "bytes", "drops"};
	static const enum mq_stats_col rx[] = {STATS_COL_RX_PACKETS, STATS_COL_RX_BYTES,
					       STATS_COL_RX_DROPS};
	static const enum mq_stats_col tx[] = {STATS_COL_TX_PACKETS, STATS_COL_TX_BYTES,
					       STATS_COL_TX_DROPS};
	bool mixed = false;
	size_t o = 0;

	for (unsigned c = 0; c < _STATS_COL_MAX; c++)
		mixed |= n->col_source[c] != STATS_NONE && n->col_source[c] != n->stats_source;
	if (!mixed) {
		snprintf(buf, len, "%s", source_name(n->stats_source));
		return;
	}
	for (unsigned src = STATS_NONE + 1; src < _STATS_SOURCE_MAX; src++) {
		bool first = true;

		for (unsigned k = 0; k < 3 && o < len; k++) {
			bool r = n->col_source[rx[k]] == src, t = n->col_source[tx[k]] == src;

			if (!r && !t)
				continue;
			if (first)
				o += (size_t)snprintf(buf + o, len - o, "%s%s (", o ? "), " : "",
						      source_name(src));
			if (o < len)
				o += (size_t)snprintf(buf + o, len - o, "%s%s%s", first ? "" : ", ",
						      r && t ? "" : r ? "rx " : "tx ", kind[k]);
			first = false;
		}
	}
	if (o < len)
		snprintf(buf + o, len - o, ")");
}

static void render_nic(const struct out *o, const struct mq_nic *n)
{
	char buf[256];
	bool first = true;

	fprintf(o->f, "\n%s%s%s: %s", ansi(o, ANSI_BOLD), ESC(n->name), ansi(o, ANSI_RESET),
		ESC(n->driver[0] ? n->driver : n->kind[0] ? n->kind : "unknown driver"));
	if (n->bus_info[0])
		fprintf(o->f, " %s", ESC(n->bus_info));
	fprintf(o->f, ", %s, mtu %u%s", ESC(n->operstate[0] ? n->operstate : "state unknown"), n->mtu,
		n->xdp ? ", xdp attached" : "");
	if (n->tuned_since > 0) {
		time_t t = (time_t)n->tuned_since;
		struct tm tm;

		if (gmtime_r(&t, &tm) && strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M UTC", &tm))
			fprintf(o->f, ", tuned by mqbalance since %s", buf);
	}
	fputc('\n', o->f);
	verdict_str(o, n, buf, sizeof(buf));
	fprintf(o->f, "  queues:   %u rx / %u tx allocated, %u rx / %u tx active%s\n", n->num_rx_queues,
		n->num_tx_queues, n->real_rx_queues, n->real_tx_queues, buf);
	channels_str(&n->ch, buf, sizeof(buf));
	fprintf(o->f, "  channels: ");
	wrap(o->f, buf, 12, 12);
	counters_str(n, buf, sizeof(buf));
	fprintf(o->f, "  sources:  counters %s, irq map %s\n", buf,
		irqmap_source_to_string(n->irqmap_source));
	render_rss(o, n);
	if (counters_missing_to_string(n->counters_missing)) {
		fprintf(o->f, "  counters: ");
		wrap(o->f, counters_missing_to_string(n->counters_missing), 12, 12);
	}
	for (unsigned i = 0; i < n->nirqs; i++) {
		const struct mq_irq *irq = &n->irqs[i];
		char cpus[64] = "?";

		if (nic_irq_is_queue(n, i))
			continue;
		if (irq_cpus(irq))
			cpus_str(irq_cpus(irq), cpus, sizeof(cpus));
		fprintf(o->f, "%s%u %s (%s, cpu %s)", first ? "  other irqs: " : ", ", irq->irq, ESC(irq->name),
			irq_role_to_string(irq->role), cpus);
		first = false;
	}
	if (!first)
		fputc('\n', o->f);
	if (n->errmsg[0]) {
		fprintf(o->f, "  note:     ");
		wrap(o->f, n->errmsg, 12, 12);
	}
	if (!n->nqueues || !n->queues) {
		fprintf(o->f, "  no queues\n");
		return;
	}
	render_queues(o, n);
}

/* ---- findings -------------------------------------------------------------- */

static void render_findings(const struct out *o)
{
	fprintf(o->f, "\n%sfindings:%s", ansi(o, ANSI_BOLD), ansi(o, ANSI_RESET));
	if (!o->a->nfindings) {
		fprintf(o->f, " none\n");
		return;
	}
	fputc('\n', o->f);
	for (unsigned i = 0; i < o->a->nfindings; i++) {
		const struct mq_finding *f = &o->a->findings[i];
		const char *color = f->severity == SEV_ERROR     ? ANSI_RED
				    : f->severity == SEV_WARNING ? ANSI_YELLOW
								 : ANSI_CYAN;

		fprintf(o->f, "  %s%-8s%s ", ansi(o, color), severity_to_string(f->severity),
			ansi(o, ANSI_RESET));
		wrap(o->f, f->message, 11, 11);
		if (f->fix[0]) {
			fprintf(o->f, "           fix: ");
			wrap(o->f, f->fix, 16, 16);
		}
	}
}

int report_render_text(FILE *f, const struct report_input *in)
{
	struct out o;

	if (!f || !in || !in->a || !in->a->now)
		return -EINVAL;
	o = (struct out){.f = f, .color = in->color, .a = in->a, .before = in->a->before,
			 .secs = in->a->interval};
	if (o.secs <= 0)
		o.before = NULL;
	render_machine(&o);
	for (unsigned i = 0; i < in->a->now->nnics; i++)
		render_nic(&o, &in->a->now->nics[i]);
	fputc('\n', f);
	report_render_cpus(f, in->a, in->color, 0);
	render_findings(&o);
	if (fflush(f) || ferror(f))
		return -EIO;
	return 0;
}
