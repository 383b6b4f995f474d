// SPDX-License-Identifier: MIT
/*
 * agent/steady.c: between events the daemon refreshes counters and never
 * probes the whole machine; the drift check reads only what the plan owns.
 * The probes are counting fakes (tests/test_steady.mk wraps them) over a
 * "system" snapshot the tests change behind the daemon's back.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "agent/steady.h"
#include "probes/probe.h"
#include "tests/memcount.h"
#include "tests/snapbuild.h"

static struct mq_snapshot sys;   /* what the fakes read */
static struct {
	unsigned take, sample, channels, affinity, masks, rss;
} calls;
static int sample_r; /* what the counter refresh returns: -errno of /proc/interrupts */

/* ---- counting fakes ------------------------------------------------------------ */

int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret);
int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret)
{
	(void)nl;
	(void)o;
	calls.take++;
	return snapshot_copy(&sys, ret);
}

/* A second of traffic: 1000 packets/s on rx-0 of every NIC, one interrupt per CPU per IRQ. */
int __wrap_snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
				struct mq_snapshot *s);
int __wrap_snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
				struct mq_snapshot *s)
{
	(void)nl;
	assert_non_null(files); /* the daemon keeps its /proc files open */
	/* what the textfile shows: IRQ counts and the per-CPU load, not device totals */
	assert_int_equal(what, SAMPLE_IRQS | SAMPLE_CPU_LOAD);
	calls.sample++;
	sys.taken.tv_sec++;
	for (unsigned i = 0; i < sys.nnics; i++) {
		struct mq_nic *n = &sys.nics[i];

		n->queues[0].rx_packets += 1000;
		n->rx_packets += 1000;
		for (unsigned k = 0; k < n->nirqs; k++)
			for (unsigned c = 0; c < n->irqs[k].n_per_cpu; c++)
				n->irqs[k].per_cpu[c]++;
	}
	/* what snapshot_sample refreshes, and only that */
	s->taken = sys.taken;
	for (unsigned i = 0; i < s->nnics && i < sys.nnics; i++) {
		struct mq_nic *n = &s->nics[i], *m = &sys.nics[i];

		if (what & SAMPLE_TOTALS)
			n->rx_packets = m->rx_packets;
		for (unsigned q = 0; q < n->nqueues && q < m->nqueues; q++)
			n->queues[q].rx_packets = m->queues[q].rx_packets;
		for (unsigned k = 0; k < n->nirqs && k < m->nirqs; k++)
			memcpy(n->irqs[k].per_cpu, m->irqs[k].per_cpu,
			       n->irqs[k].n_per_cpu * sizeof(uint64_t));
	}
	return sample_r;
}

static const struct mq_nic *sys_nic(const char *name)
{
	for (unsigned i = 0; i < sys.nnics; i++)
		if (strcmp(sys.nics[i].name, name) == 0)
			return &sys.nics[i];
	fail_msg("no NIC %s", name);
	return NULL;
}

int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret);
int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret)
{
	(void)nl;
	calls.channels++;
	*ret = sys_nic(nic->name)->ch;
	return 0;
}

int __wrap_irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq);
int __wrap_irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq)
{
	calls.affinity++;
	for (unsigned i = 0; i < sys.nnics; i++)
		for (unsigned k = 0; k < sys.nics[i].nirqs; k++)
			if (sys.nics[i].irqs[k].irq == irq->irq) {
				const struct mq_irq *s = &sys.nics[i].irqs[k];

				/* into the caller's pool, as the probe does */
				irq->affinity = fx_intern(sets, s->affinity);
				irq->has_affinity = s->has_affinity;
				irq->effective = fx_intern(sets, s->effective);
				irq->has_effective = s->has_effective;
				return 0;
			}
	return -ENOENT;
}

int __wrap_link_queue_mask_read(const char *ifname, bool tx, unsigned q, struct mq_cpuset *ret);
int __wrap_link_queue_mask_read(const char *ifname, bool tx, unsigned q, struct mq_cpuset *ret)
{
	const struct mq_nic *n = sys_nic(ifname);

	calls.masks++;
	if (q >= n->nqueues)
		return -ENOENT;
	cpuset_copy(ret, tx ? n->queues[q].xps : n->queues[q].rps);
	return 0;
}

