/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Input that ends where an unmapped page begins, so that a parser reading
 * one byte past what it was given faults (SIGSEGV, which cmocka reports as
 * a failed test) in every build, not only under ASan. One buffer at a time:
 * each call unmaps the previous one.
 */
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cmocka.h>

static void *guard_map;
static size_t guard_len;

static inline void *guarded(const void *src, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), data = (len + page - 1) / page * page;
	char *m;

	if (guard_map)
		munmap(guard_map, guard_len);
	guard_len = data + page;
	m = mmap(NULL, guard_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	assert_true(m != MAP_FAILED);
	assert_int_equal(mprotect(m + data, page, PROT_NONE), 0);
	guard_map = m;
	return memcpy(m + data - len, src, len);
}
