// SPDX-License-Identifier: MIT
/*
 * One tuning pass (agent/tune.c) with the probe answered here
 * (--wrap=snapshot_take): what a dry run counts and says, a probe that
 * fails, and the log lines the daemon writes. The applier and the state
 * file have tests of their own (test_apply.c, test_state.c).
 */
#include <errno.h>
#include <signal.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/channels.h"
#include "agent/log.h"
#include "agent/tune.h"
#include "probes/sysfs.h"
#include "tests/capture.h"
#include "tests/snapbuild.h"

static int probe_result;   /* what the next snapshot_take() returns when < 0 */
static unsigned probes;
static void (*build)(struct mq_snapshot *s);
static void (*build_after)(struct mq_snapshot *s); /* the probes after the first, if set */

int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret);
int __wrap_snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret)
{
	(void)nl;
	(void)o;
	probes++;
	if (probe_result < 0)
		return probe_result;
	(probes > 1 && build_after ? build_after : build)(ret);
	return 0;
}

static struct mq_channels set_to; /* what channels_set() was asked for */
static unsigned sets;
static int set_err; /* what channels_set() fails with (0: it does not) */

int __wrap_channels_set(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *want,
			char *ret_msg, size_t msglen);
int __wrap_channels_set(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *want,
			char *ret_msg, size_t msglen)
{
	(void)nl;
	(void)nic;
	sets++;
	set_to = *want;
	if (msglen)
		snprintf(ret_msg, msglen, "%s", set_err ? "refused here" : "");
	return set_err;
}

/* 4 CPUs; eth0 virtio 1 of 4 queues, every IRQ on CPU 0; eth1 an e1000. */
static void untuned(struct mq_snapshot *s)
{
	snap_init(s, 4, 1, 1);
	add_nic(s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
}

/* 2 CPUs, eth0 2 of 2 queues one per CPU, XPS to match: nothing to do. */
static void tuned(struct mq_snapshot *s)
{
	struct mq_nic *n;

	snap_init(s, 2, 1, 1);
	n = add_nic(s, "eth0", &(struct nic_spec){ST_VIRTIO, 2, 2, -1});
	for (unsigned i = 0; i < n->nirqs; i++)
		if (n->irqs[i].queue == 1)
			n->irqs[i].affinity = n->irqs[i].effective = fx_cpu(&n->sets, 1);
	for (unsigned q = 0; q < 2; q++) {
		n->queues[q].xps = fx_cpu(&n->sets, q);
		n->queues[q].has_rps = false;
	}
}

static char dir[32];
static struct mq_config cfg;

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mq-tune.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	setenv("MQBALANCE_STATE_DIR", dir, 1); /* no state file: nothing recorded yet */
	config_init(&cfg);
	probe_result = 0;
	probes = 0;
	build_after = NULL;
	set_err = 0;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("MQBALANCE_STATE_DIR");
	rmdir(dir);
	config_free(&cfg);
	return 0;
}

/* Run fn with stderr into buf. */
static void run_captured(void (*fn)(const struct tune_pass *p), const struct tune_pass *p, char *buf,
			 size_t len)
{
	capture_start();
	log_setup(LOG_LVL_INFO, false);
	fn(p);
	capture_end(buf, len);
}

static void log_dry(const struct tune_pass *p) { tune_log(p, "startup", true, true); }

static void test_dry_run(void **state)
{
	struct tune t;
	struct tune_pass pass;
	char out[8192];
	(void)state;

	build = untuned;
	tune_init(&t, NULL, &cfg, NULL);
	assert_int_equal(tune_run(&t, true, &pass), 0);
	assert_int_equal(probes, 1);
	assert_null(pass.stage);
	/* eth0: channels 1 -> 4, queues 1-3's input and output IRQs, XPS of tx-0 (the only one yet) */
	assert_int_equal(pass.changes, plan_changes(&pass.a.plan));
	assert_string_equal(pass.summary, "would make 1 channel change, 6 IRQs moved, 1 XPS and 0 RPS "
					  "masks set, 0 RSS tables reset, 0 failed");
	run_captured(log_dry, &pass, out, sizeof(out));
	assert_non_null(strstr(out, "mqbalance: would set eth0 channels combined 1 -> 4 (startup)\n"));
	assert_non_null(strstr(out, "mqbalance: would set eth0 queue 3 irq 31 cpus 0 -> 3 (startup)\n"));
	assert_null(strstr(out, "eth1"));
	tune_pass_free(&pass);

	build = tuned;
	assert_int_equal(tune_run(&t, true, &pass), 0);
	assert_int_equal(pass.changes, 0);
	assert_string_equal(pass.summary, "nothing to do");
	run_captured(log_dry, &pass, out, sizeof(out));
	assert_string_equal(out, "");
	tune_pass_free(&pass);
	tune_free(&t);
}

