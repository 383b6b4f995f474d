/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The textfile's duplicate guards (output/prom.c): the snapshot comes from
 * the kernel, trust nothing. node_exporter drops duplicate series silently,
 * so each NIC, queue, IRQ, finding and tuning entry is written once: the
 * first of those that would give the same series.
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/snapshot.h"

/* Printable ASCII but a backslash or a double quote: a label value written as it is. */
bool prom_label_plain(const char *v, size_t *ret_len);

/*
 * n names, each stride bytes after the one before (name0: the first), and
 * their tags (NULL: all 0): first[i] says that no name before i is written
 * as the same label value (core/escape.h: a byte 0xff and the text \xff are
 * one) with the same tag. Expected linear time. 0 or -ENOMEM.
 */
int prom_names_first(const char *name0, size_t stride, const uint64_t *tags, unsigned n, bool *first);

/* Which NICs, queues and IRQs of a snapshot to write. */
struct prom_dedup {
	bool *nic;                /* per NIC */
	bool **queue, **irq;      /* per NIC: per queue / per IRQ; NULL: every one */
	unsigned n;
};
/* 0 or -ENOMEM (then free it all the same). */
int prom_dedup_build(const struct mq_snapshot *s, struct prom_dedup *ret);
void prom_dedup_free(struct prom_dedup *d);

static inline bool prom_dedup_queue(const struct prom_dedup *d, unsigned nic, unsigned q)
{
	return !d->queue[nic] || d->queue[nic][q];
}

static inline bool prom_dedup_irq(const struct prom_dedup *d, unsigned nic, unsigned k)
{
	return !d->irq[nic] || d->irq[nic][k];
}
