/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Renderers of one assessment (core/assess.h): a text report for people and
 * JSON for programs. They print what the assessment decided and compute no
 * policy. Pure: they only write to the FILE* they are given and return 0 or
 * -errno (-EIO on a write error).
 */

#include <stdbool.h>
#include <stdio.h>

#include "core/assess.h"
#include "output/jsonw.h"

struct report_input {
	const struct mq_assessment *a;
	bool color;   /* ANSI colour: the caller checks isatty + NO_COLOR */
	bool pretty;  /* JSON: 2-space indent (text ignores it) */
};

int report_render_text(FILE *f, const struct report_input *in);
int report_render_json(FILE *f, const struct report_input *in);
/* The "findings" key and array, shared by the report and the plan JSON. */
void json_findings(struct jsonw *w, const struct mq_assessment *a);
/*
 * The per-CPU view of a->load for a->usable: one line per CPU (at most
 * max_rows, 0 all), 80 columns. Returns 0 or -EIO.
 */
int report_render_cpus(FILE *f, const struct mq_assessment *a, bool color, unsigned max_rows);
/*
 * One frame of --watch (output/watch.c): every line cut to cols, at most
 * rows lines; clock is printed in the header. Returns 0 or -errno.
 */
int watch_render(FILE *f, const struct mq_assessment *a, unsigned cols, unsigned rows,
		 const char *clock);