/* A probe that fails: its -errno, the stage that failed, nothing assessed. */
static void test_probe_fails(void **state)
{
	struct tune t;
	struct tune_pass pass;
	(void)state;

	build = untuned;
	probe_result = -EIO;
	tune_init(&t, NULL, &cfg, NULL);
	assert_int_equal(tune_run(&t, true, &pass), -EIO);
	assert_string_equal(pass.stage, "probe");
	assert_int_equal(pass.a.plan.n, 0);
	tune_pass_free(&pass);
	tune_free(&t);
}

/* 4 CPUs; eth0 with separate rx and tx channels, 1 of 4 each (gve-like). */
static void rxtx_1of4(struct mq_snapshot *s)
{
	snap_init(s, 4, 1, 1);
	add_nic(s, "eth0", &(struct nic_spec){ST_RXTX, 4, 1, -1});
}

/*
 * A pass that applies, with the sysfs root an empty directory (the NIC is
 * not there for the IRQ and XPS steps, nothing outside it is written): the
 * channel change asks for rx 4 and tx 4 and nothing else, and the summary
 * counts what was done.
 */
static void test_apply_pass(void **state)
{
	char root[] = "/tmp/mq-tune-root.XXXXXX";
	struct tune t;
	struct tune_pass pass;
	(void)state;

	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	assert_string_equal(sysfs_root(), root);
	build = rxtx_1of4;
	sets = 0;
	tune_init(&t, NULL, &cfg, NULL);
	assert_int_equal(tune_run(&t, false, &pass), 0);
	assert_int_equal(sets, 1);
	assert_int_equal(set_to.rx, 4);
	assert_int_equal(set_to.tx, 4);
	assert_int_equal(set_to.combined, 0);
	assert_int_equal(set_to.other, 0);
	assert_int_equal(set_to.rx_max, 4); /* the rest as the NIC has it */
	/* no /sys/class/net/eth0 under the root: its other steps are skipped as vanished */
	assert_int_equal(pass.tally.ok, 1);
	assert_int_equal(pass.tally.failed, 0);
	assert_true(pass.tally.skipped > 0);
	assert_int_equal(probes, 2); /* the re-probe after the channel change */
	assert_string_equal(pass.summary, "1 channel change, 0 IRQs moved, 0 XPS and 0 RPS masks set, "
					  "0 RSS tables reset, 0 failed");
	tune_pass_free(&pass);
	tune_free(&t);
	sysfs_set_root("");
	rmdir(root);
	/* the way back was recorded before the change */
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/state", dir);
		assert_int_equal(access(path, R_OK), 0);
		unlink(path);
	}
}

/* eth0 after the channel change: 4 of 4. */
static void rxtx_4of4(struct mq_snapshot *s)
{
	snap_init(s, 4, 1, 1);
	add_nic(s, "eth0", &(struct nic_spec){ST_RXTX, 4, 4, -1});
}

/* A pass of its own over a scratch sysfs root: the first probe builds with
 * before, the later ones with after (NULL: before again). */
static void pass_in(char *root, void (*before)(struct mq_snapshot *),
		    void (*after)(struct mq_snapshot *), struct tune *t, struct tune_pass *pass)
{
	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	build = before;
	build_after = after;
	tune_init(t, NULL, &cfg, NULL);
	assert_int_equal(tune_run(t, false, pass), 0);
}

/* pass_in's undoing: the pass, the tune, the root and the recorded state. */
static void pass_out(const char *root, struct tune *t, struct tune_pass *pass)
{
	char path[64];

	tune_pass_free(pass);
	tune_free(t);
	sysfs_set_root("");
	rmdir(root);
	snprintf(path, sizeof(path), "%s/state", dir);
	unlink(path);
}

/*
 * After the channel change the pass is the re-probe's: its snapshot (the
 * new channel count), an assessment of it, a plan that keeps the channel
 * change's result. What a pass reports and the daemon keeps is the system
 * after the change, not before.
 */
static void test_reprobe_is_the_pass(void **state)
{
	char root[] = "/tmp/mq-tune-root.XXXXXX";
	const struct plan_item *ch = NULL;
	struct tune t;
	struct tune_pass pass;
	(void)state;

	pass_in(root, rxtx_1of4, rxtx_4of4, &t, &pass);
	assert_int_equal(probes, 2);
	assert_true(pass.a.plan.reprobed);
	assert_int_equal(pass.a.plan.reprobe_err, 0);
	assert_ptr_equal(pass.a.now, &pass.snap);
	assert_int_equal(pass.snap.nnics, 1);
	assert_int_equal(pass.snap.nics[0].ch.rx, 4);
	assert_int_equal(pass.snap.nics[0].nqueues, 4);
	for (unsigned i = 0; i < pass.a.plan.n; i++)
		if (pass.a.plan.items[i].kind == PLAN_CHANNELS)
			ch = &pass.a.plan.items[i];
	assert_non_null(ch);
	assert_int_equal(ch->status, STEP_OK);
	assert_int_equal(pass.tally.ok, 1);
	assert_int_equal(pass.tally.failed, 0);
	pass_out(root, &t, &pass);
}

