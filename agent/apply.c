// SPDX-License-Identifier: MIT
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/apply.h"
#include "probes/sysfs.h"

void irq_memory_free(struct irq_memory *m)
{
	if (!m)
		return;
	free(m->irqs);
	m->irqs = NULL;
	m->n = 0;
}

bool irq_memory_has(const struct irq_memory *m, unsigned irq)
{
	for (unsigned i = 0; m && i < m->n; i++)
		if (m->irqs[i] == irq)
			return true;
	return false;
}

/* Bounded: a machine has fewer IRQs than this; past it only a message repeats. */
#define IRQ_MEMORY_MAX 65536

static void irq_memory_add(struct irq_memory *m, int irq)
{
	unsigned *v;

	if (!m || irq < 0 || irq_memory_has(m, (unsigned)irq) || m->n >= IRQ_MEMORY_MAX)
		return;
	v = realloc(m->irqs, (m->n + 1) * sizeof(*v));
	if (!v)
		return; /* only costs a repeated message */
	m->irqs = v;
	m->irqs[m->n++] = (unsigned)irq;
}

void irq_memory_mark(const struct irq_memory *m, struct mq_snapshot *s)
{
	for (unsigned i = 0; m && m->n && i < s->nnics; i++)
		for (unsigned j = 0; s->nics[i].irqs && j < s->nics[i].nirqs; j++)
			if (irq_memory_has(m, s->nics[i].irqs[j].irq))
				s->nics[i].irqs[j].managed = true;
}

struct gone {
	int ifindex;
	char why[200];
};

struct run {
	struct mq_plan *p;
	const struct apply_env *env;
	struct gone *gone;      /* NICs whose remaining steps are skipped */
	unsigned ngone;
	bool channels_called;   /* the device may have changed: re-probe */
	int halted;             /* the signal env->stop reported: no further change */
};

static void set_result(struct plan_item *it, enum step_status st, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void set_result(struct plan_item *it, enum step_status st, int err, const char *fmt, ...)
{
	va_list ap;

	it->status = st;
	it->err = err;
	it->msg[0] = '\0';
	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(it->msg, sizeof(it->msg), fmt, ap);
		va_end(ap);
	}
}

static const struct gone *find_gone(const struct run *run, int ifindex)
{
	for (unsigned i = 0; i < run->ngone; i++)
		if (run->gone[i].ifindex == ifindex)
			return &run->gone[i];
	return NULL;
}

