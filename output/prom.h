/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Prometheus text exposition (format 0.0.4) of an assessment and the
 * daemon's tuning history, for node_exporter's textfile collector. Every
 * metric is listed in docs/metrics.md.
 */

#include <stdio.h>

#include "core/assess.h"
#include "core/tunestats.h"

struct prom_input {
	const struct mq_assessment *a;
	const struct mq_tune_stats *tune; /* NULL: one-shot run, no tuning families */
	const char *version;              /* NULL: mq_version */
};

/*
 * Write the whole exposition to f. Returns 0, -EINVAL without an assessment,
 * or -EIO when a write to f failed (then f holds a partial file: write to a
 * temporary file, see agent/textfile.h).
 */
int prom_render(FILE *f, const struct prom_input *in);
/* prom_render with the signature textfile_write() takes: arg is a struct prom_input. */
int prom_render_cb(FILE *f, void *arg);
