// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/assess.h"
#include "core/plan.h"

#include "tests/snapbuild.h"

/* ---- invariants, checked for every case ------------------------------------ */

static unsigned target_queues(const struct plan_item *ch)
{
	return ch->ch_target.combined ? ch->ch_target.combined
	     : ch->ch_target.rx > ch->ch_target.tx ? ch->ch_target.rx : ch->ch_target.tx;
}

static void check_invariants(const struct mq_snapshot *s, const struct mq_plan *p,
			     const struct mq_cpuset *forbidden, bool steady)
{
	unsigned load[MQ_MAX_CPUS] = {0}, total_queues = 0, nusable = cpuset_count(p->usable);
	CPUSET_DEFINE(bad);

	cpuset_and(bad, p->usable, forbidden);
	assert_true(cpuset_empty(bad));
	for (unsigned ni = 0; ni < s->nnics; ni++) {
		const struct mq_nic *nic = &s->nics[ni];
		int qcpu[4096];
		unsigned nq = 0;
		CPUSET_DEFINE(xps_union);
		unsigned xps_items = 0;

		for (unsigned k = 0; k < 4096; k++)
			qcpu[k] = -1;
		cpuset_zero(xps_union);
		for (unsigned i = 0; i < p->n; i++) {
			const struct plan_item *it = &p->items[i];
			CPUSET_DEFINE(x);

			if (it->ifindex != nic->ifindex)
				continue;
			cpuset_and(x, it->target, forbidden);
			assert_true(cpuset_empty(x)); /* no banned/isolated CPU used */
			switch (it->kind) {
			case PLAN_CHANNELS:
				assert_true(target_queues(it) >= 1);
				assert_true(target_queues(it) <= nusable);
				if (it->ch_max.combined)
					assert_true(it->ch_target.combined >= 1);
				else
					assert_true(it->ch_target.rx >= 1 && it->ch_target.tx >= 1);
				break;
			case PLAN_IRQ_AFFINITY:
				assert_int_equal(cpuset_count(it->target), 1);
				assert_true(it->queue >= 0 && it->queue < 4096);
				if (qcpu[it->queue] < 0) {
					qcpu[it->queue] = cpuset_next(it->target, 0);
					load[qcpu[it->queue]]++;
					nq = nq > (unsigned)it->queue + 1 ? nq : (unsigned)it->queue + 1;
					total_queues++;
				} else {
					/* RX and TX of one queue on the same CPU */
					assert_int_equal(qcpu[it->queue], cpuset_next(it->target, 0));
				}
				break;
			case PLAN_XPS: {
				CPUSET_DEFINE(dup);

				cpuset_and(dup, xps_union, it->target);
				assert_true(cpuset_empty(dup)); /* each CPU in one XPS set */
				cpuset_or(xps_union, xps_union, it->target);
				xps_items++;
				break;
			}
			case PLAN_RPS:
			case PLAN_RSS:
				break;
			case _PLAN_KIND_MAX:
				fail();
			}
			if (steady)
				assert_false(it->change);
		}
		/* distinct queues on distinct CPUs while CPUs suffice */
		if (nq <= nusable)
			for (unsigned a = 0; a < nq; a++)
				for (unsigned b = a + 1; b < nq; b++)
					if (qcpu[a] >= 0 && qcpu[b] >= 0)
						assert_int_not_equal(qcpu[a], qcpu[b]);
		if (steady && xps_items > 0)
			assert_true(cpuset_equal(xps_union, p->usable));
	}
	if (total_queues) {
		unsigned lo = UINT32_MAX, hi = 0;

		CPUSET_FOREACH(cpu, p->usable) {
			lo = load[cpu] < lo ? load[cpu] : lo;
			hi = load[cpu] > hi ? load[cpu] : hi;
		}
		assert_true(hi - lo <= 1);
		/* every queue IRQ on a usable CPU */
		for (unsigned c = 0; c < MQ_MAX_CPUS; c++)
			if (load[c])
				assert_true(cpuset_isset(p->usable, c));
	}
}

