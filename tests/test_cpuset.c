// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cpuset.h"
#include "tests/memcount.h"

static void test_list_roundtrip(void **state)
{
	static const char *const cases[] = {"", "0", "0-3", "0,2,4-7,63-65", "1023", "0-1023",
					    "1920-1983", "8191", "0-8191", "0,64,128,8127-8128"};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		CPUSET_DEFINE(s);
		char buf[MQ_CPULIST_MAX];

		assert_int_equal(cpuset_parse_list(cases[i], s), 0);
		assert_true(cpuset_format_list(s, buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, cases[i]);
	}
}

static void test_list_errors(void **state)
{
	CPUSET_DEFINE(s);
	(void)state;
	assert_int_equal(cpuset_parse_list("8192", s), -ERANGE);
	assert_int_equal(cpuset_parse_list("0-8192", s), -ERANGE);
	assert_int_equal(cpuset_parse_list("3-1", s), -EINVAL);
	assert_int_equal(cpuset_parse_list("a", s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1,,2", s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1-", s), -EINVAL);
	assert_true(cpuset_empty(s)); /* failures leave it alone */
	assert_int_equal(cpuset_parse_list("0-3\n", s), 0);
	assert_int_equal(cpuset_count(s), 4);
	assert_int_equal(cpuset_parse_list("x", s), -EINVAL);
	assert_int_equal(cpuset_count(s), 4);
}

