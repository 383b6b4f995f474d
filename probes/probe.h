/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Probe entry points, one module each. They only read the machine (through
 * probes/sysfs.h and probes/nl.h), never print, and return >= 0 or -errno.
 * Parsers take text, not paths, so tests and fuzzers feed them bytes.
 */

#include <stdio.h>

#include "probes/nl.h"
#include "core/driver.h"
#include "core/snapshot.h"

/* ---- probes/reread.c: the files a refresh reads every interval, kept open */
enum probe_file {
	PROBE_FILE_SOFTIRQS, PROBE_FILE_STAT, PROBE_FILE_SOFTNET, PROBE_FILE_INTERRUPTS,
	PROBE_FILE_CPU_ONLINE, _PROBE_FILE_MAX,
};
struct probe_files {
	int fd[_PROBE_FILE_MAX];  /* -1: not open (yet) */
	char *buf;                /* one buffer for all, reused */
	size_t cap;
};
void probe_files_init(struct probe_files *f);
void probe_files_close(struct probe_files *f);
/*
 * The whole file (through the sysfs root; opened at the first call, then
 * read again from offset 0) into f's buffer: *ret (NUL-terminated, valid
 * until the next call) and *ret_len. -errno on failure (-EFBIG beyond 8 MiB,
 * -ENOTSUP not a regular file, -EXDEV out of the root); a failed file is
 * opened again next time.
 */
int probe_file_read(struct probe_files *f, enum probe_file which, const char **ret,
		    size_t *ret_len);

/* ---- probes/cpu.c: /sys/devices/system/cpu, /sys/devices/system/node ---- */
int cpu_probe(struct mq_cpus *ret);

/*
 * "path: what went wrong" for a /proc file a parser refused: the cap it
 * passed (-EFBIG: file_max bytes or the kernel's line count; -E2BIG: a
 * line), or sysfs_strerror()'s words.
 */
void probe_file_error(char *buf, size_t len, const char *path, int err, size_t file_max);

/* ---- probes/cpustat.c: /proc/softirqs, /proc/stat, /proc/net/softnet_stat - */
/* The most of each of the three files read: more is -EFBIG. */
#define MQ_PROC_CPUSTAT_MAX (4U << 20)
/*
 * Parsers fill cnt[0..n) (indexed by CPU id; CPUs >= n are ignored), only
 * their own fields, and only on success; a CPU the file does not list gets
 * MQ_NA. -EINVAL: not that file (no header, no NET_ row, no cpuN line, not
 * hex rows, a NUL byte); -EFBIG: more lines than the kernel writes for
 * MQ_MAX_CPUS CPUs, or more than MQ_PROC_CPUSTAT_MAX bytes; -E2BIG: a line
 * longer than the kernel writes (for the CPUs in the header); -ENOMEM.
 * Memory follows n and the CPUs the file lists.
 */
int cpustat_parse_softirqs(FILE *f, struct mq_cpu_counters *cnt, unsigned n);
int cpustat_parse_stat(FILE *f, struct mq_cpu_counters *cnt, unsigned n);
/*
 * Rows without a CPU id (kernels before 5.10) are the online CPUs in order:
 * used only if online (may be NULL) has as many CPUs as the file has rows.
 */
int cpustat_parse_softnet(FILE *f, const struct mq_cpuset *online, struct mq_cpu_counters *cnt,
			  unsigned n);
/*
 * All three through the sysfs root into c->cpu[].cnt (every field first
 * MQ_NA). Returns how many of the three files were read, or the -errno of
 * the first failure when none was. The first failure other than a missing
 * file is said in err (may be NULL), "" if none.
 */
int cpustat_read(struct mq_cpus *c, char *err, size_t errlen);
/* The same through files kept open (files may be NULL: cpustat_read). */
int cpustat_read_with(struct mq_cpus *c, struct probe_files *files, char *err, size_t errlen);

