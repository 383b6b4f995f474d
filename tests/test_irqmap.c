// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static void use_case(const char *name)
{
	const char *data = getenv("MQ_TEST_DATA");
	char root[4096];

	snprintf(root, sizeof(root), "%s/irqmap/%s", data && *data ? data : "tests/data", name);
	sysfs_set_root(root);
}

/* The probe's view: a driver name, as ETHTOOL_GDRVINFO gives it, looked up in the table. */
static int irqmap_classify(const char *driver, const char *ifname, const char *prefix,
			   const char *name, enum mq_irq_role *ret_role, int *ret_queue)
{
	struct driver_irq m;
	int r = driver_irq_classify(driver_find(driver), ifname, prefix, name, name ? &m : NULL);

	if (r >= 0) {
		*ret_role = m.role;
		*ret_queue = m.queue;
	}
	return r < 0 ? r : 0;
}

struct want {
	const char *driver, *ifname, *prefix, *name;
	enum mq_irq_role role;
	int queue;
};

static void test_classify(void **state)
{
	static const struct want cases[] = {
		{"virtio_net", "eth0", "virtio2", "virtio2-input.0", IRQ_ROLE_RX, 0},
		{"virtio_net", "eth0", "virtio2", "virtio2-output.15", IRQ_ROLE_TX, 15},
		{"virtio_net", "eth0", "virtio2", "virtio2-config", IRQ_ROLE_CONFIG, -1},
		{"virtio_net", "eth0", "virtio0", "virtio0-virtqueues", IRQ_ROLE_SHARED, -1},
		/* Another virtio device's IRQ is not ours, even if its name looks right. */
		{"virtio_net", "eth0", "virtio2", "virtio3-input.0", IRQ_ROLE_OTHER, -1},
		{"virtio_net", "eth0", "virtio2", "virtio2-input.x", IRQ_ROLE_OTHER, -1},
		{"virtio_net", "eth0", "virtio2", "virtio2-input.", IRQ_ROLE_OTHER, -1},
		{"virtio_net", "eth0", "", "virtio7-input.3", IRQ_ROLE_RX, 3},
		{"virtio_blk", "vda", "virtio1", "virtio1-req.0", IRQ_ROLE_OTHER, -1},
		{"ena", "ens5", "", "ens5-Tx-Rx-0", IRQ_ROLE_RXTX, 0},
		{"ena", "ens5", "", "ens5-Tx-Rx-31", IRQ_ROLE_RXTX, 31},
		{"ena", "ens5", "", "ena-mgmnt@pci:0000:00:05.0", IRQ_ROLE_CONFIG, -1},
		{"ena", "ens5", "", "ens50-Tx-Rx-1", IRQ_ROLE_OTHER, -1},
		{"gve", "ens4", "", "gve-ntfy-blk3@pci:0000:00:04.0", IRQ_ROLE_RXTX, 3},
		{"gve", "ens4", "", "ens4-ntfy-block.5", IRQ_ROLE_RXTX, 5},
		{"gve", "ens4", "", "gve-mgmnt@pci:0000:00:04.0", IRQ_ROLE_CONFIG, -1},
		{"gve", "ens4", "", "ens4-mgmnt", IRQ_ROLE_CONFIG, -1},
		{"mlx5_core", "eth1", "", "mlx5_comp7@pci:c3a8:00:02.0", IRQ_ROLE_RXTX, 7},
		{"mlx5_core", "eth1", "", "mlx5_async0@pci:c3a8:00:02.0", IRQ_ROLE_CONFIG, -1},
		{"ixgbe", "eth1", "", "eth1-TxRx-0", IRQ_ROLE_RXTX, 0},
		{"ixgbe", "eth1", "", "eth1-rx-2", IRQ_ROLE_RX, 2},
		{"ixgbe", "eth1", "", "eth1-tx-2", IRQ_ROLE_TX, 2},
		{"i40e", "eth2", "", "i40e-eth2-TxRx-1", IRQ_ROLE_RXTX, 1},
		{"i40e", "eth2", "", "i40e-0000:3b:00.0:misc", IRQ_ROLE_CONFIG, -1},
		{"ice", "eth3", "", "ice-eth3-TxRx-4", IRQ_ROLE_RXTX, 4},
		{"iavf", "eth4", "", "iavf-eth4-TxRx-0", IRQ_ROLE_RXTX, 0},
		{"iavf", "eth4", "", "iavf-0000:00:08.0:mbx", IRQ_ROLE_CONFIG, -1},
		{"xen-netfront", "eth0", "", "eth0-q1-tx", IRQ_ROLE_TX, 1},
		{"xen-netfront", "eth0", "", "eth0-q1-rx", IRQ_ROLE_RX, 1},
		{"xen-netfront", "eth0", "", "eth0-q3", IRQ_ROLE_RXTX, 3},
		{"xen-netfront", "eth0", "", "eth0-q3-", IRQ_ROLE_OTHER, -1},
		{"xen-netfront", "eth0", "", "eth0-q", IRQ_ROLE_OTHER, -1},
		{"", "eth0", "", "eth0-", IRQ_ROLE_OTHER, -1},
		{"", "eth0", "", "eth0-rx-", IRQ_ROLE_OTHER, -1},
		{"", "eth0", "", "eth0 (queue 1", IRQ_ROLE_OTHER, -1},
		{"", "eth0", "", "xeth0-TxRx-1", IRQ_ROLE_OTHER, -1},
		{"mlx5_core", "eth1", "", "mlx5_comp", IRQ_ROLE_OTHER, -1},
		{"gve", "ens4", "", "gve-ntfy-blk@pci:0000:00:04.0", IRQ_ROLE_OTHER, -1},
		{"virtio_net", "eth0", "", "virtio-input.0", IRQ_ROLE_OTHER, -1},
		{"virtio_net", "eth0", "", "virtio2", IRQ_ROLE_OTHER, -1},
		{"vmxnet3", "ens192", "", "ens192-rxtx-3", IRQ_ROLE_RXTX, 3},
		{"cxgb4vf", "enp5s0f4", "", "enp5s0f4 (queue 2)", IRQ_ROLE_RXTX, 2},
		{"e1000", "ens3", "", "ens3", IRQ_ROLE_RXTX, 0},
		{"e1000", "ens3", "", "uhci_hcd:usb1, ens3", IRQ_ROLE_RXTX, 0},
		{"", "eth0", "", "eth0-TxRx-99999999999", IRQ_ROLE_OTHER, -1},
		{"", "eth0", "", "", IRQ_ROLE_OTHER, -1},
		{"", "", "", "-TxRx-0", IRQ_ROLE_OTHER, -1},
		{NULL, NULL, NULL, "timer", IRQ_ROLE_OTHER, -1},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum mq_irq_role role = _IRQ_ROLE_MAX;
		int queue = -7;

		assert_int_equal(irqmap_classify(cases[i].driver, cases[i].ifname, cases[i].prefix,
						 cases[i].name, &role, &queue),
				 0);
		if (role != cases[i].role || queue != cases[i].queue)
			fail_msg("%s: got %s %d, want %s %d", cases[i].name, irq_role_to_string(role),
				 queue, irq_role_to_string(cases[i].role), cases[i].queue);
	}
	assert_int_equal(irqmap_classify("", "", "", NULL, NULL, NULL), -EINVAL);
}

