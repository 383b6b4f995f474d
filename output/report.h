/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Renderers of one snapshot (plus the previous one for rates) and its
 * findings: a text report for people, JSON for programs. Pure: they only
 * write to the FILE* they are given and return 0 or -errno (-EIO on a write
 * error).
 */

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "core/config.h"
#include "core/findings.h"
#include "core/snapshot.h"

struct report_input {
	const struct mq_snapshot *now, *before; /* before: the previous sample, may be NULL */
	double interval;                        /* seconds between them; 0 = totals only */
	const struct mq_finding *findings;
	unsigned nfindings;
	bool color;                             /* ANSI colour: the caller checks isatty + NO_COLOR */
	/* appended */
	const struct mq_config *cfg;            /* for banned CPUs in "usable"; NULL = none */
	bool pretty;                            /* JSON: 2-space indent (text ignores it) */
};

int report_render_text(FILE *f, const struct report_input *in);
int report_render_json(FILE *f, const struct report_input *in);

/* ---- shared by the renderers (output/view.c) ----------------------------- */

/*
 * Seconds the rates are over, 0 when there are none (no before, interval <=
 * 0). The snapshots' own timestamps win over in->interval when they differ,
 * since sleeping is never exact.
 */
double report_interval(const struct report_input *in);
const struct mq_nic *report_before_nic(const struct report_input *in, const struct mq_nic *n);
/* now - before; MQ_NA if either is missing or the counter went backwards (reset). */
uint64_t report_delta(uint64_t now, uint64_t before);

/* Per-queue counters: deltas over the interval, or totals when there is none. MQ_NA = missing. */
struct queue_counts {
	uint64_t rx_packets, rx_bytes, rx_drops;
	uint64_t tx_packets, tx_bytes, tx_drops;
};
void report_queue_counts(const struct report_input *in, const struct mq_nic *n, unsigned q,
			 struct queue_counts *ret);
/* Share of the NIC's RX packets (same basis) on queue q, 0..1; NAN if unknown or none. */
double report_rx_share(const struct report_input *in, const struct mq_nic *n, unsigned q);
/* Indices into n->irqs of queue q's IRQs, deduplicated, in n->irqs order. Returns the count. */
unsigned report_queue_irqs(const struct mq_nic *n, unsigned q, unsigned *ret, unsigned max);
/* Is n->irqs[i] one of some queue's IRQs? */
bool report_irq_is_queue(const struct mq_nic *n, unsigned i);
