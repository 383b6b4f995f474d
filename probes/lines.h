/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Lines of a /proc text file, bounded: the buffer grows with the longest
 * line up to max_line, and the whole file may not pass max_bytes, so no
 * input (a file with no newline, a FIFO-sized stream, a fuzzer's bytes)
 * makes the parsers hold more than that.
 */
#include <stddef.h>
#include <stdio.h>

struct line_reader {
	FILE *f;
	size_t max_line;  /* longest line accepted, newline excluded */
	size_t max_bytes; /* the whole file */
	size_t bytes;     /* read so far */
	char *buf;        /* the current line, NUL-terminated, newline stripped */
	size_t len, cap;  /* its length; bytes allocated */
};

/*
 * The next line into r->buf (r->len bytes; it may hold NULs). Returns 1 with
 * a line, 0 at the end, -E2BIG for a line longer than max_line (its first
 * max_line bytes are in buf, the rest unread), -EFBIG past max_bytes,
 * -errno of a read error, -ENOMEM.
 */
int line_next(struct line_reader *r);
void line_reader_free(struct line_reader *r);
