// SPDX-License-Identifier: MIT
/*
 * One re-read of the counters (probes/take.c snapshot_sample) from a fixture
 * tree, without netlink: every NIC's totals from sysfs and every IRQ's
 * counts from /proc/interrupts, the first NIC's as much as the last; what
 * is missing is unknown (MQ_NA), never 0 or the old value.
 */
#include <errno.h>
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
#include "tests/fixture_snapshot.h"
#include "tests/tmptree.h"

static char root[64];

static void put(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(tmptree_put(path, strlen(root) + 1, text), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/mq-sample.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	sysfs_set_root(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysfs_set_root("");
	tmptree_rm(root);
	return 0;
}

static void stats(const char *ifname, const char *const vals[6])
{
	static const char *const names[] = {"rx_packets", "tx_packets", "rx_bytes",
					    "tx_bytes",   "rx_dropped", "tx_dropped"};
	char rel[128];

	for (unsigned i = 0; i < 6; i++) {
		if (!vals[i])
			continue;
		snprintf(rel, sizeof(rel), "sys/class/net/%s/statistics/%s", ifname, names[i]);
		put(rel, vals[i]);
	}
}

static void test_sample(void **state)
{
	struct mq_snapshot s;
	struct mq_nic *n;
	(void)state;

	put("proc/interrupts", "           CPU0       CPU1\n"
			       " 25:        100        200   PCI-MSI 1-edge      virtio0-input.0\n"
			       " 26:          3          4   PCI-MSI 2-edge      virtio0-output.0\n"
			       " 41:       5000          0   PCI-MSI 3-edge      virtio1-input.0\n");
	stats("eth0", (const char *const[]){"10\n", "20\n", "30\n", "40\n", "0\n", "1\n"});
	stats("eth1", (const char *const[]){"7\n", NULL, "x\n", "18446744073709551615\n", NULL, NULL});

	fx_init(&s, 2);
	n = fx_nic(&s, "eth0", "virtio_net", 1, 1);
	fx_irq(n, 25, "virtio0-input.0", IRQ_ROLE_RX, 0, 0);
	fx_irq(n, 26, "virtio0-output.0", IRQ_ROLE_TX, 0, 0);
	n->irqs[0].per_cpu = calloc(2, sizeof(uint64_t));
	assert_non_null(n->irqs[0].per_cpu);
	n->irqs[0].n_per_cpu = 2;
	n = fx_nic(&s, "eth1", "virtio_net", 1, 1);
	fx_irq(n, 41, "virtio1-input.0", IRQ_ROLE_RX, 0, 1);
	fx_irq(n, 42, "virtio1-output.0", IRQ_ROLE_TX, 0, 1); /* not in /proc/interrupts any more */
	for (unsigned i = 0; i < 2; i++) {
		s.nics[i].rx_packets = s.nics[i].tx_packets = 999;
		s.nics[i].irqs[0].total = s.nics[i].irqs[1].total = 999;
	}

	assert_int_equal(snapshot_sample(NULL, &s), 0);
	n = &s.nics[0];
	assert_true(n->rx_packets == 10 && n->tx_packets == 20 && n->rx_bytes == 30 &&
		    n->tx_bytes == 40 && n->rx_dropped == 0 && n->tx_dropped == 1);
	assert_true(n->irqs[0].total == 300 && n->irqs[1].total == 7);
	assert_true(n->irqs[0].per_cpu[0] == 100 && n->irqs[0].per_cpu[1] == 200);
	n = &s.nics[1];
	assert_true(n->rx_packets == 7);
	assert_true(n->tx_packets == MQ_NA && n->rx_bytes == MQ_NA); /* missing, and not a number */
	assert_true(n->tx_bytes == MQ_NA - 1); /* all ones is a count, one below "unknown" */
	assert_true(n->irqs[0].total == 5000);
	assert_true(n->irqs[1].total == MQ_NA);
	fx_free(&s);
}

/* The sysfs totals alone: a negative number is no count; any value read is success. */
static void test_link_stats_read(void **state)
{
	struct mq_nic n = {0};
	(void)state;

	snprintf(n.name, sizeof(n.name), "eth0");
	assert_int_equal(link_stats_read(&n), -ENOENT);
	assert_true(n.rx_packets == MQ_NA && n.tx_dropped == MQ_NA);
	stats("eth0", (const char *const[]){"-5\n", "-\n", NULL, NULL, NULL, NULL});
	assert_int_equal(link_stats_read(&n), -EINVAL);
	assert_true(n.rx_packets == MQ_NA && n.tx_packets == MQ_NA);
	stats("eth0", (const char *const[]){NULL, NULL, NULL, NULL, NULL, "3\n"});
	assert_int_equal(link_stats_read(&n), 0);
	assert_true(n.tx_dropped == 3 && n.rx_packets == MQ_NA);
}

/* With the files kept open (the daemon's refresh), /proc/interrupts is read through its descriptor. */
static void test_sample_kept_open(void **state)
{
	struct probe_files files;
	struct mq_snapshot s;
	struct mq_nic *n;
	char path[512];
	(void)state;

	put("proc/interrupts", "           CPU0       CPU1\n"
			       " 25:        100        200   PCI-MSI 1-edge      virtio0-input.0\n");
	fx_init(&s, 2);
	n = fx_nic(&s, "eth0", "virtio_net", 1, 1);
	fx_irq(n, 25, "virtio0-input.0", IRQ_ROLE_RX, 0, 0);
	probe_files_init(&files);
	assert_int_equal(snapshot_sample_with(NULL, &files, SAMPLE_IRQS, &s), 0);
	assert_true(s.nics[0].irqs[0].total == 300);
	/* the path gone, the file it names still open: read all the same, not opened again */
	snprintf(path, sizeof(path), "%s/proc/interrupts", root);
	assert_int_equal(unlink(path), 0);
	s.nics[0].irqs[0].total = 0;
	assert_int_equal(snapshot_sample_with(NULL, &files, SAMPLE_IRQS, &s), 0);
	assert_true(s.nics[0].irqs[0].total == 300);
	probe_files_close(&files);
	/* without them it is opened for each read: gone is an error */
	assert_int_equal(snapshot_sample_with(NULL, NULL, SAMPLE_IRQS, &s), -ENOENT);
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_kept_open, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_stats_read, setup, teardown),
	};
	return cmocka_run_group_tests_name("sample", tests, NULL, NULL);
}
