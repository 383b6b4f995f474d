// SPDX-License-Identifier: MIT
/*
 * Where we run: DMI strings (/sys/class/dmi/id), /sys/hypervisor/type, the
 * CPUID hypervisor leaves, the cpuinfo "hypervisor" flag, container markers,
 * and whether irqbalance is running (it would undo our IRQ placement). Every
 * file is optional: many guests (Firecracker, some ARM boards) have no DMI.
 */
#include <dirent.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

#include "probes/probe.h"
#include "probes/sysfs.h"

/* /proc holds one entry per task group; bound the scan anyway. */
#define MAX_PROC_ENTRIES (1U << 22)

/* Azure's fixed chassis asset tag on every VM. */
#define AZURE_ASSET_TAG "7783-7084-3265-9085-8269-3286-77"

struct dmi {
	char sys_vendor[64], product_name[64], bios_vendor[64], bios_version[64];
	char board_vendor[64], chassis_asset_tag[64], hypervisor_type[32];
};

/* Missing or unreadable: "". Longer than buf: cut, DMI strings are at most 255 bytes. */
static void read_str(char *buf, size_t len, const char *path)
{
	char tmp[256];
	size_t n;

	if (sysfs_read(tmp, sizeof(tmp), "%s", path) < 0)
		tmp[0] = '\0';
	/* DMI strings are space-padded by some firmware. */
	for (n = strlen(tmp); n > 0 && (tmp[n - 1] == ' ' || tmp[n - 1] == '\t'); n--)
		tmp[n - 1] = '\0';
	snprintf(buf, len, "%.*s", (int)(len - 1), tmp);
}

static bool has(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

/* Any of the vendor-ish DMI fields contains needle. */
static bool vendor_has(const struct dmi *d, const char *needle)
{
	return has(d->sys_vendor, needle) || has(d->bios_vendor, needle) ||
	       has(d->board_vendor, needle);
}

static void classify(const struct dmi *d, struct mq_platform *p)
{
	const char *hv = "", *cloud = "", *src = "dmi";

	if (vendor_has(d, "Amazon EC2") || has(d->bios_version, "amazon")) {
		/* Nitro is KVM-based; older instances are Xen HVM ("Xen", "HVM domU"). */
		hv = vendor_has(d, "Xen") || strcmp(d->hypervisor_type, "xen") == 0 ? "xen" : "kvm";
		cloud = "aws";
	} else if (vendor_has(d, "Google") || has(d->product_name, "Google Compute Engine")) {
		hv = "kvm";
		cloud = "gce";
	} else if (vendor_has(d, "Microsoft Corporation") &&
		   has(d->product_name, "Virtual Machine")) {
		hv = "hyperv";
		if (strcmp(d->chassis_asset_tag, AZURE_ASSET_TAG) == 0)
			cloud = "azure";
	} else if (vendor_has(d, "VMware")) {
		hv = "vmware";
	} else if (vendor_has(d, "Xen") || strcmp(d->hypervisor_type, "xen") == 0) {
		hv = "xen";
		if (!vendor_has(d, "Xen"))
			src = "sysfs";
	} else if (has(d->product_name, "OpenStack") || vendor_has(d, "OpenStack")) {
		hv = "kvm";
		cloud = "openstack";
	} else if (vendor_has(d, "QEMU") || has(d->product_name, "KVM") ||
		   has(d->bios_vendor, "SeaBIOS") || has(d->product_name, "Standard PC") ||
		   vendor_has(d, "DigitalOcean") || vendor_has(d, "Hetzner") ||
		   vendor_has(d, "Alibaba Cloud") || has(d->chassis_asset_tag, "OracleCloud")) {
		hv = "kvm";
	}
	/* An OpenStack cloud on another hypervisor (Xen, Hyper-V, VMware) says so in product_name. */
	if (!*cloud && has(d->product_name, "OpenStack"))
		cloud = "openstack";
	snprintf(p->hypervisor, sizeof(p->hypervisor), "%s", hv);
	snprintf(p->cloud, sizeof(p->cloud), "%s", cloud);
	if (*hv) {
		p->virtualized = true;
		snprintf(p->hypervisor_source, sizeof(p->hypervisor_source), "%s", src);
	}
}

/* ---- CPUID --------------------------------------------------------------- */

/* Vendor signatures of leaf 0x40000000 (ebx ecx edx, trailing NULs cut). */
static const struct {
	const char *sig, *name;
} cpuid_vendors[] = {
	{"KVMKVMKVM", "kvm"},          {"Linux KVM Hv", "kvm"},     {"Microsoft Hv", "hyperv"},
	{"VMwareVMware", "vmware"},    {"XenVMMXenVMM", "xen"},     {"TCGTCGTCGTCG", "qemu"},
	{"bhyve bhyve ", "bhyve"},     {"ACRNACRNACRN", "acrn"},    {"VBoxVBoxVBox", "virtualbox"},
	{" lrpepyh  vr", "parallels"}, {"QNXQVMBSQG", "qnx"},       {"Jailhouse", "jailhouse"},
};

bool platform_cpuid_native(uint32_t leaf, uint32_t regs[4])
{
#if defined(__x86_64__) || defined(__i386__)
	/* __get_cpuid() refuses leaves above the basic maximum: 0x4000xxxx are. */
	if (leaf < 0x40000000U)
		return __get_cpuid(leaf, &regs[0], &regs[1], &regs[2], &regs[3]) != 0;
	__cpuid(leaf, regs[0], regs[1], regs[2], regs[3]);
	return true;
#else
	(void)leaf;
	(void)regs;
	return false;
#endif
}

/* Signature of one hypervisor leaf, printable, NULs cut; its name or "". */
static const char *cpuid_vendor(platform_cpuid_fn cpuid, uint32_t leaf, char sig[13])
{
	uint32_t r[4] = {0};
	size_t n = 12;

	if (!cpuid(leaf, r))
		r[1] = r[2] = r[3] = 0;
	memcpy(sig, &r[1], 4);
	memcpy(sig + 4, &r[2], 4);
	memcpy(sig + 8, &r[3], 4);
	while (n > 0 && sig[n - 1] == '\0')
		n--;
	sig[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)sig[i] < 0x20 || (unsigned char)sig[i] > 0x7e)
			sig[i] = '?';
	for (size_t i = 0; i < sizeof(cpuid_vendors) / sizeof(cpuid_vendors[0]); i++)
		if (strcmp(sig, cpuid_vendors[i].sig) == 0)
			return cpuid_vendors[i].name;
	return "";
}