static void test_mask_wide(void **state)
{
	CPUSET_DEFINE(s);
	char buf[4096];
	(void)state;
	/* Bits 0, 32, 64 and 95: the widths that broke the old scripts. */
	assert_int_equal(cpuset_parse_mask("80000001,00000001,00000001\n", s), 0);
	assert_int_equal(cpuset_count(s), 4);
	assert_true(cpuset_isset(s, 0) && cpuset_isset(s, 32) && cpuset_isset(s, 64) &&
		    cpuset_isset(s, 95));
	assert_int_equal(cpuset_format_mask(s, 96, buf, sizeof(buf)), 26);
	assert_string_equal(buf, "80000001,00000001,00000001");
	assert_int_equal(cpuset_format_mask(s, 64, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(cpuset_parse_mask("3", s), 0);
	assert_int_equal(cpuset_format_mask(s, 2, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "00000003");
	assert_int_equal(cpuset_parse_mask("", s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("xyz", s), -EINVAL);
}

/* The kernel's masks at nr_cpu_ids 8192: 256 groups, CPU 8191 the top bit. */
static void test_mask_8192(void **state)
{
	char in[2400], out[2500];
	size_t n = 0;
	CPUSET_DEFINE(s);
	(void)state;

	for (unsigned g = 256; g-- > 0;)
		n += (size_t)snprintf(in + n, sizeof(in) - n, "%s%08x", n ? "," : "",
				      g == 255 ? 0x80000000u : g == 0 ? 0x5u : 0u);
	assert_int_equal(cpuset_parse_mask(in, s), 0);
	assert_int_equal(cpuset_count(s), 3);
	assert_true(cpuset_isset(s, 0) && cpuset_isset(s, 2) && cpuset_isset(s, 8191));
	assert_int_equal(cpuset_last(s), 8191);
	assert_int_equal(cpuset_format_mask(s, 8192, out, sizeof(out)), (int)n);
	assert_string_equal(out, in);
	/* Zeros above the width parse; a bit at 8192 does not. */
	snprintf(out, sizeof(out), "00000000,%s", in);
	assert_int_equal(cpuset_parse_mask(out, s), 0);
	assert_int_equal(cpuset_count(s), 3);
	snprintf(out, sizeof(out), "00000001,%s", in);
	assert_int_equal(cpuset_parse_mask(out, s), -ERANGE);
}

/*
 * A width past the set's or past MQ_MAX_CPUS is an error, never a read past
 * the words: the old fixed array was read at w[nr_cpus / 64] for nr_cpus
 * above 1024.
 */
static void test_mask_beyond_width(void **state)
{
	char *buf = malloc(65536);
	CPUSET_DEFINE(s);
	(void)state;

	assert_non_null(buf);
	cpuset_set(s, 5);
	assert_int_equal(cpuset_format_mask(s, MQ_MAX_CPUS + 1, buf, 65536), -ERANGE);
	assert_int_equal(cpuset_format_mask(s, 100000, buf, 65536), -ERANGE);
	assert_int_equal(cpuset_format_mask(s, 5, buf, 65536), -ERANGE);
	/* Wider than the set, within MQ_MAX_CPUS: zeros, read from no word beyond the set's. */
	assert_int_equal(cpuset_format_mask(s, 4096, buf, 65536), 128 * 9 - 1);
	assert_string_equal(buf + 128 * 9 - 9, "00000020");
	assert_int_equal(cpuset_format_mask(s, 4096, buf, 100), -ENOSPC);
	assert_int_equal(cpuset_format_mask(NULL, 64, buf, 65536), 17);
	assert_string_equal(buf, "00000000,00000000");
	free(buf);
}

static void test_ops(void **state)
{
	CPUSET_DEFINE(a);
	CPUSET_DEFINE(b);
	CPUSET_DEFINE(c);
	int seen = 0;
	(void)state;
	cpuset_parse_list("0-7", a);
	cpuset_parse_list("4-11", b);
	cpuset_and(c, a, b);
	assert_int_equal(cpuset_count(c), 4);
	cpuset_andnot(c, a, b);
	assert_int_equal(cpuset_next(c, 0), 0);
	assert_int_equal(cpuset_next(c, 4), -1);
	CPUSET_FOREACH(cpu, b) seen += cpu;
	assert_int_equal(seen, 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);
	cpuset_zero(c);
	cpuset_set(c, 8191);
	assert_int_equal(cpuset_next(c, 64), 8191);
	assert_int_equal(cpuset_last(c), 8191);
	cpuset_set(c, 8192); /* beyond: ignored */
	assert_int_equal(cpuset_count(c), 1);
	/* dst may be an operand; a cleared top CPU shrinks the set. */
	cpuset_or(c, c, a);
	assert_int_equal(cpuset_count(c), 9);
	cpuset_clear(c, 8191);
	assert_true(cpuset_equal(c, a));
	assert_int_equal(cpuset_size(c), cpuset_size(a));
	cpuset_and(a, a, b);
	assert_int_equal(cpuset_count(a), 4);
	cpuset_andnot(b, b, b);
	assert_true(cpuset_empty(b));
	assert_true(cpuset_equal(b, NULL));
	/* NULL is the empty set for every reader. */
	assert_int_equal(cpuset_count(NULL), 0);
	assert_false(cpuset_isset(NULL, 0));
	assert_int_equal(cpuset_next(NULL, 0), -1);
	assert_int_equal(cpuset_last(NULL), -1);
	cpuset_or(c, NULL, c);
	assert_true(cpuset_equal(c, a) == false && cpuset_count(c) == 8);
	cpuset_copy(c, NULL);
	assert_true(cpuset_empty(c));
}

/* What a set costs follows its highest CPU, not MQ_MAX_CPUS. */
static void test_size_follows_width(void **state)
{
	CPUSET_DEFINE(s);
	size_t small, wide;
	(void)state;

	cpuset_parse_list("0-3", s);
	small = cpuset_size(s);
	cpuset_parse_list("8191", s);
	wide = cpuset_size(s);
	assert_int_equal(small, 2 * sizeof(uint64_t));
	assert_int_equal(wide, (1 + MQ_CPUSET_WORDS) * sizeof(uint64_t));
	cpuset_parse_list("0-63", s);
	assert_int_equal(cpuset_size(s), small);
	cpuset_parse_list("0-64", s);
	assert_int_equal(cpuset_size(s), small + sizeof(uint64_t));
	assert_int_equal(cpuset_size(NULL), sizeof(uint64_t));
}

/* The heap an interned set takes, measured: a few CPUs cost a word, CPU 8191 a kilobyte. */
static void test_pool_memory(void **state)
{
	struct cpuset_pool p = {0};
	const struct mq_cpuset *a;
	size_t before, one, wide, again;
	CPUSET_DEFINE(t);
	(void)state;

	cpuset_set(t, 0);
	assert_int_equal(cpuset_pool_intern(&p, t, &a), 0); /* the first one sizes the table */
	cpuset_set(t, 1);
	before = mem_live;
	assert_int_equal(cpuset_pool_intern(&p, t, &a), 0);
	one = mem_live - before;
	cpuset_set(t, 8191);
	before = mem_live;
	assert_int_equal(cpuset_pool_intern(&p, t, &a), 0);
	wide = mem_live - before;
	before = mem_live;
	assert_int_equal(cpuset_pool_intern(&p, t, &a), 0); /* equal: stored once */
	again = mem_live - before;
	print_message("[  MEMORY  ] {0,1}: %zu B, {0,1,8191}: %zu B, again: %zu B\n", one, wide, again);
	assert_true(one <= 32);
	assert_true(wide >= MQ_CPUSET_WORDS * sizeof(uint64_t) && wide <= 1100);
	assert_int_equal(again, 0);
	cpuset_pool_free(&p);
}

static void test_pool(void **state)
{
	struct cpuset_pool p = {0};
	const struct mq_cpuset *a, *b, *c, *e = (void *)1;
	CPUSET_DEFINE(t);
	(void)state;

	assert_int_equal(cpuset_pool_parse_list(&p, "0-3", &a), 0);
	assert_int_equal(cpuset_pool_parse_list(&p, "0,1,2,3", &b), 0);
	assert_ptr_equal(a, b); /* equal sets are stored once */
	assert_int_equal(cpuset_pool_parse_list(&p, "8000", &c), 0);
	assert_ptr_not_equal(a, c);
	assert_true(cpuset_isset(c, 8000) && cpuset_count(c) == 1);
	assert_int_equal(cpuset_pool_parse_list(&p, "", &e), 0);
	assert_null(e); /* the empty set is NULL, nothing stored */
	assert_int_equal(p.n, 2);
	assert_int_equal(cpuset_pool_parse_list(&p, "9000", &e), -ERANGE);
	assert_null(e); /* untouched on failure */
	/* Many distinct sets: the table grows, lookups still find each. */
	for (unsigned i = 0; i < 3000; i++) {
		cpuset_zero(t);
		cpuset_set(t, i % 8192);
		cpuset_set(t, (i * 7) % 8192);
		assert_int_equal(cpuset_pool_intern(&p, t, &b), 0);
		assert_true(cpuset_equal(b, t));
	}
	for (unsigned i = 0; i < 3000; i++) {
		const struct mq_cpuset *again;

		cpuset_zero(t);
		cpuset_set(t, i % 8192);
		cpuset_set(t, (i * 7) % 8192);
		assert_int_equal(cpuset_pool_intern(&p, t, &b), 0);
		assert_int_equal(cpuset_pool_intern(&p, b, &again), 0);
		assert_ptr_equal(b, again);
	}
	assert_true(p.n <= 3002 && p.n * 2 <= p.cap);
	assert_true(cpuset_isset(a, 3) && cpuset_count(a) == 4); /* earlier sets unmoved */
	cpuset_pool_free(&p);
	assert_int_equal(p.n, 0);
	assert_null(p.slot);
	cpuset_pool_free(&p); /* twice is fine */
}

/* Past the last CPU: writes ignored, reads empty, nothing beyond the words touched. */
static void test_bounds(void **state)
{
	CPUSET_DEFINE(s);
	(void)state;
	cpuset_set(s, MQ_MAX_CPUS);
	assert_true(cpuset_empty(s));
	assert_int_equal(cpuset_size(s), sizeof(uint64_t));
	cpuset_set(s, 63);
	cpuset_clear(s, MQ_MAX_CPUS);
	cpuset_clear(s, 64); /* beyond the words in use: nothing to clear */
	assert_int_equal(cpuset_count(s), 1);
	assert_int_equal(cpuset_size(s), 2 * sizeof(uint64_t));
	assert_false(cpuset_isset(s, MQ_MAX_CPUS));
	assert_false(cpuset_isset(s, 127));
	assert_int_equal(cpuset_next(s, MQ_MAX_CPUS), -1);
	assert_int_equal(cpuset_next(s, 63), 63);
	assert_int_equal(cpuset_next(s, 64), -1);
	assert_int_equal(cpuset_last(s), 63);
}

/* The last word (CPUs 8128-8191) is as much a part of the set as the first. */
static void test_high_cpus(void **state)
{
	CPUSET_DEFINE(s);
	CPUSET_DEFINE(d);
	(void)state;
	assert_int_equal(cpuset_parse_list("8191", s), 0);
	assert_int_equal(cpuset_count(s), 1);
	assert_false(cpuset_empty(s));
	assert_int_equal(cpuset_parse_list("8128", s), 0);
	assert_true(cpuset_isset(s, 8128));
	assert_false(cpuset_isset(s, 8064));
	assert_int_equal(cpuset_last(s), 8128);
	cpuset_or(d, NULL, s);
	assert_true(cpuset_equal(d, s));
	cpuset_or(d, s, NULL);
	assert_true(cpuset_equal(d, s));
	cpuset_and(d, s, NULL);
	assert_true(cpuset_empty(d));
	assert_int_equal(cpuset_size(d), sizeof(uint64_t));
	cpuset_andnot(d, s, NULL);
	assert_true(cpuset_equal(d, s));
	cpuset_andnot(d, NULL, s);
	assert_true(cpuset_empty(d));
	/* next() from inside a word masks that word only. */
	assert_int_equal(cpuset_parse_list("1,64", s), 0);
	assert_int_equal(cpuset_next(s, 2), 64);
	assert_int_equal(cpuset_next(s, 1), 1);
	assert_int_equal(cpuset_next(s, 65), -1);
	assert_int_equal(cpuset_last(s), 64);
	assert_int_equal(cpuset_parse_list("0", s), 0);
	assert_int_equal(cpuset_last(s), 0);
}

static void test_clear(void **state)
{
	CPUSET_DEFINE(s);
	(void)state;
	assert_int_equal(cpuset_parse_list("0-8191", s), 0);
	cpuset_clear(s, 63);
	cpuset_clear(s, 64);
	cpuset_clear(s, 100);
	cpuset_clear(s, 8191);
	assert_int_equal(cpuset_count(s), 8188);
	assert_false(cpuset_isset(s, 63) || cpuset_isset(s, 64) || cpuset_isset(s, 100) ||
		     cpuset_isset(s, 8191));
	assert_true(cpuset_isset(s, 62) && cpuset_isset(s, 65) && cpuset_isset(s, 99) &&
		    cpuset_isset(s, 101) && cpuset_isset(s, 8190));
	assert_int_equal(cpuset_last(s), 8190);
	/* Emptying the top word trims it away, so equal sets compare equal. */
	assert_int_equal(cpuset_parse_list("1,128", s), 0);
	cpuset_clear(s, 128);
	assert_int_equal(cpuset_size(s), 2 * sizeof(uint64_t));
	cpuset_clear(s, 1);
	assert_true(cpuset_empty(s));
	assert_true(cpuset_equal(s, NULL));
}

static void test_list_syntax(void **state)
{
	CPUSET_DEFINE(s);
	char buf[64];
	(void)state;
	assert_int_equal(cpuset_parse_list(" \t0-1", s), 0);
	assert_int_equal(cpuset_count(s), 2);
	assert_int_equal(cpuset_parse_list("2-2", s), 0);
	assert_int_equal(cpuset_count(s), 1);
	assert_true(cpuset_isset(s, 2));
	assert_int_equal(cpuset_parse_list("1, 3", s), 0);
	assert_true(cpuset_isset(s, 1) && cpuset_isset(s, 3) && cpuset_count(s) == 2);
	assert_int_equal(cpuset_parse_list("1 3", s), 0);
	assert_true(cpuset_isset(s, 1) && cpuset_isset(s, 3) && cpuset_count(s) == 2);
	/* Only a comma or a space separates; text after the newline is not ours. */
	assert_int_equal(cpuset_parse_list("1\t2", s), -EINVAL);
	assert_int_equal(cpuset_parse_list("0\n1", s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1;2", s), -EINVAL);
	/* Formatting: an empty set is "", a full buffer is -ENOSPC, never cut. */
	memset(buf, 'x', sizeof(buf));
	assert_int_equal(cpuset_parse_list("", s), 0);
	assert_int_equal(cpuset_format_list(s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cpuset_format_list(s, buf, 0), -ENOSPC);
	assert_int_equal(cpuset_parse_list("0-3", s), 0);
	assert_int_equal(cpuset_format_list(s, buf, 3), -ENOSPC);
	assert_int_equal(cpuset_format_list(s, buf, 4), 3);
	assert_string_equal(buf, "0-3");
	assert_int_equal(cpuset_parse_list("0,2-3", s), 0);
	assert_int_equal(cpuset_format_list(s, buf, 4), -ENOSPC);
	assert_int_equal(cpuset_format_list(s, buf, 6), 5);
	assert_string_equal(buf, "0,2-3");
}

static void test_mask_digits(void **state)
{
	static const struct {
		const char *text;
		const char *list;
	} cases[] = {
		{"9", "0,3"}, {"a", "1,3"}, {"f", "0-3"}, {"A", "1,3"}, {"F", "0-3"},
		{"B0", "4-5,7"}, {"E", "1-3"}, {"0", ""}, {"00000000,0", ""},
	};
	CPUSET_DEFINE(s);
	char buf[64], *big = malloc(2100);
	(void)state;
	assert_non_null(big);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cpuset_parse_mask(cases[i].text, s), 0);
		assert_true(cpuset_format_list(s, buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, cases[i].list);
	}
	assert_int_equal(cpuset_parse_mask("1\n2", s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("G", s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("g", s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("/", s), -EINVAL);
	/* Bit 8192, one past the set: 2049 hex digits. */
	memset(big, '0', 2049);
	big[0] = '1';
	big[2049] = '\0';
	assert_int_equal(cpuset_parse_mask(big, s), -ERANGE);
	big[1] = '8';
	assert_int_equal(cpuset_parse_mask(big + 1, s), 0);
	assert_int_equal(cpuset_last(s), 8191);
	free(big);
}

static void test_mask_format(void **state)
{
	CPUSET_DEFINE(s);
	char buf[300];
	(void)state;
	cpuset_set(s, 0);
	assert_int_equal(cpuset_format_mask(s, 33, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "00000000,00000001");
	assert_int_equal(cpuset_format_mask(s, 32, buf, sizeof(buf)), 8);
	assert_int_equal(cpuset_format_mask(s, 0, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(cpuset_format_mask(s, 1, buf, sizeof(buf)), 8);
	assert_int_equal(cpuset_format_mask(s, 1024, buf, sizeof(buf)), 32 * 9 - 1);
	assert_int_equal(cpuset_format_mask(s, 1, buf, 0), -ENOSPC);
	cpuset_zero(s);
	assert_int_equal(cpuset_format_mask(s, 0, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "00000000");
	/* Upper and lower halves of a 64-bit word. */
	cpuset_set(s, 33);
	assert_int_equal(cpuset_format_mask(s, 64, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "00000002,00000000");
	assert_int_equal(cpuset_format_mask(s, 34, buf, sizeof(buf)), 17);
	assert_int_equal(cpuset_format_mask(s, 33, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(cpuset_format_mask(s, 64, buf, 17), -ENOSPC);
	assert_int_equal(cpuset_format_mask(s, 64, buf, 9), -ENOSPC);
	assert_int_equal(cpuset_format_mask(s, 64, buf, 18), 17);
	/* nr_cpus at the limit is fine, one past it is not. */
	assert_int_equal(cpuset_format_mask(s, MQ_MAX_CPUS, NULL, 0), -ENOSPC);
	assert_int_equal(cpuset_format_mask(s, MQ_MAX_CPUS + 1, NULL, 0), -ERANGE);
}

/*
 * Too short a buffer, at every length up to the one that fits: -ENOSPC and
 * not a byte written past len; one more byte and the whole text.
 */
static void test_format_short_buffers(void **state)
{
	CPUSET_DEFINE(s);
	char buf[64];
	(void)state;
	assert_int_equal(cpuset_parse_list("0-3,8,10-11,64,95", s), 0);
	for (size_t len = 0; len <= 18; len++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(cpuset_format_list(s, buf, len), len < 18 ? -ENOSPC : 17);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
	assert_string_equal(buf, "0-3,8,10-11,64,95");
	for (size_t len = 0; len <= 27; len++) {
		memset(buf, '#', sizeof(buf));
		assert_int_equal(cpuset_format_mask(s, 96, buf, len), len < 27 ? -ENOSPC : 26);
		for (size_t i = len; i < sizeof(buf); i++)
			assert_int_equal(buf[i], '#');
	}
	assert_string_equal(buf, "80000001,00000000,00000d0f");
}

/* The longest run of used slots: what a lookup may have to walk. */
static unsigned longest_run(const struct cpuset_pool *p)
{
	unsigned run = 0, best = 0;

	for (unsigned i = 0; i < 2 * p->cap; i++) { /* twice round: a run may wrap */
		run = p->slot[i & (p->cap - 1)] ? run + 1 : 0;
		best = run > best ? run : best;
	}
	return best;
}

/*
 * The pool's hash spreads sets that differ in one word, low or high, so that
 * lookups stay short: 4,096 sets in 8,192 slots leave no run of 128 used
 * slots (about 50 is usual; a hash that ignored the words leaves one of 4,096).
 */
static void test_pool_spread(void **state)
{
	static const unsigned words[] = {0, 1, 127};
	CPUSET_DEFINE(t);
	(void)state;
	for (size_t k = 0; k < sizeof(words) / sizeof(words[0]); k++) {
		struct cpuset_pool p = {0};
		const struct mq_cpuset *a;
		unsigned run;

		for (unsigned i = 1; i <= 4096; i++) {
			cpuset_zero(t);
			cpuset_set(t, 8191); /* every set as wide as the widest */
			for (unsigned b = 0; b < 13; b++)
				if (i & (1u << b))
					cpuset_set(t, words[k] * 64 + b);
			assert_int_equal(cpuset_pool_intern(&p, t, &a), 0);
		}
		assert_int_equal(p.n, 4096);
		assert_int_equal(p.cap, 8192);
		run = longest_run(&p);
		print_message("[  POOL    ] word %u: longest run %u of %u slots\n", words[k], run, p.cap);
		assert_true(run < 128);
		cpuset_pool_free(&p);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_roundtrip),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_mask_wide),
		cmocka_unit_test(test_mask_8192),
		cmocka_unit_test(test_mask_beyond_width),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_size_follows_width),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_pool_memory),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_high_cpus),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_list_syntax),
		cmocka_unit_test(test_mask_digits),
		cmocka_unit_test(test_mask_format),
		cmocka_unit_test(test_format_short_buffers),
		cmocka_unit_test(test_pool_spread),
	};
	return cmocka_run_group_tests_name("cpuset", tests, NULL, NULL);
}
