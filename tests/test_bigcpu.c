// SPDX-License-Identifier: MIT
/*
 * Machines with many possible CPUs and few present (tests/data/bigcpu,
 * gen.py): 1,920 and 8,192 possible. Above 1,024 every probe used to fail
 * with -ERANGE. Here the probe, the plan, the renderers and the applier run
 * on them through the sysfs root, and the heap they take is counted
 * (tests/memcount.h): it follows the CPUs that exist, not MQ_MAX_CPUS.
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/apply.h"
#include "core/assess.h"
#include "output/plan.h"
#include "output/prom.h"
#include "output/report.h"
#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/memcount.h"
#include "tests/tmptree.h"

#define QUEUES 4

ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
/* Like sysfs and procfs, a write replaces the value (the fixture's files are regular files). */
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	struct stat st;

	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0 &&
	    ftruncate(fd, 0) < 0)
		return -1;
	return __real_write(fd, buf, len);
}

static const char *data_dir(void)
{
	const char *d = getenv("MQ_TEST_DATA");

	return d && *d ? d : "tests/data";
}

static void use_tree(const char *name)
{
	char root[4096];

	snprintf(root, sizeof(root), "%s/bigcpu/%s", data_dir(), name);
	sysfs_set_root(root);
}

/* snapshot_take() without netlink: the CPUs, the load files and eth0 from the root. */
static void take(struct mq_snapshot *s, unsigned channels_max)
{
	struct irq_table t;
	struct mq_nic *n;

	memset(s, 0, sizeof(*s));
	assert_int_equal(cpu_probe(&s->cpus), 0);
	assert_int_equal(cpustat_read(&s->cpus, NULL, 0), 3);
	assert_int_equal(interrupts_read(s->cpus.nr_cpu_ids, &t), 0);
	s->nics = calloc(1, sizeof(*s->nics));
	assert_non_null(s->nics);
	s->nnics = 1;
	n = &s->nics[0];
	snprintf(n->name, sizeof(n->name), "eth0");
	snprintf(n->driver, sizeof(n->driver), "virtio_net");
	n->ifindex = 2;
	n->has_device = true;
	n->numa_node = -1;
	n->num_rx_queues = n->num_tx_queues = channels_max;
	n->ch = (struct mq_channels){.source = CHANNELS_NETLINK, .combined = QUEUES,
				     .combined_max = channels_max};
	assert_int_equal(link_queues_read(n), 0);
	assert_int_equal(irqmap_by_names(n, &t), 2 * QUEUES + 1);
	interrupts_free(&t);
	s->taken.tv_sec = 100;
}

/* Every renderer into memory; returns the text report. */
static char *render_all(const struct mq_assessment *a)
{
	struct report_input in = {.a = a};
	struct prom_input pin = {.a = a};
	char *buf = NULL, *text = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&text, &len);
	assert_non_null(f);
	assert_int_equal(report_render_text(f, &in), 0);
	assert_int_equal(fclose(f), 0);
	f = open_memstream(&buf, &len);
	assert_non_null(f);
	assert_int_equal(report_render_json(f, &in), 0);
	assert_int_equal(plan_render_json(f, a, 0, false), 0);
	assert_int_equal(plan_render_text(f, a), 0);
	assert_int_equal(prom_render(f, &pin), 0);
	assert_int_equal(fclose(f), 0);
	free(buf);
	return text;
}

static void check_machine(const char *tree, unsigned possible, unsigned online, unsigned max)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	char want[64], mask[MQ_CPULIST_MAX], *text;
	const struct mq_nic *n;
	unsigned irqs = 0, xps = 0;

	use_tree(tree);
	take(&s, max);
	assert_int_equal(s.cpus.nr_cpu_ids, possible);
	assert_int_equal(cpuset_count(s.cpus.possible), possible);
	assert_int_equal(s.cpus.n, online); /* entries for the CPUs that exist only */
	assert_int_equal(s.cpus.n_online, online);
	assert_int_equal(cpuset_last(s.cpus.online), (int)online - 1);
	assert_int_equal(s.cpus.cpu[0].cnt.net_rx, 5000); /* softirqs: a column per possible CPU */
	n = &s.nics[0];
	assert_int_equal(n->nqueues, QUEUES);
	for (unsigned i = 0; i < n->nirqs; i++) {
		/* the kernel's default request: every possible CPU; lands on CPU 0 */
		assert_int_equal(cpuset_count(n->irqs[i].affinity), possible);
		assert_true(n->irqs[i].has_effective && cpuset_count(n->irqs[i].effective) == 1);
		assert_int_equal(n->irqs[i].n_per_cpu, online);
	}
	for (unsigned q = 0; q < QUEUES; q++) {
		assert_true(n->queues[q].has_xps && cpuset_isset(n->queues[q].xps, q));
		assert_true(n->queues[q].has_rps && cpuset_empty(n->queues[q].rps));
	}

	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(a.nusable, online);
	assert_int_equal(a.plan.nr_cpu_ids, possible);
	for (unsigned i = 0; i < a.plan.n; i++) {
		const struct plan_item *it = &a.plan.items[i];

		if (it->kind == PLAN_IRQ_AFFINITY) {
			irqs++;
			assert_true(it->change);
			assert_int_equal(cpuset_count(it->target), 1);
			assert_true(cpuset_last(it->target) < (int)online);
		} else if (it->kind == PLAN_XPS) {
			xps++;
			/* the masks the applier writes, nr_cpu_ids wide */
			assert_int_equal(cpuset_format_mask(it->target, a.plan.nr_cpu_ids, mask,
							    sizeof(mask)),
					 (int)((possible + 31) / 32 * 9 - 1));
		} else if (it->kind == PLAN_CHANNELS) {
			assert_int_equal(it->ch_target.combined, online < max ? online : max);
		}
	}
	assert_int_equal(irqs, 2 * QUEUES);
	assert_int_equal(xps, QUEUES);
	text = render_all(&a);
	snprintf(want, sizeof(want), "%u online (0-%u)", online, online - 1);
	assert_non_null(strstr(text, want));
	free(text);
	assessment_free(&a);
	snapshot_free(&s);
	sysfs_set_root("");
}