static const struct plan_item *find_item(const struct mq_plan *p, const char *ifname,
					 enum plan_kind k, int queue)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->items[i].ifname, ifname) == 0 && p->items[i].kind == k &&
		    (queue < 0 || p->items[i].queue == queue))
			return &p->items[i];
	return NULL;
}

static int plan_cpu(const struct mq_plan *p, const char *ifname, int queue)
{
	const struct plan_item *it = find_item(p, ifname, PLAN_IRQ_AFFINITY, queue);

	return it ? cpuset_next(it->target, 0) : -2;
}

/* ---- the table --------------------------------------------------------------- */

struct tcase {
	const char *name;
	unsigned ncpu, smt, nodes;
	const char *banned, *isolated, *nohz_full, *offline;
	const char *conf; /* config text */
	unsigned nnics;
	struct nic_spec nics[4];
	unsigned want_q[4]; /* expected channel target per NIC (0: no channel item) */
};

static const struct tcase cases[] = {
	{"1cpu", 1, 1, 1, NULL, NULL, NULL, NULL, "", 1, {{ST_VIRTIO, 4, 1, -1}}, {1}},
	{"2cpu", 2, 1, 1, NULL, NULL, NULL, NULL, "", 1, {{ST_VIRTIO, 4, 1, -1}}, {2}},
	{"3cpu-odd", 3, 1, 1, NULL, NULL, NULL, NULL, "", 2,
	 {{ST_VIRTIO, 8, 1, -1}, {ST_VIRTIO, 2, 2, -1}}, {3, 2}},
	{"4cpu-smt", 4, 2, 1, NULL, NULL, NULL, NULL, "", 1, {{ST_VIRTIO, 8, 8, -1}}, {4}},
	{"7cpu-3nics", 7, 1, 1, NULL, NULL, NULL, NULL, "", 3,
	 {{ST_VIRTIO, 4, 1, -1}, {ST_PAIR, 8, 2, -1}, {ST_SINGLE, 0, 0, -1}}, {4, 7, 0}},
	{"16cpu-queues-above", 16, 2, 1, NULL, NULL, NULL, NULL, "queues = 32\n", 1,
	 {{ST_VIRTIO, 32, 32, -1}}, {16}},
	{"16cpu-queues-below", 16, 1, 1, NULL, NULL, NULL, NULL, "queues = 3\n", 2,
	 {{ST_VIRTIO, 32, 1, -1}, {ST_RXTX, 8, 8, -1}}, {3, 3}},
	{"16cpu-max", 16, 1, 1, NULL, NULL, NULL, NULL, "queues = max\n[eth1]\nqueues = 2\n", 2,
	 {{ST_VIRTIO, 64, 1, -1}, {ST_VIRTIO, 8, 1, -1}}, {16, 2}},
	{"64cpu-2numa", 64, 2, 2, NULL, NULL, NULL, NULL, "", 2,
	 {{ST_VIRTIO, 8, 1, 0}, {ST_VIRTIO, 8, 1, 1}}, {8, 8}},
	{"96cpu-4nics", 96, 2, 2, "5", "10-11", "20", NULL, "", 4,
	 {{ST_VIRTIO, 32, 1, 1}, {ST_PAIR, 32, 4, 0}, {ST_RXTX, 16, 1, -1}, {ST_VETH, 4, 1, -1}},
	 {32, 32, 16, 4}},
	{"8cpu-banned-isolated", 8, 2, 1, "0", "1", "7", NULL, "", 2,
	 {{ST_VIRTIO, 8, 8, -1}, {ST_VIRTIO, 8, 8, -1}}, {5, 5}},
	{"8cpu-offline", 8, 1, 1, NULL, NULL, NULL, "4-7", "", 2,
	 {{ST_VIRTIO, 8, 8, -1}, {ST_PAIR, 8, 8, -1}}, {4, 4}},
	{"5cpu-more-irqs-than-cpus", 5, 1, 1, NULL, NULL, NULL, NULL, "", 3,
	 {{ST_VIRTIO, 4, 4, -1}, {ST_VIRTIO, 4, 4, -1}, {ST_RXTX, 3, 3, -1}}, {4, 4, 3}},
	{"4cpu-shared-and-excluded", 4, 1, 1, NULL, NULL, NULL, NULL, "[eth1]\nexclude = yes\n", 2,
	 {{ST_SHARED, 4, 1, -1}, {ST_VIRTIO, 4, 1, -1}}, {4, 0}},
	{"65cpu", 65, 1, 1, NULL, NULL, NULL, NULL, "", 1, {{ST_VIRTIO, 128, 1, -1}}, {65}},
};

