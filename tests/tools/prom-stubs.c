// SPDX-License-Identifier: MIT
/*
 * Weak stand-ins for the string tables of probes/snapshot.c and
 * agent/findings.c, so the prometheus tests link on a branch that lacks them.
 * Where the real ones are linked in, they win.
 */
#include "core/findings.h"
#include "core/snapshot.h"

#define WEAK __attribute__((weak))
#define LOOKUP(t, v) ((unsigned)(v) < sizeof(t) / sizeof((t)[0]) && (t)[v] ? (t)[v] : "invalid")

WEAK const char *irq_role_to_string(enum mq_irq_role r)
{
	static const char *const t[] = {"rx", "tx", "rxtx", "config", "shared", "other"};
	return LOOKUP(t, r);
}

WEAK const char *channels_source_to_string(enum mq_channels_source s)
{
	static const char *const t[] = {"none", "netlink", "ioctl"};
	return LOOKUP(t, s);
}

WEAK const char *stats_source_to_string(enum mq_stats_source s)
{
	static const char *const t[] = {"none", "qstats", "ethtool"};
	return LOOKUP(t, s);
}

WEAK const char *irqmap_source_to_string(enum mq_irqmap_source s)
{
	static const char *const t[] = {"none", "netdev", "names"};
	return LOOKUP(t, s);
}

WEAK const char *severity_to_string(enum finding_severity s)
{
	static const char *const t[] = {"info", "warning", "error"};
	return LOOKUP(t, s);
}

WEAK const char *finding_code_to_string(enum finding_code c)
{
	static const char *const t[] = {
		"channels_below_target", "device_fewer_queues", "irqs_stacked",
		"irq_shared_vector",     "rx_imbalance",        "irqbalance_running",
		"xdp_blocks_channels",   "xps_mismatch",        "channels_unknown",
	};
	return LOOKUP(t, c);
}
