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

static struct mq_platform probe(const char *name)
{
	const char *data = getenv("MQ_TEST_DATA");
	struct mq_platform p;
	char root[4096];

	snprintf(root, sizeof(root), "%s/platform/%s", data && *data ? data : "tests/data", name);
	sysfs_set_root(root);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(platform_probe(&p), 0);
	return p;
}

static void test_clouds(void **state)
{
	static const struct {
		const char *dir, *hv, *cloud, *vendor;
	} cases[] = {
		{"none", "", "", ""},
		{"aws-nitro", "kvm", "aws", "Amazon EC2"},
		{"aws-xen", "xen", "aws", "Xen"},
		{"xen", "xen", "", "Xen"},
		{"gce", "kvm", "gce", "Google"},
		{"azure", "hyperv", "azure", "Microsoft Corporation"},
		{"hyperv", "hyperv", "", "Microsoft Corporation"},
		{"vmware", "vmware", "", "VMware, Inc."},
		{"openstack", "kvm", "openstack", "OpenStack Foundation"},
		{"qemu", "kvm", "", "QEMU"},
		{"does-not-exist", "", "", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_platform p = probe(cases[i].dir);

		if (strcmp(p.hypervisor, cases[i].hv) || strcmp(p.cloud, cases[i].cloud))
			fail_msg("%s: got hypervisor '%s' cloud '%s'", cases[i].dir, p.hypervisor,
				 p.cloud);
		assert_string_equal(p.sys_vendor, cases[i].vendor);
	}
	assert_string_equal(probe("aws-nitro").product_name, "m5.2xlarge");
	assert_int_equal(platform_probe(NULL), -EINVAL);
}

static void test_odd_strings(void **state)
{
	struct mq_platform p = probe("odd");
	(void)state;
	assert_string_equal(p.sys_vendor, "Some Vendor"); /* padding stripped */
	assert_int_equal(strlen(p.product_name), sizeof(p.product_name) - 1);
	assert_string_equal(p.hypervisor, "");
}

static void test_irqbalance(void **state)
{
	(void)state;
	/* Two matching processes: the lowest pid. "irqbalancer" is not irqbalance. */
	assert_int_equal(probe("aws-nitro").irqbalance_pid, 812);
	assert_int_equal(probe("none").irqbalance_pid, 0);
	assert_int_equal(probe("gce").irqbalance_pid, 0); /* no /proc at all */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clouds),
		cmocka_unit_test(test_odd_strings),
		cmocka_unit_test(test_irqbalance),
	};
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
