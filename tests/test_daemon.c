// SPDX-License-Identifier: MIT
/*
 * The daemon's policy with fake event sources (tests/daemon_fake.h):
 * socketpairs stand in for the rtnetlink, ethtool netlink and uevent
 * sockets, fake hooks record what the daemon asks for. Each test ends the
 * loop the way systemd does: SIGTERM. The parsers themselves are
 * tests/test_monitor.c's; real sockets and the notify socket are
 * tests/test_daemon_sys.c's.
 */
#include <sys/stat.h>
#include <time.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "agent/log.h"
#include "tests/daemon_fake.h"
#include "tests/tmptree.h"

/* A lost event source opened again: a new socketpair, our end in ours[] (f.reopen). */
int __real_monitor_open(struct mq_monitor *m, enum mon_src s);
int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s);
int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s)
{
	int sp[2];

	if (!f.reopen)
		return __real_monitor_open(m, s);
	if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp) < 0)
		return -errno;
	close(ours[s]);
	ours[s] = sp[0];
	monitor_adopt(m, s, sp[1]);
	return 0;
}

/* ---- tests ------------------------------------------------------------------- */

static void test_cpu_offline(void **state)
{
	(void)state;
	send_uevent("offline", 3);
	send_bytes(ours[2], "junk", 4); /* malformed: ignored */
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[0], "startup");
	assert_string_equal(f.causes[1], "cpu3 went offline");
}

static void test_tune_failure_not_fatal(void **state)
{
	(void)state;
	f.err_first = -ENODEV; /* the first pass could not run at all */
	send_uevent("online", 5);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "cpu5 came online");
}

static void test_cpu_burst_coalesced(void **state)
{
	(void)state;
	for (unsigned c = 4; c < 8; c++)
		send_uevent("offline", c);
	send_uevent("online", 1);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "cpus 4-7 went offline, cpu1 came online");
}

static void test_link_events(void **state)
{
	(void)state;
	send_link(RTM_NEWLINK, 1, "lo", IFF_LOOPBACK | IFF_UP, IFF_UP, NULL); /* loopback: never */
	send_link(RTM_NEWLINK, 70, "eth7", 0, ~0U, NULL);
	send_link(RTM_NEWLINK, 70, "wan7", 0, 0, NULL);
	send_link(RTM_NEWLINK, 70, "wan7", IFF_UP, IFF_UP, NULL);
	send_link(RTM_NEWLINK, 70, "wan7", IFF_UP, 0, NULL);        /* carrier etc.: nothing */
	send_link(RTM_NEWLINK, 80, "veth9", 0, ~0U, "veth");        /* virtual, not configured */
	send_link(RTM_NEWLINK, 81, "veth1", IFF_UP, IFF_UP, "veth"); /* configured below */
	send_link(RTM_DELLINK, 90, "eth9", 0, 0, NULL);
	send_bytes(ours[0], "\x10\0\0\0\x10\0", 6);                 /* truncated header */
	send_link(RTM_NEWLINK, 0, "bad", 0, ~0U, NULL);              /* no ifindex */
	send_link(RTM_NEWLINK, 91, "eth6", IFF_UP, IFF_UP, NULL);    /* excluded below */
	fake_section("veth1", MATCH_NAME);
	section_exclude(fake_section("eth6", MATCH_NAME), true);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth7 appeared, eth7 renamed to wan7, wan7 link up, "
					 "veth1 link up, eth9 went away");
}

/*
 * With names given, a pass takes those links only, as the events do: a
 * virtual link named counts; --all adds no other, nor does being a device.
 */
static void test_links_named(void **state)
{
	char *names[] = {"veth2"};
	struct probe_opts sel = {.ifnames = names, .nifnames = 1, .all = true};
	(void)state;

	opts.select = &sel;
	send_link(RTM_NEWLINK, 82, "veth2", IFF_UP, IFF_UP, "veth");
	send_link(RTM_NEWLINK, 83, "veth3", IFF_UP, IFF_UP, "veth");
	send_link(RTM_DELLINK, 90, "eth9", 0, 0, NULL);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "veth2 link up");
}

/* Pinned (queues = N) or not, someone else's change is undone: the config is what holds. */
static void test_channels_by_someone_else(void **state)
{
	(void)state;
	section_queues(fake_section("eth1", MATCH_NAME), QUEUES_N, 2);
	send_channels(6, "eth1", 1);
	send_channels(5, "eth0", 2);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth1 channels changed by someone else (to 1), "
					 "eth0 channels changed by someone else (to 2)");
}

