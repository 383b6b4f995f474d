// SPDX-License-Identifier: MIT
/*
 * The daemon's event sources: the pure parsers (rtnetlink links through
 * link_parse, ethtool channel notifications through ethtool_channels_parse,
 * uevents), the walk over a datagram, and monitor_recv on a socketpair.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
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

#include "probes/monitor.h"
#include "tests/guard.h"

#define FAMILY 42

/* Message buffers aligned as a socket reader's are. */
static union {
	struct nlmsghdr h;
	char b[8192];
} buf, two;

static struct nlmsghdr *put_link(void *at, uint16_t type, int ifindex, const char *name,
				 unsigned flags, unsigned change, const char *kind)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	if (name)
		mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	mnl_attr_put_u32(nlh, IFLA_MTU, 1500);
	if (kind) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	return nlh;
}

/* A CHANNELS_NTF; name NULL: none in the header; ifindex < 0: no header at all. */
static struct nlmsghdr *put_channels(void *at, uint8_t cmd, int ifindex, const char *name,
				     uint32_t combined, uint32_t rx)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(at);
	struct genlmsghdr *g;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	if (ifindex >= 0) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);

		if (ifindex > 0)
			mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
		if (name)
			mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
		mnl_attr_nest_end(nlh, nest);
	}
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
	if (combined)
		mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined);
	if (rx)
		mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_RX_COUNT, rx);
	return nlh;
}

static void test_link_parse(void **state)
{
	struct mq_event e;
	(void)state;

	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 7, "eth7", 0, ~0U, NULL), &e), 1);
	assert_int_equal(e.type, EV_LINK_NEW);
	assert_int_equal(e.ifindex, 7);
	assert_string_equal(e.ifname, "eth7");
	assert_string_equal(e.kind, "");
	assert_int_equal(e.cpu, -1);
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 7, "eth7", IFF_UP, IFF_UP,
						     "veth"), &e), 1);
	assert_int_equal(e.type, EV_LINK_UP);
	assert_string_equal(e.kind, "veth");
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 7, "eth7", 0, IFF_UP, NULL), &e), 1);
	assert_int_equal(e.type, EV_LINK_DOWN);
	/* Carrier, MTU, a rename: the daemon's name table tells a rename apart. */
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 7, "wan7", IFF_UP, 0, NULL), &e), 1);
	assert_int_equal(e.type, EV_LINK_CHANGE);
	assert_string_equal(e.ifname, "wan7");
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_DELLINK, 9, "eth9", 0, 0, NULL), &e), 1);
	assert_int_equal(e.type, EV_LINK_DEL);
	assert_int_equal(e.ifindex, 9);

	/* Not events: loopback, other message types. */
	e.ifindex = 12345;
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 1, "lo", IFF_LOOPBACK | IFF_UP,
						     IFF_UP, NULL), &e), 0);
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWADDR, 7, "eth7", 0, 0, NULL), &e), 0);
	assert_int_equal(e.ifindex, 12345); /* untouched */
	/* Malformed: no ifindex, no name, cut short. */
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 0, "bad", 0, ~0U, NULL), &e), -EINVAL);
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 3, NULL, 0, ~0U, NULL), &e), -EINVAL);
	assert_int_equal(monitor_link_parse(put_link(&buf, RTM_NEWLINK, 3, "", 0, 0, NULL), &e), -EINVAL);
	struct nlmsghdr *nlh = put_link(&buf, RTM_NEWLINK, 3, "eth3", 0, ~0U, "veth");
	uint32_t full = nlh->nlmsg_len;
	for (uint32_t cut = sizeof(*nlh); cut < full; cut++) {
		nlh->nlmsg_len = cut;
		int r = monitor_link_parse(nlh, &e);

		assert_true(r == -EINVAL || r == 1);
		if (cut < NLMSG_SPACE(sizeof(struct ifinfomsg)))
			assert_int_equal(r, -EINVAL);
	}
}

