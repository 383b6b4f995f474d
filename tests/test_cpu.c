// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static void use_case(const char *name)
{
	const char *data = getenv("MQ_TEST_DATA");
	char root[4096];

	snprintf(root, sizeof(root), "%s/cpu/%s", data && *data ? data : "tests/data", name);
	sysfs_set_root(root);
}

static struct mq_cpus probe(const char *name)
{
	struct mq_cpus c;

	use_case(name);
	assert_int_equal(cpu_probe(&c), 0);
	return c;
}

static void assert_list(const struct mq_cpuset *s, const char *want)
{
	char buf[4096];

	assert_true(cpuset_format_list(s, buf, sizeof(buf)) >= 0);
	assert_string_equal(buf, want);
}

static void test_host2(void **state)
{
	struct mq_cpus c = probe("host2");
	(void)state;
	assert_int_equal(c.n, 2);
	assert_int_equal(c.nr_cpu_ids, 2);
	assert_int_equal(c.n_online, 2);
	assert_int_equal(c.n_cores, 2);
	assert_int_equal(c.n_nodes, 1);
	assert_int_equal(c.n_l3, 1);
	assert_false(c.smt_active);
	assert_true(cpuset_empty(c.isolated));
	assert_true(cpuset_empty(c.nohz_full)); /* file absent on this kernel */
	for (unsigned i = 0; i < 2; i++) {
		assert_int_equal(c.cpu[i].id, (int)i);
		assert_true(c.cpu[i].online && c.cpu[i].present);
		assert_int_equal(c.cpu[i].smt_rank, 0);
		assert_int_equal(c.cpu[i].node, 0);
		assert_int_equal(c.cpu[i].l3, 0);
		assert_int_equal(c.cpu[i].package, 0);
	}
	assert_int_equal(c.cpu[0].core, 0);
	assert_int_equal(c.cpu[1].core, 1);
	cpu_free(&c);
	assert_null(c.cpu);
}

static void test_smt8(void **state)
{
	struct mq_cpus c = probe("smt8");
	(void)state;
	assert_int_equal(c.n, 8);
	assert_int_equal(c.n_online, 8);
	assert_int_equal(c.n_cores, 4);
	assert_int_equal(c.n_nodes, 1);
	assert_int_equal(c.n_l3, 1);
	assert_true(c.smt_active);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(c.cpu[i].smt_rank, (int)(i % 2));
		assert_int_equal(c.cpu[i].core, (int)(i / 2));
	}
	cpu_free(&c);
}

static void test_numa2x4(void **state)
{
	struct mq_cpus c = probe("numa2x4");
	(void)state;
	assert_int_equal(c.n_online, 8);
	assert_int_equal(c.n_nodes, 2);
	assert_int_equal(c.n_cores, 4);
	assert_int_equal(c.n_l3, 2);
	assert_true(c.smt_active);
	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(c.cpu[i].node, i < 4 ? 0 : 1);
		assert_int_equal(c.cpu[i].package, i < 4 ? 0 : 1);
		assert_int_equal(c.cpu[i].l3, i < 4 ? 0 : 4);
		assert_int_equal(c.cpu[i].smt_rank, (int)(i % 2));
	}
	/* core_id restarts per package: (package, core) identifies a core. */
	assert_int_equal(c.cpu[4].core, 0);
	assert_int_equal(c.cpu[7].core, 1);
	cpu_free(&c);
}

static void test_isolated(void **state)
{
	struct mq_cpus c = probe("isolated");
	(void)state;
	assert_list(c.isolated, "6-7");
	assert_list(c.nohz_full, "5-7");
	assert_int_equal(c.n_online, 8);
	assert_int_equal(c.n_cores, 8);
	assert_false(c.smt_active);
	cpu_free(&c);

	c = probe("nohznull");
	assert_true(cpuset_empty(c.nohz_full)); /* "(null)" */
	assert_true(cpuset_empty(c.isolated));  /* empty file */
	assert_int_equal(c.n_online, 4);
	cpu_free(&c);
}

