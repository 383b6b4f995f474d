// SPDX-License-Identifier: MIT
/*
 * CPUs from /sys/devices/system/cpu and /sys/devices/system/node. Missing
 * files are normal (offline CPUs lose topology/ and cache/, kernels without
 * NUMA have no node/, nohz_full exists only with CONFIG_NO_HZ_FULL), so a
 * missing file leaves -1, never an error. Only the CPU masks themselves are
 * required.
 */
#include <dirent.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

#define CPU_DIR "/sys/devices/system/cpu"
#define NODE_DIR "/sys/devices/system/node"
/* Directory scans stop here: cache/ has ~4 entries, node/ at most MAX_NUMNODES (1024). */
#define MAX_DIR_ENTRIES 4096

/* A cpu list file (path below the sysfs root); -ENOENT passes through. */
static int read_list(struct mq_cpuset *ret, const char *path)
{
	char buf[MQ_CPULIST_MAX];
	int r;

	r = sysfs_read(buf, sizeof(buf), "%s", path);
	if (r < 0)
		return r;
	return cpuset_parse_list(buf, ret);
}

static int read_mask_file(const char *name, struct mq_cpuset *ret)
{
	char path[128];

	snprintf(path, sizeof(path), CPU_DIR "/%s", name);
	return read_list(ret, path);
}

/* isolated / nohz_full: absent, empty, "(null)" (older kernels) or garbage all mean none. */
static void read_optional_mask(const char *name, struct mq_cpuset *ret)
{
	char buf[MQ_CPULIST_MAX];

	cpuset_zero(ret);
	if (sysfs_read(buf, sizeof(buf), CPU_DIR "/%s", name) < 0 || strcmp(buf, "(null)") == 0)
		return;
	if (cpuset_parse_list(buf, ret) < 0)
		cpuset_zero(ret);
}

/* cpuN/topology/<name> as a non-negative int, -1 if absent or odd. */
static int read_topology(unsigned cpu, const char *name)
{
	long v;

	if (sysfs_read_long(&v, CPU_DIR "/cpu%u/topology/%s", cpu, name) < 0 || v < 0 ||
	    v > 0x7fffffffL)
		return -1;
	return (int)v;
}

/* Lowest CPU sharing the level-3 cache with cpu, -1 if none is described. */
static int read_l3(unsigned cpu)
{
	struct dirent *de;
	unsigned seen = 0;
	int l3 = -1;
	DIR *d;

	d = sysfs_opendir(CPU_DIR "/cpu%u/cache", cpu);
	if (!d)
		return -1;
	while (l3 < 0 && seen++ < MAX_DIR_ENTRIES && (de = readdir(d))) {
		CPUSET_DEFINE(s);
		char path[128];
		unsigned idx;
		long level;
		char c;

		if (sscanf(de->d_name, "index%u%c", &idx, &c) != 1)
			continue;
		if (sysfs_read_long(&level, CPU_DIR "/cpu%u/cache/index%u/level", cpu, idx) < 0 ||
		    level != 3)
			continue;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/cache/index%u/shared_cpu_list", cpu, idx);
		if (read_list(s, path) < 0)
			continue;
		l3 = cpuset_next(s, 0);
	}
	closedir(d);
	return l3;
}

/* Assign cpu->node from node/nodeN/cpulist. Returns 0, or -ENOENT without node/. */
static int read_nodes(struct mq_cpus *c)
{
	struct dirent *de;
	unsigned seen = 0;
	DIR *d;

	d = sysfs_opendir(NODE_DIR);
	if (!d)
		return -errno;
	while (seen++ < MAX_DIR_ENTRIES && (de = readdir(d))) {
		CPUSET_DEFINE(s);
		char path[128];
		unsigned node;
		char ch;

		if (sscanf(de->d_name, "node%u%c", &node, &ch) != 1 || node >= MQ_MAX_CPUS)
			continue;
		snprintf(path, sizeof(path), NODE_DIR "/node%u/cpulist", node);
		if (read_list(s, path) < 0)
			continue;
		CPUSET_FOREACH(cpu, s)
			if ((unsigned)cpu < c->n && c->cpu[cpu].node < 0)
				c->cpu[cpu].node = (int)node;
	}
	closedir(d);
	return 0;
}

/* The cpuN/nodeM link: node of a CPU not listed in any node cpulist (offline ones). */
static int read_node_link(unsigned cpu)
{
	struct dirent *de;
	unsigned seen = 0;
	int node = -1;
	DIR *d;

	d = sysfs_opendir(CPU_DIR "/cpu%u", cpu);
	if (!d)
		return -1;
	while (node < 0 && seen++ < MAX_DIR_ENTRIES && (de = readdir(d))) {
		unsigned m;
		char ch;

		if (sscanf(de->d_name, "node%u%c", &m, &ch) == 1 && m < MQ_MAX_CPUS)
			node = (int)m;
	}
	closedir(d);
	return node;
}

