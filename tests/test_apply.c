// SPDX-License-Identifier: MIT
/*
 * The applier against a fixture root (mkdtemp) standing in for /proc and
 * /sys, a fake channels_set and re-probe, and sysfs_write wrapped
 * (tests/test_apply.mk) to inject EIO and to behave like the kernel:
 * truncate-on-write and effective_affinity_list following the request.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
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

#include "agent/apply.h"
#include "probes/sysfs.h"
#include "tests/snapbuild.h"
#include "tests/tmptree.h"

/* ---- the fake kernel ---------------------------------------------------------- */

static struct {
	char root[64];
	struct mq_snapshot s;    /* the machine's state */
	struct mq_config cfg;
	unsigned writes;         /* successful sysfs writes */
	unsigned channel_calls;
	char eio_path[128];      /* sysfs_write to this path: EIO (a managed IRQ) */
	char vanish_path[128];   /* sysfs_write to this path: the NIC disappears first */
	char einval_nic[16];     /* channels_set: EINVAL with the kernel's words */
	char enodev_nic[16];     /* channels_set: the NIC is gone */
	bool reprobe_fails;
} k;

int __real_sysfs_write(const char *val, const char *fmt, ...);
int __wrap_sysfs_write(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void rm_rf(const char *path)
{
	assert_int_equal(tmptree_rm(path), 0);
}

static void nic_dir_remove(const char *ifname)
{
	char p[PATH_MAX];

	snprintf(p, sizeof(p), "%s/sys/class/net/%s", k.root, ifname);
	rm_rf(p);
}

int __wrap_sysfs_write(const char *val, const char *fmt, ...)
{
	char rel[1024], full[PATH_MAX];
	unsigned irq;
	va_list ap;
	int r;

	va_start(ap, fmt);
	vsnprintf(rel, sizeof(rel), fmt, ap);
	va_end(ap);
	if (strcmp(rel, k.eio_path) == 0)
		return -EIO;
	if (strcmp(rel, k.vanish_path) == 0) {
		char ifname[IF_NAMESIZE] = "";

		sscanf(rel, "/sys/class/net/%15[^/]", ifname);
		nic_dir_remove(ifname);
	}
	snprintf(full, sizeof(full), "%s%s", k.root, rel);
	if (truncate(full, 0) < 0) {
		/* a missing file: the write below says so */
	}
	r = __real_sysfs_write(val, "%s", rel);
	if (r == 0) {
		k.writes++;
		if (sscanf(rel, "/proc/irq/%u/smp_affinity_list", &irq) == 1) {
			char e[128];

			snprintf(e, sizeof(e), "/proc/irq/%u/effective_affinity_list", irq);
			snprintf(full, sizeof(full), "%s%s", k.root, e);
			assert_int_equal(truncate(full, 0), 0);
			assert_int_equal(__real_sysfs_write(val, "%s", e), 0);
		}
	}
	return r;
}

static void put(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(const char *val, const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	FILE *f;

	va_start(ap, fmt);
	vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	for (char *c = p + strlen(k.root) + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			mkdir(p, 0755);
			*c = '/';
		}
	f = fopen(p, "w");
	assert_non_null(f);
	fprintf(f, "%s\n", val);
	fclose(f);
}

static void fixture_queues(const struct mq_nic *n)
{
	char buf[512];

	for (unsigned q = 0; q < n->nqueues; q++) {
		assert_true(cpuset_format_mask(n->queues[q].xps, k.s.cpus.nr_cpu_ids, buf, sizeof(buf)) > 0);
		put(buf, "%s/sys/class/net/%s/queues/tx-%u/xps_cpus", k.root, n->name, q);
		assert_true(cpuset_format_mask(n->queues[q].rps, k.s.cpus.nr_cpu_ids, buf, sizeof(buf)) > 0);
		put(buf, "%s/sys/class/net/%s/queues/rx-%u/rps_cpus", k.root, n->name, q);
	}
}

/* Write the model out as /proc and /sys files. */
static void fixture_write(void)
{
	char buf[4096];

	for (unsigned i = 0; i < k.s.nnics; i++) {
		const struct mq_nic *n = &k.s.nics[i];

		fixture_queues(n);
		for (unsigned j = 0; j < n->nirqs; j++) {
			cpuset_format_list(n->irqs[j].affinity, buf, sizeof(buf));
			put(buf, "%s/proc/irq/%u/smp_affinity_list", k.root, n->irqs[j].irq);
			cpuset_format_list(n->irqs[j].effective, buf, sizeof(buf));
			put(buf, "%s/proc/irq/%u/effective_affinity_list", k.root, n->irqs[j].irq);
		}
	}
}

/* The probe: read the files back into the model; a NIC without its directory is gone. */
static void fixture_read(void)
{
	char buf[4096];

	for (unsigned i = 0; i < k.s.nnics; i++) {
		struct mq_nic *n = &k.s.nics[i];

		if (sysfs_exists("/sys/class/net/%s", n->name) != 1) {
			free(n->queues);
			free(n->irqs);
			cpuset_pool_free(&n->sets);
			memmove(n, n + 1, (k.s.nnics - i - 1) * sizeof(*n));
			k.s.nnics--;
			i--;
			continue;
		}
		for (unsigned j = 0; j < n->nirqs; j++) {
			struct mq_irq *irq = &n->irqs[j];

			if (sysfs_read(buf, sizeof(buf), "/proc/irq/%u/smp_affinity_list", irq->irq) >= 0)
				irq->affinity = fx_set(&n->sets, buf);
			if (sysfs_read(buf, sizeof(buf), "/proc/irq/%u/effective_affinity_list", irq->irq) >= 0)
				irq->effective = fx_set(&n->sets, buf);
		}
		for (unsigned q = 0; q < n->nqueues; q++) {
			assert_true(sysfs_read(buf, sizeof(buf), "/sys/class/net/%s/queues/tx-%u/xps_cpus",
					       n->name, q) > 0);
			n->queues[q].xps = fx_mask(&n->sets, buf);
			assert_true(sysfs_read(buf, sizeof(buf), "/sys/class/net/%s/queues/rx-%u/rps_cpus",
					       n->name, q) > 0);
			n->queues[q].rps = fx_mask(&n->sets, buf);
		}
	}
}

static int fake_channels_set(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	struct mq_nic *n = NULL;
	unsigned q;

	(void)ctx;
	k.channel_calls++;
	msg[0] = '\0';
	if (strcmp(it->ifname, k.einval_nic) == 0) {
		snprintf(msg, msglen, "requested channel count exceeds maximum");
		return -EINVAL;
	}
	if (strcmp(it->ifname, k.enodev_nic) == 0) {
		nic_dir_remove(it->ifname);
		return -ENODEV;
	}
	for (unsigned i = 0; i < k.s.nnics; i++)
		if (k.s.nics[i].ifindex == it->ifindex)
			n = &k.s.nics[i];
	if (!n)
		return -ENODEV;
	q = it->ch_target.combined ? it->ch_target.combined : it->ch_target.rx;
	n->ch.combined = it->ch_target.combined;
	n->ch.rx = it->ch_target.rx;
	n->ch.tx = it->ch_target.tx;
	nic_queues(n, q); /* new queues: XPS and RPS empty, like the kernel */
	fixture_queues(n);
	return 0;
}

/* What agent/tune.c does: probe, re-plan, keep the channel results, replace p. */
static int fake_reprobe(void *ctx, struct mq_plan *p)
{
	struct mq_plan np;
	int r;

	(void)ctx;
	if (k.reprobe_fails)
		return -EIO;
	fixture_read();
	r = plan_of(&k.s, &k.cfg, &np);
	if (r == 0)
		r = plan_keep_channel_results(&np, p);
	if (r < 0) {
		plan_free(&np);
		return r;
	}
	plan_free(p);
	*p = np;
	return 0;
}

static const struct apply_env env = {
	.channels_set = fake_channels_set,
	.reprobe = fake_reprobe,
};

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	snprintf(k.root, sizeof(k.root), "/tmp/mqapply.XXXXXX");
	if (!mkdtemp(k.root))
		return -1;
	sysfs_set_root(k.root);
	config_init(&k.cfg);
	/* 4 CPUs; eth0 virtio (max 4, 1 active), eth1 ENA-like (4 active, one vector per queue) */
	snap_init(&k.s, 4, 1, 1);
	add_nic(&k.s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&k.s, "eth1", &(struct nic_spec){ST_PAIR, 4, 4, -1});
	fixture_write();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	snap_free(&k.s);
	config_free(&k.cfg);
	sysfs_set_root("");
	rm_rf(k.root);
	return 0;
}

static struct plan_item *item(struct mq_plan *p, const char *ifname, enum plan_kind kind, int queue)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->items[i].ifname, ifname) == 0 && p->items[i].kind == kind &&
		    (queue < 0 || p->items[i].queue == queue))
			return &p->items[i];
	return NULL;
}