/* ---- probes/interrupts.c: /proc/interrupts ------------------------------- */
/* The most of /proc/interrupts read: more is -EFBIG (a line too long: -E2BIG). */
#define MQ_PROC_INTERRUPTS_MAX (32U << 20)
struct irq_line {
	unsigned irq;              /* numeric IRQs only; NMI:, LOC:, ERR: ... are skipped */
	char name[MQ_NAME_MAX];    /* action name(s), may contain spaces and commas */
	uint64_t total;
	uint32_t first, ncounts;   /* its counts: table counts[first ..], one per column it has */
};
struct irq_table {
	unsigned ncpus;            /* highest CPU id in the header + 1 */
	int *col_cpu;              /* header column -> CPU id, -1 nobody's (a repeat, not possible) */
	unsigned ncols;
	uint32_t *counts;          /* every line's counts, in column order */
	size_t ncounts;
	unsigned n;
	struct irq_line *lines;    /* sorted by irq */
};
/*
 * Parse a whole /proc/interrupts. Odd lines are skipped, never fatal. CPU
 * ids from max_cpus on (the possible CPUs; 0: MQ_MAX_CPUS) are nobody's.
 * Memory follows the text: counts of the columns each line has. -EINVAL: no
 * header; -EFBIG: more than MQ_PROC_INTERRUPTS_MAX bytes or 2^17 IRQ lines;
 * -E2BIG: a line longer than the header's columns allow.
 */
int interrupts_parse(FILE *f, unsigned max_cpus, struct irq_table *ret);
int interrupts_read(unsigned max_cpus, struct irq_table *ret); /* sysfs root + /proc/interrupts */
void interrupts_free(struct irq_table *t);
const struct irq_line *interrupts_find(const struct irq_table *t, unsigned irq);
/* l's count on one CPU, MQ_NA if the header or the line has none. */
uint64_t interrupts_count(const struct irq_table *t, const struct irq_line *l, unsigned cpu);
/* l's counts into per_cpu[0..n), indexed by CPU id, MQ_NA where none (l NULL: all). */
void interrupts_per_cpu(const struct irq_table *t, const struct irq_line *l, uint64_t *per_cpu,
			unsigned n);
/* /proc/irq/N/smp_affinity_list and effective_affinity_list into irq, interned in sets. */
int irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq);

/* ---- probes/irqmap.c: which IRQs belong to which queue ------------------- */
/*
 * Fill nic->irqs and queues[].irq_rx/irq_tx from the device's msi_irqs (or
 * the driver's IRQ naming when there is no msi_irqs), names classified by the
 * driver table (core/driver.h). nic->queues must already be allocated. Sets
 * nic->irqmap_source.
 */
int irqmap_by_names(struct mq_nic *nic, const struct irq_table *t);

/* ---- probes/platform.c: DMI, CPUID, containers, neighbouring tools ------- */
/* CPUID of this machine unless the sysfs root is a fixture tree. */
int platform_probe(struct mq_platform *ret);
/* One CPUID leaf into regs (eax ebx ecx edx); false where there is none. */
typedef bool (*platform_cpuid_fn)(uint32_t leaf, uint32_t regs[4]);
bool platform_cpuid_native(uint32_t leaf, uint32_t regs[4]); /* x86; false elsewhere */
/*
 * irqbalance's /proc/PID/cmdline (len bytes, NUL-separated) into
 * p->irqbalance_policy, _nbanirq, _banirq, _banirq_more, read the way its
 * getopt_long reads them. Pure. -EINVAL if there is no argument at all.
 */
int platform_parse_irqbalance_cmdline(const char *buf, size_t len, struct mq_platform *p);
/* platform_probe with this CPUID (NULL: none). */
int platform_probe_with(platform_cpuid_fn cpuid, struct mq_platform *ret);
/*
 * What the CPUID hypervisor leaves say. 1 if leaf 1 says a hypervisor is
 * present, with its name ("" when the signature is not one we know) and the
 * 0x40000000 signature (printable, NULs cut); 0 if not (outputs untouched).
 */
int platform_cpuid_hypervisor(platform_cpuid_fn cpuid, char ret_name[32], char ret_sig[13]);

/* ---- probes/link.c: rtnetlink links (libnl-3) + sysfs -------------------- */
/*
 * Every link with ifindex, name, kind, mtu, operstate, admin_up, allocated queues, xdp,
 * has_device; driver and bus_info (ETHTOOL_GDRVINFO). Caller filters, then reads
 * the queues of those it keeps (link_queues_read); link_get reads them too.
 */
