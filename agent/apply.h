/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The applier: carries out a plan in the order RSS table, channels, re-probe
 * + re-plan, RSS table again where the re-plan still finds it wrong, IRQ
 * affinity, XPS, RPS, and writes each item's result into it. Only items
 * with `change` are written. Side effects go through env (channels,
 * re-probe) and probes/sysfs.h (everything else), so tests run it without
 * root against a fixture root with injected failures.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/plan.h"

/* IRQs found kernel-managed (EIO): the next probes mark them, the plan holds them. */
struct irq_memory {
	unsigned *irqs;
	unsigned n;
};
bool irq_memory_has(const struct irq_memory *m, unsigned irq);
void irq_memory_free(struct irq_memory *m);
/* Mark the IRQs of s found in m as managed. */
void irq_memory_mark(const struct irq_memory *m, struct mq_snapshot *s);

struct apply_env {
	void *ctx;
	/*
	 * Set it->ifname's channels to it->ch_target (real one: channels_set()
	 * from agent/channels.h). Returns 0 or the kernel's -errno; the kernel's
	 * own words (extack) into msg, "" if none. Required.
	 */
	int (*channels_set)(void *ctx, const struct plan_item *it, char *msg, size_t msglen);
	/*
	 * Reset it->ifname's RSS indirection table to the driver's default even
	 * spread (real one: rss_table_reset() from agent/rss.h). As channels_set.
	 * NULL: RSS items are skipped.
	 */
	int (*rss_reset)(void *ctx, const struct plan_item *it, char *msg, size_t msglen);
	/*
	 * After a channel change: probe again and re-plan, replacing *p in place
	 * (the NICs' channel items keep their results; agent/tune.c). NULL: the
	 * IRQ/XPS/RPS items of NICs whose channels changed are skipped.
	 */
	int (*reprobe)(void *ctx, struct mq_plan *p);
	struct irq_memory *managed; /* learns IRQs that answer EIO; may be NULL */
	/*
	 * Asked before each change: a signal number to stop there (the step under
	 * way is always finished; the rest is skipped as "not done"), 0 to go on.
	 * NULL: never stop.
	 */
	int (*stop)(void *ctx);
};

/*
 * Run the plan. p is updated in place: results in each item, p->applied,
 * p->reprobed / reprobe_err, p->interrupted. Returns 0 (see the items for
 * failures) or -ENOMEM.
 */
int apply_run(struct mq_plan *p, const struct apply_env *env);
