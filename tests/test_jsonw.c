// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/jsonw.h"
#include "tests/json_check.h"

struct buf {
	char *text;
	size_t len;
	FILE *f;
};

static void buf_open(struct buf *b)
{
	b->text = NULL;
	b->len = 0;
	b->f = open_memstream(&b->text, &b->len);
	assert_non_null(b->f);
}

static void buf_close(struct buf *b)
{
	assert_int_equal(fclose(b->f), 0);
}

static char *escaped(const char *s, size_t len)
{
	struct buf b;

	buf_open(&b);
	jsonw_escape(b.f, s, len);
	buf_close(&b);
	return b.text;
}

static void test_compact(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "ifname", "eth0");
	jsonw_kv_int(&w, "neg", -5);
	jsonw_kv_uint(&w, "big", UINT64_MAX);
	jsonw_kv_double(&w, "rate", 1234.5678, 2);
	jsonw_kv_bool(&w, "up", true);
	jsonw_kv_null(&w, "none");
	jsonw_key(&w, "list");
	jsonw_array_begin(&w);
	jsonw_int(&w, 1);
	jsonw_int(&w, 2);
	jsonw_object_begin(&w);
	jsonw_object_end(&w);
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	buf_close(&b);
	assert_string_equal(b.text, "{\"ifname\":\"eth0\",\"neg\":-5,\"big\":18446744073709551615,"
				    "\"rate\":1234.57,\"up\":true,\"none\":null,"
				    "\"list\":[1,2,{},[]]}\n");
	assert_true(json_valid(b.text, b.len));
	free(b.text);
}

static void test_pretty(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b);
	jsonw_init(&w, b.f, true);
	jsonw_object_begin(&w);
	jsonw_kv_int(&w, "a", 1);
	jsonw_key(&w, "b");
	jsonw_array_begin(&w);
	jsonw_int(&w, 2);
	jsonw_object_begin(&w);
	jsonw_kv_string(&w, "c", "d");
	jsonw_object_end(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "e");
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	buf_close(&b);
	assert_string_equal(b.text, "{\n"
				    "  \"a\": 1,\n"
				    "  \"b\": [\n"
				    "    2,\n"
				    "    {\n"
				    "      \"c\": \"d\"\n"
				    "    }\n"
				    "  ],\n"
				    "  \"e\": []\n"
				    "}\n");
	assert_true(json_valid(b.text, b.len));
	free(b.text);
}

static void test_escape(void **state)
{
	static const struct {
		const char *in;
		size_t len;
		const char *out;
	} cases[] = {
		{"plain", 5, "plain"},
		{"a\"b\\c", 5, "a\\\"b\\\\c"},
		{"\n\r\t\b\f", 5, "\\n\\r\\t\\b\\f"},
		{"\x01\x1f\x7f", 3, "\\u0001\\u001f\\u007f"},
		{"a\0b", 3, "a\\u0000b"},
		{"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", 14, "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80"},
		{"\xff", 1, "\\ufffd"},
		{"\xc3", 1, "\\ufffd"},                       /* truncated */
		{"\xc0\xaf", 2, "\\ufffd\\ufffd"},            /* overlong '/' */
		{"\xed\xa0\x80", 3, "\\ufffd\\ufffd\\ufffd"}, /* surrogate */
		{"\xf4\x90\x80\x80", 4, "\\ufffd\\ufffd\\ufffd\\ufffd"}, /* > U+10FFFF */
		{"\xe2\x82x", 3, "\\ufffd\\ufffdx"},
		{"/", 1, "/"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = escaped(cases[i].in, cases[i].len);

		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

static void test_all_bytes_valid(void **state)
{
	unsigned char in[256 * 3];
	struct jsonw w;
	struct buf b;
	(void)state;

	/* Every byte value, alone and in odd neighbourhoods, still parses. */
	for (size_t i = 0; i < sizeof(in); i++)
		in[i] = (unsigned char)(i * 7 + i / 256);
	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_string_len(&w, (const char *)in, sizeof(in));
	for (unsigned c = 0; c < 256; c++) {
		char one = (char)c;

		jsonw_string_len(&w, &one, 1);
	}
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	buf_close(&b);
	assert_true(json_valid(b.text, b.len));
	free(b.text);
}

static void test_double(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_double(&w, NAN, 2);
	jsonw_double(&w, INFINITY, 2);
	jsonw_double(&w, 0.5, 0);
	jsonw_double(&w, -1.25, 1);
	jsonw_double(&w, 1e300, 3);
	jsonw_double(&w, 3.0, 40);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), 0);
	buf_close(&b);
	assert_true(json_valid(b.text, b.len));
	assert_true(strncmp(b.text, "[null,null,0,-1.2,", 18) == 0);
	free(b.text);
}

static void test_misuse(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	/* Value without a key, key without a value, unbalanced: reported, output parses. */
	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_object_begin(&w);
	jsonw_key(&w, "dangling");
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	assert_string_equal(b.text, "{\"a\":{\"dangling\":null}}\n");
	assert_true(json_valid(b.text, b.len));
	free(b.text);

	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_key(&w, "no");
	jsonw_int(&w, 1);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	free(b.text);
}

static void test_too_deep(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b);
	jsonw_init(&w, b.f, true);
	for (int i = 0; i < JSONW_MAX_DEPTH + 5; i++) {
		jsonw_array_begin(&w);
		jsonw_int(&w, i);
	}
	for (int i = 0; i < JSONW_MAX_DEPTH + 5; i++)
		jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), -E2BIG);
	buf_close(&b);
	assert_true(json_valid(b.text, b.len));
	assert_non_null(strstr(b.text, "null"));
	free(b.text);
}