static void test_ethtool_parse(void **state)
{
	struct mq_event e;
	(void)state;

	assert_int_equal(monitor_ethtool_parse(put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "eth0",
							    2, 0), FAMILY, &e), 1);
	assert_int_equal(e.type, EV_CHANNELS_CHANGED);
	assert_int_equal(e.ifindex, 5);
	assert_string_equal(e.ifname, "eth0");
	assert_int_equal(e.count, 2);
	/* rx/tx-only devices (gve): the rx count; no name in the header: "". */
	assert_int_equal(monitor_ethtool_parse(put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 6, NULL,
							    0, 3), FAMILY, &e), 1);
	assert_int_equal(e.ifindex, 6);
	assert_string_equal(e.ifname, "");
	assert_int_equal(e.count, 3);

	/* Other commands and families, or no ethtool family known: not ours. */
	put_channels(&buf, ETHTOOL_MSG_CHANNELS_GET_REPLY, 5, "eth0", 2, 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, FAMILY, &e), 0);
	put_channels(&buf, ETHTOOL_MSG_LINKINFO_NTF, 5, "eth0", 2, 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, FAMILY, &e), 0);
	put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "eth0", 2, 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, FAMILY + 1, &e), 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, 0, &e), 0);

	/* Malformed: no header, a header without the ifindex, a count of the wrong size. */
	put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, -1, NULL, 2, 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, FAMILY, &e), -EINVAL);
	put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 0, "eth0", 2, 0);
	assert_int_equal(monitor_ethtool_parse(&buf.h, FAMILY, &e), -EINVAL);
	struct nlmsghdr *nlh = put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "eth0", 0, 0);
	mnl_attr_put_u16(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 2);
	assert_int_equal(monitor_ethtool_parse(nlh, FAMILY, &e), -EINVAL);
	nlh = put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "a-name-far-longer-than-ifnamsiz", 2, 0);
	assert_int_equal(monitor_ethtool_parse(nlh, FAMILY, &e), -EINVAL);
	nlh = put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "eth0", 2, 0);
	uint32_t full = nlh->nlmsg_len;
	for (uint32_t cut = sizeof(*nlh); cut < full; cut++) {
		nlh->nlmsg_len = cut;
		int r = monitor_ethtool_parse(nlh, FAMILY, &e);

		/* Cut at an attribute's end it is a shorter message, else malformed. */
		assert_true(r == -EINVAL || r == 1);
		if (cut % 4 || cut < NLMSG_HDRLEN + GENL_HDRLEN + 12)
			assert_int_equal(r, -EINVAL);
	}
}

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
	static const char bigcpu[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpu8192\0"
				     "SUBSYSTEM=cpu\0";
	static const char badcpu[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpu1x\0"
				     "SUBSYSTEM=cpu\0";
	static const char other[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpufreq\0"
				    "SUBSYSTEM=cpu\0";
	/* the path of a CPU, but another subsystem's event: not a hotplug */
	static const char notcpu[] = "offline@/devices/system/cpu/cpu3\0ACTION=offline\0"
				     "DEVPATH=/devices/system/cpu/cpu3\0SUBSYSTEM=machinecheck\0";
	struct mq_event e;
	(void)state;

	assert_int_equal(monitor_uevent_parse(offline, sizeof(offline) - 1, &e), 1);
	assert_int_equal(e.type, EV_CPU_OFFLINE);
	assert_int_equal(e.cpu, 3);
	assert_int_equal(monitor_uevent_parse(online, sizeof(online), &e), 1);
	assert_int_equal(e.type, EV_CPU_ONLINE);
	assert_int_equal(e.cpu, 12);
	assert_int_equal(monitor_uevent_parse(net, sizeof(net), &e), 0);
	assert_int_equal(monitor_uevent_parse(add, sizeof(add), &e), 0);
	assert_int_equal(monitor_uevent_parse(other, sizeof(other), &e), 0);
	e.type = EV_OVERRUN;
	assert_int_equal(monitor_uevent_parse(notcpu, sizeof(notcpu), &e), 0);
	assert_int_equal(e.type, EV_OVERRUN); /* untouched */
	assert_int_equal(monitor_uevent_parse(bigcpu, sizeof(bigcpu), &e), -EINVAL);
	assert_int_equal(monitor_uevent_parse(badcpu, sizeof(badcpu), &e), -EINVAL);
	assert_int_equal(monitor_uevent_parse("libudev\0\xfe\xed", 10, &e), 0);
	assert_int_equal(monitor_uevent_parse("", 0, &e), -EINVAL);
	assert_int_equal(monitor_uevent_parse("garbage", 7, &e), -EINVAL);
	/* "libudev" without its NUL is not udev's header: nothing past it is read */
	assert_int_equal(monitor_uevent_parse(guarded("libudev", 7), 7, &e), -EINVAL);
	/* the header alone, "libudev\0" and nothing after it: still udev's */
	assert_int_equal(monitor_uevent_parse(guarded("libudev", 8), 8, &e), 0);
	/* Every prefix of a real message, each ending at an unmapped page:
	 * never read past the end, never crash. */
	for (size_t n = 0; n < sizeof(offline); n++)
		monitor_uevent_parse(guarded(offline, n), n, &e);
}

struct got {
	struct mq_event ev[8];
	unsigned n;
};

static void collect(const struct mq_event *e, void *ctx)
{
	struct got *g = ctx;

	if (g->n < 8)
		g->ev[g->n] = *e;
	g->n++;
}

/* Append a copy of nlh at off in two.b; returns the new offset (aligned). */
static size_t append(size_t off, const struct nlmsghdr *nlh)
{
	memcpy(two.b + off, nlh, nlh->nlmsg_len);
	return off + NLMSG_ALIGN(nlh->nlmsg_len);
}

static void test_parse_walk(void **state)
{
	struct got g = {0};
	size_t off = 0;
	(void)state;

	off = append(off, put_link(&buf, RTM_NEWLINK, 7, "eth7", 0, ~0U, NULL));
	off = append(off, put_link(&buf, RTM_NEWLINK, 0, "bad", 0, ~0U, NULL)); /* malformed */
	struct nlmsghdr *done = mnl_nlmsg_put_header(&buf);
	done->nlmsg_type = NLMSG_DONE;
	mnl_nlmsg_put_extra_header(done, sizeof(int));
	off = append(off, done);
	off = append(off, put_link(&buf, RTM_NEWADDR, 7, "eth7", 0, 0, NULL));
	off = append(off, put_link(&buf, RTM_DELLINK, 8, "eth8", 0, 0, NULL));
	assert_int_equal(monitor_parse(MON_RTNL, FAMILY, two.b, off, collect, &g), 1);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[0].type, EV_LINK_NEW);
	assert_int_equal(g.ev[1].type, EV_LINK_DEL);
	assert_string_equal(g.ev[1].ifname, "eth8");

	/* Trailing bytes, a length past the end, a length below a header: one each, walk stops. */
	memset(&g, 0, sizeof(g));
	assert_int_equal(monitor_parse(MON_RTNL, FAMILY, two.b, off + 7, collect, &g), 2);
	assert_int_equal(g.n, 2);
	off = append(0, put_link(&buf, RTM_NEWLINK, 7, "eth7", 0, ~0U, NULL));
	struct nlmsghdr *huge = (struct nlmsghdr *)(two.b + off);
	put_link(huge, RTM_NEWLINK, 8, "eth8", 0, ~0U, NULL);
	size_t end = off + huge->nlmsg_len;
	for (uint32_t len = 0; len < 16; len++) {
		huge->nlmsg_len = len;
		memset(&g, 0, sizeof(g));
		assert_int_equal(monitor_parse(MON_RTNL, FAMILY, two.b, end, collect, &g), 1);
		assert_int_equal(g.n, 1);
	}
	huge->nlmsg_len = 0xfffffff0; /* mnl_nlmsg_ok() would take this as negative: fine */
	memset(&g, 0, sizeof(g));
	assert_int_equal(monitor_parse(MON_RTNL, FAMILY, two.b, end, collect, &g), 1);
	assert_int_equal(g.n, 1);

	/* The ethtool source knows only its family; uevents are one per datagram. */
	off = append(0, put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 5, "eth0", 2, 0));
	off = append(off, put_link(&buf, RTM_NEWLINK, 7, "eth7", 0, ~0U, NULL)); /* type 16: not FAMILY */
	off = append(off, put_channels(&buf, ETHTOOL_MSG_CHANNELS_NTF, 6, "eth1", 4, 0));
	memset(&g, 0, sizeof(g));
	assert_int_equal(monitor_parse(MON_ETHTOOL, FAMILY, two.b, off, collect, &g), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.ev[1].count, 4);
	static const char on[] = "online@x\0ACTION=online\0DEVPATH=/devices/system/cpu/cpu2\0SUBSYSTEM=cpu\0";
	memset(&g, 0, sizeof(g));
	assert_int_equal(monitor_parse(MON_UEVENT, FAMILY, on, sizeof(on), collect, &g), 0);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.ev[0].cpu, 2);
	assert_int_equal(monitor_parse(MON_UEVENT, FAMILY, "junk", 4, collect, &g), 1);
	assert_int_equal(monitor_parse(_MON_SRC_MAX, FAMILY, on, sizeof(on), collect, &g), 0);
	assert_int_equal(g.n, 1);
}