static void test_1920(void **state)
{
	(void)state;
	check_machine("p1920", 1920, 8, 8);
}

static void test_8192(void **state)
{
	(void)state;
	check_machine("p8192", 8192, 4, 4);
}

/* ---- the applier on a copy of p8192 ----------------------------------------- */

static char copy_root[64];
static size_t copy_src_len;

static int copy_one(const char *p, const struct stat *st, int flag, struct FTW *f)
{
	char dst[4096], buf[65536], target[4096];
	ssize_t k;
	int in, out;

	(void)f;
	snprintf(dst, sizeof(dst), "%s%s", copy_root, p + copy_src_len);
	if (flag == FTW_D)
		return mkdir(dst, 0755) < 0 && errno != EEXIST;
	if (flag == FTW_SL) {
		k = readlink(p, target, sizeof(target) - 1);
		if (k < 0)
			return 1;
		target[k] = '\0';
		return symlink(target, dst) < 0;
	}
	in = open(p, O_RDONLY | O_CLOEXEC);
	out = open(dst, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, st->st_mode & 0777);
	while (in >= 0 && out >= 0 && (k = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)k) != k)
			break;
	if (in >= 0)
		close(in);
	if (out >= 0)
		close(out);
	return in < 0 || out < 0;
}

static void test_apply_8192(void **state)
{
	char src[4096], buf[64];
	struct irq_memory mem = {0};
	struct apply_env env = {.managed = &mem};
	struct mq_snapshot s;
	struct mq_assessment a;
	struct plan_tally t;
	(void)state;

	snprintf(src, sizeof(src), "%s/bigcpu/p8192", data_dir());
	snprintf(copy_root, sizeof(copy_root), "/tmp/mq-bigcpu.XXXXXX");
	assert_non_null(mkdtemp(copy_root));
	copy_src_len = strlen(src);
	assert_int_equal(nftw(src, copy_one, 16, FTW_PHYS), 0);
	sysfs_set_root(copy_root);

	take(&s, QUEUES);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(plan_changes(&a.plan), 2 * QUEUES);
	assert_int_equal(apply_run(&a.plan, &env), 0);
	t = plan_tally(&a.plan);
	assert_int_equal(t.failed + t.skipped, 0);
	assert_int_equal(t.ok, 2 * QUEUES);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/proc/irq/31/smp_affinity_list"), 1);
	assert_string_equal(buf, "3"); /* virtio2-input.3 */
	assessment_free(&a);
	snapshot_free(&s);

	/* Probed again: where the IRQs were put is what the plan wants, nothing left to do. */
	take(&s, QUEUES);
	assert_true(cpuset_count(s.nics[0].irqs[0].affinity) == 1);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(plan_changes(&a.plan), 0);
	assessment_free(&a);
	snapshot_free(&s);
	irq_memory_free(&mem);
	sysfs_set_root("");
	tmptree_rm(copy_root);
}

/* ---- memory ------------------------------------------------------------------ */

struct cost {
	size_t snapshot; /* held by the snapshot after the probe */
	size_t assess;   /* held by the assessment (plan, findings, load) */
	size_t peak;     /* most held at once over probe and assessment */
};

static struct cost cost_of(const char *tree, unsigned max)
{
	size_t base = mem_live;
	struct mq_snapshot s;
	struct mq_assessment a;
	struct cost c;

	use_tree(tree);
	mem_mark();
	take(&s, max);
	c.snapshot = mem_live - base;
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	c.assess = mem_live - base - c.snapshot;
	c.peak = mem_peak - base;
	assessment_free(&a);
	snapshot_free(&s);
	sysfs_set_root("");
	return c;
}

/*
 * The same NIC on 2 CPUs and on 8,192 possible (4 present): the sets that
 * stay (per IRQ, queue and plan item, 17 items) cost by the CPUs in them,
 * so the big machine costs a few KiB more (its 8,192-CPU "0-8191" request
 * is one set of 1 KiB, shared by the 9 IRQs), not 1 KiB per set: that
 * would be 26 KiB more in the snapshot and 51 KiB in the plan.
 */
static void test_memory_follows_cpus(void **state)
{
	struct cost small, big;
	(void)state;

	small = cost_of("p2", QUEUES);
	big = cost_of("p8192", QUEUES);
	print_message("[  MEMORY  ] snapshot %zu / %zu B, assessment %zu / %zu B, peak %zu / %zu B "
		      "(2 CPUs / 8,192 possible)\n",
		      small.snapshot, big.snapshot, small.assess, big.assess, small.peak, big.peak);
	assert_true(small.snapshot < 8 * 1024);
	assert_true(small.assess < 32 * 1024);
	assert_true(big.snapshot < small.snapshot + 6 * 1024);
	assert_true(big.assess < small.assess + 8 * 1024);
	/* the probe's transients (a softirqs line of 8,192 columns is 90 kB) stay bounded */
	assert_true(big.peak < 512 * 1024);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_1920),
		cmocka_unit_test(test_8192),
		cmocka_unit_test(test_apply_8192),
		cmocka_unit_test(test_memory_follows_cpus),
	};

	return cmocka_run_group_tests_name("bigcpu", tests, NULL, NULL);
}
