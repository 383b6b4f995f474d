/* SPDX-License-Identifier: MIT */
#pragma once

/* What core/findings.c and core/findings_work.c share: the builder's context and helpers. */

#include <stdbool.h>
#include <stddef.h>

#include "core/assess.h"
#include "core/findings.h"

struct ctx {
	const struct mq_assessment *a;
	const struct mq_config *cfg;
	struct mq_finding *f;
	unsigned n, cap;
	bool oom;
};

/* A new finding (zeroed but for these), or NULL when out of memory (x->oom). */
struct mq_finding *finding_add(struct ctx *x, enum finding_severity sev, enum finding_code code,
		       enum finding_fix fix, const char *ifname);
/* A CPU list for a message; "N CPUs" if it does not fit. */
const char *finding_cpus(const struct mq_cpuset *s, char *buf, size_t len);
const char *finding_plural(unsigned n, const char *one, const char *many);
/* The NIC's first changing item of kind, with the counts of changing and held ones. */
const struct plan_item *finding_items(const struct ctx *x, const struct mq_nic_verdict *v,
				 enum plan_kind kind, unsigned *ret_changes, unsigned *ret_held);

/* core/findings_work.c: where the work lands (per CPU, per RX queue, the RSS table). */
void check_cpus(struct ctx *x);
void check_imbalance(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v);
void check_rss(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v,
	       const struct mq_if_config *ic);
