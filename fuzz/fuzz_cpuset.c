// SPDX-License-Identifier: MIT
/*
 * CPU lists ("0-3,8") and masks ("ff,ffffffff") as sysfs and procfs write
 * them. Round trips: parse(format(x)) == x for both formats, and a list and
 * the mask of the same set describe the same set; the interned copy of a set
 * (its own size) equals it and is found again; a mask wider than
 * MQ_MAX_CPUS is -ERANGE.
 */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "core/cpuset.h"

/* Longest list: every other CPU, "0,2,4,...,8190". Mask: 256 groups. */
static char list_buf[MQ_CPULIST_MAX], mask_buf[MQ_CPULIST_MAX];

static void round_trip(const struct mq_cpuset *s)
{
	CPUSET_DEFINE(back);
	int n, last = -1;

	n = cpuset_format_list(s, list_buf, sizeof(list_buf));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(list_buf));
	FUZZ_CHECK(cpuset_parse_list(list_buf, back) == 0);
	FUZZ_CHECK(cpuset_equal(s, back));

	n = cpuset_format_mask(s, MQ_MAX_CPUS, mask_buf, sizeof(mask_buf));
	FUZZ_CHECK(n >= 0 && (size_t)n < sizeof(mask_buf));
	FUZZ_CHECK(cpuset_parse_mask(mask_buf, back) == 0);
	FUZZ_CHECK(cpuset_equal(s, back));

	/* The narrowest mask the kernel would accept for this set. */
	CPUSET_FOREACH(cpu, s)
		last = cpu;
	if (last >= 0) {
		n = cpuset_format_mask(s, (unsigned)last + 1, mask_buf, sizeof(mask_buf));
		FUZZ_CHECK(n >= 0);
		FUZZ_CHECK(cpuset_parse_mask(mask_buf, back) == 0);
		FUZZ_CHECK(cpuset_equal(s, back));
		FUZZ_CHECK(cpuset_format_mask(s, (unsigned)last, mask_buf, sizeof(mask_buf)) == -ERANGE);
	} else {
		FUZZ_CHECK(cpuset_empty(s) && cpuset_count(s) == 0);
	}
	/* Too small a buffer is -ENOSPC, never an overflow. */
	n = cpuset_format_list(s, list_buf, 3);
	FUZZ_CHECK(n == -ENOSPC || (n >= 0 && n < 3));
	FUZZ_CHECK(cpuset_format_mask(s, MQ_MAX_CPUS + 1, mask_buf, sizeof(mask_buf)) == -ERANGE);
	{
		struct cpuset_pool p = {0};
		const struct mq_cpuset *a, *b;

		FUZZ_CHECK(cpuset_pool_intern(&p, s, &a) == 0 && cpuset_equal(a, s));
		FUZZ_CHECK(cpuset_pool_intern(&p, a, &b) == 0 && a == b);
		FUZZ_CHECK(cpuset_last(a) == last && cpuset_count(a) == cpuset_count(s));
		cpuset_pool_free(&p);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	CPUSET_DEFINE(s);
	char *text = fuzz_strdup(data, size);

	if (!text)
		return 0;
	if (cpuset_parse_list(text, s) == 0)
		round_trip(s);
	if (cpuset_parse_mask(text, s) == 0)
		round_trip(s);
	free(text);
	return 0;
}
