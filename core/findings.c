// SPDX-License-Identifier: MIT
/*
 * Findings: what is wrong with a snapshot and what to do about it. Pure: no
 * I/O, no logging; the caller renders them (text report, JSON, metrics).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/findings.h"

/*
 * RX imbalance thresholds. Below RX_IMBALANCE_MIN_PPS the device is close to
 * idle and a handful of packets (ARP, one ssh session) always sits on one
 * queue: no finding. Above it, one queue carrying more than
 * RX_IMBALANCE_SHARE of the RX packets with 3+ active queues (more than
 * RX_IMBALANCE_SHARE_2Q with 2, where 60% is ordinary hashing luck) is worth
 * a note; RX_IMBALANCE_WARN and more is a warning.
 */
#define RX_IMBALANCE_MIN_PPS 1000.0
#define RX_IMBALANCE_SHARE 0.60
#define RX_IMBALANCE_SHARE_2Q 0.90
#define RX_IMBALANCE_WARN 0.90

static const char *const severity_table[_SEV_MAX] = {
	[SEV_INFO] = "info",
	[SEV_WARNING] = "warning",
	[SEV_ERROR] = "error",
};

static const char *const finding_code_table[_FIND_CODE_MAX] = {
	[FIND_CHANNELS_BELOW_TARGET] = "channels_below_target",
	[FIND_DEVICE_FEWER_QUEUES] = "device_fewer_queues",
	[FIND_IRQS_STACKED] = "irqs_stacked",
	[FIND_IRQ_SHARED_VECTOR] = "irq_shared_vector",
	[FIND_RX_IMBALANCE] = "rx_imbalance",
	[FIND_IRQBALANCE_RUNNING] = "irqbalance_running",
	[FIND_XDP_BLOCKS_CHANNELS] = "xdp_blocks_channels",
	[FIND_XPS_MISMATCH] = "xps_mismatch",
	[FIND_CHANNELS_UNKNOWN] = "channels_unknown",
};

const char *severity_to_string(enum finding_severity s)
{
	return (unsigned)s < _SEV_MAX && severity_table[s] ? severity_table[s] : "invalid";
}

const char *finding_code_to_string(enum finding_code c)
{
	return (unsigned)c < _FIND_CODE_MAX && finding_code_table[c] ? finding_code_table[c] : "invalid";
}

void cpus_usable(const struct mq_cpus *c, const struct mq_config *cfg, struct mq_cpuset *ret)
{
	struct mq_cpuset s, excl;

	cpuset_or(&excl, &c->isolated, &c->nohz_full);
	if (cfg)
		cpuset_or(&excl, &excl, &cfg->banned_cpus);
	cpuset_andnot(&s, &c->online, &excl);
	if (cpuset_empty(&s) && cfg)
		cpuset_andnot(&s, &c->online, &cfg->banned_cpus);
	if (cpuset_empty(&s))
		s = c->online;
	*ret = s;
}

struct ctx {
	const struct mq_snapshot *now, *before;
	const struct mq_config *cfg;
	struct mq_cpuset usable;
	unsigned nusable;
	struct mq_finding *f;
	unsigned n, cap;
};

static struct mq_finding *add(struct ctx *x, enum finding_severity sev, enum finding_code code,
			      const char *ifname)
{
	struct mq_finding *f;

	if (x->n >= x->cap)
		return NULL; /* cannot happen: cap is one of each code per NIC */
	f = &x->f[x->n++];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	f->code = code;
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname ? ifname : "");
	return f;
}

/* A CPU list for a message; "N CPUs" if it does not fit. */
static const char *cpus_str(const struct mq_cpuset *s, char *buf, size_t len)
{
	if (cpuset_format_list(s, buf, len) < 0)
		snprintf(buf, len, "%u CPUs", cpuset_count(s));
	return buf;
}

static const char *plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static bool streq_ci(const char *a, const char *b) { return strcasecmp(a, b) == 0; }

static bool contains_ci(const char *hay, const char *needle) { return strcasestr(hay, needle) != NULL; }

/* Device maximum of queue pairs: channels max, else the allocated queues; 0 unknown. */
static unsigned nic_queues_max(const struct mq_nic *n)
{
	const struct mq_channels *c = &n->ch;

	if (c->source != CHANNELS_NONE) {
		if (c->combined_max)
			return c->combined_max;
		if (c->rx_max && c->tx_max)
			return c->rx_max < c->tx_max ? c->rx_max : c->tx_max;
		if (c->rx_max || c->tx_max)
			return c->rx_max > c->tx_max ? c->rx_max : c->tx_max;
	}
	return n->num_rx_queues ? n->num_rx_queues : n->num_tx_queues;
}