int platform_cpuid_hypervisor(platform_cpuid_fn cpuid, char ret_name[32], char ret_sig[13])
{
	uint32_t r[4] = {0};
	char sig[13], sig2[13];
	const char *name, *other;

	/* Leaf 1 ECX bit 31: "a hypervisor is present" (reserved 0 on real CPUs). */
	if (!cpuid || !cpuid(1, r) || !(r[2] & (1U << 31)))
		return 0;
	name = cpuid_vendor(cpuid, 0x40000000U, sig);
	/*
	 * KVM and Xen offering Hyper-V enlightenments put "Microsoft Hv" first
	 * and their own signature at 0x40000100 (the kernel looks there too).
	 */
	if (strcmp(name, "hyperv") == 0) {
		other = cpuid_vendor(cpuid, 0x40000100U, sig2);
		if (strcmp(other, "kvm") == 0 || strcmp(other, "xen") == 0) {
			name = other;
			memcpy(sig, sig2, sizeof(sig));
		}
	}
	snprintf(ret_name, 32, "%s", name);
	memcpy(ret_sig, sig, sizeof(sig));
	return 1;
}

/* ---- /proc/cpuinfo ------------------------------------------------------- */

/* The "hypervisor" word in the first flags line (x86; ARM has none). */
static bool cpuinfo_hypervisor_flag(void)
{
	char line[16384];
	unsigned n = 0;
	bool found = false;
	FILE *f;

	f = sysfs_fopen("/proc/cpuinfo");
	if (!f)
		return false;
	/* A CPU block has ~30 lines; a flags line ~2 kB (the buffer is 8x that). */
	while (n++ < 256 && fgets(line, sizeof(line), f)) {
		char *save = NULL, *w;

		if (strncmp(line, "flags", 5) != 0 || !strchr(line, ':'))
			continue;
		for (w = strtok_r(strchr(line, ':') + 1, " \t\n", &save); w && !found;
		     w = strtok_r(NULL, " \t\n", &save))
			found = strcmp(w, "hypervisor") == 0;
		break;
	}
	fclose(f);
	return found;
}

