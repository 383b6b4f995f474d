// SPDX-License-Identifier: MIT
/*
 * The daemon's event intake (agent/watch.c) on a loop of its own:
 * socketpairs stand in for the rtnetlink and uevent sockets. Whatever slot
 * of the loop a source gets, its events arrive, stamped, renames first; a
 * source that ends is closed and the others go on.
 */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>

#include "agent/watch.h"
#include "tests/capture.h"

static struct {
	struct mq_event ev[8];
	unsigned n, stop_at;
	struct mq_loop *loop;
} got;

static void collect(const struct mq_event *e, void *ctx)
{
	(void)ctx;
	if (got.n < 8)
		got.ev[got.n] = *e;
	if (++got.n >= got.stop_at)
		loop_stop(got.loop, 0);
}

static void stop(struct mq_loop *l, void *ctx)
{
	(void)ctx;
	loop_stop(l, 0);
}

static void send_link(int fd, int ifindex, const char *name)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = RTM_NEWLINK;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = IFF_UP;
	ifm->ifi_change = IFF_UP;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	assert_int_equal(send(fd, buf, nlh->nlmsg_len, 0), (ssize_t)nlh->nlmsg_len);
}

/* monitor_open() (tests/test_watch.mk): fails with err, hands over a socketpair, or the real one */
static struct {
	int err;
	bool give;
	int peer; /* our end of the one handed over */
	int peers[_MON_SRC_MAX]; /* the same, by source */
	unsigned calls;
} reopen = {.peer = -1};

int __real_monitor_open(struct mq_monitor *m, enum mon_src s);
int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s);
int __wrap_monitor_open(struct mq_monitor *m, enum mon_src s)
{
	int sp[2];

	reopen.calls++;
	if (reopen.err)
		return reopen.err;
	if (!reopen.give)
		return __real_monitor_open(m, s);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp), 0);
	monitor_adopt(m, s, sp[1]);
	reopen.peer = reopen.peers[s] = sp[0];
	return 0;
}

