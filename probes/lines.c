// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>

#include "probes/lines.h"

/* Room for one more byte and the NUL; never more than max_line + 1 in all. */
static int grow(struct line_reader *r)
{
	size_t ncap = r->cap ? r->cap * 2 : 256;
	char *b;

	if (r->len + 1 < r->cap)
		return 0;
	if (ncap > r->max_line + 1)
		ncap = r->max_line + 1;
	b = realloc(r->buf, ncap);
	if (!b)
		return -ENOMEM;
	r->buf = b;
	r->cap = ncap;
	return 0;
}

int line_next(struct line_reader *r)
{
	int c;

	r->len = 0;
	if (grow(r) < 0)
		return -ENOMEM;
	while ((c = getc_unlocked(r->f)) != EOF) {
		if (++r->bytes > r->max_bytes)
			return -EFBIG;
		if (c == '\n')
			break;
		if (r->len >= r->max_line) {
			r->buf[r->len] = '\0';
			return -E2BIG;
		}
		if (grow(r) < 0)
			return -ENOMEM;
		r->buf[r->len++] = (char)c;
	}
	r->buf[r->len] = '\0';
	if (c == EOF && ferror(r->f))
		return -EIO;
	return c == EOF && r->len == 0 ? 0 : 1;
}

void line_reader_free(struct line_reader *r)
{
	free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
}