static void test_recv(void **state)
{
	struct mq_monitor m;
	int sp[2];
	char small[4];
	(void)state;

	monitor_init(&m, NULL);
	assert_int_equal(monitor_recv(&m, MON_RTNL, buf.b, sizeof(buf.b)), -EBADF);
	assert_int_equal(monitor_recv(&m, _MON_SRC_MAX, buf.b, sizeof(buf.b)), -EBADF);
	assert_int_equal(monitor_open(&m, MON_RTNL), -EOPNOTSUPP); /* no struct mq_nl: adopt only */
	assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp), 0);
	monitor_adopt(&m, MON_UEVENT, sp[1]);
	assert_int_equal(monitor_recv(&m, MON_UEVENT, buf.b, sizeof(buf.b)), -EAGAIN);
	assert_int_equal(send(sp[0], "hello", 5, 0), 5);
	assert_int_equal(monitor_recv(&m, MON_UEVENT, buf.b, sizeof(buf.b)), 5);
	assert_memory_equal(buf.b, "hello", 5);
	assert_int_equal(send(sp[0], "too long", 8, 0), 8);
	assert_int_equal(monitor_recv(&m, MON_UEVENT, small, sizeof(small)), -EMSGSIZE);
	assert_int_equal(monitor_recv(&m, MON_UEVENT, buf.b, sizeof(buf.b)), -EAGAIN); /* dropped */
	assert_int_equal(send(sp[0], "", 0, 0), 0);
	assert_int_equal(monitor_recv(&m, MON_UEVENT, buf.b, sizeof(buf.b)), -EPIPE);
	monitor_close_all(&m);
	assert_int_equal(m.fd[MON_UEVENT], -1);
	assert_int_equal(fcntl(sp[1], F_GETFD), -1); /* the monitor owned it */
	close(sp[0]);
}

