// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "output/jsonw.h"
#include "core/cpuset.h"
#include "core/escape.h"

void jsonw_init(struct jsonw *w, FILE *f, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->pretty = pretty;
}

static void set_err(struct jsonw *w, int err)
{
	if (!w->err)
		w->err = err;
}

static void indent(struct jsonw *w, unsigned depth)
{
	if (!w->pretty)
		return;
	fputc('\n', w->f);
	for (unsigned i = 0; i < depth; i++)
		fputs("  ", w->f);
}

/* Separator and indentation before a value; false while inside a dropped level. */
static bool before_value(struct jsonw *w)
{
	if (w->skipped)
		return false;
	if (w->want_value) {
		w->want_value = false;
		return true;
	}
	if (w->depth == 0)
		return true;
	if (w->level[w->depth - 1].object)
		set_err(w, -EINVAL); /* a value where a key is due: still write it */
	if (!w->level[w->depth - 1].empty)
		fputc(',', w->f);
	w->level[w->depth - 1].empty = false;
	indent(w, w->depth);
	return true;
}

static void begin(struct jsonw *w, bool object)
{
	if (w->skipped) {
		w->skipped++;
		return;
	}
	if (w->depth == JSONW_MAX_DEPTH) {
		/* Too deep: write null in its place and drop everything inside. */
		set_err(w, -E2BIG);
		if (before_value(w))
			fputs("null", w->f);
		w->skipped = 1;
		return;
	}
	if (!before_value(w))
		return;
	fputc(object ? '{' : '[', w->f);
	w->level[w->depth].object = object;
	w->level[w->depth].empty = true;
	w->depth++;
}

static void end(struct jsonw *w, bool object)
{
	if (w->skipped) {
		w->skipped--;
		return;
	}
	if (w->depth == 0) {
		set_err(w, -EINVAL);
		return;
	}
	if (w->want_value) {
		/* A key without a value: complete it so the output still parses. */
		set_err(w, -EINVAL);
		fputs("null", w->f);
		w->want_value = false;
	}
	if (w->level[w->depth - 1].object != object)
		set_err(w, -EINVAL);
	w->depth--;
	if (!w->level[w->depth].empty)
		indent(w, w->depth);
	fputc(w->level[w->depth].object ? '}' : ']', w->f);
}

void jsonw_object_begin(struct jsonw *w) { begin(w, true); }
void jsonw_object_end(struct jsonw *w) { end(w, true); }
void jsonw_array_begin(struct jsonw *w) { begin(w, false); }
void jsonw_array_end(struct jsonw *w) { end(w, false); }

int jsonw_finish(struct jsonw *w)
{
	if (w->depth || w->skipped || w->want_value)
		set_err(w, -EINVAL);
	w->skipped = 0;
	while (w->depth)
		end(w, w->level[w->depth - 1].object);
	fputc('\n', w->f);
	if (ferror(w->f))
		set_err(w, -EIO);
	return w->err;
}

void jsonw_escape(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;

	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n;

		switch (c) {
		case '"': fputs("\\\"", f); i++; continue;
		case '\\': fputs("\\\\", f); i++; continue;
		case '\b': fputs("\\b", f); i++; continue;
		case '\f': fputs("\\f", f); i++; continue;
		case '\n': fputs("\\n", f); i++; continue;
		case '\r': fputs("\\r", f); i++; continue;
		case '\t': fputs("\\t", f); i++; continue;
		default: break;
		}
		if (c < 0x20 || c == 0x7f) {
			fprintf(f, "\\u%04x", c);
			i++;
			continue;
		}
		n = escape_utf8_len(str + i, len - i);
		if (n == 2 && c == 0xc2 && s[i + 1] < 0xa0) { /* C1 controls, as terminals may obey them */
			fprintf(f, "\\u%04x", s[i + 1]);
			i += 2;
			continue;
		}
		if (!n) {
			fputs("\\ufffd", f);
			i++;
			continue;
		}
		fwrite(s + i, 1, n, f);
		i += n;
	}
}

