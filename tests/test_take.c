// SPDX-License-Identifier: MIT
/*
 * One probe pass (probes/take.c snapshot_take, snapshot_sample_with) over a
 * fixture root, with the netlink answers scripted here (tests/test_take.mk
 * wraps them): which links become NICs, that one NIC's problem never stops
 * the others, where IRQ mapping and counters come from, and what a refresh
 * re-reads. The sysfs and /proc readers themselves are the fixture's.
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
#include "tests/guard.h"
#include "tests/tmptree.h"

static char root[64];

/* ---- scripted netlink answers ---- */

struct fake_link {
	const char *name;
	bool has_device, up;
	uint64_t rx_packets; /* what the link dump gave; MQ_NA none */
	const char *errmsg;  /* a problem the link list already had with it */
};
static struct fake_link links[6];
static unsigned nlinks;
static int list_err, channels_err, channels_own_err, irqmap_nl, irqmap_names, qstats_err;
static unsigned calls_irqmap_nl, calls_irqmap_names, calls_qstats, calls_ethstats, calls_dump,
	calls_rss;

int __wrap_link_list(struct mq_nl *nl, struct mq_nic **ret, unsigned *ret_n);
int __wrap_link_list(struct mq_nl *nl, struct mq_nic **ret, unsigned *ret_n)
{
	struct mq_nic *all;

	(void)nl;
	if (list_err)
		return list_err;
	all = calloc(nlinks ? nlinks : 1, sizeof(*all));
	assert_non_null(all);
	for (unsigned i = 0; i < nlinks; i++) {
		all[i].ifindex = (int)i + 1;
		snprintf(all[i].name, sizeof(all[i].name), "%s", links[i].name);
		snprintf(all[i].driver, sizeof(all[i].driver), "drv%u", i);
		all[i].has_device = links[i].has_device;
		all[i].admin_up = links[i].up;
		all[i].rx_packets = all[i].tx_packets = links[i].rx_packets;
		all[i].numa_node = -1;
		snprintf(all[i].errmsg, sizeof(all[i].errmsg), "%s", links[i].errmsg ? links[i].errmsg : "");
	}
	*ret = all;
	*ret_n = nlinks;
	return 0;
}

int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret);
int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret)
{
	(void)nl, (void)nic;
	if (channels_own_err)
		ret->err = channels_own_err;
	return channels_err;
}

int __wrap_ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret);
int __wrap_ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret)
{
	(void)nl, (void)nic, (void)ret;
	calls_rss++;
	return -EOPNOTSUPP;
}

int __wrap_netdev_irqmap(struct mq_nl *nl, struct mq_nic *nic, const struct irq_table *t);
int __wrap_netdev_irqmap(struct mq_nl *nl, struct mq_nic *nic, const struct irq_table *t)
{
	(void)nl, (void)nic, (void)t;
	calls_irqmap_nl++;
	return irqmap_nl;
}

int __wrap_irqmap_by_names(struct mq_nic *nic, const struct irq_table *t);
int __wrap_irqmap_by_names(struct mq_nic *nic, const struct irq_table *t)
{
	(void)nic, (void)t;
	calls_irqmap_names++;
	return irqmap_names;
}

int __wrap_netdev_qstats_read(struct mq_nl *nl, struct mq_snapshot *s);
int __wrap_netdev_qstats_read(struct mq_nl *nl, struct mq_snapshot *s)
{
	(void)nl, (void)s;
	calls_qstats++;
	return qstats_err;
}

int __wrap_ethstats_read(struct mq_nl *nl, struct mq_nic *nic);
int __wrap_ethstats_read(struct mq_nl *nl, struct mq_nic *nic)
{
	(void)nl, (void)nic;
	calls_ethstats++;
	return -EOPNOTSUPP;
}

int __wrap_link_stats_dump(struct mq_nl *nl, struct mq_snapshot *s);
int __wrap_link_stats_dump(struct mq_nl *nl, struct mq_snapshot *s)
{
	(void)nl;
	calls_dump++;
	if (s->nnics)
		s->nics[0].rx_packets = s->nics[0].tx_packets = 4242;
	return 0;
}

/* ---- fixture tree ---- */

static void put(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(tmptree_put(path, strlen(root) + 1, text), 0);
}

