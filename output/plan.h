/* SPDX-License-Identifier: MIT */
#pragma once

/* The plan of an assessment (dry run) or with its results (after --apply), as text and JSON. */

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "core/assess.h"

/*
 * Text: one line per item that changes (or failed, was skipped or is held),
 * per NIC:
 *   eth0 channels combined 1 -> 4: ok
 *   eth0 queue 2 irq 41 cpus 0 -> 2: ok
 *   eth0 tx-2 xps - -> 2: ok
 * then "eth0: 9 unchanged (...)", what is left alone and why, notes, and a
 * summary line. Returns 0 or -EIO.
 */
int plan_render_text(FILE *f, const struct mq_assessment *a);
/* JSON: {"dry_run", "summary": {...}, "cpus", "items": [...], "findings": [...]}. */
int plan_render_json(FILE *f, const struct mq_assessment *a, int exit_status, bool pretty);
/* One item as its text line (with result and hold), newline included. */
void plan_item_text(FILE *f, const struct plan_item *it);
/* The same into buf, without the newline (cut to len). Returns the length or -errno. */
int plan_item_string(const struct plan_item *it, char *buf, size_t len);