/* Plan the current state again and apply: nothing is written, nothing fails. */
static void assert_second_run_noop(void)
{
	struct mq_plan p;
	unsigned writes = k.writes, calls = k.channel_calls;

	fixture_read();
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(plan_changes(&p), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	assert_int_equal(plan_tally(&p).ok, 0);
	assert_int_equal(plan_tally(&p).failed, 0);
	assert_int_equal(plan_tally(&p).unchanged, p.n);
	assert_false(p.reprobed);
	assert_int_equal(k.writes, writes);
	assert_int_equal(k.channel_calls, calls);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
}

static void test_apply_all(void **state)
{
	struct mq_plan p;
	struct plan_item *it;
	char buf[256];
	unsigned seen = 0;
	(void)state;
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	assert_true(p.reprobed);
	assert_int_equal(plan_tally(&p).failed, 0);
	assert_int_equal(plan_tally(&p).failed, 0);
	it = item(&p, "eth0", PLAN_CHANNELS, -1);
	assert_int_equal(it->status, STEP_OK);
	assert_int_equal(k.s.nics[0].ch.combined, 4);
	/* after the re-plan: XPS for all 4 new queues of eth0 */
	for (int q = 0; q < 4; q++) {
		it = item(&p, "eth0", PLAN_XPS, q);
		assert_non_null(it);
		assert_int_equal(it->status, STEP_OK);
		assert_int_equal(cpuset_count(it->target), 1);
	}
	/* each queue IRQ moved, RX and TX together; effective read back */
	for (unsigned i = 0; i < p.n; i++) {
		it = &p.items[i];
		if (it->kind != PLAN_IRQ_AFFINITY)
			continue;
		assert_true(it->status == STEP_OK || it->status == STEP_UNCHANGED);
		if (it->status == STEP_OK) {
			assert_true(it->has_effective);
			assert_true(cpuset_equal(it->effective, it->target));
		}
		assert_true(sysfs_read(buf, sizeof(buf), "/proc/irq/%d/smp_affinity_list", it->irq) > 0);
		assert_int_equal(atoi(buf), cpuset_next(it->target, 0));
		seen++;
	}
	assert_int_equal(seen, 8 + 4);
	/* eth0 queue 2's IRQs on CPU 2, eth1 continues at CPU 0 (wrapping) */
	assert_int_equal(cpuset_next(item(&p, "eth0", PLAN_IRQ_AFFINITY, 2)->target, 0), 2);
	assert_int_equal(cpuset_next(item(&p, "eth1", PLAN_IRQ_AFFINITY, 0)->target, 0), 0);
	assert_true(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/queues/tx-3/xps_cpus") > 0);
	assert_string_equal(buf, "00000008");
	plan_free(&p);
	assert_second_run_noop();
}

static void test_apply_eio_managed(void **state)
{
	struct mq_plan p;
	struct irq_memory mem = {0};
	struct apply_env e = env;
	struct plan_item *it;
	unsigned irq = k.s.nics[1].irqs[1].irq; /* eth1 queue 1 */
	(void)state;
	e.managed = &mem;
	snprintf(k.eio_path, sizeof(k.eio_path), "/proc/irq/%u/smp_affinity_list", irq);
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &e), 0);
	it = item(&p, "eth1", PLAN_IRQ_AFFINITY, 1);
	assert_int_equal(it->status, STEP_FAILED);
	assert_int_equal(it->err, -EIO);
	snprintf(k.vanish_path, sizeof(k.vanish_path), "kernel-managed IRQ %u, cannot be moved from user space", irq);
	assert_string_equal(it->msg, k.vanish_path);
	k.vanish_path[0] = '\0';
	assert_int_equal(plan_tally(&p).failed, 1);
	assert_int_equal(plan_tally(&p).failed, 1);
	/* the others went on */
	assert_int_equal(item(&p, "eth1", PLAN_IRQ_AFFINITY, 2)->status, STEP_OK);
	assert_int_equal(item(&p, "eth1", PLAN_XPS, 1)->status, STEP_OK);
	plan_free(&p);
	/* next pass: remembered, held by the plan, skipped quietly, not a failure */
	fixture_read();
	assert_true(irq_memory_has(&mem, irq));
	/* eth0's IRQ array with one more behind its last, holding the remembered IRQ */
	{
		struct mq_nic *n = &k.s.nics[0];
		struct mq_irq *more = realloc(n->irqs, (n->nirqs + 1) * sizeof(*more));

		assert_non_null(more);
		n->irqs = more;
		n->irqs[n->nirqs] = (struct mq_irq){.irq = irq};
		irq_memory_mark(&mem, &k.s);
		assert_false(n->irqs[n->nirqs].managed); /* past nirqs: not eth0's, not read */
	}
	assert_true(k.s.nics[1].irqs[1].managed);
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(item(&p, "eth1", PLAN_IRQ_AFFINITY, 1)->hold, HOLD_MANAGED);
	assert_int_equal(apply_run(&p, &e), 0);
	it = item(&p, "eth1", PLAN_IRQ_AFFINITY, 1);
	assert_int_equal(it->status, STEP_SKIPPED);
	assert_non_null(strstr(it->msg, "kernel-managed IRQ"));
	assert_int_equal(plan_tally(&p).failed, 0);
	assert_int_equal(plan_tally(&p).ok, 0);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
	irq_memory_free(&mem);
}