/* Queues in use: the channel count, else the active sysfs queues. */
static unsigned nic_queues_active(const struct mq_nic *n)
{
	const struct mq_channels *c = &n->ch;

	if (c->source != CHANNELS_NONE) {
		if (c->combined_max)
			return c->combined;
		if (c->rx_max && c->tx_max)
			return c->rx < c->tx ? c->rx : c->tx;
		if (c->rx_max || c->tx_max)
			return c->rx > c->tx ? c->rx : c->tx;
	}
	return n->real_rx_queues > n->real_tx_queues ? n->real_rx_queues : n->real_tx_queues;
}

static const struct mq_if_config *if_config(const struct ctx *x, const char *ifname)
{
	static const struct mq_if_config dflt = {
		.queues_mode = QUEUES_AUTO, .irq_affinity = true, .xps = true, .rps = false,
	};
	const struct mq_if_config *c = x->cfg ? config_for(x->cfg, ifname) : NULL;

	return c ? c : &dflt;
}

/* Channels the config asks for, given the device max (> 0). */
static unsigned nic_target(const struct ctx *x, const struct mq_if_config *ic, unsigned max)
{
	unsigned t;

	switch (ic->queues_mode) {
	case QUEUES_MAX:
		t = max;
		break;
	case QUEUES_N:
		t = ic->queues ? ic->queues : 1;
		break;
	case QUEUES_AUTO:
	default:
		t = x->nusable ? x->nusable : 1;
		break;
	}
	return t < max ? t : max;
}

static bool is_queue_role(enum mq_irq_role r)
{
	return r == IRQ_ROLE_RX || r == IRQ_ROLE_TX || r == IRQ_ROLE_RXTX;
}

/*
 * The one CPU an IRQ lands on, or -1 when unknown or spread over several.
 * An effective CPU outside the requested set means a move is pending: x86
 * without interrupt remapping moves an MSI at its next interrupt, so right
 * after --apply an idle queue's IRQ still shows its old CPU (seen on 6.1 and
 * 6.12 guests). Judge the request then, or a fresh apply looks stacked.
 */
static int irq_cpu(const struct mq_irq *i)
{
	const struct mq_cpuset *s = i->has_effective ? &i->effective : NULL;
	struct mq_cpuset outside;

	if (s && i->has_affinity) {
		cpuset_andnot(&outside, s, &i->affinity);
		if (!cpuset_empty(&outside))
			s = &i->affinity;
	}
	if (!s && i->has_affinity)
		s = &i->affinity;

	if (!s || cpuset_count(s) != 1)
		return -1;
	return cpuset_next(s, 0);
}

/* ---- one check each ------------------------------------------------------ */

/* Platform queue limits users meet (FIELD-NOTES): past them only a bigger shape helps. */
#define AWS_ENA_MAX_QUEUES 32u
#define GCE_GVNIC_MAX_QUEUES 16u
#define GCE_VIRTIO_MAX_QUEUES 32u

static unsigned cap(unsigned v, unsigned max) { return v < max ? v : max; }

/* Emulated NIC models with one queue: the fix is another model, not a setting. */
static bool single_queue_model(const char *driver)
{
	static const char *const models[] = {"e1000", "8139cp", "8139too", "ne2k-pci", "pcnet32", "tulip"};

	for (size_t i = 0; i < sizeof(models) / sizeof(models[0]); i++)
		if (streq_ci(driver, models[i]))
			return true;
	return false;
}

