/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * CPU sets. MQ_MAX_CPUS is Debian's NR_CPUS: a CPU number beyond it is a
 * parse error (-ERANGE), never a silent wrap as in the 32/64-bit mask bugs
 * of the scripts we replace.
 *
 * A set stores the words up to its highest CPU and no more (w[nw - 1] is
 * not 0), so it costs memory and time by the CPUs in it: {0-3} is one word
 * on a machine with 8,192 possible CPUs. Two ways to hold one:
 * - struct mq_cpuset_buf: room for any set (1 KiB), on the stack or in a
 *   struct that changes it; cpuset_buf() is the set in it, CPUSET_DEFINE()
 *   declares one. A zeroed buf is the empty set.
 * - const struct mq_cpuset *: sets that stay (per IRQ, queue, plan item) are
 *   immutable copies of their own size, interned in a struct cpuset_pool
 *   owned by whatever holds them (the NIC, the plan, ...). NULL is the empty
 *   set for every function here, so a zeroed struct holds empty sets.
 */
#define MQ_MAX_CPUS 8192
#define MQ_CPUSET_WORDS (MQ_MAX_CPUS / 64)

/*
 * Opaque, so that no set is declared, copied or sized by hand: a set is
 * either a buf's or a pool's (cpuset.c has the layout, the buf's own).
 */
struct mq_cpuset;

struct mq_cpuset_buf {
	uint64_t nw;                  /* words in use */
	uint64_t w[MQ_CPUSET_WORDS];
};

/* The set in a buf (same layout: every access goes through the set); cpuset_cbuf() for a const one. */
static inline struct mq_cpuset *cpuset_buf(struct mq_cpuset_buf *b)
{
	return (struct mq_cpuset *)(void *)b;
}

static inline const struct mq_cpuset *cpuset_cbuf(const struct mq_cpuset_buf *b)
{
	return (const struct mq_cpuset *)(const void *)b;
}
/* Empty the buf, return its set. */
struct mq_cpuset *cpuset_init(struct mq_cpuset_buf *b);
/* Declare struct mq_cpuset *name: an empty set to compute in, on the stack. */
#define CPUSET_DEFINE(name)                   \
	struct mq_cpuset_buf name##_buf_;     \
	struct mq_cpuset *const name = cpuset_init(&name##_buf_)

/* Writers take a set in a buf (room for any CPU); readers any set, NULL as empty. */
void cpuset_zero(struct mq_cpuset *s);
void cpuset_set(struct mq_cpuset *s, unsigned cpu); /* cpu >= MQ_MAX_CPUS: ignored */
void cpuset_clear(struct mq_cpuset *s, unsigned cpu);
void cpuset_copy(struct mq_cpuset *dst, const struct mq_cpuset *src);
bool cpuset_isset(const struct mq_cpuset *s, unsigned cpu);
unsigned cpuset_count(const struct mq_cpuset *s);
bool cpuset_empty(const struct mq_cpuset *s);
bool cpuset_equal(const struct mq_cpuset *a, const struct mq_cpuset *b);
/* dst may be a or b. */
void cpuset_and(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
void cpuset_or(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
void cpuset_andnot(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b);
/* Lowest CPU >= from in s, or -1. */
int cpuset_next(const struct mq_cpuset *s, unsigned from);
/* Highest CPU in s, or -1. */
int cpuset_last(const struct mq_cpuset *s);
#define CPUSET_FOREACH(cpu, s) \
	for (int cpu = cpuset_next((s), 0); cpu >= 0; cpu = cpuset_next((s), (unsigned)cpu + 1))
/* Bytes an interned copy of s takes (header and words). */
size_t cpuset_size(const struct mq_cpuset *s);

/* "0-3,8,10-11" (also " \n"-terminated, empty string = empty set). ret: a buf's set. */
int cpuset_parse_list(const char *text, struct mq_cpuset *ret);
/* "ff,ffffffff" as in smp_affinity / xps_cpus: 32-bit comma groups, any width. */
int cpuset_parse_mask(const char *text, struct mq_cpuset *ret);
/* Write "0-3,8" (empty set -> ""). Returns length or -ENOSPC. */
int cpuset_format_list(const struct mq_cpuset *s, char *buf, size_t len);
/*
 * Write a mask in the kernel's format for nr_cpus CPUs (nr_cpu_ids):
 * ceil(nr_cpus/32) comma-separated 8-digit groups, which the kernel accepts.
 * Returns length or -ENOSPC / -ERANGE (a CPU at or beyond nr_cpus, or
 * nr_cpus beyond MQ_MAX_CPUS).
 */
int cpuset_format_mask(const struct mq_cpuset *s, unsigned nr_cpus, char *buf, size_t len);
/* Room for the list or the mask of any set, NUL included ("0,2,...,8190" is 19,924 bytes). */
#define MQ_CPULIST_MAX 20480

/*
 * Interned immutable sets, freed together: equal sets are stored once, each
 * at its own size. Zeroed is an empty pool.
 */
struct cpuset_pool {
	struct mq_cpuset **slot; /* open addressing; NULL free */
	unsigned n, cap;         /* cap: 0 or a power of two */
};
/*
 * The pool's copy of s (an existing one if equal) into *ret; the empty set
 * is NULL. Returns 0 or -ENOMEM (ret untouched).
 */
int cpuset_pool_intern(struct cpuset_pool *p, const struct mq_cpuset *s,
		       const struct mq_cpuset **ret);
/* cpuset_parse_list() and intern: 0, -EINVAL, -ERANGE or -ENOMEM. */
int cpuset_pool_parse_list(struct cpuset_pool *p, const char *text, const struct mq_cpuset **ret);
void cpuset_pool_free(struct cpuset_pool *p);
