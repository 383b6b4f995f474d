// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_roundtrip),
		cmocka_unit_test(test_list_errors),
		cmocka_unit_test(test_mask_wide),
		cmocka_unit_test(test_ops),
	};
	return cmocka_run_group_tests_name("cpuset", tests, NULL, NULL);
}
