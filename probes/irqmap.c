// SPDX-License-Identifier: MIT
/*
 * Which IRQs belong to a NIC and which queue each one serves, from sysfs and
 * the drivers' IRQ names:
 *
 *   /sys/class/net/DEV/device            the PCI function (ENA, gve, mlx5,
 *                                        Intel) or a virtioK device whose
 *                                        parent is the PCI function
 *   .../msi_irqs/N                       one entry per MSI/MSI-X vector
 *   .../irq                              the INTx line when there is no MSI
 *
 * The virtio index K is not the interface number: it comes from the device
 * link, and the names are matched on "virtioK-".
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

/* PCI MSI-X allows 2048 vectors; anything beyond this is not a real device. */
#define MAX_DEV_IRQS 4096
#define MAX_QUEUE 65535

struct match {
	enum mq_irq_role role;
	int queue;
	bool gve_block;  /* queue is a gve notification block, split later */
	bool bare;       /* the action is just the interface name */
	bool ours;       /* matched on this NIC's interface name or virtio prefix */
};

/* Digits up to end or a stop char ('@' in "...@pci:bdf"), at most max; else -1. */
static int parse_num(const char *p, char stop, long max)
{
	long v = 0;

	if (!isdigit((unsigned char)*p))
		return -1;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > max)
			return -1;
	}
	return *p == '\0' || (stop && *p == stop) ? (int)v : -1;
}

static int parse_queue(const char *p, char stop) { return parse_num(p, stop, MAX_QUEUE); }

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

