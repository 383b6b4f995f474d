// SPDX-License-Identifier: MIT
/*
 * The daemon loop with fake event sources: socketpairs stand in for the
 * rtnetlink, ethtool netlink and uevent sockets, fake tune/load functions
 * record what the loop asks for. Each test ends the loop the way systemd
 * does: SIGTERM.
 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "agent/daemon.h"
#include "agent/log.h"
#include "probes/sysfs.h"

#define FAMILY 42

/* ---- fakes ------------------------------------------------------------------- */

static struct {
	unsigned calls;
	char causes[8][512];
	char cfg_path[8][PATH_MAX];
	unsigned changed_first;  /* tune result of the startup pass */
	int err_first;           /* return value of the startup pass */
	unsigned stop_after;     /* SIGTERM ourselves after this many calls */
	void (*hook)(unsigned call);
	unsigned loads;
	int fail_load_call;      /* this load (1-based) fails */
	struct mq_if_config sections[2];
	unsigned nsections;
	double interval;
	double drift_check[4];   /* drift_check of the config of each load (1-based - 1) */
	unsigned samples;
	void (*sample_hook)(unsigned n);
} f;

static int fake_tune(struct mq_nl *nl, const struct mq_config *cfg, const char *cause, bool dry_run,
		     struct tune_result *ret)
{
	unsigned i = f.calls++;
	(void)nl;
	assert_false(dry_run);
	if (i < 8) {
		snprintf(f.causes[i], sizeof(f.causes[i]), "%s", cause);
		snprintf(f.cfg_path[i], sizeof(f.cfg_path[i]), "%s", cfg->path);
	}
	ret->changed = i == 0 ? f.changed_first : 0;
	snprintf(ret->summary, sizeof(ret->summary), "summary %u", i + 1);
	if (f.hook)
		f.hook(f.calls);
	if (f.calls >= f.stop_after)
		kill(getpid(), SIGTERM);
	return i == 0 ? f.err_first : 0;
}

static int fake_load(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	f.loads++;
	if ((int)f.loads == f.fail_load_call) {
		snprintf(err, errlen, "%s:3: unknown key 'queuez'", path);
		return -EINVAL;
	}
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->path, sizeof(ret->path), "%s#%u", path, f.loads);
	ret->interval = f.interval;
	if (f.loads <= 4)
		ret->drift_check = f.drift_check[f.loads - 1];
	if (f.nsections) {
		ret->ifs = calloc(f.nsections, sizeof(*ret->ifs));
		memcpy(ret->ifs, f.sections, f.nsections * sizeof(*ret->ifs));
		ret->nifs = f.nsections;
	}
	return 0;
}

static void fake_free(struct mq_config *c)
{
	free(c->ifs);
	c->ifs = NULL;
}

static int fake_sample(struct mq_nl *nl, const struct mq_config *cfg)
{
	(void)nl;
	(void)cfg;
	f.samples++;
	if (f.sample_hook)
		f.sample_hook(f.samples);
	return 0;
}

/* ---- fixtures ---------------------------------------------------------------- */

static int ours[3] = {-1, -1, -1};  /* our ends: rtnl, ethtool, uevent */
static struct daemon_opts opts;

static int setup(void **state)
{
	int sp[3][2];
	(void)state;

	memset(&f, 0, sizeof(f));
	f.stop_after = 2;
	memset(&opts, 0, sizeof(opts));
	opts.config_path = "/etc/mqbalance.conf";
	opts.tune = fake_tune;
	opts.load_config = fake_load;
	opts.free_config = fake_free;
	opts.ev.debounce_ms = 20;
	opts.ev.debounce_max_ms = 100;
	opts.drift_ms = 3600000;
	opts.inject = true;
	opts.ethtool_family = FAMILY;
	for (int i = 0; i < 3; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp[i]) < 0)
			return -1;
		ours[i] = sp[i][0];
	}
	opts.rtnl_fd = sp[0][1];
	opts.ethtool_fd = sp[1][1];
	opts.uevent_fd = sp[2][1];
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	sysfs_set_root("/nonexistent-mqbalance-root");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		close(ours[i]);
	sysfs_set_root("");
	return 0;
}

static void send_bytes(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
}

