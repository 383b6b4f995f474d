// SPDX-License-Identifier: MIT
#include <errno.h>
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

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

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
		{"aws-board", "xen", "aws", ""}, /* only the board's vendor says so; Xen by its type */
		{"xen", "xen", "", "Xen"},
		{"gce", "kvm", "gce", "Google"},
		{"gce-product", "kvm", "gce", ""}, /* the product name alone */
		{"azure", "hyperv", "azure", "Microsoft Corporation"},
		{"hyperv", "hyperv", "", "Microsoft Corporation"},
		{"vmware", "vmware", "", "VMware, Inc."},
		{"openstack", "kvm", "openstack", "OpenStack Foundation"},
		/* Xen told by /sys/hypervisor/type first; the product name still names the cloud */
		{"xen-openstack", "xen", "openstack", "OpenStack Foundation"},
		{"qemu", "kvm", "", "QEMU"},
		/* each KVM hint alone is enough: the chassis tag, the vendor */
		{"oci", "kvm", "", "Oracle Corporation"},
		{"alibaba", "kvm", "", "Alibaba Cloud"},
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
	assert_string_equal(p.sys_vendor, "Some Vendor"); /* padding of spaces and tabs stripped */
	assert_int_equal(strlen(p.product_name), sizeof(p.product_name) - 1);
	assert_string_equal(p.hypervisor, "");
	p = probe("blank"); /* padding only: nothing */
	assert_string_equal(p.sys_vendor, "");
	assert_string_equal(p.hypervisor, "");
}

static void test_irqbalance(void **state)
{
	(void)state;
	/* Two matching processes: the lowest pid. "irqbalancer" is not irqbalance. */
	assert_int_equal(probe("aws-nitro").irqbalance_pid, 812);
	assert_int_equal(probe("none").irqbalance_pid, 0);
	assert_int_equal(probe("irqbalance-pid").irqbalance_pid, 19); /* the lowest of two */
	assert_int_equal(probe("gce").irqbalance_pid, 0); /* no /proc at all */
}

/* What the running irqbalance was told, from its /proc/PID/cmdline in the fixture trees. */
static void test_irqbalance_policy(void **state)
{
	struct mq_platform p;
	(void)state;
	/* Debian's unit with our drop-in; the script exists in the tree */
	p = probe("aws-nitro");
	assert_string_equal(p.irqbalance_policy, "/usr/lib/mqbalance/irqbalance-policy");
	assert_true(p.irqbalance_policy_ours);
	assert_int_equal(p.irqbalance_nbanirq, 0);
	/* -fl DIR: a policy directory with an entry "mqbalance" */
	p = probe("irqbalance-dir");
	assert_int_equal(p.irqbalance_pid, 500);
	assert_string_equal(p.irqbalance_policy, "/etc/irqbalance.d");
	assert_true(p.irqbalance_policy_ours);
	/* our path, but no such file: irqbalance runs without a policy */
	p = probe("irqbalance-missing");
	assert_string_equal(p.irqbalance_policy, "/usr/lib/mqbalance/irqbalance-policy");
	assert_false(p.irqbalance_policy_ours);
	assert_int_equal(p.irqbalance_nbanirq, 2);
	assert_int_equal(p.irqbalance_banirq[0], 40);
	assert_int_equal(p.irqbalance_banirq[1], 41);
	/* someone else's script, present: not ours (the path must end in our name) */
	p = probe("irqbalance-foreign");
	assert_string_equal(p.irqbalance_policy, "/usr/local/sbin/site-irqbalance-policy");
	assert_false(p.irqbalance_policy_ours);
	/* no irqbalance: nothing */
	p = probe("none");
	assert_string_equal(p.irqbalance_policy, "");
	assert_false(p.irqbalance_policy_ours);
	assert_int_equal(p.irqbalance_nbanirq, 0);
}

static struct mq_platform parse(const char *buf, size_t len, int want)
{
	struct mq_platform p;

	memset(&p, 0, sizeof(p));
	snprintf(p.irqbalance_policy, sizeof(p.irqbalance_policy), "stale");
	p.irqbalance_nbanirq = 3;
	assert_int_equal(platform_parse_irqbalance_cmdline(buf, len, &p), want);
	return p;
}
#define PARSE(lit) parse(lit, sizeof(lit) - 1, 0)

