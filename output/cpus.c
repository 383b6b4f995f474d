// SPDX-License-Identifier: MIT
/*
 * The per-CPU view: for each usable CPU, where the receive work lands over
 * the interval (core/cpuload.h), one line each within 80 columns, a bar for
 * the share of its time spent in softirq so a hot CPU stands out next to
 * idle ones. Shared by the text report and --watch.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/escape.h"
#include "output/report.h"
#include "output/text.h"

#define BAR 9
#define QUEUES_WIDTH 19 /* what 80 columns leave */

/* "eth0 0,2 eth1 1": the queues whose IRQs this CPU serves (by affinity, or they fired here). */
static void queues_of(const struct mq_assessment *a, const struct cpuload_cpu *c, char *buf,
		      size_t len)
{
	int last_nic = -1, last_queue = -1;
	size_t o = 0;

	buf[0] = '\0';
	for (unsigned i = 0; i < c->nirqs && o < len; i++) {
		const struct cpuload_irq *q = &c->irqs[i];
		const struct mq_nic *n = &a->now->nics[q->nic];
		int k;

		if (!q->affine && !(q->per_s > 0))
			continue;
		if ((int)q->nic == last_nic && q->queue == last_queue)
			continue; /* input.N and output.N of one queue */
		if ((int)q->nic != last_nic)
			k = snprintf(buf + o, len - o, "%s%s %d", o ? " " : "", ESC(n->name), q->queue);
		else
			k = snprintf(buf + o, len - o, ",%d", q->queue);
		if (k < 0 || (size_t)k >= len - o) {
			snprintf(buf + (len > 4 ? len - 4 : 0), len > 4 ? 4 : len, "...");
			return;
		}
		o += (size_t)k;
		last_nic = (int)q->nic;
		last_queue = q->queue;
	}
}

static const char *pct(double v, char *buf, size_t len)
{
	if (isnan(v))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.0f%%", v * 100);
	return buf;
}

static void bar(double v, char *buf)
{
	unsigned n = isnan(v) ? 0 : (unsigned)(v * BAR + 0.5);

	for (unsigned i = 0; i < BAR; i++)
		buf[i] = i < n ? '#' : isnan(v) ? ' ' : '.';
	buf[BAR] = '\0';
}

int report_render_cpus(FILE *f, const struct mq_assessment *a, bool color, unsigned max_rows)
{
	const struct cpuload *l = &a->load;
	CPUSET_DEFINE(left);
	unsigned rows = 0;
	char b[8][32], q[QUEUES_WIDTH + 1], list[128];

	if (!f || !a->now)
		return -EINVAL;
	if (l->secs > 0)
		fprintf(f, "%sper CPU over %.1f s%s (softirq: share of the CPU's time; per second):\n",
			color ? ANSI_BOLD : "", l->secs, color ? ANSI_RESET : "");
	else
		fprintf(f, "%sper CPU%s (no interval: the queues each CPU serves, no rates):\n",
			color ? ANSI_BOLD : "", color ? ANSI_RESET : "");
	fprintf(f, "  %3s %-14s %5s %6s %6s %6s %5s %5s  %s\n", "cpu", "softirq", "steal", "net_rx",
		"net_tx", "irqs", "drops", "sqz", "queues");
	cpuset_copy(left, a->usable);
	CPUSET_FOREACH(cpu, a->usable) {
		const struct cpuload_cpu *c = (unsigned)cpu < l->n ? &l->cpu[cpu] : NULL;
		char bb[BAR + 1];
		const char *hot;

		if (!c)
			continue;
		if (max_rows && rows == max_rows)
			break;
		cpuset_clear(left, (unsigned)cpu);
		rows++;
		bar(c->softirq_share, bb);
		queues_of(a, c, q, sizeof(q));
		hot = color && c->softirq_share >= 0.5 ? ANSI_YELLOW : "";
		fprintf(f, "  %3d %s%4s %s%s %5s %6s %6s %6s %5s %5s  %s\n", cpu, hot,
			pct(c->softirq_share, b[0], sizeof(b[0])), bb, hot[0] ? ANSI_RESET : "",
			pct(c->steal_share, b[1], sizeof(b[1])), text_num(c->net_rx_per_s, b[2], sizeof(b[2])),
			text_num(c->net_tx_per_s, b[3], sizeof(b[3])),
			text_num(l->secs > 0 ? c->queue_irqs_per_s : NAN, b[4], sizeof(b[4])),
			text_num(c->softnet_dropped_per_s, b[5], sizeof(b[5])),
			text_num(c->softnet_squeezed_per_s, b[6], sizeof(b[6])), q[0] ? q : "-");
	}
	if (!cpuset_empty(left) && cpuset_format_list(left, list, sizeof(list)) >= 0)
		fprintf(f, "  (%u more: %s)\n", cpuset_count(left), list);
	return ferror(f) ? -EIO : 0;
}