int __wrap_ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret);
int __wrap_ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret)
{
	const struct mq_nic *n = sys_nic(nic->name);

	(void)nl;
	calls.rss++;
	*ret = n->rss;
	ret->indir = NULL;
	if (n->rss.n) {
		ret->indir = malloc(n->rss.n * sizeof(*ret->indir));
		assert_non_null(ret->indir);
		memcpy(ret->indir, n->rss.indir, n->rss.n * sizeof(*ret->indir));
	}
	return ret->err;
}

/* ---- fixture: two virtio NICs on 4 CPUs, tuned or not ------------------------- */

static struct mq_config cfg;
static struct tune t;
static struct steady st;

static void per_cpu_counts(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++)
		for (unsigned k = 0; k < s->nics[i].nirqs; k++) {
			struct mq_irq *irq = &s->nics[i].irqs[k];

			irq->n_per_cpu = s->cpus.n;
			irq->per_cpu = calloc(s->cpus.n, sizeof(uint64_t));
			assert_non_null(irq->per_cpu);
		}
	for (unsigned i = 0; i < s->nnics; i++) {
		s->nics[i].rx_packets = 0;
		for (unsigned q = 0; q < s->nics[i].nqueues; q++)
			s->nics[i].queues[q].rx_packets = 0;
	}
}

/* Where the plan puts things, written into the system: a tuned machine. */
static void apply_plan(struct mq_snapshot *s)
{
	struct mq_plan p;

	assert_int_equal(plan_of(s, &cfg, &p), 0);
	for (unsigned i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.items[i];
		struct mq_nic *n = (struct mq_nic *)snapshot_find_nic(s, it->ifindex);

		assert_non_null(n);
		if (it->kind == PLAN_CHANNELS || it->kind == PLAN_RSS)
			assert_false(it->change); /* already at the target */
		for (unsigned k = 0; it->kind == PLAN_IRQ_AFFINITY && k < n->nirqs; k++)
			if ((int)n->irqs[k].irq == it->irq)
				n->irqs[k].affinity = n->irqs[k].effective = fx_intern(&n->sets, it->target);
		if (it->kind == PLAN_XPS)
			n->queues[it->queue].xps = fx_intern(&n->sets, it->target);
		if (it->kind == PLAN_RPS)
			n->queues[it->queue].rps = fx_intern(&n->sets, it->target);
	}
	plan_free(&p);
	assert_int_equal(plan_of(s, &cfg, &p), 0);
	assert_int_equal(plan_changes(&p), 0);
	plan_free(&p);
}

static int setup(void **state)
{
	(void)state;
	snap_init(&sys, 4, 1, 1);
	add_nic(&sys, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, 0});
	add_nic(&sys, "eth1", &(struct nic_spec){ST_VIRTIO, 4, 4, 0});
	nic_rss(&sys.nics[1], 128, 4);
	per_cpu_counts(&sys);
	sys.taken.tv_sec = 100;
	config_init(&cfg);
	tune_init(&t, NULL, &cfg, NULL);
	steady_init(&st);
	memset(&calls, 0, sizeof(calls));
	sample_r = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	steady_free(&st);
	tune_free(&t);
	snapshot_free(&sys);
	return 0;
}

static unsigned owned(const struct mq_plan *p, enum plan_kind k)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++)
		n += p->items[i].kind == k;
	return n;
}

static bool has_finding(const struct mq_assessment *a, enum finding_code c, const char *ifname)
{
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].code == c && strcmp(a->findings[i].ifname, ifname) == 0)
			return true;
	return false;
}

/* ---- tests --------------------------------------------------------------------- */

static void test_intervals_refresh_counters_only(void **state)
{
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(calls.take, 1);
	assert_true(st.have_a);
	assert_ptr_equal(st.a.now, &st.now);
	for (unsigned i = 0; i < 5; i++) {
		assert_int_equal(steady_sample(&st, &t), 0);
		assert_int_equal(calls.sample, i + 1);
		assert_ptr_equal(st.a.now, &st.now);
		assert_ptr_equal(st.a.before, &st.before);
		assert_true(st.a.interval > 0.99 && st.a.interval < 1.01);
		/* the newest counters, and the ones before them for the rates */
		assert_int_equal(st.now.nics[0].queues[0].rx_packets, 1000 * (i + 1));
		assert_int_equal(st.before.nics[0].queues[0].rx_packets, 1000 * i);
		assert_int_equal(st.now.nics[1].irqs[0].per_cpu[3], i + 1);
		/* all of rx on rx-0 at 1000 packets/s: a finding only the counters can give */
		assert_true(has_finding(&st.a, FIND_RX_IMBALANCE, "eth0"));
	}
	/* nothing but counters read: no probe, no queue or IRQ file */
	assert_int_equal(calls.take, 1);
	assert_int_equal(st.full_probes, 1);
	assert_int_equal(calls.channels + calls.affinity + calls.masks + calls.rss, 0);
	/* the plan still stands: nothing to change */
	assert_int_equal(plan_changes(&st.a.plan), 0);
}

