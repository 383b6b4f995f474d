// SPDX-License-Identifier: MIT
/*
 * The daemon against real things (fakes from tests/daemon_fake.h for the
 * rest): its own log (stderr captured), a systemd notify socket, and the
 * kernel's netlink sockets in a private network namespace.
 */
#include <sched.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>

#include <cmocka.h>

#include "agent/lock.h"
#include "agent/log.h"
#include "tests/capture.h"
#include "tests/daemon_fake.h"
#include "probes/nl.h"

static unsigned count_lines(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)); p++)
		n++;
	return n;
}

/* run() with its stderr read into log (NUL-terminated, cut at size - 1). */
static int run_logged(char *log, size_t size)
{
	int r;

	capture_start();
	r = run();
	capture_end(log, size);
	return r;
}

/*
 * The same failure at every drift check is said once, and once when it
 * clears: a pass that cannot run, then the same steps failing.
 */
static void test_lasting_failures_logged_once(void **state)
{
	char log[8192];
	(void)state;

	f.err_all = 4;       /* startup and three drift checks cannot tune */
	f.failed = 2;        /* then two steps fail, */
	f.failed_until = 7;  /* for three passes, */
	f.stop_after = 8;    /* and the last one works */
	opts.drift_ms = 40;
	assert_int_equal(run_logged(log, sizeof(log)), 0);
	assert_int_equal(f.calls, 8);
	assert_int_equal(count_lines(log, "could not tune (No such device)"), 1);
	assert_int_equal(count_lines(log, "startup: could not tune"), 1);
	assert_int_equal(count_lines(log, "tuning works again"), 1);
	assert_int_equal(count_lines(log, "2 change(s) failed"), 1);
	assert_int_equal(count_lines(log, "no change fails any more"), 1);
}

/*
 * Someone else's channel change, said with what happens: restored to the
 * config's count where it pins one (eth1; eth3 by a glob that [eth3] takes
 * out of the exclusion), else restored with how to keep it; an excluded
 * interface's is not ours to mention.
 */
static void test_channels_logged(void **state)
{
	struct mq_section *glob;
	char log[8192];
	(void)state;

	section_queues(fake_section("eth1", MATCH_NAME), QUEUES_N, 2);
	glob = fake_section("eth[23]", MATCH_GLOB);
	section_queues(glob, QUEUES_MAX, 0);
	section_exclude(glob, true);
	section_exclude(fake_section("eth3", MATCH_NAME), false);
	send_channels(6, "eth1", 1);
	send_channels(5, "eth0", 3);
	send_channels(7, "eth2", 1);
	send_channels(8, "eth3", 2);
	send_channels(9, NULL, 5); /* a link it never saw: no section to suggest */
	assert_int_equal(run_logged(log, sizeof(log)), 0);
	assert_int_equal(count_lines(log, "eth1 channels changed by someone else (now 1), restoring "
					  "queues = 2 of /etc/mqbalance.conf"), 1);
	assert_int_equal(count_lines(log, "eth0 channels changed by someone else (now 3), restoring "
					  "them; set queues = 3 in [eth0] of /etc/mqbalance.conf"), 1);
	assert_int_equal(count_lines(log, "eth3 channels changed by someone else (now 2), restoring "
					  "queues = max of /etc/mqbalance.conf"), 1);
	assert_int_equal(count_lines(log, "eth2"), 0);
	assert_int_equal(count_lines(log, "ifindex9 channels changed by someone else (now 5), "
					  "restoring them\n"), 1);
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
	assert_int_equal(run(), 0);
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
		/* Real sources, from the families probes/nl.c resolves in this namespace. */
		struct mq_nl nl;
		if (mqnl_open(&nl) < 0)
			_exit(81);
		monitor_close_all(&mon);
		monitor_init(&mon, &nl);
		fake_section("vethA", MATCH_NAME);
		fake_section("vethC", MATCH_NAME);
		f.hook = netns_step;
		f.stop_after = 6;
		/* every source opens here: not one "cannot watch" in the log */
		FILE *log = tmpfile();
		char text[4096];
		if (!log || dup2(fileno(log), STDERR_FILENO) < 0)
			_exit(82);
		if (run() != 0)
			_exit(80);
		fflush(stderr);
		rewind(log);
		text[fread(text, 1, sizeof(text) - 1, log)] = '\0';
		if (strstr(text, "cannot watch"))
			_exit(83);
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

/* The run lock: its directory made when missing, the holder named to a second taker. */
static void test_lock(void **state)
{
	char top[] = "/tmp/mq-lock.XXXXXX", dir[64], path[96], holder[32], err[256], text[64];
	pid_t pid;
	FILE *lf;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(top));
	snprintf(dir, sizeof(dir), "%s/run", top);
	setenv("MQBALANCE_RUN_DIR", dir, 1);
	errno = 0;
	fd = lock_take("daemon", &pid, holder, sizeof(holder), err, sizeof(err));
	if (fd < 0)
		fail_msg("lock_take: %s", err);
	snprintf(path, sizeof(path), "%s/lock", dir);
	lf = fopen(path, "r");
	assert_non_null(lf);
	assert_non_null(fgets(text, sizeof(text), lf));
	fclose(lf);
	snprintf(err, sizeof(err), "%ld daemon\n", (long)getpid());
	assert_string_equal(text, err);
	/* another open file description of the same lock: refused, the holder named */
	assert_int_equal(lock_take("apply", &pid, holder, sizeof(holder), err, sizeof(err)), -EWOULDBLOCK);
	assert_int_equal(pid, getpid());
	assert_string_equal(holder, "daemon");
	/* What another program left in the lock: a line longer than the
	 * reader's buffer, garbage, a PID beyond pid_t. Never more than the
	 * buffer read, the holder cut to fit, a PID only when it is one. */
	static const struct {
		const char *text, *holder;
		pid_t pid;
	} left[] = {
		{"4321 xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n",
		 "xxxxxxxxxxxxxxxxxxx", 4321},
		{"4321 daemon", "daemon", 4321},
		{"what", "", 0},
		{"99999999999 daemon\n", "daemon", 0},
		{"-7 apply\n", "apply", 0},
		{" \n", "", 0},
		{"", "", 0},
	};
	for (size_t i = 0; i < sizeof(left) / sizeof(left[0]); i++) {
		assert_int_equal(ftruncate(fd, 0), 0);
		assert_int_equal(pwrite(fd, left[i].text, strlen(left[i].text), 0), (ssize_t)strlen(left[i].text));
		pid = -1;
		assert_int_equal(lock_take("apply", &pid, holder, 20, err, sizeof(err)), -EWOULDBLOCK);
		assert_int_equal(pid, left[i].pid);
		assert_string_equal(holder, left[i].holder);
	}
	close(fd);
	/* a longer line and more left by a holder gone: the new holder's line, and only it */
	lf = fopen(path, "w");
	assert_non_null(lf);
	fputs("4294967 daemon-of-another-version\nmore\n", lf);
	assert_int_equal(fclose(lf), 0);
	fd = lock_take("revert", &pid, holder, sizeof(holder), err, sizeof(err));
	assert_true(fd >= 0);
	lf = fopen(path, "r");
	assert_non_null(lf);
	memset(text, 0, sizeof(text));
	assert_true(fread(text, 1, sizeof(text) - 1, lf) > 0);
	fclose(lf);
	snprintf(err, sizeof(err), "%ld revert\n", (long)getpid());
	assert_string_equal(text, err);
	close(fd);
	unsetenv("MQBALANCE_RUN_DIR");
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(rmdir(top), 0);
}

