// SPDX-License-Identifier: MIT
/* core/cpuload.c: per-CPU rates between two snapshots, against hand-computed numbers. */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/cpuload.h"
#include "core/rates.h"
#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/fx_cpuset.h"
#include "tests/guard.h"

#define NA MQ_NA

static void near(double got, double want, int line)
{
	if (isnan(want) ? !isnan(got) : !(fabs(got - want) < 1e-9))
		fail_msg("line %d: got %g, want %g", line, got, want);
}
#define NEAR(got, want) near((got), (want), __LINE__)

/* ncpu CPUs, all online, counters unknown, taken at secs. */
static void snap(struct mq_snapshot *s, unsigned ncpu, double secs)
{
	memset(s, 0, sizeof(*s));
	s->cpus.n = ncpu;
	s->cpus.cpu = calloc(ncpu, sizeof(*s->cpus.cpu));
	assert_non_null(s->cpus.cpu);
	for (unsigned i = 0; i < ncpu; i++) {
		s->cpus.cpu[i].id = (int)i;
		s->cpus.cpu[i].present = s->cpus.cpu[i].online = true;
		cpu_counters_clear(&s->cpus.cpu[i].cnt);
	}
	s->cpus.online = fx_first(&s->cpus.sets, ncpu);
	s->taken.tv_sec = (time_t)secs;
	s->taken.tv_nsec = (long)((secs - (double)(time_t)secs) * 1e9);
}

static void set_online(struct mq_snapshot *s, unsigned cpu, bool on)
{
	s->cpus.cpu[cpu].online = on;
	s->cpus.online = fx_with(&s->cpus.sets, s->cpus.online, cpu, on);
}

static struct mq_nic *nic(struct mq_snapshot *s, int ifindex, const char *name)
{
	struct mq_nic *n;

	s->nics = realloc(s->nics, (s->nnics + 1) * sizeof(*s->nics));
	assert_non_null(s->nics);
	n = &s->nics[s->nnics++];
	memset(n, 0, sizeof(*n));
	n->ifindex = ifindex;
	snprintf(n->name, sizeof(n->name), "%s", name);
	return n;
}

/* An IRQ with per-CPU counts (NA past the list); affinity "" = none known. */
static struct mq_irq *irq(struct mq_nic *n, unsigned num, enum mq_irq_role role, int q,
			  const char *effective, const char *affinity, unsigned ncounts,
			  const uint64_t *counts)
{
	struct mq_irq *x;

	n->irqs = realloc(n->irqs, (n->nirqs + 1) * sizeof(*n->irqs));
	assert_non_null(n->irqs);
	x = &n->irqs[n->nirqs++];
	memset(x, 0, sizeof(*x));
	x->irq = num;
	x->role = role;
	x->queue = q;
	x->has_effective = *effective;
	x->effective = *effective ? fx_set(&n->sets, effective) : NULL;
	x->has_affinity = *affinity;
	x->affinity = *affinity ? fx_set(&n->sets, affinity) : NULL;
	x->n_per_cpu = ncounts;
	x->per_cpu = calloc(ncounts ? ncounts : 1, sizeof(*x->per_cpu));
	assert_non_null(x->per_cpu);
	memcpy(x->per_cpu, counts, ncounts * sizeof(*counts));
	return x;
}

#define IRQ(n, num, role, q, eff, aff, ...)                                                  \
	irq(n, num, role, q, eff, aff, sizeof((uint64_t[]){__VA_ARGS__}) / sizeof(uint64_t), \
	    (uint64_t[]){__VA_ARGS__})

static void cnt(struct mq_snapshot *s, unsigned cpu, struct mq_cpu_counters c)
{
	s->cpus.cpu[cpu].cnt = c;
}

/* CPU c's served IRQ with this number, or fail. */
static const struct cpuload_irq *served(const struct cpuload *l, const struct mq_snapshot *s,
				       unsigned c, unsigned num)
{
	for (unsigned i = 0; i < l->cpu[c].nirqs; i++) {
		const struct cpuload_irq *x = &l->cpu[c].irqs[i];

		if (s->nics[x->nic].irqs[x->irq].irq == num)
			return x;
	}
	fail_msg("cpu%u does not serve IRQ %u", c, num);
	return NULL;
}

