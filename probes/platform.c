// SPDX-License-Identifier: MIT
/*
 * Where we run: DMI strings (/sys/class/dmi/id), /sys/hypervisor/type, and
 * whether irqbalance is running (it would undo our IRQ placement). Every file
 * is optional: many guests (Firecracker, some ARM boards) have no DMI.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
	const char *hv = "", *cloud = "";

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
	} else if (has(d->product_name, "OpenStack") || vendor_has(d, "OpenStack")) {
		hv = "kvm";
		cloud = "openstack";
	} else if (vendor_has(d, "QEMU") || has(d->product_name, "KVM") ||
		   has(d->bios_vendor, "SeaBIOS") || has(d->product_name, "Standard PC") ||
		   vendor_has(d, "DigitalOcean") || vendor_has(d, "Hetzner") ||
		   vendor_has(d, "Alibaba Cloud") || has(d->chassis_asset_tag, "OracleCloud")) {
		hv = "kvm";
	}
	/* OpenStack guests often keep the QEMU DMI vendor but say so in product_name. */
	if (!*cloud && has(d->product_name, "OpenStack"))
		cloud = "openstack";
	snprintf(p->hypervisor, sizeof(p->hypervisor), "%s", hv);
	snprintf(p->cloud, sizeof(p->cloud), "%s", cloud);
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

int platform_probe(struct mq_platform *ret)
{
	struct mq_platform p = {0};
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
	p.irqbalance_pid = find_irqbalance();
	*ret = p;
	return 0;
}
