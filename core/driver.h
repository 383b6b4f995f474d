/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What we know about each NIC driver, as data (core/driver_table.c): one row
 * per driver with its IRQ action names, its per-queue `ethtool -S` keys and
 * the host-side rule that gives the device more queues; and one row per
 * host-side rule (platform limits, the fix text). The functions below only
 * interpret those rows. Pure: no I/O. Adding a driver is one row plus one
 * fixture, tests/data/driver/NAME.txt (tests/test_driver.c fails without it).
 *
 * Patterns (IRQ names, ethtool keys) match a whole string:
 *   {q}    a decimal number (queue, vector or block), at most DRIVER_MAX_QUEUE
 *   {if}   the interface name
 *   {dev}  the bus device the netdev hangs off ("virtio2", "vif0"); without
 *          one, the row's own device word and any number ("virtio7")
 *   {*}    any run of characters, also none
 * Every other character stands for itself.
 */

#include <stdbool.h>
#include <stddef.h>

#include "core/snapshot.h"

#define DRIVER_MAX_QUEUE 65535

/* How the IRQ map turns a matched number into a queue: flags of one pattern. */
enum {
	/* The bare interface name: queue 0 when it is the device's only queue
	 * vector, else the "other causes" vector next to them (ixgbe, igb). */
	DRIVER_IRQ_ALONE = 1u << 0,
	/* gve notification block: blocks below half the count are TX queues,
	 * the rest RX queues (block - half). */
	DRIVER_IRQ_BLOCK = 1u << 1,
	/* vmxnet3 without buddy sharing: the number is the MSI-X vector and the
	 * RX vectors follow the TX ones: queue = number - TX vectors. */
	DRIVER_IRQ_AFTER_TX = 1u << 2,
	/* mlx5: some kernels number completion vectors from 1: queues count
	 * from the lowest number seen. */
	DRIVER_IRQ_REBASE = 1u << 3,
};

struct driver_irq_pattern {
	const char *pattern;    /* NULL ends a list */
	enum mq_irq_role role;
	unsigned flags;         /* DRIVER_IRQ_* */
};

struct driver_stat_shape {
	const char *pattern;    /* NULL ends a list */
	enum mq_stats_col field;
};

/* Host-side rules, in the order they are tried (the first that applies wins). */
enum driver_host {
	DRIVER_HOST_NONE,       /* a driver row without one: the platform decides */
	DRIVER_HOST_AWS_ENA,
	DRIVER_HOST_GCE_GVNIC,
	DRIVER_HOST_GCE_VIRTIO,
	DRIVER_HOST_MODEL_SWAP, /* an emulated single-queue model: use virtio-net */
	DRIVER_HOST_HYPERV,
	DRIVER_HOST_NANOS,
	DRIVER_HOST_QEMU,
	DRIVER_HOST_GENERIC,    /* nothing better known */
	_DRIVER_HOST_MAX,
};

struct mq_driver {
	const char *name;       /* ETHTOOL_GDRVINFO driver; "other": every driver not listed */
	const char *alias;      /* another name it goes by (the module's), or NULL */
	const char *dev;        /* device word of {dev} ("virtio", "vif"), or NULL */
	const struct driver_irq_pattern *irqs;  /* first match wins */
	const struct driver_stat_shape *stats;  /* empty: no per-queue key worth the ioctls */
	enum driver_host host;  /* the host-side rule this driver implies */
	const char *source;     /* where the names were checked */
};

struct driver_host_rule {
	const char *name;       /* "aws-ena", ... (tests, logs) */
	/* The rule applies to a driver row naming it, or to a platform whose
	 * cloud / hypervisor equals, or whose sys_vendor / product_name contains
	 * (case-insensitively), one of these (NULL: not a condition). */
	const char *cloud, *hypervisor, *vendor, *product;
	unsigned limit;         /* queues per NIC the platform allows; 0 no fixed limit */
	/*
	 * Texts with {want} (queues wanted), {vectors} (2 * want + 2, MSI-X for
	 * virtio-net), {capped} (want capped at limit), {limit}, {driver}.
	 * at_limit: the device already has limit queues: nothing to do.
	 */
	const char *at_limit, *fix;
};

extern const struct mq_driver driver_table[];
extern const unsigned driver_table_n;  /* rows, the "other" row last */
extern const struct driver_host_rule driver_host_rules[_DRIVER_HOST_MAX];

/* The row of a driver name (or alias), case-insensitive; the "other" row for
 * NULL, "" and drivers not in the table. Never NULL. */
const struct mq_driver *driver_find(const char *name);

/*
 * The {dev} prefix of a bus device from the name the netdev's device link
 * points at: "virtio2" -> "virtio2", "vif-0" -> "vif0". Returns false (buf
 * untouched) for a PCI function or anything else no row knows.
 */
bool driver_dev_prefix(const char *devlink, char *buf, size_t len);

struct driver_irq {
	enum mq_irq_role role;  /* IRQ_ROLE_OTHER when nothing matched */
	int queue;              /* the matched number, -1 none (before the DRIVER_IRQ_* steps) */
	unsigned flags;         /* DRIVER_IRQ_* of the matching pattern */
	bool ours;              /* matched on the interface name or the given device prefix */
	const char *pattern;    /* the matching pattern, NULL if none */
};

/*
 * Classify one /proc/interrupts action name of a NIC driven by d. name may
 * list several actions ("uhci_hcd:usb1, ens3"): the first known one wins.
 * A driver row tries its own patterns; the "other" row every row's (in table
 * order), but {dev} then needs dev. ifname and dev may be NULL or "".
 * Returns 1 if known, 0 if not (ret: OTHER, -1), -EINVAL without name or ret.
 */
int driver_irq_classify(const struct mq_driver *d, const char *ifname, const char *dev,
			const char *name, struct driver_irq *ret);

struct driver_stat {
	unsigned queue;
	enum mq_stats_col field;
	const char *pattern;    /* the matching shape */
};

/* Map one `ethtool -S` key of driver d (NULL: "other") to (queue, field).
 * Returns 1 if it is a per-queue counter we use (ret written), else 0. */
int driver_stat_match(const struct mq_driver *d, const char *key, struct driver_stat *ret);
/* The columns (STATS_COL_BIT) d has a key shape for (NULL: "other"). */
unsigned driver_stat_cols(const struct mq_driver *d);

/* The host-side rule for a NIC with this driver on platform p (NULL: unknown). Never NULL. */
const struct driver_host_rule *driver_host_rule(const struct mq_platform *p, const char *driver);

/*
 * The host-side setting that gives the device `want` queues, into buf (cut
 * to len). The device offers `max` now. Returns false when the platform's
 * limit is reached and nothing can be done (buf then says so).
 */
bool driver_host_fix(const struct mq_platform *p, const struct mq_nic *n, unsigned max,
		     unsigned want, char *buf, size_t len);