/* A revert that finds eth0 as recorded (every item unchanged) is done: eth0 is forgotten. */
static void test_revert_forgets(void **state)
{
	char root[] = "/tmp/mq-tune-root.XXXXXX";
	struct tune t;
	struct tune_pass pass;
	(void)state;

	pass_in(root, rxtx_1of4, NULL, &t, &pass); /* the probe after the change still sees 1 of 4 */
	tune_pass_free(&pass);
	assert_non_null(state_find(&t.saved, "eth0"));
	assert_int_equal(tune_revert(&t, NULL, 0, &pass), 0);
	assert_true(pass.a.plan.n > 0);
	for (unsigned i = 0; i < pass.a.plan.n; i++)
		assert_int_equal(pass.a.plan.items[i].status, STEP_UNCHANGED);
	assert_null(state_find(&t.saved, "eth0"));
	assert_int_equal(t.saved.n, 0);
	pass_out(root, &t, &pass);
}

/*
 * A revert whose first step (the channel change back) fails leaves the NIC
 * recorded: the next revert still knows the way back.
 */
static void test_revert_keeps_failed(void **state)
{
	char root[] = "/tmp/mq-tune-root.XXXXXX";
	struct tune t;
	struct tune_pass pass;
	(void)state;

	pass_in(root, rxtx_1of4, rxtx_4of4, &t, &pass);
	tune_pass_free(&pass);
	assert_non_null(state_find(&t.saved, "eth0"));
	build = rxtx_4of4; /* the revert finds 4 of 4 and asks for 1 back */
	set_err = -EOPNOTSUPP;
	assert_int_equal(tune_revert(&t, NULL, 0, &pass), 0);
	assert_true(pass.a.plan.n > 0);
	assert_int_equal(pass.a.plan.items[0].kind, PLAN_CHANNELS);
	assert_int_equal(pass.a.plan.items[0].status, STEP_FAILED);
	for (unsigned i = 1; i < pass.a.plan.n; i++)
		assert_int_not_equal(pass.a.plan.items[i].status, STEP_FAILED);
	assert_non_null(state_find(&t.saved, "eth0"));
	pass_out(root, &t, &pass);
}

static struct plan_item log_items[6];
static struct mq_plan log_plan = {.n = 6, .items = log_items};

static void log_news(const struct tune_pass *p) { tune_log(p, "cpu 3 online", false, true); }
static void log_old(const struct tune_pass *p) { tune_log(p, "cpu 3 online", false, false); }

/*
 * What a pass that applied logs at the info level: done steps and their
 * cause, failures only when they are news, a skipped step unless it is a
 * kernel-managed IRQ (said when it was found); unchanged ones never.
 */
static void test_log_levels(void **state)
{
	static const struct { const char *ifname; enum step_status st; enum plan_hold hold; } spec[] = {
		{"ok0", STEP_OK, HOLD_NONE},           {"fail1", STEP_FAILED, HOLD_NONE},
		{"skip2", STEP_SKIPPED, HOLD_MANAGED}, {"skip3", STEP_SKIPPED, HOLD_NONE},
		{"same4", STEP_UNCHANGED, HOLD_NONE},  {"plan5", STEP_PLANNED, HOLD_NONE},
	};
	struct tune_pass pass = {0};
	char out[4096];
	(void)state;

	for (unsigned i = 0; i < 6; i++) {
		log_items[i] = (struct plan_item){.kind = PLAN_CHANNELS, .queue = -1, .irq = -1,
						  .change = true, .status = spec[i].st, .hold = spec[i].hold};
		snprintf(log_items[i].ifname, sizeof(log_items[i].ifname), "%s", spec[i].ifname);
		log_items[i].ch_current.combined = 1;
		log_items[i].ch_target.combined = 4;
	}
	log_items[1].err = -EBUSY;
	snprintf(log_items[3].msg, sizeof(log_items[3].msg), "gone");
	pass.a.plan = log_plan;
	run_captured(log_news, &pass, out, sizeof(out));
	assert_non_null(strstr(out, "mqbalance: ok0 channels combined 1 -> 4: ok (cpu 3 online)\n"));
	assert_non_null(strstr(out, "mqbalance: warning: fail1 channels combined 1 -> 4: failed: "
				    "Device or resource busy (cpu 3 online)\n"));
	assert_null(strstr(out, "skip2"));
	assert_non_null(strstr(out, "mqbalance: skip3 channels combined 1 -> 4: skipped: gone\n"));
	assert_null(strstr(out, "same4"));
	assert_null(strstr(out, "plan5"));
	assert_null(strstr(out, "re-probe"));
	run_captured(log_old, &pass, out, sizeof(out));
	assert_non_null(strstr(out, "ok0"));
	assert_null(strstr(out, "fail1"));
	assert_non_null(strstr(out, "skip3"));
	pass.a.plan.reprobe_err = -ENODEV;
	run_captured(log_old, &pass, out, sizeof(out));
	assert_non_null(strstr(out, "re-probe after the channel change failed: No such device;"));
}

