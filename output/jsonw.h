/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * A tiny streaming JSON writer over a FILE*. Commas, colons and indentation
 * are automatic; strings are escaped (control characters, C1 included, as
 * \uXXXX, each byte of invalid UTF-8 as \ufffd) so whatever the kernel names
 * an IRQ, the output parses and reaches no terminal as a control sequence.
 * Misuse (a value where a key is due, unbalanced ends, nesting deeper than
 * JSONW_MAX_DEPTH) is remembered and reported by jsonw_finish(), never fatal.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define JSONW_MAX_DEPTH 32

struct jsonw {
	FILE *f;
	bool pretty;       /* newline + 2-space indent per level, "key": value */
	bool want_value;   /* a key was written, its value is due */
	unsigned depth;
	unsigned skipped;  /* levels opened beyond JSONW_MAX_DEPTH (not written) */
	struct {
		bool object;   /* object (keys) or array */
		bool empty;    /* nothing written at this level yet */
	} level[JSONW_MAX_DEPTH];
	int err;           /* first misuse: -EINVAL, -E2BIG */
};

void jsonw_init(struct jsonw *w, FILE *f, bool pretty);
/* Check balance, end with a newline. Returns 0, the first misuse, or -EIO. */
int jsonw_finish(struct jsonw *w);

void jsonw_object_begin(struct jsonw *w);
void jsonw_object_end(struct jsonw *w);
void jsonw_array_begin(struct jsonw *w);
void jsonw_array_end(struct jsonw *w);
void jsonw_key(struct jsonw *w, const char *key);

void jsonw_string(struct jsonw *w, const char *s);             /* NULL -> null */
void jsonw_string_len(struct jsonw *w, const char *s, size_t len);
void jsonw_int(struct jsonw *w, int64_t v);
void jsonw_uint(struct jsonw *w, uint64_t v);
void jsonw_double(struct jsonw *w, double v, int precision);   /* NaN, inf -> null */
void jsonw_bool(struct jsonw *w, bool v);
void jsonw_null(struct jsonw *w);

/* key + value in one call. */
void jsonw_kv_string(struct jsonw *w, const char *key, const char *s);
void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v);
void jsonw_kv_uint(struct jsonw *w, const char *key, uint64_t v);
void jsonw_kv_double(struct jsonw *w, const char *key, double v, int precision);
void jsonw_kv_bool(struct jsonw *w, const char *key, bool v);
void jsonw_kv_null(struct jsonw *w, const char *key);
/* null for NULL or "": a name we do not know. */
void jsonw_kv_string_or_null(struct jsonw *w, const char *key, const char *s);
/* An ascending array of CPU ids; null for NULL (not readable). */
struct mq_cpuset;
/* [0, 1, ...] (s NULL: []), or null when the set is not known. */
void jsonw_kv_cpus(struct jsonw *w, const char *key, bool known, const struct mq_cpuset *s);

/* Escape s as a JSON string body (no quotes) into f. Exposed for tests. */
void jsonw_escape(FILE *f, const char *s, size_t len);