/* The command line read the way irqbalance's getopt_long reads it. */
static void test_irqbalance_cmdline(void **state)
{
	struct mq_platform p;
	char big[600];
	size_t n;
	(void)state;
	/* separate argument; the last --policyscript wins */
	p = PARSE("irqbalance\0--policyscript\0/a\0--foreground\0--policyscript=/b\0");
	assert_string_equal(p.irqbalance_policy, "/b");
	/* short, attached and separate; grouped after a flag */
	assert_string_equal(PARSE("irqbalance\0-l/x\0").irqbalance_policy, "/x");
	assert_string_equal(PARSE("irqbalance\0-l\0/y\0").irqbalance_policy, "/y");
	assert_string_equal(PARSE("irqbalance\0-fjl\0/z\0").irqbalance_policy, "/z");
	/* an unambiguous prefix of a long option counts (--po: policyscript, powerthresh: no) */
	assert_string_equal(PARSE("irqbalance\0--policy=/p\0").irqbalance_policy, "/p");
	assert_string_equal(PARSE("irqbalance\0--po=/p\0").irqbalance_policy, "");
	/* another option's argument is not an option: -p takes "-l" */
	p = PARSE("irqbalance\0-p\0-l\0/q\0--pid\0--policyscript=/r\0");
	assert_string_equal(p.irqbalance_policy, "");
	/* "--" ends the options; a lone "-" and non-options are skipped */
	assert_string_equal(PARSE("irqbalance\0-\0x\0--\0-l/s\0").irqbalance_policy, "");
	assert_string_equal(PARSE("irqbalance\0xl/t\0").irqbalance_policy, ""); /* not "-l/t" */
	/* a missing argument at the end */
	assert_string_equal(PARSE("irqbalance\0--policyscript\0").irqbalance_policy, "");
	/* --banirq and -i, repeatable; strtoull's reading: digits then anything */
	p = PARSE("irqbalance\0--banirq=43\0-i44\0-i\0" "45x\0--banirq\0nope\0-i\0-5\0--ban=46\0");
	assert_int_equal(p.irqbalance_nbanirq, 3);
	assert_int_equal(p.irqbalance_banirq[0], 43);
	assert_int_equal(p.irqbalance_banirq[1], 44);
	assert_int_equal(p.irqbalance_banirq[2], 45);
	assert_false(p.irqbalance_banirq_more);
	/* --ban is ambiguous (banirq, banmod): irqbalance refuses it, so do we */
	/* more than MQ_BANIRQ_MAX: the first kept, the rest flagged */
	n = (size_t)snprintf(big, sizeof(big), "irqbalance");
	big[n++] = '\0';
	for (unsigned i = 0; i < MQ_BANIRQ_MAX + 2; i++) {
		n += (size_t)snprintf(big + n, sizeof(big) - n, "-i%u", 100 + i);
		big[n++] = '\0';
	}
	p = parse(big, n, 0);
	assert_int_equal(p.irqbalance_nbanirq, MQ_BANIRQ_MAX);
	assert_int_equal(p.irqbalance_banirq[MQ_BANIRQ_MAX - 1], 100 + MQ_BANIRQ_MAX - 1);
	assert_true(p.irqbalance_banirq_more);
	/* a last argument cut short (no NUL) is dropped; a long path is cut to fit */
	assert_string_equal(PARSE("irqbalance\0-l/a\0-l/trunc").irqbalance_policy, "/a");
	memset(big, 'a', sizeof(big));
	memcpy(big, "x\0-l", 5);
	big[sizeof(big) - 1] = '\0';
	p = parse(big, sizeof(big), 0);
	assert_int_equal(strlen(p.irqbalance_policy), sizeof(p.irqbalance_policy) - 1);
	/* nothing at all: an error, p untouched */
	p = parse("", 0, -EINVAL);
	assert_string_equal(p.irqbalance_policy, "stale");
	p = parse("no-nul", 6, -EINVAL);
	assert_int_equal(platform_parse_irqbalance_cmdline(NULL, 0, &p), -EINVAL);
}