static void test_offline(void **state)
{
	struct mq_cpus c = probe("offline");
	(void)state;
	/* possible 0-7 (hotplug slots), present 0-3, online 0-2: entries for the present ones. */
	assert_int_equal(c.n, 4);
	assert_int_equal(c.nr_cpu_ids, 8);
	assert_list(c.possible, "0-7");
	assert_list(c.present, "0-3");
	assert_list(c.online, "0-2");
	assert_int_equal(c.n_online, 3);
	assert_int_equal(c.n_cores, 2);
	assert_true(c.smt_active);
	assert_int_equal(c.cpu[2].smt_rank, 0); /* its sibling 3 is offline */
	assert_true(c.cpu[3].present);
	assert_false(c.cpu[3].online);
	assert_int_equal(c.cpu[3].core, -1);
	assert_int_equal(c.cpu[3].package, -1);
	assert_int_equal(c.cpu[3].l3, -1);
	assert_int_equal(c.cpu[3].smt_rank, -1);
	assert_int_equal(c.cpu[3].node, 0); /* from the cpu3/node0 link */
	cpu_free(&c);
}

static void test_big96(void **state)
{
	struct mq_cpus c = probe("big96");
	(void)state;
	assert_int_equal(c.n, 96);
	assert_int_equal(c.n_online, 96);
	assert_int_equal(c.n_cores, 48);
	assert_int_equal(c.n_nodes, 2);
	assert_int_equal(c.n_l3, 2);
	assert_true(c.smt_active);
	/* Siblings 48 apart: 0..47 are first threads. */
	assert_int_equal(c.cpu[0].smt_rank, 0);
	assert_int_equal(c.cpu[47].smt_rank, 0);
	assert_int_equal(c.cpu[48].smt_rank, 1);
	assert_int_equal(c.cpu[95].smt_rank, 1);
	assert_int_equal(c.cpu[50].core, c.cpu[2].core);
	assert_int_equal(c.cpu[23].node, 0);
	assert_int_equal(c.cpu[24].node, 1);
	assert_int_equal(c.cpu[71].node, 0);
	assert_int_equal(c.cpu[72].node, 1);
	assert_int_equal(c.cpu[72].l3, 24);
	assert_int_equal(c.cpu[70].l3, 0);
	cpu_free(&c);
}

/* A sysfs tree of our own, for shapes the generated fixtures do not have. */
static char tree[256];

static void put(const char *rel, const char *text)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sys/devices/system/%s", tree, rel);
	assert_int_equal(tmptree_put(path, strlen(tree) + 1, text), 0);
}

