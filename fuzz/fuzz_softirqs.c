// SPDX-License-Identifier: MIT
/* /proc/softirqs: NET_RX and NET_TX per CPU column. Body: fuzz/cpustat.h. */
#include "fuzz/cpustat.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_cpustat(data, size, FUZZ_SOFTIRQS);
	return 0;
}