static void build_case(const struct tcase *tc, struct mq_snapshot *s, struct mq_config *cfg,
		       struct mq_cpuset *forbidden)
{
	char err[256];
	CPUSET_DEFINE(x);

	snap_init(s, tc->ncpu, tc->smt, tc->nodes);
	cpuset_zero(forbidden);
	if (tc->isolated) {
		s->cpus.isolated = fx_set(&s->cpus.sets, tc->isolated);
		cpuset_or(forbidden, forbidden, s->cpus.isolated);
	}
	if (tc->nohz_full) {
		s->cpus.nohz_full = fx_set(&s->cpus.sets, tc->nohz_full);
		cpuset_or(forbidden, forbidden, s->cpus.nohz_full);
	}
	if (tc->offline) {
		CPUSET_DEFINE(online);

		assert_int_equal(cpuset_parse_list(tc->offline, x), 0);
		cpuset_andnot(online, s->cpus.online, x);
		s->cpus.online = fx_intern(&s->cpus.sets, online);
		cpuset_or(forbidden, forbidden, x);
	}
	if (config_parse(tc->conf, "test.conf", cfg, err, sizeof(err)) < 0)
		fail_msg("%s: %s", tc->name, err);
	if (tc->banned) {
		assert_int_equal(cpuset_parse_list(tc->banned, cpuset_buf(&cfg->banned_cpus)), 0);
		cpuset_or(forbidden, forbidden, cpuset_buf(&cfg->banned_cpus));
	}
	for (unsigned i = 0; i < tc->nnics; i++) {
		char name[16];

		snprintf(name, sizeof(name), "eth%u", i);
		add_nic(s, name, &tc->nics[i]);
	}
}

static void test_table(void **state)
{
	(void)state;
	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		const struct tcase *tc = &cases[c];
		struct mq_snapshot s;
		struct mq_config cfg;
		CPUSET_DEFINE(forbidden);
		struct mq_plan p;
		int rounds = 0;

		print_message("case %s\n", tc->name);
		build_case(tc, &s, &cfg, forbidden);
		assert_int_equal(plan_of(&s, &cfg, &p), 0);
		check_invariants(&s, &p, forbidden, false);
		for (unsigned i = 0; i < tc->nnics; i++) {
			char name[16];
			const struct plan_item *ch;

			snprintf(name, sizeof(name), "eth%u", i);
			ch = find_item(&p, name, PLAN_CHANNELS, -1);
			if (tc->want_q[i] == 0) {
				assert_null(ch);
				continue;
			}
			assert_non_null(ch);
			if (target_queues(ch) != tc->want_q[i])
				fail_msg("%s %s: channels %u, want %u", tc->name, name, target_queues(ch),
					 tc->want_q[i]);
		}
		/* apply, re-probe, re-plan until nothing changes: at most two passes */
		while (plan_changes(&p) > 0) {
			assert_true(++rounds <= 2);
			simulate_apply(&s, &p);
			plan_free(&p);
			assert_int_equal(plan_of(&s, &cfg, &p), 0);
			check_invariants(&s, &p, forbidden, false);
		}
		check_invariants(&s, &p, forbidden, true);
		plan_free(&p);
		config_free(&cfg);
		snap_free(&s);
	}
}