/* The host-side setting that gives the device `want` queues. Returns false if none exists. */
static bool host_fix(const struct ctx *x, const struct mq_nic *n, unsigned max, unsigned want,
		     char *buf, size_t len)
{
	const struct mq_platform *p = &x->now->platform;

	if (streq_ci(p->cloud, "aws") || streq_ci(n->driver, "ena")) {
		if (max >= AWS_ENA_MAX_QUEUES) {
			snprintf(buf, len, "none: AWS ENA allows at most %u queues per ENI "
				 "(spread traffic over more ENIs)", AWS_ENA_MAX_QUEUES);
			return false;
		}
		snprintf(buf, len,
			 "host side: AWS ENA gives one queue per vCPU up to the instance type's limit "
			 "(8-32 per ENI): choose a larger instance type for more queues");
	} else if (streq_ci(n->driver, "gve")) {
		if (max >= GCE_GVNIC_MAX_QUEUES) {
			snprintf(buf, len, "none: GCE gVNIC allows at most %u queues per NIC "
				 "(add NICs to spread traffic)", GCE_GVNIC_MAX_QUEUES);
			return false;
		}
		snprintf(buf, len,
			 "host side: GCE gVNIC allows up to %u queues per NIC: set queue-count=%u on the "
			 "network interface at instance creation", GCE_GVNIC_MAX_QUEUES,
			 cap(want, GCE_GVNIC_MAX_QUEUES));
	} else if (streq_ci(p->cloud, "gce")) {
		if (max >= GCE_VIRTIO_MAX_QUEUES) {
			snprintf(buf, len, "none: GCE virtio-net allows at most %u queues per NIC",
				 GCE_VIRTIO_MAX_QUEUES);
			return false;
		}
		snprintf(buf, len,
			 "host side: GCE virtio-net allows up to %u queues: set queue-count=%u on the "
			 "network interface at instance creation", GCE_VIRTIO_MAX_QUEUES,
			 cap(want, GCE_VIRTIO_MAX_QUEUES));
	} else if (single_queue_model(n->driver)) {
		snprintf(buf, len,
			 "host side: %s is a single-queue NIC model: use virtio-net with queues: qemu "
			 "-netdev tap,queues=%u -device virtio-net-pci,mq=on,vectors=%u; libvirt "
			 "<model type='virtio'/><driver queues='%u'/>", n->driver, want, 2 * want + 2, want);
	} else if (streq_ci(p->cloud, "azure") || streq_ci(p->hypervisor, "hyperv") ||
		   streq_ci(n->driver, "hv_netvsc") || streq_ci(n->driver, "mana")) {
		snprintf(buf, len, "host side: on Hyper-V/Azure the queue count follows the VM size: "
			 "resize the VM for more queues");
	} else if (contains_ci(p->sys_vendor, "nanos") || contains_ci(p->product_name, "nanos")) {
		snprintf(buf, len, "host side: raise `io-queues` to %u in the Nanos config "
			 "(capped at the vCPU count)", want);
	} else if (streq_ci(n->driver, "virtio_net") || streq_ci(p->hypervisor, "kvm") ||
		   contains_ci(p->sys_vendor, "qemu")) {
		snprintf(buf, len,
			 "host side: qemu -netdev tap,queues=%u -device virtio-net-pci,mq=on,vectors=%u; "
			 "libvirt <driver queues='%u'/>; VMmanager: interface `queues` or preset "
			 "`iface_queues` (virtio only, <= vCPUs)", want, 2 * want + 2, want);
	} else {
		snprintf(buf, len, "host side: give the device %u queues (the guest cannot add queues "
			 "the device does not offer)", want);
	}
	return true;
}

static void check_channels(struct ctx *x, const struct mq_nic *n, const struct mq_if_config *ic)
{
	unsigned max = nic_queues_max(n), active = nic_queues_active(n), target;
	struct mq_finding *f;

	if (n->ch.source == CHANNELS_NONE) {
		/* lo, bridges, tunnels: no device queues to manage, nothing to report. */
		if (!n->has_device)
			return;
		f = add(x, SEV_INFO, FIND_CHANNELS_UNKNOWN, n->name);
		if (!f)
			return;
		if (n->ch.errmsg[0] && n->ch.err && strcmp(n->ch.errmsg, strerror(-n->ch.err)) == 0)
			snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s", n->name,
				 n->ch.errmsg);
		else if (n->ch.errmsg[0])
			snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s (%s)",
				 n->name, n->ch.errmsg, strerror(n->ch.err ? -n->ch.err : EIO));
		else
			snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s",
				 n->name, n->ch.err ? strerror(-n->ch.err) : "not queried");
		if (n->ch.err == -EOPNOTSUPP)
			snprintf(f->fix, sizeof(f->fix),
				 "none in the guest: driver %s has no channel control, the queue count "
				 "is fixed by the device", n->driver[0] ? n->driver : "(unknown)");
		else
			snprintf(f->fix, sizeof(f->fix),
				 "channel control needs ethtool netlink (Linux 5.7+) or the SIOCETHTOOL "
				 "ioctl; check `ethtool -l %s`", n->name);
		return; /* without channels, neither the target nor XDP can be judged */
	}
	if (!max)
		return;
	target = nic_target(x, ic, max);

	if (active < target) {
		f = add(x, SEV_WARNING, FIND_CHANNELS_BELOW_TARGET, n->name);
		if (f) {
			snprintf(f->message, sizeof(f->message),
				 "%s uses %u of %u %s; %u %s usable", n->name, active, max,
				 plural(max, "queue", "queues"), x->nusable, plural(x->nusable, "vCPU", "vCPUs"));
			snprintf(f->fix, sizeof(f->fix),
				 "%srun `mqbalance --apply` (sets %u channels)",
				 n->xdp ? "detach XDP, then " : "", target);
		}
	}
	if (n->xdp && active != target) {
		bool virtio = streq_ci(n->driver, "virtio_net");

		f = add(x, SEV_WARNING, FIND_XDP_BLOCKS_CHANNELS, n->name);
		if (f) {
			snprintf(f->message, sizeof(f->message),
				 "%s has an XDP program attached and %u of target %u channels: %s",
				 n->name, active, target,
				 virtio ? "virtio_net refuses channel changes while XDP is attached (EINVAL)"
					: "drivers often refuse or limit channel changes while XDP is attached");
			snprintf(f->fix, sizeof(f->fix),
				 "detach XDP first (`ip link set dev %s xdp off`), run `mqbalance --apply`, "
				 "then reattach", n->name);
		}
	}
}

