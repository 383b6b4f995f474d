// SPDX-License-Identifier: MIT
/*
 * One frame of --watch: per queue and per CPU rates and the findings of one
 * assessment, every line cut to the terminal's width and the frame to its
 * height, so it reads the same over SSH at 80x24 as on a wide screen.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rates.h"
#include "core/escape.h"
#include "output/report.h"
#include "output/text.h"

struct frame {
	FILE *f;
	unsigned cols, rows, used;
	char line[512];
};

/* One line, cut to the width; nothing once the frame is full. */
static void put(struct frame *fr, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(struct frame *fr, const char *fmt, ...)
{
	va_list ap;
	size_t max = fr->cols < sizeof(fr->line) ? fr->cols : sizeof(fr->line) - 1;

	if (fr->used >= fr->rows)
		return;
	va_start(ap, fmt);
	vsnprintf(fr->line, sizeof(fr->line), fmt, ap);
	va_end(ap);
	if (strlen(fr->line) > max)
		fr->line[max] = '\0';
	fprintf(fr->f, "%s\n", fr->line);
	fr->used++;
}

static double per_s(uint64_t v, double secs)
{
	return v == MQ_NA || !(secs > 0) ? NAN : (double)v / secs;
}

/* Where queue q's IRQs land, "0" or "0-3", "-" unknown. */
static const char *queue_cpus(const struct mq_nic *n, unsigned q, char *buf, size_t len)
{
	unsigned idx[8], k = nic_queue_irqs(n, q, idx, 8);
	CPUSET_DEFINE(all);

	for (unsigned i = 0; i < k; i++)
		cpuset_or(all, all, irq_cpus(&n->irqs[idx[i]]));
	if (cpuset_empty(all) || cpuset_format_list(all, buf, len) < 0)
		snprintf(buf, len, "-");
	return buf;
}

static void nic_block(struct frame *fr, const struct mq_assessment *a, const struct mq_nic *n,
		      unsigned *budget, unsigned *shown)
{
	const struct mq_nic_verdict *v = assess_nic(a, n);
	double secs = a->before ? a->interval : 0;
	char b[6][32];

	put(fr, "%s %s: %u queues, target %u%s", ESC(n->name), ESC(n->driver[0] ? n->driver : n->kind),
	    v ? v->queues_active : 0, v ? v->queues_target : 0, n->xdp ? ", xdp" : "");
	for (unsigned q = 0; n->queues && q < n->nqueues && *budget; q++, (*budget)--, (*shown)++) {
		struct queue_counts c;

		queue_counts(a->before, n, q, &c);
		put(fr, "  %5u %6s %9s %9s %9s %9s %7s", q, queue_cpus(n, q, b[0], sizeof(b[0])),
		    text_num(per_s(c.rx_packets, secs), b[1], sizeof(b[1])),
		    text_num(per_s(c.rx_bytes, secs), b[2], sizeof(b[2])),
		    text_num(per_s(c.tx_packets, secs), b[3], sizeof(b[3])),
		    text_num(per_s(c.tx_bytes, secs), b[4], sizeof(b[4])),
		    text_num(per_s(c.rx_drops == MQ_NA ? c.tx_drops : c.tx_drops == MQ_NA ? c.rx_drops
											: c.rx_drops + c.tx_drops,
				   secs),
			     b[5], sizeof(b[5])));
	}
}

int watch_render(FILE *f, const struct mq_assessment *a, unsigned cols, unsigned rows,
		 const char *clock)
{
	struct frame fr = {.f = f, .cols = cols ? cols : 80, .rows = rows ? rows : 24};
	unsigned nq = 0, shown = 0, budget, cpu_rows, nf = a->nfindings;
	char *cpus = NULL;
	size_t len = 0;
	FILE *mem;

	if (!f || !a->now)
		return -EINVAL;
	put(&fr, "mqbalance --watch  %s  every %.1f s  q quits", clock ? clock : "",
	    a->before ? a->interval : 0.0);
	/* the rows: the findings' lines and the CPUs first, the queues share what is left */
	for (unsigned i = 0; i < a->now->nnics; i++)
		if (!nic_is_loopback(&a->now->nics[i]) && a->now->nics[i].queues)
			nq += a->now->nics[i].nqueues;
	cpu_rows = a->nusable < 8 ? a->nusable : 8;
	budget = fr.rows > 6 + cpu_rows + a->now->nnics + (nf < 4 ? nf : 4)
			 ? fr.rows - 6 - cpu_rows - a->now->nnics - (nf < 4 ? nf : 4)
			 : 1;
	put(&fr, "  queue    cpu  rx pkt/s    rx B/s  tx pkt/s    tx B/s  drop/s");
	for (unsigned i = 0; i < a->now->nnics; i++)
		if (!nic_is_loopback(&a->now->nics[i]))
			nic_block(&fr, a, &a->now->nics[i], &budget, &shown);
	if (shown < nq)
		put(&fr, "  (more queues than fit: a taller terminal shows them)");
	/* the per-CPU section, cut like the rest */
	mem = open_memstream(&cpus, &len);
	if (!mem)
		return -ENOMEM;
	report_render_cpus(mem, a, false, cpu_rows);
	fclose(mem);
	for (char *p = cpus, *e; p && *p; p = e + 1) {
		e = strchr(p, '\n');
		if (!e)
			break;
		*e = '\0';
		put(&fr, "%s", p);
	}
	free(cpus);
	if (nf)
		put(&fr, "findings (%u):", nf);
	for (unsigned i = 0; i < nf; i++)
		put(&fr, "  %-7s %s", severity_to_string(a->findings[i].severity),
		    ESC(a->findings[i].message));
	return ferror(f) ? -EIO : 0;
}