static struct mq_nic make_nic(const char *ifname, const char *driver, unsigned nq)
{
	struct mq_nic n = {0};

	snprintf(n.name, sizeof(n.name), "%s", ifname);
	snprintf(n.driver, sizeof(n.driver), "%s", driver);
	n.nqueues = nq;
	n.queues = calloc(nq ? nq : 1, sizeof(*n.queues));
	assert_non_null(n.queues);
	for (unsigned q = 0; q < nq; q++)
		n.queues[q].index = q;
	return n;
}

static struct irq_table table(void)
{
	struct irq_table t;

	assert_int_equal(interrupts_read(0, &t), 0);
	return t;
}

static void test_virtio(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("virtio");
	t = table();
	/* Driver unknown: the device link alone says virtio2, not eth0's index. */
	n = make_nic("eth0", "", 4);
	assert_int_equal(irqmap_by_names(&n, &t), 9);
	assert_int_equal(n.irqmap_source, IRQMAP_NAMES);
	assert_string_equal(n.irq_prefix, "virtio2");
	assert_false(n.irq_shared);
	for (unsigned q = 0; q < 4; q++) {
		const struct mq_irq *rx = &n.irqs[2 * q], *tx = &n.irqs[2 * q + 1];

		assert_int_equal(rx->irq, 38 + 2 * q);
		assert_int_equal(rx->role, IRQ_ROLE_RX);
		assert_int_equal(rx->queue, (int)q);
		assert_int_equal(tx->irq, 39 + 2 * q);
		assert_int_equal(tx->role, IRQ_ROLE_TX);
		assert_int_equal(n.queues[q].irq_rx, (int)(2 * q));
		assert_int_equal(n.queues[q].irq_tx, (int)(2 * q + 1));
		assert_int_equal(rx->n_per_cpu, 4);
		assert_int_equal(rx->per_cpu[q], 100 * rx->irq);
		assert_int_equal(rx->total, 100 * rx->irq);
	}
	assert_int_equal(n.irqs[8].irq, 37);
	assert_int_equal(n.irqs[8].role, IRQ_ROLE_CONFIG);
	assert_int_equal(n.irqs[8].queue, -1);
	/* Requested 0-3, effective 1; 39 without effective file; 40 from the hex mask. */
	assert_true(n.irqs[0].has_effective && cpuset_count(n.irqs[0].affinity) == 4);
	assert_true(cpuset_isset(n.irqs[0].effective, 1) && cpuset_count(n.irqs[0].effective) == 1);
	assert_true(n.irqs[1].has_affinity && !n.irqs[1].has_effective);
	assert_true(n.irqs[2].has_affinity && cpuset_count(n.irqs[2].affinity) == 2);
	/* The blk device's IRQs (virtio1) are not eth0's. */
	for (unsigned i = 0; i < n.nirqs; i++)
		assert_true(n.irqs[i].irq != 24 && n.irqs[i].irq != 25);
	nic_free(&n);

	/* The other virtio NIC: virtio0, its own three IRQs only. */
	n = make_nic("eth1", "virtio_net", 1);
	assert_int_equal(irqmap_by_names(&n, &t), 3);
	assert_string_equal(n.irq_prefix, "virtio0");
	assert_int_equal(n.irqs[0].irq, 51);
	assert_int_equal(n.irqs[1].irq, 52);
	assert_int_equal(n.irqs[2].irq, 50);
	assert_int_equal(n.irqs[0].total, 10);
	assert_true(cpuset_isset(n.irqs[0].effective, 3));
	nic_free(&n);
	/* freed: nothing dangles, a second free frees nothing */
	assert_null(n.irqs);
	assert_null(n.queues);
	assert_int_equal(n.nirqs, 0);
	assert_int_equal(n.nqueues, 0);
	nic_free(&n);
	nic_free(NULL);

	/* Fewer active queues than IRQs: the extra IRQs stay, unindexed. */
	n = make_nic("eth0", "virtio_net", 2);
	assert_int_equal(irqmap_by_names(&n, &t), 9);
	assert_int_equal(n.queues[1].irq_tx, 3);
	assert_int_equal(n.irqs[7].queue, 3);
	/* Called again (a re-probe): same answer, old IRQs freed. */
	assert_int_equal(irqmap_by_names(&n, &t), 9);
	assert_int_equal(n.queues[0].irq_rx, 0);
	nic_free(&n);

	/* A virtual interface: nothing, and no error. */
	n = make_nic("veth0", "veth", 1);
	assert_int_equal(irqmap_by_names(&n, &t), 0);
	assert_int_equal(n.irqmap_source, IRQMAP_NONE);
	assert_int_equal(n.nirqs, 0);
	assert_int_equal(n.queues[0].irq_rx, -1);
	nic_free(&n);
	interrupts_free(&t);
}

