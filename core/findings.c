// SPDX-License-Identifier: MIT
/*
 * Findings, read off the assessment: a finding whose fix is `mqbalance
 * --apply` comes from a plan item that changes something; what the plan
 * leaves alone on purpose is an info finding that says why. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/assess.h"
#include "core/driver.h"
#include "core/findings.h"
#include "core/findings_int.h"
#include "core/rates.h"

struct mq_finding *finding_add(struct ctx *x, enum finding_severity sev, enum finding_code code,
			      enum finding_fix fix, const char *ifname)
{
	struct mq_finding *f;

	if (x->n >= x->cap) {
		unsigned cap = x->cap ? x->cap * 2 : 16;

		f = realloc(x->f, cap * sizeof(*f));
		if (!f) {
			x->oom = true;
			return NULL;
		}
		x->f = f;
		x->cap = cap;
	}
	f = &x->f[x->n++];
	memset(f, 0, sizeof(*f));
	f->severity = sev;
	f->code = code;
	f->fix_kind = fix;
	f->check = x->check;
	snprintf(f->ifname, sizeof(f->ifname), "%s", ifname ? ifname : "");
	return f;
}

/* A CPU list for a message; "N CPUs" if it does not fit. */
const char *finding_cpus(const struct mq_cpuset *s, char *buf, size_t len)
{
	if (cpuset_format_list(s, buf, len) < 0)
		snprintf(buf, len, "%u CPUs", cpuset_count(s));
	return buf;
}

const char *finding_plural(unsigned n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

/* The NIC's items of one kind: [*first, *end). */
const struct plan_item *finding_items(const struct ctx *x, const struct mq_nic_verdict *v,
					enum plan_kind kind, unsigned *ret_changes, unsigned *ret_held)
{
	const struct plan_item *first = NULL;
	unsigned changes = 0, held = 0;

	for (unsigned i = v->first; i < v->first + v->count && i < x->a->plan.n; i++) {
		const struct plan_item *it = &x->a->plan.items[i];

		if (it->kind != kind)
			continue;
		if (it->change && !first)
			first = it;
		changes += it->change;
		held += it->hold != HOLD_NONE;
	}
	if (ret_changes)
		*ret_changes = changes;
	if (ret_held)
		*ret_held = held;
	return first;
}

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
	[FIND_CHANNELS_ABOVE_TARGET] = "channels_above_target",
	[FIND_QUEUES_CLAMPED] = "queues_clamped",
	[FIND_IRQS_PENDING] = "irqs_pending",
	[FIND_IRQS_MANAGED] = "irqs_managed",
	[FIND_RPS_PENDING] = "rps_pending",
	[FIND_CPUS_FALLBACK] = "cpus_fallback",
	[FIND_CPU_SOFTIRQ_BUSY] = "cpu_softirq_busy",
	[FIND_SOFTNET_DROPS] = "softnet_drops",
	[FIND_SOFTNET_SQUEEZE] = "softnet_squeeze",
	[FIND_CONFIG_UNMATCHED] = "config_unmatched",
	[FIND_RSS_LEAVES_OUT] = "rss_leaves_out",
	[FIND_RSS_UNEVEN] = "rss_uneven",
};

static const char *const finding_fix_table[_FIX_MAX] = {
	[FIX_NONE] = "none",
	[FIX_APPLY] = "apply",
	[FIX_HOST] = "host",
	[FIX_ADMIN] = "admin",
};

#define LOOKUP(table, v) ((unsigned)(v) < sizeof(table) / sizeof((table)[0]) && (table)[v] ? (table)[v] : "invalid")

const char *severity_to_string(enum finding_severity s) { return LOOKUP(severity_table, s); }
const char *finding_code_to_string(enum finding_code c) { return LOOKUP(finding_code_table, c); }
const char *finding_fix_to_string(enum finding_fix f) { return LOOKUP(finding_fix_table, f); }

/*
 * The one CPU an IRQ lands on, or -1 when unknown or spread over several.
 * An effective CPU outside the requested set means a move is pending: x86
 * without interrupt remapping moves an MSI at its next interrupt, so right
 * after --apply an idle queue's IRQ still shows its old CPU (seen on 6.1 and
 * 6.12 guests). Judge the request then, or a fresh apply looks stacked.
 */