/* ---- specific rules ------------------------------------------------------------ */

static void test_nics_continue_sequence(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	(void)state;
	snap_init(&s, 8, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	add_nic(&s, "eth2", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	add_nic(&s, "eth3", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	assert_int_equal(plan_cpu(&p, "eth0", 0), 0);
	assert_int_equal(plan_cpu(&p, "eth0", 1), 1);
	assert_int_equal(plan_cpu(&p, "eth1", 0), 2);
	assert_int_equal(plan_cpu(&p, "eth1", 1), 3);
	assert_int_equal(plan_cpu(&p, "eth2", 0), 4);
	assert_int_equal(plan_cpu(&p, "eth2", 3), 7);
	/* wraps around, continuing at CPU 0 */
	assert_int_equal(plan_cpu(&p, "eth3", 0), 0);
	assert_int_equal(plan_cpu(&p, "eth3", 3), 3);
	/* the config vectors are left alone */
	for (unsigned n = 0; n < s.nnics; n++)
		for (unsigned k = 0; k < s.nics[n].nirqs; k++)
			for (unsigned i = 0; i < p.n && strstr(s.nics[n].irqs[k].name, "config"); i++)
				assert_int_not_equal(p.items[i].irq, (int)s.nics[n].irqs[k].irq);
	plan_free(&p);
	snap_free(&s);
}

static void test_smt_first_threads(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	const struct plan_item *it;
	(void)state;
	snap_init(&s, 8, 2, 1); /* cores {0,1} {2,3} {4,5} {6,7} */
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	for (int q = 0; q < 4; q++)
		assert_int_equal(plan_cpu(&p, "eth0", q), 2 * q);
	/* XPS: the sibling joins the queue its core serves */
	it = find_item(&p, "eth0", PLAN_XPS, 1);
	assert_non_null(it);
	assert_true(cpuset_isset(it->target, 2) && cpuset_isset(it->target, 3));
	assert_int_equal(cpuset_count(it->target), 2);
	plan_free(&p);
	snap_free(&s);
}

static void test_numa_local_first(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	(void)state;
	snap_init(&s, 16, 1, 2); /* node 0: 0-7, node 1: 8-15 */
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, 1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_VIRTIO, 4, 4, 0});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	for (int q = 0; q < 4; q++) {
		assert_int_equal(plan_cpu(&p, "eth0", q), 8 + q);
		assert_int_equal(plan_cpu(&p, "eth1", q), q);
	}
	plan_free(&p);
	snap_free(&s);
}

static void test_l3_interleave(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	(void)state;
	snap_init(&s, 8, 1, 1);
	for (unsigned i = 0; i < 8; i++)
		s.cpus.cpu[i].l3 = i < 4 ? 0 : 4;
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	assert_int_equal(plan_cpu(&p, "eth0", 0), 0);
	assert_int_equal(plan_cpu(&p, "eth0", 1), 4);
	plan_free(&p);
	snap_free(&s);
}

static void test_xps_mask_cpu70(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	char buf[256];
	bool seen = false;
	(void)state;
	snap_init(&s, 96, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 96, 96, -1});
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	assert_int_equal(p.nr_cpu_ids, 96);
	for (unsigned i = 0; i < p.n; i++) {
		const struct plan_item *it = &p.items[i];

		if (it->kind != PLAN_XPS || !cpuset_isset(it->target, 70))
			continue;
		assert_int_equal(it->queue, 70);
		assert_int_equal(cpuset_format_mask(it->target, p.nr_cpu_ids, buf, sizeof(buf)), 26);
		assert_string_equal(buf, "00000040,00000000,00000000");
		seen = true;
	}
	assert_true(seen);
	plan_free(&p);
	snap_free(&s);
}

static const struct mq_nic_verdict *verdict(const struct mq_assessment *a, const char *name)
{
	for (unsigned i = 0; i < a->now->nnics; i++)
		if (strcmp(a->now->nics[i].name, name) == 0)
			return &a->nics[i];
	fail_msg("no NIC %s", name);
	return NULL;
}

