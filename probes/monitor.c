// SPDX-License-Identifier: MIT
/*
 * The daemon's event sources (see monitor.h). The sockets are only opened and
 * read here; what an event means is the daemon's business (agent/daemon.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "probes/monitor.h"
#include "probes/probe.h"

/* Bursts (a VM with many NICs booting, hotplug storms) must fit between reads. */
#define RCVBUF_BYTES (1 << 20)

static const char *const src_table[_MON_SRC_MAX] = {
	[MON_RTNL] = "rtnetlink",
	[MON_ETHTOOL] = "ethtool netlink",
	[MON_UEVENT] = "uevent",
};

const char *monitor_src_to_string(enum mon_src s)
{
	return (unsigned)s < _MON_SRC_MAX ? src_table[s] : "unknown";
}

void monitor_init(struct mq_monitor *m, const struct mq_nl *nl)
{
	memset(m, 0, sizeof(*m));
	for (int s = 0; s < _MON_SRC_MAX; s++)
		m->fd[s] = -1;
	if (nl) {
		m->ethtool_family = nl->ethtool_id;
		m->ethtool_grp = nl->ethtool_monitor_grp;
		m->can_open = true;
	}
}

static void set_rcvbuf(int fd)
{
	int sz = RCVBUF_BYTES;

	/* FORCE needs CAP_NET_ADMIN, which the service has; else what rmem_max allows. */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

/* libnl reports NLE_* codes; the errno of the failed system call is still there. */
static int sys_err(int fallback)
{
	return errno > 0 ? -errno : fallback;
}

static int rtnl_open(struct mq_monitor *m)
{
	struct nl_sock *sk = nl_socket_alloc();
	int fd, r;

	if (!sk)
		return -ENOMEM;
	nl_socket_disable_seq_check(sk); /* notifications carry no sequence of ours */
	errno = 0;
	if (nl_connect(sk, NETLINK_ROUTE) < 0) {
		r = sys_err(-ECONNREFUSED);
		goto fail;
	}
	fd = nl_socket_get_fd(sk);
	errno = 0;
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 || nl_socket_add_membership(sk, RTNLGRP_LINK) < 0) {
		r = sys_err(-EIO);
		goto fail;
	}
	set_rcvbuf(fd); /* after nl_connect: it sets its own default size */
	m->rtnl = sk;
	m->fd[MON_RTNL] = fd;
	return 0;
fail:
	nl_socket_free(sk);
	return r;
}

static int ethtool_open(struct mq_monitor *m)
{
	struct mnl_socket *nl;
	uint32_t grp = m->ethtool_grp;
	int r;

	if (!m->ethtool_family || !grp)
		return -ENOENT;
	nl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_setsockopt(nl, NETLINK_ADD_MEMBERSHIP, &grp, sizeof(grp)) < 0) {
		r = -errno;
		mnl_socket_close(nl);
		return r;
	}
	set_rcvbuf(mnl_socket_get_fd(nl));
	m->genl = nl;
	m->fd[MON_ETHTOOL] = mnl_socket_get_fd(nl);
	return 0;
}

static int uevent_open(struct mq_monitor *m)
{
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1 /* the kernel's, not udev's */};
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT), r;

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	set_rcvbuf(fd);
	m->fd[MON_UEVENT] = fd;
	return 0;
}

int monitor_open(struct mq_monitor *m, enum mon_src s)
{
	if ((unsigned)s >= _MON_SRC_MAX)
		return -EINVAL;
	if (!m->can_open)
		return -EOPNOTSUPP;
	monitor_close(m, s);
	switch (s) {
	case MON_RTNL:
		return rtnl_open(m);
	case MON_ETHTOOL:
		return ethtool_open(m);
	default:
		return uevent_open(m);
	}
}

void monitor_adopt(struct mq_monitor *m, enum mon_src s, int fd)
{
	monitor_close(m, s);
	m->fd[s] = fd;
}

void monitor_close(struct mq_monitor *m, enum mon_src s)
{
	if ((unsigned)s >= _MON_SRC_MAX || m->fd[s] < 0)
		return;
	if (s == MON_RTNL && m->rtnl) {
		nl_socket_free(m->rtnl); /* closes the fd */
		m->rtnl = NULL;
	} else if (s == MON_ETHTOOL && m->genl) {
		mnl_socket_close(m->genl);
		m->genl = NULL;
	} else {
		close(m->fd[s]);
	}
	m->fd[s] = -1;
}

void monitor_close_all(struct mq_monitor *m)
{
	for (int s = 0; s < _MON_SRC_MAX; s++)
		monitor_close(m, (enum mon_src)s);
}

ssize_t monitor_recv(const struct mq_monitor *m, enum mon_src s, void *buf, size_t len)
{
	struct sockaddr_nl sa = {0};
	struct iovec iov = {buf, len};
	struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
	ssize_t n;

	if ((unsigned)s >= _MON_SRC_MAX || m->fd[s] < 0)
		return -EBADF;
	do
		n = recvmsg(m->fd[s], &mh, MSG_DONTWAIT);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return -EPIPE; /* netlink never sends an empty datagram */
	if (mh.msg_flags & MSG_TRUNC)
		return -EMSGSIZE;
	/* Only the kernel (port 0) speaks on these groups. */
	if (mh.msg_namelen >= sizeof(sa) && sa.nl_family == AF_NETLINK && sa.nl_pid != 0)
		return 0;
	return n;
}

/* ---- parsers ------------------------------------------------------------------ */