/* Interfaces named on the command line are the selection; else [NAME] sections bring theirs in. */
static void test_probe_opts(void **state)
{
	const char *names[MQ_IFS_MAX];
	char *given[] = {"eth3"};
	static char text[MQ_IFS_MAX * 8];
	struct probe_opts po = {0};
	size_t o = 0;
	(void)state;

	assert_int_equal(config_parse("[eth9]\n[veth*]\n[driver=ena]\n[tap0]\nexclude = yes\n[br0]\n",
				      "/etc/mqbalance.conf", &cfg, NULL, 0), 0);
	tune_probe_opts(&cfg, &po, names);
	assert_int_equal(po.nextra, 2);
	assert_ptr_equal(po.extra, names);
	assert_string_equal(names[0], "eth9");
	assert_string_equal(names[1], "br0");
	po = (struct probe_opts){.ifnames = given, .nifnames = 1};
	tune_probe_opts(&cfg, &po, names);
	assert_null(po.extra);
	assert_int_equal(po.nextra, 0);

	/* as many [NAME] sections as a config can have: every one brought in */
	config_free(&cfg);
	for (unsigned i = 0; i < MQ_IFS_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[n%u]\n", i);
	assert_int_equal(config_parse(text, "/etc/mqbalance.conf", &cfg, NULL, 0), 0);
	po = (struct probe_opts){0};
	tune_probe_opts(&cfg, &po, names);
	assert_int_equal(po.nextra, MQ_IFS_MAX);
	assert_string_equal(names[0], "n0");
	assert_string_equal(names[MQ_IFS_MAX - 1], "n255");
}

/*
 * --apply blocks SIGTERM and a pending one stops the pass before its next
 * change; with nothing pending it runs to the end. The daemon's passes
 * (stop_on_signal false) never stop, a SIGTERM pending or not.
 */
static void one_pass(struct tune *t, bool stop, unsigned want_sets)
{
	struct tune_pass pass;

	sets = 0;
	probes = 0;
	tune_init(t, NULL, &cfg, NULL);
	t->stop_on_signal = stop;
	assert_int_equal(tune_run(t, false, &pass), 0);
	assert_int_equal(sets, want_sets);
	assert_int_equal(pass.a.plan.interrupted, want_sets ? 0 : SIGTERM);
	tune_pass_free(&pass);
	tune_free(t);
	{
		char path[64];

		snprintf(path, sizeof(path), "%s/state", dir);
		unlink(path);
	}
}

static void ignore(int sig) { (void)sig; }

static void test_stop_on_signal(void **state)
{
	char root[] = "/tmp/mq-tune-root.XXXXXX";
	struct sigaction act = {.sa_handler = ignore}, oldact;
	sigset_t term, old;
	struct tune t;
	int sig;
	(void)state;

	/* caught, should a failed assertion leave it pending when unblocked */
	assert_int_equal(sigaction(SIGTERM, &act, &oldact), 0);
	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	build = rxtx_1of4;
	sigemptyset(&term);
	sigaddset(&term, SIGTERM);
	assert_int_equal(sigprocmask(SIG_BLOCK, &term, &old), 0);
	one_pass(&t, true, 1);  /* nothing pending */
	raise(SIGTERM);
	one_pass(&t, false, 1); /* pending, but not this pass's to take */
	one_pass(&t, true, 0);  /* pending: stopped before the change */
	assert_int_equal(sigwait(&term, &sig), 0);
	assert_int_equal(sig, SIGTERM);
	assert_int_equal(sigprocmask(SIG_SETMASK, &old, NULL), 0);
	assert_int_equal(sigaction(SIGTERM, &oldact, NULL), 0);
	sysfs_set_root("");
	rmdir(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_dry_run, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stop_on_signal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reprobe_is_the_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_forgets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revert_keeps_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_levels, setup, teardown),
		cmocka_unit_test_setup_teardown(test_probe_opts, setup, teardown),
	};
	return cmocka_run_group_tests_name("tune", tests, NULL, NULL);
}
