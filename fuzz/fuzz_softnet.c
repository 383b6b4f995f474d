// SPDX-License-Identifier: MIT
/* /proc/net/softnet_stat: hex rows, with or without the CPU id column. Body: fuzz/cpustat.h. */
#include "fuzz/cpustat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cpustat(data, size, FUZZ_SOFTNET);
	return 0;
}
