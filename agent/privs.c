// SPDX-License-Identifier: MIT
#include <linux/capability.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "agent/privs.h"

static bool effective(unsigned cap)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0};
	struct __user_cap_data_struct d[2] = {0};

	if (syscall(SYS_capget, &h, d) < 0)
		return false;
	return (d[cap / 32].effective >> (cap % 32)) & 1;
}

bool privs_unprivileged(void)
{
	return !effective(CAP_NET_ADMIN);
}

bool privs_can_tune(char *why, unsigned len)
{
	bool net = effective(CAP_NET_ADMIN);
	/* /proc/irq/N/smp_affinity_list is 0644 root: the owner, or DAC override */
	bool irq = geteuid() == 0 || effective(CAP_DAC_OVERRIDE);

	if (net && irq)
		return true;
	snprintf(why, len, "%s%s%s", net ? "" : "CAP_NET_ADMIN", !net && !irq ? " and " : "",
		 irq ? "" : "root (uid 0) to write /proc/irq/N/smp_affinity_list");
	return false;
}
