// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/sdnotify.h"
#include "probes/sysfs.h"

#define DRIFT_MS_DEFAULT 30000
#define LINK_TABLE_MAX 256   /* names remembered to spot renames; older entries are overwritten */
#define DRAIN_MAX 64         /* datagrams per wakeup and source, then back to epoll (level-triggered) */
#define RCVBUF_BYTES (1 << 20)

enum src { SRC_SIGNAL, SRC_RTNL, SRC_ETHTOOL, SRC_UEVENT, SRC_DRIFT, SRC_SAMPLE, SRC_WATCHDOG, _SRC_MAX };
static const char *const src_name[_SRC_MAX] = {
	[SRC_SIGNAL] = "signalfd", [SRC_RTNL] = "rtnetlink", [SRC_ETHTOOL] = "ethtool netlink",
	[SRC_UEVENT] = "uevent", [SRC_DRIFT] = "drift timer", [SRC_SAMPLE] = "sample timer",
	[SRC_WATCHDOG] = "watchdog timer",
};

struct link_ent {
	int ifindex;
	char name[IF_NAMESIZE];
};

struct daemon {
	const struct daemon_opts *o;
	const char *config_path;
	struct mq_config cfg;
	struct ev_state ev;
	int ep;
	int fd[_SRC_MAX];
	struct mnl_socket *rtnl, *genl; /* when we opened them ourselves */
	uint16_t ethtool_family;
	struct link_ent links[LINK_TABLE_MAX];
	unsigned next_link;             /* slot to overwrite when the table is full */
	struct mq_cpuset online;
	bool have_online, warned_online;
	unsigned long retunes;
	int last_err;          /* of the last pass, to log a lasting failure once */
	unsigned last_failed;
	char buf[65536];
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- pure parsers ---------------------------------------------------------- */

int daemon_uevent_parse(const char *buf, size_t len, struct mq_event *ret)
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

/* ---- configuration ----------------------------------------------------------- */

/* Named by an [IFNAME] section: what brings a virtual link in (as in tune_probe_opts). */
static const struct mq_section *if_section(const struct mq_config *c, const char *ifname)
{
	return config_section(c, MATCH_NAME, ifname);
}

static const char *config_shown(const struct daemon *d)
{
	return d->cfg.path[0] ? d->cfg.path : d->config_path;
}

/* opts->drift_ms (tests) over the config's drift_check over 30 s. */
static uint64_t drift_ms(const struct daemon *d)
{
	if (d->o->drift_ms)
		return d->o->drift_ms;
	if (!(d->cfg.drift_check >= 1))
		return DRIFT_MS_DEFAULT;
	if (d->cfg.drift_check > 86400)
		return 86400000;
	return (uint64_t)(d->cfg.drift_check * 1000);
}

/* ---- links ------------------------------------------------------------------- */

static struct link_ent *link_find(struct daemon *d, int ifindex)
{
	for (unsigned i = 0; i < LINK_TABLE_MAX; i++)
		if (d->links[i].ifindex == ifindex)
			return &d->links[i];
	return NULL;
}

static void link_remember(struct daemon *d, int ifindex, const char *name)
{
	struct link_ent *l = link_find(d, ifindex);

	if (!l)
		l = link_find(d, 0);
	if (!l) {
		l = &d->links[d->next_link];
		d->next_link = (d->next_link + 1) % LINK_TABLE_MAX;
	}
	l->ifindex = ifindex;
	snprintf(l->name, sizeof(l->name), "%s", name);
}

static void link_forget(struct daemon *d, int ifindex)
{
	struct link_ent *l = link_find(d, ifindex);

	if (l)
		memset(l, 0, sizeof(*l));
}

static void links_seed(struct daemon *d)
{
	struct if_nameindex *ifs = if_nameindex(), *i;

	if (!ifs) {
		log_debug("if_nameindex: %m, renames of existing links show as changes");
		return;
	}
	for (i = ifs; i->if_index && i->if_name; i++)
		link_remember(d, (int)i->if_index, i->if_name);
	if_freenameindex(ifs);
}

static int link_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_IFNAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	if (type == IFLA_LINKINFO && mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int linkinfo_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, IFLA_INFO_MAX) < 0)
		return MNL_CB_OK;
	if (type == IFLA_INFO_KIND && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

/* A virtual link the daemon was told to manage (--all, or named on the command line). */
static bool selected(const struct daemon *d, const char *ifname)
{
	const struct probe_opts *o = d->o->select;

	if (!o)
		return false;
	for (unsigned i = 0; i < o->nifnames; i++)
		if (strcmp(o->ifnames[i], ifname) == 0)
			return true;
	return !o->nifnames && o->all;
}

static void handle_link(struct daemon *d, const struct nlmsghdr *nlh, uint64_t now)
{
	const struct nlattr *tb[IFLA_MAX + 1] = {0}, *li[IFLA_INFO_MAX + 1] = {0};
	const struct ifinfomsg *ifm;
	struct mq_event e = {.t_ms = now, .cpu = -1};
	const char *kind = "";
	struct link_ent *l;

	if (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifm)) {
		log_debug("rtnetlink: short link message (%zu bytes), ignoring",
			  mnl_nlmsg_get_payload_len(nlh));
		return;
	}
	ifm = mnl_nlmsg_get_payload(nlh);
	if (mnl_attr_parse(nlh, sizeof(*ifm), link_attr_cb, tb) < 0 || !tb[IFLA_IFNAME] ||
	    mnl_attr_get_payload_len(tb[IFLA_IFNAME]) > IF_NAMESIZE) {
		log_debug("rtnetlink: malformed link message for ifindex %d, ignoring", ifm->ifi_index);
		return;
	}
	if (tb[IFLA_LINKINFO] && mnl_attr_parse_nested(tb[IFLA_LINKINFO], linkinfo_attr_cb, li) >= 0 &&
	    li[IFLA_INFO_KIND])
		kind = mnl_attr_get_str(li[IFLA_INFO_KIND]);
	e.ifindex = ifm->ifi_index;
	snprintf(e.ifname, sizeof(e.ifname), "%s", mnl_attr_get_str(tb[IFLA_IFNAME]));
	if (e.ifindex <= 0 || (ifm->ifi_flags & IFF_LOOPBACK))
		return;

	l = link_find(d, e.ifindex);
	if (nlh->nlmsg_type == RTM_DELLINK) {
		link_forget(d, e.ifindex);
		e.type = EV_LINK_DEL;
	} else if (ifm->ifi_change == ~0U) {
		/* The kernel announces a newly registered link with every flag "changed". */
		link_remember(d, e.ifindex, e.ifname);
		e.type = EV_LINK_NEW;
	} else {
		if (l && strcmp(l->name, e.ifname)) {
			struct mq_event r = e;

			r.type = EV_LINK_RENAME;
			snprintf(r.oldname, sizeof(r.oldname), "%s", l->name);
			link_remember(d, e.ifindex, e.ifname);
			if (!*kind || if_section(&d->cfg, e.ifname) || if_section(&d->cfg, r.oldname) ||
			    selected(d, e.ifname) || selected(d, r.oldname)) {
				log_debug("event: %s renamed to %s", r.oldname, r.ifname);
				events_push(&d->ev, &r);
			}
		} else if (!l) {
			link_remember(d, e.ifindex, e.ifname);
		}
		if (!(ifm->ifi_change & IFF_UP))
			return; /* carrier, MTU, statistics...: nothing for us */
		e.type = ifm->ifi_flags & IFF_UP ? EV_LINK_UP : EV_LINK_DOWN;
	}
	/*
	 * Virtual links (veth, bridges, tunnels: they have a kind) come and go
	 * with every container; they matter only when the config names them.
	 */
	if (*kind && !if_section(&d->cfg, e.ifname) && !selected(d, e.ifname)) {
		log_debug("event: %s %s (%s), not configured, ignoring", e.ifname,
			  ev_type_to_string(e.type), kind);
		return;
	}
	log_debug("event: %s %s", e.ifname, ev_type_to_string(e.type));
	events_push(&d->ev, &e);
}