static void check_device_max(struct ctx *x, const struct mq_nic *n)
{
	unsigned max = nic_queues_max(n);
	struct mq_finding *f;

	/* Virtual links have no host-side queue setting to name. */
	if (!max || !n->has_device || n->kind[0] || max >= x->nusable)
		return;
	f = add(x, 2 * max <= x->nusable ? SEV_WARNING : SEV_INFO, FIND_DEVICE_FEWER_QUEUES, n->name);
	if (!f)
		return;
	if (!host_fix(x, n, max, x->nusable, f->fix, sizeof(f->fix)))
		f->severity = SEV_INFO; /* at the platform's limit: nothing to do but know it */
	snprintf(f->message, sizeof(f->message),
		 "%s: device offers at most %u %s (%s); %u %s usable", n->name, max,
		 plural(max, "queue", "queues"), n->ch.source != CHANNELS_NONE ? "channels max" : "allocated",
		 x->nusable, plural(x->nusable, "vCPU", "vCPUs"));
}

static void check_shared(struct ctx *x, const struct mq_nic *n)
{
	unsigned want = nic_queues_max(n);
	const struct mq_irq *sh = NULL;
	struct mq_finding *f;

	if (!n->irq_shared || (want < 2 && n->nqueues < 2 && x->nusable < 2))
		return;
	if (want < n->nqueues)
		want = n->nqueues;
	if (want < 1)
		want = 1;
	for (unsigned i = 0; n->irqs && i < n->nirqs; i++)
		if (n->irqs[i].role == IRQ_ROLE_SHARED) {
			sh = &n->irqs[i];
			break;
		}
	f = add(x, SEV_WARNING, FIND_IRQ_SHARED_VECTOR, n->name);
	if (!f)
		return;
	if (sh)
		snprintf(f->message, sizeof(f->message),
			 "%s: every queue shares one interrupt vector (IRQ %u %s): it cannot be spread "
			 "over CPUs", n->name, sh->irq, sh->name);
	else
		snprintf(f->message, sizeof(f->message),
			 "%s: every queue shares one interrupt vector: it cannot be spread over CPUs",
			 n->name);
	snprintf(f->fix, sizeof(f->fix),
		 "host side: give the device more MSI-X vectors (2N+2 for N queues): qemu "
		 "-device virtio-net-pci,mq=on,vectors=%u", 2 * want + 2);
}

struct cpu_queue {
	int cpu, key;
	bool managed;
};

static int cpu_queue_cmp(const void *a, const void *b)
{
	const struct cpu_queue *x = a, *y = b;

	if (x->cpu != y->cpu)
		return x->cpu < y->cpu ? -1 : 1;
	return x->key < y->key ? -1 : x->key > y->key;
}

