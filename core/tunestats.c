// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "core/tunestats.h"

const struct mq_tune_nic *tune_stats_find(const struct mq_tune_stats *t, const char *ifname)
{
	unsigned n = t->nnics < MQ_TUNE_MAX_NICS ? t->nnics : MQ_TUNE_MAX_NICS;

	for (unsigned i = 0; i < n; i++)
		if (strncmp(t->nic[i].ifname, ifname, sizeof(t->nic[i].ifname)) == 0)
			return &t->nic[i];
	return NULL;
}

struct mq_tune_nic *tune_stats_nic(struct mq_tune_stats *t, const char *ifname)
{
	unsigned n = t->nnics < MQ_TUNE_MAX_NICS ? t->nnics : MQ_TUNE_MAX_NICS;
	const struct mq_tune_nic *found = tune_stats_find(t, ifname);

	if (found)
		return &t->nic[found - t->nic];
	if (n == MQ_TUNE_MAX_NICS)
		return NULL;
	memset(&t->nic[n], 0, sizeof(t->nic[n]));
	snprintf(t->nic[n].ifname, sizeof(t->nic[n].ifname), "%s", ifname);
	t->nnics = n + 1;
	return &t->nic[n];
}

void tune_stats_update(struct mq_tune_stats *t, const struct mq_plan *p, int64_t now)
{
	unsigned failed = 0, changed = 0;

	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];
		struct mq_tune_nic *tn;

		changed += it->status == STEP_OK;
		/* every tuned NIC gets its series, at 0 until something fails */
		tn = tune_stats_nic(t, it->ifname);
		if (it->status != STEP_FAILED || (unsigned)it->kind >= _PLAN_KIND_MAX)
			continue;
		failed++;
		if (tn) /* more NICs than the table: their failures still reach the log */
			tn->failures[it->kind]++;
	}
	if (!failed)
		t->last_apply = now;
	/* After the first pass, every change undoes something the kernel, a driver or a tool did. */
	if (t->passes++ > 0 && changed)
		t->drift_corrections++;
}