static void test_virtio_shared(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("virtio-shared");
	t = table();
	n = make_nic("eth0", "virtio_net", 2);
	assert_int_equal(irqmap_by_names(&n, &t), 2);
	assert_true(n.irq_shared);
	assert_string_equal(n.irq_prefix, "virtio0");
	assert_int_equal(n.irqs[0].irq, 24);
	assert_int_equal(n.irqs[0].role, IRQ_ROLE_CONFIG);
	assert_int_equal(n.irqs[1].irq, 25);
	assert_int_equal(n.irqs[1].role, IRQ_ROLE_SHARED);
	assert_int_equal(n.irqs[1].total, 17000);
	assert_int_equal(n.queues[0].irq_rx, -1);
	assert_int_equal(n.queues[1].irq_tx, -1);
	nic_free(&n);
	interrupts_free(&t);
}

static void test_ena(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("ena");
	t = table();
	n = make_nic("ens5", "ena", 4);
	assert_int_equal(irqmap_by_names(&n, &t), 5);
	assert_string_equal(n.irq_prefix, "ens5");
	for (unsigned q = 0; q < 4; q++) {
		assert_int_equal(n.irqs[q].irq, 27 + q);
		assert_int_equal(n.irqs[q].role, IRQ_ROLE_RXTX);
		assert_int_equal(n.queues[q].irq_rx, (int)q);
		assert_int_equal(n.queues[q].irq_tx, (int)q);
		assert_int_equal(n.irqs[q].per_cpu[q], 1000 + q);
		assert_true(cpuset_isset(n.irqs[q].effective, q));
	}
	assert_int_equal(n.irqs[4].irq, 26);
	assert_int_equal(n.irqs[4].role, IRQ_ROLE_CONFIG);
	nic_free(&n);
	interrupts_free(&t);
}

