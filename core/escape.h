/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Strings the kernel or the machine hands us (interface, driver and IRQ
 * names, DMI strings, the kernel's own error messages) on their way to a
 * terminal, a log or a textfile. Valid, printable UTF-8 passes unchanged; a
 * control character (C0, DEL, and C1 U+0080..U+009F, which terminals may
 * obey like ESC) or a byte that is not valid UTF-8 becomes the four
 * characters \xNN per byte, and a backslash becomes \\ so the result reads
 * back unambiguously: ESC [ 3 1 m in a name prints as \x1b[31m.
 */
#include <stdbool.h>
#include <stddef.h>

/*
 * Length of the valid UTF-8 sequence at s (len >= 1 bytes left): 1..4, or 0
 * when it is not one (overlong forms, surrogates, beyond U+10FFFF, cut short).
 */
size_t escape_utf8_len(const char *s, size_t len);

#define ESCAPE_CHAR_MAX 8 /* a C1 control: \xc2\x9b */
/*
 * The character at s (len >= 1 bytes left) as written out, into out: returns
 * the bytes of s it took (>= 1), *ret_n the bytes written. backslash: a
 * backslash is written as two (text); without, as one (a textfile label,
 * whose own escaping doubles it, so the value read back is the name).
 */
size_t escape_char(const char *s, size_t len, bool backslash, char out[ESCAPE_CHAR_MAX],
		   size_t *ret_n);

/*
 * s (NULL: "") escaped into buf, NUL-terminated, cut before an escape that
 * does not fit; backslash as for escape_char(). Returns buf.
 */
char *escape_text(char *buf, size_t len, const char *s, bool backslash);

/* Escaped into a buffer that lives to the end of the enclosing block: printf("%s", ESC(name)). */
#define ESCAPE_BUF 1024
#define ESC(s) escape_text((char[ESCAPE_BUF]){0}, ESCAPE_BUF, (s), true)
