/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * What the code under test writes to stderr (the log), read back: one
 * capture at a time per test program (static state).
 */
#include <stdio.h>
#include <unistd.h>

static FILE *captured;
static int saved_stderr = -1;

/* From here on stderr goes to a scratch file. */
static inline void capture_start(void)
{
	captured = tmpfile();
	assert_non_null(captured);
	fflush(stderr);
	saved_stderr = dup(STDERR_FILENO);
	assert_true(saved_stderr >= 0);
	assert_true(dup2(fileno(captured), STDERR_FILENO) >= 0);
}

/* stderr back; what was written since capture_start() into buf (NUL-terminated, cut at len - 1). */
static inline void capture_end(char *buf, size_t len)
{
	size_t n;

	fflush(stderr);
	dup2(saved_stderr, STDERR_FILENO);
	close(saved_stderr);
	rewind(captured);
	n = fread(buf, 1, len - 1, captured);
	buf[n] = '\0';
	fclose(captured);
}