static void test_holds_and_skips(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_assessment a;
	struct mq_plan *p = &a.plan;
	const struct mq_nic_verdict *v;
	const struct plan_item *it;
	char err[256];
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "lo", &(struct nic_spec){ST_VETH, 1, 1, -1});
	add_nic(&s, "eth0", &(struct nic_spec){ST_SHARED, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	add_nic(&s, "eth2", &(struct nic_spec){ST_VIRTIO, 8, 1, -1});
	add_nic(&s, "docker0", &(struct nic_spec){ST_VETH, 8, 1, -1});
	assert_int_equal(config_parse("exclude = docker*\nqueues = 16\n", "t", &cfg, err, sizeof(err)), 0);
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	for (unsigned i = 0; i < p->n; i++) {
		assert_string_not_equal(p->items[i].ifname, "lo");
		assert_string_not_equal(p->items[i].ifname, "docker0");
	}
	assert_false(verdict(&a, "lo")->tuned);
	v = verdict(&a, "docker0");
	assert_false(v->tuned);
	assert_int_equal(v->hold, HOLD_EXCLUDED);
	assert_int_equal(v->count, 0);
	assert_int_equal(verdict(&a, "eth1")->hold, HOLD_NO_CHANNELS);
	/* queues = 16 on 4 CPUs and a device of 8: both clamps, typed */
	v = verdict(&a, "eth2");
	assert_true(v->tuned && v->clamped_cpus && v->clamped_device);
	assert_int_equal(v->queues_wanted, 16);
	assert_int_equal(v->queues_target, 4);
	assert_int_equal(v->queues_max, 8);
	it = find_item(p, "eth2", PLAN_CHANNELS, -1);
	assert_non_null(it);
	assert_int_equal(it->ch_target.combined, 4);
	assert_int_equal(it->ch_max.combined, 8);
	/* the verdict's items are the NIC's items */
	for (unsigned i = v->first; i < v->first + v->count; i++)
		assert_string_equal(p->items[i].ifname, "eth2");
	/* single-queue e1000: its IRQ is still placed; no channel item */
	assert_null(find_item(p, "eth1", PLAN_CHANNELS, -1));
	assert_non_null(find_item(p, "eth1", PLAN_IRQ_AFFINITY, 0));
	/* shared vector: no IRQ item */
	assert_null(find_item(p, "eth0", PLAN_IRQ_AFFINITY, -1));
	assessment_free(&a);
	config_free(&cfg);
	snap_free(&s);
}

static void test_config_off_switches(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_plan p;
	const struct plan_item *it;
	char err[256];
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	assert_int_equal(config_parse("[eth0]\nirq_affinity = off\nxps = off\n[eth1]\nrps = on\n", "t",
				      &cfg, err, sizeof(err)), 0);
	s.nics[0].queues[2].rps = s.nics[0].queues[2].xps = s.cpus.online;
	assert_int_equal(plan_of(&s, &cfg, &p), 0);
	assert_null(find_item(&p, "eth0", PLAN_IRQ_AFFINITY, -1));
	assert_null(find_item(&p, "eth0", PLAN_XPS, -1));
	/* RPS off by default: a set mask is cleared */
	it = find_item(&p, "eth0", PLAN_RPS, 2);
	assert_non_null(it);
	assert_true(it->change && cpuset_empty(it->target));
	/* rps = on: rx-N gets tx-N's XPS CPUs */
	for (int q = 0; q < 4; q++) {
		const struct plan_item *x = find_item(&p, "eth1", PLAN_XPS, q);

		it = find_item(&p, "eth1", PLAN_RPS, q);
		assert_non_null(it);
		assert_non_null(x);
		assert_true(cpuset_equal(it->target, x->target));
		assert_false(cpuset_empty(it->target));
	}
	plan_free(&p);
	config_free(&cfg);
	snap_free(&s);
}

static void test_managed_irq_held(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p;
	const struct plan_item *it;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_PAIR, 4, 4, -1});
	s.nics[0].irqs[1].managed = true;
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	it = find_item(&p, "eth0", PLAN_IRQ_AFFINITY, 1);
	assert_non_null(it);
	assert_false(it->change);
	assert_int_equal(it->hold, HOLD_MANAGED);
	/* the others still move */
	it = find_item(&p, "eth0", PLAN_IRQ_AFFINITY, 2);
	assert_true(it && it->change && it->hold == HOLD_NONE);
	plan_free(&p);
	/* already where the plan wants it: nothing held */
	s.nics[0].irqs[0].managed = true;
	assert_int_equal(plan_of(&s, NULL, &p), 0);
	it = find_item(&p, "eth0", PLAN_IRQ_AFFINITY, 0);
	assert_true(it && !it->change && it->hold == HOLD_NONE);
	plan_free(&p);
	snap_free(&s);
}