/*
 * before at t = 10 s, now at t = 12 s. CPU 2 went offline, CPU 3 came online,
 * CPU 4 exists only now. eth0 has queue IRQs in every state; eth1 is a new
 * device behind the ifindex eth9 had.
 */
static void build_pair(struct mq_snapshot *before, struct mq_snapshot *now)
{
	struct mq_nic *n;

	snap(before, 4, 10.0);
	snap(now, 5, 12.0);
	set_online(now, 2, false);
	set_online(before, 3, false);
	cnt(before, 0, (struct mq_cpu_counters){1000, 10, 1000, 5, 100, 0, 500, 0, 1});
	cnt(now, 0, (struct mq_cpu_counters){3000, 30, 1200, 15, 150, 20, 2500, 4, 7});
	/* CPU 1: NET_RX backwards, no ticks passed, softnet row gone: all unknown. */
	cnt(before, 1, (struct mq_cpu_counters){5000, 7, 400, 1, 1, 1, 9, 0, 0});
	cnt(now, 1, (struct mq_cpu_counters){100, 9, 400, 1, 1, 1, NA, NA, NA});
	cnt(before, 2, (struct mq_cpu_counters){1, 1, 1, 1, 1, 1, 1, 1, 1});
	cnt(now, 2, (struct mq_cpu_counters){5, 5, 5, 5, 5, 5, 5, 5, 5});
	cnt(now, 3, (struct mq_cpu_counters){5, 5, 5, 5, 5, 5, 5, 5, 5});
	cnt(now, 4, (struct mq_cpu_counters){5, 5, 5, 5, 5, 5, 5, 5, 5});

	n = nic(before, 2, "eth0");
	IRQ(n, 30, IRQ_ROLE_RX, 0, "0", "0-3", 100, 0, 0, 0);
	IRQ(n, 31, IRQ_ROLE_TX, 0, "0", "0", 50, 0, 0, 0);
	IRQ(n, 32, IRQ_ROLE_RX, 1, "1", "1", 20, 200, 0, 0);
	IRQ(n, 34, IRQ_ROLE_RXTX, 2, "", "2-3", 0, 0, 7, 0);
	IRQ(n, 36, IRQ_ROLE_RX, 4, "1", "1", 0, 500, 0, 0);
	n = nic(before, 3, "eth9");
	IRQ(n, 40, IRQ_ROLE_RX, 0, "3", "3", 0, 0, 0, 0);

	n = nic(now, 2, "eth0");
	IRQ(n, 30, IRQ_ROLE_RX, 0, "0", "0-3", 300, 0, 0, 0, 0);
	IRQ(n, 31, IRQ_ROLE_TX, 0, "0", "0", 50, 0, 0, 0, 0);
	IRQ(n, 32, IRQ_ROLE_RX, 1, "1", "1", 40, 1000, 0, 0, 0); /* also fired on CPU 0 */
	IRQ(n, 33, IRQ_ROLE_CONFIG, -1, "0", "0", 99, 0, 0, 0, 0);
	IRQ(n, 34, IRQ_ROLE_RXTX, 2, "", "2-3", 0, 0, 9, 4, 0); /* requested mask only */
	IRQ(n, 35, IRQ_ROLE_RX, 3, "1", "1", 0, 70, 0, 0, 0);   /* not in before */
	IRQ(n, 36, IRQ_ROLE_RX, 4, "1", "1", 0, 10, 0, 0, 0);   /* backwards on CPU 1 */
	IRQ(n, 37, IRQ_ROLE_OTHER, 0, "0", "0", 99, 0, 0, 0, 0);
	IRQ(n, 38, IRQ_ROLE_RX, -1, "0", "0", 99, 0, 0, 0, 0);
	n = nic(now, 3, "eth1");
	IRQ(n, 40, IRQ_ROLE_RX, 0, "3", "3", 0, 0, 0, 0, 50);
}

static void free_snap(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++)
		for (unsigned k = 0; k < s->nics[i].nirqs; k++)
			free(s->nics[i].irqs[k].per_cpu);
	for (unsigned i = 0; i < s->nnics; i++) {
		free(s->nics[i].irqs);
		cpuset_pool_free(&s->nics[i].sets);
	}
	free(s->nics);
	free(s->cpus.cpu);
	cpuset_pool_free(&s->cpus.sets);
}