static void check_gve(const char *name)
{
	struct mq_nic n;
	struct irq_table t;

	use_case(name);
	t = table();
	n = make_nic("ens4", "gve", 4);
	assert_int_equal(irqmap_by_names(&n, &t), 9);
	/* 8 blocks: 0-3 TX queues 0-3 (IRQs 24-27), 4-7 RX queues 0-3 (IRQs 28-31). */
	for (unsigned q = 0; q < 4; q++) {
		const struct mq_irq *rx = &n.irqs[n.queues[q].irq_rx];
		const struct mq_irq *tx = &n.irqs[n.queues[q].irq_tx];

		assert_int_equal(rx->irq, 28 + q);
		assert_int_equal(rx->role, IRQ_ROLE_RX);
		assert_int_equal(tx->irq, 24 + q);
		assert_int_equal(tx->role, IRQ_ROLE_TX);
		assert_int_equal(n.queues[q].irq_rx, (int)(2 * q));
		assert_int_equal(n.queues[q].irq_tx, (int)(2 * q + 1));
	}
	assert_int_equal(n.irqs[8].irq, 32);
	assert_int_equal(n.irqs[8].role, IRQ_ROLE_CONFIG);
	nic_free(&n);
	interrupts_free(&t);
}

static void test_gve(void **state)
{
	(void)state;
	check_gve("gve");
	check_gve("gve-old");
}

static void test_legacy(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("legacy");
	t = table();
	n = make_nic("ens3", "e1000", 1);
	assert_int_equal(irqmap_by_names(&n, &t), 1);
	assert_int_equal(n.irqs[0].irq, 11);
	assert_int_equal(n.irqs[0].role, IRQ_ROLE_RXTX);
	assert_int_equal(n.irqs[0].queue, 0);
	assert_int_equal(n.irqs[0].total, 1000);
	assert_int_equal(n.queues[0].irq_rx, 0);
	assert_int_equal(n.queues[0].irq_tx, 0);
	assert_true(n.irqs[0].has_effective && cpuset_isset(n.irqs[0].effective, 0));
	nic_free(&n);
	interrupts_free(&t);
}