static pid_t find_irqbalance(void)
{
	struct dirent *de;
	unsigned seen = 0;
	pid_t best = 0;
	DIR *d;

	d = sysfs_opendir("/proc");
	if (!d)
		return 0;
	while (seen++ < MAX_PROC_ENTRIES && (de = readdir(d))) {
		char comm[32], *end;
		long pid;

		if (de->d_name[0] < '1' || de->d_name[0] > '9')
			continue;
		errno = 0;
		pid = strtol(de->d_name, &end, 10);
		if (errno || *end || pid <= 0 || (pid_t)pid != pid)
			continue;
		/* The process may exit between readdir and read: that is just "not it". */
		if (sysfs_read(comm, sizeof(comm), "/proc/%ld/comm", pid) < 0)
			continue;
		if (strcmp(comm, "irqbalance") == 0 && (!best || (pid_t)pid < best))
			best = (pid_t)pid;
	}
	closedir(d);
	return best;
}

/* ---- what irqbalance was told ------------------------------------------- */

/*
 * irqbalance 1.9's options (irqbalance.c: lopts[] and getopt_long's
 * "odfjVi:p:s:c:l:m:t:e:"), so that every option's argument is skipped the
 * way irqbalance skips it.
 */
static const struct {
	const char *name;
	char opt;
	bool arg;
} irqbalance_opts[] = {
	{"oneshot", 'o', false},    {"debug", 'd', false},   {"foreground", 'f', false},
	{"powerthresh", 'p', true}, {"banirq", 'i', true},   {"deepestcache", 'c', true},
	{"policyscript", 'l', true}, {"pid", 's', true},     {"journal", 'j', false},
	{"banmod", 'm', true},      {"interval", 't', true}, {"version", 'V', false},
	{"migrateval", 'e', true},
};
#define NOPTS (sizeof(irqbalance_opts) / sizeof(irqbalance_opts[0]))

/* Index of an option by its long name or an unambiguous prefix (getopt_long), -1 if none. */
static int opt_long(const char *name, size_t len)
{
	int found = -1;

	for (unsigned i = 0; i < NOPTS; i++) {
		if (strncmp(irqbalance_opts[i].name, name, len) != 0)
			continue;
		if (strlen(irqbalance_opts[i].name) == len)
			return (int)i;
		if (found >= 0)
			return -1; /* ambiguous: irqbalance would have refused to start */
		found = (int)i;
	}
	return found;
}

static int opt_short(char letter)
{
	for (unsigned i = 0; i < NOPTS; i++)
		if (irqbalance_opts[i].opt == letter)
			return (int)i;
	return -1;
}

static void opt_apply(char opt, const char *val, struct mq_platform *p)
{
	char *end;
	unsigned long long v;

	if (opt == 'l') {
		snprintf(p->irqbalance_policy, sizeof(p->irqbalance_policy), "%s", val);
		return;
	}
	if (opt != 'i')
		return;
	/* irqbalance: strtoull, base 10, anything after the digits ignored */
	errno = 0;
	v = strtoull(val, &end, 10);
	if (end == val || errno || v > UINT32_MAX)
		return;
	if (p->irqbalance_nbanirq < MQ_BANIRQ_MAX)
		p->irqbalance_banirq[p->irqbalance_nbanirq++] = (unsigned)v;
	else
		p->irqbalance_banirq_more = true;
}

