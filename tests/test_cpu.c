// SPDX-License-Identifier: MIT
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
	};
	return cmocka_run_group_tests_name("cpu", tests, NULL, NULL);
}
