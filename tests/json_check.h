/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A strict JSON validator for tests (RFC 8259: one value, no trailing commas,
 * no control characters or invalid UTF-8 in strings, depth-bounded). Returns
 * true if text is exactly one JSON value with optional surrounding whitespace.
 */

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

struct json_check {
	const unsigned char *p, *end;
	unsigned depth;
};

static inline void jc_ws(struct json_check *c)
{
	while (c->p < c->end && (*c->p == ' ' || *c->p == '\t' || *c->p == '\n' || *c->p == '\r'))
		c->p++;
}

static inline bool jc_lit(struct json_check *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n))
		return false;
	c->p += n;
	return true;
}

static inline bool jc_hex(unsigned char ch)
{
	return (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

static inline bool jc_string(struct json_check *c)
{
	if (c->p >= c->end || *c->p != '"')
		return false;
	c->p++;
	while (c->p < c->end) {
		unsigned char ch = *c->p;

		if (ch == '"') {
			c->p++;
			return true;
		}
		if (ch < 0x20)
			return false;
		if (ch == '\\') {
			if (c->end - c->p < 2)
				return false;
			ch = c->p[1];
			if (ch == 'u') {
				if (c->end - c->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!jc_hex(c->p[i]))
						return false;
				c->p += 6;
			} else if (strchr("\"\\/bfnrt", ch) && ch) {
				c->p += 2;
			} else {
				return false;
			}
			continue;
		}
		if (ch < 0x80) {
			c->p++;
			continue;
		}
		/* UTF-8: lead byte, continuation count, no overlongs/surrogates. */
		{
			size_t n;
			unsigned cp;

			if (ch >= 0xc2 && ch <= 0xdf)
				n = 2, cp = ch & 0x1f;
			else if (ch >= 0xe0 && ch <= 0xef)
				n = 3, cp = ch & 0x0f;
			else if (ch >= 0xf0 && ch <= 0xf4)
				n = 4, cp = ch & 0x07;
			else
				return false;
			if ((size_t)(c->end - c->p) < n)
				return false;
			for (size_t i = 1; i < n; i++) {
				if ((c->p[i] & 0xc0) != 0x80)
					return false;
				cp = cp << 6 | (c->p[i] & 0x3f);
			}
			if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
			    (cp >= 0xd800 && cp <= 0xdfff))
				return false;
			c->p += n;
		}
	}
	return false;
}

static inline bool jc_digits(struct json_check *c)
{
	const unsigned char *s = c->p;

	while (c->p < c->end && *c->p >= '0' && *c->p <= '9')
		c->p++;
	return c->p > s;
}

static inline bool jc_number(struct json_check *c)
{
	if (c->p < c->end && *c->p == '-')
		c->p++;
	if (c->p < c->end && *c->p == '0')
		c->p++;
	else if (!jc_digits(c))
		return false;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		if (!jc_digits(c))
			return false;
	}
	if (c->p < c->end && (*c->p == 'e' || *c->p == 'E')) {
		c->p++;
		if (c->p < c->end && (*c->p == '+' || *c->p == '-'))
			c->p++;
		if (!jc_digits(c))
			return false;
	}
	return true;
}

static inline bool jc_value(struct json_check *c);

static inline bool jc_container(struct json_check *c, bool object)
{
	char close = object ? '}' : ']';

	if (++c->depth > 64)
		return false;
	c->p++;
	jc_ws(c);
	if (c->p < c->end && *c->p == close) {
		c->p++;
		c->depth--;
		return true;
	}
	for (;;) {
		jc_ws(c);
		if (object) {
			if (!jc_string(c))
				return false;
			jc_ws(c);
			if (c->p >= c->end || *c->p != ':')
				return false;
			c->p++;
		}
		if (!jc_value(c))
			return false;
		jc_ws(c);
		if (c->p >= c->end)
			return false;
		if (*c->p == ',') {
			c->p++;
			continue;
		}
		if (*c->p != close)
			return false;
		c->p++;
		c->depth--;
		return true;
	}
}

static inline bool jc_value(struct json_check *c)
{
	jc_ws(c);
	if (c->p >= c->end)
		return false;
	switch (*c->p) {
	case '{': return jc_container(c, true);
	case '[': return jc_container(c, false);
	case '"': return jc_string(c);
	case 't': return jc_lit(c, "true");
	case 'f': return jc_lit(c, "false");
	case 'n': return jc_lit(c, "null");
	default: return jc_number(c);
	}
}

static inline bool json_valid(const char *text, size_t len)
{
	struct json_check c = {(const unsigned char *)text, (const unsigned char *)text + len, 0};

	if (!jc_value(&c))
		return false;
	jc_ws(&c);
	return c.p == c.end;
}