/*
 * The twin is made once, at the first refresh after a probe: from then on
 * every interval reads into it and swaps, holding the same memory however
 * long the daemon runs.
 */
static void test_intervals_hold_steady_memory(void **state)
{
	size_t probed, held, twin;
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_sample(&st, &t), 0); /* the probe */
	assert_false(st.twin);
	probed = mem_live;
	assert_int_equal(steady_sample(&st, &t), 0); /* the twin */
	assert_true(st.twin && st.have_before);
	held = mem_live;
	assert_true(held > probed); /* a second snapshot's worth */
	twin = held - probed;
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(steady_sample(&st, &t), 0);
		assert_true(st.twin && st.have_before);
		assert_int_equal(mem_live, held);
	}
	assert_int_equal(calls.take, 1);
	/* a pass drops the twin and the assessment; the next refresh makes them again, once */
	steady_before_pass(&st);
	assert_false(st.twin);
	assert_true(mem_live < probed);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_true(st.twin);
	/* as much as the first time, give or take what a fresh assessment allocates */
	assert_true(mem_live > held - twin / 2 && mem_live < held + twin / 2);
	held = mem_live;
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(steady_sample(&st, &t), 0);
		assert_int_equal(mem_live, held);
	}
}

static void test_drift_check_reads_what_the_plan_owns(void **state)
{
	const struct mq_cpuset *other, *was;
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(steady_sample(&st, &t), 0);
	memset(&calls, 0, sizeof(calls));

	assert_int_equal(steady_check(&st, &t), 1);
	assert_int_equal(calls.channels, owned(&st.a.plan, PLAN_CHANNELS));
	assert_int_equal(calls.affinity, owned(&st.a.plan, PLAN_IRQ_AFFINITY));
	assert_int_equal(calls.masks, owned(&st.a.plan, PLAN_XPS) + owned(&st.a.plan, PLAN_RPS));
	assert_int_equal(calls.rss, owned(&st.a.plan, PLAN_RSS));
	assert_true(calls.channels == 2 && calls.affinity == 16 && calls.masks == 16 && calls.rss == 1);
	assert_int_equal(st.drift_reads, st.a.plan.n);
	assert_int_equal(calls.take + calls.sample, 0);

	/* someone else's XPS, IRQ affinity, channels, RSS table: each asks for a pass */
	other = fx_cpu(&sys.nics[1].sets, 3);
	was = sys.nics[1].queues[2].xps;
	assert_false(cpuset_equal(was, other));
	sys.nics[1].queues[2].xps = other;
	assert_int_equal(steady_check(&st, &t), 0);
	sys.nics[1].queues[2].xps = was;
	assert_int_equal(steady_check(&st, &t), 1);
	other = fx_cpu(&sys.nics[0].sets, 3);
	was = sys.nics[0].irqs[5].effective;
	assert_false(cpuset_equal(was, other));
	sys.nics[0].irqs[5].effective = other;
	assert_int_equal(steady_check(&st, &t), 0);
	sys.nics[0].irqs[5].effective = was;
	sys.nics[1].ch.combined = 2;
	assert_int_equal(steady_check(&st, &t), 0);
	sys.nics[1].ch.combined = 4;
	sys.nics[1].rss.indir[7] = 0;
	assert_int_equal(steady_check(&st, &t), 0);
	sys.nics[1].rss.indir[7] = 7 % 4;
	assert_int_equal(steady_check(&st, &t), 1);
	/* a table the kernel no longer gives: a pass; the same failure as the kept probe's: none */
	sys.nics[1].rss.err = -EIO;
	assert_int_equal(steady_check(&st, &t), 0);
	st.now.nics[1].rss.err = -EIO;
	assert_int_equal(steady_check(&st, &t), 1);
	sys.nics[1].rss.err = -EOPNOTSUPP;
	assert_int_equal(steady_check(&st, &t), 0);
	sys.nics[1].rss.err = st.now.nics[1].rss.err = 0;
	assert_int_equal(steady_check(&st, &t), 1);
	/* an IRQ the plan owns that the kept probe no longer lists (a queue
	 * gone): a pass, even though the kernel still has it as planned */
	{
		struct mq_nic *n = &st.now.nics[0];
		struct mq_irq last = n->irqs[n->nirqs - 1];
		unsigned k = n->nirqs;

		for (unsigned i = 0; i < st.a.plan.n && k == n->nirqs; i++)
			for (unsigned j = 0; j < n->nirqs; j++)
				if (st.a.plan.items[i].kind == PLAN_IRQ_AFFINITY &&
				    st.a.plan.items[i].ifindex == n->ifindex &&
				    st.a.plan.items[i].irq == (int)n->irqs[j].irq)
					k = j;
		assert_true(k < n->nirqs);
		/* moved to the end, then left out of the count */
		n->irqs[n->nirqs - 1] = n->irqs[k];
		n->irqs[k] = last;
		n->nirqs--;
		assert_int_equal(steady_check(&st, &t), 0);
		n->nirqs++;
		last = n->irqs[k];
		n->irqs[k] = n->irqs[n->nirqs - 1];
		n->irqs[n->nirqs - 1] = last;
	}
	assert_int_equal(steady_check(&st, &t), 1);
	assert_int_equal(calls.take + calls.sample, 0);
}

