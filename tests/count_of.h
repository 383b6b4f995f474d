/* SPDX-License-Identifier: MIT */
#pragma once

#include <string.h>

/* How many times what occurs in text (overlapping ones too). */
static inline unsigned count_of(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = strstr(text, what); p; p = strstr(p + 1, what))
		n++;
	return n;
}