/* The real instruction: under a hypervisor (CPUID.1 bit 31) its leaf answers, one past the basic ones. */
static void test_cpuid_native(void **state)
{
	uint32_t r[4] = {0};
	char line[512], vendor[13] = "", *v;
	bool hv_flag = false;
	FILE *f = fopen("/proc/cpuinfo", "re");
	(void)state;

	/* x86: leaf 0 is the vendor, leaf 1 bit 31 the flag /proc/cpuinfo calls "hypervisor" */
	while (f && fgets(line, sizeof(line), f))
		if (!vendor[0] && strncmp(line, "vendor_id", 9) == 0 && (v = strchr(line, ':')))
			sscanf(v + 1, "%12s", vendor);
		else if (strncmp(line, "flags", 5) == 0 && strstr(line, " hypervisor"))
			hv_flag = true;
	if (f)
		fclose(f);
	if (vendor[0]) { /* x86 */
		char got[13];

		assert_true(platform_cpuid_native(0, r));
		memcpy(got, &r[1], 4), memcpy(got + 4, &r[3], 4), memcpy(got + 8, &r[2], 4);
		got[12] = '\0';
		assert_string_equal(got, vendor);
		assert_true(platform_cpuid_native(1, r));
		assert_int_equal(!!(r[2] & (1U << 31)), hv_flag);
	}
	if (!platform_cpuid_native(1, r) || !(r[2] & (1U << 31))) {
		print_message("[  SKIP    ] no hypervisor bit (bare metal or not x86): nothing to ask\n");
		skip();
	}
	memset(r, 0, sizeof(r));
	assert_true(platform_cpuid_native(0x40000000U, r));
	assert_true(r[1] || r[2] || r[3]);
}

/* ---- CPUID, injected ---------------------------------------------------- */

/* The fake CPU: leaf 1's hypervisor bit and the signatures at 0x40000000/0x100. */
static struct {
	bool x86, hv_bit;
	uint32_t fail_leaf; /* this leaf fills regs with a signature, answers false */
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
	if (fake.fail_leaf && leaf == fake.fail_leaf) {
		memcpy(&regs[1], "KVMKVMKVM\0\0\0", 12);
		return false;
	}
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
		{"DEL\x7f~Visor\0\0", "", "DEL?~Visor"},   /* DEL is not printable, ~ is */
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
	/* only Hyper-V's leaf is followed: Xen's own is the answer */
	set_fake(true, "XenVMMXenVMM", 12, "KVMKVMKVM");
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "xen");
	/* a leaf that is not answered: whatever it left in the registers is not read */
	set_fake(true, "Microsoft Hv", 12, NULL);
	fake.fail_leaf = 0x40000100U;
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "hyperv");
	/* the same at 0x40000000: a hypervisor, kind and signature unknown */
	set_fake(true, "Microsoft Hv", 12, NULL);
	fake.fail_leaf = 0x40000000U;
	assert_int_equal(platform_cpuid_hypervisor(fake_cpuid, name, sig), 1);
	assert_string_equal(name, "");
	assert_string_equal(sig, "");
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
		{"ctr-odd", "Weird-A_1.x", "/run/systemd/container"}, /* up to the first odd character */
		{"ctr-hostmgr", "podman", "/run/host/container-manager"},
		{"ctr-environ", "lxc", "/proc/1/environ"},
		{"ctr-environ-other", "", ""},
		/* the sixth variable, after a decoy "X_container=" that is no match */
		{"ctr-environ-late", "lxc", "/proc/1/environ"},
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

/* PID 1's environment is read up to 32 kB - 1: a container= cut by that limit is not taken. */
static void test_environ_limit(void **state)
{
	char root[64] = "/tmp/mqplatform.XXXXXX", p[128];
	struct mq_platform pl;
	FILE *f;
	(void)state;

	assert_non_null(mkdtemp(root));
	snprintf(p, sizeof(p), "%s/proc", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/1", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/1/environ", root);
	f = fopen(p, "w");
	assert_non_null(f);
	/* "container=" at offset 32758: its '=' is byte 32767, one past what is read */
	fputs("F=", f);
	for (unsigned i = 0; i < 32758 - 3; i++)
		fputc('a', f);
	fputc('\0', f);
	assert_int_equal(ftell(f), 32758);
	fputs("container=lxc", f);
	fputc('\0', f);
	assert_int_equal(fclose(f), 0);
	sysfs_set_root(root);
	memset(&pl, 0x5a, sizeof(pl));
	assert_int_equal(platform_probe(&pl), 0);
	assert_string_equal(pl.container, "");
	assert_string_equal(pl.container_source, "");
	sysfs_set_root("");
	assert_int_equal(remove(p), 0);
	snprintf(p, sizeof(p), "%s/proc/1", root);
	assert_int_equal(rmdir(p), 0);
	snprintf(p, sizeof(p), "%s/proc", root);
	assert_int_equal(rmdir(p), 0);
	assert_int_equal(rmdir(root), 0);
}