int platform_parse_irqbalance_cmdline(const char *buf, size_t len, struct mq_platform *p)
{
	const char *arg[256];
	unsigned n = 0;

	if (!buf || !p)
		return -EINVAL;
	/* NUL-separated, each argument NUL-terminated */
	for (size_t i = 0; i < len && n < sizeof(arg) / sizeof(arg[0]);) {
		const char *z = memchr(buf + i, '\0', len - i);

		if (!z)
			break; /* cut short by the read: not a whole argument */
		arg[n++] = buf + i;
		i = (size_t)(z - buf) + 1;
	}
	if (n == 0)
		return -EINVAL;
	p->irqbalance_policy[0] = '\0';
	p->irqbalance_nbanirq = 0;
	p->irqbalance_banirq_more = false;
	/* arg[0] is the program; GNU getopt skips non-options and stops at "--" */
	for (unsigned i = 1; i < n; i++) {
		const char *a = arg[i];
		int o;

		if (strcmp(a, "--") == 0)
			break;
		if (a[0] != '-' || a[1] == '\0')
			continue;
		if (a[1] == '-') {
			const char *eq = strchr(a + 2, '=');

			o = opt_long(a + 2, eq ? (size_t)(eq - a - 2) : strlen(a + 2));
			if (o < 0 || !irqbalance_opts[o].arg)
				continue;
			if (eq)
				opt_apply(irqbalance_opts[o].opt, eq + 1, p);
			else if (i + 1 < n)
				opt_apply(irqbalance_opts[o].opt, arg[++i], p);
			continue;
		}
		/* short options, grouped ("-fl PATH"); an argument is the rest or the next word */
		for (const char *c = a + 1; *c; c++) {
			o = opt_short(*c);
			if (o < 0 || !irqbalance_opts[o].arg)
				continue;
			if (c[1])
				opt_apply(*c, c + 1, p);
			else if (i + 1 < n)
				opt_apply(*c, arg[++i], p);
			break;
		}
	}
	return 0;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/*
 * Our script given as the policy, or a policy directory holding an entry
 * "mqbalance" (irqbalance runs each executable file there until one
 * answers for the IRQ; ours answers only for the IRQs it owns).
 */
static void irqbalance_cmdline(pid_t pid, struct mq_platform *p)
{
	char buf[8192];
	const char *pol = p->irqbalance_policy;
	size_t n;
	FILE *f;

	f = sysfs_fopen("/proc/%ld/cmdline", (long)pid);
	if (!f)
		return;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	if (platform_parse_irqbalance_cmdline(buf, n, p) < 0 || !*pol)
		return;
	p->irqbalance_policy_ours =
		strlen(pol) + 1 < sizeof(p->irqbalance_policy) &&
		((ends_with(pol, MQ_IRQBALANCE_POLICY_NAME) && sysfs_exists("%s", pol) > 0) ||
		 sysfs_exists("%s/mqbalance", pol) > 0);
}

/* ---- containers ---------------------------------------------------------- */

/* First word of a marker file, [A-Za-z0-9._-] only; "other" if none. */
static void marker_word(char *buf, size_t len, const char *text)
{
	size_t n = 0;

	while (*text == ' ' || *text == '\t' || *text == '\n')
		text++;
	for (; text[n] && n + 1 < len; n++) {
		char c = text[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			break;
	}
	snprintf(buf, len, "%.*s", (int)n, n ? text : "other");
}

/* container= in PID 1's environment (NUL-separated; the first 32 kB are plenty). */
static bool environ_container(char *buf, size_t len)
{
	static const char key[] = "container=";
	char env[32768];
	size_t n;
	FILE *f;

	f = sysfs_fopen("/proc/1/environ");
	if (!f)
		return false; /* EACCES without CAP_SYS_PTRACE over PID 1: normal */
	n = fread(env, 1, sizeof(env) - 1, f);
	fclose(f);
	env[n] = '\0';
	for (size_t i = 0; i < n; i += strlen(env + i) + 1)
		if (strncmp(env + i, key, sizeof(key) - 1) == 0) {
			marker_word(buf, len, env + i + sizeof(key) - 1);
			return true;
		}
	return false;
}

/* lxcfs mounted over a /proc file (LXC/LXD; on the host it sits elsewhere). */
static bool lxcfs_over_proc(void)
{
	char line[4096];
	unsigned n = 0;
	bool found = false;
	FILE *f;

	f = sysfs_fopen("/proc/self/mountinfo");
	if (!f)
		return false;
	while (!found && n++ < 65536 && fgets(line, sizeof(line), f)) {
		char mnt[256];

		/* "36 35 98:0 /root /mnt opts - fstype source ..." */
		if (sscanf(line, "%*s %*s %*s %*s %255s", mnt) == 1 && strncmp(mnt, "/proc/", 6) == 0)
			found = strstr(line, " - fuse.lxcfs ") != NULL;
	}
	fclose(f);
	return found;
}

/*
 * The container managers' own markers first (what systemd-detect-virt
 * reads). /.dockerenv and /run/.containerenv are files in the image: a VM
 * whose root file system was built from a container image keeps them (this
 * project's own build VM does). They count only outside the machine's first
 * PID namespace, where PID 2 is the kernel's kthreadd.
 */
static void detect_container(struct mq_platform *p)
{
	static const struct {
		const char *path, *name;
	} weak[] = {
		{"/run/.containerenv", "podman"},
		{"/.dockerenv", "docker"},
	};
	char buf[256], comm[32];
	const char *src = NULL;

	if (sysfs_read(buf, sizeof(buf), "/run/systemd/container") >= 0) {
		src = "/run/systemd/container";
	} else if (sysfs_read(buf, sizeof(buf), "/run/host/container-manager") >= 0) {
		src = "/run/host/container-manager";
	} else if (environ_container(p->container, sizeof(p->container))) {
		src = "/proc/1/environ";
	} else if (sysfs_exists("/proc/vz") > 0 && sysfs_exists("/proc/bc") <= 0) {
		snprintf(buf, sizeof(buf), "openvz"); /* /proc/bc: the OpenVZ host itself */
		src = "/proc/vz";
	} else if (sysfs_read(buf, sizeof(buf), "/proc/sys/kernel/osrelease") >= 0 &&
		   (strstr(buf, "Microsoft") || strstr(buf, "WSL"))) {
		snprintf(buf, sizeof(buf), "wsl");
		src = "/proc/sys/kernel/osrelease";
	} else if (lxcfs_over_proc()) {
		snprintf(buf, sizeof(buf), "lxc");
		src = "/proc/self/mountinfo";
	} else if (sysfs_exists("/run/secrets/kubernetes.io") > 0 ||
		   sysfs_exists("/var/run/secrets/kubernetes.io") > 0) {
		snprintf(buf, sizeof(buf), "kubernetes");
		src = "/run/secrets/kubernetes.io";
	} else if (sysfs_read(comm, sizeof(comm), "/proc/2/comm") < 0 ||
		   strcmp(comm, "kthreadd") != 0) {
		for (size_t i = 0; !src && i < sizeof(weak) / sizeof(weak[0]); i++)
			if (sysfs_exists("%s", weak[i].path) > 0) {
				snprintf(buf, sizeof(buf), "%s", weak[i].name);
				src = weak[i].path;
			}
	}
	if (!src)
		return;
	if (strcmp(src, "/proc/1/environ") != 0)
		marker_word(p->container, sizeof(p->container), buf);
	snprintf(p->container_source, sizeof(p->container_source), "%s", src);
}

int platform_probe(struct mq_platform *ret)
{
	/* CPUID describes this machine, not a fixture tree given as the root. */
	return platform_probe_with(*sysfs_root() ? NULL : platform_cpuid_native, ret);
}

int platform_probe_with(platform_cpuid_fn cpuid, struct mq_platform *ret)
{
	struct mq_platform p = {0};
	char name[32];
	struct dmi d;

	if (!ret)
		return -EINVAL;
	read_str(d.sys_vendor, sizeof(d.sys_vendor), "/sys/class/dmi/id/sys_vendor");
	read_str(d.product_name, sizeof(d.product_name), "/sys/class/dmi/id/product_name");
	read_str(d.bios_vendor, sizeof(d.bios_vendor), "/sys/class/dmi/id/bios_vendor");
	read_str(d.bios_version, sizeof(d.bios_version), "/sys/class/dmi/id/bios_version");
	read_str(d.board_vendor, sizeof(d.board_vendor), "/sys/class/dmi/id/board_vendor");
	read_str(d.chassis_asset_tag, sizeof(d.chassis_asset_tag),
		 "/sys/class/dmi/id/chassis_asset_tag");
	read_str(d.hypervisor_type, sizeof(d.hypervisor_type), "/sys/hypervisor/type");

	snprintf(p.sys_vendor, sizeof(p.sys_vendor), "%s", d.sys_vendor);
	snprintf(p.product_name, sizeof(p.product_name), "%s", d.product_name);
	classify(&d, &p);
	/*
	 * A named CPUID signature beats DMI for the hypervisor (DMI "QEMU" is
	 * KVM or TCG alike; clouds keep their DMI name); DMI still names the cloud.
	 */
	if (cpuid && platform_cpuid_hypervisor(cpuid, name, p.cpuid_signature) > 0) {
		p.virtualized = true;
		if (*name || !*p.hypervisor) {
			snprintf(p.hypervisor, sizeof(p.hypervisor), "%s", name);
			snprintf(p.hypervisor_source, sizeof(p.hypervisor_source), "cpuid");
		}
	}
	if (!p.virtualized && cpuinfo_hypervisor_flag()) {
		p.virtualized = true;
		snprintf(p.hypervisor_source, sizeof(p.hypervisor_source), "cpuinfo");
	}
	detect_container(&p);
	p.irqbalance_pid = find_irqbalance();
	if (p.irqbalance_pid > 0)
		irqbalance_cmdline(p.irqbalance_pid, &p);
	*ret = p;
	return 0;
}