static int header_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, ETHTOOL_A_HEADER_MAX) < 0)
		return MNL_CB_OK;
	if (type == ETHTOOL_A_HEADER_DEV_INDEX && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	if (type == ETHTOOL_A_HEADER_DEV_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int channels_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, ETHTOOL_A_CHANNELS_MAX) < 0)
		return MNL_CB_OK;
	if (type == ETHTOOL_A_CHANNELS_HEADER) {
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return MNL_CB_ERROR;
	} else if (mnl_attr_validate(a, MNL_TYPE_U32) < 0) {
		return MNL_CB_ERROR;
	}
	tb[type] = a;
	return MNL_CB_OK;
}

static void handle_ethtool(struct daemon *d, const struct nlmsghdr *nlh, uint64_t now)
{
	const struct nlattr *tb[ETHTOOL_A_CHANNELS_MAX + 1] = {0}, *hd[ETHTOOL_A_HEADER_MAX + 1] = {0};
	const struct genlmsghdr *g;
	struct mq_event e = {.type = EV_CHANNELS_CHANGED, .t_ms = now, .cpu = -1};
	char driver[32] = "";

	if (!d->ethtool_family || nlh->nlmsg_type != d->ethtool_family)
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != ETHTOOL_MSG_CHANNELS_NTF)
		return; /* features, link modes, ...: other monitor traffic */
	if (mnl_attr_parse(nlh, sizeof(*g), channels_attr_cb, tb) < 0 || !tb[ETHTOOL_A_CHANNELS_HEADER] ||
	    mnl_attr_parse_nested(tb[ETHTOOL_A_CHANNELS_HEADER], header_attr_cb, hd) < 0 ||
	    !hd[ETHTOOL_A_HEADER_DEV_INDEX]) {
		log_debug("ethtool netlink: malformed channels notification, ignoring");
		return;
	}
	e.ifindex = (int)mnl_attr_get_u32(hd[ETHTOOL_A_HEADER_DEV_INDEX]);
	if (hd[ETHTOOL_A_HEADER_DEV_NAME])
		snprintf(e.ifname, sizeof(e.ifname), "%s", mnl_attr_get_str(hd[ETHTOOL_A_HEADER_DEV_NAME]));
	else if (!if_indextoname((unsigned)e.ifindex, e.ifname))
		snprintf(e.ifname, sizeof(e.ifname), "ifindex%d", e.ifindex);
	if (tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT])
		e.count = mnl_attr_get_u32(tb[ETHTOOL_A_CHANNELS_COMBINED_COUNT]);
	if (!e.count && tb[ETHTOOL_A_CHANNELS_RX_COUNT])
		e.count = mnl_attr_get_u32(tb[ETHTOOL_A_CHANNELS_RX_COUNT]);

	if (events_is_own(&d->ev, e.ifindex, now)) {
		/* events_push turns it into a quiet verification pass. */
		log_debug("event: %s channels now %u, probably our own change; verifying", e.ifname,
			  e.count);
		events_push(&d->ev, &e);
		return;
	}
	/* Unknown driver (""): [driver=] sections do not count. */
	(void)link_driver_get(d->o->nl, e.ifname, driver, sizeof(driver));
	if (config_for(&d->cfg, e.ifname, driver).pinned) {
		log_info("%s channels changed by someone else (now %u); %s pins its queues, "
			 "leaving them", e.ifname, e.count, config_shown(d));
		return;
	}
	log_info("%s channels changed by someone else (now %u), restoring them; set queues = %u in "
		 "[%s] of %s to keep it", e.ifname, e.count, e.count, e.ifname, config_shown(d));
	events_push(&d->ev, &e);
}

