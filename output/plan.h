/* SPDX-License-Identifier: MIT */
#pragma once

/* A plan (dry run) or a plan with results (after --apply), as text and as JSON. */

#include <stdbool.h>
#include <stdio.h>

#include "agent/apply.h"
#include "core/plan.h"

/*
 * Text: one line per item that changes (or failed, or was skipped), per NIC:
 *   eth0 channels combined 1 -> 4
 *   eth0 queue 2 irq 41 cpus 0 -> 2: ok
 *   eth0 tx-2 xps - -> 2
 * then "eth0: 9 unchanged (...)", the notes, and a summary line.
 * r is NULL for a dry run. Returns 0 or -EIO.
 */
int plan_render_text(FILE *f, const struct mq_plan *p, const struct apply_report *r);
/* JSON: {"dry_run", "summary": {...}, "items": [...], "notes": [...]}; docs/plan-json.md. */
int plan_render_json(FILE *f, const struct mq_plan *p, const struct apply_report *r, bool pretty);
/* One item as its text line (with result and note), newline included. */
void plan_item_text(FILE *f, const struct plan_item *it);
/* The same into buf, without the newline (cut to len). Returns the length or -errno. */
int plan_item_string(const struct plan_item *it, char *buf, size_t len);
/* "0-3,8" or "-" for an empty set, into buf. */
const char *plan_cpus_string(const struct mq_cpuset *s, char *buf, size_t len);