static int landing_cpu(const struct mq_irq *i)
{
	const struct mq_cpuset *s;
	CPUSET_DEFINE(outside);

	if (i->has_effective) {
		s = i->effective;
		if (i->has_affinity) {
			cpuset_andnot(outside, s, i->affinity);
			if (!cpuset_empty(outside))
				s = i->affinity;
		}
	} else if (i->has_affinity) {
		s = i->affinity;
	} else {
		return -1;
	}
	if (cpuset_count(s) != 1)
		return -1;
	return cpuset_next(s, 0);
}

/* ---- one check each ------------------------------------------------------ */

static void check_channels_unknown(struct ctx *x, const struct mq_nic *n)
{
	struct mq_finding *f = finding_add(x, SEV_INFO, FIND_CHANNELS_UNKNOWN, FIX_NONE, n->name);

	if (!f)
		return;
	if (n->ch.errmsg[0] && n->ch.err && strcmp(n->ch.errmsg, strerror(-n->ch.err)) == 0)
		snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s", n->name,
			 n->ch.errmsg);
	else if (n->ch.errmsg[0])
		snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s (%s)", n->name,
			 n->ch.errmsg, strerror(n->ch.err ? -n->ch.err : EIO));
	else
		snprintf(f->message, sizeof(f->message), "%s: channel counts unknown: %s", n->name,
			 n->ch.err ? strerror(-n->ch.err) : "not queried");
	if (n->ch.err == -EOPNOTSUPP) {
		snprintf(f->fix, sizeof(f->fix),
			 "none in the guest: driver %s has no channel control, the queue count is fixed "
			 "by the device", n->driver[0] ? n->driver : "(unknown)");
	} else {
		f->fix_kind = FIX_ADMIN;
		snprintf(f->fix, sizeof(f->fix),
			 "channel control needs ethtool netlink (Linux 5.7+) or the SIOCETHTOOL ioctl; "
			 "check `ethtool -l %s`", n->name);
	}
}

/* "1 of 4 queues", or "rx 4, tx 16 of 16 channels" for rx/tx-only devices (gve). */
static const char *usage(const struct mq_channels *c, char *buf, size_t len)
{
	if (c->combined_max)
		snprintf(buf, len, "%u of %u %s", c->combined, c->combined_max,
			 finding_plural(c->combined_max, "queue", "queues"));
	else
		snprintf(buf, len, "rx %u, tx %u of %u channels", c->rx, c->tx,
			 c->rx_max > c->tx_max ? c->rx_max : c->tx_max);
	return buf;
}