/* Number of distinct values >= 0 of one field over online CPUs. */
static unsigned count_distinct(const struct mq_cpus *c, size_t off)
{
	CPUSET_DEFINE(seen);
	unsigned n = 0;

	for (unsigned i = 0; i < c->n; i++) {
		int v;

		if (!c->cpu[i].online)
			continue;
		memcpy(&v, (const char *)&c->cpu[i] + off, sizeof(v));
		if (v >= 0 && v < MQ_MAX_CPUS && !cpuset_isset(seen, (unsigned)v)) {
			cpuset_set(seen, (unsigned)v);
			n++;
		}
	}
	return n;
}

/* The five masks, interned in c->sets. */
static int read_masks(struct mq_cpus *c)
{
	CPUSET_DEFINE(possible);
	CPUSET_DEFINE(present);
	CPUSET_DEFINE(online);
	CPUSET_DEFINE(isolated);
	CPUSET_DEFINE(nohz_full);
	int r;

	r = read_mask_file("possible", possible);
	if (r == -ENOENT)
		r = read_mask_file("present", possible);
	if (r < 0)
		return r;
	r = read_mask_file("present", present);
	if (r == -ENOENT) {
		cpuset_copy(present, possible);
		r = 0;
	}
	if (r < 0)
		return r;
	r = read_mask_file("online", online);
	if (r == -ENOENT) {
		cpuset_copy(online, present);
		r = 0;
	}
	if (r < 0)
		return r;
	read_optional_mask("isolated", isolated);
	read_optional_mask("nohz_full", nohz_full);
	/* A CPU the kernel calls present or online is possible, whatever the file says. */
	cpuset_or(possible, possible, present);
	cpuset_or(possible, possible, online);
	if (cpuset_empty(possible))
		return -ENODATA;
	if (cpuset_pool_intern(&c->sets, possible, &c->possible) < 0 ||
	    cpuset_pool_intern(&c->sets, present, &c->present) < 0 ||
	    cpuset_pool_intern(&c->sets, online, &c->online) < 0 ||
	    cpuset_pool_intern(&c->sets, isolated, &c->isolated) < 0 ||
	    cpuset_pool_intern(&c->sets, nohz_full, &c->nohz_full) < 0)
		return -ENOMEM;
	return 0;
}

int cpu_probe(struct mq_cpus *ret)
{
	struct mq_cpus c = {0};
	int r, last;

	r = read_masks(&c);
	if (r < 0)
		goto fail;
	c.nr_cpu_ids = (unsigned)cpuset_last(c.possible) + 1;
	/* Entries for the CPUs that exist: a possible-only CPU (a hotplug slot) has none. */
	last = cpuset_last(c.present);
	if (cpuset_last(c.online) > last)
		last = cpuset_last(c.online);
	c.n = last >= 0 ? (unsigned)last + 1 : 0;
	c.cpu = calloc(c.n ? c.n : 1, sizeof(*c.cpu));
	if (!c.cpu) {
		r = -ENOMEM;
		goto fail;
	}

	for (unsigned i = 0; i < c.n; i++) {
		struct mq_cpu *p = &c.cpu[i];

		p->id = (int)i;
		p->present = cpuset_isset(c.present, i);
		p->online = cpuset_isset(c.online, i);
		p->core = p->package = p->node = p->l3 = p->smt_rank = -1;
		cpu_counters_clear(&p->cnt); /* probes/cpustat.c fills them */
		if (!p->present)
			continue;
		p->core = read_topology(i, "core_id");
		p->package = read_topology(i, "physical_package_id");
		p->l3 = read_l3(i);
	}

	read_nodes(&c);
	for (unsigned i = 0; i < c.n; i++)
		if (c.cpu[i].present && c.cpu[i].node < 0)
			c.cpu[i].node = read_node_link(i);

	/* smt_rank: position among the core's online threads. No siblings file: its own core. */
	for (unsigned i = 0; i < c.n; i++) {
		CPUSET_DEFINE(sib);
		char path[128];
		int rank = 0;

		if (!c.cpu[i].online)
			continue;
		c.n_online++;
		snprintf(path, sizeof(path), CPU_DIR "/cpu%u/topology/thread_siblings_list", i);
		if (read_list(sib, path) == 0) {
			cpuset_and(sib, sib, c.online);
			CPUSET_FOREACH(s, sib)
				if ((unsigned)s < i)
					rank++;
		}
		c.cpu[i].smt_rank = rank;
		if (rank == 0)
			c.n_cores++;
		else
			c.smt_active = true;
	}

	/* No NUMA or cache description at all: the machine is one node, one L3 group. */
	c.n_nodes = count_distinct(&c, offsetof(struct mq_cpu, node));
	c.n_l3 = count_distinct(&c, offsetof(struct mq_cpu, l3));
	if (c.n_online && !c.n_nodes)
		c.n_nodes = 1;
	if (c.n_online && !c.n_l3)
		c.n_l3 = 1;

	*ret = c;
	return 0;
fail:
	cpu_free(&c);
	return r;
}