static void handle_uevent(struct daemon *d, const char *buf, size_t len, uint64_t now)
{
	struct mq_event e;
	int r = daemon_uevent_parse(buf, len, &e);

	if (r < 0) {
		log_debug("uevent: malformed message (%zu bytes), ignoring", len);
		return;
	}
	if (r == 0)
		return;
	e.t_ms = now;
	/* Keep the polled view in step so the fallback does not report it twice. */
	if (e.type == EV_CPU_ONLINE)
		cpuset_set(&d->online, (unsigned)e.cpu);
	else
		cpuset_clear(&d->online, (unsigned)e.cpu);
	log_debug("event: cpu%d %s", e.cpu, ev_type_to_string(e.type));
	events_push(&d->ev, &e);
}

/*
 * /sys/devices/system/cpu/online, read at every timer tick: catches hotplug
 * when uevents are unavailable or were lost. (sysfs attributes raise no
 * inotify events, so polling it is the only fallback.)
 */
static void poll_cpus_online(struct daemon *d, uint64_t now)
{
	struct mq_cpuset cur, gone, came;
	char text[4096];
	int r = sysfs_read(text, sizeof(text), "/sys/devices/system/cpu/online");

	if (r >= 0)
		r = cpuset_parse_list(text, &cur);
	if (r < 0) {
		if (!d->warned_online)
			log_debug("cannot read /sys/devices/system/cpu/online: %s, ignoring", strerror(-r));
		d->warned_online = true;
		return;
	}
	if (d->have_online) {
		cpuset_andnot(&gone, &d->online, &cur);
		cpuset_andnot(&came, &cur, &d->online);
		CPUSET_FOREACH(cpu, &gone)
			events_push(&d->ev, &(struct mq_event){.type = EV_CPU_OFFLINE, .t_ms = now, .cpu = cpu});
		CPUSET_FOREACH(cpu, &came)
			events_push(&d->ev, &(struct mq_event){.type = EV_CPU_ONLINE, .t_ms = now, .cpu = cpu});
	}
	d->online = cur;
	d->have_online = true;
}

