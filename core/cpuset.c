// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/cpuset.h"

/* A buf's layout, its words cut to nw in a pool. */
struct mq_cpuset {
	uint64_t nw;
	uint64_t w[];
};

_Static_assert(offsetof(struct mq_cpuset, w) == offsetof(struct mq_cpuset_buf, w),
	       "a buf's set is the buf");

static const struct mq_cpuset empty;

/* Reads take NULL as the empty set. */
static const struct mq_cpuset *or_empty(const struct mq_cpuset *s) { return s ? s : &empty; }

/* Drop zero words at the top: w[nw - 1] != 0, so equal sets are equal bytes. */
static void trim(struct mq_cpuset *s)
{
	while (s->nw && !s->w[s->nw - 1])
		s->nw--;
}

struct mq_cpuset *cpuset_init(struct mq_cpuset_buf *b)
{
	b->nw = 0;
	return cpuset_buf(b);
}

void cpuset_zero(struct mq_cpuset *s) { s->nw = 0; }

void cpuset_set(struct mq_cpuset *s, unsigned cpu)
{
	if (cpu >= MQ_MAX_CPUS)
		return;
	while (s->nw <= cpu / 64)
		s->w[s->nw++] = 0;
	s->w[cpu / 64] |= UINT64_C(1) << (cpu % 64);
}

void cpuset_clear(struct mq_cpuset *s, unsigned cpu)
{
	if (cpu / 64 >= s->nw)
		return;
	s->w[cpu / 64] &= ~(UINT64_C(1) << (cpu % 64));
	trim(s);
}

void cpuset_copy(struct mq_cpuset *dst, const struct mq_cpuset *src)
{
	src = or_empty(src);
	if (dst != src)
		memmove(dst->w, src->w, src->nw * sizeof(src->w[0]));
	dst->nw = src->nw;
}

bool cpuset_isset(const struct mq_cpuset *s, unsigned cpu)
{
	s = or_empty(s);
	return cpu / 64 < s->nw && (s->w[cpu / 64] >> (cpu % 64)) & 1;
}

unsigned cpuset_count(const struct mq_cpuset *s)
{
	unsigned n = 0;

	s = or_empty(s);
	for (size_t i = 0; i < s->nw; i++)
		n += (unsigned)__builtin_popcountll(s->w[i]);
	return n;
}

bool cpuset_empty(const struct mq_cpuset *s) { return or_empty(s)->nw == 0; }

bool cpuset_equal(const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	a = or_empty(a);
	b = or_empty(b);
	return a->nw == b->nw && memcmp(a->w, b->w, a->nw * sizeof(a->w[0])) == 0;
}

enum op { AND, OR, ANDNOT };

/* Word by word, each read before it is written: dst may be a or b. */
static void combine(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b,
		    enum op op)
{
	uint64_t na, nb, n;

	a = or_empty(a);
	b = or_empty(b);
	na = a->nw;
	nb = b->nw;
	n = op == OR ? (na > nb ? na : nb) : op == AND ? (na < nb ? na : nb) : na;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t x = i < na ? a->w[i] : 0, y = i < nb ? b->w[i] : 0;

		dst->w[i] = op == AND ? x & y : op == OR ? x | y : x & ~y;
	}
	dst->nw = n;
	trim(dst);
}

void cpuset_and(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	combine(dst, a, b, AND);
}

void cpuset_or(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	combine(dst, a, b, OR);
}

void cpuset_andnot(struct mq_cpuset *dst, const struct mq_cpuset *a, const struct mq_cpuset *b)
{
	combine(dst, a, b, ANDNOT);
}

int cpuset_next(const struct mq_cpuset *s, unsigned from)
{
	s = or_empty(s);
	for (uint64_t i = from / 64; i < s->nw; i++) {
		uint64_t w = s->w[i];

		if (i == from / 64)
			w &= ~UINT64_C(0) << (from % 64);
		if (w)
			return (int)(i * 64 + (unsigned)__builtin_ctzll(w));
	}
	return -1;
}

int cpuset_last(const struct mq_cpuset *s)
{
	uint64_t i;

	s = or_empty(s);
	/* w[nw - 1] is not 0 (trim()); the loop only keeps clzll() away from 0 regardless */
	for (i = s->nw; i > 0 && !s->w[i - 1]; i--)
		;
	if (!i)
		return -1;
	return (int)((i - 1) * 64 + 63 - (unsigned)__builtin_clzll(s->w[i - 1]));
}

