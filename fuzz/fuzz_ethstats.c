// SPDX-License-Identifier: MIT
/*
 * ethtool -S key names: driver_stat_match(driver, key). The input is
 * "driver\0key" (no NUL: the key is tried with every row of the table), a
 * key cut at ETH_GSTRING_LEN as the ioctl delivers them, or longer.
 */
#include "fuzz/fuzz.h"
#include "core/driver.h"

static void one(const struct mq_driver *d, const char *key)
{
	struct driver_stat st = {.queue = 123456};
	int r = driver_stat_match(d, key, &st);

	FUZZ_CHECK(r == 0 || r == 1);
	if (r == 1)
		FUZZ_CHECK(st.field < _STATS_COL_MAX && st.queue <= DRIVER_MAX_QUEUE && st.pattern);
	else
		FUZZ_CHECK(st.queue == 123456); /* written only on a match */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	const char *nul;

	if (!text)
		return 0;
	nul = memchr(text, '\0', size);
	if (nul) {
		one(driver_find(text), nul + 1);
	} else {
		for (unsigned i = 0; i < driver_table_n; i++)
			one(&driver_table[i], text);
	}
	free(text);
	return 0;
}