/* ---- sources ----------------------------------------------------------------- */

/*
 * Not mnl_nlmsg_ok(): it casts nlmsg_len to int, so a length of 0xfffffff0
 * passes and mnl_nlmsg_next() jumps 4 GiB ahead. Only the kernel may send
 * here, but a parser of outside bytes checks lengths itself.
 */
static void dispatch_netlink(struct daemon *d, enum src s, size_t len, uint64_t now)
{
	const char *p = d->buf;
	size_t left = len;

	while (left >= sizeof(struct nlmsghdr)) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;

		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > left)
			break;
		if (nlh->nlmsg_type == NLMSG_ERROR || nlh->nlmsg_type == NLMSG_DONE ||
		    nlh->nlmsg_type == NLMSG_NOOP)
			; /* no requests on monitor sockets: stray control messages */
		else if (s == SRC_RTNL)
			handle_link(d, nlh, now);
		else
			handle_ethtool(d, nlh, now);
		step = NLMSG_ALIGN(nlh->nlmsg_len);
		if (step >= left)
			return;
		p += step;
		left -= step;
	}
	if (left > 0)
		log_debug("%s: %zu trailing bytes of a malformed message, ignoring", src_name[s], left);
}

static void source_close(struct daemon *d, enum src s)
{
	if (d->fd[s] < 0)
		return;
	epoll_ctl(d->ep, EPOLL_CTL_DEL, d->fd[s], NULL);
	if (s == SRC_RTNL && d->rtnl) {
		mnl_socket_close(d->rtnl);
		d->rtnl = NULL;
	} else if (s == SRC_ETHTOOL && d->genl) {
		mnl_socket_close(d->genl);
		d->genl = NULL;
	} else {
		close(d->fd[s]);
	}
	d->fd[s] = -1;
}

static void drain(struct daemon *d, enum src s)
{
	for (int i = 0; i < DRAIN_MAX && d->fd[s] >= 0; i++) {
		struct sockaddr_nl sa = {0};
		struct iovec iov = {d->buf, sizeof(d->buf)};
		struct msghdr mh = {.msg_name = &sa, .msg_namelen = sizeof(sa), .msg_iov = &iov, .msg_iovlen = 1};
		ssize_t n = recvmsg(d->fd[s], &mh, MSG_DONTWAIT);
		uint64_t now = now_ms();

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return;
			if (errno == ENOBUFS) {
				log_warn("%s: receive buffer overrun, events were lost; scheduling a full "
					 "re-tune", src_name[s]);
				events_push(&d->ev, &(struct mq_event){.type = EV_OVERRUN, .t_ms = now, .cpu = -1});
				if (s == SRC_UEVENT)
					poll_cpus_online(d, now);
				continue;
			}
			log_warn("%s: %m, closing this event source", src_name[s]);
			source_close(d, s);
			return;
		}
		if (n == 0) {
			/* Netlink never sends empty datagrams; an injected test source hung up. */
			log_debug("%s: end of stream, closing", src_name[s]);
			source_close(d, s);
			return;
		}
		if (mh.msg_flags & MSG_TRUNC) {
			log_warn("%s: message larger than %zu bytes, treating as lost events",
				 src_name[s], sizeof(d->buf));
			events_push(&d->ev, &(struct mq_event){.type = EV_OVERRUN, .t_ms = now, .cpu = -1});
			continue;
		}
		/* Only the kernel (port 0) speaks on these groups. */
		if (mh.msg_namelen >= sizeof(sa) && sa.nl_family == AF_NETLINK && sa.nl_pid != 0)
			continue;
		if (s == SRC_UEVENT)
			handle_uevent(d, d->buf, (size_t)n, now);
		else
			dispatch_netlink(d, s, (size_t)n, now);
	}
}