static void check_channels(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v,
			   const struct mq_if_config *ic)
{
	const struct plan_item *it = assess_item(x->a, v, PLAN_CHANNELS);
	struct mq_finding *f;
	char why[96], buf[96];

	if (n->ch.source == CHANNELS_NONE) {
		/* lo, bridges, tunnels: no device queues to manage, nothing to report. */
		if (n->has_device)
			check_channels_unknown(x, n);
		return; /* without channels, neither the target nor XDP can be judged */
	}
	if (!it)
		return;
	if (ic->queues_mode == QUEUES_N)
		snprintf(why, sizeof(why), "queues = %u", ic->queues);
	else if (ic->queues_mode == QUEUES_MAX)
		snprintf(why, sizeof(why), "queues = max");
	else
		snprintf(why, sizeof(why), "%u %s usable", x->a->nusable,
			 finding_plural(x->a->nusable, "vCPU", "vCPUs"));
	if (it->change) {
		bool up = it->ch_target.combined > it->ch_current.combined ||
			  it->ch_target.rx > it->ch_current.rx || it->ch_target.tx > it->ch_current.tx;

		f = finding_add(x, up ? SEV_WARNING : SEV_INFO,
			up ? FIND_CHANNELS_BELOW_TARGET : FIND_CHANNELS_ABOVE_TARGET, FIX_APPLY, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message), "%s uses %s; target %u (%s)", n->name,
			 usage(&n->ch, buf, sizeof(buf)), v->queues_target, why);
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply` (sets %u channels)",
			 v->queues_target);
	} else if (it->hold == HOLD_XDP) {
		f = finding_add(x, SEV_INFO, FIND_XDP_BLOCKS_CHANNELS, FIX_ADMIN, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s uses %s (%s), left alone: an XDP program is attached and %s refuses "
			 "channel changes while it is (EINVAL)", n->name, usage(&n->ch, buf, sizeof(buf)),
			 why, n->driver);
		snprintf(f->fix, sizeof(f->fix),
			 "detach XDP first (`ip link set dev %s xdp off`), run `mqbalance --apply`, then "
			 "reattach", n->name);
	}
	if (v->clamped_cpus || v->clamped_device) {
		f = finding_add(x, SEV_INFO, FIND_QUEUES_CLAMPED, FIX_ADMIN, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message), "%s: %s asks for more than the %s%s%s allow%s: "
			 "using %u", n->name, why,
			 v->clamped_cpus ? "usable vCPUs" : "",
			 v->clamped_cpus && v->clamped_device ? " and " : "",
			 v->clamped_device ? "device maximum" : "",
			 v->clamped_cpus && v->clamped_device ? "" : "s",
			 it->change ? v->queues_target : v->queues_active);
		snprintf(f->fix, sizeof(f->fix), "none needed; to silence this, set queues = auto (or "
			 "at most %u) in [%s] of the config",
			 v->queues_wanted < x->a->nusable ? v->queues_wanted
			 : x->a->nusable < v->queues_max ? x->a->nusable : v->queues_max, n->name);
	}
}

static void check_device_max(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	unsigned max = v->queues_max, nusable = x->a->nusable;
	struct mq_finding *f;

	/* Virtual links have no host-side queue setting to name. */
	if (!max || !n->has_device || n->kind[0] || max >= nusable)
		return;
	f = finding_add(x, 2 * max <= nusable ? SEV_WARNING : SEV_INFO, FIND_DEVICE_FEWER_QUEUES, FIX_HOST,
		n->name);
	if (!f)
		return;
	if (!driver_host_fix(&x->a->now->platform, n, max, nusable, f->fix, sizeof(f->fix))) {
		f->severity = SEV_INFO; /* at the platform's limit: nothing to do but know it */
		f->fix_kind = FIX_NONE;
	}
	snprintf(f->message, sizeof(f->message), "%s: device offers at most %u %s (%s); %u %s usable",
		 n->name, max, finding_plural(max, "queue", "queues"),
		 n->ch.source != CHANNELS_NONE ? "channels max" : "allocated", nusable,
		 finding_plural(nusable, "vCPU", "vCPUs"));
}

static void check_shared(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	unsigned want = v->queues_max;
	const struct mq_irq *sh = NULL;
	struct mq_finding *f;

	if (!n->irq_shared || (want < 2 && n->nqueues < 2 && x->a->nusable < 2))
		return;
	if (want < n->nqueues)
		want = n->nqueues;
	if (want < 1)
		want = 1;
	for (unsigned i = 0; n->irqs && i < n->nirqs && !sh; i++)
		if (n->irqs[i].role == IRQ_ROLE_SHARED)
			sh = &n->irqs[i];
	f = finding_add(x, SEV_WARNING, FIND_IRQ_SHARED_VECTOR, FIX_HOST, n->name);
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

/*
 * The CPU carrying the IRQs of the most active queues, and the usable CPUs
 * carrying none. Returns that load in queues (input.N and output.N of one
 * queue on one CPU are one queue), 0 on no memory.
 */
static unsigned stacking(struct ctx *x, const struct mq_nic *n, unsigned active, int *ret_cpu,
			 struct mq_cpuset *ret_idle)
{
	int *cpu = calloc(active ? active : 1, sizeof(*cpu));
	unsigned worst = 0;

	*ret_cpu = -1;
	cpuset_copy(ret_idle, x->a->usable);
	if (!cpu) {
		x->oom = true; /* not "nothing stacked": findings_build() says -ENOMEM */
		return 0;
	}
	for (unsigned q = 0; q < active; q++) {
		unsigned idx[8], k = nic_queue_irqs(n, q, idx, 8);

		cpu[q] = -1;
		for (unsigned i = 0; i < k && cpu[q] < 0; i++)
			cpu[q] = landing_cpu(&n->irqs[idx[i]]);
		if (cpu[q] >= 0)
			cpuset_clear(ret_idle, (unsigned)cpu[q]);
	}
	for (unsigned q = 0; q < active; q++) {
		unsigned load = 0;

		for (unsigned p = q; p < active && cpu[q] >= 0; p++)
			load += cpu[p] == cpu[q];
		if (load > worst) {
			worst = load;
			*ret_cpu = cpu[q];
		}
	}
	free(cpu);
	return worst;
}

static void check_irqs(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v,
		       const struct mq_if_config *ic)
{
	unsigned changes, held, load;
	const struct plan_item *first = finding_items(x, v, PLAN_IRQ_AFFINITY, &changes, &held);
	CPUSET_DEFINE(idle);
	struct mq_finding *f;
	char cpus[96], a[64], b[64];
	int worst;

	if (n->irq_shared || !n->irqs)
		return; /* a shared vector has its own finding */
	load = n->nirqs < 2 ? 0 : stacking(x, n, v->queues_active, &worst, idle);
	if (load >= 2 && !cpuset_empty(idle) && (changes || held || !ic->irq_affinity)) {
		f = finding_add(x, changes ? SEV_WARNING : SEV_INFO, FIND_IRQS_STACKED,
			changes ? FIX_APPLY : held ? FIX_NONE : FIX_ADMIN, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s: IRQs of %u queues land on CPU %d while usable %s %s %s none", n->name, load,
			 worst, finding_plural(cpuset_count(idle), "CPU", "CPUs"), finding_cpus(idle, cpus, sizeof(cpus)),
			 finding_plural(cpuset_count(idle), "has", "have"));
		if (changes)
			snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply` to spread queue IRQs one "
				 "per CPU (%u %s to move)", changes, finding_plural(changes, "IRQ", "IRQs"));
		else if (held)
			snprintf(f->fix, sizeof(f->fix), "none from user space: these IRQs are "
				 "kernel-managed (writes fail with EIO)");
		else
			snprintf(f->fix, sizeof(f->fix), "irq_affinity = off in the config leaves them; "
				 "set irq_affinity = spread to have mqbalance spread them");
		return;
	}
	if (changes) {
		f = finding_add(x, SEV_INFO, FIND_IRQS_PENDING, FIX_APPLY, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s: %u queue %s not on the CPU the plan gives %s (first: queue %d irq %d on "
			 "CPU %s, planned %s)", n->name, changes, finding_plural(changes, "IRQ is", "IRQs are"),
			 finding_plural(changes, "it", "them"), first->queue, first->irq,
			 first->has_current ? finding_cpus(first->current, a, sizeof(a)) : "?",
			 finding_cpus(first->target, b, sizeof(b)));
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply`");
	}
	if (held) {
		f = finding_add(x, SEV_INFO, FIND_IRQS_MANAGED, FIX_NONE, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s: %u queue %s kernel-managed: the kernel places %s, mqbalance leaves %s alone",
			 n->name, held, finding_plural(held, "IRQ is", "IRQs are"), finding_plural(held, "it", "them"),
			 finding_plural(held, "it", "them"));
		snprintf(f->fix, sizeof(f->fix), "none from user space (writes fail with EIO)");
	}
}

static void check_masks(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	unsigned changes, ntx = 0, nempty = 0;
	const struct plan_item *first = finding_items(x, v, PLAN_XPS, &changes, NULL);
	struct mq_finding *f;

	if (changes) {
		for (unsigned i = v->first; i < v->first + v->count; i++) {
			const struct plan_item *it = &x->a->plan.items[i];

			if (it->kind != PLAN_XPS)
				continue;
			ntx++;
			nempty += cpuset_empty(it->current);
		}
		f = finding_add(x, SEV_INFO, FIND_XPS_MISMATCH, FIX_APPLY, n->name);
		if (!f)
			return;
		if (nempty == ntx)
			snprintf(f->message, sizeof(f->message),
				 "%s: XPS is empty on all %u TX queues: transmit queue choice ignores the "
				 "CPU", n->name, ntx);
		else
			snprintf(f->message, sizeof(f->message),
				 "%s: XPS of %u TX %s (first: tx-%d) does not follow the queues' CPUs",
				 n->name, changes, finding_plural(changes, "queue", "queues"), first->queue);
		snprintf(f->fix, sizeof(f->fix),
			 "run `mqbalance --apply` (xps = yes) to set XPS from the IRQ placement");
	}
	first = finding_items(x, v, PLAN_RPS, &changes, NULL);
	if (changes) {
		char a[64], b[64];

		f = finding_add(x, SEV_INFO, FIND_RPS_PENDING, FIX_APPLY, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s: RPS of %u RX %s differs from the plan (first: rx-%d %s, planned %s)", n->name,
			 changes, finding_plural(changes, "queue", "queues"), first->queue,
			 cpuset_empty(first->current) ? "none" : finding_cpus(first->current, a, sizeof(a)),
			 cpuset_empty(first->target) ? "none" : finding_cpus(first->target, b, sizeof(b)));
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply` (rps = %s)",
			 cpuset_empty(first->target) ? "off: clears RPS" : "on");
	}
}