static int setup(void **state)
{
	(void)state;
	snprintf(root, sizeof(root), "/tmp/mq-take.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	sysfs_set_root(root);
	memset(links, 0, sizeof(links));
	nlinks = 0;
	list_err = channels_err = channels_own_err = irqmap_nl = irqmap_names = qstats_err = 0;
	calls_irqmap_nl = calls_irqmap_names = calls_qstats = calls_ethstats = calls_dump = calls_rss = 0;
	put("sys/devices/system/cpu/possible", "0-1\n");
	put("sys/devices/system/cpu/present", "0-1\n");
	put("sys/devices/system/cpu/online", "0-1\n");
	put("proc/interrupts", "           CPU0       CPU1\n"
			       " 25:        100        200   PCI-MSI 1-edge      virtio0-input.0\n");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysfs_set_root("");
	tmptree_rm(root);
	return 0;
}

static void link_add(const char *name, bool has_device, bool up, uint64_t rx_packets)
{
	char rel[128];

	links[nlinks++] = (struct fake_link){name, has_device, up, rx_packets, NULL};
	snprintf(rel, sizeof(rel), "sys/class/net/%s/queues/rx-0/rps_cpus", name);
	put(rel, "0\n");
	snprintf(rel, sizeof(rel), "sys/class/net/%s/queues/tx-0/xps_cpus", name);
	put(rel, "0\n");
	snprintf(rel, sizeof(rel), "sys/class/net/%s/statistics/rx_packets", name);
	put(rel, "77\n");
	snprintf(rel, sizeof(rel), "sys/class/net/%s/statistics/tx_packets", name);
	put(rel, "78\n");
}

/* The NICs' names, comma-separated, for one assertion per selection. */
static const char *take_names(const struct probe_opts *o)
{
	static char buf[128];
	struct mq_snapshot s;
	size_t n = 0;

	assert_int_equal(snapshot_take(NULL, o, &s), 0);
	buf[0] = '\0';
	for (unsigned i = 0; i < s.nnics; i++)
		n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? "," : "", s.nics[i].name);
	/* every link is listed, chosen or not, with its driver */
	assert_int_equal(s.nlinks, nlinks);
	for (unsigned i = 0; i < nlinks; i++) {
		assert_string_equal(s.links[i].name, links[i].name);
		assert_true(strncmp(s.links[i].driver, "drv", 3) == 0);
	}
	snapshot_free(&s);
	return buf;
}

/* Which links are NICs: real devices by default, never lo unless named, the user's list exactly. */
static void test_take_selects(void **state)
{
	char *two[] = {"veth0", "eth1"}, *lo[] = {"lo"};
	const char *const extra[] = {"veth0", "nosuch"}, *const extra2[] = {"nosuch", "veth0"};
	(void)state;

	link_add("lo", false, true, MQ_NA);
	link_add("eth0", true, true, MQ_NA);
	link_add("veth0", false, true, MQ_NA);
	link_add("eth1", true, true, MQ_NA);

	assert_string_equal(take_names(NULL), "eth0,eth1");
	assert_string_equal(take_names(&(struct probe_opts){0}), "eth0,eth1");
	assert_string_equal(take_names(&(struct probe_opts){.all = true}), "eth0,veth0,eth1");
	assert_string_equal(take_names(&(struct probe_opts){.ifnames = two, .nifnames = 2}),
			    "veth0,eth1");
	assert_string_equal(take_names(&(struct probe_opts){.ifnames = lo, .nifnames = 1}), "lo");
	/* a name that matches nothing selects nothing: not every NIC */
	assert_string_equal(take_names(&(struct probe_opts){.ifnames = (char *[]){"nosuch"},
							    .nifnames = 1}), "");
	assert_string_equal(take_names(&(struct probe_opts){.extra = extra, .nextra = 2}),
			    "eth0,veth0,eth1");
	assert_string_equal(take_names(&(struct probe_opts){.extra = extra2, .nextra = 2}),
			    "eth0,veth0,eth1");
	/* the user's list wins over the config's extras */
	assert_string_equal(take_names(&(struct probe_opts){.ifnames = lo, .nifnames = 1,
							    .extra = extra, .nextra = 2}), "lo");
}