static void set_rcvbuf(int fd)
{
	int sz = RCVBUF_BYTES;

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &sz, sizeof(sz)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &sz, sizeof(sz));
}

static struct mnl_socket *monitor_open(int bus, unsigned groups)
{
	struct mnl_socket *nl = mnl_socket_open2(bus, SOCK_CLOEXEC);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0) {
		int e = errno;

		mnl_socket_close(nl);
		errno = e;
		return NULL;
	}
	set_rcvbuf(mnl_socket_get_fd(nl));
	return nl;
}

struct family {
	uint16_t id;
	uint32_t grp;
};

static int grp_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTRL_ATTR_MCAST_GRP_MAX) < 0)
		return MNL_CB_OK;
	if (type == CTRL_ATTR_MCAST_GRP_NAME && mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
		return MNL_CB_ERROR;
	if (type == CTRL_ATTR_MCAST_GRP_ID && mnl_attr_validate(a, MNL_TYPE_U32) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int ctrl_attr_cb(const struct nlattr *a, void *data)
{
	const struct nlattr **tb = data;
	int type = mnl_attr_get_type(a);

	if (mnl_attr_type_valid(a, CTRL_ATTR_MAX) < 0)
		return MNL_CB_OK;
	if (type == CTRL_ATTR_FAMILY_ID && mnl_attr_validate(a, MNL_TYPE_U16) < 0)
		return MNL_CB_ERROR;
	if (type == CTRL_ATTR_MCAST_GROUPS && mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
		return MNL_CB_ERROR;
	tb[type] = a;
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	const struct nlattr *tb[CTRL_ATTR_MAX + 1] = {0}, *pos;
	struct family *f = data;

	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), ctrl_attr_cb, tb) < 0)
		return MNL_CB_ERROR;
	if (tb[CTRL_ATTR_FAMILY_ID])
		f->id = mnl_attr_get_u16(tb[CTRL_ATTR_FAMILY_ID]);
	if (!tb[CTRL_ATTR_MCAST_GROUPS])
		return MNL_CB_OK;
	mnl_attr_for_each_nested(pos, tb[CTRL_ATTR_MCAST_GROUPS]) {
		const struct nlattr *g[CTRL_ATTR_MCAST_GRP_MAX + 1] = {0};

		if (mnl_attr_parse_nested(pos, grp_attr_cb, g) < 0)
			continue;
		if (g[CTRL_ATTR_MCAST_GRP_NAME] && g[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(g[CTRL_ATTR_MCAST_GRP_NAME]), ETHTOOL_MCGRP_MONITOR_NAME))
			f->grp = mnl_attr_get_u32(g[CTRL_ATTR_MCAST_GRP_ID]);
	}
	return MNL_CB_OK;
}

/* Resolve the ethtool family and join its monitor group. Returns 0 or -errno. */
static int ethtool_monitor_open(struct daemon *d)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;
	struct family f = {0};
	struct timeval tv = {.tv_sec = 2};
	uint32_t seq = (uint32_t)time(NULL);
	int r = MNL_CB_OK;

	d->genl = monitor_open(NETLINK_GENERIC, 0);
	if (!d->genl)
		return -errno;
	setsockopt(mnl_socket_get_fd(d->genl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, ETHTOOL_GENL_NAME);
	if (mnl_socket_sendto(d->genl, nlh, nlh->nlmsg_len) < 0)
		goto fail;
	for (int i = 0; i < 16 && r == MNL_CB_OK; i++) {
		ssize_t n = mnl_socket_recvfrom(d->genl, buf, sizeof(buf));

		if (n < 0)
			goto fail;
		r = mnl_cb_run(buf, (size_t)n, seq, mnl_socket_get_portid(d->genl), family_cb, &f);
		if (r < 0)
			goto fail;
	}
	if (!f.id || !f.grp) {
		errno = ENOENT;
		goto fail;
	}
	if (mnl_socket_setsockopt(d->genl, NETLINK_ADD_MEMBERSHIP, &f.grp, sizeof(f.grp)) < 0)
		goto fail;
	d->ethtool_family = f.id;
	d->fd[SRC_ETHTOOL] = mnl_socket_get_fd(d->genl);
	return 0;
fail:
	r = -errno;
	mnl_socket_close(d->genl);
	d->genl = NULL;
	return r ? r : -EIO;
}

