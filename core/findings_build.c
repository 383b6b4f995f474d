// SPDX-License-Identifier: MIT
/*
 * The findings in their one order (core/findings.h): every check at a full
 * build; after a counter refresh only those that read counters, the rest
 * kept from the assessment before. Pure.
 */
#include <errno.h>
#include <stdlib.h>

#include "core/findings_int.h"

/*
 * The checks in their order, each with a number of its own (mq_finding.check):
 * the machine, the CPUs' load, the config, then per NIC i its layout
 * (CHECK_NIC + 2i) and its RX spread (CHECK_NIC + 2i + 1). The load and the
 * RX spread read counters; the rest only the layout and the plan.
 */
enum { CHECK_MACHINE, CHECK_LOAD, CHECK_CONFIG, CHECK_NIC };

/*
 * Begin check c. At a full build, and for a check that reads counters, the
 * caller runs it: true. Otherwise what it gave before is copied: false.
 */
static bool run_check(struct ctx *x, unsigned c, bool counters)
{
	x->check = c;
	if (!x->keep || counters)
		return true;
	while (x->oi < x->nold && x->old[x->oi].check < c)
		x->oi++; /* a check this layout no longer runs (cannot happen with the same layout) */
	for (; x->oi < x->nold && x->old[x->oi].check == c; x->oi++) {
		struct mq_finding *f = finding_add(x, 0, 0, 0, NULL);

		if (f)
			*f = x->old[x->oi];
	}
	return false;
}

static int build(struct mq_assessment *a, struct ctx *x)
{
	if (run_check(x, CHECK_MACHINE, false))
		check_machine(x);
	if (run_check(x, CHECK_LOAD, true))
		check_cpus(x);
	if (run_check(x, CHECK_CONFIG, false))
		check_config(x);
	for (unsigned i = 0; i < a->now->nnics; i++) {
		const struct mq_nic *n = &a->now->nics[i];
		const struct mq_nic_verdict *v = &a->nics[i];

		if (!v->tuned)
			continue;
		if (run_check(x, CHECK_NIC + 2 * i, false))
			check_layout(x, n, v);
		if (run_check(x, CHECK_NIC + 2 * i + 1, true))
			check_imbalance(x, n, v);
	}
	/* finding_add() fails only for memory: say so rather than hand out half the findings */
	if (x->oom) {
		free(x->f);
		return -ENOMEM;
	}
	a->findings = x->f;
	a->nfindings = x->n;
	return 0;
}

int findings_build(struct mq_assessment *a, const struct mq_config *cfg)
{
	struct ctx x = {.a = a, .cfg = cfg};

	return build(a, &x);
}

int findings_rebuild(struct mq_assessment *a, const struct mq_config *cfg,
		     const struct mq_finding *old, unsigned nold)
{
	struct ctx x = {.a = a, .cfg = cfg, .keep = true, .old = old, .nold = old ? nold : 0};

	return build(a, &x);
}