static bool starts_nocase(const char *s, const char *prefix)
{
	return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static bool ends(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && strcmp(s + a - b, suffix) == 0;
}

static bool set(struct match *m, enum mq_irq_role role, int queue)
{
	m->role = role;
	m->queue = queue;
	return true;
}

/* "input.3", "output.3", "config", "virtqueues" after "virtioK-". */
static bool virtio_suffix(const char *s, struct match *m)
{
	int q;

	if (starts(s, "input.") && (q = parse_queue(s + 6, 0)) >= 0)
		return set(m, IRQ_ROLE_RX, q);
	if (starts(s, "output.") && (q = parse_queue(s + 7, 0)) >= 0)
		return set(m, IRQ_ROLE_TX, q);
	if (strcmp(s, "config") == 0 || strcmp(s, "control") == 0)
		return set(m, IRQ_ROLE_CONFIG, -1);
	if (strcmp(s, "virtqueues") == 0)
		return set(m, IRQ_ROLE_SHARED, -1);
	return set(m, IRQ_ROLE_OTHER, -1);
}

/* What follows "<if>-": queue naming schemes of ENA, Intel, vmxnet3, xen-netfront, gve (old). */
static bool ifname_suffix(const char *s, struct match *m)
{
	static const char *const rxtx[] = {"TxRx-", "Tx-Rx-", "rxtx-", "combined-"};
	int q;

	for (size_t i = 0; i < sizeof(rxtx) / sizeof(rxtx[0]); i++)
		if (starts_nocase(s, rxtx[i]) && (q = parse_queue(s + strlen(rxtx[i]), 0)) >= 0)
			return set(m, IRQ_ROLE_RXTX, q);
	if (starts_nocase(s, "rx-") && (q = parse_queue(s + 3, 0)) >= 0)
		return set(m, IRQ_ROLE_RX, q);
	if (starts_nocase(s, "tx-") && (q = parse_queue(s + 3, 0)) >= 0)
		return set(m, IRQ_ROLE_TX, q);
	/* xen-netfront: "<if>-q0-tx", "<if>-q0-rx", or "<if>-q0" with one event channel. */
	if (s[0] == 'q' && (q = parse_queue(s + 1, '-')) >= 0) {
		const char *r = strchr(s, '-');

		if (!r)
			return set(m, IRQ_ROLE_RXTX, q);
		if (strcmp(r, "-rx") == 0)
			return set(m, IRQ_ROLE_RX, q);
		if (strcmp(r, "-tx") == 0)
			return set(m, IRQ_ROLE_TX, q);
	}
	if (starts(s, "ntfy-block.") && (q = parse_queue(s + 11, 0)) >= 0) {
		m->gve_block = true;
		return set(m, IRQ_ROLE_RXTX, q);
	}
	if ((q = parse_queue(s, 0)) >= 0)
		return set(m, IRQ_ROLE_RXTX, q);
	if (strcmp(s, "mgmnt") == 0 || strcmp(s, "misc") == 0 || strcmp(s, "mbx") == 0 ||
	    starts(s, "event-") || strcmp(s, "event") == 0)
		return set(m, IRQ_ROLE_CONFIG, -1);
	return false;
}

/* Position right after the interface name in s (at start or after a '-'), NULL if absent. */
static const char *after_ifname(const char *s, const char *ifname)
{
	size_t n = strlen(ifname);

	if (!n)
		return NULL;
	for (const char *p = s; (p = strstr(p, ifname)); p++)
		if ((p == s || p[-1] == '-') && (p[n] == '\0' || p[n] == '-' || p[n] == ' '))
			return p + n;
	return NULL;
}

static bool is_virtio_driver(const char *driver)
{
	return !driver || !*driver || strcmp(driver, "virtio_net") == 0;
}

/* One action name. Returns true if it names a queue, config or shared vector we know. */
static bool classify_one(const char *driver, const char *ifname, const char *prefix,
			 const char *a, struct match *m)
{
	const char *p;
	int q;

	*m = (struct match){.role = IRQ_ROLE_OTHER, .queue = -1};
	/* virtio: "virtioK-input.Q"; only K of this device when we know it. */
	if (prefix && *prefix && starts(prefix, "virtio")) {
		size_t n = strlen(prefix);

		if (strncmp(a, prefix, n) == 0 && a[n] == '-') {
			m->ours = true;
			return virtio_suffix(a + n + 1, m) && m->role != IRQ_ROLE_OTHER;
		}
	} else if (starts(a, "virtio") && is_virtio_driver(driver) &&
		   (p = strchr(a, '-')) && parse_queue(a + 6, '-') >= 0) {
		return virtio_suffix(p + 1, m) && m->role != IRQ_ROLE_OTHER;
	}

	/* Names carrying the PCI address instead of the interface name. */
	if (starts(a, "ena-mgmnt@") || starts(a, "gve-mgmnt@") || starts(a, "mlx5_async"))
		return set(m, IRQ_ROLE_CONFIG, -1);
	if (starts(a, "mlx5_comp") && (q = parse_queue(a + 9, '@')) >= 0)
		return set(m, IRQ_ROLE_RXTX, q);
	if (starts(a, "gve-ntfy-blk") && (q = parse_queue(a + 12, '@')) >= 0) {
		m->gve_block = true;
		return set(m, IRQ_ROLE_RXTX, q);
	}
	if (ends(a, ":misc") || ends(a, ":mbx"))
		return set(m, IRQ_ROLE_CONFIG, -1);

	/* "<if>-TxRx-0", "i40e-<if>-TxRx-0", "<if>-ntfy-block.0", "enp5s0f4 (queue 0)", "<if>". */
	p = ifname ? after_ifname(a, ifname) : NULL;
	if (!p)
		return false;
	m->ours = true;
	if (*p == '\0') {
		m->bare = true;
		return set(m, IRQ_ROLE_RXTX, 0);
	}
	if (starts(p, " (queue ") && ends(p, ")") && (q = parse_queue(p + 8, ')')) >= 0 &&
	    strchr(p + 8, ')')[1] == '\0')
		return set(m, IRQ_ROLE_RXTX, q);
	if (*p == '-' && ifname_suffix(p + 1, m))
		return true;
	m->role = IRQ_ROLE_OTHER;
	m->queue = -1;
	return false;
}

/* A /proc/interrupts name may list several actions: "uhci_hcd:usb1, ens3". First known wins. */
static bool classify_name(const char *driver, const char *ifname, const char *prefix,
			  const char *name, struct match *ret)
{
	char buf[MQ_NAME_MAX];
	char *save = NULL, *tok;

	snprintf(buf, sizeof(buf), "%s", name);
	*ret = (struct match){.role = IRQ_ROLE_OTHER, .queue = -1};
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct match m;
		size_t n;

		while (*tok == ' ')
			tok++;
		n = strlen(tok);
		while (n > 0 && tok[n - 1] == ' ')
			tok[--n] = '\0';
		if (classify_one(driver, ifname, prefix, tok, &m)) {
			*ret = m;
			return true;
		}
		ret->ours |= m.ours;
	}
	return false;
}

