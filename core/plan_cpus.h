/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Where the planner's queues go (core/plan.c's helpers): the order in which
 * a NIC's queues take CPUs, the least loaded pick, and the XPS sets that
 * follow. Sized by the usable CPUs, never by MQ_MAX_CPUS.
 */
#include "core/snapshot.h"

struct cpu_key {
	int cpu, remote, smt, l3idx, l3;
};

/*
 * The order in which a NIC's queues take CPUs into order[] (and each one's
 * tier: remote node x2, SMT sibling x1): NUMA-local first, first threads
 * of cores before their siblings, and within that L3 groups interleaved
 * (0, 8, 1, 9, ... for two groups of 8). k, order and tier have room for
 * every usable CPU. Returns how many.
 */
unsigned plan_cpu_order(const struct mq_snapshot *s, const struct mq_cpuset *usable, int node,
			struct cpu_key *k, int *order, int *tier);

struct placer {
	unsigned *load; /* queues placed per CPU (by id, up to the highest usable), over every NIC */
	int last;       /* CPU the previous queue got, -1 none */
};

/* The CPU the next queue gets from order[0..n), -1 if none. */
int plan_place(struct placer *pl, const int *order, const int *tier, unsigned n);

/*
 * XPS (and RPS) CPU sets per queue from the queues' CPUs: the rules in
 * core/assess.h. Each usable CPU is chained to its queue's list in CPU
 * order: first[k] heads queue k's, next[cpu] follows it (-1 ends), so the
 * sets cost an int per CPU, not a set per queue.
 */
struct queue_cpus {
	int *first, *last; /* per queue */
	int *next;         /* per CPU id, up to the highest usable */
	unsigned *setn;    /* CPUs per queue */
};

/* Chain every usable CPU to one of q queues, qcpu[k] the CPU of queue k (-1 none). */
void plan_queue_sets(const struct mq_snapshot *s, const struct mq_cpuset *usable, const int *qcpu,
		     unsigned q, struct queue_cpus *qc);
/* Queue k's set into ret (a buf's set). */
void plan_queue_set(const struct queue_cpus *qc, unsigned k, struct mq_cpuset *ret);