/*
 * A virtual link's change is ours only when a pass takes the link (as for its
 * link events): veth1 has a [veth1] section; the [veth*] glob configures
 * veths but brings none in, so veth3's (a container's) is not; eth5, a
 * device, is taken unless excluded, and eth6 is ([eth6] exclude = yes).
 */
static void test_channels_virtual(void **state)
{
	(void)state;
	fake_section("veth1", MATCH_NAME);
	section_queues(fake_section("veth*", MATCH_GLOB), QUEUES_N, 1);
	section_exclude(fake_section("eth6", MATCH_NAME), true);
	send_channels(11, "veth3", 2);
	send_channels(12, "veth1", 2);
	send_channels(13, "eth6", 3);
	send_channels(14, "eth5", 3);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "veth1 channels changed by someone else (to 2), "
					 "eth5 channels changed by someone else (to 3)");
}

/* --all takes every link, and so every link's change. */
static void test_channels_all(void **state)
{
	struct probe_opts sel = {.all = true};
	(void)state;

	opts.select = &sel;
	send_channels(11, "veth3", 2);
	send_channels(15, "lo", 1); /* but lo */
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "veth3 channels changed by someone else (to 2)");
}

/* A notification with the index only: named after the link it is, or by its index if unknown. */
static void test_channels_without_name(void **state)
{
	(void)state;
	send_link(RTM_NEWLINK, 5, "eth0", IFF_UP, 0, NULL);
	send_channels(5, NULL, 2);
	send_channels(9, NULL, 3);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth0 channels changed by someone else (to 2), "
					 "ifindex9 channels changed by someone else (to 3)");
}

/* Excluded follows the merged config: a glob section excludes eth1*, [eth12] takes eth12 back. */
static void test_channels_excluded_by_glob(void **state)
{
	(void)state;
	section_exclude(fake_section("eth1*", MATCH_GLOB), true);
	section_exclude(fake_section("eth12", MATCH_NAME), false);
	send_channels(6, "eth1", 1);  /* excluded by [eth1*]: not ours to restore */
	send_channels(7, "eth12", 2); /* [eth12] says exclude = no: restored */
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth12 channels changed by someone else (to 2)");
}

/*
 * Read after the startup pass set eth0 to 4: the notification saying 4 is
 * our echo, not blamed on anyone, only verified (a quiet drift check) in the
 * same coalesced pass as the CPU event.
 */
static void test_own_channel_change_ignored(void **state)
{
	(void)state;
	f.changed_first = 1;
	f.own_ifindex = 5;
	f.own_count = 4;
	send_channels(5, "eth0", 4);
	send_uevent("online", 2);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "drift check, cpu2 came online");
}

/*
 * The startup pass set eth0 to 4 (it read someone's change to 1 before their
 * notification came): the notification saying 1, read after our pass, is
 * theirs, and said so; eth1's, which the pass did not touch, too.
 */
static void test_other_count_after_our_change(void **state)
{
	(void)state;
	f.changed_first = 3;
	f.own_ifindex = 5;
	f.own_count = 4;
	send_channels(5, "eth0", 1);
	send_channels(6, "eth1", 2);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth0 channels changed by someone else (to 1), "
					 "eth1 channels changed by someone else (to 2)");
}

/* A pass that set more links' channels than it can list: any notification right after is ours. */
static void test_own_channel_changes_many(void **state)
{
	(void)state;
	f.changed_first = 20;
	f.own_ifindex = 5;
	f.own_count = 4;
	f.own_many = true;
	send_channels(30, "eth30", 7); /* a link past the ones listed, another count */
	send_uevent("online", 2);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "drift check, cpu2 came online");
}