static void test_rates(void **state)
{
	struct mq_snapshot before, now;
	struct cpuload l;
	const struct cpuload_cpu *c;
	const struct cpuload_irq *x;
	(void)state;

	build_pair(&before, &now);
	memset(&l, 0x5a, sizeof(l));
	assert_int_equal(cpuload_build(&now, &before, &l), 0);
	NEAR(l.secs, 2.0);
	assert_int_equal(l.n, 5);

	c = &l.cpu[0];
	assert_true(c->online);
	NEAR(c->net_rx_per_s, 1000);          /* 2000 over 2 s */
	NEAR(c->net_tx_per_s, 10);
	NEAR(c->irq_share, 10.0 / 200);       /* of 200 ticks */
	NEAR(c->softirq_share, 50.0 / 200);
	NEAR(c->steal_share, 20.0 / 200);
	NEAR(c->softnet_processed_per_s, 1000);
	NEAR(c->softnet_dropped_per_s, 2);
	NEAR(c->softnet_squeezed_per_s, 3);
	assert_int_equal(c->nirqs, 3);
	x = served(&l, &now, 0, 30);
	assert_true(x->affine);
	assert_int_equal(x->queue, 0);
	assert_int_equal(x->role, IRQ_ROLE_RX);
	assert_string_equal(now.nics[x->nic].name, "eth0");
	NEAR(x->per_s, 100);
	x = served(&l, &now, 0, 31);
	assert_true(x->affine);
	NEAR(x->per_s, 0); /* affine and idle: still served */
	x = served(&l, &now, 0, 32);
	assert_false(x->affine); /* fired here though affine elsewhere */
	NEAR(x->per_s, 10);
	NEAR(c->queue_irqs_per_s, 110);

	c = &l.cpu[1];
	assert_true(c->online);
	NEAR(c->net_rx_per_s, NAN); /* backwards */
	NEAR(c->net_tx_per_s, 1);
	NEAR(c->softirq_share, NAN); /* no ticks passed */
	NEAR(c->softnet_processed_per_s, NAN);
	assert_int_equal(c->nirqs, 3);
	NEAR(served(&l, &now, 1, 32)->per_s, 400);
	NEAR(served(&l, &now, 1, 35)->per_s, NAN); /* new IRQ */
	NEAR(served(&l, &now, 1, 36)->per_s, NAN); /* backwards */
	NEAR(c->queue_irqs_per_s, 400);

	/* Hotplug: gone now, or not there before: unknown, but still shows its IRQs. */
	for (unsigned k = 2; k <= 3; k++) {
		c = &l.cpu[k];
		assert_false(c->online);
		NEAR(c->net_rx_per_s, NAN);
		NEAR(c->softirq_share, NAN);
		NEAR(c->softnet_processed_per_s, NAN);
		NEAR(c->queue_irqs_per_s, NAN);
		x = served(&l, &now, k, 34);
		assert_true(x->affine);
		NEAR(x->per_s, NAN);
	}
	assert_int_equal(l.cpu[2].nirqs, 1);
	/* eth1 is not eth9: its IRQ 40 has no before, NAN even where it fired. */
	assert_int_equal(l.cpu[3].nirqs, 2);
	NEAR(served(&l, &now, 3, 40)->per_s, NAN);
	assert_false(l.cpu[4].online);
	assert_int_equal(l.cpu[4].nirqs, 0);
	assert_null(l.cpu[4].irqs);
	NEAR(l.cpu[4].net_rx_per_s, NAN);

	/* Grouped by CPU, nothing else: config, OTHER and queue -1 are not queue IRQs. */
	assert_int_equal(l.nirqs, 3 + 3 + 1 + 2);
	assert_ptr_equal(l.cpu[0].irqs, l.irqs);
	assert_ptr_equal(l.cpu[1].irqs, l.irqs + 3);
	for (unsigned i = 0; i < l.nirqs; i++) {
		unsigned num = now.nics[l.irqs[i].nic].irqs[l.irqs[i].irq].irq;

		assert_true(num != 33 && num != 37 && num != 38);
	}
	cpuload_free(&l);
	assert_null(l.cpu);
	free_snap(&before);
	free_snap(&now);
}