/* The socket listens to multicast group grp and to no other. */
static void only_group(int fd, unsigned grp)
{
	uint32_t w[32] = {0};
	socklen_t len = sizeof(w);

	assert_int_equal(getsockopt(fd, SOL_NETLINK, NETLINK_LIST_MEMBERSHIPS, w, &len), 0);
	for (unsigned g = 1; g <= 32 * 32; g++) {
		bool on = w[(g - 1) / 32] & (1u << ((g - 1) % 32));

		if (on != (g == grp))
			fail_msg("group %u: %s", g, on ? "joined" : "not joined");
	}
}

static void test_open_real(void **state)
{
	struct mq_nl nl = {0}; /* no ethtool family: a kernel without ethtool netlink */
	struct mq_monitor m;
	(void)state;

	monitor_init(&m, &nl);
	assert_int_equal(monitor_open(&m, MON_ETHTOOL), -ENOENT);
	assert_int_equal(monitor_open(&m, _MON_SRC_MAX), -EINVAL);
	/* Listening only: nothing on this machine changes. */
	assert_int_equal(monitor_open(&m, MON_RTNL), 0);
	assert_true(m.fd[MON_RTNL] >= 0);
	assert_int_equal(fcntl(m.fd[MON_RTNL], F_GETFD), FD_CLOEXEC);
	only_group(m.fd[MON_RTNL], RTNLGRP_LINK);
	assert_int_equal(monitor_recv(&m, MON_RTNL, buf.b, sizeof(buf.b)), -EAGAIN);
	int r = monitor_open(&m, MON_UEVENT);
	if (r == 0)
		assert_int_equal(fcntl(m.fd[MON_UEVENT], F_GETFD), FD_CLOEXEC);
	else
		print_message("uevent socket not available here (%s), not checked\n", strerror(-r));
	assert_int_equal(monitor_open(&m, MON_RTNL), 0); /* reopened */
	monitor_close_all(&m);
	monitor_close_all(&m);
	assert_string_equal(monitor_src_to_string(MON_ETHTOOL), "ethtool netlink");
	assert_string_equal(monitor_src_to_string(_MON_SRC_MAX), "unknown");

	/* This kernel's ethtool netlink monitor (listening only): opened and closed as libmnl's. */
	r = mqnl_open(&nl);
	if (r < 0 || !nl.ethtool_id || !nl.ethtool_monitor_grp) {
		print_message("ethtool netlink monitor not available here (%s), not checked\n",
			      r < 0 ? strerror(-r) : "no family or group");
		if (r == 0)
			mqnl_close(&nl);
		return;
	}
	monitor_init(&m, &nl);
	assert_int_equal(monitor_open(&m, MON_ETHTOOL), 0);
	assert_non_null(m.genl);
	assert_int_equal(m.fd[MON_ETHTOOL], mnl_socket_get_fd(m.genl));
	only_group(m.fd[MON_ETHTOOL], nl.ethtool_monitor_grp); /* its own, not one more */
	assert_int_equal(monitor_recv(&m, MON_ETHTOOL, buf.b, sizeof(buf.b)), -EAGAIN);
	monitor_close(&m, MON_ETHTOOL);
	assert_null(m.genl); /* closed through libmnl, which frees its socket */
	assert_int_equal(m.fd[MON_ETHTOOL], -1);
	monitor_close_all(&m);
	mqnl_close(&nl);
}

