// SPDX-License-Identifier: MIT
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
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
	};

	return cmocka_run_group_tests_name("jsonw", tests, NULL, NULL);
}