static void test_apply_einval_extack(void **state)
{
	struct mq_plan p;
	struct plan_item *it;
	(void)state;
	snprintf(k.einval_nic, sizeof(k.einval_nic), "eth0");
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	it = item(&p, "eth0", PLAN_CHANNELS, -1);
	assert_int_equal(it->status, STEP_FAILED);
	assert_int_equal(it->err, -EINVAL);
	assert_string_equal(it->msg, "Invalid argument: requested channel count exceeds maximum");
	assert_int_equal(k.s.nics[0].ch.combined, 1); /* never left at zero or half-done */
	/* re-planned against what is really there: eth0's one active queue */
	assert_true(p.reprobed);
	assert_null(item(&p, "eth0", PLAN_XPS, 1));
	assert_int_equal(item(&p, "eth0", PLAN_IRQ_AFFINITY, 0)->status, STEP_UNCHANGED);
	assert_int_equal(item(&p, "eth1", PLAN_IRQ_AFFINITY, 3)->status, STEP_OK);
	assert_int_equal(plan_tally(&p).failed, 1);
	assert_int_equal(plan_tally(&p).failed, 1);
	plan_free(&p);
}

static void test_apply_enodev_channels(void **state)
{
	struct mq_plan p;
	struct plan_item *it;
	(void)state;
	snprintf(k.enodev_nic, sizeof(k.enodev_nic), "eth0");
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	it = item(&p, "eth0", PLAN_CHANNELS, -1);
	assert_int_equal(it->status, STEP_SKIPPED);
	assert_non_null(strstr(it->msg, "eth0 vanished"));
	/* none of its other steps are attempted */
	for (unsigned i = 0; i < p.n; i++)
		if (strcmp(p.items[i].ifname, "eth0") == 0 && p.items[i].kind != PLAN_CHANNELS) {
			assert_int_equal(p.items[i].status, STEP_SKIPPED);
			assert_string_equal(p.items[i].msg, "skipped: eth0 vanished");
		}
	assert_int_equal(item(&p, "eth1", PLAN_IRQ_AFFINITY, 1)->status, STEP_OK);
	assert_int_equal(plan_tally(&p).failed, 0);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
}

