// SPDX-License-Identifier: MIT
/*
 * irqmap_by_names (probes/irqmap.c) when the heap runs out: each of its
 * allocations failing in turn is -ENOMEM with the NIC left without IRQs,
 * never a crash or a half-filled table; with all of them served, the full
 * answer. tests/test_irqmap_oom.mk routes the heap through tests/memcount.h.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/memcount.h"

static void use_case(const char *name)
{
	const char *data = getenv("MQ_TEST_DATA");
	char root[4096];

	snprintf(root, sizeof(root), "%s/irqmap/%s", data && *data ? data : "tests/data", name);
	sysfs_set_root(root);
}

static void sweep(const char *fixture, const char *ifname, const char *driver, int want)
{
	struct mq_nic n = {0};
	struct irq_table t;
	unsigned used, nomem = 0;

	use_case(fixture);
	assert_int_equal(interrupts_read(0, &t), 0);
	snprintf(n.name, sizeof(n.name), "%s", ifname);
	snprintf(n.driver, sizeof(n.driver), "%s", driver);
	n.nqueues = 4;
	n.queues = calloc(n.nqueues, sizeof(*n.queues));
	assert_non_null(n.queues);

	/* how many allocations a full answer takes */
	mem_fail_in = 100000;
	assert_int_equal(irqmap_by_names(&n, &t), want);
	used = 100000 - mem_fail_in;
	mem_fail_in = 0;
	assert_true(used >= 3); /* the IRQ numbers, the IRQs, their matches at least */

	for (unsigned k = 1; k <= used; k++) {
		int r;

		mem_fail_in = k;
		r = irqmap_by_names(&n, &t);
		mem_fail_in = 0;
		/* an affinity mask that could not be kept is only that IRQ's loss */
		if (r >= 0) {
			assert_int_equal(r, want);
			continue;
		}
		assert_int_equal(r, -ENOMEM);
		assert_int_equal(n.nirqs, 0);
		assert_null(n.irqs);
		assert_int_equal(n.irqmap_source, IRQMAP_NONE);
		for (unsigned q = 0; q < n.nqueues; q++)
			assert_true(n.queues[q].irq_rx == -1 && n.queues[q].irq_tx == -1);
		nomem++;
	}
	assert_true(nomem >= 3);
	/* and the heap served again: the whole answer */
	assert_int_equal(irqmap_by_names(&n, &t), want);
	assert_true(n.queues[0].irq_rx >= 0 && n.nirqs == (unsigned)want);
	nic_free(&n);
	interrupts_free(&t);
	sysfs_set_root("");
}

/* MSI vectors from sysfs (virtio: the parent PCI function's) */
static void test_oom_msi(void **state)
{
	(void)state;
	sweep("virtio", "eth0", "virtio_net", 9);
}

/* No vectors in sysfs: the names in /proc/interrupts that are ours (xen-netfront) */
static void test_oom_names(void **state)
{
	(void)state;
	sweep("xen", "eth0", "vif", 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_oom_msi),
		cmocka_unit_test(test_oom_names),
	};
	return cmocka_run_group_tests_name("irqmap_oom", tests, NULL, NULL);
}