static void tree_new(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(tree, sizeof(tree), "%s/mq-cpu-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	assert_non_null(mkdtemp(tree));
	sysfs_set_root(tree);
}

/* Teardown: the tree goes also when an assertion failed half-way. */
static int tree_gone(void **state)
{
	(void)state;
	if (tree[0])
		tmptree_rm(tree);
	tree[0] = '\0';
	return 0;
}

static void tree_rm(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/sys/devices/system/%s", tree, rel);
	assert_int_equal(tmptree_rm(path), 0);
}

static void link_node(unsigned cpu, unsigned node)
{
	char path[512], target[64];

	put("cpu/possible", "0-5\n"); /* makes cpu/ */
	snprintf(path, sizeof(path), "%s/sys/devices/system/cpu/cpu%u", tree, cpu);
	mkdir(path, 0755);
	snprintf(path + strlen(path), sizeof(path) - strlen(path), "/node%u", node);
	snprintf(target, sizeof(target), "../../node/node%u", node);
	assert_int_equal(symlink(target, path), 0);
}

/*
 * Nodes from node/nodeN/cpulist, else the cpuN/nodeM link; odd entries in
 * node/ are skipped; distinct nodes and L3 groups count online CPUs only.
 * Topology values out of range and caches that are not a level-3 "indexN"
 * read as unknown (-1); CPUs not present are not read at all.
 */
static void test_odd_tree(void **state)
{
	struct mq_cpus c;
	(void)state;
	tree_new();
	link_node(0, 0); /* node0 lists no CPU (memory only): the link says */
	link_node(3, 7); /* offline: in no cpulist */
	put("cpu/possible", "0-5\n");
	put("cpu/present", "0-3\n");
	put("cpu/online", "0-2\n");
	put("node/node0/cpulist", "\n");
	put("node/node1/cpulist", "1-2\n");
	put("node/node9000/cpulist", "3\n"); /* beyond any node id we keep (MQ_MAX_CPUS) */
	put("node/node1x/cpulist", "3\n");
	put("node/has_cpu", "0-3\n");
	put("cpu/cpu0/topology/core_id", "-5\n");
	put("cpu/cpu1/topology/core_id", "2147483648\n");
	put("cpu/cpu2/topology/core_id", "2147483647\n");
	put("cpu/cpu5/topology/core_id", "9\n"); /* not present */
	put("cpu/cpu0/cache/index3/level", "3\n");
	put("cpu/cpu0/cache/index3/shared_cpu_list", "0-1\n");
	put("cpu/cpu1/cache/index2/level", "2\n");
	put("cpu/cpu1/cache/index2/shared_cpu_list", "1\n");
	put("cpu/cpu2/cache/index3x/level", "3\n");
	put("cpu/cpu2/cache/index3x/shared_cpu_list", "2\n");

	assert_int_equal(cpu_probe(&c), 0);
	assert_int_equal(c.n, 4); /* present ones only: 4 and 5 are hotplug slots */
	assert_int_equal(c.nr_cpu_ids, 6);
	assert_int_equal(c.cpu[0].node, 0);
	assert_int_equal(c.cpu[1].node, 1);
	assert_int_equal(c.cpu[2].node, 1);
	assert_int_equal(c.cpu[3].node, 7);
	assert_int_equal(c.n_nodes, 2);
	assert_int_equal(c.cpu[0].core, -1);
	assert_int_equal(c.cpu[1].core, -1);
	assert_int_equal(c.cpu[2].core, 2147483647);
	assert_int_equal(c.cpu[3].core, -1);
	assert_int_equal(c.cpu[0].l3, 0);
	assert_int_equal(c.cpu[1].l3, -1);
	assert_int_equal(c.cpu[2].l3, -1);
	assert_int_equal(c.cpu[3].l3, -1);
	assert_int_equal(c.n_l3, 1);
	cpu_free(&c);
	assert_int_equal(c.n, 0);
	cpu_free(NULL);

	/*
	 * No node/, no cache/, no node links (one beyond the node ids we keep),
	 * a present CPU without a directory: one node, one L3 group, each
	 * CPU's unknown.
	 */
	tree_rm("node");
	tree_rm("cpu/cpu0/cache");
	tree_rm("cpu/cpu0/node0");
	tree_rm("cpu/cpu2");
	link_node(1, 8192);
	assert_int_equal(cpu_probe(&c), 0);
	assert_int_equal(c.cpu[0].node, -1);
	assert_int_equal(c.cpu[1].node, -1);
	assert_int_equal(c.cpu[2].node, -1);
	assert_int_equal(c.cpu[0].l3, -1);
	assert_int_equal(c.n_nodes, 1);
	assert_int_equal(c.n_l3, 1);
	cpu_free(&c);
}

/* possible, present, online: each falls back to the one before when absent. */
static void test_mask_files(void **state)
{
	struct mq_cpus c;
	(void)state;
	tree_new();
	put("cpu/present", "0-2\n");
	put("cpu/online", "0-1\n");
	assert_int_equal(cpu_probe(&c), 0); /* possible = present */
	assert_int_equal(c.n, 3);
	assert_list(c.possible, "0-2");
	cpu_free(&c);

	put("cpu/possible", "0-3\n");
	tree_rm("cpu/present");
	assert_int_equal(cpu_probe(&c), 0); /* present = possible */
	assert_list(c.present, "0-3");
	assert_true(c.cpu[3].present);
	assert_list(c.online, "0-1");
	cpu_free(&c);

	tree_rm("cpu/online");
	assert_int_equal(cpu_probe(&c), 0); /* online = present */
	assert_list(c.online, "0-3");
	assert_int_equal(c.n_online, 4);
	cpu_free(&c);

	put("cpu/online", "zz\n");
	assert_int_equal(cpu_probe(&c), -EINVAL);
	put("cpu/online", "0\n");
	put("cpu/present", "zz\n");
	assert_int_equal(cpu_probe(&c), -EINVAL);

	put("cpu/possible", "0\n"); /* one CPU */
	put("cpu/present", "0\n");
	assert_int_equal(cpu_probe(&c), 0);
	assert_int_equal(c.n, 1);
	cpu_free(&c);

	put("cpu/possible", "\n"); /* no CPU at all */
	put("cpu/present", "\n");
	put("cpu/online", "\n");
	assert_int_equal(cpu_probe(&c), -ENODATA);
}

static void test_missing(void **state)
{
	struct mq_cpus c;
	(void)state;
	use_case("does-not-exist");
	assert_int_equal(cpu_probe(&c), -ENOENT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host2),   cmocka_unit_test(test_smt8),
		cmocka_unit_test(test_numa2x4), cmocka_unit_test(test_isolated),
		cmocka_unit_test(test_offline), cmocka_unit_test(test_big96),
		cmocka_unit_test(test_missing),
		cmocka_unit_test_teardown(test_odd_tree, tree_gone),
		cmocka_unit_test_teardown(test_mask_files, tree_gone),
	};
	return cmocka_run_group_tests_name("cpu", tests, NULL, NULL);
}