int monitor_link_parse(const struct nlmsghdr *nlh, struct mq_event *ret)
{
	struct mq_event e = {.cpu = -1};
	const struct ifinfomsg *ifi;
	struct mq_nic nic;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return 0;
	/* An empty name would read as a rename to "" (link_parse takes "\0" as one). */
	if (link_parse(nlh, &nic) < 0 || nic.ifindex <= 0 || !nic.name[0])
		return -EINVAL;
	ifi = NLMSG_DATA(nlh); /* link_parse checked that it is there */
	if (ifi->ifi_flags & IFF_LOOPBACK)
		return 0;
	if (nlh->nlmsg_type == RTM_DELLINK)
		e.type = EV_LINK_DEL;
	else if (ifi->ifi_change == ~0U)
		e.type = EV_LINK_NEW; /* a newly registered link: every flag "changed" */
	else if (ifi->ifi_change & IFF_UP)
		e.type = ifi->ifi_flags & IFF_UP ? EV_LINK_UP : EV_LINK_DOWN;
	else
		e.type = EV_LINK_CHANGE;
	e.ifindex = nic.ifindex;
	snprintf(e.ifname, sizeof(e.ifname), "%s", nic.name);
	snprintf(e.kind, sizeof(e.kind), "%s", nic.kind);
	*ret = e;
	return 1;
}

int monitor_ethtool_parse(const struct nlmsghdr *nlh, uint16_t ethtool_family,
			  struct mq_event *ret)
{
	struct mq_event e = {.type = EV_CHANNELS_CHANGED, .cpu = -1};
	const struct genlmsghdr *g;
	struct mq_channels ch;
	struct ethtool_dev dev;

	if (!ethtool_family || nlh->nlmsg_type != ethtool_family)
		return 0;
	if (nlh->nlmsg_len < NLMSG_HDRLEN + GENL_HDRLEN)
		return -EINVAL;
	g = NLMSG_DATA(nlh);
	if (g->cmd != ETHTOOL_MSG_CHANNELS_NTF)
		return 0; /* features, link modes, ...: other monitor traffic */
	if (ethtool_channels_parse(nlh, &ch) < 0 || ethtool_header_parse(nlh, &dev) < 0)
		return -EINVAL;
	e.ifindex = dev.ifindex;
	snprintf(e.ifname, sizeof(e.ifname), "%s", dev.name);
	e.count = ev_channel_count(ch.combined, ch.rx);
	*ret = e;
	return 1;
}

int monitor_uevent_parse(const char *buf, size_t len, struct mq_event *ret)
{
	const char *action = NULL, *subsystem = NULL, *devpath = NULL;
	struct mq_event e = {.cpu = -1};
	size_t off = 0;
	char *end;
	unsigned long cpu;

	if (!len)
		return -EINVAL;
	/* udev's re-broadcasts (group 2) start with "libudev": not ours to read. */
	if (len >= 8 && !memcmp(buf, "libudev", 8))
		return 0;
	while (off < len) {
		const char *s = buf + off;
		size_t n = strnlen(s, len - off);

		if (off + n == len)
			break; /* last string without its NUL: ignore it */
		if (!strncmp(s, "ACTION=", 7))
			action = s + 7;
		else if (!strncmp(s, "SUBSYSTEM=", 10))
			subsystem = s + 10;
		else if (!strncmp(s, "DEVPATH=", 8))
			devpath = s + 8;
		off += n + 1;
	}
	if (!action || !subsystem || !devpath)
		return -EINVAL;
	if (strcmp(subsystem, "cpu"))
		return 0;
	if (!strcmp(action, "online"))
		e.type = EV_CPU_ONLINE;
	else if (!strcmp(action, "offline"))
		e.type = EV_CPU_OFFLINE;
	else
		return 0;
	if (strncmp(devpath, "/devices/system/cpu/cpu", 23))
		return 0;
	if (devpath[23] < '0' || devpath[23] > '9')
		return 0; /* cpufreq, cpuidle, ...: not a CPU */
	errno = 0;
	cpu = strtoul(devpath + 23, &end, 10);
	if (errno || *end || cpu >= MQ_MAX_CPUS)
		return -EINVAL;
	e.cpu = (int)cpu;
	*ret = e;
	return 1;
}

/*
 * Lengths are checked before every cast; not mnl_nlmsg_ok(), which casts
 * nlmsg_len to int so that 0xfffffff0 passes and the walk jumps 4 GiB ahead.
 */
int monitor_parse(enum mon_src s, uint16_t ethtool_family, const void *buf, size_t len,
		  monitor_event_fn fn, void *ctx)
{
	const char *p = buf;
	size_t left = len;
	struct mq_event e;
	int bad = 0, r;

	if (s == MON_UEVENT) {
		r = monitor_uevent_parse(buf, len, &e);
		if (r > 0)
			fn(&e, ctx);
		return r < 0;
	}
	if (s != MON_RTNL && s != MON_ETHTOOL)
		return 0;
	while (left >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			break;
		/* Control messages (no requests on these sockets: strays) carry no events. */
		if (nlh->nlmsg_type >= NLMSG_MIN_TYPE) {
			r = s == MON_RTNL ? monitor_link_parse(nlh, &e)
					  : monitor_ethtool_parse(nlh, ethtool_family, &e);
			if (r > 0)
				fn(&e, ctx);
			else if (r < 0)
				bad++;
		}
		step = ((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
		if (step >= left)
			return bad;
		p += step;
		left -= step;
	}
	return left ? bad + 1 : bad;
}
