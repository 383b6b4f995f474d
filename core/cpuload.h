/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Where the packets go, per CPU: rates over the interval between two
 * snapshots, from the per-CPU counters (struct mq_cpu_counters) and the
 * per-CPU counts of every NIC's queue IRQs (role RX, TX or RXTX with a
 * queue). Pure: no system calls.
 *
 * Unknown is NAN: no earlier snapshot or no time between them, a CPU not
 * online in both, a counter missing in either or gone backwards (reset,
 * hotplug, or a wrap: the softirq, softnet and IRQ counters are 32-bit in
 * the kernel), never a huge number.
 */

#include <stdbool.h>

#include "core/snapshot.h"

/* One queue IRQ a CPU serves: in its affinity, or it fired there. */
struct cpuload_irq {
	unsigned nic;          /* index into now->nics */
	unsigned irq;          /* index into that NIC's irqs[] */
	int queue;
	enum mq_irq_role role; /* IRQ_ROLE_RX, _TX or _RXTX */
	bool affine;           /* CPU in the effective affinity (the requested one if no effective) */
	double per_s;          /* this IRQ's interrupts per second on this CPU */
};

struct cpuload_cpu {
	int cpu;
	bool online;                         /* online now (and before, when there is a before) */
	double net_rx_per_s, net_tx_per_s;   /* NET_RX / NET_TX softirqs per second */
	double softirq_share, irq_share;     /* share of the CPU's time, 0..1 */
	double steal_share;                  /* time the hypervisor gave to someone else, 0..1 */
	double softnet_processed_per_s;      /* packets through this CPU's backlog/NAPI */
	double softnet_dropped_per_s;        /* backlog full (netdev_max_backlog) */
	double softnet_squeezed_per_s;       /* NAPI out of budget or time with work left */
	double queue_irqs_per_s;             /* sum of irqs[].per_s that are known (0 if none) */
	unsigned nirqs;
	struct cpuload_irq *irqs;            /* points into struct cpuload.irqs */
};

struct cpuload {
	double secs;               /* the interval; 0 without one (every rate NAN) */
	unsigned n;                /* entries in cpu[]: now->cpus.n */
	struct cpuload_cpu *cpu;   /* indexed by CPU id */
	unsigned nirqs;
	struct cpuload_irq *irqs;  /* grouped by CPU, CPUs ascending */
};

/*
 * Rates from before to now (before may be NULL: then only which queue IRQs
 * each CPU serves by affinity). NICs are matched by ifindex and name, IRQs by
 * number. Returns 0 or -ENOMEM / -EINVAL; *ret is written only on success.
 */
int cpuload_build(const struct mq_snapshot *now, const struct mq_snapshot *before,
		  struct cpuload *ret);
void cpuload_free(struct cpuload *l);