/* xen-netfront: no MSI or INTx in sysfs; the names of vif0 (the device link vif-0) are ours. */
static void test_xen(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("xen");
	t = table();
	n = make_nic("eth0", "vif", 2);
	assert_int_equal(irqmap_by_names(&n, &t), 4);
	assert_string_equal(n.irq_prefix, "vif0");
	for (unsigned q = 0; q < 2; q++) {
		const struct mq_irq *rx = &n.irqs[n.queues[q].irq_rx], *tx = &n.irqs[n.queues[q].irq_tx];

		assert_int_equal(tx->irq, 30 + 2 * q);
		assert_int_equal(tx->role, IRQ_ROLE_TX);
		assert_int_equal(rx->irq, 31 + 2 * q);
		assert_int_equal(rx->role, IRQ_ROLE_RX);
		assert_int_equal(rx->total, 10 * rx->irq);
		assert_true(cpuset_isset(rx->effective, q));
	}
	nic_free(&n);
	interrupts_free(&t);
}

/* vmxnet3 without buddy sharing numbers vectors: rx-2 and rx-3 are RX queues 0 and 1. */
static void test_vmxnet3(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("vmxnet3");
	t = table();
	n = make_nic("ens192", "vmxnet3", 2);
	assert_int_equal(irqmap_by_names(&n, &t), 5);
	for (unsigned q = 0; q < 2; q++) {
		assert_int_equal(n.irqs[n.queues[q].irq_tx].irq, 56 + q);
		assert_int_equal(n.irqs[n.queues[q].irq_rx].irq, 58 + q);
		assert_int_equal(n.irqs[n.queues[q].irq_rx].role, IRQ_ROLE_RX);
	}
	assert_int_equal(n.irqs[4].irq, 60);
	assert_int_equal(n.irqs[4].role, IRQ_ROLE_CONFIG);
	nic_free(&n);
	interrupts_free(&t);
}

/* ixgbevf, one queue: TxRx-0 is queue 0, so the bare name is the "other" vector, not a second queue 0. */
static void test_intel_one_queue(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("ixgbevf-1q");
	t = table();
	n = make_nic("eth0", "ixgbevf", 1);
	assert_int_equal(irqmap_by_names(&n, &t), 2);
	assert_int_equal(n.irqs[n.queues[0].irq_rx].irq, 30);
	assert_int_equal(n.irqs[n.queues[0].irq_tx].irq, 30);
	for (unsigned k = 0; k < n.nirqs; k++)
		if (n.irqs[k].irq == 31 && (n.irqs[k].role != IRQ_ROLE_CONFIG || n.irqs[k].queue != -1))
			fail_msg("eth0: %s queue %d", irq_role_to_string(n.irqs[k].role), n.irqs[k].queue);
	nic_free(&n);
	interrupts_free(&t);
}

/* mlx5 numbering completion vectors from 1: mlx5_comp1 serves queue 0. */
static void test_mlx5(void **state)
{
	struct mq_nic n;
	struct irq_table t;
	(void)state;

	use_case("mlx5");
	t = table();
	n = make_nic("eth1", "mlx5_core", 4);
	assert_int_equal(irqmap_by_names(&n, &t), 5);
	for (unsigned q = 0; q < 4; q++) {
		assert_int_equal(n.irqs[q].irq, 41 + q);
		assert_int_equal(n.irqs[q].queue, (int)q);
		assert_int_equal(n.queues[q].irq_rx, (int)q);
		assert_int_equal(n.queues[q].irq_tx, (int)q);
	}
	assert_int_equal(n.irqs[4].role, IRQ_ROLE_CONFIG);
	nic_free(&n);
	interrupts_free(&t);
}

/* mkdir -p of root/sub */
static void mkdirs(char *p, size_t len, const char *root, const char *sub)
{
	snprintf(p, len, "%s%s", root, sub);
	for (char *c = p + strlen(root) + 1;; *c++ = '/') {
		c = strchr(c, '/');
		if (c)
			*c = '\0';
		assert_true(mkdir(p, 0755) == 0 || errno == EEXIST);
		if (!c)
			break;
	}
}

