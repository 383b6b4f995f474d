// SPDX-License-Identifier: MIT
/* /proc/stat: the cpuN tick lines, up to "intr". Body: fuzz/cpustat.h. */
#include "fuzz/cpustat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cpustat(data, size, FUZZ_STAT);
	return 0;
}