static void sources_open(struct daemon *d)
{
	const struct daemon_opts *o = d->o;
	int r, fd;

	if (o->inject)
		return; /* daemon_run took the test's fds */
	d->rtnl = monitor_open(NETLINK_ROUTE, RTMGRP_LINK);
	if (d->rtnl)
		d->fd[SRC_RTNL] = mnl_socket_get_fd(d->rtnl);
	else
		log_warn("cannot watch link events (rtnetlink: %m); new NICs and link changes are "
			 "found by the drift check every %.1f s", (double)drift_ms(d) / 1000);
	r = ethtool_monitor_open(d);
	if (r < 0)
		log_info("no ethtool netlink monitor (%s); channel changes by others are found by the "
			 "drift check", strerror(-r));

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_KOBJECT_UEVENT);
	r = fd < 0 ? -errno : 0;
	if (fd >= 0) {
		struct sockaddr_nl sa = {.nl_family = AF_NETLINK, .nl_groups = 1 /* kernel events */};

		if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
			r = -errno;
			close(fd);
			fd = -1;
		} else {
			set_rcvbuf(fd);
		}
	}
	if (fd < 0)
		log_info("no kernel uevents (%s); CPU hotplug is found by polling "
			 "/sys/devices/system/cpu/online at every check", strerror(-r));
	d->fd[SRC_UEVENT] = fd;
}

/* ---- timers and signals ------------------------------------------------------ */

static int timer_arm(int fd, uint64_t period_ms)
{
	struct itimerspec it = {0};

	if (period_ms) {
		it.it_interval.tv_sec = (time_t)(period_ms / 1000);
		it.it_interval.tv_nsec = (long)(period_ms % 1000) * 1000000;
		it.it_value = it.it_interval;
	}
	return timerfd_settime(fd, 0, &it, NULL) < 0 ? -errno : 0;
}

static uint64_t sample_ms(const struct daemon *d)
{
	if (!d->o->sample || !(d->cfg.interval > 0))
		return 0;
	if (d->cfg.interval > 86400)
		return 86400000;
	return d->cfg.interval < 0.1 ? 100 : (uint64_t)(d->cfg.interval * 1000);
}

static void timer_read(int fd)
{
	uint64_t ticks;

	if (read(fd, &ticks, sizeof(ticks)) < 0 && errno != EAGAIN)
		log_debug("timerfd: %m, ignoring");
}

static void handle_signals(struct daemon *d)
{
	struct signalfd_siginfo si;

	for (int i = 0; i < DRAIN_MAX; i++) {
		ssize_t n = read(d->fd[SRC_SIGNAL], &si, sizeof(si));

		if (n != (ssize_t)sizeof(si))
			return;
		if (si.ssi_signo == SIGHUP)
			events_push(&d->ev, &(struct mq_event){.type = EV_SIGHUP, .t_ms = now_ms(), .cpu = -1});
		else
			events_push(&d->ev, &(struct mq_event){.type = EV_SIGTERM, .t_ms = now_ms(), .cpu = -1});
	}
}

/* ---- actions ----------------------------------------------------------------- */