static void check_stacked(struct ctx *x, const struct mq_nic *n)
{
	struct cpu_queue *cq;
	unsigned ncq = 0, worst_load = 0;
	int worst = -1;
	bool all_managed = true;
	struct mq_cpuset idle;
	struct mq_finding *f;
	char cpus[96];

	if (n->irq_shared || n->nirqs < 2 || !n->irqs)
		return; /* a shared vector has its own finding */
	cq = calloc(n->nirqs, sizeof(*cq));
	if (!cq)
		return;
	for (unsigned i = 0; i < n->nirqs; i++) {
		const struct mq_irq *irq = &n->irqs[i];
		int cpu = irq_cpu(irq);

		if (!is_queue_role(irq->role) || cpu < 0)
			continue;
		/* input.N and output.N of one queue on one CPU is intended: count queues. */
		cq[ncq++] = (struct cpu_queue){cpu, irq->queue >= 0 ? irq->queue : -1 - (int)i, irq->managed};
	}
	qsort(cq, ncq, sizeof(*cq), cpu_queue_cmp);
	idle = x->usable;
	for (unsigned i = 0; i < ncq;) {
		unsigned j = i, load = 0;
		bool managed = true;

		for (; j < ncq && cq[j].cpu == cq[i].cpu; j++) {
			if (j == i || cq[j].key != cq[j - 1].key)
				load++;
			managed = managed && cq[j].managed;
		}
		cpuset_clear(&idle, (unsigned)cq[i].cpu);
		if (load > worst_load) {
			worst_load = load;
			worst = cq[i].cpu;
			all_managed = managed;
		}
		i = j;
	}
	free(cq);
	if (worst < 0 || worst_load < 2 || cpuset_empty(&idle))
		return;
	f = add(x, SEV_WARNING, FIND_IRQS_STACKED, n->name);
	if (!f)
		return;
	snprintf(f->message, sizeof(f->message),
		 "%s: IRQs of %u queues land on CPU %d while usable %s %s %s none", n->name,
		 worst_load, worst, plural(cpuset_count(&idle), "CPU", "CPUs"),
		 cpus_str(&idle, cpus, sizeof(cpus)), plural(cpuset_count(&idle), "has", "have"));
	if (all_managed)
		snprintf(f->fix, sizeof(f->fix),
			 "none from user space: these IRQs are kernel-managed (writes fail with EIO)");
	else
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply` to spread queue IRQs one per CPU");
}

static void check_xps(struct ctx *x, const struct mq_nic *n)
{
	unsigned ntx = 0, nempty = 0, nwrong = 0;
	int first_wrong = -1;
	bool has_queue_irqs = false;
	struct mq_finding *f;

	if (n->real_tx_queues < 2 || !n->queues)
		return;
	for (unsigned i = 0; n->irqs && i < n->nirqs; i++)
		has_queue_irqs = has_queue_irqs || is_queue_role(n->irqs[i].role) ||
				 n->irqs[i].role == IRQ_ROLE_SHARED;
	/* veth and friends: no IRQ placement for XPS to follow. */
	if (!has_queue_irqs)
		return;
	for (unsigned q = 0; q < n->nqueues; q++) {
		const struct mq_queue *qu = &n->queues[q];
		int idx = qu->irq_tx >= 0 ? qu->irq_tx : qu->irq_rx;
		int cpu;

		if (!qu->has_tx || !qu->has_xps)
			continue;
		ntx++;
		if (cpuset_empty(&qu->xps)) {
			nempty++;
			continue;
		}
		/* With one shared vector, XPS has no IRQ placement to follow. */
		if (n->irq_shared || !n->irqs || idx < 0 || (unsigned)idx >= n->nirqs)
			continue;
		cpu = irq_cpu(&n->irqs[idx]);
		if (cpu >= 0 && !cpuset_isset(&qu->xps, (unsigned)cpu)) {
			if (first_wrong < 0)
				first_wrong = (int)q;
			nwrong++;
		}
	}
	if (!ntx || (nempty < ntx && !nwrong))
		return;
	f = add(x, SEV_INFO, FIND_XPS_MISMATCH, n->name);
	if (!f)
		return;
	if (nempty == ntx)
		snprintf(f->message, sizeof(f->message),
			 "%s: XPS is empty on all %u TX queues: transmit queue choice ignores the CPU",
			 n->name, ntx);
	else
		snprintf(f->message, sizeof(f->message),
			 "%s: XPS of %u TX %s (first: tx-%d) does not include the CPU of the queue's IRQ",
			 n->name, nwrong, plural(nwrong, "queue", "queues"), first_wrong);
	snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply` (xps = yes) to set XPS from the IRQ placement");
}