int link_list(struct mq_nl *nl, struct mq_nic **ret, unsigned *ret_n);
int link_get(struct mq_nl *nl, const char *ifname, struct mq_nic *ret);
/* The ETHTOOL_GDRVINFO driver of ifname into ret (len bytes), or -errno. */
int link_driver_get(struct mq_nl *nl, const char *ifname, char *ret, size_t len);
/*
 * One RTM_NEWLINK or RTM_DELLINK message (nlmsg_len bytes readable) into ret: ifindex, name,
 * kind, mtu, operstate, admin_up, allocated queues, xdp; the rest zero / MQ_NA / -1.
 * Pure. -EINVAL if it is not a link message or has no name.
 */
int link_parse(const struct nlmsghdr *nlh, struct mq_nic *ret);
/* (Re)read /sys/class/net/X/queues: counts, xps_cpus, rps_cpus. */
int link_queues_read(struct mq_nic *nic);
/* One active queue's XPS (tx) or RPS (rx) mask into ret: 0, or -errno (ret may be clobbered). */
int link_queue_mask_read(const char *ifname, bool tx, unsigned q, struct mq_cpuset *ret);
/* /sys/class/net/X/statistics/ files into nic totals. */
int link_stats_read(struct mq_nic *nic);
/*
 * Device totals of every NIC of s from one RTM_GETSTATS dump of the 64-bit link
 * stats (an RTM_GETLINK dump before Linux 4.7; the same numbers as the sysfs
 * files, link_list fills them the same way). NICs not in the dump are left
 * alone. Returns the number of NICs filled, or -errno.
 */
int link_stats_dump(struct mq_nl *nl, struct mq_snapshot *s);
/*
 * One RTM_NEWSTATS message with IFLA_STATS_LINK_64 into ret->ifindex and the
 * six totals (the rest of ret untouched). Pure. -EINVAL if it is not one.
 */
int link_stats_parse(const struct nlmsghdr *nlh, struct mq_nic *ret);

/* ---- probes/ethtool.c: channels over ethtool netlink, ioctl fallback ----- */
int ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret);
/* Parse one ETHTOOL_MSG_CHANNELS_GET_REPLY or _NTF (genl message). Pure. */
int ethtool_channels_parse(const struct nlmsghdr *nlh, struct mq_channels *ret);
/* The device an ethtool message is about (its header nest). */
struct ethtool_dev {
	int ifindex;
	char name[IF_NAMESIZE]; /* "" when the message carries none */
};
/* Pure. 0, or -EINVAL (malformed, or no ifindex > 0). */
int ethtool_header_parse(const struct nlmsghdr *nlh, struct ethtool_dev *ret);

/* ---- probes/rss.c: RSS indirection table over ethtool netlink, ioctl fallback */
/* Fills ret (a new heap table) or says why not in ret->err; -EOPNOTSUPP: no RSS. */
int ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret);
/*
 * Parse one ETHTOOL_MSG_RSS_GET_REPLY (genl message) of context 0. Pure but
 * allocates ret->indir (free with rss_free). -EINVAL if malformed or another
 * context, -EFBIG if the table has more than MQ_RSS_INDIR_MAX entries.
 */
int ethtool_rss_parse(const struct nlmsghdr *nlh, struct mq_rss *ret);

/* ---- probes/ethstats.c: `ethtool -S` via ioctl, names by core/driver.h -- */
/*
 * Fill the per-queue columns still missing (nic_counters_missing) that the
 * driver has keys for, and credit them to STATS_ETHTOOL; no ioctl when there
 * are none. Returns the number of counters found, or -errno.
 */
int ethstats_read(struct mq_nl *nl, struct mq_nic *nic);
/*
 * The pure half: n keys (ETH_GSTRING_LEN bytes each, not NUL-terminated) and
 * their values into nic->queues[], only columns in cols (STATS_COL_BIT),
 * keys matched by driver row d. Returns the number of counters written.
 */
int ethstats_fill(struct mq_nic *nic, const struct mq_driver *d, unsigned cols, const char *keys,
		  const uint64_t *vals, uint32_t n);

