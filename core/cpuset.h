/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * A fixed-size CPU set. 1024 CPUs covers every VM shape clouds sell today;
 * a CPU number beyond it is a parse error (-ERANGE), never a silent wrap as
 * in the 32/64-bit mask bugs of the scripts we replace.
 */
#define MQ_MAX_CPUS 1024

struct mq_cpuset {
	uint64_t w[MQ_MAX_CPUS / 64];
};

void cpuset_zero(struct mq_cpuset *s);
void cpuset_set(struct mq_cpuset *s, unsigned cpu);
void cpuset_clear(struct mq_cpuset *s, unsigned cpu);
bool cpuset_isset(const struct mq_cpuset *s, unsigned cpu);
unsigned cpuset_count(const struct mq_cpuset *s);
bool cpuset_empty(const struct mq_cpuset *s);
bool cpuset_equal(const struct mq_cpuset *a, const struct mq_cpuset *b);
void cpuset_and(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
void cpuset_or(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
void cpuset_andnot(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
/* Lowest CPU >= from in s, or -1. */
int cpuset_next(const struct mq_cpuset *s, unsigned from);
#define CPUSET_FOREACH(cpu, s) \
	for (int cpu = cpuset_next((s), 0); cpu >= 0; cpu = cpuset_next((s), (unsigned)cpu + 1))

/* "0-3,8,10-11" (also " \n"-terminated, empty string = empty set). */
int cpuset_parse_list(const char *text, struct mq_cpuset *ret);
/* "ff,ffffffff" as in smp_affinity / xps_cpus: 32-bit comma groups, any width. */
int cpuset_parse_mask(const char *text, struct mq_cpuset *ret);
/* Write "0-3,8" (empty set -> ""). Returns length or -ENOSPC. */
int cpuset_format_list(const struct mq_cpuset *s, char *buf, size_t len);
/*
 * Write a mask in the kernel's format for nr_cpus CPUs (nr_cpu_ids):
 * ceil(nr_cpus/32) comma-separated 8-digit groups, which the kernel accepts.
 * Returns length or -ENOSPC / -ERANGE (bit set at or beyond nr_cpus).
 */
int cpuset_format_mask(const struct mq_cpuset *s, unsigned nr_cpus, char *buf, size_t len);