static int add_gone(struct run *run, int ifindex, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int add_gone(struct run *run, int ifindex, const char *fmt, ...)
{
	struct gone *g;
	va_list ap;

	if (find_gone(run, ifindex))
		return 0;
	g = realloc(run->gone, (run->ngone + 1) * sizeof(*g));
	if (!g)
		return -ENOMEM;
	run->gone = g;
	g = &run->gone[run->ngone++];
	g->ifindex = ifindex;
	va_start(ap, fmt);
	vsnprintf(g->why, sizeof(g->why), fmt, ap);
	va_end(ap);
	return 0;
}

/* ENOENT/ENODEV on a write: did the whole interface go away, or only that file? */
static bool iface_gone(const struct plan_item *it)
{
	return sysfs_exists("/sys/class/net/%s", it->ifname) != 1;
}

static int vanished(struct run *run, struct plan_item *it, int r)
{
	set_result(it, STEP_SKIPPED, r, "%s vanished (%s): its remaining steps are skipped", it->ifname,
		   strerror(-r));
	return add_gone(run, it->ifindex, "%s vanished", it->ifname);
}

/* The kernel's words, or its errno's: into the item's result. */
static void failed(struct plan_item *it, int r, const char *kmsg)
{
	if (kmsg[0])
		set_result(it, STEP_FAILED, r, "%s: %s", strerror(-r), kmsg);
	else
		set_result(it, STEP_FAILED, r, "%s", strerror(-r));
}

/* A netlink step's outcome: done, its NIC gone, or the kernel's refusal. */
static int netlink_done(struct run *run, struct plan_item *it, int r, const char *kmsg)
{
	if (r == 0)
		set_result(it, STEP_OK, 0, NULL);
	else if (r == -ENODEV)
		return vanished(run, it, r);
	else
		failed(it, r, kmsg);
	return 0;
}

static bool zero_channels(const struct plan_item *it)
{
	const struct mq_counts *t = &it->ch_target;

	return t->combined + t->rx == 0 || t->combined + t->tx == 0;
}

static int step_channels(struct run *run, struct plan_item *it)
{
	char kmsg[256] = "";
	int r;

	if (!it->change) {
		set_result(it, STEP_UNCHANGED, 0, NULL);
		return 0;
	}
	if (zero_channels(it)) {
		set_result(it, STEP_FAILED, -EINVAL, "refusing to leave %s without RX or TX channels",
			   it->ifname);
		return 0;
	}
	run->channels_called = true;
	r = run->env->channels_set(run->env->ctx, it, kmsg, sizeof(kmsg));
	return netlink_done(run, it, r, kmsg);
}

static int step_rss(struct run *run, struct plan_item *it)
{
	char kmsg[256] = "";
	int r;

	if (!it->change) {
		set_result(it, STEP_UNCHANGED, 0, NULL);
		return 0;
	}
	if (!run->env->rss_reset) {
		set_result(it, STEP_SKIPPED, -EOPNOTSUPP, "no way to set the RSS table here");
		return 0;
	}
	r = run->env->rss_reset(run->env->ctx, it, kmsg, sizeof(kmsg));
	return netlink_done(run, it, r, kmsg);
}

static void read_effective(struct run *run, struct plan_item *it)
{
	char buf[MQ_CPULIST_MAX];
	CPUSET_DEFINE(e);

	it->has_effective = false;
	if (sysfs_read(buf, sizeof(buf), "/proc/irq/%d/effective_affinity_list", it->irq) < 0)
		return;
	if (cpuset_parse_list(buf, e) < 0 || plan_set(run->p, &it->effective, e) < 0)
		return;
	it->has_effective = true;
}

/*
 * EINVAL from an affinity write: the kernel refuses a mask without an online
 * CPU. A CPU may have gone offline since the plan (the daemon re-plans on the
 * hotplug event anyway): re-read the online CPUs and write once more with the
 * target CPUs still online. Returns the write's result, or 1 when none is left
 * (item set SKIPPED).
 */
static int retry_online(struct run *run, struct plan_item *it, struct mq_cpuset *want, char *buf,
			size_t len)
{
	CPUSET_DEFINE(now);
	CPUSET_DEFINE(left);
	char text[MQ_CPULIST_MAX];
	int r;

	if (sysfs_read(text, sizeof(text), "/sys/devices/system/cpu/online") < 0 ||
	    cpuset_parse_list(text, now) < 0)
		return -EINVAL;
	if (plan_set(run->p, &run->p->online, now) < 0)
		return -ENOMEM;
	cpuset_and(left, want, now);
	if (cpuset_equal(left, want))
		return -EINVAL; /* nothing went offline: the kernel refused for another reason */
	if (cpuset_empty(left)) {
		set_result(it, STEP_SKIPPED, -EINVAL,
			   "every target CPU went offline during the apply; the next pass re-plans");
		return 1;
	}
	cpuset_copy(want, left);
	r = cpuset_format_list(want, buf, len);
	if (r < 0)
		return r;
	return sysfs_write(buf, "/proc/irq/%d/smp_affinity_list", it->irq);
}

static int step_irq(struct run *run, struct plan_item *it)
{
	CPUSET_DEFINE(want);
	char buf[MQ_CPULIST_MAX];
	int r;

	if (it->hold == HOLD_MANAGED) {
		set_result(it, STEP_SKIPPED, -EIO,
			   "kernel-managed IRQ %d, cannot be moved from user space", it->irq);
		return 0;
	}
	if (!it->change) {
		set_result(it, STEP_UNCHANGED, 0, NULL);
		return 0;
	}
	/* The kernel refuses masks with offline CPUs; the plan may be a moment old. */
	cpuset_and(want, it->target, run->p->online);
	if (cpuset_empty(want)) {
		set_result(it, STEP_SKIPPED, -EINVAL, "no online CPU left in the target");
		return 0;
	}
	r = cpuset_format_list(want, buf, sizeof(buf));
	if (r < 0) {
		set_result(it, STEP_FAILED, r, "%s", strerror(-r));
		return 0;
	}
	r = sysfs_write(buf, "/proc/irq/%d/smp_affinity_list", it->irq);
	if (r == -EINVAL)
		r = retry_online(run, it, want, buf, sizeof(buf));
	if (r == 1)
		return 0; /* every target CPU went offline: skipped, said so */
	if (r == 0) {
		if (cpuset_equal(want, it->target))
			set_result(it, STEP_OK, 0, NULL);
		else
			set_result(it, STEP_OK, 0, "set %s: the other target CPUs are offline", buf);
		read_effective(run, it);
	} else if (r == -EIO) {
		set_result(it, STEP_FAILED, r, "kernel-managed IRQ %d, cannot be moved from user space",
			   it->irq);
		irq_memory_add(run->env->managed, it->irq);
	} else if ((r == -ENOENT || r == -ENODEV) && iface_gone(it)) {
		return vanished(run, it, r);
	} else if (r == -ENOENT) {
		set_result(it, STEP_FAILED, r, "IRQ %d no longer exists", it->irq);
	} else {
		set_result(it, STEP_FAILED, r, "%s", strerror(-r));
	}
	return 0;
}

static int step_mask(struct run *run, struct plan_item *it)
{
	const char *dir = it->kind == PLAN_XPS ? "tx" : "rx";
	const char *file = it->kind == PLAN_XPS ? "xps_cpus" : "rps_cpus";
	char buf[4096]; /* 8,192 CPUs: 2,304 characters */
	int r;

	if (!it->change) {
		set_result(it, STEP_UNCHANGED, 0, NULL);
		return 0;
	}
	r = cpuset_format_mask(it->target, run->p->nr_cpu_ids, buf, sizeof(buf));
	if (r < 0) {
		set_result(it, STEP_FAILED, r, "cannot write the mask for %u CPUs: %s", run->p->nr_cpu_ids,
			   strerror(-r));
		return 0;
	}
	r = sysfs_write(buf, "/sys/class/net/%s/queues/%s-%d/%s", it->ifname, dir, it->queue, file);
	if (r == 0)
		set_result(it, STEP_OK, 0, NULL);
	else if ((r == -ENOENT || r == -ENODEV) && iface_gone(it))
		return vanished(run, it, r);
	else if (r == -ENOENT)
		set_result(it, STEP_FAILED, r, "%s-%d no longer exists", dir, it->queue);
	else
		set_result(it, STEP_FAILED, r, "%s", strerror(-r));
	return 0;
}

static int reprobe(struct run *run)
{
	struct mq_plan *p = run->p;
	int r;

	if (!run->channels_called)
		return 0;
	r = run->env->reprobe ? run->env->reprobe(run->env->ctx, p) : -EOPNOTSUPP;
	if (r == 0) {
		p->reprobed = true;
		return 0;
	}
	if (r == -ENOMEM)
		return r;
	p->reprobe_err = r;
	/* The old plan is wrong for NICs whose queue count changed: leave them for the next pass. */
	for (unsigned i = 0; i < p->n; i++)
		if (p->items[i].kind == PLAN_CHANNELS && p->items[i].status == STEP_OK) {
			int k = add_gone(run, p->items[i].ifindex,
					 "not re-probed after the channel change (%s)", strerror(-r));
			if (k < 0)
				return k;
		}
	return 0;
}

/* Asked before each change only: a step once begun is always finished. */
static bool halted(struct run *run, const struct plan_item *it)
{
	if (!run->halted && it->change && run->env->stop)
		run->halted = run->env->stop(run->env->ctx);
	return run->halted != 0;
}

/* What a stop left: each change not made says so; the rest was unchanged anyway. */
static void not_done(struct run *run)
{
	const char *abbrev = sigabbrev_np(run->halted);

	run->p->interrupted = run->halted;
	for (unsigned i = 0; i < run->p->n; i++) {
		struct plan_item *it = &run->p->items[i];

		if (it->status != STEP_PLANNED)
			continue;
		if (it->change)
			set_result(it, STEP_SKIPPED, -EINTR, "not done: interrupted by SIG%s",
				   abbrev ? abbrev : "NAL");
		else
			set_result(it, STEP_UNCHANGED, 0, NULL);
	}
}

int apply_run(struct mq_plan *p, const struct apply_env *env)
{
	struct run run = {.p = p, .env = env};
	int r = 0;

	/* an RSS table set by hand can make a driver refuse fewer channels: the table first */
	for (unsigned i = 0; i < p->n && r == 0 && !run.halted; i++)
		if (p->items[i].kind == PLAN_RSS && !find_gone(&run, p->items[i].ifindex) &&
		    !halted(&run, &p->items[i]))
			r = step_rss(&run, &p->items[i]);
	for (unsigned i = 0; i < p->n && r == 0 && !run.halted; i++)
		if (p->items[i].kind == PLAN_CHANNELS && !find_gone(&run, p->items[i].ifindex) &&
		    !halted(&run, &p->items[i])) {
			if (!env->channels_set && p->items[i].change)
				set_result(&p->items[i], STEP_SKIPPED, -EOPNOTSUPP,
					   "no way to set channels here");
			else
				r = step_channels(&run, &p->items[i]);
		}
	/* stopped: the items planned on the old probe are left as they are, not done */
	if (r == 0 && !run.halted)
		r = reprobe(&run);
	/* a re-plan's channel items for NICs not changed above: left for the next pass */
	for (unsigned i = 0; i < p->n && r == 0 && !run.halted; i++)
		if (p->items[i].kind == PLAN_CHANNELS && p->items[i].status == STEP_PLANNED)
			set_result(&p->items[i], p->items[i].change ? STEP_SKIPPED : STEP_UNCHANGED, 0,
				   p->items[i].change ? "re-planned after a channel change: next pass" : NULL);
	/* the re-plan's RSS items still to do (a table a channel change left stale), then the rest */
	static const enum plan_kind later[] = {PLAN_RSS, PLAN_IRQ_AFFINITY, PLAN_XPS, PLAN_RPS};
	for (size_t k = 0; k < sizeof(later) / sizeof(later[0]) && r == 0 && !run.halted; k++)
		for (unsigned i = 0; i < p->n && r == 0; i++) {
			struct plan_item *it = &p->items[i];
			const struct gone *g;

			if (it->kind != later[k] || (it->kind == PLAN_RSS && it->status != STEP_PLANNED))
				continue;
			g = find_gone(&run, it->ifindex);
			if (g) {
				set_result(it, STEP_SKIPPED, 0, "skipped: %s", g->why);
				continue;
			}
			if (halted(&run, it))
				break;
			r = it->kind == PLAN_RSS	  ? step_rss(&run, it)
			    : it->kind == PLAN_IRQ_AFFINITY ? step_irq(&run, it)
							  : step_mask(&run, it);
		}
	if (r == 0 && run.halted)
		not_done(&run);
	free(run.gone);
	if (r < 0)
		return r;
	p->applied = true;
	return 0;
}