/* platform_probe() over a scratch root holding one file, rel, with text. */
static struct mq_platform probe_one_file(const char *rel, const char *text)
{
	char root[64] = "/tmp/mqplatform.XXXXXX", path[256];
	struct mq_platform p;

	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(tmptree_put(path, strlen(root) + 1, text), 0);
	sysfs_set_root(root);
	memset(&p, 0x5a, sizeof(p));
	assert_int_equal(platform_probe(&p), 0);
	sysfs_set_root("");
	assert_int_equal(tmptree_rm(root), 0);
	return p;
}

/* filler lines, then last as line number at */
static char *lines_then(const char *filler, unsigned at, const char *last)
{
	size_t fl = strlen(filler);
	char *s = malloc(fl * at + strlen(last) + 1), *w = s;

	assert_non_null(s);
	for (unsigned i = 1; i < at; i++, w += fl)
		memcpy(w, filler, fl);
	strcpy(w, last);
	return s;
}

/* Markers at their edges: an empty file, the second k8s path, the last line still read. */
static void test_marker_edges(void **state)
{
	struct mq_platform p;
	char *text;
	(void)state;

	p = probe_one_file("run/systemd/container", ""); /* systemd says so, naming nothing */
	assert_string_equal(p.container, "");
	assert_string_equal(p.container_source, "/run/systemd/container");
	/* a name that fills the 32 bytes exactly is whole; one longer loses its end only */
	p = probe_one_file("run/systemd/container", "abcdefghijklmnopqrstuvwxyz01234\n");
	assert_string_equal(p.container, "abcdefghijklmnopqrstuvwxyz01234");
	p = probe_one_file("run/systemd/container", "abcdefghijklmnopqrstuvwxyz012345\n");
	assert_string_equal(p.container, "abcdefghijklmnopqrstuvwxyz01234");
	p = probe_one_file("var/run/secrets/kubernetes.io/serviceaccount/namespace", "default\n");
	assert_string_equal(p.container, "kubernetes");
	/* /proc/cpuinfo: the flags line is looked for in the first 256 lines (twice: each
	 * answer is that file's, nothing is left from the last read) */
	for (unsigned i = 0, at; i < 3; i++) {
		at = i < 2 ? 256 : 257;
		text = lines_then("model name\t: x\n", at, "flags\t\t: fpu hypervisor\n");
		p = probe_one_file("proc/cpuinfo", text);
		free(text);
		assert_int_equal(p.virtualized, at == 256);
		assert_string_equal(p.hypervisor_source, at == 256 ? "cpuinfo" : "");
	}
	/* mountinfo: lxcfs over /proc is looked for in the first 65536 lines */
	for (unsigned at = 65536; at <= 65537; at++) {
		text = lines_then("1 0 0:1 / /x rw - tmpfs t rw\n", at,
				  "2 1 0:2 /proc/stat /proc/stat rw - fuse.lxcfs lxcfs rw\n");
		p = probe_one_file("proc/self/mountinfo", text);
		free(text);
		assert_string_equal(p.container, at == 65536 ? "lxc" : "");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_clouds),
		cmocka_unit_test(test_odd_strings),
		cmocka_unit_test(test_irqbalance),
		cmocka_unit_test(test_irqbalance_policy),
		cmocka_unit_test(test_irqbalance_cmdline),
		cmocka_unit_test(test_cpuid_signatures),
		cmocka_unit_test(test_hypervisor_sources),
		cmocka_unit_test(test_containers),
		cmocka_unit_test(test_cpuid_native),
		cmocka_unit_test(test_environ_limit),
		cmocka_unit_test(test_marker_edges),
	};
	return cmocka_run_group_tests_name("platform", tests, NULL, NULL);
}
