// SPDX-License-Identifier: MIT
/*
 * Hostile names: core/escape.c, then every renderer and the log fed NICs
 * named with ESC sequences, C1 controls, bytes that are not UTF-8 and a
 * backslash, as `ip link add` lets root name them. Nothing may reach a
 * terminal as a control sequence; the textfile and JSON stay valid UTF-8.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/log.h"
#include "core/escape.h"
#include "output/plan.h"
#include "output/prom.h"
#include "output/report.h"
#include "tests/capture.h"
#include "tests/snapbuild.h"

/* ---- core/escape.c -------------------------------------------------------- */

static void test_utf8_len(void **state)
{
	static const struct {
		const char *s;
		size_t len, want;
	} t[] = {
		{"a", 1, 1},
		{"\xc3\xa9", 2, 2},                /* é */
		{"\xe2\x82\xac", 3, 3},            /* € */
		{"\xf0\x9f\x98\x80", 4, 4},        /* U+1F600 */
		{"\xf4\x8f\xbf\xbf", 4, 4},        /* U+10FFFF, the last */
		{"\xc3", 1, 0},                    /* cut short */
		{"\xe2\x82", 2, 0},
		{"\xc0\xaf", 2, 0},                /* overlong '/' */
		{"\xc1\xbf", 2, 0},
		{"\xe0\x80\xaf", 3, 0},            /* overlong */
		{"\xf0\x80\x80\xaf", 4, 0},        /* overlong */
		{"\xed\xa0\x80", 3, 0},            /* surrogate U+D800 */
		{"\xed\x9f\xbf", 3, 3},            /* U+D7FF, just below */
		{"\xf4\x90\x80\x80", 4, 0},        /* beyond U+10FFFF */
		{"\xf5\x80\x80\x80", 4, 0},
		{"\xff", 1, 0},
		{"\x80", 1, 0},                    /* a lone continuation byte */
		{"\xc3\x28", 2, 0},                /* not a continuation */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		assert_int_equal(escape_utf8_len(t[i].s, t[i].len), t[i].want);
}

static void test_escape_text(void **state)
{
	static const struct {
		const char *in, *text, *label;
	} t[] = {
		{"eth0", "eth0", "eth0"},
		{"\x1b[31mred", "\\x1b[31mred", "\\x1b[31mred"},
		{"a\xff", "a\\xff", "a\\xff"},
		{"a\\b", "a\\\\b", "a\\b"},                /* a backslash: doubled in text only */
		{"\xc2\x9b" "2J", "\\xc2\\x9b2J", "\\xc2\\x9b2J"}, /* C1 CSI */
		{"\xc2\xa0x", "\xc2\xa0x", "\xc2\xa0x"},    /* U+00A0 is printable */
		{"\x7f\x01\n\t", "\\x7f\\x01\\x0a\\x09", "\\x7f\\x01\\x0a\\x09"},
		{"caf\xc3\xa9", "caf\xc3\xa9", "caf\xc3\xa9"},
		{"\xe2\x82", "\\xe2\\x82", "\\xe2\\x82"},   /* cut sequence: each byte */
		{"\xed\xa0\x80", "\\xed\\xa0\\x80", "\\xed\\xa0\\x80"},
		{"", "", ""},
	};
	char buf[64];
	(void)state;
	for (size_t i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_string_equal(escape_text(buf, sizeof(buf), t[i].in, true), t[i].text);
		assert_string_equal(escape_text(buf, sizeof(buf), t[i].in, false), t[i].label);
	}
	assert_string_equal(ESC(NULL), "");
	assert_string_equal(ESC("\x1b"), "\\x1b");
}

/* A buffer too small: cut before an escape that does not fit, always terminated. */
static void test_escape_cut(void **state)
{
	char buf[8];
	(void)state;
	memset(buf, 'z', sizeof(buf));
	assert_string_equal(escape_text(buf, 6, "ab\x1b" "cd", true), "ab"); /* \x1b needs 4 */
	assert_string_equal(escape_text(buf, 7, "ab\x1b" "cd", true), "ab\\x1b");
	assert_string_equal(escape_text(buf, 8, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9", true),
			    "\xc3\xa9\xc3\xa9\xc3\xa9"); /* never half a character */
	assert_string_equal(escape_text(buf, 1, "abc", true), "");
	buf[0] = 'z';
	assert_ptr_equal(escape_text(buf, 0, "abc", true), buf);
	assert_int_equal(buf[0], 'z'); /* no room at all: nothing written */
}

/* ---- the renderers ---------------------------------------------------------- */

static const char *const hostile[] = {"\x1b[31mred", "a\xff", "\xc2\x9bt", "b\"\\q"};

static void hostile_snapshot(struct mq_snapshot *s, struct mq_assessment *a)
{
	snap_init(s, 2, 1, 1);
	for (size_t i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct mq_nic *n = add_nic(s, hostile[i], &(struct nic_spec){ST_PAIR, 2, 1, -1});

		snprintf(n->driver, sizeof(n->driver), "drv\x1b]0;x\x07");
		snprintf(n->errmsg, sizeof(n->errmsg), "kernel says \x1b[2J\xfe");
	}
	snprintf(s->platform.product_name, sizeof(s->platform.product_name), "PC\x1b[5m\x80");
	assert_int_equal(assess(s, NULL, NULL, a), 0);
}

/* Valid UTF-8 with no control character but newline and no C1 control. */
static void assert_clean(const char *out)
{
	size_t len = strlen(out);

	for (size_t i = 0; i < len;) {
		size_t n = escape_utf8_len(out + i, len - i);

		if (n == 0)
			fail_msg("not UTF-8 at byte %zu: %.40s", i, out + i);
		if ((unsigned char)out[i] < 0x20 && out[i] != '\n')
			fail_msg("control byte 0x%02x at %zu: %.40s", (unsigned char)out[i], i, out + i);
		if (out[i] == 0x7f || (n == 2 && (unsigned char)out[i] == 0xc2 &&
				       (unsigned char)out[i + 1] < 0xa0))
			fail_msg("DEL or C1 at %zu: %.40s", i, out + i);
		i += n;
	}
}

enum which { TEXT, PLAN, PROM, JSON };

static char *render(const struct mq_assessment *a, enum which w)
{
	struct report_input in = {.a = a};
	struct prom_input pin = {.a = a};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r = -1;

	assert_non_null(f);
	switch (w) {
	case TEXT: r = report_render_text(f, &in); break;
	case PLAN: r = plan_render_text(f, a); break;
	case PROM: r = prom_render(f, &pin); break;
	case JSON: r = report_render_json(f, &in); break;
	}
	assert_int_equal(r, 0);
	fclose(f);
	return buf;
}

static void test_renderers(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	char *out;
	(void)state;
	hostile_snapshot(&s, &a);

	out = render(&a, TEXT);
	assert_clean(out);
	assert_non_null(strstr(out, "\n\\x1b[31mred: drv\\x1b]0;x\\x07, "));
	assert_non_null(strstr(out, "\na\\xff: "));
	assert_non_null(strstr(out, "\n\\xc2\\x9bt: "));
	assert_non_null(strstr(out, "\nb\"\\\\q: "));
	assert_non_null(strstr(out, "note:     kernel says \\x1b[2J\\xfe\n"));
	assert_non_null(strstr(out, "PC\\x1b[5m\\x80\n"));
	free(out);

	out = render(&a, PLAN);
	assert_clean(out);
	assert_non_null(strstr(out, "\na\\xff queue 0 irq 25 cpus 0 -> 1\n"));
	assert_non_null(strstr(out, "\nb\"\\\\q channels combined 1 -> 2\n"));
	assert_non_null(strstr(out, "\\x1b[31mred channels combined 1 -> 2\n"));
	free(out);

	out = render(&a, JSON);
	assert_clean(out);
	assert_non_null(strstr(out, "\"\\u001b[31mred\""));
	assert_non_null(strstr(out, "\"a\\ufffd\""));
	assert_non_null(strstr(out, "\"\\u009bt\""));
	assert_non_null(strstr(out, "\"b\\\"\\\\q\""));
	free(out);

	/* Labels: the name as the report shows it, but one backslash (doubled by the format). */
	out = render(&a, PROM);
	assert_clean(out);
	assert_non_null(strstr(out, "{device=\"\\\\x1b[31mred\"}"));
	assert_non_null(strstr(out, "{device=\"a\\\\xff\"}"));
	assert_non_null(strstr(out, "{device=\"\\\\xc2\\\\x9bt\"}"));
	assert_non_null(strstr(out, "{device=\"b\\\"\\\\q\"}"));
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

static unsigned count(const char *hay, const char *needle)
{
	unsigned n = 0;

	for (const char *p = hay; (p = strstr(p, needle)); p++)
		n++;
	return n;
}

/* A byte 0xff and the text \xff are the same label value: one series, not two. */
static void test_prom_escaped_names_collide(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	char *out;
	(void)state;
	snap_init(&s, 2, 1, 1);
	add_nic(&s, "a\xff", &(struct nic_spec){ST_VETH, 2, 1, -1});
	add_nic(&s, "a\\xff", &(struct nic_spec){ST_VETH, 2, 1, -1});
	add_nic(&s, "a\\xfe", &(struct nic_spec){ST_VETH, 2, 1, -1});
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	out = render(&a, PROM);
	assert_int_equal(count(out, "mqbalance_device_info{device=\"a\\\\xff\""), 1);
	assert_int_equal(count(out, "mqbalance_device_info{device=\"a\\\\xfe\""), 1);
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

/* ---- the log ------------------------------------------------------------------ */

static void test_log(void **state)
{
	char buf[512] = "";
	(void)state;

	capture_start();
	log_setup(LOG_LVL_INFO, false);
	log_warn("%s: %s", "\x1b[31mred\xc2\x9b", "a\\xff \xff\n");
	log_setup(LOG_LVL_INFO, true);
	log_error("%s", "j\x1b");
	capture_end(buf, sizeof(buf));
	/* Already escaped text (a backslash) passes unchanged; raw bytes are escaped. */
	assert_string_equal(buf, "mqbalance: warning: \\x1b[31mred\\xc2\\x9b: a\\xff \\xff\\x0a\n"
				 "<3>j\\x1b\n");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_utf8_len),
		cmocka_unit_test(test_escape_text),
		cmocka_unit_test(test_escape_cut),
		cmocka_unit_test(test_renderers),
		cmocka_unit_test(test_prom_escaped_names_collide),
		cmocka_unit_test(test_log),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