/*
 * eth9 with nvec MSI vectors in sysfs (IRQs 100..), each with a line in
 * /proc/interrupts; a root of its own (mkdtemp). Returns irqmap_by_names().
 */
static int many_vectors(unsigned nvec, struct mq_nic *n)
{
	char root[64] = "/tmp/mqirqmap.XXXXXX", p[256];
	struct irq_table t;
	FILE *f;
	int r;

	assert_non_null(mkdtemp(root));
	mkdirs(p, sizeof(p), root, "/sys/0000:00:09.0/msi_irqs");
	mkdirs(p, sizeof(p), root, "/sys/class/net/eth9");
	snprintf(p, sizeof(p), "%s/sys/class/net/eth9/device", root);
	assert_int_equal(symlink("../../../0000:00:09.0", p), 0);
	mkdirs(p, sizeof(p), root, "/proc");
	snprintf(p, sizeof(p), "%s/proc/interrupts", root);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "           CPU0\n");
	for (unsigned i = 0; i < nvec; i++) {
		snprintf(p, sizeof(p), "%s/sys/0000:00:09.0/msi_irqs/%u", root, 100 + i);
		assert_int_equal(close(open(p, O_WRONLY | O_CREAT, 0644)), 0);
		fprintf(f, "%5u: 1 PCI-MSI %u-edge  eth9-%u\n", 100 + i, i, i);
	}
	assert_int_equal(fclose(f), 0);
	sysfs_set_root(root);
	t = table();
	*n = make_nic("eth9", "", 0);
	r = irqmap_by_names(n, &t);
	interrupts_free(&t);
	sysfs_set_root("");
	assert_int_equal(tmptree_rm(root), 0);
	return r;
}

/* A device has at most 4096 vectors (irqmap.c MAX_DEV_IRQS): every one of them is read. */
static void test_vector_cap(void **state)
{
	struct mq_nic n;
	(void)state;

	assert_int_equal(many_vectors(4096, &n), 4096);
	assert_int_equal(n.nirqs, 4096);
	nic_free(&n);
}

/*
 * eth9 on PCI function 0000:00:09.0 with the given MSI vectors and INTx
 * line in sysfs (intx NULL: no irq file) and /proc/interrupts as given; a
 * root of its own. Returns irqmap_by_names() on n, which the caller made.
 */
static const char *dev_link = "../../../0000:00:09.0"; /* eth9's device link, as small_tree() makes it */

static int small_tree(const unsigned *msi, unsigned nmsi, const char *intx, const char *interrupts,
		      struct mq_nic *n)
{
	char root[64] = "/tmp/mqirqmap.XXXXXX", p[256];
	struct irq_table t;
	FILE *f;
	int r;

	assert_non_null(mkdtemp(root));
	mkdirs(p, sizeof(p), root, "/sys/0000:00:09.0/msi_irqs");
	mkdirs(p, sizeof(p), root, "/sys/class/net/eth9");
	snprintf(p, sizeof(p), "%s/sys/class/net/eth9/device", root);
	assert_int_equal(symlink(dev_link, p), 0);
	for (unsigned i = 0; i < nmsi; i++) {
		snprintf(p, sizeof(p), "%s/sys/0000:00:09.0/msi_irqs/%u", root, msi[i]);
		assert_int_equal(close(open(p, O_WRONLY | O_CREAT, 0644)), 0);
	}
	if (intx) {
		snprintf(p, sizeof(p), "%s/sys/0000:00:09.0/irq", root);
		f = fopen(p, "w");
		assert_non_null(f);
		fputs(intx, f);
		assert_int_equal(fclose(f), 0);
	}
	mkdirs(p, sizeof(p), root, "/proc");
	snprintf(p, sizeof(p), "%s/proc/interrupts", root);
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "           CPU0\n%s", interrupts);
	assert_int_equal(fclose(f), 0);
	sysfs_set_root(root);
	t = table();
	r = irqmap_by_names(n, &t);
	interrupts_free(&t);
	sysfs_set_root("");
	assert_int_equal(tmptree_rm(root), 0);
	return r;
}