/* No links at all is an empty snapshot, not an error; a failed link list is the error. */
static void test_take_empty_and_failed(void **state)
{
	struct mq_snapshot s;
	(void)state;

	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	assert_int_equal(s.nnics, 0);
	assert_int_equal(s.nlinks, 0);
	assert_int_equal(s.cpus.n_online, 2);
	assert_true(s.taken.tv_sec > 0 || s.taken.tv_nsec > 0);
	snapshot_free(&s);

	link_add("eth0", true, true, MQ_NA);
	list_err = -EPERM;
	assert_int_equal(snapshot_take(NULL, NULL, &s), -EPERM);
	/* no CPUs is an error too, before any link is asked for */
	list_err = 0;
	put("sys/devices/system/cpu/online", "\n");
	put("sys/devices/system/cpu/possible", "\n");
	put("sys/devices/system/cpu/present", "\n");
	assert_true(snapshot_take(NULL, NULL, &s) < 0);
}

/* One NIC's problems are its own: recorded in it, the pass goes on. */
static void test_take_nic_errors(void **state)
{
	struct mq_nl nl = {.ethtool_id = 1, .ioctl_fd = -1};
	struct mq_snapshot s;
	char path[512];
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	link_add("eth1", true, true, MQ_NA);
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/queues/rx-0/rps_cpus", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/queues/rx-0", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/queues/tx-0/xps_cpus", root);
	unlink(path);
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/queues/tx-0", root);
	rmdir(path);
	snprintf(path, sizeof(path), "%s/sys/class/net/eth0/queues", root);
	assert_int_equal(rmdir(path), 0);
	channels_err = -EOPNOTSUPP;
	irqmap_names = -EIO;

	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(s.nnics, 2);
	assert_true(strncmp(s.nics[0].errmsg, "queues: ", 8) == 0);
	assert_int_equal(s.nics[0].nqueues, 0);
	/* eth1 read on: its queues, its channels error, its IRQ mapping error */
	assert_int_equal(s.nics[1].nqueues, 1);
	assert_int_equal(s.nics[1].ch.err, -EOPNOTSUPP);
	assert_true(strncmp(s.nics[1].errmsg, "IRQ mapping: ", 13) == 0);
	assert_int_equal(calls_rss, 1);
	assert_true(s.have_ethtool_nl);
	assert_false(s.have_netdev_nl);
	snapshot_free(&s);

	/* the first problem is the one a NIC reports */
	links[1].errmsg = "driver: Operation not permitted";
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_string_equal(s.nics[1].errmsg, "driver: Operation not permitted");
	snapshot_free(&s);
	links[1].errmsg = NULL;

	/* the query's own error stays; no IRQ names of ours (-ENOENT) is no problem */
	channels_own_err = -EPERM;
	irqmap_names = -ENOENT;
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(s.nics[1].ch.err, -EPERM);
	assert_string_equal(s.nics[1].errmsg, "");
	snapshot_free(&s);
}

/* IRQs: netdev netlink's mapping when it gives one, IRQ names when not; none without /proc/interrupts. */
static void test_take_irqmap(void **state)
{
	struct mq_nl nl = {.netdev_id = 2, .ioctl_fd = -1};
	struct mq_snapshot s;
	char path[512];
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	irqmap_nl = 2;
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_irqmap_nl, 1);
	assert_int_equal(calls_irqmap_names, 0);
	snapshot_free(&s);

	irqmap_nl = 0; /* the driver fills no NAPI IRQs */
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_irqmap_nl, 2);
	assert_int_equal(calls_irqmap_names, 1);
	snapshot_free(&s);

	/* without netdev netlink only the names */
	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	assert_int_equal(calls_irqmap_nl, 2);
	assert_int_equal(calls_irqmap_names, 2);
	assert_string_equal(s.errmsg, "");
	snapshot_free(&s);

	/* no /proc/interrupts (some containers): nothing to map, and nothing to say */
	snprintf(path, sizeof(path), "%s/proc/interrupts", root);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_irqmap_nl + calls_irqmap_names, 4);
	assert_string_equal(s.errmsg, "");
	snapshot_free(&s);

	/* one that cannot be read is said, and still nothing is mapped */
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_irqmap_nl + calls_irqmap_names, 4);
	assert_true(strncmp(s.errmsg, "/proc/interrupts: ", 18) == 0);
	snapshot_free(&s);
	rmdir(path);
}

