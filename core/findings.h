/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Findings: what is wrong (or left alone on purpose) and what to do about
 * it, read off the assessment (core/assess.h). Pure.
 */

#include <net/if.h>

#include "core/config.h"

enum finding_severity { SEV_INFO, SEV_WARNING, SEV_ERROR, _SEV_MAX };
const char *severity_to_string(enum finding_severity s);

enum finding_code {
	FIND_CHANNELS_BELOW_TARGET, /* the plan raises the channel count: run --apply */
	FIND_DEVICE_FEWER_QUEUES,   /* device max < usable vCPUs: host-side fix */
	FIND_IRQS_STACKED,          /* queue IRQs piled on one CPU while others have none */
	FIND_IRQ_SHARED_VECTOR,     /* one virtqueues vector: cannot be spread */
	FIND_RX_IMBALANCE,          /* RX packets over the interval concentrated on few queues */
	FIND_IRQBALANCE_RUNNING,    /* will move IRQs back */
	FIND_XDP_BLOCKS_CHANNELS,   /* XDP attached: the plan leaves channels alone */
	FIND_XPS_MISMATCH,          /* the plan rewrites XPS to follow the IRQ placement */
	FIND_CHANNELS_UNKNOWN,      /* channel query failed (kernel's words attached) */
	FIND_CHANNELS_ABOVE_TARGET, /* the plan lowers the channel count: run --apply */
	FIND_QUEUES_CLAMPED,        /* `queues` asks for more than the CPUs or the device allow */
	FIND_IRQS_PENDING,          /* queue IRQs not where the plan puts them (not stacked) */
	FIND_IRQS_MANAGED,          /* kernel-managed queue IRQs: left where the kernel put them */
	FIND_RPS_PENDING,           /* the plan rewrites RPS (rps = on, or clears it) */
	FIND_CPUS_FALLBACK,         /* every online CPU is banned/isolated/nohz_full */
	FIND_CPU_SOFTIRQ_BUSY,      /* a usable CPU busy in softirq while another idles */
	FIND_SOFTNET_DROPS,         /* a CPU's backlog overflowed (softnet_stat dropped) */
	FIND_SOFTNET_SQUEEZE,       /* a CPU's NAPI budget ran out with work left (time_squeeze) */
	FIND_CONFIG_UNMATCHED,      /* a config section matches no interface on this machine */
	FIND_RSS_LEAVES_OUT,        /* the RSS table sends no flow to some active RX queues */
	FIND_RSS_UNEVEN,            /* the RSS table weighs queues unevenly, or names inactive ones */
	_FIND_CODE_MAX,
};
const char *finding_code_to_string(enum finding_code c); /* snake_case, stable: JSON and metrics */

/* What kind of fix a finding names: tests and --check rely on it, not on prose. */
enum finding_fix {
	FIX_NONE,   /* nothing to do, or nothing anyone can do from the guest */
	FIX_APPLY,  /* `mqbalance --apply`: there is a plan item that changes it */
	FIX_HOST,   /* the host / cloud / VM settings */
	FIX_ADMIN,  /* something the admin does in the guest (irqbalance, XDP, config) */
	_FIX_MAX,
};
const char *finding_fix_to_string(enum finding_fix f); /* "none", "apply", "host", "admin" */

struct mq_finding {
	enum finding_severity severity;
	enum finding_code code;
	enum finding_fix fix_kind;
	char ifname[IF_NAMESIZE]; /* "" for machine-wide findings */
	char message[256];        /* what is wrong, with numbers */
	char fix[256];            /* what to do: a command or the host-side setting */
};

struct mq_assessment;
/* Fill a->findings from the rest of the assessment. Returns 0 or -ENOMEM. */
int findings_build(struct mq_assessment *a, const struct mq_config *cfg);