void jsonw_string_len(struct jsonw *w, const char *s, size_t len)
{
	if (!before_value(w))
		return;
	fputc('"', w->f);
	jsonw_escape(w->f, s, len);
	fputc('"', w->f);
}

void jsonw_string(struct jsonw *w, const char *s)
{
	if (!s)
		jsonw_null(w);
	else
		jsonw_string_len(w, s, strlen(s));
}

void jsonw_key(struct jsonw *w, const char *key)
{
	if (w->skipped)
		return;
	if (!w->depth || !w->level[w->depth - 1].object || w->want_value) {
		set_err(w, -EINVAL);
		return;
	}
	if (!w->level[w->depth - 1].empty)
		fputc(',', w->f);
	w->level[w->depth - 1].empty = false;
	indent(w, w->depth);
	fputc('"', w->f);
	jsonw_escape(w->f, key, strlen(key));
	fputs(w->pretty ? "\": " : "\":", w->f);
	w->want_value = true;
}

void jsonw_int(struct jsonw *w, int64_t v)
{
	if (before_value(w))
		fprintf(w->f, "%" PRId64, v);
}

void jsonw_uint(struct jsonw *w, uint64_t v)
{
	if (before_value(w))
		fprintf(w->f, "%" PRIu64, v);
}

void jsonw_double(struct jsonw *w, double v, int precision)
{
	char buf[64];
	int n;

	if (!isfinite(v)) {
		jsonw_null(w);
		return;
	}
	if (precision < 0)
		precision = 0;
	if (precision > 17)
		precision = 17;
	n = snprintf(buf, sizeof(buf), "%.*f", precision, v);
	if (n < 0 || (size_t)n >= sizeof(buf))
		n = snprintf(buf, sizeof(buf), "%.*e", precision, v);
	/* A caller's setlocale() must not turn the decimal point into a comma. */
	for (char *p = buf; *p; p++)
		if (*p == ',')
			*p = '.';
	if (before_value(w))
		fputs(buf, w->f);
}

void jsonw_bool(struct jsonw *w, bool v)
{
	if (before_value(w))
		fputs(v ? "true" : "false", w->f);
}

void jsonw_null(struct jsonw *w)
{
	if (before_value(w))
		fputs("null", w->f);
}

void jsonw_kv_string(struct jsonw *w, const char *key, const char *s)
{
	jsonw_key(w, key);
	jsonw_string(w, s);
}

void jsonw_kv_int(struct jsonw *w, const char *key, int64_t v)
{
	jsonw_key(w, key);
	jsonw_int(w, v);
}

void jsonw_kv_uint(struct jsonw *w, const char *key, uint64_t v)
{
	jsonw_key(w, key);
	jsonw_uint(w, v);
}

void jsonw_kv_double(struct jsonw *w, const char *key, double v, int precision)
{
	jsonw_key(w, key);
	jsonw_double(w, v, precision);
}

void jsonw_kv_bool(struct jsonw *w, const char *key, bool v)
{
	jsonw_key(w, key);
	jsonw_bool(w, v);
}

void jsonw_kv_null(struct jsonw *w, const char *key)
{
	jsonw_key(w, key);
	jsonw_null(w);
}

void jsonw_kv_string_or_null(struct jsonw *w, const char *key, const char *s)
{
	jsonw_kv_string(w, key, s && *s ? s : NULL);
}

void jsonw_kv_cpus(struct jsonw *w, const char *key, bool known, const struct mq_cpuset *s)
{
	jsonw_key(w, key);
	if (!known) {
		jsonw_null(w);
		return;
	}
	jsonw_array_begin(w);
	CPUSET_FOREACH(cpu, s)
		jsonw_int(w, cpu);
	jsonw_array_end(w);
}
