/* SPDX-License-Identifier: MIT */
#pragma once

#include <libmnl/libmnl.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/*
 * One socket per netlink family: rtnetlink through libnl-3, generic
 * netlink (ethtool and netdev families) through libmnl, plus one datagram
 * socket for the SIOCETHTOOL ioctls. Families are resolved by name at open;
 * a missing family is a capability (id 0), not an error.
 */
struct nl_sock;

/*
 * A buffer the kernel fills (the ethtool -S strings and values), kept from
 * one read to the next, ending exactly at a PROT_NONE guard page so a kernel
 * that writes more than it said faults here instead of corrupting the heap.
 */
struct mq_buf {
	void *base;
	size_t maplen;
	void *p;
};
/* p = size bytes before the guard; the mapping is reused unless it must grow. 0 or -ENOMEM. */
int mqnl_buf(struct mq_buf *b, size_t size);

struct mq_nl {
	struct nl_sock *rt;
	struct mnl_socket *genl;
	uint32_t genl_portid;
	uint32_t seq;
	uint16_t ethtool_id;         /* 0: no ethtool netlink (kernel < 5.7 or disabled) */
	uint16_t netdev_id;          /* 0: no netdev netlink (kernel < 6.0) */
	uint32_t ethtool_monitor_grp; /* multicast group ids, 0 if absent */
	uint32_t netdev_mgmt_grp;
	int ioctl_fd;
	char extack[256];            /* the kernel's message for the last failed request, "" if none */
	struct mq_buf stat_keys, stat_vals; /* ethtool -S, reused by every read */
};

/* Returns 0 or -errno. On failure nothing stays open. */
int mqnl_open(struct mq_nl *nl);
void mqnl_close(struct mq_nl *nl);

/*
 * Send a generic netlink request and run cb over every reply message
 * (a dump until NLMSG_DONE). Fills nl->extack from NLMSGERR_ATTR_MSG.
 * Returns 0, -errno (the kernel's), or -EINTR... see ./probes/nl.c for
 * what NLM_F_DUMP_INTR means (-EAGAIN: the caller may retry once).
 */
int mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
/* Start a genl request in buf: nlmsghdr + genlmsghdr. */
struct nlmsghdr *mqnl_genl_put(struct mq_nl *nl, void *buf, uint16_t family, uint8_t cmd,
			       uint8_t version, uint16_t flags);

/*
 * The replies to one generic netlink request, fed datagram by datagram as
 * recv(2) returns them: mqnl_genl_transact() does, tests and the fuzzer feed
 * raw bytes. cb runs on each data message of this request (seq) until it
 * fails or the dump is flagged NLM_F_DUMP_INTR.
 */
struct mqnl_reply {
	mnl_cb_t cb;
	void *data;
	uint32_t seq, portid;   /* 0: any */
	char *extack;           /* the kernel's message, if it sends one; may be NULL */
	size_t extack_len;
	bool done;              /* NLMSG_DONE or NLMSG_ERROR (the ACK) seen: stop reading */
	bool intr;              /* NLM_F_DUMP_INTR */
	int err;                /* the kernel's -errno, -EBADMSG for a short NLMSG_ERROR */
	int cb_err;             /* the callback's first failure */
};
/*
 * One datagram of len bytes (buf aligned for struct nlmsghdr). Returns 0 (read
 * on unless done), -EBADMSG when a length does not fit, -EPROTO for another
 * request's sequence number, -ESRCH for another port.
 */
int mqnl_reply_feed(struct mqnl_reply *r, const void *buf, size_t len);
/* Once done: 0, the kernel's -errno, -EAGAIN (NLM_F_DUMP_INTR) or the callback's error. */
int mqnl_reply_result(const struct mqnl_reply *r);