static void reload(struct daemon *d)
{
	struct mq_config next;
	char err[256] = "";
	int r;

	memset(&next, 0, sizeof(next));
	r = d->o->load_config(d->config_path, &next, err, sizeof(err));
	if (r < 0) {
		if (err[0])
			log_error("reload failed: %s; keeping the old configuration", err);
		else
			log_error("reload of %s failed: %s; keeping the old configuration",
				  d->config_path, strerror(-r));
		sdnotify_sendf("STATUS=configuration reload failed, running with the old one: %s",
			       err[0] ? err : strerror(-r));
		return;
	}
	d->o->free_config(&d->cfg);
	d->cfg = next;
	log_info("configuration reloaded from %s", d->config_path);
	if (timer_arm(d->fd[SRC_SAMPLE], sample_ms(d)) < 0)
		log_warn("cannot re-arm the sample timer: %m");
	if (timer_arm(d->fd[SRC_DRIFT], drift_ms(d)) < 0)
		log_warn("cannot re-arm the drift check timer: %m");
	events_push(&d->ev, &(struct mq_event){.type = EV_CONFIG_RELOADED, .t_ms = now_ms(), .cpu = -1});
}

static void retune(struct daemon *d, const char *cause, bool quiet)
{
	struct tune_result res;
	int r;

	memset(&res, 0, sizeof(res));
	if (quiet)
		log_debug("%s: re-tuning", cause);
	else
		log_info("%s: re-tuning", cause);
	r = d->o->tune(d->o->nl, &d->cfg, cause, false, &res);
	d->retunes++;
	if (r < 0) {
		/* The same failure at every drift check would flood the journal. */
		if (quiet && d->last_err == r)
			log_debug("%s: could not tune (%s), still", cause, strerror(-r));
		else
			log_error("%s: could not tune (%s); trying again at the next check", cause,
				  strerror(-r));
		d->last_err = r;
		sdnotify_sendf("STATUS=could not tune (%s), retrying", strerror(-r));
		return;
	}
	if (d->last_err)
		log_info("%s: tuning works again", cause);
	d->last_err = 0;
	/* Our channel changes come back as notifications: not someone else's. */
	if (res.changed)
		events_own_change(&d->ev, 0, now_ms());
	if (res.failed && !(quiet && res.failed == d->last_failed))
		log_warn("%s: %u change(s) failed, %u made", cause, res.failed, res.changed);
	else if (quiet && res.changed)
		log_info("%s: %u setting(s) had been changed behind our back, restored", cause, res.changed);
	d->last_failed = res.failed;
	res.summary[sizeof(res.summary) - 1] = '\0';
	sdnotify_sendf("STATUS=%s (pass %lu: %s)", res.summary[0] ? res.summary : "tuned",
		       d->retunes, cause);
}

static int add_fd(struct daemon *d, enum src s)
{
	struct epoll_event ev = {.events = EPOLLIN, .data.u32 = s};

	if (d->fd[s] < 0)
		return 0;
	if (epoll_ctl(d->ep, EPOLL_CTL_ADD, d->fd[s], &ev) < 0)
		return -errno;
	return 0;
}

static void daemon_free(struct daemon *d, const sigset_t *oldmask)
{
	for (int s = 0; s < _SRC_MAX; s++)
		source_close(d, (enum src)s);
	if (d->ep >= 0)
		close(d->ep);
	d->o->free_config(&d->cfg);
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	free(d);
}