/* Every boundary of the UTF-8 decoder: first and last valid, first invalid. */
static void test_utf8_edges(void **state)
{
	static const struct {
		const char *in;
		bool valid;
	} cases[] = {
		{"\xc2\xa0", true},             /* U+00A0, lowest 2-byte one that is not a C1 control */
		{"\xc1\xbf", false},            /* U+007F as 2 bytes: overlong */
		{"\xdf\xbf", true},             /* U+07FF, highest 2-byte lead */
		{"\xe0\x9f\xbf", false},        /* U+07FF as 3 bytes: overlong */
		{"\xe0\xa0\x80", true},         /* U+0800 */
		{"\xed\x9f\xbf", true},         /* U+D7FF */
		{"\xed\xbf\xbf", false},        /* U+DFFF, a surrogate */
		{"\xee\x80\x80", true},         /* U+E000 */
		{"\xef\xbf\xbf", true},         /* U+FFFF, highest 3-byte lead */
		{"\xf0\x8f\xbf\xbf", false},    /* U+FFFF as 4 bytes: overlong */
		{"\xf0\x90\x80\x80", true},     /* U+10000 */
		{"\xf1\x80\x80\x80", true},     /* U+40000 */
		{"\xf4\x8f\xbf\xbf", true},     /* U+10FFFF, the last one */
		{"\xf5\x80\x80\x80", false},    /* no such lead byte */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = strlen(cases[i].in);
		char *s = escaped(cases[i].in, len), want[64] = "";

		if (cases[i].valid)
			snprintf(want, sizeof(want), "%s", cases[i].in);
		else
			for (size_t k = 0; k < len; k++)
				strcat(want, "\\ufffd");
		assert_string_equal(s, want);
		free(s);
	}
	/* C1 controls (U+0080..U+009F) are valid, but a terminal may obey them: escaped. */
	char *s = escaped("\xc2\x80\xc2\x9f", 4);
	assert_string_equal(s, "\\u0080\\u009f");
	free(s);
	/* A sequence cut by the length, whatever follows in memory. */
	s = escaped("\xe2\x82\xac", 2);
	assert_string_equal(s, "\\ufffd\\ufffd");
	free(s);
	s = escaped("a\xe2\x82\xac", 3);
	assert_string_equal(s, "a\\ufffd\\ufffd");
	free(s);
}

static char *one_double(double v, int precision)
{
	struct jsonw w;
	struct buf b;

	buf_open(&b);
	jsonw_init(&w, b.f, false);
	jsonw_double(&w, v, precision);
	assert_int_equal(jsonw_finish(&w), 0);
	buf_close(&b);
	return b.text;
}

static void test_double_precision(void **state)
{
	static const struct {
		double v;
		int precision;
		const char *out;
	} cases[] = {
		{1.5, -3, "2\n"},                     /* below 0: 0 */
		{0.1, 17, "0.10000000000000001\n"},
		{0.1, 18, "0.10000000000000001\n"},   /* above 17: 17 */
		{0.1, 40, "0.10000000000000001\n"},
		{1e300, 3, "1.000e+300\n"},           /* too long for %f */
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *s = one_double(cases[i].v, cases[i].precision);

		assert_string_equal(s, cases[i].out);
		free(s);
	}
}

