/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The one data model: a probe pass fills a struct mq_snapshot; the planner,
 * the findings and every renderer (text, JSON, Prometheus) only read it.
 * Fields may be appended; keep them plain data (no pointers into libnl).
 */

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

#include "core/cpuset.h"

/* A counter the source does not have: rendered "-" / null, never 0. */
#define MQ_NA UINT64_MAX

#define MQ_NAME_MAX 64
#define MQ_ERRMSG_MAX 160

/* ---- CPUs ---------------------------------------------------------------- */

/*
 * Per-CPU counters since boot, MQ_NA where the source does not list the CPU
 * (offline CPUs have no /proc/stat line and no softnet_stat row) or the file
 * was unreadable. The softirq and softnet counters are 32-bit in the kernel
 * and wrap; core/cpuload.c turns a pair of snapshots into rates.
 */
struct mq_cpu_counters {
	uint64_t net_rx, net_tx;      /* /proc/softirqs NET_RX, NET_TX */
	/* /proc/stat cpuN, USER_HZ ticks: total = user+nice+system+idle+iowait+irq+softirq+steal
	 * (guest time is already inside user and nice) */
	uint64_t ticks_total, ticks_irq, ticks_softirq, ticks_steal;
	/* /proc/net/softnet_stat: packets processed, dropped (backlog full), time_squeeze */
	uint64_t softnet_processed, softnet_dropped, softnet_squeezed;
};

struct mq_cpu {
	int id;
	bool present, online;
	int core;     /* topology/core_id, -1 unknown */
	int package;  /* topology/physical_package_id, -1 unknown */
	int node;     /* NUMA node, -1 unknown */
	int l3;       /* L3 group: lowest CPU of cache/index3/shared_cpu_list, -1 unknown */
	int smt_rank; /* 0 for the first thread of its core, 1.. for its siblings */
	struct mq_cpu_counters cnt; /* load counters since boot (probes/cpustat.c) */
};

struct mq_cpus {
	/*
	 * Entries in cpu[]: highest present or online CPU id + 1. A CPU that is
	 * only possible (a hotplug slot) has nothing to describe, so 8,192
	 * possible CPUs with 4 present cost 4 entries.
	 */
	unsigned n;
	struct mq_cpu *cpu;   /* indexed by CPU id */
	const struct mq_cpuset *possible, *present, *online, *isolated, *nohz_full; /* in sets */
	struct cpuset_pool sets;
	unsigned nr_cpu_ids;  /* mask width the kernel expects (possible max + 1) */
	unsigned n_online, n_nodes, n_cores, n_l3;
	bool smt_active;      /* any online core has >1 online thread */
};

/* ---- IRQs ---------------------------------------------------------------- */

enum mq_irq_role {
	IRQ_ROLE_RX,     /* virtio input.N, ...-rx-N */
	IRQ_ROLE_TX,     /* virtio output.N, ...-tx-N */
	IRQ_ROLE_RXTX,   /* one vector per queue pair: ENA Tx-Rx-N, gve ntfy-blk, Intel TxRx-N, mlx5 compN */
	IRQ_ROLE_CONFIG, /* virtio config, ENA mgmnt, mlx5 async: left alone */
	IRQ_ROLE_SHARED, /* virtio "virtqueues": every queue on one vector, cannot be spread */
	IRQ_ROLE_OTHER,
	_IRQ_ROLE_MAX,
};
const char *irq_role_to_string(enum mq_irq_role r);

struct mq_irq {
	unsigned irq;
	char name[MQ_NAME_MAX]; /* action name(s) from /proc/interrupts */
	enum mq_irq_role role;
	int queue;              /* queue index, -1 when not bound to one queue */
	uint64_t total;         /* sum over CPUs, MQ_NA if the IRQ vanished */
	uint64_t *per_cpu;      /* indexed by CPU id, n_per_cpu entries; MQ_NA for CPUs not listed */
	unsigned n_per_cpu;
	const struct mq_cpuset *affinity, *effective; /* smp_affinity_list, effective_affinity_list (nic->sets) */
	bool has_affinity, has_effective;
	bool managed;           /* known kernel-managed (EIO on write); set by the applier */
};

/* ---- NICs ---------------------------------------------------------------- */

enum mq_channels_source { CHANNELS_NONE, CHANNELS_NETLINK, CHANNELS_IOCTL, _CHANNELS_SOURCE_MAX };
const char *channels_source_to_string(enum mq_channels_source s);