/* No before, or no time between: no rates, affinity only. */
static void test_no_interval(void **state)
{
	struct mq_snapshot before, now;
	struct cpuload l;
	(void)state;

	build_pair(&before, &now);
	assert_int_equal(cpuload_build(&now, NULL, &l), 0);
	NEAR(l.secs, 0);
	assert_true(l.cpu[3].online); /* online now, and there is no before */
	assert_false(l.cpu[2].online);
	for (unsigned c = 0; c < l.n; c++) {
		NEAR(l.cpu[c].net_rx_per_s, NAN);
		NEAR(l.cpu[c].softirq_share, NAN);
		NEAR(l.cpu[c].queue_irqs_per_s, NAN);
		for (unsigned i = 0; i < l.cpu[c].nirqs; i++) {
			assert_true(l.cpu[c].irqs[i].affine);
			NEAR(l.cpu[c].irqs[i].per_s, NAN);
		}
	}
	assert_int_equal(l.cpu[0].nirqs, 2); /* 30, 31: 32 fired on CPU 0 but is not affine */
	assert_int_equal(l.cpu[1].nirqs, 3);
	assert_int_equal(l.cpu[3].nirqs, 2);
	cpuload_free(&l);

	now.taken = before.taken; /* same instant */
	assert_int_equal(cpuload_build(&now, &before, &l), 0);
	NEAR(l.secs, 0);
	NEAR(l.cpu[0].net_rx_per_s, NAN);
	cpuload_free(&l);
	now.taken.tv_sec = 5; /* the clock went backwards: no interval either */
	assert_int_equal(cpuload_build(&now, &before, &l), 0);
	NEAR(l.secs, 0);
	cpuload_free(&l);

	assert_int_equal(cpuload_build(NULL, &before, &l), -EINVAL);
	assert_int_equal(cpuload_build(&now, &before, NULL), -EINVAL);
	free_snap(&before);
	free_snap(&now);

	/* No CPUs, no NICs: an empty answer, not an error. */
	memset(&now, 0, sizeof(now));
	assert_int_equal(cpuload_build(&now, &now, &l), 0);
	assert_int_equal(l.n, 0);
	assert_int_equal(l.nirqs, 0);
	cpuload_free(&l);
	cpuload_free(NULL);
}

static void test_delta(void **state)
{
	(void)state;
	assert_int_equal(counter_delta(10, 4), 6);
	assert_int_equal(counter_delta(4, 4), 0);
	assert_true(counter_delta(3, 4) == NA);
	assert_true(counter_delta(NA, 4) == NA);
	assert_true(counter_delta(4, NA) == NA);
	/* A 32-bit counter that wrapped looks like a reset: unknown, not 4 billion. */
	assert_true(counter_delta(5, 4294967290ULL) == NA);
}

/* The 6.1 guest's real files, all CPUs and then CPU 2 offline, 2 s apart. */
static void load_tree(const char *tree, double secs, struct mq_snapshot *s, struct irq_table *t)
{
	const char *d = getenv("MQ_TEST_DATA");
	char root[4096];

	snprintf(root, sizeof(root), "%s/cpustat/%s", d && *d ? d : "tests/data", tree);
	sysfs_set_root(root);
	memset(s, 0, sizeof(*s));
	assert_int_equal(cpu_probe(&s->cpus), 0);
	assert_int_equal(cpustat_read(&s->cpus, NULL, 0), 3);
	assert_int_equal(interrupts_read(0, t), 0);
	s->taken.tv_sec = (time_t)secs;
	sysfs_set_root("");
}

/*
 * virtio0-input.q / output.q are IRQs 25 + 2q / 26 + 2q. The capture has no
 * affinity files: served means fired over the interval.
 */
static void virtio_nic(struct mq_snapshot *s, const struct irq_table *t)
{
	struct mq_nic *n = nic(s, 2, "eth0");

	for (unsigned i = 0; i < 8; i++) {
		const struct irq_line *line = interrupts_find(t, 25 + i);
		uint64_t per_cpu[64];

		assert_non_null(line);
		assert_true(t->ncpus <= 64);
		interrupts_per_cpu(t, line, per_cpu, t->ncpus);
		irq(n, 25 + i, i % 2 ? IRQ_ROLE_TX : IRQ_ROLE_RX, (int)(i / 2), "", "", t->ncpus,
		    per_cpu);
	}
}

