// SPDX-License-Identifier: MIT
/* The daemon between events: counters refreshed, settings checked (agent/steady.h). */
#include <errno.h>
#include <stdio_ext.h>
#include <string.h>

#include "agent/steady.h"
#include "agent/textfile.h"
#include "output/prom.h"
#include "probes/probe.h"

void steady_init(struct steady *st)
{
	memset(st, 0, sizeof(*st));
	probe_files_init(&st->files);
	textfile_dir_init(&st->dir);
}

static void drop_a(struct steady *st)
{
	if (st->have_a)
		assessment_free(&st->a);
	st->have_a = false;
}

static void drop_before(struct steady *st)
{
	if (st->have_before)
		snapshot_free(&st->before);
	st->have_before = st->twin = false;
}

void steady_free(struct steady *st)
{
	drop_a(st);
	drop_before(st);
	if (st->have_now)
		snapshot_free(&st->now);
	st->have_now = false;
	probe_files_close(&st->files);
	textfile_dir_close(&st->dir);
}

/* s becomes now; the old now the reading before. */
static void shift(struct steady *st, struct mq_snapshot *s)
{
	drop_a(st);
	drop_before(st);
	if (st->have_now) {
		st->before = st->now;
		st->have_before = true;
	}
	st->now = *s;
	st->have_now = true;
	st->stale = false;
	memset(s, 0, sizeof(*s));
}

void steady_before_pass(struct steady *st)
{
	drop_a(st);
	drop_before(st);
}

void steady_after_pass(struct steady *st, int r, struct tune_pass *p)
{
	/* A pass that wanted nothing changed nothing: its probe is the system now. */
	if (r < 0 || plan_changes(&p->a.plan) || p->a.plan.reprobed) {
		st->stale = true;
		return;
	}
	shift(st, &p->snap);
	st->a = p->a;
	st->a.now = &st->now;
	st->a.before = NULL; /* the pass had no reading before: rates from the next sample */
	st->have_a = true;
	memset(&p->a, 0, sizeof(p->a));
}

static int probe_all(struct steady *st, struct tune *t)
{
	const char *names[MQ_IFS_MAX];
	struct probe_opts po = t->select;
	struct mq_snapshot s;
	int r;

	tune_probe_opts(t->cfg, &po, names);
	r = snapshot_take(t->nl, &po, &s);
	if (r < 0)
		return r;
	irq_memory_mark(&t->managed, &s);
	shift(st, &s);
	st->full_probes++;
	r = assess(&st->now, st->have_before ? &st->before : NULL, t->cfg, &st->a);
	st->have_a = r >= 0;
	return r;
}

int steady_sample(struct steady *st, struct tune *t)
{
	struct mq_snapshot tmp;
	int r, rs;

	if (!st->have_now || st->stale)
		return probe_all(st, t);
	if (!st->twin) {
		/* the first refresh after a probe: a twin to read into, now stays the reading before */
		drop_before(st);
		r = snapshot_copy(&st->now, &st->before);
		if (r < 0)
			return r;
		st->have_before = st->twin = true;
	}
	/*
	 * What the textfile shows: per-queue counters, the queue IRQs' counts,
	 * and the per-CPU load its findings come from; not the device totals
	 * (node_exporter's netdev collector has them).
	 */
	rs = snapshot_sample_with(t->nl, &st->files, SAMPLE_IRQS | SAMPLE_CPU_LOAD, &st->before);
	tmp = st->now;
	st->now = st->before;
	st->before = tmp;
	if (!st->have_a) {
		r = assess(&st->now, &st->before, t->cfg, &st->a);
		st->have_a = r >= 0;
	} else {
		r = assess_counters(&st->a, &st->now, &st->before, t->cfg);
		if (r < 0)
			drop_a(st);
	}
	return r < 0 ? r : rs;
}

static bool set_same(bool has_a, const struct mq_cpuset *a, bool has_b, const struct mq_cpuset *b)
{
	return has_a == has_b && (!has_a || cpuset_equal(a, b));
}