/* The first misuse is the one reported; each is caught where it happens. */
static void test_misuse_exact(void **state)
{
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b); /* a key in an array is dropped */
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_key(&w, "a");
	jsonw_int(&w, 1);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	assert_string_equal(b.text, "[1]\n");
	free(b.text);

	buf_open(&b); /* a second key before the value is dropped */
	jsonw_init(&w, b.f, false);
	jsonw_object_begin(&w);
	jsonw_key(&w, "a");
	jsonw_key(&w, "b");
	jsonw_int(&w, 2);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	assert_string_equal(b.text, "{\"a\":2}\n");
	free(b.text);

	buf_open(&b); /* a value where a key is due */
	jsonw_init(&w, b.f, false);
	jsonw_object_begin(&w);
	jsonw_int(&w, 3);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	free(b.text);

	buf_open(&b); /* an end too many, the wrong end, an end missing */
	jsonw_init(&w, b.f, false);
	jsonw_array_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_object_end(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	assert_string_equal(b.text, "\n[]\n[]\n");
	free(b.text);

	buf_open(&b); /* -EINVAL first, then -E2BIG: -EINVAL */
	jsonw_init(&w, b.f, false);
	jsonw_array_begin(&w);
	jsonw_key(&w, "a");
	for (int i = 0; i < JSONW_MAX_DEPTH; i++)
		jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -EINVAL);
	buf_close(&b);
	free(b.text);

	FILE *ro = fopen("/dev/null", "r"); /* writes fail: -EIO */
	assert_non_null(ro);
	jsonw_init(&w, ro, false);
	jsonw_int(&w, 1);
	assert_int_equal(jsonw_finish(&w), -EIO);
	fclose(ro);
}

/*
 * Too deep, exactly: 31 arrays, an object at the limit, then a value too deep
 * for it. The value becomes null and everything inside it is dropped (keys,
 * values, balanced begin/end); writing resumes after its end.
 */
static void test_too_deep_exact(void **state)
{
	char want[1024] = "";
	struct jsonw w;
	struct buf b;
	(void)state;

	buf_open(&b);
	jsonw_init(&w, b.f, false);
	for (int i = 0; i < JSONW_MAX_DEPTH - 1; i++) {
		jsonw_array_begin(&w);
		jsonw_int(&w, i);
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "[%d,", i);
	}
	jsonw_object_begin(&w);
	jsonw_key(&w, "k");
	jsonw_array_begin(&w); /* depth 33: null */
	jsonw_key(&w, "x");
	jsonw_int(&w, 5);
	jsonw_array_begin(&w);
	jsonw_array_end(&w);
	jsonw_array_end(&w);
	jsonw_key(&w, "y");
	jsonw_int(&w, 7);
	jsonw_object_end(&w);
	strcat(want, "{\"k\":null,\"y\":7}");
	for (int i = 0; i < JSONW_MAX_DEPTH - 2; i++) {
		jsonw_array_end(&w);
		strcat(want, "]");
	}
	jsonw_string(&w, "after");
	jsonw_array_end(&w);
	strcat(want, ",\"after\"]\n");
	assert_int_equal(jsonw_finish(&w), -E2BIG);
	buf_close(&b);
	assert_string_equal(b.text, want);
	free(b.text);

	/* Finished while inside a dropped level: still balanced. */
	buf_open(&b);
	jsonw_init(&w, b.f, false);
	for (int i = 0; i < JSONW_MAX_DEPTH + 2; i++)
		jsonw_array_begin(&w);
	assert_int_equal(jsonw_finish(&w), -E2BIG);
	buf_close(&b);
	assert_true(json_valid(b.text, b.len));
	free(b.text);
}

static void test_validator(void **state)
{
	static const char *const bad[] = {
		"", "{", "[1,]", "{\"a\"}", "{\"a\":1,}", "01", "1.", "\"\x01\"", "\"\xff\"",
		"[1] 2", "nul", "\"\\x\"", "{1:2}",
	};
	static const char *const good[] = {
		"0", "-1.5e+3", "\"\\u00e9\"", "[]", "{}", " {\"a\": [1, {\"b\": null}]} \n",
	};
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_false(json_valid(bad[i], strlen(bad[i])));
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		assert_true(json_valid(good[i], strlen(good[i])));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_compact),
		cmocka_unit_test(test_pretty),
		cmocka_unit_test(test_escape),
		cmocka_unit_test(test_all_bytes_valid),
		cmocka_unit_test(test_double),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_too_deep),
		cmocka_unit_test(test_validator),
		cmocka_unit_test(test_utf8_edges),
		cmocka_unit_test(test_double_precision),
		cmocka_unit_test(test_misuse_exact),
		cmocka_unit_test(test_too_deep_exact),
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