void check_machine(struct ctx *x)
{
	const struct mq_platform *p = &x->a->now->platform;
	struct mq_finding *f;
	unsigned *owned, loose = 0;
	char cpus[128];
	int n;

	if (x->a->usable_fallback) {
		f = finding_add(x, SEV_INFO, FIND_CPUS_FALLBACK, FIX_ADMIN, NULL);
		if (f) {
			snprintf(f->message, sizeof(f->message),
				 "every online CPU is banned, isolated or nohz_full: queue IRQs use %s",
				 finding_cpus(x->a->usable, cpus, sizeof(cpus)));
			snprintf(f->fix, sizeof(f->fix), "leave at least one CPU out of banned_cpus "
				 "(and the kernel's isolcpus= / nohz_full=)");
		}
	}
	if (p->irqbalance_pid <= 0)
		return;
	/*
	 * irqbalance goes on balancing every other IRQ; it only has to leave
	 * the queue IRQs mqbalance places alone: our policy script (installed
	 * with its drop-in) or a --banirq for each. Then there is nothing to say.
	 */
	n = assess_owned_irqs(x->a, &owned);
	if (n < 0) {
		x->oom = true;
		return;
	}
	for (int i = 0; i < n && !p->irqbalance_policy_ours; i++) {
		bool banned = false;

		for (unsigned k = 0; k < p->irqbalance_nbanirq && !banned; k++)
			banned = p->irqbalance_banirq[k] == owned[i];
		loose += !banned;
	}
	free(owned);
	if (loose == 0)
		return;
	f = finding_add(x, SEV_WARNING, FIND_IRQBALANCE_RUNNING, FIX_ADMIN, NULL);
	if (!f)
		return;
	if (*p->irqbalance_policy) {
		snprintf(f->message, sizeof(f->message),
			 "irqbalance (pid %ld) runs with the policy script %.100s, not mqbalance's: "
			 "it may move %u queue IRQs mqbalance places",
			 (long)p->irqbalance_pid, p->irqbalance_policy, loose);
		snprintf(f->fix, sizeof(f->fix),
			 "irqbalance takes the last --policyscript: drop yours from IRQBALANCE_ARGS, or "
			 "make it a directory holding yours and a link `mqbalance` to mqbalance's "
			 "irqbalance-policy; then `systemctl restart irqbalance`");
		return;
	}
	snprintf(f->message, sizeof(f->message),
		 "irqbalance (pid %ld) runs without mqbalance's policy script: every 10 s it may "
		 "move the %u queue IRQs mqbalance places",
		 (long)p->irqbalance_pid, loose);
	snprintf(f->fix, sizeof(f->fix),
		 "install irqbalance.service.d/mqbalance.conf (`make install`), then `systemctl "
		 "daemon-reload && systemctl restart irqbalance`: it goes on balancing every other IRQ");
}