/* A channel type is supported iff its *_max is > 0 (absent attribute = 0). */
struct mq_channels {
	enum mq_channels_source source; /* CHANNELS_NONE: unknown, see err/errmsg */
	uint32_t rx, tx, other, combined;
	uint32_t rx_max, tx_max, other_max, combined_max;
	int err;                        /* -errno of the last failed query */
	char errmsg[MQ_ERRMSG_MAX];     /* the kernel's words (extack) if any */
};

/* Where per-queue counters come from, in the order they are tried. */
enum mq_stats_source { STATS_NONE, STATS_QSTATS, STATS_ETHTOOL, _STATS_SOURCE_MAX };
const char *stats_source_to_string(enum mq_stats_source s);

/*
 * The per-queue counter columns (struct mq_queue). Each is taken whole from
 * the first source that has it: qstats, then `ethtool -S` for the columns
 * qstats left out (virtio_net 6.10+: packets and bytes in qstats, drops only
 * in ethtool -S).
 */
enum mq_stats_col {
	STATS_COL_RX_PACKETS, STATS_COL_RX_BYTES, STATS_COL_RX_DROPS,
	STATS_COL_TX_PACKETS, STATS_COL_TX_BYTES, STATS_COL_TX_DROPS,
	_STATS_COL_MAX,
};
const char *stats_col_to_string(enum mq_stats_col c); /* "rx_packets", ... */
#define STATS_COL_BIT(c) (1u << (c))
#define STATS_COLS_ALL ((1u << _STATS_COL_MAX) - 1)

/* Why per-queue counters are missing, when it is known. */
enum mq_counters_missing {
	COUNTERS_MISSING_NONE, /* nothing missing, or no reason known (the driver lacks it) */
	COUNTERS_MISSING_DOWN, /* qstats are dumped only for an interface that is up */
	_COUNTERS_MISSING_MAX,
};
/* The reason as a short sentence for people (JSON, text); NULL for COUNTERS_MISSING_NONE. */
const char *counters_missing_to_string(enum mq_counters_missing m);

enum mq_irqmap_source { IRQMAP_NONE, IRQMAP_NETDEV, IRQMAP_NAMES, _IRQMAP_SOURCE_MAX };
const char *irqmap_source_to_string(enum mq_irqmap_source s);

/*
 * The RSS indirection table of the device's main context: entry i names the
 * RX queue that takes flows whose hash falls in bucket i. ethtool netlink
 * RSS_GET (Linux 6.2+), else the ETHTOOL_GRSSH ioctl. No RSS is a normal
 * answer: -EOPNOTSUPP (veth, e1000), or a read with no table (n 0: virtio_net
 * without the device's RSS feature, qemu rss=off).
 */
enum mq_rss_source { RSS_NONE, RSS_NETLINK, RSS_IOCTL, _RSS_SOURCE_MAX };
const char *rss_source_to_string(enum mq_rss_source s);

/* Tables larger than this are not read (err -EFBIG): virtio, ENA, netvsc have 128, ice 2048. */
#define MQ_RSS_INDIR_MAX 8192

struct mq_rss {
	enum mq_rss_source source;  /* RSS_NONE: not read, see err/errmsg */
	uint32_t n;                 /* table entries; 0: the device has no table (a key only) */
	uint32_t *indir;            /* n queue numbers (heap, freed by nic_free), NULL when n == 0 */
	uint32_t key_size;          /* hash key bytes, 0 if none */
	uint32_t hfunc;             /* ETH_RSS_HASH_* bits (1 toeplitz, 2 xor, 4 crc32), 0 unknown */
	int err;                    /* -errno of the failed read; -EOPNOTSUPP: no RSS */
	char errmsg[MQ_ERRMSG_MAX]; /* the kernel's words (extack) or strerror */
};

struct mq_queue {
	unsigned index;
	bool has_rx, has_tx;          /* rx-N / tx-N active (sysfs queue dirs) */
	uint64_t rx_packets, rx_bytes, rx_drops;  /* MQ_NA when the source lacks it */
	uint64_t tx_packets, tx_bytes, tx_drops;
	const struct mq_cpuset *xps, *rps; /* tx-N/xps_cpus, rx-N/rps_cpus (nic->sets) */
	bool has_xps, has_rps;        /* file readable (xps needs CONFIG_XPS and mq) */
	int napi_id;                  /* netdev netlink, -1 unknown */
	int irq_rx, irq_tx;           /* indices into nic->irqs, -1 none; equal for one vector per pair */
};