static void test_apply_vanish_between_steps(void **state)
{
	struct mq_plan p;
	struct plan_item *it;
	(void)state;
	/* eth1 disappears just before its first XPS write (after its IRQs moved) */
	snprintf(k.vanish_path, sizeof(k.vanish_path), "/sys/class/net/eth1/queues/tx-0/xps_cpus");
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &env), 0);
	it = item(&p, "eth1", PLAN_XPS, 0);
	assert_int_equal(it->status, STEP_SKIPPED);
	assert_int_equal(it->err, -ENOENT);
	assert_string_equal(it->msg, "eth1 vanished (No such file or directory): its remaining steps are skipped");
	for (int q = 1; q < 4; q++) {
		it = item(&p, "eth1", PLAN_XPS, q);
		assert_int_equal(it->status, STEP_SKIPPED);
		assert_string_equal(it->msg, "skipped: eth1 vanished");
	}
	it = item(&p, "eth1", PLAN_RPS, 0);
	assert_int_equal(it->status, STEP_SKIPPED);
	for (int q = 0; q < 4; q++)
		assert_int_equal(item(&p, "eth0", PLAN_XPS, q)->status, STEP_OK);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
	k.vanish_path[0] = '\0';
	/* eth0 is done: the next pass changes nothing */
	assert_second_run_noop();
}