/* A typo in a section name would otherwise leave that NIC on the defaults, silently. */
void check_config(struct ctx *x)
{
	unsigned idx[MQ_IFS_MAX], n = config_unmatched(x->cfg, x->a->now, idx, MQ_IFS_MAX);

	for (unsigned i = 0; i < n && i < MQ_IFS_MAX; i++) {
		const struct mq_section *sec = &x->cfg->sections[idx[i]];
		struct mq_finding *f = finding_add(x, SEV_INFO, FIND_CONFIG_UNMATCHED, FIX_ADMIN, NULL);
		char name[64];

		if (!f)
			return;
		snprintf(f->message, sizeof(f->message), "section %s (%s:%u) matches no interface on "
			 "this machine", config_section_str(sec, name, sizeof(name)),
			 config_section_file(x->cfg, sec), sec->line);
		snprintf(f->fix, sizeof(f->fix), "check the name or driver against `ip link` and "
			 "`ethtool -i IFACE`, or remove the section");
	}
}

void check_layout(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	const struct mq_if_config icv = config_for(x->cfg, n->name, n->driver), *ic = &icv;

	check_channels(x, n, v, ic);
	check_device_max(x, n, v);
	check_shared(x, n, v);
	check_irqs(x, n, v, ic);
	check_masks(x, n, v);
	check_rss(x, n, v, &icv);
}