/* Counters: qstats in one dump, sysfs totals only where the link dump gave none, ethtool -S per NIC. */
static void test_take_counters(void **state)
{
	struct mq_nl nl = {.netdev_id = 2, .ioctl_fd = -1};
	struct mq_snapshot s;
	(void)state;

	link_add("eth0", true, false, MQ_NA); /* down */
	link_add("eth1", true, true, 5);      /* the dump's totals */
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_qstats, 1);
	assert_int_equal(calls_ethstats, 2);
	assert_true(s.have_qstats);
	assert_true(s.nics[0].rx_packets == 77 && s.nics[0].tx_packets == 78);
	assert_true(s.nics[1].rx_packets == 5);
	/* a down NIC's missing queue counters are explained; the up one's are the driver's */
	assert_int_equal(s.nics[0].counters_missing, COUNTERS_MISSING_DOWN);
	assert_int_equal(s.nics[1].counters_missing, COUNTERS_MISSING_NONE);
	snapshot_free(&s);

	qstats_err = -EOPNOTSUPP;
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_false(s.have_qstats);
	assert_int_equal(s.nics[0].counters_missing, COUNTERS_MISSING_NONE);
	snapshot_free(&s);

	/* no netlink at all: sysfs only, no dump and no ethtool -S */
	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	assert_int_equal(calls_qstats, 2);
	assert_int_equal(calls_ethstats, 4);
	assert_false(s.have_qstats);
	snapshot_free(&s);
}

/* The per-CPU load counters are read unless nothing will compute rates from them. */
static void test_take_cpu_load(void **state)
{
	struct mq_snapshot s;
	(void)state;

	put("proc/stat", "cpu  10 0 10 100 0 0 5 0 0 0\n"
			 "cpu0 5 0 5 50 0 0 3 0 0 0\n"
			 "cpu1 5 0 5 50 0 0 2 0 0 0\n");
	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	assert_true(s.cpus.cpu[0].cnt.ticks_softirq == 3 && s.cpus.cpu[1].cnt.ticks_softirq == 2);
	snapshot_free(&s);
	assert_int_equal(snapshot_take(NULL, &(struct probe_opts){.no_cpu_load = true}, &s), 0);
	assert_true(s.cpus.cpu[0].cnt.ticks_softirq == MQ_NA);
	snapshot_free(&s);
	assert_int_equal(snapshot_take(NULL, &(struct probe_opts){0}, &s), 0);
	assert_true(s.cpus.cpu[0].cnt.ticks_softirq == 3);
	/* a refresh without SAMPLE_CPU_LOAD leaves them, with it reads them again */
	put("proc/stat", "cpu  10 0 10 100 0 0 5 0 0 0\n"
			 "cpu0 5 0 5 50 0 0 9 0 0 0\n"
			 "cpu1 5 0 5 50 0 0 2 0 0 0\n");
	assert_int_equal(snapshot_sample_with(NULL, NULL, SAMPLE_TOTALS, &s), 0);
	assert_true(s.cpus.cpu[0].cnt.ticks_softirq == 3);
	assert_int_equal(snapshot_sample(NULL, &s), 0);
	assert_true(s.cpus.cpu[0].cnt.ticks_softirq == 9);
	snapshot_free(&s);
}

/* A refresh dumps qstats again only when a NIC had a column from them. */
static void test_sample_qstats_again(void **state)
{
	struct mq_nl nl = {.netdev_id = 2, .ioctl_fd = -1};
	struct mq_snapshot s;
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	link_add("eth1", true, true, MQ_NA);
	qstats_err = -EOPNOTSUPP;
	assert_int_equal(snapshot_take(&nl, NULL, &s), 0);
	assert_int_equal(calls_qstats, 1);
	assert_int_equal(snapshot_sample_with(&nl, NULL, SAMPLE_TOTALS, &s), 0);
	assert_int_equal(calls_qstats, 1); /* skipped: no driver here fills them */
	assert_int_equal(calls_dump, 1);
	assert_true(s.nics[0].rx_packets == 4242);   /* the link dump's */
	assert_true(s.nics[1].rx_packets == 77);     /* sysfs for the one it missed */

	s.nics[1].col_source[STATS_COL_TX_BYTES] = STATS_QSTATS; /* last time they came */
	s.have_qstats = true;
	assert_int_equal(snapshot_sample_with(&nl, NULL, SAMPLE_TOTALS, &s), 0);
	assert_int_equal(calls_qstats, 2);
	assert_false(s.have_qstats); /* and went */

	/* without SAMPLE_TOTALS the totals are unknown, not read: none is left from before */
	s.nics[0].rx_dropped = s.nics[0].tx_dropped = s.nics[0].rx_bytes = s.nics[0].tx_bytes = 9;
	assert_int_equal(snapshot_sample_with(&nl, NULL, SAMPLE_IRQS, &s), 0);
	assert_int_equal(calls_dump, 2);
	assert_true(s.nics[0].rx_packets == MQ_NA && s.nics[1].rx_packets == MQ_NA);
	assert_true(s.nics[0].tx_packets == MQ_NA && s.nics[0].rx_bytes == MQ_NA &&
		    s.nics[0].tx_bytes == MQ_NA);
	assert_true(s.nics[0].rx_dropped == MQ_NA && s.nics[0].tx_dropped == MQ_NA);
	snapshot_free(&s);
}

