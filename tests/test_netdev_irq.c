// SPDX-License-Identifier: MIT
/* netdev_irqmap_build(): per-queue IRQ numbers from queue-get/napi-get into nic->irqs. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"

static unsigned affinity_calls;

int __wrap_irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq);
int __wrap_irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq)
{
	CPUSET_DEFINE(s);

	affinity_calls++;
	cpuset_set(s, irq->irq % 2);
	assert_int_equal(cpuset_pool_intern(sets, s, &irq->affinity), 0);
	irq->has_affinity = true;
	return 0;
}

static void nic_init(struct mq_nic *nic, unsigned n)
{
	memset(nic, 0, sizeof(*nic));
	nic->nqueues = n;
	nic->queues = calloc(n, sizeof(*nic->queues));
	for (unsigned i = 0; i < n; i++) {
		nic->queues[i].index = i;
		nic->queues[i].irq_rx = nic->queues[i].irq_tx = -1;
	}
}

static void nic_fini(struct mq_nic *nic)
{
	for (unsigned i = 0; i < nic->nirqs; i++)
		free(nic->irqs[i].per_cpu);
	free(nic->irqs);
	free(nic->queues);
	cpuset_pool_free(&nic->sets);
}

static void test_none(void **state)
{
	struct mq_nic nic;
	int rx[2] = {-1, -1}, tx[2] = {-1, -1};
	(void)state;
	nic_init(&nic, 2);
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, NULL), 0);
	assert_int_equal(nic.nirqs, 0);
	assert_int_equal(nic.irqmap_source, IRQMAP_NONE);
	assert_int_equal(nic.queues[0].irq_rx, -1);
	assert_int_equal(netdev_irqmap_build(&nic, NULL, tx, NULL), -EINVAL);
	assert_int_equal(netdev_irqmap_build(&nic, rx, NULL, NULL), -EINVAL);
	assert_int_equal(netdev_irqmap_build(NULL, rx, tx, NULL), -EINVAL);
	nic_fini(&nic);
	memset(&nic, 0, sizeof(nic)); /* no queue array */
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, NULL), -EINVAL);
}

/* The lowest IRQ number, 0, is an IRQ; an RX-only queue has one. */
static void test_irq_zero_rx_only(void **state)
{
	struct mq_nic nic;
	int rx[2] = {0, -1}, tx[2] = {-1, -1};
	(void)state;
	nic_init(&nic, 2);
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, NULL), 1);
	assert_int_equal(nic.nirqs, 1);
	assert_int_equal(nic.irqs[0].irq, 0);
	assert_int_equal(nic.irqs[0].role, IRQ_ROLE_RX);
	assert_int_equal(nic.queues[0].irq_rx, 0);
	assert_int_equal(nic.queues[0].irq_tx, -1);
	assert_int_equal(nic.queues[1].irq_rx, -1);
	nic_fini(&nic);
}

/* virtio-like: one vector per direction; mlx5-like: one per pair. */
static void test_split_and_pairs(void **state)
{
	/* counts by column: 40 {5, 6}, 41 {7, 8}, 50 {1, 1} */
	uint32_t counts[] = {5, 6, 7, 8, 1, 1};
	int col_cpu[] = {0, 1};
	struct irq_line lines[] = {
		{.irq = 40, .name = "virtio2-input.0", .total = 11, .first = 0, .ncounts = 2},
		{.irq = 41, .name = "virtio2-output.0", .total = 15, .first = 2, .ncounts = 2},
		{.irq = 50, .name = "mlx5_comp1@pci:0000:00:05.0", .total = 2, .first = 4, .ncounts = 2},
	};
	struct irq_table t = {.ncpus = 2, .col_cpu = col_cpu, .ncols = 2, .counts = counts,
			      .ncounts = 6, .n = 3, .lines = lines};
	struct mq_nic nic;
	int rx[3] = {40, 50, -1}, tx[3] = {41, 50, 60};
	(void)state;
	affinity_calls = 0;
	nic_init(&nic, 3);
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, &t), 1);
	assert_int_equal(nic.irqmap_source, IRQMAP_NETDEV);
	assert_int_equal(nic.nirqs, 4);
	assert_int_equal(affinity_calls, 4);
	/* queue 0: separate RX and TX vectors */
	assert_int_equal(nic.irqs[nic.queues[0].irq_rx].irq, 40);
	assert_int_equal(nic.irqs[nic.queues[0].irq_rx].role, IRQ_ROLE_RX);
	assert_int_equal(nic.irqs[nic.queues[0].irq_tx].irq, 41);
	assert_int_equal(nic.irqs[nic.queues[0].irq_tx].role, IRQ_ROLE_TX);
	assert_string_equal(nic.irqs[0].name, "virtio2-input.0");
	assert_int_equal(nic.irqs[0].queue, 0);
	assert_true(nic.irqs[0].total == 11);
	assert_int_equal(nic.irqs[1].n_per_cpu, 2);
	assert_true(nic.irqs[1].per_cpu[1] == 8);
	assert_true(nic.irqs[1].has_affinity);
	/* queue 1: one vector for the pair */
	assert_int_equal(nic.queues[1].irq_rx, nic.queues[1].irq_tx);
	assert_int_equal(nic.irqs[nic.queues[1].irq_rx].role, IRQ_ROLE_RXTX);
	assert_int_equal(nic.irqs[nic.queues[1].irq_rx].queue, 1);
	/* queue 2: TX only, IRQ 60 not in /proc/interrupts: no name, total MQ_NA */
	assert_int_equal(nic.queues[2].irq_rx, -1);
	assert_int_equal(nic.irqs[nic.queues[2].irq_tx].irq, 60);
	assert_string_equal(nic.irqs[nic.queues[2].irq_tx].name, "");
	assert_true(nic.irqs[nic.queues[2].irq_tx].total == MQ_NA);
	assert_null(nic.irqs[nic.queues[2].irq_tx].per_cpu);
	/* Building again replaces the old list (no leak under ASan). */
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, NULL), 1);
	assert_int_equal(nic.nirqs, 4);
	nic_fini(&nic);
}

/* One vector shared by several queues: bound to no single queue. */
static void test_shared(void **state)
{
	struct mq_nic nic;
	int rx[2] = {30, 30}, tx[2] = {30, 30};
	(void)state;
	nic_init(&nic, 2);
	assert_int_equal(netdev_irqmap_build(&nic, rx, tx, NULL), 1);
	assert_int_equal(nic.nirqs, 1);
	assert_int_equal(nic.irqs[0].queue, -1);
	assert_int_equal(nic.irqs[0].role, IRQ_ROLE_RXTX);
	nic_fini(&nic);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_none),
		cmocka_unit_test(test_split_and_pairs),
		cmocka_unit_test(test_shared),
		cmocka_unit_test(test_irq_zero_rx_only),
	};
	return cmocka_run_group_tests_name("netdev_irq", tests, NULL, NULL);
}