/* INTx line 0 in sysfs is "none" (no legacy interrupt), not the timer's IRQ 0. */
static void test_intx_zero(void **state)
{
	struct mq_nic n = make_nic("eth9", "e1000", 1);
	(void)state;

	assert_int_equal(small_tree(NULL, 0, "0\n", "  0: 45 IO-APIC 2-edge timer\n", &n), 0);
	assert_int_equal(n.nirqs, 0);
	nic_free(&n);
	n = make_nic("eth9", "e1000", 1);
	/* a real line is the device's even when only another device's name is on it */
	assert_int_equal(small_tree(NULL, 0, "11\n", "  0: 45 IO-APIC 2-edge timer\n"
				    " 11: 7 IO-APIC 11-fasteoi uhci_hcd:usb1\n", &n), 1);
	assert_int_equal(n.irqs[0].irq, 11);
	nic_free(&n);
}

/*
 * With the device's vectors in sysfs, those are its IRQs: a line named like
 * its own that sysfs does not list is not taken. A NIC mapped again keeps
 * nothing of the last mapping (its IRQ name prefix included).
 */
static void test_sysfs_vectors_only(void **state)
{
	struct mq_nic n = make_nic("eth9", "e1000", 1);
	(void)state;

	snprintf(n.irq_prefix, sizeof(n.irq_prefix), "virtio7");
	assert_int_equal(small_tree((const unsigned[]){100}, 1, NULL,
				    "100: 1 PCI-MSI 0-edge eth9\n101: 1 PCI-MSI 1-edge eth9\n", &n), 1);
	assert_int_equal(n.irqs[0].irq, 100);
	assert_string_equal(n.irq_prefix, "eth9");
	nic_free(&n);
	/* MSI vectors found: the legacy INTx line the device also lists is not one of its IRQs */
	n = make_nic("eth9", "e1000", 1);
	assert_int_equal(small_tree((const unsigned[]){100}, 1, "11\n",
				    "100: 1 PCI-MSI 0-edge eth9\n 11: 7 IO-APIC 11-fasteoi eth9\n", &n), 1);
	assert_int_equal(n.irqs[0].irq, 100);
	nic_free(&n);
	/* a device link whose last component is empty: still a device, not a virtual NIC */
	n = make_nic("eth9", "e1000", 1);
	dev_link = "../../../0000:00:09.0/";
	assert_int_equal(small_tree((const unsigned[]){100}, 1, NULL, "100: 1 PCI-MSI 0-edge eth9\n", &n), 1);
	dev_link = "../../../0000:00:09.0";
	assert_int_equal(n.irqs[0].irq, 100);
	nic_free(&n);
	/* no device link (a virtual NIC now): no IRQs, and no prefix left from before */
	n = make_nic("eth8", "", 0);
	snprintf(n.irq_prefix, sizeof(n.irq_prefix), "virtio7");
	assert_int_equal(small_tree(NULL, 0, NULL, "100: 1 PCI-MSI 0-edge eth8\n", &n), 0);
	assert_int_equal(n.nirqs, 0);
	assert_string_equal(n.irq_prefix, "");
	nic_free(&n);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_classify), cmocka_unit_test(test_virtio),
		cmocka_unit_test(test_virtio_shared), cmocka_unit_test(test_ena),
		cmocka_unit_test(test_gve),      cmocka_unit_test(test_legacy),
		cmocka_unit_test(test_xen),      cmocka_unit_test(test_vmxnet3),
		cmocka_unit_test(test_mlx5),     cmocka_unit_test(test_vector_cap),
		cmocka_unit_test(test_intx_zero), cmocka_unit_test(test_sysfs_vectors_only),
		cmocka_unit_test(test_intel_one_queue),
	};
	return cmocka_run_group_tests_name("irqmap", tests, NULL, NULL);
}