/* Queues read again: the same shape keeps what was read into them, a new shape is a new array. */
static void test_queues_reread(void **state)
{
	struct mq_nic n = {.name = "eth0"};
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	assert_int_equal(link_queues_read(&n), 0);
	assert_int_equal(n.nqueues, 1);
	assert_true(n.real_rx_queues == 1 && n.real_tx_queues == 1); /* rx-0, tx-0 */
	n.queues[0].rx_packets = 5;
	assert_int_equal(link_queues_read(&n), 0);
	assert_true(n.queues[0].rx_packets == 5);
	put("sys/class/net/eth0/queues/rx-1/rps_cpus", "0\n");
	put("sys/class/net/eth0/queues/tx-2/xps_cpus", "0\n");
	assert_int_equal(link_queues_read(&n), 0);
	assert_int_equal(n.nqueues, 3);
	assert_true(n.real_rx_queues == 2 && n.real_tx_queues == 3);
	assert_true(n.queues[2].index == 2 && n.queues[2].rx_packets == MQ_NA && !n.queues[2].has_rx);
	nic_free(&n);
}

/* A refresh writes only the NIC's own IRQs, never the slot past the last. */
static void test_sample_irq_bounds(void **state)
{
	struct mq_snapshot s;
	struct mq_nic *n;
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	n = &s.nics[0];
	n->irqs = calloc(2, sizeof(*n->irqs));
	assert_non_null(n->irqs);
	n->nirqs = 1;
	n->irqs[0].irq = n->irqs[1].irq = 25;
	n->irqs[1].total = 7;
	assert_int_equal(snapshot_sample_with(NULL, NULL, SAMPLE_IRQS, &s), 0);
	assert_true(n->irqs[0].total == 300);
	assert_true(n->irqs[1].total == 7);
	/* IRQs not asked for: left as they were */
	n->irqs[0].total = 1;
	assert_int_equal(snapshot_sample_with(NULL, NULL, SAMPLE_TOTALS, &s), 0);
	assert_true(n->irqs[0].total == 1);
	snapshot_free(&s);
}

/* A refresh touches the NICs there are, not the slot past the last (unmapped here). */
static void test_sample_nic_bounds(void **state)
{
	struct mq_snapshot s;
	struct mq_nic *heap;
	(void)state;

	link_add("eth0", true, true, MQ_NA);
	link_add("eth1", true, true, MQ_NA);
	assert_int_equal(snapshot_take(NULL, NULL, &s), 0);
	assert_int_equal(s.nnics, 2);
	heap = s.nics;
	s.nics = guarded(heap, s.nnics * sizeof(*heap));
	s.nics[1].rx_packets = 5;
	assert_int_equal(snapshot_sample_with(NULL, NULL, SAMPLE_TOTALS | SAMPLE_IRQS, &s), 0);
	assert_true(s.nics[1].rx_packets == 77 && s.nics[1].tx_packets == 78);
	memcpy(heap, s.nics, s.nnics * sizeof(*heap));
	s.nics = heap;
	snapshot_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_take_selects, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_empty_and_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_nic_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_irqmap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_counters, setup, teardown),
		cmocka_unit_test_setup_teardown(test_take_cpu_load, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_qstats_again, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_irq_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_nic_bounds, setup, teardown),
		cmocka_unit_test_setup_teardown(test_queues_reread, setup, teardown),
	};
	return cmocka_run_group_tests_name("take", tests, NULL, NULL);
}
