/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The applier: carries out a plan in the order channels, re-probe + re-plan,
 * IRQ affinity, XPS, RPS, and writes each item's result into the plan. Only
 * items with `change` are written. Side effects go through env (channels,
 * re-probe) and probes/sysfs.h (everything else), so tests run it without
 * root against a fixture root with injected failures.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/plan.h"

/* IRQs found kernel-managed (EIO) on earlier runs: reported once, then skipped. */
struct apply_memory {
	unsigned *managed;
	unsigned n;
};
void apply_memory_free(struct apply_memory *m);

struct apply_env {
	void *ctx;
	/*
	 * Set it->ifname's channels to it->ch_target (real one: channels_set()
	 * from agent/channels.h). Returns 0 or the kernel's -errno; the kernel's
	 * own words (extack) into msg, "" if none. Required.
	 */
	int (*channels_set)(void *ctx, const struct plan_item *it, char *msg, size_t msglen);
	/*
	 * After a channel change: take a fresh snapshot and plan it with the
	 * same config into *ret (real one: snapshot_take + plan_build). NULL:
	 * the IRQ/XPS/RPS items of NICs whose channels changed are skipped.
	 */
	int (*reprobe)(void *ctx, struct mq_plan *ret);
	struct apply_memory *memory; /* may be NULL */
};

struct apply_report {
	unsigned ok, unchanged, failed, skipped;
	bool reprobed;         /* channels changed and the plan was rebuilt */
	int reprobe_err;       /* -errno of a failed re-probe, 0 otherwise */
};

/*
 * Run the plan. p is updated in place: results in each item; after a channel
 * change the IRQ/XPS/RPS items (and notes) are replaced by the re-plan's.
 * Returns 0 (see ret for failures) or -ENOMEM.
 */
int apply_run(struct mq_plan *p, const struct apply_env *env, struct apply_report *ret);
/* Exit status: 0 when everything applied or there was nothing to do, 1 when a step failed. */
int apply_exit_status(const struct apply_report *r);