/* Garbage and cut-off messages on every source: logged, skipped, never fatal (ASan watches). */
static void test_garbage(void **state)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	unsigned seed = 12345;
	(void)state;

	for (int i = 0; i < 300; i++) {
		size_t len = 1 + (size_t)(rand_r(&seed) % 200);

		for (size_t k = 0; k < len; k++)
			buf[k] = (char)rand_r(&seed);
		if (i % 3 == 1 && len >= sizeof(struct nlmsghdr)) {
			/* A plausible header in front of the noise. */
			struct nlmsghdr *nlh = (struct nlmsghdr *)buf;

			nlh->nlmsg_len = (uint32_t)len;
			nlh->nlmsg_type = i % 2 ? RTM_NEWLINK : FAMILY;
		}
		send_bytes(ours[i % 3], buf, len);
	}
	/* Valid messages cut short. */
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = RTM_NEWLINK;
	struct ifinfomsg *ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = 9;
	ifm->ifi_change = ~0U;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, "eth9");
	for (uint32_t cut = 1; cut < nlh->nlmsg_len; cut++) {
		uint32_t full = nlh->nlmsg_len;

		nlh->nlmsg_len = cut; /* header says what was sent */
		send_bytes(ours[0], buf, cut);
		nlh->nlmsg_len = full;
	}
	send_uevent("offline", 3);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_non_null(strstr(f.causes[1], "cpu3 went offline"));
}

static void hup(unsigned call)
{
	(void)call;
	kill(getpid(), SIGHUP);
}

static void test_reload(void **state)
{
	(void)state;
	/* startup (SIGHUP: the reload fails) -> drift check (SIGHUP: ok) -> reload retune. */
	f.fail_load_call = 2;
	f.hook = hup;
	f.stop_after = 3;
	opts.drift_ms = 150;
	assert_int_equal(run(), 0);
	assert_int_equal(f.loads, 3);
	assert_int_equal(f.calls, 3);
	assert_string_equal(f.cfg_path[0], "/etc/mqbalance.conf#1");
	assert_string_equal(f.causes[1], "drift check");
	assert_string_equal(f.cfg_path[1], "/etc/mqbalance.conf#1"); /* old config kept */
	assert_string_equal(f.causes[2], "configuration reloaded");
	assert_string_equal(f.cfg_path[2], "/etc/mqbalance.conf#3");
}

static void hup_first(unsigned call)
{
	if (call == 1)
		kill(getpid(), SIGHUP);
}

static double mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* drift_check from the config sets the drift timer, and a reload re-arms it. */
static void test_drift_check_from_config(void **state)
{
	double t0, dt;
	(void)state;
	opts.drift_ms = 0;
	f.drift_check[0] = 3600;
	f.drift_check[1] = 1;
	f.hook = hup_first;
	f.stop_after = 3;
	t0 = mono_s();
	assert_int_equal(run(), 0);
	dt = mono_s() - t0;
	assert_int_equal(f.calls, 3);
	assert_string_equal(f.causes[1], "configuration reloaded");
	assert_string_equal(f.causes[2], "drift check");
	assert_true(dt > 0.9 && dt < 5);
}

/* main loads the config (a broken one ends it there); the daemon wants every piece. */
static void test_missing_opts(void **state)
{
	struct daemon_opts o = opts;
	(void)state;

	o.cfg = NULL;
	assert_int_equal(daemon_run(&o), -EINVAL);
	o = opts;
	o.mon = NULL;
	assert_int_equal(daemon_run(&o), -EINVAL);
	o = opts;
	o.hooks.tune = NULL;
	assert_int_equal(daemon_run(&o), -EINVAL);
	assert_int_equal(f.calls, 0);
}

static char online_path[400], online_root[32];

static void write_online(const char *text)
{
	assert_int_equal(tmptree_put(online_path, strlen(online_root) + 1, text), 0);
}

static void offline_cpu3(unsigned n)
{
	if (n == 1)
		write_online("0-2\n");
}

/* A fixture root whose /sys/devices/system/cpu/online says 0-3. */
static void online_fixture(void)
{
	snprintf(online_root, sizeof(online_root), "/tmp/mqdaemon.XXXXXX");
	assert_non_null(mkdtemp(online_root));
	snprintf(online_path, sizeof(online_path), "%s/sys/devices/system/cpu/online", online_root);
	write_online("0-3\n");
	sysfs_set_root(online_root);
}

static void online_fixture_free(void)
{
	assert_int_equal(tmptree_rm(online_root), 0);
}

static void test_cpu_poll_fallback_and_sample(void **state)
{
	(void)state;
	online_fixture();
	/* No uevent source at all: the sample timer's poll must notice. */
	close(ours[2]);
	ours[2] = -1;
	monitor_close(&mon, MON_UEVENT);
	opts.hooks.sample = fake_sample;
	f.interval = 0.1;
	f.sample_hook = offline_cpu3;
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "cpu3 went offline");
	assert_true(f.samples >= 1);
	online_fixture_free();
}

