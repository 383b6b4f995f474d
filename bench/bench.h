/* SPDX-License-Identifier: MIT */
#pragma once

/* Shared by the bench programs: per-iteration CPU time and its median. */

#include <stdlib.h>
#include <time.h>

static inline double bench_cpu_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec * 1e6 + (double)t.tv_nsec / 1e3;
}

static inline int bench_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The median of v[0..n) (sorts v). A loaded machine adds outliers: the median ignores them. */
static inline double bench_median(double *v, unsigned n)
{
	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), bench_cmp);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Sleep ms after an iteration, as the daemon does between intervals (its caches go cold). */
static inline void bench_pause(unsigned ms)
{
	struct timespec p = {.tv_sec = ms / 1000, .tv_nsec = (long)(ms % 1000) * 1000000};

	if (ms)
		nanosleep(&p, NULL);
}
