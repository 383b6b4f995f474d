// SPDX-License-Identifier: MIT
/* log_lasting: a failure repeated at every check is news once, and when it clears. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "agent/log.h"

static void test_same_failure_once(void **state)
{
	struct log_lasting s = {0};
	(void)state;

	assert_false(log_lasting_ok(&s)); /* never failed: nothing to say */
	assert_true(log_lasting_fail(&s, "No space left on device"));
	assert_false(log_lasting_fail(&s, "No space left on device"));
	assert_false(log_lasting_fail(&s, "No space left on device"));
	assert_true(log_lasting_ok(&s));
	assert_false(log_lasting_ok(&s)); /* "works again" once */
	/* The same failure after a recovery is news again. */
	assert_true(log_lasting_fail(&s, "No space left on device"));
}

static void test_changed_failure(void **state)
{
	struct log_lasting s = {0};
	(void)state;

	assert_true(log_lasting_fail(&s, "2 change(s) failed"));
	assert_true(log_lasting_fail(&s, "3 change(s) failed"));
	assert_false(log_lasting_fail(&s, "3 change(s) failed"));
	assert_true(log_lasting_fail(&s, "2 change(s) failed"));
	/* An empty or missing description is still a failure, and still one. */
	assert_true(log_lasting_fail(&s, ""));
	assert_false(log_lasting_fail(&s, NULL));
	assert_true(log_lasting_ok(&s));
}

static void test_long_messages(void **state)
{
	struct log_lasting s = {0};
	char a[600], b[600];
	(void)state;

	memset(a, 'x', sizeof(a) - 1);
	a[sizeof(a) - 1] = '\0';
	memcpy(b, a, sizeof(b));
	b[500] = 'y'; /* differs only past what is kept: the same failure */
	assert_true(log_lasting_fail(&s, a));
	assert_false(log_lasting_fail(&s, b));
	b[10] = 'y';
	assert_true(log_lasting_fail(&s, b));
	assert_int_equal(strlen(s.what), sizeof(s.what) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_same_failure_once),
		cmocka_unit_test(test_changed_failure),
		cmocka_unit_test(test_long_messages),
	};

	return cmocka_run_group_tests_name("log", tests, NULL, NULL);
}
