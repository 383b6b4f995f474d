/* SPDX-License-Identifier: MIT */
#pragma once

/* Findings: what is wrong with the current state, each with the fix. Pure. */

#include "core/config.h"
#include "core/snapshot.h"

enum finding_severity { SEV_INFO, SEV_WARNING, SEV_ERROR, _SEV_MAX };
const char *severity_to_string(enum finding_severity s);

enum finding_code {
	FIND_CHANNELS_BELOW_TARGET, /* active queues < min(max, usable vCPUs): run --apply */
	FIND_DEVICE_FEWER_QUEUES,   /* device max < vCPUs: host-side fix */
	FIND_IRQS_STACKED,          /* queue IRQs piled on one CPU while others have none */
	FIND_IRQ_SHARED_VECTOR,     /* one virtqueues vector: cannot be spread */
	FIND_RX_IMBALANCE,          /* RX packets over the interval concentrated on few queues */
	FIND_IRQBALANCE_RUNNING,    /* will move IRQs back */
	FIND_XDP_BLOCKS_CHANNELS,   /* XDP attached: virtio_net refuses channel changes */
	FIND_XPS_MISMATCH,          /* XPS does not follow the IRQ placement */
	FIND_CHANNELS_UNKNOWN,      /* channel query failed (kernel's words attached) */
	_FIND_CODE_MAX,
};
const char *finding_code_to_string(enum finding_code c); /* snake_case, stable: JSON and metrics */

struct mq_finding {
	enum finding_severity severity;
	enum finding_code code;
	char ifname[IF_NAMESIZE]; /* "" for machine-wide findings */
	char message[256];        /* what is wrong, with numbers */
	char fix[256];            /* what to do: a command or the host-side setting */
};

/*
 * CPUs queue IRQs may use: online minus cfg->banned_cpus (cfg may be NULL),
 * isolated and nohz_full. Never empty while a CPU is online: if the
 * exclusions remove every online CPU, fall back to online minus banned, then
 * to online (a NIC must interrupt somewhere).
 */
void cpus_usable(const struct mq_cpus *c, const struct mq_config *cfg, struct mq_cpuset *ret);

/*
 * Build findings for now (and before: the previous sample, for rates; may be
 * NULL). Returns the count in *ret_n and a malloc'd array in *ret.
 */
int findings_build(const struct mq_snapshot *now, const struct mq_snapshot *before,
		   const struct mq_config *cfg, struct mq_finding **ret, unsigned *ret_n);
