// SPDX-License-Identifier: MIT
/* Kernel uevents from NETLINK_KOBJECT_UEVENT: monitor_uevent_parse(). */
#include <errno.h>

#include "fuzz/fuzz.h"
#include "probes/monitor.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Exactly size bytes, not NUL-terminated: as recv() leaves them. */
	char *buf = malloc(size ? size : 1);
	struct mq_event e;
	int r;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	r = monitor_uevent_parse(buf, size, &e);
	FUZZ_CHECK(r >= -EINVAL && r <= 1);
	if (r == 1)
		FUZZ_CHECK((e.type == EV_CPU_ONLINE || e.type == EV_CPU_OFFLINE) && e.cpu >= 0 &&
			   e.cpu < MQ_MAX_CPUS);
	free(buf);
	return 0;
}
