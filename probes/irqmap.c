// SPDX-License-Identifier: MIT
/*
 * Which IRQs belong to a NIC and which queue each one serves, from sysfs and
 * the drivers' IRQ names (classified by core/driver.c):
 *
 *   /sys/class/net/DEV/device            the PCI function (ENA, gve, mlx5,
 *                                        Intel) or a bus device (virtioK,
 *                                        xen's vif-K) whose parent may be
 *                                        the PCI function
 *   .../msi_irqs/N                       one entry per MSI/MSI-X vector
 *   .../irq                              the INTx line when there is no MSI
 *
 * The virtio index K is not the interface number: it comes from the device
 * link, and the names are matched on "virtioK-" (xen: "vifK-").
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

/* PCI MSI-X allows 2048 vectors; anything beyond this is not a real device. */
#define MAX_DEV_IRQS 4096

/* Digits to the end of p, at most max; else -1. */
static int parse_num(const char *p, long max)
{
	long v = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	return *p == '\0' ? (int)v : -1;
}

/* ---- the device's IRQ numbers ------------------------------------------- */

struct numlist {
	unsigned *v;
	unsigned n, cap;
};

static int numlist_add(struct numlist *l, unsigned x)
{
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i] == x)
			return 0;
	if (l->n >= MAX_DEV_IRQS)
		return -E2BIG;
	if (l->n == l->cap) {
		unsigned ncap = l->cap ? l->cap * 2 : 32;
		unsigned *v = realloc(l->v, ncap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		l->v = v;
		l->cap = ncap;
	}
	l->v[l->n++] = x;
	return 0;
}

/* msi_irqs/ of "device" (or of its parent for virtio). Returns entries added or -errno. */
static int read_msi_irqs(const char *ifname, const char *rel, struct numlist *l)
{
	struct dirent *de;
	unsigned seen = 0;
	DIR *d;
	int r = 0;

	d = sysfs_opendir("/sys/class/net/%s/device%s/msi_irqs", ifname, rel);
	if (!d)
		return -errno;
	while (r >= 0 && seen++ < MAX_DEV_IRQS + 2 && (de = readdir(d))) {
		int irq = parse_num(de->d_name, INT_MAX);

		if (irq > 0)
			r = numlist_add(l, (unsigned)irq);
	}
	closedir(d);
	return r < 0 ? r : (int)l->n;
}

static int read_intx(const char *ifname, const char *rel, struct numlist *l)
{
	long irq;
	int r;

	r = sysfs_read_long(&irq, "/sys/class/net/%s/device%s/irq", ifname, rel);
	if (r < 0)
		return r;
	if (irq <= 0 || irq > INT_MAX)
		return -ENOENT;
	return numlist_add(l, (unsigned)irq);
}

/* ---- ordering ----------------------------------------------------------- */

static int role_rank(enum mq_irq_role r)
{
	switch (r) {
	case IRQ_ROLE_RX: return 0;
	case IRQ_ROLE_RXTX: return 1;
	case IRQ_ROLE_TX: return 2;
	default: return 3;
	}
}

/* Queue IRQs first by queue, RX before TX; then the rest by IRQ number. */
static int cmp_irq(const void *a, const void *b)
{
	const struct mq_irq *x = a, *y = b;
	bool qx = x->queue >= 0, qy = y->queue >= 0;

	if (qx != qy)
		return qx ? -1 : 1;
	if (qx && x->queue != y->queue)
		return x->queue < y->queue ? -1 : 1;
	if (qx && role_rank(x->role) != role_rank(y->role))
		return role_rank(x->role) < role_rank(y->role) ? -1 : 1;
	return x->irq < y->irq ? -1 : x->irq > y->irq;
}

static void irqs_clear(struct mq_nic *nic)
{
	for (unsigned i = 0; nic->irqs && i < nic->nirqs; i++)
		free(nic->irqs[i].per_cpu);
	free(nic->irqs);
	nic->irqs = NULL;
	nic->nirqs = 0;
}

/*
 * Turn matched numbers into queues where a driver numbers something else
 * (the DRIVER_IRQ_* flags): gve blocks, vmxnet3 vectors, mlx5 from 1; and the
 * bare interface name, queue 0 only when no queue vector exists.
 */
static void number_queues(struct driver_irq *m, unsigned n)
{
	unsigned nblocks = 0, ntx = 0;
	int lowest = -1;
	bool any_queue = false;

	for (unsigned i = 0; i < n; i++) {
		if (m[i].flags & DRIVER_IRQ_BLOCK)
			nblocks++;
		else if (m[i].role == IRQ_ROLE_TX && !(m[i].flags & DRIVER_IRQ_AFTER_TX))
			ntx++;
		if ((m[i].flags & DRIVER_IRQ_REBASE) && (lowest < 0 || m[i].queue < lowest))
			lowest = m[i].queue;
		if (m[i].queue >= 0 && !(m[i].flags & DRIVER_IRQ_ALONE))
			any_queue = true;
	}
	for (unsigned i = 0; i < n; i++) {
		struct driver_irq *x = &m[i];

		/* gve: block b < nblocks/2 is TX queue b, the rest RX queue b - nblocks/2. */
		if (x->flags & DRIVER_IRQ_BLOCK) {
			if ((unsigned)x->queue < nblocks / 2) {
				x->role = IRQ_ROLE_TX;
			} else {
				x->role = IRQ_ROLE_RX;
				x->queue -= (int)(nblocks / 2);
			}
		}
		if ((x->flags & DRIVER_IRQ_AFTER_TX) && (unsigned)x->queue >= ntx)
			x->queue -= (int)ntx;
		if (x->flags & DRIVER_IRQ_REBASE)
			x->queue -= lowest;
		/* ixgbe names its "other" vector after the interface: only alone is it queue 0. */
		if ((x->flags & DRIVER_IRQ_ALONE) && any_queue) {
			x->role = IRQ_ROLE_CONFIG;
			x->queue = -1;
		}
	}
}