static void test_xdp_held(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	const struct plan_item *it;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	s.nics[0].xdp = true;
	snprintf(s.nics[0].driver, sizeof(s.nics[0].driver), "virtio_net");
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	it = find_item(&a.plan, "eth0", PLAN_CHANNELS, -1);
	assert_true(it && !it->change && it->hold == HOLD_XDP);
	assert_int_equal(a.nics[0].hold, HOLD_XDP);
	assert_int_equal(a.nics[0].queues_target, 1);
	/* only the active queue is planned for */
	assert_null(find_item(&a.plan, "eth0", PLAN_IRQ_AFFINITY, 1));
	assert_non_null(find_item(&a.plan, "eth0", PLAN_IRQ_AFFINITY, 0));
	assessment_free(&a);
	/* held at 0 active channels (a driver that says 0): queue 0 is still planned for */
	s.nics[0].ch.combined = 0;
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(a.nics[0].queues_target, 0);
	assert_non_null(find_item(&a.plan, "eth0", PLAN_IRQ_AFFINITY, 0));
	assert_null(find_item(&a.plan, "eth0", PLAN_IRQ_AFFINITY, 1));
	assessment_free(&a);
	s.nics[0].ch.combined = 1;
	/* a driver that copes with XDP gets the change planned */
	snprintf(s.nics[0].driver, sizeof(s.nics[0].driver), "mlx5_core");
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	it = find_item(&a.plan, "eth0", PLAN_CHANNELS, -1);
	assert_true(it && it->change && it->hold == HOLD_NONE);
	assessment_free(&a);
	snap_free(&s);
}

static void test_no_usable_cpu(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_assessment a;
	(void)state;
	snap_init(&s, 2, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	config_init(&cfg);
	s.cpus.isolated = fx_set(&s.cpus.sets, "0-1");
	/* every CPU isolated: cpus_usable() falls back to them, and the assessment says so */
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	assert_int_equal(a.nusable, 2);
	assert_true(a.usable_fallback);
	assert_non_null(find_item(&a.plan, "eth0", PLAN_CHANNELS, -1));
	assessment_free(&a);
	/* no online CPU at all (a broken probe): nothing planned */
	s.cpus.online = NULL;
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	assert_int_equal(a.plan.n, 0);
	assert_int_equal(a.nusable, 0);
	assessment_free(&a);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test(test_nics_continue_sequence),
		cmocka_unit_test(test_smt_first_threads),
		cmocka_unit_test(test_numa_local_first),
		cmocka_unit_test(test_l3_interleave),
		cmocka_unit_test(test_xps_mask_cpu70),
		cmocka_unit_test(test_holds_and_skips),
		cmocka_unit_test(test_config_off_switches),
		cmocka_unit_test(test_managed_irq_held),
		cmocka_unit_test(test_xdp_held),
		cmocka_unit_test(test_no_usable_cpu),
	};
	return cmocka_run_group_tests_name("plan", tests, NULL, NULL);
}
