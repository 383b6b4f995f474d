/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Shared bits of the libFuzzer harnesses (make fuzz). Each harness feeds one
 * parser of outside input raw bytes; the sanitizers (ASan, UBSan, LSan) and the
 * property checks below turn any misbehaviour into a crash libFuzzer keeps.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <linux/netlink.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A property that must hold: abort() so libFuzzer records the input. */
#define FUZZ_CHECK(cond)                                                                 \
	do {                                                                              \
		if (!(cond))                                                              \
			__builtin_trap();                                                  \
	} while (0)

/* A NUL-terminated heap copy (ASan sees reads past the end). */
static inline char *fuzz_strdup(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (!s)
		return NULL;
	memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

/*
 * Walk data as a stream of netlink messages, the way a socket reader must:
 * each message copied into its own exactly-sized, aligned heap buffer (so an
 * overread past nlmsg_len hits ASan), lengths checked before use. Calls fn on
 * every message; stops at the first malformed length.
 */
static inline void fuzz_nl_walk(const uint8_t *data, size_t size,
				void (*fn)(const struct nlmsghdr *nlh))
{
	while (size >= sizeof(struct nlmsghdr)) {
		struct nlmsghdr h;
		void *copy;
		size_t step;

		memcpy(&h, data, sizeof(h));
		if (h.nlmsg_len < sizeof(h) || h.nlmsg_len > size)
			return;
		copy = malloc(h.nlmsg_len);
		if (!copy)
			return;
		memcpy(copy, data, h.nlmsg_len);
		fn(copy);
		free(copy);
		step = NLMSG_ALIGN(h.nlmsg_len);
		if (step >= size)
			return;
		data += step;
		size -= step;
	}
}

/*
 * The next record of a stream of datagrams, [len LE16][bytes] (a length past
 * the end takes what is left), as an exactly-sized heap copy (malloc: aligned
 * for struct nlmsghdr; an overread past it hits ASan) that the caller frees.
 * NULL at the end of the stream or out of memory.
 */
static inline void *fuzz_record(const uint8_t **data, size_t *size, size_t *ret_len)
{
	size_t len;
	void *copy;

	if (*size < 2)
		return NULL;
	len = (size_t)(*data)[0] | (size_t)(*data)[1] << 8;
	*data += 2;
	*size -= 2;
	if (len > *size)
		len = *size;
	copy = malloc(len ? len : 1);
	if (!copy)
		return NULL;
	memcpy(copy, *data, len);
	*data += len;
	*size -= len;
	*ret_len = len;
	return copy;
}
