// SPDX-License-Identifier: MIT
/*
 * ethtool -S key names: ethstats_normalise(driver, key). The input is
 * "driver\0key" (no NUL: the driver is "virtio_net" and all of it is the key),
 * a key cut at ETH_GSTRING_LEN as the ioctl delivers them, or longer.
 */
#include <linux/ethtool.h>

#include "fuzz/fuzz.h"
#include "probes/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const drivers[] = {"virtio_net", "ena", "gve", "mlx5_core", "ixgbe",
					      "veth", "hv_netvsc", "ice", ""};
	char *text = fuzz_strdup(data, size);
	const char *driver, *key;
	const char *nul;
	unsigned queue;
	enum ethstat_field field;
	int r;

	if (!text)
		return 0;
	nul = memchr(text, '\0', size);
	if (nul) {
		driver = text;
		key = nul + 1;
		r = ethstats_normalise(driver, key, &queue, &field);
		FUZZ_CHECK(r == 0 || r == 1);
		if (r == 1)
			FUZZ_CHECK(field < _ETHSTAT_FIELD_MAX);
	} else {
		for (size_t i = 0; i < sizeof(drivers) / sizeof(drivers[0]); i++) {
			r = ethstats_normalise(drivers[i], text, &queue, &field);
			FUZZ_CHECK(r == 0 || r == 1);
			if (r == 1)
				FUZZ_CHECK(field < _ETHSTAT_FIELD_MAX);
		}
	}
	free(text);
	return 0;
}