/* The drift check's answers in turn: nothing moved, moved, cannot tell. */
static int check_seq(void *ctx, const struct mq_config *c)
{
	static const int answers[] = {1, 0, -EIO};

	assert_ptr_equal(ctx, &f);
	(void)c;
	return answers[f.checks++ % 3];
}

/*
 * The debug log says each thing once and only what happened: an unreadable
 * CPU list once however many ticks read it, "cannot tell" only for a check
 * that failed (not one that found drift), nothing for a link's carrier.
 */
static void test_debug_log(void **state)
{
	char log[16384];
	int r;
	(void)state;

	send_link(RTM_NEWLINK, 70, "wan7", IFF_UP, 0, NULL); /* carrier, MTU...: not an event */
	opts.hooks.check = check_seq;
	opts.drift_ms = 40;
	f.stop_after = 3;
	log_setup(LOG_LVL_DEBUG, false);
	r = run_logged(log, sizeof(log));
	log_setup(LOG_LVL_INFO, false);
	assert_int_equal(r, 0);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", log);
	assert_int_equal(f.checks, 3);
	assert_int_equal(f.calls, 3); /* startup, then the checks that found drift or could not tell */
	assert_int_equal(count_lines(log, "cannot read /sys/devices/system/cpu/online"), 1);
	assert_int_equal(count_lines(log, "cannot tell"), 1);
	assert_int_equal(count_lines(log, "drift check: cannot tell (Input/output error)"), 1);
	assert_int_equal(count_lines(log, "nothing moved"), 1);
	assert_int_equal(count_lines(log, "wan7"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_lasting_failures_logged_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_debug_log, setup, teardown),
		cmocka_unit_test_setup_teardown(test_channels_logged, setup, teardown),
		cmocka_unit_test_setup_teardown(test_notify, setup, teardown),
		cmocka_unit_test_setup_teardown(test_real_netns, setup, teardown),
		cmocka_unit_test(test_lock),
	};

	log_setup(LOG_LVL_INFO, false);
	return cmocka_run_group_tests_name("daemon_sys", tests, NULL, NULL);
}
