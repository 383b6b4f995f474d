// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "core/cpuset.h"

static void test_list_roundtrip(void **state)
{
	static const char *const cases[] = {"", "0", "0-3", "0,2,4-7,63-65", "1023", "0-1023"};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_cpuset s;
		char buf[8192];

		assert_int_equal(cpuset_parse_list(cases[i], &s), 0);
		assert_true(cpuset_format_list(&s, buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, cases[i]);
	}
}

static void test_list_errors(void **state)
{
	struct mq_cpuset s;
	(void)state;
	assert_int_equal(cpuset_parse_list("1024", &s), -ERANGE);
	assert_int_equal(cpuset_parse_list("3-1", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("a", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1,,2", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("1-", &s), -EINVAL);
	assert_int_equal(cpuset_parse_list("0-3\n", &s), 0);
	assert_int_equal(cpuset_count(&s), 4);
}

static void test_mask_wide(void **state)
{
	struct mq_cpuset s;
	char buf[512];
	(void)state;
	/* Bits 0, 32, 64 and 95: the widths that broke the old scripts. */
	assert_int_equal(cpuset_parse_mask("80000001,00000001,00000001\n", &s), 0);
	assert_int_equal(cpuset_count(&s), 4);
	assert_true(cpuset_isset(&s, 0) && cpuset_isset(&s, 32) && cpuset_isset(&s, 64) &&
		    cpuset_isset(&s, 95));
	assert_int_equal(cpuset_format_mask(&s, 96, buf, sizeof(buf)), 26);
	assert_string_equal(buf, "80000001,00000001,00000001");
	assert_int_equal(cpuset_format_mask(&s, 64, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(cpuset_parse_mask("3", &s), 0);
	assert_int_equal(cpuset_format_mask(&s, 2, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "00000003");
	assert_int_equal(cpuset_parse_mask("", &s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("xyz", &s), -EINVAL);
}

static void test_ops(void **state)
{
	struct mq_cpuset a, b, c;
	int seen = 0;
	(void)state;
	cpuset_parse_list("0-7", &a);
	cpuset_parse_list("4-11", &b);
	cpuset_and(&c, &a, &b);
	assert_int_equal(cpuset_count(&c), 4);
	cpuset_andnot(&c, &a, &b);
	assert_int_equal(cpuset_next(&c, 0), 0);
	assert_int_equal(cpuset_next(&c, 4), -1);
	CPUSET_FOREACH(cpu, &b) seen += cpu;
	assert_int_equal(seen, 4 + 5 + 6 + 7 + 8 + 9 + 10 + 11);
	cpuset_zero(&c);
	cpuset_set(&c, 1023);
	assert_int_equal(cpuset_next(&c, 64), 1023);
}

/* A set with a word right after it: writing past the set shows there. */
struct guarded {
	struct mq_cpuset s;
	uint64_t guard;
};

static struct mq_cpuset list(const char *text)
{
	struct mq_cpuset s;

	assert_int_equal(cpuset_parse_list(text, &s), 0);
	return s;
}

static void test_bounds(void **state)
{
	struct guarded g = {.guard = 0};
	(void)state;
	cpuset_set(&g.s, MQ_MAX_CPUS);
	assert_true(cpuset_empty(&g.s));
	assert_int_equal(g.guard, 0);
	g.guard = ~UINT64_C(0);
	cpuset_clear(&g.s, MQ_MAX_CPUS);
	assert_int_equal(g.guard, ~UINT64_C(0));
	assert_false(cpuset_isset(&g.s, MQ_MAX_CPUS));
	assert_int_equal(cpuset_next(&g.s, MQ_MAX_CPUS), -1);
}

/* The last word (CPUs 960-1023) is as much a part of the set as the first. */
static void test_high_cpus(void **state)
{
	struct mq_cpuset s = list("1023"), e = list(""), d;
	struct guarded a = {.guard = 5}, b = {.guard = 0}, dst = {.guard = 0};
	(void)state;
	assert_int_equal(cpuset_count(&s), 1);
	assert_false(cpuset_empty(&s));
	s = list("960");
	assert_true(cpuset_isset(&s, 960));
	assert_false(cpuset_isset(&s, 896));
	s = list("1023");
	cpuset_or(&d, &e, &s);
	assert_true(cpuset_isset(&d, 1023));
	cpuset_or(&dst.s, &a.s, &b.s);
	assert_int_equal(dst.guard, 0);
	/* next() from inside a word masks that word only. */
	s = list("64");
	assert_int_equal(cpuset_next(&s, 1), 64);
}

static void test_clear(void **state)
{
	struct mq_cpuset s = list("0-1023");
	(void)state;
	cpuset_clear(&s, 63);
	cpuset_clear(&s, 64);
	cpuset_clear(&s, 100);
	cpuset_clear(&s, 1023);
	assert_int_equal(cpuset_count(&s), 1020);
	assert_false(cpuset_isset(&s, 63) || cpuset_isset(&s, 64) || cpuset_isset(&s, 100) ||
		     cpuset_isset(&s, 1023));
	assert_true(cpuset_isset(&s, 62) && cpuset_isset(&s, 65) && cpuset_isset(&s, 99) &&
		    cpuset_isset(&s, 101) && cpuset_isset(&s, 1022));
}

static void test_list_syntax(void **state)
{
	struct mq_cpuset s, t;
	char buf[64];
	(void)state;
	s = list(" \t0-1");
	assert_int_equal(cpuset_count(&s), 2);
	s = list("2-2");
	assert_int_equal(cpuset_count(&s), 1);
	assert_true(cpuset_isset(&s, 2));
	s = list("1, 3");
	assert_true(cpuset_isset(&s, 1) && cpuset_isset(&s, 3));
	/* Only a comma or a space separates; text after the newline is not ours. */
	assert_int_equal(cpuset_parse_list("1\t2", &t), -EINVAL);
	assert_int_equal(cpuset_parse_list("0\n1", &t), -EINVAL);
	/* Formatting: an empty set is "", a full buffer is -ENOSPC, never cut. */
	memset(buf, 'x', sizeof(buf));
	s = list("");
	assert_int_equal(cpuset_format_list(&s, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "");
	assert_int_equal(cpuset_format_list(&s, buf, 0), -ENOSPC);
	s = list("0-3");
	assert_int_equal(cpuset_format_list(&s, buf, 3), -ENOSPC);
	assert_int_equal(cpuset_format_list(&s, buf, 4), 3);
	s = list("0,2-3");
	assert_int_equal(cpuset_format_list(&s, buf, 4), -ENOSPC);
	assert_int_equal(cpuset_format_list(&s, buf, 6), 5);
	assert_string_equal(buf, "0,2-3");
}

static void test_mask_digits(void **state)
{
	static const struct {
		const char *text;
		const char *list;
	} cases[] = {
		{"9", "0,3"}, {"a", "1,3"}, {"f", "0-3"}, {"A", "1,3"}, {"F", "0-3"},
		{"B0", "4-5,7"}, {"E", "1-3"},
	};
	struct mq_cpuset s;
	char buf[64], big[300];
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(cpuset_parse_mask(cases[i].text, &s), 0);
		assert_true(cpuset_format_list(&s, buf, sizeof(buf)) >= 0);
		assert_string_equal(buf, cases[i].list);
	}
	assert_int_equal(cpuset_parse_mask("1\n2", &s), -EINVAL);
	assert_int_equal(cpuset_parse_mask("G", &s), -EINVAL);
	/* Bit 1024: one past the set. */
	memset(big, '0', 257);
	big[0] = '1';
	big[257] = '\0';
	assert_int_equal(cpuset_parse_mask(big, &s), -ERANGE);
	assert_int_equal(cpuset_parse_mask(big + 1, &s), 0);
}

static void test_mask_format(void **state)
{
	struct mq_cpuset s;
	char buf[300];
	(void)state;
	s = list("0");
	assert_int_equal(cpuset_format_mask(&s, 33, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "00000000,00000001");
	assert_int_equal(cpuset_format_mask(&s, 0, buf, sizeof(buf)), -ERANGE);
	assert_int_equal(cpuset_format_mask(&s, 1024, buf, sizeof(buf)), 32 * 9 - 1);
	s = list("");
	assert_int_equal(cpuset_format_mask(&s, 0, buf, sizeof(buf)), 8);
	assert_string_equal(buf, "00000000");
	/* Upper and lower halves of a 64-bit word. */
	s = list("33");
	assert_int_equal(cpuset_format_mask(&s, 64, buf, sizeof(buf)), 17);
	assert_string_equal(buf, "00000002,00000000");
	assert_int_equal(cpuset_format_mask(&s, 64, buf, 17), -ENOSPC);
	assert_int_equal(cpuset_format_mask(&s, 64, buf, 9), -ENOSPC);
	assert_int_equal(cpuset_format_mask(&s, 64, buf, 18), 17);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_roundtrip),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_mask_wide),
		cmocka_unit_test(test_ops),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_high_cpus),
		cmocka_unit_test(test_clear),
		cmocka_unit_test(test_list_syntax),
		cmocka_unit_test(test_mask_digits),
		cmocka_unit_test(test_mask_format),
	};
	return cmocka_run_group_tests_name("cpuset", tests, NULL, NULL);
}