/*
 * Closing a source that is none is nothing: no descriptor closed (0 either),
 * no byte past the monitor touched (it ends where an unmapped page begins).
 */
static void test_close_not_a_source(void **state)
{
	struct mq_monitor init, *m;
	int saved = dup(0), null = open("/dev/null", O_RDONLY | O_CLOEXEC);
	(void)state;

	assert_true(null >= 0);
	assert_int_equal(dup2(null, 0), 0);
	monitor_init(&init, NULL);
	m = guarded(&init, sizeof(init));
	monitor_close(m, _MON_SRC_MAX);
	monitor_close(m, (enum mon_src)64);
	assert_true(fcntl(0, F_GETFD) >= 0);
	for (int s = 0; s < _MON_SRC_MAX; s++)
		assert_int_equal(m->fd[s], -1);
	monitor_close_all(m);
	if (saved >= 0) {
		assert_int_equal(dup2(saved, 0), 0);
		close(saved);
	} else {
		close(0);
	}
	close(null);
}

/*
 * Only the kernel (port 0) speaks on a monitor socket: a datagram another
 * process sends to our port is dropped (0), not an event and not an error.
 * NETLINK_USERSOCK lets any process unicast, which is what a spoofer does.
 */
static void test_foreign_sender(void **state)
{
	struct sockaddr_nl self = {.nl_family = AF_NETLINK}, to = {.nl_family = AF_NETLINK};
	socklen_t len = sizeof(self);
	struct mq_monitor m;
	int a, b;
	(void)state;

	a = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	b = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_USERSOCK);
	if (a < 0 || b < 0 || bind(a, (struct sockaddr *)&self, sizeof(self)) < 0 ||
	    getsockname(a, (struct sockaddr *)&self, &len) < 0) {
		print_message("netlink user sockets not available here (%s), not checked\n", strerror(errno));
		if (a >= 0)
			close(a);
		if (b >= 0)
			close(b);
		return;
	}
	to.nl_pid = self.nl_pid;
	monitor_init(&m, NULL);
	monitor_adopt(&m, MON_RTNL, a);
	assert_int_equal(sendto(b, "spoofed!", 8, 0, (struct sockaddr *)&to, sizeof(to)), 8);
	assert_int_equal(monitor_recv(&m, MON_RTNL, buf.b, sizeof(buf.b)), 0);
	assert_int_equal(monitor_recv(&m, MON_RTNL, buf.b, sizeof(buf.b)), -EAGAIN); /* consumed */
	monitor_close_all(&m);
	close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_link_parse),
		cmocka_unit_test(test_ethtool_parse),
		cmocka_unit_test(test_uevent_parse),
		cmocka_unit_test(test_foreign_sender),
		cmocka_unit_test(test_parse_walk),
		cmocka_unit_test(test_recv),
		cmocka_unit_test(test_open_real),
		cmocka_unit_test(test_close_not_a_source),
	};

	return cmocka_run_group_tests_name("monitor", tests, NULL, NULL);
}
