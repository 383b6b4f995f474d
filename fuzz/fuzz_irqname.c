// SPDX-License-Identifier: MIT
/*
 * /proc/interrupts action names: driver_irq_classify(). The input is
 * "driver\0ifname\0dev\0name" (missing parts empty); a name without NULs is
 * tried with every row of the table, as eth0 with and without a device.
 */
#include "fuzz/fuzz.h"
#include "core/driver.h"

static void one(const struct mq_driver *d, const char *ifname, const char *dev, const char *name)
{
	struct driver_irq m;
	int r = driver_irq_classify(d, ifname, dev, name, &m);

	FUZZ_CHECK(r == 0 || r == 1);
	FUZZ_CHECK((unsigned)m.role < _IRQ_ROLE_MAX && m.queue >= -1 && m.queue <= DRIVER_MAX_QUEUE);
	FUZZ_CHECK(r == 1 ? m.pattern != NULL : m.role == IRQ_ROLE_OTHER && !m.pattern && !m.ours);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = fuzz_strdup(data, size);
	const char *part[4] = {"", "", "", ""};
	size_t at = 0;

	if (!text)
		return 0;
	if (!memchr(text, '\0', size)) {
		for (unsigned i = 0; i < driver_table_n; i++) {
			one(&driver_table[i], "eth0", "", text);
			one(&driver_table[i], "eth0", "virtio2", text);
		}
	} else {
		for (unsigned k = 0; k < 4 && at <= size; k++) {
			part[k] = text + at;
			at += strlen(text + at) + 1;
		}
		one(driver_find(part[0]), part[1], part[2], part[3]);
	}
	free(text);
	return 0;
}