static void test_apply_reprobe_fails(void **state)
{
	struct mq_plan p;
	struct plan_item guard;
	(void)state;
	k.reprobe_fails = true;
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	/* Past the last item, one that would make eth1 "not re-probed" if it were read. */
	guard = *item(&p, "eth1", PLAN_IRQ_AFFINITY, 1);
	guard.kind = PLAN_CHANNELS;
	assert_int_equal(plan_push_item(&p, &guard), 0);
	p.items[--p.n].status = STEP_OK;
	assert_int_equal(apply_run(&p, &env), 0);
	assert_false(p.reprobed);
	assert_int_equal(p.reprobe_err, -EIO);
	assert_int_equal(item(&p, "eth0", PLAN_CHANNELS, -1)->status, STEP_OK);
	assert_int_equal(item(&p, "eth0", PLAN_IRQ_AFFINITY, 0)->status, STEP_SKIPPED);
	assert_non_null(strstr(item(&p, "eth0", PLAN_IRQ_AFFINITY, 0)->msg, "not re-probed"));
	assert_int_equal(item(&p, "eth1", PLAN_IRQ_AFFINITY, 1)->status, STEP_OK);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
}

static void test_apply_refuses_zero_and_missing_irq(void **state)
{
	struct mq_plan p;
	struct plan_item *it;
	char path[PATH_MAX];
	(void)state;
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	it = item(&p, "eth0", PLAN_CHANNELS, -1);
	it->ch_target.combined = 0;
	/* an IRQ that went away while its NIC stayed */
	it = item(&p, "eth1", PLAN_IRQ_AFFINITY, 3);
	snprintf(path, sizeof(path), "%s/proc/irq/%d", k.root, it->irq);
	rm_rf(path);
	assert_int_equal(apply_run(&p, &env), 0);
	it = item(&p, "eth0", PLAN_CHANNELS, -1);
	assert_int_equal(it->status, STEP_FAILED);
	assert_string_equal(it->msg, "refusing to leave eth0 without RX or TX channels");
	assert_int_equal(k.channel_calls, 0);
	assert_false(p.reprobed);
	it = item(&p, "eth1", PLAN_IRQ_AFFINITY, 3);
	assert_int_equal(it->status, STEP_FAILED);
	assert_int_equal(it->err, -ENOENT);
	assert_non_null(strstr(it->msg, "no longer exists"));
	assert_int_equal(plan_tally(&p).failed, 2);
	plan_free(&p);
}