static void test_events_from_slot_zero(void **state)
{
	static const char uevent[] = "offline@/devices/system/cpu/cpu1\0ACTION=offline\0"
				     "DEVPATH=/devices/system/cpu/cpu1\0SUBSYSTEM=cpu\0";
	static struct mq_watch w;
	struct mq_monitor mon;
	int rt[2], ue[2], r;
	char log[512];
	(void)state;

	memset(&got, 0, sizeof(got));
	assert_int_equal(loop_new(&got.loop), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, rt), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, ue), 0);
	monitor_init(&mon, NULL);
	monitor_adopt(&mon, MON_RTNL, rt[1]);
	monitor_adopt(&mon, MON_UEVENT, ue[1]);
	/* a fresh loop: rtnetlink, the first source watched, gets slot 0 */
	/* the sources given and the one this fake cannot open: nothing to warn about */
	capture_start();
	r = watch_start(&w, got.loop, &mon, 30, collect, NULL);
	capture_end(log, sizeof(log));
	assert_int_equal(r, 0);
	assert_string_equal(log, "");
	assert_int_equal(w.src[MON_RTNL].id, 0);
	assert_int_equal(w.src[MON_ETHTOOL].id, -1); /* none given, none opened */

	send_link(rt[0], 7, "eth7");
	send_link(rt[0], 7, "wan0"); /* renamed: told before the change itself */
	assert_int_equal(send(ue[0], uevent, sizeof(uevent), 0), (ssize_t)sizeof(uevent));
	got.stop_at = 4;
	assert_int_equal(loop_run(got.loop), 0);
	assert_int_equal(got.n, 4);
	/* sources are read in slot order: the uevent's slot is not first */
	assert_int_equal(got.ev[0].ifindex, 7);
	assert_string_equal(got.ev[0].ifname, "eth7");
	assert_int_equal(got.ev[1].type, EV_LINK_RENAME);
	assert_string_equal(got.ev[1].oldname, "eth7");
	assert_string_equal(got.ev[1].ifname, "wan0");
	assert_string_equal(got.ev[2].ifname, "wan0");
	assert_int_equal(got.ev[3].type, EV_CPU_OFFLINE);
	assert_int_equal(got.ev[3].cpu, 1);
	for (unsigned i = 0; i < 4; i++)
		assert_true(got.ev[i].t_ms > 0);

	/* a datagram larger than the buffer: events lost, said once; an overrun names no CPU, no link */
	{
		static char big[sizeof(w.buf.b) + 1];

		assert_int_equal(send(ue[0], big, sizeof(big), 0), (ssize_t)sizeof(big));
		got.n = 0;
		got.stop_at = 1;
		capture_start();
		assert_int_equal(loop_run(got.loop), 0);
		capture_end(log, sizeof(log));
		assert_int_equal(got.ev[0].type, EV_OVERRUN);
		assert_int_equal(got.ev[0].cpu, -1);
		assert_int_equal(got.ev[0].ifindex, 0);
		assert_true(got.ev[0].t_ms > 0);
		assert_non_null(strstr(log, "message larger than 65536 bytes, treating as lost events"));
	}

	/* rtnetlink ends (an empty datagram: end of stream): closed and marked lost; uevents go on */
	assert_int_equal(send(rt[0], "", 0, 0), 0);
	assert_int_equal(send(ue[0], uevent, sizeof(uevent), 0), (ssize_t)sizeof(uevent));
	got.n = 0;
	got.stop_at = 100;
	assert_true(loop_add_timer(got.loop, 200, stop, NULL) >= 0); /* both read by then */
	assert_int_equal(loop_run(got.loop), 0);
	assert_int_equal(got.n, 1);
	assert_int_equal(got.ev[0].type, EV_CPU_OFFLINE);
	assert_true(w.src[MON_RTNL].lost);
	assert_int_equal(w.src[MON_RTNL].id, -1);
	assert_int_equal(mon.fd[MON_RTNL], -1);
	capture_start();
	watch_reopen(&w); /* a handed-over source cannot be reopened: it stays lost, quietly */
	capture_end(log, sizeof(log));
	assert_string_equal(log, "");
	assert_true(w.src[MON_RTNL].lost);
	assert_int_equal(w.src[MON_RTNL].id, -1);

	monitor_close_all(&mon);
	close(rt[0]);
	close(ue[0]);
	loop_free(got.loop);
}

/*
 * A lost source opened again at the drift check: a failure is said once,
 * in the kernel's words, and leaves it lost and unwatched; the reopen that
 * works says so and its events arrive; a source not lost is left alone.
 */
