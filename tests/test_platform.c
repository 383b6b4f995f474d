// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
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

/* ---- CPUID, injected ---------------------------------------------------- */

/* The fake CPU: leaf 1's hypervisor bit and the signatures at 0x40000000/0x100. */
static struct {
	bool x86, hv_bit;
	char sig[13], sig2[13];
	unsigned calls;
} fake;

static bool fake_cpuid(uint32_t leaf, uint32_t regs[4])
{
	const char *sig = leaf == 0x40000000U ? fake.sig : leaf == 0x40000100U ? fake.sig2 : "";

	fake.calls++;
	if (!fake.x86)
		return false;
	memset(regs, 0, 4 * sizeof(*regs));
	if (leaf == 1) {
		regs[2] = fake.hv_bit ? 1U << 31 : 0;
		return true;
	}
	memcpy(&regs[1], sig, 4);
	memcpy(&regs[2], sig + 4, 4);
	memcpy(&regs[3], sig + 8, 4);
	return true;
}

static void set_fake(bool hv_bit, const char *sig, size_t len, const char *sig2)
{
	memset(&fake, 0, sizeof(fake));
	fake.x86 = true;
	fake.hv_bit = hv_bit;
	memcpy(fake.sig, sig, len); /* 12 bytes, NULs and all */
	snprintf(fake.sig2, sizeof(fake.sig2), "%s", sig2 ? sig2 : "");
}

static void test_cpuid_signatures(void **state)
{
	static const struct {
		const char sig[13];
		const char *name, *shown;
	} cases[] = {
		{"KVMKVMKVM\0\0\0", "kvm", "KVMKVMKVM"},   {"Linux KVM Hv", "kvm", "Linux KVM Hv"},
		{"Microsoft Hv", "hyperv", "Microsoft Hv"}, {"VMwareVMware", "vmware", "VMwareVMware"},
		{"XenVMMXenVMM", "xen", "XenVMMXenVMM"},    {"TCGTCGTCGTCG", "qemu", "TCGTCGTCGTCG"},
		{"bhyve bhyve ", "bhyve", "bhyve bhyve "},  {"ACRNACRNACRN", "acrn", "ACRNACRNACRN"},
		{"VBoxVBoxVBox", "virtualbox", "VBoxVBoxVBox"},
		{" lrpepyh  vr", "parallels", " lrpepyh  vr"},
		{"QNXQVMBSQG\0\0", "qnx", "QNXQVMBSQG"},   {"Jailhouse\0\0\0", "jailhouse", "Jailhouse"},
		{"NewVisor\x01\xff\0\0", "", "NewVisor??"}, /* unknown: no name, printable signature */
		{"\0\0\0\0\0\0\0\0\0\0\0\0", "", ""},
	};
	char name[32], sig[13];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		set_fake(true, cases[i].sig, 12, NULL);
		assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
		if (strcmp(name, cases[i].name) || strcmp(sig, cases[i].shown))
			fail_msg("case %zu: got '%s' '%s'", i, name, sig);
	}

	/* No hypervisor bit (bare metal), not x86, no CPUID at all: 0, outputs untouched. */
	strcpy(name, "keep");
	set_fake(false, "KVMKVMKVM\0\0\0", 12, NULL);
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 0);
	assert_int_equal(fake.calls, 1); /* the signature leaf is not even read */
	fake.x86 = false;
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 0);
	assert_int_equal(platform_cpuid_hypervisor(NULL, name, sig), 0);
	assert_string_equal(name, "keep");

	/* KVM or Xen with Hyper-V enlightenments: their own signature at 0x40000100. */
	set_fake(true, "Microsoft Hv", 12, "KVMKVMKVM");
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "kvm");
	assert_string_equal(sig, "KVMKVMKVM");
	set_fake(true, "Microsoft Hv", 12, "XenVMMXenVMM");
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "xen");
	set_fake(true, "Microsoft Hv", 12, "garbage");
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "hyperv");
	assert_string_equal(sig, "Microsoft Hv");
}

static struct mq_platform probe_with(const char *dir, platform_cpuid_fn fn)
{
	const char *data = getenv("MQ_TEST_DATA");
	struct mq_platform p;
	char root[4096];

	snprintf(root, sizeof(root), "%s/platform/%s", data && *data ? data : "tests/data", dir);
	sysfs_set_root(root);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(platform_probe_with(fn, &p), 0);
	return p;
}

