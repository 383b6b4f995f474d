// SPDX-License-Identifier: MIT
/*
 * Findings on the work, not only the layout: a CPU busy in softirq next to
 * an idle one, softnet drops and squeezes, an RX queue that carries most
 * packets, and an RSS table that leaves active queues out. Pure.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/driver.h"
#include "core/findings_int.h"
#include "core/rates.h"
#include "core/rss.h"

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

/*
 * A usable CPU at least CPU_BUSY in softirq while another usable one is
 * below CPU_IDLE: the receive work lands on too few CPUs. Softnet squeezes
 * below SQUEEZE_MIN per second are the ordinary end of a busy poll.
 */
#define CPU_BUSY 0.50
#define CPU_IDLE 0.10
#define SQUEEZE_MIN 1.0

/* rss_nic_analyse(); no memory is not "no table": findings_build() says -ENOMEM. */
static int analyse(struct ctx *x, const struct mq_nic *n, struct rss_spread *ret)
{
	int r = rss_nic_analyse(n, ret);

	if (r == -ENOMEM)
		x->oom = true;
	return r;
}

void check_imbalance(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v)
{
	const struct plan_item *rss = assess_item(x->a, v, PLAN_RSS);
	struct rss_spread sp;
	bool table = analyse(x, n, &sp) == 0;
	const struct mq_snapshot *before = x->a->before;
	uint64_t total = 0, top = 0;
	unsigned active = 0, top_q = 0;
	double secs = x->a->interval, pps, share, limit;
	struct mq_finding *f;

	if (!before || secs <= 0 || n->real_rx_queues < 2 || !n->queues)
		return;
	for (unsigned q = 0; q < n->nqueues; q++) {
		struct queue_counts c;

		if (!n->queues[q].has_rx)
			continue;
		queue_counts(before, n, q, &c);
		if (c.rx_packets == MQ_NA)
			continue;
		if (c.rx_packets) {
			active++;
			total += c.rx_packets;
		}
		if (c.rx_packets > top) {
			top = c.rx_packets;
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
	f = finding_add(x, share >= RX_IMBALANCE_WARN && n->real_rx_queues > 2 ? SEV_WARNING : SEV_INFO,
		FIND_RX_IMBALANCE, FIX_ADMIN, n->name);
	if (!f)
		return;
	snprintf(f->message, sizeof(f->message),
		 "%s: rx-%u carries %.0f%% of %.0f RX packets/s over %.1f s (%u of %u RX queues had "
		 "traffic)%s", n->name, top_q, share * 100, pps, secs, active, n->real_rx_queues,
		 !table ? "" : sp.left_out || !sp.even ? "; the RSS table is the cause"
						      : "; the RSS table is even: few flows");
	if (table && (sp.left_out || !sp.even) && rss && rss->change) {
		/* the table, not the hashing: what --apply changes */
		f->fix_kind = FIX_APPLY;
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply`: it resets the RSS table to an "
			 "even spread over the active queues (rss = auto)");
	} else if (table && (sp.left_out || !sp.even)) {
		snprintf(f->fix, sizeof(f->fix), "spread the RSS table: `ethtool -X %s default`, or rss = "
			 "auto in the config", n->name);
	} else if (table) {
		snprintf(f->fix, sizeof(f->fix),
			 "RSS hashes flows to queues: few flows use few queues. Check `ethtool -n %s "
			 "rx-flow-hash udp4` (what is hashed), add flows, or spread in software with "
			 "rps = on", n->name);
	} else {
		snprintf(f->fix, sizeof(f->fix),
			 "RSS hashes flows to queues: few flows use few queues. Check `ethtool -x %s` and "
			 "`ethtool -n %s rx-flow-hash udp4`; or spread in software with rps = on", n->name,
			 n->name);
	}
}

void check_rss(struct ctx *x, const struct mq_nic *n, const struct mq_nic_verdict *v,
	       const struct mq_if_config *ic)
{
	const struct plan_item *it = assess_item(x->a, v, PLAN_RSS);
	bool planned = it && it->change;
	struct rss_spread sp;
	struct mq_finding *f;
	char q[96];

	if (analyse(x, n, &sp) < 0)
		return;
	if (sp.left_out) {
		f = finding_add(x, planned ? SEV_WARNING : SEV_INFO, FIND_RSS_LEAVES_OUT,
				planned ? FIX_APPLY : sp.reset_helps ? FIX_ADMIN : FIX_NONE, n->name);
		if (!f)
			return;
		snprintf(f->message, sizeof(f->message),
			 "%s: the RSS table (%u entries) sends flows to %u of %u active RX queues: %s "
			 "%s nothing", n->name, sp.n, sp.covered, sp.nqueues,
			 finding_cpus(cpuset_buf(&sp.left_out_set), q, sizeof(q)),
			 finding_plural(sp.left_out, "receives", "receive"));
	} else if (!sp.even || sp.beyond) {
		f = finding_add(x, SEV_INFO, FIND_RSS_UNEVEN,
				planned ? FIX_APPLY : sp.reset_helps ? FIX_ADMIN : FIX_NONE, n->name);
		if (!f)
			return;
		if (sp.beyond)
			snprintf(f->message, sizeof(f->message),
				 "%s: %u of the RSS table's %u entries name RX queues that are not active "
				 "any more", n->name, sp.beyond, sp.n);
		else
			snprintf(f->message, sizeof(f->message),
				 "%s: the RSS table is uneven: rx-%u gets %.0f%% of the hash space, %.0f%% "
				 "would be even", n->name, sp.busiest, sp.max_share * 100, 100.0 / sp.nqueues);
	} else {
		return;
	}
	if (planned)
		snprintf(f->fix, sizeof(f->fix), "run `mqbalance --apply`: it resets the table to an even "
			 "spread over the active queues (rss = auto)");
	else if (sp.reset_helps && !ic->rss)
		snprintf(f->fix, sizeof(f->fix), "rss = off in the config leaves the table as it is: "
			 "`ethtool -X %s default` resets it, or set rss = auto", n->name);
	else
		snprintf(f->fix, sizeof(f->fix), "none: the driver's default table cannot spread %u "
			 "entries wider over %u queues", sp.n, sp.nqueues);
}

/* The queue IRQ that interrupted CPU c most over the interval, or NULL. */
static const struct cpuload_irq *busiest_irq(const struct cpuload_cpu *c)
{
	const struct cpuload_irq *best = NULL;

	for (unsigned i = 0; i < c->nirqs; i++)
		if (!isnan(c->irqs[i].per_s) && (!best || c->irqs[i].per_s > best->per_s))
			best = &c->irqs[i];
	return best;
}

/* What spreads CPU c's receive work, read off the plan and the NIC behind it. */
static void busy_fix(struct ctx *x, const struct cpuload_irq *irq, struct mq_finding *f)
{
	const struct mq_nic *n = irq ? &x->a->now->nics[irq->nic] : NULL;
	const struct mq_nic_verdict *v = irq ? &x->a->nics[irq->nic] : NULL;
	unsigned changes = 0;

	if (v)
		finding_items(x, v, PLAN_CHANNELS, &changes, NULL);
	if (n && changes && v->queues_target > v->queues_active) {
		f->fix_kind = FIX_APPLY;
		snprintf(f->fix, sizeof(f->fix), "more queues: run `mqbalance --apply` (%s to %u channels)",
			 n->name, v->queues_target);
	} else if (n && v && v->queues_max && v->queues_max < x->a->nusable && v->queues_active >= v->queues_max &&
		   n->has_device && driver_host_fix(&x->a->now->platform, n, v->queues_max, x->a->nusable,
						    f->fix, sizeof(f->fix))) {
		f->fix_kind = FIX_HOST;
	} else {
		f->fix_kind = FIX_ADMIN;
		snprintf(f->fix, sizeof(f->fix), "spread the receive work in software: rps = on%s%s%s "
			 "in the config (RPS hands packets to the CPUs in each queue's XPS set)",
			 n ? " in [" : "", n ? n->name : "", n ? "]" : "");
	}
}

void check_cpus(struct ctx *x)
{
	const struct cpuload *l = &x->a->load;
	int idle = -1;

	if (!(l->secs > 0))
		return;
	CPUSET_FOREACH(c, x->a->usable)
		if ((unsigned)c < l->n && l->cpu[c].online && l->cpu[c].softirq_share < CPU_IDLE)
			idle = idle < 0 ? c : idle;
	CPUSET_FOREACH(c, x->a->usable) {
		const struct cpuload_cpu *cl = (unsigned)c < l->n ? &l->cpu[c] : NULL;
		const struct cpuload_irq *irq;
		struct mq_finding *f;

		if (!cl || !cl->online)
			continue;
		if (cl->softirq_share >= CPU_BUSY && idle >= 0 && (f = finding_add(x, SEV_WARNING,
									   FIND_CPU_SOFTIRQ_BUSY, FIX_ADMIN, NULL))) {
			irq = busiest_irq(cl);
			if (irq)
				snprintf(f->ifname, sizeof(f->ifname), "%s", x->a->now->nics[irq->nic].name);
			snprintf(f->message, sizeof(f->message),
				 "CPU %d spends %.0f%% of its time in softirq while CPU %d idles (%.0f%%)%s%s%s%s",
				 c, cl->softirq_share * 100, idle, l->cpu[idle].softirq_share * 100,
				 irq ? ": most of it from " : "",
				 irq ? x->a->now->nics[irq->nic].name : "", irq ? " queue " : "", "");
			if (irq) {
				size_t o = strlen(f->message);

				snprintf(f->message + o, sizeof(f->message) - o, "%d (IRQ %u, %.0f/s)",
					 irq->queue, x->a->now->nics[irq->nic].irqs[irq->irq].irq, irq->per_s);
			}
			busy_fix(x, irq, f);
		}
		if (cl->softnet_dropped_per_s > 0 &&
		    (f = finding_add(x, SEV_WARNING, FIND_SOFTNET_DROPS, FIX_ADMIN, NULL))) {
			snprintf(f->message, sizeof(f->message),
				 "CPU %d dropped %.0f packets/s: its backlog was full (softnet_stat)", c,
				 cl->softnet_dropped_per_s);
			snprintf(f->fix, sizeof(f->fix), "raise net.core.netdev_max_backlog (sysctl), and "
				 "spread the receive work over more CPUs (more queues, or rps = on)");
		}
		if (cl->softnet_squeezed_per_s >= SQUEEZE_MIN &&
		    (f = finding_add(x, SEV_INFO, FIND_SOFTNET_SQUEEZE, FIX_ADMIN, NULL))) {
			snprintf(f->message, sizeof(f->message),
				 "CPU %d ran out of its NAPI budget with packets left %.0f times/s "
				 "(time_squeeze)", c, cl->softnet_squeezed_per_s);
			snprintf(f->fix, sizeof(f->fix), "raise net.core.netdev_budget and "
				 "net.core.netdev_budget_usecs (sysctl), or spread the work over more CPUs");
		}
	}
}

