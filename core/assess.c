// SPDX-License-Identifier: MIT
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/assess.h"
#include "core/rates.h"

bool cpus_usable(const struct mq_cpus *c, const struct mq_config *cfg, struct mq_cpuset *ret)
{
	const struct mq_cpuset *banned = cfg ? cpuset_cbuf(&cfg->banned_cpus) : NULL;
	CPUSET_DEFINE(excl);

	cpuset_or(excl, c->isolated, c->nohz_full);
	cpuset_or(excl, excl, banned);
	cpuset_andnot(ret, c->online, excl);
	if (!cpuset_empty(ret))
		return false;
	cpuset_andnot(ret, c->online, banned);
	if (cpuset_empty(ret))
		cpuset_copy(ret, c->online);
	return !cpuset_empty(c->online);
}

void assessment_free(struct mq_assessment *a)
{
	if (!a)
		return;
	plan_free(&a->plan);
	cpuload_free(&a->load);
	free(a->findings);
	free(a->nics);
	cpuset_pool_free(&a->sets);
	memset(a, 0, sizeof(*a));
}

int assess(const struct mq_snapshot *now, const struct mq_snapshot *before,
	   const struct mq_config *cfg, struct mq_assessment *ret)
{
	struct mq_assessment a = {.now = now, .before = before};
	struct mq_config defaults;
	CPUSET_DEFINE(usable);
	int r;

	if (!now || (now->nnics && !now->nics))
		return -EINVAL;
	if (!cfg) {
		config_init(&defaults);
		cfg = &defaults;
	}
	a.interval = snapshot_interval(now, before);
	if (a.interval <= 0)
		a.before = NULL;
	a.usable_fallback = cpus_usable(&now->cpus, cfg, usable);
	a.nusable = cpuset_count(usable);
	a.nics = calloc(now->nnics ? now->nnics : 1, sizeof(*a.nics));
	r = a.nics ? 0 : -ENOMEM;
	if (r == 0)
		r = cpuset_pool_intern(&a.sets, usable, &a.usable);
	if (r == 0)
		r = cpuset_pool_intern(&a.sets, cpuset_cbuf(&cfg->banned_cpus), &a.banned);
	if (r == 0)
		r = plan_build(&a, cfg);
	if (r == 0)
		r = cpuload_build(now, a.before, &a.load);
	if (r == 0)
		r = findings_build(&a, cfg);
	if (r < 0) {
		assessment_free(&a);
		return r;
	}
	*ret = a;
	return 0;
}

const struct mq_nic_verdict *assess_nic(const struct mq_assessment *a, const struct mq_nic *n)
{
	const struct mq_snapshot *s = a->now;

	if (!s || !s->nics || n < s->nics || n >= s->nics + s->nnics)
		return NULL;
	return &a->nics[n - s->nics];
}

int assess_worst(const struct mq_assessment *a)
{
	int worst = -1;

	for (unsigned i = 0; i < a->nfindings; i++)
		if ((int)a->findings[i].severity > worst)
			worst = (int)a->findings[i].severity;
	return worst;
}

const struct plan_item *assess_item(const struct mq_assessment *a, const struct mq_nic_verdict *v,
				    enum plan_kind k)
{
	for (unsigned i = v->first; i < v->first + v->count && i < a->plan.n; i++)
		if (a->plan.items[i].kind == k)
			return &a->plan.items[i];
	return NULL;
}

static int cmp_uint(const void *x, const void *y)
{
	unsigned a = *(const unsigned *)x, b = *(const unsigned *)y;

	return a < b ? -1 : a > b;
}

static bool places_irqs(const struct mq_plan *p, int ifindex)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->items[i].kind == PLAN_IRQ_AFFINITY && p->items[i].ifindex == ifindex)
			return true;
	return false;
}

int assess_owned_irqs(const struct mq_assessment *a, unsigned **ret)
{
	const struct mq_snapshot *s = a->now;
	unsigned *v, n = 0, w = 0, max = 0;

	for (unsigned i = 0; i < s->nnics; i++)
		max += s->nics[i].nirqs;
	v = malloc((max ? max : 1) * sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_nic *nic = &s->nics[i];

		if (!a->nics[i].tuned || !places_irqs(&a->plan, nic->ifindex))
			continue;
		for (unsigned k = 0; k < nic->nirqs; k++)
			if (irq_role_is_queue(nic->irqs[k].role))
				v[n++] = nic->irqs[k].irq;
	}
	qsort(v, n, sizeof(*v), cmp_uint);
	for (unsigned i = 0; i < n; i++)
		if (w == 0 || v[i] != v[w - 1])
			v[w++] = v[i];
	if (!w) {
		free(v);
		v = NULL;
	}
	*ret = v;
	return (int)w;
}