int irqmap_classify(const char *driver, const char *ifname, const char *prefix,
		    const char *name, enum mq_irq_role *ret_role, int *ret_queue)
{
	struct match m;

	if (!name)
		return -EINVAL;
	classify_name(driver, ifname, prefix, name, &m);
	if (ret_role)
		*ret_role = m.role;
	if (ret_queue)
		*ret_queue = m.queue;
	return 0;
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
		int irq = parse_num(de->d_name, 0, INT_MAX);

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

int irqmap_by_names(struct mq_nic *nic, const struct irq_table *t)
{
	char devname[64] = "", driver[32] = "", prefix[32] = "";
	struct numlist nums = {0};
	struct match *matches = NULL;
	struct mq_irq *irqs = NULL;
	unsigned n = 0, nblocks = 0;
	bool virtio, any_queue = false;
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
	virtio = strncmp(devname, "virtio", 6) == 0 && parse_queue(devname + 6, 0) >= 0;
	if (virtio)
		snprintf(prefix, sizeof(prefix), "%s", devname);

	r = read_msi_irqs(nic->name, "", &nums);
	if (r <= 0 && r != -ENOMEM && virtio)
		r = read_msi_irqs(nic->name, "/..", &nums);
	if (r <= 0 && r != -ENOMEM)
		r = read_intx(nic->name, virtio ? "/.." : "", &nums);
	if (r == -ENOMEM)
		goto out;
	/* Neither MSI nor INTx in sysfs (xen-netfront, ...): take the names that are ours. */
	if (nums.n == 0) {
		for (unsigned i = 0; i < t->n; i++) {
			struct match m;

			if (classify_name(driver, nic->name, prefix, t->lines[i].name, &m) && m.ours &&
			    (r = numlist_add(&nums, t->lines[i].irq)) < 0)
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
		classify_name(driver, nic->name, prefix, l->name, &matches[n]);
		x->irq = l->irq;
		snprintf(x->name, sizeof(x->name), "%s", l->name);
		x->total = l->total;
		x->n_per_cpu = t->ncpus;
		x->per_cpu = malloc((t->ncpus ? t->ncpus : 1) * sizeof(*x->per_cpu));
		if (!x->per_cpu) {
			r = -ENOMEM;
			goto out;
		}
		memcpy(x->per_cpu, l->per_cpu, t->ncpus * sizeof(*x->per_cpu));
		irq_affinity_read(x);
		if (matches[n].gve_block)
			nblocks++;
		else if (matches[n].queue >= 0 && !matches[n].bare)
			any_queue = true;
		n++;
	}

	for (unsigned i = 0; i < n; i++) {
		struct match *m = &matches[i];

		/* gve: block b < nblocks/2 is TX queue b, the rest RX queue b - nblocks/2. */
		if (m->gve_block) {
			unsigned half = nblocks / 2;

			if ((unsigned)m->queue < half) {
				m->role = IRQ_ROLE_TX;
			} else {
				m->role = IRQ_ROLE_RX;
				m->queue -= (int)half;
			}
		}
		/* ixgbe names its "other" vector after the interface: only alone is it queue 0. */
		if (m->bare && any_queue) {
			m->role = IRQ_ROLE_CONFIG;
			m->queue = -1;
		}
		irqs[i].role = m->role;
		irqs[i].queue = m->queue;
		if (m->role == IRQ_ROLE_SHARED)
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
	snprintf(nic->irq_prefix, sizeof(nic->irq_prefix), "%s", virtio ? prefix : nic->name);
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