/*
 * With uevents, the polled view follows them: the sample timer's polls,
 * which read cpu3 gone as the uevent said, report nothing again, and the
 * next pass is the drift check's.
 */
static void test_cpu_poll_after_uevent(void **state)
{
	(void)state;
	online_fixture();
	opts.hooks.sample = fake_sample;
	opts.drift_ms = 600;
	f.interval = 0.1;
	f.hook = offline_cpu3; /* after the startup pass, before the uevent is read */
	f.stop_after = 3;
	send_uevent("offline", 3);
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 3);
	assert_string_equal(f.causes[1], "cpu3 went offline");
	assert_string_equal(f.causes[2], "drift check");
	assert_true(f.samples >= 2);
	online_fixture_free();
}

/*
 * Counters are sampled when the sample timer says, and only then: not at
 * startup, nor for an event, a reload or a drift check (here all of them
 * within the first of hour-long intervals).
 */
static void test_sample_only_on_its_timer(void **state)
{
	(void)state;
	opts.hooks.sample = fake_sample;
	opts.hooks.check = fake_check;
	opts.drift_ms = 40;
	f.interval = 3600;
	f.checks_quiet = 2;
	f.hook = hup_first;
	f.stop_after = 3;
	send_uevent("offline", 3);
	assert_int_equal(run(), 0);
	assert_int_equal(f.loads, 2);
	assert_int_equal(f.calls, 3);
	assert_int_equal(f.samples, 0);
}

/* A drift check that finds nothing moved runs no pass; the first that finds drift does. */
static void test_drift_check_without_a_pass(void **state)
{
	(void)state;
	opts.hooks.check = fake_check;
	opts.drift_ms = 40;
	f.checks_quiet = 3;
	assert_int_equal(run(), 0);
	assert_int_equal(f.checks, 4);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "drift check");
}

static void link_up_at_third(unsigned n)
{
	if (n == 3)
		send_link(RTM_NEWLINK, 5, "eth9", IFF_UP, IFF_UP, NULL);
}

/* An event between quiet drift checks still runs a pass, not a check. */
static void test_event_between_checks(void **state)
{
	(void)state;
	opts.hooks.check = fake_check;
	opts.drift_ms = 40;
	f.checks_quiet = 1000;
	f.check_hook = link_up_at_third;
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_non_null(strstr(f.causes[1], "eth9 link up")); /* maybe with a drift check folded in */
	assert_true(f.checks >= 3);
}

static void no_check(unsigned n)
{
	fail_msg("drift check %u without a pass while link events are not watched", n);
}

/* Without link events a new NIC is found only by a probe: every drift check is a pass. */
static void test_drift_check_without_link_events(void **state)
{
	(void)state;
	f.check_hook = no_check;
	close(ours[0]);
	ours[0] = -1;
	monitor_close(&mon, MON_RTNL);
	opts.hooks.check = fake_check;
	opts.drift_ms = 40;
	f.checks_quiet = 1000;
	f.stop_after = 3;
	assert_int_equal(run(), 0);
	assert_int_equal(f.checks, 0);
	assert_string_equal(f.causes[1], "drift check");
	assert_string_equal(f.causes[2], "drift check");
}

static void term_at_second(unsigned n)
{
	if (n == 2)
		kill(getpid(), SIGTERM);
}

/* Link events lost, then watched again: one drift check is a pass, the next ones checks again. */
static void test_link_events_back(void **state)
{
	(void)state;
	f.reopen = true;
	send_bytes(ours[0], "", 0); /* end of stream: the rtnetlink source is closed */
	opts.hooks.check = fake_check;
	opts.drift_ms = 40;
	f.checks_quiet = 1000;
	f.check_hook = term_at_second;
	f.stop_after = 3;
	assert_int_equal(run(), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "drift check");
	assert_int_equal(f.checks, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cpu_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tune_failure_not_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_burst_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_links_named, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_by_someone_else, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_without_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_virtual, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_all, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_excluded_by_glob, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_channel_change_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_count_after_our_change, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_channel_changes_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_from_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_opts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_poll_fallback_and_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_poll_after_uevent, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sample_only_on_its_timer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_without_a_pass, setup, teardown),
		cmocka_unit_test_setup_teardown(test_event_between_checks, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_without_link_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_events_back, setup, teardown),
	};

	log_setup(LOG_LVL_INFO, false);
	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
