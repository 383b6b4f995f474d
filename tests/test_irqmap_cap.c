// SPDX-License-Identifier: MIT
/*
 * irqmap_by_names (probes/irqmap.c) keeps at most 4096 IRQs of one device
 * (MAX_DEV_IRQS) also when they come from /proc/interrupts names alone
 * (xen-netfront: no vectors in sysfs), where no directory bounds the count:
 * one more is -E2BIG with nothing kept, not a longer table.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

/* eth0 on xen device vif-0 with nlines "vif0-qK-tx" lines in /proc/interrupts. */
static int names_only(unsigned nlines, struct mq_nic *n)
{
	char root[64] = "/tmp/mqirqcap.XXXXXX", p[256];
	size_t cap = 64 + 80 * (size_t)nlines, len;
	char *text = malloc(cap);
	struct irq_table t;
	int r;

	assert_non_null(text);
	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/sys/devices/vif-0/net/eth0/ifindex", root);
	assert_int_equal(tmptree_put(p, strlen(root) + 1, "2\n"), 0);
	snprintf(p, sizeof(p), "%s/sys/class/net/eth0", root);
	assert_int_equal(tmptree_put(p, strlen(root) + 1, ""), 0); /* makes sys/class/net */
	assert_int_equal(unlink(p), 0);
	assert_int_equal(symlink("../../devices/vif-0/net/eth0", p), 0);
	snprintf(p, sizeof(p), "%s/sys/devices/vif-0/net/eth0/device", root);
	assert_int_equal(symlink("../../../vif-0", p), 0);
	len = (size_t)snprintf(text, cap, "           CPU0\n");
	for (unsigned i = 0; i < nlines; i++)
		len += (size_t)snprintf(text + len, cap - len,
					"%6u:          1   xen-dyn    -event     vif0-q%u-tx\n", 100 + i, i);
	assert_true(len < cap);
	snprintf(p, sizeof(p), "%s/proc/interrupts", root);
	assert_int_equal(tmptree_put(p, strlen(root) + 1, text), 0);
	free(text);

	sysfs_set_root(root);
	assert_int_equal(interrupts_read(0, &t), 0);
	*n = (struct mq_nic){0};
	snprintf(n->name, sizeof(n->name), "eth0");
	snprintf(n->driver, sizeof(n->driver), "vif");
	r = irqmap_by_names(n, &t);
	interrupts_free(&t);
	sysfs_set_root("");
	assert_int_equal(tmptree_rm(root), 0);
	return r;
}

static void test_names_cap(void **state)
{
	struct mq_nic n;
	(void)state;

	assert_int_equal(names_only(4096, &n), 4096);
	assert_int_equal(n.nirqs, 4096);
	assert_int_equal(n.irqs[4095].irq, 100 + 4095);
	nic_free(&n);
	assert_int_equal(names_only(4097, &n), -E2BIG);
	assert_int_equal(n.nirqs, 0);
	assert_null(n.irqs);
	nic_free(&n);
	/* and the small end: one name is one IRQ */
	assert_int_equal(names_only(1, &n), 1);
	assert_int_equal(n.irqs[0].irq, 100);
	nic_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_cap),
	};
	return cmocka_run_group_tests_name("irqmap_cap", tests, NULL, NULL);
}
