/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The queue IRQs mqbalance owns (assess_owned_irqs(), core/assess.h), kept
 * in a file for irqbalance's policy script (systemd/irqbalance-policy): one
 * IRQ number per line, ascending. irqbalance 1.9 runs the script only when
 * it (re)builds its IRQ list: at start, on each rescan (CPU hotplug, SIGHUP)
 * and for an IRQ it sees for the first time; owned_irqs_tell_irqbalance()
 * asks for the rescan after the set changed.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/assess.h"

/* Under systemd: RuntimeDirectory=mqbalance, kept across restarts. */
#define OWNED_IRQS_PATH "/run/mqbalance/irqs"

/* What this process last wrote (or found already there). Zeroed: nothing yet. */
struct owned_irqs {
	unsigned *irqs;
	unsigned n;
	bool known;
};

void owned_irqs_free(struct owned_irqs *o);

/*
 * Write a's owned IRQs to path unless they are what last holds; on the
 * first call, unless the file already says so (a restart). Atomic
 * (textfile_write), the directory made if missing. Returns 1 written (last
 * updated), 0 unchanged, or -errno with err saying what failed (last
 * untouched: the next call tries again).
 */
int owned_irqs_write(const char *path, const struct mq_assessment *a, struct owned_irqs *last,
		     char *err, size_t errlen);

/*
 * SIGHUP to the irqbalance of p when it runs with our policy script: it
 * rescans and asks the script again about every IRQ. (irqbalance ignores a
 * SIGHUP in its first 10 s after start or a rescan; a rescan then is already
 * asking.) Returns 1 sent, 0 no such irqbalance, or -errno from kill(2).
 */
int owned_irqs_tell_irqbalance(const struct mq_platform *p);
