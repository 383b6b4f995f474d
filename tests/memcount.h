/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Heap bytes held by the code under test, now and at the peak: the test's
 * own objects and libmq.a go through these wrappers (its .mk links with
 * -Wl,--wrap=malloc,--wrap=calloc,--wrap=realloc,--wrap=free). Memory that
 * libc allocates for itself (stdio buffers) is not counted.
 */
#include <malloc.h>
#include <stddef.h>
#include <stdlib.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);
void __real_free(void *p);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_realloc(void *p, size_t n);
void __wrap_free(void *p);

static size_t mem_live, mem_peak;
static unsigned mem_fail_in; /* nonzero: the mem_fail_in-th allocation from now on fails */

static int mem_fail_now(void)
{
	return mem_fail_in && --mem_fail_in == 0;
}

static void mem_add(void *p)
{
	if (!p)
		return;
	mem_live += malloc_usable_size(p);
	if (mem_live > mem_peak)
		mem_peak = mem_live;
}

static void mem_sub(void *p)
{
	size_t n = p ? malloc_usable_size(p) : 0;

	mem_live = n > mem_live ? 0 : mem_live - n; /* a block libc allocated: not ours */
}

void *__wrap_malloc(size_t n)
{
	void *p = mem_fail_now() ? NULL : __real_malloc(n);

	mem_add(p);
	return p;
}

void *__wrap_calloc(size_t n, size_t size)
{
	void *p = mem_fail_now() ? NULL : __real_calloc(n, size);

	mem_add(p);
	return p;
}

void *__wrap_realloc(void *p, size_t n)
{
	size_t old = p ? malloc_usable_size(p) : 0;
	void *q = mem_fail_now() ? NULL : __real_realloc(p, n);

	if (q || !n) {
		mem_live = old > mem_live ? 0 : mem_live - old;
		mem_add(q);
	}
	return q;
}

void __wrap_free(void *p)
{
	mem_sub(p);
	__real_free(p);
}

/* Start counting the peak from what is held now. */
static inline void mem_mark(void)
{
	mem_peak = mem_live;
}
