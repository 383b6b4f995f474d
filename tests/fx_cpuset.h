/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * CPU sets for constructed data: sets are interned in the pool of whatever
 * holds them (a NIC, a plan, the CPUs), so a test names the pool and a
 * list. A bad list or no memory aborts (the test fails).
 */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/cpuset.h"

static inline const struct mq_cpuset *fx_intern(struct cpuset_pool *p, const struct mq_cpuset *s)
{
	const struct mq_cpuset *r = NULL;

	if (cpuset_pool_intern(p, s, &r) < 0)
		abort();
	return r;
}

/* The set of a list ("0-3,8", "" empty) in p. */
static inline const struct mq_cpuset *fx_set(struct cpuset_pool *p, const char *list)
{
	const struct mq_cpuset *s = NULL;

	if (cpuset_pool_parse_list(p, list, &s) < 0) {
		fprintf(stderr, "fx_set: bad CPU list '%s'\n", list);
		abort();
	}
	return s;
}

/* The set of a hex mask ("ff,00000001") in p. */
static inline const struct mq_cpuset *fx_mask(struct cpuset_pool *p, const char *mask)
{
	CPUSET_DEFINE(t);

	if (cpuset_parse_mask(mask, t) < 0) {
		fprintf(stderr, "fx_mask: bad mask '%s'\n", mask);
		abort();
	}
	return fx_intern(p, t);
}

/* One CPU. */
static inline const struct mq_cpuset *fx_cpu(struct cpuset_pool *p, unsigned cpu)
{
	CPUSET_DEFINE(t);

	cpuset_set(t, cpu);
	return fx_intern(p, t);
}

/* s with cpu added (on) or removed, in p. */
static inline const struct mq_cpuset *fx_with(struct cpuset_pool *p, const struct mq_cpuset *s,
					      unsigned cpu, bool on)
{
	CPUSET_DEFINE(t);

	cpuset_copy(t, s);
	if (on)
		cpuset_set(t, cpu);
	else
		cpuset_clear(t, cpu);
	return fx_intern(p, t);
}

/* CPUs [0, n). */
static inline const struct mq_cpuset *fx_first(struct cpuset_pool *p, unsigned n)
{
	CPUSET_DEFINE(t);

	for (unsigned i = 0; i < n; i++)
		cpuset_set(t, i);
	return fx_intern(p, t);
}

/* Does s hold exactly the CPUs of list? */
static inline bool fx_set_is(const struct mq_cpuset *s, const char *list)
{
	CPUSET_DEFINE(t);

	return cpuset_parse_list(list, t) == 0 && cpuset_equal(s, t);
}