/*
 * An IRQ the plan owns that the kernel no longer has (its /proc/irq read
 * fails, the probe's struct left as it was given): a pass.
 */
static void test_drift_check_irq_gone(void **state)
{
	struct mq_irq *irq = &sys.nics[0].irqs[5];
	unsigned was = irq->irq;
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(steady_check(&st, &t), 1);
	irq->irq = 999; /* the fake finds no IRQ `was` any more */
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(steady_check(&st, &t), 0);
	assert_true(calls.affinity >= 1);
	irq->irq = was;
	assert_int_equal(steady_check(&st, &t), 1);
}

/* /proc/interrupts unreadable in an interval: its error, the assessment of what was read kept. */
static void test_sample_error(void **state)
{
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_sample(&st, &t), 0); /* the probe */
	sample_r = -EIO;
	assert_int_equal(steady_sample(&st, &t), -EIO);
	assert_true(st.have_a);
	assert_int_equal(calls.sample, 1);
	sample_r = 0;
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(calls.take, 1);
}

/* An untuned machine: the plan has work to do, so the check asks for a pass without reading. */
static void test_drift_check_with_changes_to_make(void **state)
{
	(void)state;
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_true(plan_changes(&st.a.plan) > 0);
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(steady_check(&st, &t), 0);
	assert_int_equal(calls.channels + calls.affinity + calls.masks + calls.rss, 0);
}

/* Nothing kept yet, or kept but stale: a pass, nothing read. */
static void test_drift_check_without_a_current_probe(void **state)
{
	(void)state;
	apply_plan(&sys);
	assert_int_equal(steady_check(&st, &t), 0);
	assert_int_equal(steady_sample(&st, &t), 0);
	st.stale = true; /* a reload */
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(steady_check(&st, &t), 0);
	assert_int_equal(calls.channels + calls.affinity + calls.masks + calls.rss, 0);
	/* and the next interval probes everything again */
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(calls.take, 1);
	assert_false(st.stale);
}

static void pass_of(struct tune_pass *p)
{
	memset(p, 0, sizeof(*p));
	assert_int_equal(snapshot_copy(&sys, &p->snap), 0);
	assert_int_equal(assess(&p->snap, NULL, &cfg, &p->a), 0);
}