static bool channels_same(const struct mq_channels *a, const struct mq_channels *b)
{
	return a->rx == b->rx && a->tx == b->tx && a->other == b->other &&
	       a->combined == b->combined;
}

static bool rss_same(const struct mq_rss *a, const struct mq_rss *b)
{
	if (a->err || b->err)
		return a->err == b->err;
	return a->n == b->n && (!a->n || memcmp(a->indir, b->indir, a->n * sizeof(*a->indir)) == 0);
}

static const struct mq_irq *nic_irq(const struct mq_nic *n, int irq)
{
	for (unsigned i = 0; n->irqs && i < n->nirqs; i++)
		if ((int)n->irqs[i].irq == irq)
			return &n->irqs[i];
	return NULL;
}

/* Is what item it owns still as nic says? */
static bool item_same(struct tune *t, const struct mq_nic *nic, const struct plan_item *it)
{
	const struct mq_queue *q = NULL;
	const struct mq_irq *kept;
	struct cpuset_pool sets = {0};
	struct mq_channels ch;
	struct mq_irq irq;
	struct mq_rss rss;
	CPUSET_DEFINE(set);
	bool same = false;

	if (it->queue >= 0 && (unsigned)it->queue < nic->nqueues && nic->queues)
		q = &nic->queues[it->queue];
	switch (it->kind) {
	case PLAN_CHANNELS:
		memset(&ch, 0, sizeof(ch));
		return ethtool_channels_get(t->nl, nic, &ch) >= 0 && channels_same(&ch, &nic->ch);
	case PLAN_IRQ_AFFINITY:
		if (!(kept = nic_irq(nic, it->irq)))
			return false;
		memset(&irq, 0, sizeof(irq));
		irq.irq = kept->irq;
		/* interned in a pool of this check's own, gone with it */
		(void)irq_affinity_read(&sets, &irq);
		same = set_same(irq.has_affinity, irq.affinity, kept->has_affinity, kept->affinity) &&
		       set_same(irq.has_effective, irq.effective, kept->has_effective, kept->effective);
		cpuset_pool_free(&sets);
		return same;
	case PLAN_XPS:
	case PLAN_RPS:
		if (!q)
			return false;
		same = link_queue_mask_read(nic->name, it->kind == PLAN_XPS, (unsigned)it->queue,
					    set) == 0;
		return it->kind == PLAN_XPS ? set_same(same, set, q->has_xps, q->xps)
					    : set_same(same, set, q->has_rps, q->rps);
	case PLAN_RSS:
		(void)ethtool_rss_get(t->nl, nic, &rss);
		same = rss_same(&rss, &nic->rss);
		rss_free(&rss);
		return same;
	case _PLAN_KIND_MAX:
		break;
	}
	return false;
}

int steady_check(struct steady *st, struct tune *t)
{
	const struct mq_plan *p = &st->a.plan;

	st->drift_reads = 0;
	textfile_dir_close(&st->dir);
	if (!st->have_now || !st->have_a || st->stale || plan_changes(p))
		return 0;
	for (unsigned i = 0; i < p->n; i++) {
		const struct mq_nic *nic = snapshot_find_nic(&st->now, p->items[i].ifindex);

		st->drift_reads++;
		if (!nic || !item_same(t, nic, &p->items[i]))
			return 0;
	}
	return 1;
}

/* textfile_write renders into a memory stream of its own, used by this thread only: no locks. */
static int render(FILE *f, void *arg)
{
	__fsetlocking(f, FSETLOCKING_BYCALLER);
	return prom_render(f, arg);
}

int steady_write(struct steady *st, const struct mq_tune_stats *stats, const char *path,
		 char *err, size_t errlen)
{
	struct prom_input in = {.a = &st->a, .tune = stats};

	if (!st->have_a)
		return -ENODATA;
	/*
	 * No fsync: the file is regenerated every interval, and the rename
	 * alone gives node_exporter a whole file, old or new. A crash loses at
	 * most the last interval's file, which the next interval writes again.
	 */
	return textfile_write_at(&st->dir, TEXTFILE_NO_SYNC, path, render, &in, err, errlen);
}