static void test_guest_61(void **state)
{
	struct mq_snapshot before, now;
	struct irq_table tb, tn;
	struct cpuload l;
	(void)state;

	load_tree("guest-6.1", 100, &before, &tb);
	load_tree("guest-6.1-off2", 102, &now, &tn);
	virtio_nic(&before, &tb);
	virtio_nic(&now, &tn);
	assert_int_equal(cpuload_build(&now, &before, &l), 0);
	/* cpu0 10 0 281 644 0 0 84 0 0 0 -> 12 0 297 679 0 0 84 0 0 0: 53 ticks, no softirq */
	NEAR(l.cpu[0].softirq_share, 0);
	NEAR(l.cpu[0].irq_share, 0);
	NEAR(l.cpu[0].net_tx_per_s, 0.5);
	/* cpu1 986 -> 1033 ticks, softirq 97 -> 98; NET_RX 799 -> 800 */
	NEAR(l.cpu[1].softirq_share, 1.0 / 47);
	NEAR(l.cpu[1].net_rx_per_s, 0.5);
	NEAR(l.cpu[1].softnet_processed_per_s, 0);
	/* cpu3 925 -> 973, 85 -> 86 */
	NEAR(l.cpu[3].softirq_share, 1.0 / 48);
	assert_false(l.cpu[2].online);
	NEAR(l.cpu[2].net_rx_per_s, NAN);
	/*
	 * No queue IRQ fired on a live CPU between the two reads (same counts in
	 * both files); CPU 2's column is gone from /proc/interrupts.
	 */
	assert_int_equal(l.nirqs, 0);
	NEAR(l.cpu[0].queue_irqs_per_s, 0);
	NEAR(l.cpu[3].queue_irqs_per_s, 0);
	NEAR(l.cpu[2].queue_irqs_per_s, NAN);
	assert_true(now.nics[0].irqs[4].per_cpu[2] == NA); /* IRQ 29, input.2 */
	assert_int_equal(before.nics[0].irqs[4].per_cpu[2], 383);
	cpuload_free(&l);
	interrupts_free(&tb);
	interrupts_free(&tn);
	cpu_free(&before.cpus);
	cpu_free(&now.cpus);
	before.cpus.cpu = now.cpus.cpu = NULL;
	free_snap(&before);
	free_snap(&now);
}

/*
 * An IRQ's counts as far as the before snapshot had columns (a CPU added
 * since), or none at all: the rate on a CPU past them is unknown, never a
 * read past the list (it ends at an unmapped page here).
 */
static void test_counts_short(void **state)
{
	static const uint64_t one[] = {100};
	struct mq_snapshot before, now;
	struct mq_nic *n;
	struct mq_irq *x;
	struct cpuload l;
	(void)state;

	snap(&before, 3, 10.0);
	snap(&now, 3, 12.0);
	n = nic(&before, 2, "eth0");
	x = IRQ(n, 30, IRQ_ROLE_RX, 0, "0-2", "0-2", 0);
	free(x->per_cpu);
	x->per_cpu = guarded(one, sizeof(one)); /* CPU 0's column only */
	x->n_per_cpu = 1;
	x = IRQ(n, 31, IRQ_ROLE_TX, 0, "0-2", "0-2", 0);
	free(x->per_cpu);
	x->per_cpu = NULL; /* the counts were not read */
	x->n_per_cpu = 3;
	n = nic(&now, 2, "eth0");
	IRQ(n, 30, IRQ_ROLE_RX, 0, "0-2", "0-2", 300, 50, 70);
	IRQ(n, 31, IRQ_ROLE_TX, 0, "0-2", "0-2", 300, 50, 70);

	assert_int_equal(cpuload_build(&now, &before, &l), 0);
	NEAR(served(&l, &now, 0, 30)->per_s, 100);
	NEAR(served(&l, &now, 0, 31)->per_s, NAN);
	for (unsigned c = 1; c < 3; c++) {
		NEAR(served(&l, &now, c, 30)->per_s, NAN);
		NEAR(served(&l, &now, c, 31)->per_s, NAN);
		NEAR(l.cpu[c].queue_irqs_per_s, 0);
	}
	NEAR(l.cpu[0].queue_irqs_per_s, 100);
	cpuload_free(&l);
	before.nics[0].irqs[0].per_cpu = NULL; /* the guarded page is not the heap's */
	free_snap(&before);
	free_snap(&now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_no_interval),
		cmocka_unit_test(test_delta),
		cmocka_unit_test(test_guest_61),
		cmocka_unit_test(test_counts_short),
	};
	return cmocka_run_group_tests_name("cpuload", tests, NULL, NULL);
}
