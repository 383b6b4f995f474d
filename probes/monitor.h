/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The daemon's event sources, and the parsers that turn what they deliver
 * into struct mq_event:
 *   MON_RTNL     rtnetlink RTMGRP_LINK (libnl-3 socket): RTM_NEWLINK/DELLINK,
 *                parsed by link_parse() like a link dump;
 *   MON_ETHTOOL  the ethtool generic netlink "monitor" group (libmnl socket;
 *                family and group as probes/nl.c resolved them):
 *                CHANNELS_NTF, parsed by ethtool_channels_parse();
 *   MON_UEVENT   kernel uevents (NETLINK_KOBJECT_UEVENT, group 1): CPU hotplug.
 * The parsers are pure: they take bytes and never look at the system, so the
 * tests and the fuzzers feed them directly. Nothing here prints.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/events.h"
#include "probes/nl.h"

enum mon_src { MON_RTNL, MON_ETHTOOL, MON_UEVENT, _MON_SRC_MAX };
const char *monitor_src_to_string(enum mon_src s); /* "rtnetlink", ... */

struct nl_sock;

struct mq_monitor {
	int fd[_MON_SRC_MAX];     /* -1: not open */
	struct nl_sock *rtnl;     /* owns fd[MON_RTNL] when we opened it */
	struct mnl_socket *genl;  /* owns fd[MON_ETHTOOL] when we opened it */
	uint16_t ethtool_family;  /* messages of this genl family are ethtool's (0: none) */
	uint32_t ethtool_grp;     /* its "monitor" multicast group (0: none) */
	bool can_open;            /* monitor_init() had a struct mq_nl */
};

/*
 * Nothing open yet. nl: where the ethtool family and its monitor group come
 * from (probes/nl.c resolved them); NULL: sources only by monitor_adopt().
 */
void monitor_init(struct mq_monitor *m, const struct mq_nl *nl);
/*
 * Open one source (closing it first if open). 0 or -errno: -ENOENT no ethtool
 * netlink monitor group on this kernel, -EOPNOTSUPP without an nl at init.
 */
int monitor_open(struct mq_monitor *m, enum mon_src s);
/* Use fd as source s (tests: one end of a socketpair); m owns it from now on. */
void monitor_adopt(struct mq_monitor *m, enum mon_src s, int fd);
void monitor_close(struct mq_monitor *m, enum mon_src s);
void monitor_close_all(struct mq_monitor *m);

/*
 * Take one datagram of source s into buf (aligned for struct nlmsghdr),
 * without blocking. Returns its length; 0 for one not sent by the kernel
 * (dropped); -EAGAIN nothing waiting; -ENOBUFS the kernel dropped events
 * (socket buffer overrun); -EMSGSIZE one larger than len was dropped; -EPIPE
 * end of stream (only a test's socketpair does that); another -errno: the
 * source is broken.
 */
ssize_t monitor_recv(const struct mq_monitor *m, enum mon_src s, void *buf, size_t len);

/* Called once per event found in a datagram; t_ms is 0 (the caller stamps it). */
typedef void (*monitor_event_fn)(const struct mq_event *e, void *ctx);
/*
 * Every event in one datagram of source s (buf aligned for struct nlmsghdr;
 * ethtool_family as in struct mq_monitor). Returns the number of malformed
 * messages skipped (trailing bytes count as one). Pure.
 */
int monitor_parse(enum mon_src s, uint16_t ethtool_family, const void *buf, size_t len,
		  monitor_event_fn fn, void *ctx);

/*
 * One rtnetlink message of nlmsg_len readable bytes: 1 and ret for a link
 * event (EV_LINK_NEW: a newly registered link; EV_LINK_DEL; EV_LINK_UP/DOWN:
 * IFF_UP changed; EV_LINK_CHANGE: anything else), 0 for a message that is
 * not one (other types, loopback), -EINVAL when malformed. Pure.
 */
int monitor_link_parse(const struct nlmsghdr *nlh, struct mq_event *ret);
/*
 * One generic netlink message: 1 and ret (EV_CHANNELS_CHANGED: ifindex,
 * ifname, or "" when the message names none, count: combined, else rx) for
 * an ethtool CHANNELS_NTF, 0 for other families and commands, -EINVAL when
 * malformed. Pure.
 */
int monitor_ethtool_parse(const struct nlmsghdr *nlh, uint16_t ethtool_family,
			  struct mq_event *ret);
/*
 * One kernel uevent ("offline@/devices/system/cpu/cpu3\0ACTION=offline\0
 * SUBSYSTEM=cpu\0..."): 1 with ret (type, cpu) for a CPU going online or
 * offline, 0 for any other uevent (and udev's re-broadcasts), -EINVAL for
 * garbage. Pure.
 */
int monitor_uevent_parse(const char *buf, size_t len, struct mq_event *ret);