struct mq_nic {
	int ifindex;
	char name[IF_NAMESIZE];
	char driver[32];        /* ETHTOOL_GDRVINFO driver, "" unknown */
	char bus_info[64];      /* ETHTOOL_GDRVINFO bus_info, e.g. 0000:00:03.0 */
	char operstate[16];     /* "up", "down", ... */
	char kind[16];          /* rtnetlink IFLA_INFO_KIND ("veth", ...), "" for hardware */
	unsigned mtu;
	bool has_device;        /* /sys/class/net/X/device exists: a real NIC */
	bool xdp;               /* an XDP program is attached */
	int numa_node;          /* device NUMA node, -1 unknown */
	unsigned num_tx_queues, num_rx_queues;   /* allocated: IFLA_NUM_TX/RX_QUEUES */
	unsigned real_tx_queues, real_rx_queues; /* active: sysfs queues/tx-N, rx-N */
	struct mq_channels ch;
	enum mq_stats_source stats_source;
	enum mq_irqmap_source irqmap_source;
	bool irq_shared;        /* one "virtqueues" vector for every queue */
	char irq_prefix[32];    /* e.g. "virtio2" — what the IRQ names were matched on */
	unsigned nqueues;       /* max(real_rx, real_tx) */
	struct mq_queue *queues;
	unsigned nirqs;
	struct mq_irq *irqs;    /* the device's IRQs, queue IRQs first by queue then role */
	/* whole-device counters from /sys/class/net/X/statistics (MQ_NA if unreadable) */
	uint64_t rx_packets, tx_packets, rx_bytes, tx_bytes, rx_dropped, tx_dropped;
	char errmsg[MQ_ERRMSG_MAX]; /* first probe problem for this NIC, "" if none */
	int64_t tuned_since;    /* unix time mqbalance first changed it this boot (state file), 0 never */
	struct mq_rss rss;      /* full probe only (snapshot_take), not re-read by snapshot_sample */
	bool admin_up;          /* IFF_UP: qstats exist only while it is set */
	/*
	 * Per column, the source that gave it (STATS_NONE: no source has it);
	 * stats_source above is the main one: the first source that gave any.
	 */
	enum mq_stats_source col_source[_STATS_COL_MAX];
	enum mq_counters_missing counters_missing;
	struct cpuset_pool sets; /* its IRQs' and queues' CPU sets; nic_free frees them */
};

/* ---- the machine --------------------------------------------------------- */

/* How mqbalance's irqbalance policy script's path ends, whatever the PREFIX. */
#define MQ_IRQBALANCE_POLICY_NAME "/mqbalance/irqbalance-policy"
#define MQ_BANIRQ_MAX 32

struct mq_platform {
	char sys_vendor[64];    /* /sys/class/dmi/id/sys_vendor */
	char product_name[64];
	char hypervisor[32];    /* "kvm", "xen", "hyperv", "vmware", "" none/unknown */
	char cloud[32];         /* "aws", "gce", "azure", "openstack", "" unknown */
	pid_t irqbalance_pid;   /* 0 if not running */
	/*
	 * hypervisor also: "qemu" (TCG), "virtualbox", "bhyve", "acrn", "parallels",
	 * "qnx", "jailhouse". virtualized: any sign of one, named or not (the
	 * cpuinfo "hypervisor" flag names none). hypervisor_source: what said so,
	 * "dmi", "sysfs" (/sys/hypervisor/type), "cpuid", "cpuinfo", "" nothing.
	 */
	bool virtualized;
	char hypervisor_source[16];
	char cpuid_signature[13];   /* CPUID 0x40000000 vendor, NULs cut, "" not read */
	/*
	 * Inside a container: "docker", "podman", "lxc", "systemd-nspawn",
	 * "openvz", "wsl", "kubernetes", or what the manager calls itself;
	 * "" not a container (as far as we can tell). container_source: the file
	 * that said so, e.g. "/run/systemd/container", "/.dockerenv".
	 */
	char container[32];
	char container_source[48];
	/*
	 * What the running irqbalance was told on its command line
	 * (/proc/PID/cmdline, parsed as its getopt_long would): the
	 * --policyscript / -l path (the last one wins, "" none), whether that is
	 * mqbalance's script (a path ending in MQ_IRQBALANCE_POLICY_NAME, or a
	 * policy directory with an entry "mqbalance") and the --banirq / -i
	 * numbers (the first MQ_BANIRQ_MAX; banirq_more: there were more).
	 */
	char irqbalance_policy[128];
	bool irqbalance_policy_ours;
	unsigned irqbalance_nbanirq;
	unsigned irqbalance_banirq[MQ_BANIRQ_MAX];
	bool irqbalance_banirq_more;
};