static void test_reopen(void **state)
{
	static struct mq_watch w;
	struct mq_monitor mon;
	char log[512];
	int rt[2], timer;
	(void)state;

	memset(&got, 0, sizeof(got));
	assert_int_equal(loop_new(&got.loop), 0);
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, rt), 0);
	monitor_init(&mon, NULL);
	monitor_adopt(&mon, MON_RTNL, rt[1]);
	assert_int_equal(watch_start(&w, got.loop, &mon, 30, collect, NULL), 0);
	assert_int_equal(send(rt[0], "", 0, 0), 0); /* end of stream */
	got.stop_at = 100;
	timer = loop_add_timer(got.loop, 100, stop, NULL);
	assert_true(timer >= 0);
	assert_int_equal(loop_run(got.loop), 0);
	loop_remove(got.loop, timer);
	close(rt[0]);
	assert_true(w.src[MON_RTNL].lost);

	reopen.err = -EPERM;
	reopen.calls = 0;
	for (int k = 0; k < 2; k++) {
		capture_start();
		watch_reopen(&w);
		capture_end(log, sizeof(log));
		/* said the first time only */
		assert_string_equal(log, k ? "" : "mqbalance: warning: rtnetlink: cannot reopen (Operation not "
						  "permitted); the drift check covers for it\n");
		assert_true(w.src[MON_RTNL].lost);
		assert_int_equal(w.src[MON_RTNL].id, -1);
		assert_int_equal(mon.fd[MON_RTNL], -1);
	}
	assert_int_equal(reopen.calls, 2); /* the lost source only: the others were never open */

	reopen.err = 0;
	reopen.give = true;
	capture_start();
	watch_reopen(&w);
	capture_end(log, sizeof(log));
	assert_string_equal(log, "mqbalance: rtnetlink: events work again\n");
	assert_false(w.src[MON_RTNL].lost);
	assert_true(w.src[MON_RTNL].id >= 0);
	send_link(reopen.peer, 3, "eth3");
	got.n = 0;
	got.stop_at = 1;
	assert_int_equal(loop_run(got.loop), 0);
	assert_int_equal(got.n, 1);
	assert_string_equal(got.ev[0].ifname, "eth3");
	watch_reopen(&w); /* nothing lost: nothing opened */
	assert_int_equal(reopen.calls, 3);

	monitor_close_all(&mon);
	close(reopen.peer);
	loop_free(got.loop);
}

/*
 * watch_start() opens the sources not given: those that open are watched
 * without a word; each that cannot is said once, in the kernel's words
 * (ENOENT: no ethtool netlink in this kernel; EOPNOTSUPP: quietly).
 */
static void test_start_opens(void **state)
{
	static const struct {
		int err;
		const char *rtnl, *ethtool, *uevent;
	} cases[] = {
		{-EPERM, "cannot watch link events (rtnetlink: Operation not permitted)",
		 "no ethtool netlink monitor (Operation not permitted)", "no kernel uevents (Operation not permitted)"},
		{-ENOENT, "cannot watch link events (rtnetlink: No such file or directory)",
		 "no ethtool netlink monitor (not in this kernel)", "no kernel uevents (No such file or directory)"},
		{-EOPNOTSUPP, NULL, NULL, NULL},
	};
	static struct mq_watch w;
	struct mq_monitor mon;
	char log[1024];
	int r;
	(void)state;

	assert_int_equal(loop_new(&got.loop), 0);
	monitor_init(&mon, NULL);
	reopen.err = 0;
	reopen.give = true;
	reopen.calls = 0;
	capture_start();
	r = watch_start(&w, got.loop, &mon, 30, collect, NULL);
	capture_end(log, sizeof(log));
	assert_int_equal(r, 0);
	assert_string_equal(log, "");
	assert_int_equal(reopen.calls, _MON_SRC_MAX);
	for (int s = 0; s < _MON_SRC_MAX; s++) {
		assert_true(w.src[s].id >= 0);
		close(reopen.peers[s]);
	}
	monitor_close_all(&mon);
	loop_free(got.loop);

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(loop_new(&got.loop), 0);
		monitor_init(&mon, NULL);
		reopen.err = cases[i].err;
		capture_start();
		r = watch_start(&w, got.loop, &mon, 30, collect, NULL);
		capture_end(log, sizeof(log));
		assert_int_equal(r, 0);
		if (!cases[i].rtnl) {
			assert_string_equal(log, "");
		} else {
			assert_non_null(strstr(log, cases[i].rtnl));
			assert_non_null(strstr(log, cases[i].ethtool));
			assert_non_null(strstr(log, cases[i].uevent));
		}
		for (int s = 0; s < _MON_SRC_MAX; s++)
			assert_int_equal(w.src[s].id, -1);
		monitor_close_all(&mon);
		loop_free(got.loop);
	}
	reopen.err = 0;
	reopen.give = false;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_events_from_slot_zero),
		cmocka_unit_test(test_reopen),
		cmocka_unit_test(test_start_opens),
	};
	return cmocka_run_group_tests_name("watch", tests, NULL, NULL);
}
