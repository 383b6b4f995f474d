// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/cpuset.h"

void cpuset_zero(struct mq_cpuset *s) { memset(s, 0, sizeof(*s)); }

void cpuset_set(struct mq_cpuset *s, unsigned cpu)
{
	if (cpu < MQ_MAX_CPUS)
		s->w[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

void cpuset_clear(struct mq_cpuset *s, unsigned cpu)
{
	if (cpu < MQ_MAX_CPUS)
		s->w[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
}

bool cpuset_isset(const struct mq_cpuset *s, unsigned cpu)
{
	return cpu < MQ_MAX_CPUS && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct mq_cpuset *s)
{
	unsigned n = 0;

	for (size_t i = 0; i < MQ_MAX_CPUS / 64; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

bool cpuset_empty(const struct mq_cpuset *s)
{
	for (size_t i = 0; i < MQ_MAX_CPUS / 64; i++)
		if (s->w[i])
			return false;
	return true;
}

bool cpuset_equal(const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

void cpuset_and(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	for (size_t i = 0; i < MQ_MAX_CPUS / 64; i++)
		dst->w[i] = a->w[i] & b->w[i];
}

void cpuset_or(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	for (size_t i = 0; i < MQ_MAX_CPUS / 64; i++)
		dst->w[i] = a->w[i] | b->w[i];
}

void cpuset_andnot(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	for (size_t i = 0; i < MQ_MAX_CPUS / 64; i++)
		dst->w[i] = a->w[i] & ~b->w[i];
}

int cpuset_next(const struct mq_cpuset *s, unsigned from)
{
	for (unsigned i = from / 64; from < MQ_MAX_CPUS && i < MQ_MAX_CPUS / 64; i++) {
		uint64_t w = s->w[i];

		if (i == from / 64)
			w &= ~UINT64_C(0) << (from % 64);
		if (w)
			return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
	}
	return -1;
}

static int parse_uint(const char **p, unsigned *ret)
{
	unsigned long v = 0;
	const char *s = *p;

	if (*s < '0' || *s > '9')
		return -EINVAL;
	for (; *s >= '0' && *s <= '9'; s++) {
		v = v * 10 + (unsigned long)(*s - '0');
		if (v >= MQ_MAX_CPUS)
			return -ERANGE;
	}
	*p = s;
	*ret = (unsigned)v;
	return 0;
}

int cpuset_parse_list(const char *text, struct mq_cpuset *ret)
{
	struct mq_cpuset s;
	const char *p = text;
	int r;

	cpuset_zero(&s);
	while (*p == ' ' || *p == '\t')
		p++;
	while (*p && *p != '\n') {
		unsigned lo, hi;

		r = parse_uint(&p, &lo);
		if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			p++;
			r = parse_uint(&p, &hi);
			if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		for (unsigned c = lo; c <= hi; c++)
			cpuset_set(&s, c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != ' ')
			return -EINVAL;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p == '\n' && p[1])
		return -EINVAL;
	*ret = s;
	return 0;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int cpuset_parse_mask(const char *text, struct mq_cpuset *ret)
{
	struct mq_cpuset s;
	const char *end = text + strcspn(text, "\n");
	unsigned bit = 0;

	if (end == text || (end[0] && end[1]))
		return -EINVAL;
	cpuset_zero(&s);
	/* Walk from the least significant digit; commas only separate groups. */
	for (const char *p = end; p-- > text;) {
		int v;

		if (*p == ',')
			continue;
		v = hexval(*p);
		if (v < 0)
			return -EINVAL;
		for (int b = 0; b < 4; b++, bit++)
			if (v & (1 << b)) {
				if (bit >= MQ_MAX_CPUS)
					return -ERANGE;
				cpuset_set(&s, bit);
			}
	}
	*ret = s;
	return 0;
}

int cpuset_format_list(const struct mq_cpuset *s, char *buf, size_t len)
{
	size_t n = 0;
	int lo = cpuset_next(s, 0);

	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	while (lo >= 0) {
		int hi = lo, k;

		while (hi + 1 < MQ_MAX_CPUS && cpuset_isset(s, (unsigned)hi + 1))
			hi++;
		if (hi == lo)
			k = snprintf(buf + n, len - n, "%s%d", n ? "," : "", lo);
		else
			k = snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "", lo, hi);
		if (k < 0 || (size_t)k >= len - n)
			return -ENOSPC;
		n += (size_t)k;
		lo = hi + 1 < MQ_MAX_CPUS ? cpuset_next(s, (unsigned)hi + 1) : -1;
	}
	return (int)n;
}

int cpuset_format_mask(const struct mq_cpuset *s, unsigned nr_cpus, char *buf, size_t len)
{
	unsigned groups = nr_cpus ? (nr_cpus + 31) / 32 : 1;
	size_t n = 0;

	if (nr_cpus > MQ_MAX_CPUS)
		nr_cpus = MQ_MAX_CPUS;
	if (cpuset_next(s, nr_cpus) >= 0)
		return -ERANGE;
	for (unsigned g = groups; g-- > 0;) {
		uint32_t v = (uint32_t)(s->w[g / 2] >> (32 * (g % 2)));
		int k = snprintf(buf + n, len - n, "%s%08x", n ? "," : "", v);

		if (k < 0 || (size_t)k >= len - n)
			return -ENOSPC;
		n += (size_t)k;
	}
	return (int)n;
}