int irqmap_by_names(struct mq_nic *nic, const struct irq_table *t)
{
	char devname[64] = "", driver[32] = "", prefix[32] = "";
	const struct mq_driver *d;
	struct numlist nums = {0};
	struct driver_irq *matches = NULL;
	struct mq_irq *irqs = NULL;
	unsigned n = 0;
	bool bus;
	int r;

	if (!nic || !t)
		return -EINVAL;
	irqs_clear(nic);
	nic->irq_shared = false;
	nic->irq_prefix[0] = '\0';
	nic->irqmap_source = IRQMAP_NONE;
	for (unsigned q = 0; nic->queues && q < nic->nqueues; q++)
		nic->queues[q].irq_rx = nic->queues[q].irq_tx = -1;

	/* No device link: a virtual interface, no IRQs of its own. */
	if (sysfs_link_name(devname, sizeof(devname), "/sys/class/net/%s/device", nic->name) < 0)
		return 0;
	if (nic->driver[0])
		snprintf(driver, sizeof(driver), "%s", nic->driver);
	else
		sysfs_link_name(driver, sizeof(driver), "/sys/class/net/%s/device/driver", nic->name);
	d = driver_find(driver);
	/* virtioK, vif-K: the vectors (if any) are the parent PCI function's. */
	bus = driver_dev_prefix(devname, prefix, sizeof(prefix));

	r = read_msi_irqs(nic->name, "", &nums);
	if (r <= 0 && r != -ENOMEM && bus)
		r = read_msi_irqs(nic->name, "/..", &nums);
	if (r <= 0 && r != -ENOMEM)
		r = read_intx(nic->name, bus ? "/.." : "", &nums);
	if (r == -ENOMEM)
		goto out;
	/* Neither MSI nor INTx in sysfs (xen-netfront, ...): take the names that are ours. */
	if (nums.n == 0) {
		for (unsigned i = 0; i < t->n; i++) {
			struct driver_irq m;

			if (driver_irq_classify(d, nic->name, prefix, t->lines[i].name, &m) == 1 &&
			    m.ours && (r = numlist_add(&nums, t->lines[i].irq)) < 0)
				goto out;
		}
	}
	r = 0;
	if (!nums.n)
		goto out;

	irqs = calloc(nums.n, sizeof(*irqs));
	matches = calloc(nums.n, sizeof(*matches));
	if (!irqs || !matches) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < nums.n; i++) {
		const struct irq_line *l = interrupts_find(t, nums.v[i]);
		struct mq_irq *x = &irqs[n];

		/* A vector allocated but not requested (interface down) has no line: nothing to map. */
		if (!l)
			continue;
		driver_irq_classify(d, nic->name, prefix, l->name, &matches[n]);
		x->irq = l->irq;
		snprintf(x->name, sizeof(x->name), "%s", l->name);
		x->total = l->total;
		x->n_per_cpu = t->ncpus;
		x->per_cpu = malloc((t->ncpus ? t->ncpus : 1) * sizeof(*x->per_cpu));
		if (!x->per_cpu) {
			r = -ENOMEM;
			goto out;
		}
		interrupts_per_cpu(t, l, x->per_cpu, t->ncpus);
		irq_affinity_read(&nic->sets, x);
		n++;
	}

	number_queues(matches, n);
	for (unsigned i = 0; i < n; i++) {
		irqs[i].role = matches[i].role;
		irqs[i].queue = matches[i].queue;
		if (matches[i].role == IRQ_ROLE_SHARED)
			nic->irq_shared = true;
	}
	if (n)
		qsort(irqs, n, sizeof(*irqs), cmp_irq);
	for (unsigned i = 0; nic->queues && i < n; i++) {
		struct mq_queue *q;

		if (irqs[i].queue < 0 || (unsigned)irqs[i].queue >= nic->nqueues)
			continue;
		q = &nic->queues[irqs[i].queue];
		if ((irqs[i].role == IRQ_ROLE_RX || irqs[i].role == IRQ_ROLE_RXTX) && q->irq_rx < 0)
			q->irq_rx = (int)i;
		if ((irqs[i].role == IRQ_ROLE_TX || irqs[i].role == IRQ_ROLE_RXTX) && q->irq_tx < 0)
			q->irq_tx = (int)i;
	}
	nic->irqs = irqs;
	nic->nirqs = n;
	irqs = NULL;
	snprintf(nic->irq_prefix, sizeof(nic->irq_prefix), "%s", bus ? prefix : nic->name);
	nic->irqmap_source = n ? IRQMAP_NAMES : IRQMAP_NONE;
	r = (int)n;
out:
	if (irqs) {
		for (unsigned i = 0; i < nums.n; i++)
			free(irqs[i].per_cpu);
		free(irqs);
	}
	free(matches);
	free(nums.v);
	return r;
}