/* A link the probe saw, selected or not: what config sections are matched against. */
struct mq_link_id {
	char name[IF_NAMESIZE];
	char driver[32];        /* ETHTOOL_GDRVINFO driver, "" unknown */
};

struct mq_snapshot {
	struct timespec taken;  /* CLOCK_MONOTONIC at the end of the probe */
	struct mq_cpus cpus;
	struct mq_platform platform;
	unsigned nnics;
	struct mq_nic *nics;
	unsigned nlinks;        /* every link, in nics or not */
	struct mq_link_id *links;
	bool have_ethtool_nl, have_netdev_nl, have_qstats;
	bool unprivileged;      /* read without CAP_NET_ADMIN (set by agent/): some readings may be refused */
	char errmsg[MQ_ERRMSG_MAX]; /* first machine-wide file not read ("/proc/interrupts: ..."), "" if none */
};

void snapshot_free(struct mq_snapshot *s);
/* Every counter MQ_NA (unknown). */
void cpu_counters_clear(struct mq_cpu_counters *c);
void nic_free(struct mq_nic *n);
void cpu_free(struct mq_cpus *c);
void rss_free(struct mq_rss *r); /* frees the table (n = 0), keeps the rest */
const struct mq_nic *snapshot_find_nic(const struct mq_snapshot *s, int ifindex);

/* ---- reading the model: one answer for every caller ---------------------- */

/* An IRQ that serves one queue (RX, TX or both), as opposed to config/other. */
bool irq_role_is_queue(enum mq_irq_role r);
/* Is n->irqs[i] one of some queue's IRQs? */
bool nic_irq_is_queue(const struct mq_nic *n, unsigned i);
/* Indices into n->irqs of queue q's IRQs, deduplicated, in n->irqs order. Returns the count. */
unsigned nic_queue_irqs(const struct mq_nic *n, unsigned q, unsigned *ret, unsigned max);
/* Where an IRQ lands: the effective affinity, else the requested one, else NULL. */
const struct mq_cpuset *irq_cpus(const struct mq_irq *irq);
/* The lowest CPU of irq_cpus() within usable (NULL: any), -1 if unknown. */
int irq_cpu(const struct mq_irq *irq, const struct mq_cpuset *usable);
/*
 * Queue counts, one answer for the planner, the findings and the renderers:
 * the device maximum (channels max, the larger of rx/tx for rx/tx-only NICs;
 * else the allocated queues; 0 unknown) and what is in use (the channel
 * count, else the active sysfs queues).
 */
unsigned nic_queues_max(const struct mq_nic *n);
unsigned nic_queues_active(const struct mq_nic *n);
/* Column c of a queue: its value (MQ_NA for no such column), or where it is stored (NULL). */
uint64_t queue_counter(const struct mq_queue *q, enum mq_stats_col c);
uint64_t *queue_counter_ptr(struct mq_queue *q, enum mq_stats_col c);
/* The columns (STATS_COL_BIT) that are MQ_NA on every queue: no source gave them. */
unsigned nic_counters_missing(const struct mq_nic *n);
/*
 * After reading from src: every column still without a source that now has
 * a value is src's; the main stats_source becomes src if it had none. Call
 * once per source, in the order they are tried, after nic_counters_reset().
 */
void nic_counters_credit(struct mq_nic *n, enum mq_stats_source src);
/* Every per-queue counter MQ_NA, no source, no reason: before a new read. */
void nic_counters_reset(struct mq_nic *n);
/* Why columns are still missing after every source was read (have_qstats: the dump worked). */
enum mq_counters_missing nic_counters_explain(const struct mq_nic *n, bool have_qstats);
bool nic_is_loopback(const struct mq_nic *n);
/*
 * The readings refused for lack of privilege (EPERM/EACCES) as
 * "eth0 channels, eth1 queues", into buf. Returns how many.
 */
unsigned snapshot_denied(const struct mq_snapshot *s, char *buf, size_t len);
