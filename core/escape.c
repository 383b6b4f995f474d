// SPDX-License-Identifier: MIT
#include <stdint.h>
#include <string.h>

#include "core/escape.h"

size_t escape_utf8_len(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	unsigned char c = s[0];
	size_t n;
	uint32_t cp;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2, cp = c & 0x1f;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3, cp = c & 0x0f;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4, cp = c & 0x07;
	else
		return 0;
	if (n > len)
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	/* Overlong forms, UTF-16 surrogates, beyond U+10FFFF. */
	if ((n == 3 && cp < 0x800) || (n == 4 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return n;
}

static size_t hex(char *out, const unsigned char *s, size_t n)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[4 * i] = '\\';
		out[4 * i + 1] = 'x';
		out[4 * i + 2] = digits[s[i] >> 4];
		out[4 * i + 3] = digits[s[i] & 15];
	}
	return 4 * n;
}

size_t escape_char(const char *s, size_t len, bool backslash, char out[ESCAPE_CHAR_MAX],
		   size_t *ret_n)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = escape_utf8_len(s, len);

	if (n == 0 || u[0] < 0x20 || u[0] == 0x7f) {
		*ret_n = hex(out, u, 1);
		return 1;
	}
	if (n == 2 && u[0] == 0xc2 && u[1] < 0xa0) { /* C1 controls */
		*ret_n = hex(out, u, 2);
		return 2;
	}
	if (u[0] == '\\' && backslash) {
		memcpy(out, "\\\\", 2);
		*ret_n = 2;
		return 1;
	}
	memcpy(out, s, n);
	*ret_n = n;
	return n;
}

char *escape_text(char *buf, size_t len, const char *s, bool backslash)
{
	size_t o = 0, left = s ? strlen(s) : 0;

	if (!len)
		return buf;
	while (left) {
		char c[ESCAPE_CHAR_MAX];
		size_t n, used = escape_char(s, left, backslash, c, &n);

		if (o + n >= len)
			break;
		memcpy(buf + o, c, n);
		o += n;
		s += used;
		left -= used;
	}
	buf[o] = '\0';
	return buf;
}