/* Which source wins: a named CPUID signature over DMI; DMI keeps the cloud. */
static void test_hypervisor_sources(void **state)
{
	static const struct {
		const char *dir;
		bool hv_bit;
		const char *sig;
		const char *hv, *cloud, *src;
		bool virt;
	} cases[] = {
		{"qemu", true, "TCGTCGTCGTCG", "qemu", "", "cpuid", true},  /* DMI "QEMU" alone says kvm */
		{"qemu", true, "KVMKVMKVM", "kvm", "", "cpuid", true},
		{"qemu", false, "", "kvm", "", "dmi", true},                 /* no hypervisor bit: DMI stands */
		{"aws-nitro", true, "KVMKVMKVM", "kvm", "aws", "cpuid", true},
		{"azure", true, "Microsoft Hv", "hyperv", "azure", "cpuid", true},
		{"gce", true, "Unknown12345", "kvm", "gce", "dmi", true},    /* unknown signature keeps DMI's */
		{"none", true, "Unknown12345", "", "", "cpuid", true},       /* a VM, kind unknown */
		{"none", true, "VMwareVMware", "vmware", "", "cpuid", true},
		{"none", false, "", "", "", "", false},                      /* bare metal */
		{"aws-xen", false, "", "xen", "aws", "dmi", true},
		{"xen", false, "", "xen", "", "dmi", true},
		{"cpuinfo-flag", false, "", "", "", "cpuinfo", true},       /* flag only: a VM, kind unknown */
		{"cpuinfo-metal", false, "", "", "", "", false},            /* "hypervisorx" is not the flag */
		{"cpuinfo-flag", true, "KVMKVMKVM", "kvm", "", "cpuid", true},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_platform p;

		set_fake(cases[i].hv_bit, cases[i].sig, strlen(cases[i].sig), NULL);
		p = probe_with(cases[i].dir, fake_cpuid);
		if (strcmp(p.hypervisor, cases[i].hv) || strcmp(p.cloud, cases[i].cloud) ||
		    strcmp(p.hypervisor_source, cases[i].src) || p.virtualized != cases[i].virt)
			fail_msg("case %zu (%s): got '%s' cloud '%s' source '%s' virtualized %d", i,
				 cases[i].dir, p.hypervisor, p.cloud, p.hypervisor_source, p.virtualized);
		assert_string_equal(p.cpuid_signature, cases[i].hv_bit ? cases[i].sig : "");
	}
	/* /sys/hypervisor/type alone (a Xen PV guest has no DMI). */
	assert_string_equal(probe_with("xen-sysfs", NULL).hypervisor, "xen");
	assert_string_equal(probe_with("xen-sysfs", NULL).hypervisor_source, "sysfs");

	/* A fixture root: platform_probe never asks this machine's CPU. */
	assert_string_equal(probe("none").cpuid_signature, "");
	assert_false(probe("none").virtualized);
	/* The real CPU, whatever it is: a signature only if it says it is virtual. */
	{
		struct mq_platform p;

		sysfs_set_root("/nonexistent-mqbalance-root");
		assert_int_equal(platform_probe_with(platform_cpuid_native, &p), 0);
		if (!p.virtualized)
			assert_string_equal(p.cpuid_signature, "");
	}
}

static void test_containers(void **state)
{
	static const struct {
		const char *dir, *container, *src;
	} cases[] = {
		{"ctr-nspawn", "systemd-nspawn", "/run/systemd/container"},
		{"ctr-odd", "weird", "/run/systemd/container"},
		{"ctr-hostmgr", "podman", "/run/host/container-manager"},
		{"ctr-environ", "lxc", "/proc/1/environ"},
		{"ctr-environ-other", "", ""},
		{"ctr-docker", "docker", "/.dockerenv"},
		{"ctr-podman", "podman", "/run/.containerenv"},
		{"stale-dockerenv", "", ""}, /* PID 2 is kthreadd: the machine's own PID namespace */
		{"ctr-openvz", "openvz", "/proc/vz"},
		{"openvz-host", "", ""},
		{"ctr-wsl", "wsl", "/proc/sys/kernel/osrelease"},
		{"ctr-lxcfs", "lxc", "/proc/self/mountinfo"},
		{"lxcfs-host", "", ""},
		{"ctr-k8s", "kubernetes", "/run/secrets/kubernetes.io"},
		{"none", "", ""},
		{"aws-nitro", "", ""},
		{"does-not-exist", "", ""},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_platform p = probe(cases[i].dir);

		if (strcmp(p.container, cases[i].container) || strcmp(p.container_source, cases[i].src))
			fail_msg("%s: got container '%s' from '%s'", cases[i].dir, p.container,
				 p.container_source);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clouds),
		cmocka_unit_test(test_odd_strings),
		cmocka_unit_test(test_irqbalance),
		cmocka_unit_test(test_cpuid_signatures),
		cmocka_unit_test(test_hypervisor_sources),
		cmocka_unit_test(test_containers),
	};
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