/* A signal after stop_after changes (agent/tune.c asks its handler's flag the same way). */
static unsigned stop_asked, stop_after;

static int stop_after_n(void *ctx)
{
	(void)ctx;
	return stop_asked++ >= stop_after ? SIGTERM : 0;
}

/* Every change of p not made says so; nothing is left planned. Returns how many. */
static unsigned not_done(const struct mq_plan *p)
{
	unsigned n = 0;

	for (unsigned i = 0; i < p->n; i++) {
		const struct plan_item *it = &p->items[i];

		assert_int_not_equal(it->status, STEP_PLANNED);
		if (it->status == STEP_SKIPPED && it->err == -EINTR) {
			assert_true(it->change);
			assert_string_equal(it->msg, "not done: interrupted by SIGTERM");
			n++;
		}
	}
	return n;
}

static void test_apply_interrupted(void **state)
{
	struct apply_env e = env;
	struct mq_plan p;
	unsigned writes, changes;
	(void)state;
	e.stop = stop_after_n;
	/* after the first change (eth0's channels): the re-probe reads, nothing more is written */
	stop_asked = 0;
	stop_after = 1;
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(apply_run(&p, &e), 0);
	assert_int_equal(p.interrupted, SIGTERM);
	assert_true(p.applied);
	assert_int_equal(item(&p, "eth0", PLAN_CHANNELS, -1)->status, STEP_OK);
	assert_int_equal(k.channel_calls, 1);
	assert_int_equal(k.writes, 0);
	assert_int_equal(stop_asked, 2); /* before each change, never again once stopped */
	assert_int_equal(plan_tally(&p).ok, 1);
	assert_int_equal(not_done(&p), plan_changes(&p) - 1);
	assert_true(not_done(&p) > 0);
	plan_free(&p);
	/* a new pass, stopped after 3 changes: exactly 3 writes */
	fixture_read();
	stop_asked = 0;
	stop_after = 3;
	writes = k.writes;
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	changes = plan_changes(&p);
	assert_true(changes > 3);
	assert_int_equal(apply_run(&p, &e), 0);
	assert_int_equal(p.interrupted, SIGTERM);
	assert_int_equal(k.writes - writes, 3);
	assert_int_equal(plan_tally(&p).ok, 3);
	assert_int_equal(not_done(&p), changes - 3);
	plan_free(&p);
	/* no stop: the rest is done, and then there is nothing left */
	fixture_read();
	assert_int_equal(plan_of(&k.s, &k.cfg, &p), 0);
	assert_int_equal(plan_changes(&p), changes - 3);
	assert_int_equal(apply_run(&p, &env), 0);
	assert_int_equal(p.interrupted, 0);
	assert_int_equal(not_done(&p), 0);
	plan_free(&p);
	assert_second_run_noop();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_apply_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_eio_managed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_einval_extack, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_enodev_channels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_vanish_between_steps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_reprobe_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_refuses_zero_and_missing_irq, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_interrupted, setup, teardown),
	};
	return cmocka_run_group_tests_name("apply", tests, NULL, NULL);
}