/* ---- probes/netdev.c: netdev generic netlink ----------------------------- */
/*
 * (probes/netdev_irq.c) queue-get + napi-get: queue -> napi -> irq. Returns 1
 * if mapping found, 0 if the driver fills none, -EOPNOTSUPP without the
 * netdev family (kernel < 6.8 has no queue-get either: also -EOPNOTSUPP).
 */
int netdev_irqmap(struct mq_nl *nl, struct mq_nic *nic, const struct irq_table *t);
/*
 * The second half of netdev_irqmap(): per-queue IRQ numbers (-1 none, nqueues
 * entries each) into nic->irqs, queues[].irq_rx/irq_tx, names and per-CPU
 * counts from t (may be NULL), affinity via irq_affinity_read(). 1 if any
 * queue has an IRQ, else 0 and nic untouched.
 */
int netdev_irqmap_build(struct mq_nic *nic, const int *rx_irq, const int *tx_irq,
			const struct irq_table *t);
/* qstats-get dump, scope queue, for every NIC of the snapshot. Returns NICs filled or -errno. */
int netdev_qstats_read(struct mq_nl *nl, struct mq_snapshot *s);
/* One NETDEV_CMD_QSTATS_GET reply (scope queue), parsed. Counters absent: MQ_NA. */
struct netdev_qstat {
	int ifindex;
	int type;                /* 0 RX, 1 TX (netdev_queue_type) */
	unsigned queue;
	uint64_t rx_packets, rx_bytes, rx_hw_drops, rx_alloc_fail;
	uint64_t tx_packets, tx_bytes, tx_hw_drops;
};
/* Pure. 0, or -EINVAL (not a qstats reply, no ifindex/type/id, or a value not 4/8 bytes). */
int netdev_qstats_parse(const struct nlmsghdr *nlh, struct netdev_qstat *ret);
/* One NETDEV_CMD_QUEUE_GET reply: ifindex, queue id, type, napi id (-1 none). Pure. */
struct netdev_queue_info {
	int ifindex;
	unsigned id;
	int type;
	int napi_id;
};
int netdev_queue_parse(const struct nlmsghdr *nlh, struct netdev_queue_info *ret);
/* One NETDEV_CMD_NAPI_GET reply: ifindex, napi id, irq (-1 none). Pure. */
struct netdev_napi_info {
	int ifindex;
	int id;
	int irq;
};
int netdev_napi_parse(const struct nlmsghdr *nlh, struct netdev_napi_info *ret);

/* ---- probes/snapshot.c: the whole pass ----------------------------------- */
struct probe_opts {
	char **ifnames;   /* NICs named by the user: always included */
	unsigned nifnames;
	bool all;         /* include purely virtual links too */
	const char *const *extra; /* with no ifnames: also include these (config sections) */
	unsigned nextra;
	bool no_cpu_load;  /* leave the per-CPU load counters MQ_NA: nothing computes rates */
};
int snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret);
/*
 * Whether snapshot_take() takes the link: a name given, else a config
 * section's (extra), else a device (has_device) or, with all, any link but lo.
 */
bool probe_selects(const struct probe_opts *o, const char *name, bool has_device);
/*
 * Re-read only counters into s: per-queue counters (qstats, then ethtool -S
 * for the columns still missing), device totals (one dump), the per-CPU
 * counts of the NICs' IRQs (/proc/interrupts, only when there are any) and
 * the per-CPU load counters. Returns 0, or the -errno of /proc/interrupts.
 */
int snapshot_sample(struct mq_nl *nl, struct mq_snapshot *s);
/* What snapshot_sample_with() reads besides the per-queue counters (bits). */
enum {
	SAMPLE_TOTALS = 1 << 0,   /* device totals (MQ_NA without) */
	SAMPLE_IRQS = 1 << 1,     /* per-CPU counts of the NICs' IRQs (left as they were without) */
	SAMPLE_CPU_LOAD = 1 << 2, /* per-CPU load counters (left as they were without) */
	SAMPLE_ALL = SAMPLE_TOTALS | SAMPLE_IRQS | SAMPLE_CPU_LOAD,
};
/*
 * The same, only what the caller shows (what), with the /proc files kept
 * open in files (may be NULL): the daemon's every interval.
 */
int snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
			 struct mq_snapshot *s);