int daemon_run(const struct daemon_opts *o)
{
	struct daemon *d;
	sigset_t mask, oldmask;
	char err[256] = "", cause[512];
	uint64_t wd_usec = 0;
	int r;

	if (!o->tune || !o->load_config || !o->free_config)
		return -EINVAL;
	d = calloc(1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	d->o = o;
	d->ep = -1;
	for (int s = 0; s < _SRC_MAX; s++)
		d->fd[s] = -1;
	d->config_path = o->config_path ? o->config_path : MQ_DEFAULT_CONFIG;
	events_init(&d->ev, &o->ev);
	if (o->inject) {
		d->fd[SRC_RTNL] = o->rtnl_fd;
		d->fd[SRC_ETHTOOL] = o->ethtool_fd;
		d->fd[SRC_UEVENT] = o->uevent_fd;
		d->ethtool_family = o->ethtool_family;
	}

	sigemptyset(&mask);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigprocmask(SIG_BLOCK, &mask, &oldmask);

	r = o->load_config(d->config_path, &d->cfg, err, sizeof(err));
	if (r < 0) {
		if (err[0])
			log_error("%s", err);
		else
			log_error("%s: %s", d->config_path, strerror(-r));
		r = -EINVAL;
		goto out;
	}

	d->ep = epoll_create1(EPOLL_CLOEXEC);
	d->fd[SRC_SIGNAL] = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	d->fd[SRC_DRIFT] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	d->fd[SRC_SAMPLE] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (d->ep < 0 || d->fd[SRC_SIGNAL] < 0 || d->fd[SRC_DRIFT] < 0 || d->fd[SRC_SAMPLE] < 0) {
		r = -errno;
		log_error("cannot set up the event loop: %m");
		goto out;
	}
	if (sdnotify_watchdog_usec(&wd_usec) > 0) {
		d->fd[SRC_WATCHDOG] = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
		if (d->fd[SRC_WATCHDOG] < 0 || timer_arm(d->fd[SRC_WATCHDOG], wd_usec / 2000 ? wd_usec / 2000 : 1) < 0)
			log_warn("cannot arm the watchdog timer: %m");
	}
	sources_open(d);
	if (!o->inject)
		links_seed(d);
	poll_cpus_online(d, now_ms());
	for (int s = 0; s < _SRC_MAX; s++) {
		r = add_fd(d, (enum src)s);
		if (r < 0) {
			log_error("cannot watch %s: %s", src_name[s], strerror(-r));
			goto out;
		}
	}
	if ((r = timer_arm(d->fd[SRC_DRIFT], drift_ms(d))) < 0 ||
	    (r = timer_arm(d->fd[SRC_SAMPLE], sample_ms(d))) < 0) {
		log_error("cannot arm timers: %s", strerror(-r));
		goto out;
	}

	log_info("daemon started (config %s, %s%s%s)", d->config_path,
		 d->fd[SRC_RTNL] >= 0 ? "links" : "no link events",
		 d->fd[SRC_ETHTOOL] >= 0 ? ", channels" : "",
		 d->fd[SRC_UEVENT] >= 0 ? ", cpu hotplug" : ", cpu polling");
	retune(d, "startup", false);
	sdnotify_send("READY=1");

	for (;;) {
		struct epoll_event evs[_SRC_MAX];
		uint64_t now = now_ms(), dl;
		unsigned act = events_poll(&d->ev, now, cause, sizeof(cause));
		int n, timeout;

		if (act & EV_ACT_EXIT)
			break;
		if (act & EV_ACT_RELOAD)
			reload(d);
		if (act & EV_ACT_SAMPLE) {
			r = o->sample ? o->sample(o->nl, &d->cfg) : 0;
			if (r < 0)
				log_warn("sampling failed: %s, ignoring", strerror(-r));
		}
		if (act & EV_ACT_RETUNE)
			retune(d, cause, act & EV_ACT_QUIET);
		if (act & (EV_ACT_RELOAD | EV_ACT_SAMPLE | EV_ACT_RETUNE))
			continue; /* reload pushes a retune; a retune may have queued events */

		dl = events_deadline(&d->ev);
		now = now_ms();
		timeout = dl == UINT64_MAX ? -1 : dl <= now ? 0 : dl - now > INT_MAX ? INT_MAX : (int)(dl - now);
		n = epoll_wait(d->ep, evs, _SRC_MAX, timeout);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			log_error("epoll_wait: %m");
			goto out;
		}
		for (int i = 0; i < n; i++) {
			enum src s = (enum src)evs[i].data.u32;

			switch (s) {
			case SRC_SIGNAL:
				handle_signals(d);
				break;
			case SRC_RTNL:
			case SRC_ETHTOOL:
			case SRC_UEVENT:
				drain(d, s);
				break;
			case SRC_DRIFT:
				timer_read(d->fd[s]);
				poll_cpus_online(d, now_ms());
				events_push(&d->ev, &(struct mq_event){.type = EV_TIMER_DRIFT_CHECK,
								       .t_ms = now_ms(), .cpu = -1});
				break;
			case SRC_SAMPLE:
				timer_read(d->fd[s]);
				poll_cpus_online(d, now_ms());
				events_push(&d->ev, &(struct mq_event){.type = EV_TIMER_SAMPLE,
								       .t_ms = now_ms(), .cpu = -1});
				break;
			case SRC_WATCHDOG:
				timer_read(d->fd[s]);
				sdnotify_send("WATCHDOG=1");
				break;
			default:
				break;
			}
		}
	}
	r = 0;
	log_info("stopping");
	sdnotify_send("STOPPING=1");
out:
	daemon_free(d, &oldmask);
	return r;
}