size_t cpuset_size(const struct mq_cpuset *s)
{
	return sizeof(struct mq_cpuset) + or_empty(s)->nw * sizeof(s->w[0]);
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
	CPUSET_DEFINE(s);
	const char *p = text;
	int r;

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
			cpuset_set(s, c);
		if (*p == ',')
			p++;
		else if (*p && *p != '\n' && *p != ' ')
			return -EINVAL;
		while (*p == ' ' || *p == '\t')
			p++;
	}
	if (*p == '\n' && p[1])
		return -EINVAL;
	cpuset_copy(ret, s);
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
	CPUSET_DEFINE(s);
	const char *end = text + strcspn(text, "\n");
	unsigned bit = 0;

	if (end == text || (end[0] && end[1]))
		return -EINVAL;
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
				cpuset_set(s, bit);
			}
	}
	cpuset_copy(ret, s);
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

		while (cpuset_isset(s, (unsigned)hi + 1))
			hi++;
		if (hi == lo)
			k = snprintf(buf + n, len - n, "%s%d", n ? "," : "", lo);
		else
			k = snprintf(buf + n, len - n, "%s%d-%d", n ? "," : "", lo, hi);
		if (k < 0 || (size_t)k >= len - n)
			return -ENOSPC;
		n += (size_t)k;
		lo = cpuset_next(s, (unsigned)hi + 1);
	}
	return (int)n;
}

int cpuset_format_mask(const struct mq_cpuset *s, unsigned nr_cpus, char *buf, size_t len)
{
	unsigned groups = nr_cpus ? (nr_cpus + 31) / 32 : 1;
	size_t n = 0;

	s = or_empty(s);
	if (nr_cpus > MQ_MAX_CPUS || cpuset_last(s) >= (int)nr_cpus)
		return -ERANGE;
	if (!len)
		return -ENOSPC;
	buf[0] = '\0';
	for (unsigned g = groups; g-- > 0;) {
		uint64_t w = g / 2 < s->nw ? s->w[g / 2] : 0;
		int k = snprintf(buf + n, len - n, "%s%08x", n ? "," : "", (uint32_t)(w >> (32 * (g % 2))));

		if (k < 0 || (size_t)k >= len - n)
			return -ENOSPC;
		n += (size_t)k;
	}
	return (int)n;
}

/* ---- the pool ------------------------------------------------------------ */

static uint64_t hash(const struct mq_cpuset *s)
{
	uint64_t h = 0x9e3779b97f4a7c15u ^ s->nw;

	for (uint64_t i = 0; i < s->nw; i++) {
		h ^= s->w[i];
		h *= 0xff51afd7ed558ccdu;
		h ^= h >> 32;
	}
	return h;
}

/* The slot holding s, or the free slot where it goes. */
static struct mq_cpuset **find(const struct cpuset_pool *p, const struct mq_cpuset *s)
{
	unsigned i = (unsigned)hash(s) & (p->cap - 1);

	while (p->slot[i] && !cpuset_equal(p->slot[i], s))
		i = (i + 1) & (p->cap - 1);
	return &p->slot[i];
}

static int grow(struct cpuset_pool *p)
{
	struct cpuset_pool np = {.n = p->n, .cap = p->cap ? p->cap * 2 : 16};

	if (np.cap < p->cap)
		return -ENOMEM;
	np.slot = calloc(np.cap, sizeof(*np.slot));
	if (!np.slot)
		return -ENOMEM;
	for (unsigned i = 0; i < p->cap; i++)
		if (p->slot[i])
			*find(&np, p->slot[i]) = p->slot[i];
	free(p->slot);
	*p = np;
	return 0;
}

int cpuset_pool_intern(struct cpuset_pool *p, const struct mq_cpuset *s,
		       const struct mq_cpuset **ret)
{
	struct mq_cpuset **at, *c;

	if (cpuset_empty(s)) {
		*ret = NULL;
		return 0;
	}
	/* Half full at most: probes stay short. */
	if ((p->n + 1) * 2 > p->cap && grow(p) < 0)
		return -ENOMEM;
	at = find(p, s);
	if (!*at) {
		c = malloc(cpuset_size(s));
		if (!c)
			return -ENOMEM;
		c->nw = s->nw;
		memcpy(c->w, s->w, s->nw * sizeof(s->w[0]));
		*at = c;
		p->n++;
	}
	*ret = *at;
	return 0;
}

int cpuset_pool_parse_list(struct cpuset_pool *p, const char *text, const struct mq_cpuset **ret)
{
	CPUSET_DEFINE(s);
	int r = cpuset_parse_list(text, s);

	return r < 0 ? r : cpuset_pool_intern(p, s, ret);
}

void cpuset_pool_free(struct cpuset_pool *p)
{
	for (unsigned i = 0; p && i < p->cap; i++)
		free(p->slot[i]);
	if (p) {
		free(p->slot);
		*p = (struct cpuset_pool){0};
	}
}
