// SPDX-License-Identifier: MIT
/*
 * The bounded line reader (probes/lines.c): lines as they come, the longest
 * line taken and the buffer it needs (max_line + 1 bytes, no more), the
 * whole-file limit, allocation failure.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/lines.h"
#include "tests/memcount.h"

static FILE *mem_file(const char *text, size_t len)
{
	FILE *f = fmemopen((void *)text, len, "r");

	assert_non_null(f);
	return f;
}

static void reader(struct line_reader *r, FILE *f, size_t max_line, size_t max_bytes)
{
	*r = (struct line_reader){.f = f, .max_line = max_line, .max_bytes = max_bytes};
}

/* Empty input, empty lines, a last line without newline, NULs inside a line. */
static void test_lines(void **state)
{
	static const char text[] = "ab\n\ncd\0e\nlast";
	struct line_reader r;
	FILE *f = mem_file(text, sizeof(text) - 1);
	(void)state;

	reader(&r, f, 100, 1000);
	assert_int_equal(line_next(&r), 1);
	assert_int_equal(r.len, 2);
	assert_string_equal(r.buf, "ab");
	assert_int_equal(line_next(&r), 1);
	assert_int_equal(r.len, 0);
	assert_string_equal(r.buf, "");
	assert_int_equal(line_next(&r), 1);
	assert_int_equal(r.len, 4);
	assert_memory_equal(r.buf, "cd\0e", 5);
	assert_int_equal(line_next(&r), 1);
	assert_string_equal(r.buf, "last");
	assert_int_equal(line_next(&r), 0);
	assert_int_equal(r.len, 0);
	assert_int_equal(r.bytes, sizeof(text) - 1);
	line_reader_free(&r);
	assert_null(r.buf);
	fclose(f);

	f = mem_file("", 0);
	reader(&r, f, 100, 1000);
	assert_int_equal(line_next(&r), 0);
	assert_string_equal(r.buf, "");
	line_reader_free(&r);
	fclose(f);
}

/*
 * A line of max_line bytes is taken, one more is -E2BIG with the first
 * max_line in buf. The buffer ends at max_line + 1 bytes whether the
 * doubling from 256 lands just past that (510: 512) or exactly on it (511),
 * or max_line is below the first size (10).
 */
static void test_max_line(void **state)
{
	static const size_t maxes[] = {10, 255, 510, 511, 1000};
	(void)state;

	for (size_t k = 0; k < sizeof(maxes) / sizeof(maxes[0]); k++) {
		size_t m = maxes[k];
		char *text = malloc(2 * m + 3), *p = text;
		struct line_reader r;
		FILE *f;

		assert_non_null(text);
		memset(p, 'a', m); /* m bytes, newline */
		p[m] = '\n';
		p += m + 1;
		memset(p, 'b', m + 1); /* m + 1 bytes, newline */
		p[m + 1] = '\n';
		f = mem_file(text, 2 * m + 3);
		reader(&r, f, m, 1 << 20);
		assert_int_equal(line_next(&r), 1);
		assert_int_equal(r.len, m);
		assert_int_equal(strlen(r.buf), m);
		assert_int_equal(r.cap, m + 1);
		assert_int_equal(line_next(&r), -E2BIG);
		assert_int_equal(r.len, m);
		assert_int_equal(strspn(r.buf, "b"), m);
		assert_int_equal(r.buf[m], '\0');
		assert_int_equal(r.cap, m + 1);
		line_reader_free(&r);
		fclose(f);
		free(text);
	}
}

/* max_bytes counts newlines too: exactly that many bytes read, one more is -EFBIG. */
static void test_max_bytes(void **state)
{
	static const char text[] = "ab\ncd\ne";
	struct line_reader r;
	FILE *f = mem_file(text, sizeof(text) - 1);
	(void)state;

	reader(&r, f, 100, 6);
	assert_int_equal(line_next(&r), 1);
	assert_int_equal(line_next(&r), 1);
	assert_string_equal(r.buf, "cd");
	assert_int_equal(line_next(&r), -EFBIG);
	line_reader_free(&r);
	fclose(f);
}

/* The first buffer and a later growth: -ENOMEM, the reader still freeable. */
static void test_nomem(void **state)
{
	char text[600];
	struct line_reader r;
	FILE *f;
	(void)state;

	memset(text, 'x', sizeof(text));
	for (unsigned k = 1; k <= 2; k++) {
		f = mem_file(text, sizeof(text));
		reader(&r, f, 1000, 1 << 20);
		mem_fail_in = k;
		assert_int_equal(line_next(&r), -ENOMEM);
		assert_int_equal(mem_fail_in, 0);
		line_reader_free(&r);
		fclose(f);
	}
	assert_int_equal(mem_live, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_max_line),
		cmocka_unit_test(test_max_bytes),
		cmocka_unit_test(test_nomem),
	};
	return cmocka_run_group_tests_name("lines", tests, NULL, NULL);
}