static double interval_of(const struct mq_snapshot *now, const struct mq_snapshot *before)
{
	return (double)(now->taken.tv_sec - before->taken.tv_sec) +
	       (double)(now->taken.tv_nsec - before->taken.tv_nsec) / 1e9;
}

static void check_imbalance(struct ctx *x, const struct mq_nic *n)
{
	const struct mq_nic *b;
	uint64_t total = 0, top = 0;
	unsigned active = 0, top_q = 0;
	double secs, pps, share, limit;
	struct mq_finding *f;

	if (!x->before || n->real_rx_queues < 2 || !n->queues)
		return;
	secs = interval_of(x->now, x->before);
	b = snapshot_find_nic(x->before, n->ifindex);
	if (secs <= 0 || !b || !b->queues)
		return;
	for (unsigned q = 0; q < n->nqueues && q < b->nqueues; q++) {
		uint64_t a = n->queues[q].rx_packets, p = b->queues[q].rx_packets;

		if (!n->queues[q].has_rx || a == MQ_NA || p == MQ_NA || a < p)
			continue;
		if (a - p) {
			active++;
			total += a - p;
		}
		if (a - p > top) {
			top = a - p;
			top_q = q;
		}
	}
	pps = (double)total / secs;
	if (!total || pps < RX_IMBALANCE_MIN_PPS)
		return;
	share = (double)top / (double)total;
	limit = n->real_rx_queues == 2 ? RX_IMBALANCE_SHARE_2Q : RX_IMBALANCE_SHARE;
	if (share <= limit)
		return;
	f = add(x, share >= RX_IMBALANCE_WARN && n->real_rx_queues > 2 ? SEV_WARNING : SEV_INFO,
		FIND_RX_IMBALANCE, n->name);
	if (!f)
		return;
	snprintf(f->message, sizeof(f->message),
		 "%s: rx-%u carries %.0f%% of %.0f RX packets/s over %.1f s (%u of %u RX queues had traffic)",
		 n->name, top_q, share * 100, pps, secs, active, n->real_rx_queues);
	snprintf(f->fix, sizeof(f->fix),
		 "RSS hashes flows to queues: few flows use few queues. Check `ethtool -x %s` and "
		 "`ethtool -n %s rx-flow-hash udp4`; or spread in software with rps = yes", n->name, n->name);
}

static void check_irqbalance(struct ctx *x)
{
	struct mq_finding *f;
	char cpus[128];

	if (x->now->platform.irqbalance_pid <= 0)
		return;
	f = add(x, SEV_WARNING, FIND_IRQBALANCE_RUNNING, NULL);
	if (!f)
		return;
	snprintf(f->message, sizeof(f->message),
		 "irqbalance is running (pid %ld): it rescans every 10 s and moves queue IRQs back",
		 (long)x->now->platform.irqbalance_pid);
	snprintf(f->fix, sizeof(f->fix),
		 "`systemctl disable --now irqbalance`, or ban mqbalance's CPUs: "
		 "IRQBALANCE_BANNED_CPULIST=%s in /etc/default/irqbalance",
		 cpus_str(&x->usable, cpus, sizeof(cpus)));
}

int findings_build(const struct mq_snapshot *now, const struct mq_snapshot *before,
		   const struct mq_config *cfg, struct mq_finding **ret, unsigned *ret_n)
{
	struct ctx x = {.now = now, .before = before, .cfg = cfg};

	if (!now || !ret || !ret_n || (now->nnics && !now->nics))
		return -EINVAL;
	if (now->nnics > (1u << 20))
		return -E2BIG;
	x.cap = (now->nnics + 1) * _FIND_CODE_MAX;
	x.f = calloc(x.cap, sizeof(*x.f));
	if (!x.f)
		return -ENOMEM;
	cpus_usable(&now->cpus, cfg, &x.usable);
	x.nusable = cpuset_count(&x.usable);

	check_irqbalance(&x);
	for (unsigned i = 0; i < now->nnics; i++) {
		const struct mq_nic *n = &now->nics[i];
		const struct mq_if_config *ic = if_config(&x, n->name);

		if (ic->exclude)
			continue;
		check_channels(&x, n, ic);
		check_device_max(&x, n);
		check_shared(&x, n);
		if (ic->irq_affinity)
			check_stacked(&x, n);
		check_imbalance(&x, n);
		if (ic->xps)
			check_xps(&x, n);
	}
	*ret = x.f;
	*ret_n = x.n;
	return 0;
}