/* A pass that changed something: the next interval probes; one that did not: its probe is kept. */
static void test_after_pass(void **state)
{
	struct tune_pass p;
	(void)state;
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(steady_sample(&st, &t), 0);

	/* while a pass probes, only the reading for the next rates stays */
	steady_before_pass(&st);
	assert_false(st.have_a);
	assert_false(st.have_before);
	assert_true(st.have_now);
	assert_int_equal(steady_check(&st, &t), 0);
	pass_of(&p); /* untuned: the pass changes things */
	steady_after_pass(&st, 0, &p);
	tune_pass_free(&p);
	assert_true(st.stale);
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(calls.take, 1);

	apply_plan(&sys); /* the pass tuned it; the next one finds nothing to do */
	pass_of(&p);
	snprintf(p.snap.nics[0].errmsg, sizeof(p.snap.nics[0].errmsg), "from the pass");
	steady_after_pass(&st, 0, &p);
	assert_int_equal(p.snap.nnics, 0); /* taken over */
	tune_pass_free(&p);
	assert_false(st.stale);
	assert_string_equal(st.now.nics[0].errmsg, "from the pass");
	assert_ptr_equal(st.a.now, &st.now);
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(steady_check(&st, &t), 1);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(steady_sample(&st, &t), 0);
	assert_int_equal(calls.take, 0);
	assert_int_equal(calls.sample, 2);
	assert_true(st.a.interval > 0.99 && st.a.interval < 1.01);

	pass_of(&p); /* a failed pass: whatever it did, probe again */
	steady_after_pass(&st, -ENOMEM, &p);
	tune_pass_free(&p);
	assert_true(st.stale);
}

/* The twin shares no memory with the snapshot it was copied from. */
static void test_copy_is_deep(void **state)
{
	struct mq_snapshot c;
	(void)state;
	sys.links = calloc(1, sizeof(*sys.links));
	assert_non_null(sys.links);
	sys.nlinks = 1;
	snprintf(sys.links[0].name, sizeof(sys.links[0].name), "eth0");
	assert_int_equal(snapshot_copy(&sys, &c), 0);
	assert_int_equal(c.nnics, 2);
	assert_ptr_not_equal(c.nics, sys.nics);
	assert_ptr_not_equal(c.nics[0].queues, sys.nics[0].queues);
	assert_ptr_not_equal(c.nics[0].irqs, sys.nics[0].irqs);
	assert_ptr_not_equal(c.nics[0].irqs[0].per_cpu, sys.nics[0].irqs[0].per_cpu);
	assert_ptr_not_equal(c.nics[1].rss.indir, sys.nics[1].rss.indir);
	assert_ptr_not_equal(c.cpus.cpu, sys.cpus.cpu);
	assert_ptr_not_equal(c.links, sys.links);
	c.nics[0].queues[0].rx_packets = 7;
	c.nics[0].irqs[0].per_cpu[1] = 7;
	c.nics[1].rss.indir[0] = 3;
	c.cpus.cpu[0].cnt.net_rx = 7;
	assert_int_equal(sys.nics[0].queues[0].rx_packets, 0);
	assert_int_equal(sys.nics[0].irqs[0].per_cpu[1], 0);
	assert_int_equal(sys.nics[1].rss.indir[0], 0);
	assert_true(sys.cpus.cpu[0].cnt.net_rx != 7);
	assert_string_equal(c.links[0].name, "eth0");
	assert_int_equal(c.nics[1].rss.n, 128);
	/* the sets too: interned in the copy's own pools, equal to the source's */
	assert_non_null(sys.nics[0].irqs[0].affinity);
	assert_ptr_not_equal(c.nics[0].irqs[0].affinity, sys.nics[0].irqs[0].affinity);
	assert_true(cpuset_equal(c.nics[0].irqs[0].affinity, sys.nics[0].irqs[0].affinity));
	assert_ptr_not_equal(c.cpus.online, sys.cpus.online);
	assert_true(cpuset_equal(c.cpus.online, sys.cpus.online));
	assert_int_equal(c.nics[0].sets.n, sys.nics[0].sets.n);
	/* the source gone, the copy still whole (ASan: no use after free) */
	snapshot_free(&sys);
	assert_int_equal(cpuset_count(c.cpus.online), 4);
	for (unsigned i = 0; i < c.nnics; i++) {
		for (unsigned k = 0; k < c.nics[i].nirqs; k++)
			(void)cpuset_count(irq_cpus(&c.nics[i].irqs[k]));
		for (unsigned q = 0; q < c.nics[i].nqueues; q++)
			(void)cpuset_count(c.nics[i].queues[q].xps);
	}
	snapshot_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_intervals_refresh_counters_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_intervals_hold_steady_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_reads_what_the_plan_owns, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_irq_gone, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_error, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_with_changes_to_make, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_without_a_current_probe, setup, teardown),
		cmocka_unit_test_setup_teardown(test_after_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_copy_is_deep, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