static void send_uevent(const char *action, unsigned cpu)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s@/devices/system/cpu/cpu%u", action, cpu) + 1;

	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "ACTION=%s", action) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "DEVPATH=/devices/system/cpu/cpu%u", cpu) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "SUBSYSTEM=cpu") + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "SEQNUM=1234") + 1;
	send_bytes(ours[2], buf, (size_t)n);
}

static void send_link(uint16_t type, int ifindex, const char *name, unsigned flags, unsigned change,
		      const char *kind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (kind) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	send_bytes(ours[0], buf, nlh->nlmsg_len);
}

static void send_channels(int ifindex, const char *name, uint32_t combined)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *nest;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_CHANNELS_NTF;
	g->version = 1;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined);
	send_bytes(ours[1], buf, nlh->nlmsg_len);
}

/* ---- tests ------------------------------------------------------------------- */

static void test_uevent_parse(void **state)
{
	static const char offline[] = "offline@/devices/system/cpu/cpu3\0ACTION=offline\0"
				      "DEVPATH=/devices/system/cpu/cpu3\0SUBSYSTEM=cpu\0SEQNUM=5";
	static const char online[] = "online@/devices/system/cpu/cpu12\0ACTION=online\0"
				     "DEVPATH=/devices/system/cpu/cpu12\0SUBSYSTEM=cpu\0";
	static const char net[] = "add@/devices/virtual/net/veth0\0ACTION=add\0"
				  "DEVPATH=/devices/virtual/net/veth0\0SUBSYSTEM=net\0";
	static const char add[] = "add@/devices/system/cpu/cpu4\0ACTION=add\0"
				  "DEVPATH=/devices/system/cpu/cpu4\0SUBSYSTEM=cpu\0";
	static const char bigcpu[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpu4096\0"
				     "SUBSYSTEM=cpu\0";
	static const char badcpu[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpu1x\0"
				     "SUBSYSTEM=cpu\0";
	static const char other[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpufreq\0"
				    "SUBSYSTEM=cpu\0";
	struct mq_event e;
	(void)state;

	assert_int_equal(daemon_uevent_parse(offline, sizeof(offline) - 1, &e), 1);
	assert_int_equal(e.type, EV_CPU_OFFLINE);
	assert_int_equal(e.cpu, 3);
	assert_int_equal(daemon_uevent_parse(online, sizeof(online), &e), 1);
	assert_int_equal(e.type, EV_CPU_ONLINE);
	assert_int_equal(e.cpu, 12);
	assert_int_equal(daemon_uevent_parse(net, sizeof(net), &e), 0);
	assert_int_equal(daemon_uevent_parse(add, sizeof(add), &e), 0);
	assert_int_equal(daemon_uevent_parse(other, sizeof(other), &e), 0);
	assert_int_equal(daemon_uevent_parse(bigcpu, sizeof(bigcpu), &e), -EINVAL);
	assert_int_equal(daemon_uevent_parse(badcpu, sizeof(badcpu), &e), -EINVAL);
	assert_int_equal(daemon_uevent_parse("libudev\0\xfe\xed", 10, &e), 0);
	assert_int_equal(daemon_uevent_parse("", 0, &e), -EINVAL);
	assert_int_equal(daemon_uevent_parse("garbage", 7, &e), -EINVAL);
	/* Every prefix of a real message: never read past the end, never crash. */
	for (size_t n = 0; n < sizeof(offline); n++)
		daemon_uevent_parse(offline, n, &e);
}

static void test_cpu_offline(void **state)
{
	(void)state;
	send_uevent("offline", 3);
	send_bytes(ours[2], "junk", 4); /* malformed: ignored */
	assert_int_equal(daemon_run(&opts), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[0], "startup");
	assert_string_equal(f.causes[1], "cpu3 went offline");
}

static void test_tune_failure_not_fatal(void **state)
{
	(void)state;
	f.err_first = -ENODEV; /* the first pass could not run at all */
	send_uevent("online", 5);
	assert_int_equal(daemon_run(&opts), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "cpu5 came online");
}

static void test_cpu_burst_coalesced(void **state)
{
	(void)state;
	for (unsigned c = 4; c < 8; c++)
		send_uevent("offline", c);
	send_uevent("online", 1);
	assert_int_equal(daemon_run(&opts), 0);
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
	snprintf(f.sections[0].name, sizeof(f.sections[0].name), "veth1");
	f.nsections = 1;
	assert_int_equal(daemon_run(&opts), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth7 appeared, eth7 renamed to wan7, wan7 link up, "
					 "veth1 link up, eth9 went away");
}

static void test_channels_by_someone_else(void **state)
{
	(void)state;
	snprintf(f.sections[0].name, sizeof(f.sections[0].name), "eth1");
	f.sections[0].pinned = true;
	f.sections[0].queues_mode = QUEUES_N;
	f.sections[0].queues = 2;
	f.nsections = 1;
	send_channels(6, "eth1", 1); /* pinned: left alone */
	send_channels(5, "eth0", 2);
	assert_int_equal(daemon_run(&opts), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "eth0 channels changed by someone else (to 2)");
}

static void test_own_channel_change_ignored(void **state)
{
	(void)state;
	/*
	 * Read after the startup pass, which changed something: probably ours,
	 * so not blamed on anyone, only verified (a quiet drift check) in the
	 * same coalesced pass as the CPU event.
	 */
	f.changed_first = 1;
	send_channels(5, "eth0", 4);
	send_uevent("online", 2);
	assert_int_equal(daemon_run(&opts), 0);
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
	assert_int_equal(daemon_run(&opts), 0);
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
	assert_int_equal(daemon_run(&opts), 0);
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
	assert_int_equal(daemon_run(&opts), 0);
	dt = mono_s() - t0;
	assert_int_equal(f.calls, 3);
	assert_string_equal(f.causes[1], "configuration reloaded");
	assert_string_equal(f.causes[2], "drift check");
	assert_true(dt > 0.9 && dt < 5);
}

static void test_config_error_at_start(void **state)
{
	(void)state;
	f.fail_load_call = 1;
	assert_int_equal(daemon_run(&opts), -EINVAL);
	assert_int_equal(f.calls, 0);
}

static char online_path[400];

static void offline_cpu3(unsigned n)
{
	FILE *fp;

	if (n != 1)
		return;
	fp = fopen(online_path, "w");
	assert_non_null(fp);
	fputs("0-2\n", fp);
	fclose(fp);
}

static void test_cpu_poll_fallback_and_sample(void **state)
{
	char root[] = "/tmp/mqdaemon.XXXXXX", cmd[300];
	FILE *fp;
	(void)state;

	assert_non_null(mkdtemp(root));
	snprintf(cmd, sizeof(cmd), "%s/sys/devices/system/cpu", root);
	snprintf(online_path, sizeof(online_path), "%s/online", cmd);
	for (char *p = cmd + strlen(root) + 1; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(cmd, 0755);
		*p = '/';
	}
	mkdir(cmd, 0755);
	fp = fopen(online_path, "w");
	assert_non_null(fp);
	fputs("0-3\n", fp);
	fclose(fp);
	sysfs_set_root(root);
	/* No uevent source at all: the sample timer's poll must notice. */
	close(ours[2]);
	ours[2] = -1;
	close(opts.uevent_fd);
	opts.uevent_fd = -1;
	opts.sample = fake_sample;
	f.interval = 0.1;
	f.sample_hook = offline_cpu3;
	assert_int_equal(daemon_run(&opts), 0);
	assert_int_equal(f.calls, 2);
	assert_string_equal(f.causes[1], "cpu3 went offline");
	assert_true(f.samples >= 1);
	unlink(online_path);
	snprintf(cmd, sizeof(cmd), "rm -rf -- '%s'", root);
	assert_int_equal(system(cmd), 0);
}

static void test_notify(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	char dir[] = "/tmp/mqdaemon.XXXXXX", msgs[8][600];
	unsigned n = 0;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/notify", dir);
	fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", sa.sun_path, 1);
	setenv("WATCHDOG_USEC", "100000", 1); /* ping every 50 ms */
	f.stop_after = 1;
	f.hook = NULL;
	/* Keep the loop alive long enough for a watchdog ping: stop from a later uevent. */
	f.stop_after = 2;
	usleep(1000);
	send_uevent("offline", 1);
	opts.ev.debounce_ms = 150;
	opts.ev.debounce_max_ms = 150;
	assert_int_equal(daemon_run(&opts), 0);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	for (; n < 8; n++) {
		ssize_t k = recv(fd, msgs[n], sizeof(msgs[n]) - 1, MSG_DONTWAIT);

		if (k < 0)
			break;
		msgs[n][k] = '\0';
	}
	close(fd);
	unlink(sa.sun_path);
	rmdir(dir);
	assert_true(n >= 4);
	/* The first apply's STATUS, then READY, ..., STOPPING last. */
	assert_string_equal(msgs[0], "STATUS=summary 1 (pass 1: startup)");
	assert_string_equal(msgs[1], "READY=1");
	assert_string_equal(msgs[n - 1], "STOPPING=1");
	bool watchdog = false, second = false;
	for (unsigned i = 2; i < n - 1; i++) {
		watchdog |= !strcmp(msgs[i], "WATCHDOG=1");
		second |= !strcmp(msgs[i], "STATUS=summary 2 (pass 2: cpu1 went offline)");
	}
	assert_true(watchdog);
	assert_true(second);
}

/*
 * The real sockets, in a network namespace of our own (needs root): links
 * appear, change channels, come up, get renamed and go away, each seen by
 * the kernel's own notifications. CPU hotplug is left to the guest tests.
 */
static const char *const netns_steps[] = {
	("ip link add vethA numtxqueues 4 numrxqueues 4 type veth peer vethB numtxqueues 4 "
	 "numrxqueues 4"),
	"ethtool -L vethA rx 2 tx 2",
	"ip link set vethA up",
	"ip link set vethA down && ip link set vethA name vethC",
	"ip link del vethC",
};

static void netns_step(unsigned call)
{
	if (call <= sizeof(netns_steps) / sizeof(netns_steps[0]) && system(netns_steps[call - 1]) != 0)
		_exit(90 + (int)call);
}

static void test_real_netns(void **state)
{
	static const char *const want[] = {
		"startup",
		"vethA appeared",
		"vethA channels changed by someone else (to 2)",
		"vethA link up",
		"vethA renamed to vethC",
		"vethC went away",
	};
	int pfd[2], status;
	char out[4096] = "";
	size_t got = 0;
	pid_t pid;
	(void)state;

	if (geteuid() != 0 || system("command -v ip >/dev/null && command -v ethtool >/dev/null")) {
		print_message("skip: needs root, ip and ethtool\n");
		skip();
		return;
	}
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		close(pfd[0]);
		alarm(10); /* alarms are not inherited */
		if (unshare(CLONE_NEWNET) < 0)
			_exit(77);
		opts.inject = false;
		snprintf(f.sections[0].name, sizeof(f.sections[0].name), "vethA");
		snprintf(f.sections[1].name, sizeof(f.sections[1].name), "vethC");
		f.nsections = 2;
		f.hook = netns_step;
		f.stop_after = 6;
		if (daemon_run(&opts) != 0)
			_exit(80);
		for (unsigned i = 0; i < f.calls && i < 8; i++)
			dprintf(pfd[1], "%s\n", f.causes[i]);
		_exit(0);
	}
	close(pfd[1]);
	for (ssize_t k; (k = read(pfd[0], out + got, sizeof(out) - 1 - got)) > 0;)
		got += (size_t)k;
	out[got] = '\0';
	close(pfd[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		print_message("skip: cannot create a network namespace here\n");
		skip();
		return;
	}
	assert_int_equal(WEXITSTATUS(status), 0);
	char *line = out;
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		char *nl = strchr(line, '\n');

		assert_non_null(nl);
		*nl = '\0';
		assert_string_equal(line, want[i]);
		line = nl + 1;
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uevent_parse),
		cmocka_unit_test_setup_teardown(test_cpu_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tune_failure_not_fatal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_burst_coalesced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_by_someone_else, setup, teardown),
		cmocka_unit_test_setup_teardown(test_own_channel_change_ignored, setup, teardown),
		cmocka_unit_test_setup_teardown(test_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reload, setup, teardown),
		cmocka_unit_test_setup_teardown(test_drift_check_from_config, setup, teardown),
		cmocka_unit_test_setup_teardown(test_config_error_at_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpu_poll_fallback_and_sample, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_netns, setup, teardown),
	};

	log_setup(LOG_LVL_INFO, false);
	return cmocka_run_group_tests_name("daemon", tests, NULL, NULL);
}
