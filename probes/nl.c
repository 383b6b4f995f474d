// SPDX-License-Identifier: MIT
/*
 * Netlink plumbing: one libnl-3 socket for rtnetlink, one libmnl
 * NETLINK_GENERIC socket shared by the ethtool and netdev families, one
 * datagram socket for SIOCETHTOOL. Every fd is close-on-exec.
 *
 * What NLM_F_DUMP_INTR means here: the kernel's object list changed while it
 * was dumping (a queue or NAPI instance came or went), so the dump may have
 * skipped or repeated entries. mqnl_genl_transact() reads the dump to its end
 * (so the socket stays in step), then returns -EAGAIN; the callback sees no
 * message from the first one flagged on. Callers retry once; a
 * second -EAGAIN is reported as an error, never looped on.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "probes/nl.h"
#include "probes/uapi.h"

/* A dump skb is at most 32 KiB (or a page, whichever is larger); leave room. */
#define RECV_BUF_SIZE (64 * 1024)
/* The kernel always answers; this only bounds a wait if something is badly wrong. */
#define RECV_TIMEOUT_SEC 5

/* The kernel's -errno in an int it sent: only -4095..-1 is one (-INT_MIN is not an int). */
static int kernel_errno(int e)
{
	return e < 0 && e >= -4095 ? e : -EPROTO;
}

static void extack_copy(const struct nlmsghdr *nlh, size_t offset, char *buf, size_t len)
{
	const struct nlattr *a;

	if (!buf || !len || !(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
		return;
	if (mnl_nlmsg_get_payload_len(nlh) < MNL_ALIGN(offset))
		return;
	mnl_attr_for_each(a, nlh, offset) {
		if (mnl_attr_get_type(a) != NLMSGERR_ATTR_MSG)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NUL_STRING) < 0)
			return;
		snprintf(buf, len, "%s", mnl_attr_get_str(a));
		/* The kernel's messages sometimes end in a newline. */
		for (size_t n = strlen(buf); n > 0 && (buf[n - 1] == '\n' || buf[n - 1] == ' ');)
			buf[--n] = '\0';
		return;
	}
}

static void on_error(struct mqnl_reply *t, const struct nlmsghdr *nlh)
{
	struct nlmsgerr e;
	size_t off;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(e)) {
		t->err = -EBADMSG;
		return;
	}
	memcpy(&e, mnl_nlmsg_get_payload(nlh), sizeof(e));
	if (e.error == 0)
		return; /* the ACK */
	/* TLVs follow the echoed request: its header only if the kernel capped it. */
	off = sizeof(e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e.msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += ((size_t)e.msg.nlmsg_len - sizeof(struct nlmsghdr) + 3) & ~(size_t)3;
	extack_copy(nlh, off, t->extack, t->extack_len);
	t->err = kernel_errno(e.error);
}

/* NLMSG_DONE carries an int: a dump that failed part-way (or at once) says why here. */
static void on_done(struct mqnl_reply *t, const struct nlmsghdr *nlh)
{
	int err;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return;
	extack_copy(nlh, sizeof(int), t->extack, t->extack_len);
	t->err = kernel_errno(err);
}

static int reply_one(struct mqnl_reply *t, const struct nlmsghdr *nlh)
{
	/* As libmnl's mnl_cb_run2(): 0 is a wildcard on either side. */
	if (nlh->nlmsg_pid && t->portid && nlh->nlmsg_pid != t->portid)
		return -ESRCH;
	if (nlh->nlmsg_seq && t->seq && nlh->nlmsg_seq != t->seq)
		return -EPROTO;
	/* NLM_F_DUMP_INTR: see the comment at the top of this file. */
	if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
		t->intr = true;
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		t->done = true;
		on_error(t, nlh);
		return 0;
	case NLMSG_DONE:
		t->done = true;
		on_done(t, nlh);
		return 0;
	default:
		break;
	}
	/* NOOP, OVERRUN, reserved types; notifications (seq 0) are not replies to us. */
	if (nlh->nlmsg_type < NLMSG_MIN_TYPE || !t->cb || t->cb_err || t->intr ||
	    nlh->nlmsg_seq != t->seq)
		return 0;
	/* After the callback's first error keep reading, stop calling it. */
	if (t->cb(nlh, t->data) == MNL_CB_ERROR)
		t->cb_err = errno > 0 ? -errno : -EIO;
	return 0;
}

/*
 * Not mnl_nlmsg_ok()/mnl_cb_run2(): they compare nlmsg_len as an int, so a
 * length of 2^31 or more passes and the walk leaves the buffer. Here every
 * length is checked in size_t before use, and a message must end (padded to
 * 4 bytes, as the kernel always sends it) inside the datagram: libmnl's
 * attribute walkers read up to that padded end.
 */
int mqnl_reply_feed(struct mqnl_reply *t, const void *buf, size_t len)
{
	const char *p = buf;

	/* An empty or truncated datagram holds no message: waiting on would wait for nothing. */
	if (len < sizeof(struct nlmsghdr))
		return -EBADMSG;
	while (len > 0 && !t->done) {
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)p;
		size_t step;
		int r;

		if (len < sizeof(*nlh) || nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len)
			return -EBADMSG;
		step = ((size_t)nlh->nlmsg_len + NLMSG_ALIGNTO - 1) & ~(size_t)(NLMSG_ALIGNTO - 1);
		if (step > len)
			return -EBADMSG;
		r = reply_one(t, nlh);
		if (r < 0)
			return r;
		p += step;
		len -= step;
	}
	return 0;
}

int mqnl_reply_result(const struct mqnl_reply *t)
{
	if (t->err)
		return t->err;
	if (t->intr)
		return -EAGAIN;
	return t->cb_err;
}

int mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct mqnl_reply t = {.cb = cb, .data = data};
	uint32_t seq;
	char *buf;
	int r = 0;

	if (!nl || !nl->genl || !req)
		return -EBADF;
	t.extack = nl->extack;
	t.extack_len = sizeof(nl->extack);
	t.portid = nl->genl_portid;
	nl->extack[0] = '\0';
	seq = ++nl->seq;
	if (seq == 0)
		seq = ++nl->seq;
	req->nlmsg_seq = seq;
	t.seq = seq;
	/* An ACK ends a plain request too, so the read loop below always terminates. */
	req->nlmsg_flags |= NLM_F_REQUEST | NLM_F_ACK;

	buf = malloc(RECV_BUF_SIZE);
	if (!buf)
		return -ENOMEM;
	if (mnl_socket_sendto(nl->genl, req, req->nlmsg_len) < 0) {
		r = -errno;
		goto out;
	}
	/* Read to the end even after NLM_F_DUMP_INTR, so the next request starts on a clean socket. */
	while (!t.done) {
		ssize_t n = mnl_socket_recvfrom(nl->genl, buf, RECV_BUF_SIZE);

		if (n < 0 && errno == EINTR)
			continue; /* a signal, not the kernel: the reply is still queued */
		if (n < 0) {
			r = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			goto out;
		}
		r = mqnl_reply_feed(&t, buf, (size_t)n);
		if (r < 0)
			goto out;
	}
	r = mqnl_reply_result(&t);
out:
	free(buf);
	return r;
}

struct nlmsghdr *mqnl_genl_put(struct mq_nl *nl, void *buf, uint16_t family, uint8_t cmd,
			       uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	(void)nl;
	nlh->nlmsg_type = family;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = version;
	return nlh;
}

struct family_info {
	const char *group;   /* multicast group we want */
	uint16_t id;
	uint32_t grp;
};

static int cb_family(const struct nlmsghdr *nlh, void *data)
{
	struct family_info *f = data;
	const struct nlattr *a, *g, *ga;

	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		switch (mnl_attr_get_type(a)) {
		case CTRL_ATTR_FAMILY_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U16) >= 0)
				f->id = mnl_attr_get_u16(a);
			break;
		case CTRL_ATTR_MCAST_GROUPS:
			if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
				break;
			mnl_attr_for_each_nested(g, a) {
				const char *name = NULL;
				uint32_t id = 0;

				if (mnl_attr_validate(g, MNL_TYPE_NESTED) < 0)
					continue;
				mnl_attr_for_each_nested(ga, g) {
					if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_NAME &&
					    mnl_attr_validate(ga, MNL_TYPE_NUL_STRING) >= 0)
						name = mnl_attr_get_str(ga);
					else if (mnl_attr_get_type(ga) == CTRL_ATTR_MCAST_GRP_ID &&
						 mnl_attr_validate(ga, MNL_TYPE_U32) >= 0)
						id = mnl_attr_get_u32(ga);
				}
				if (name && f->group && strcmp(name, f->group) == 0)
					f->grp = id;
			}
			break;
		default:
			break;
		}
	}
	return MNL_CB_OK;
}

/* Returns 0 with the family's id and group (0 when absent), or -errno. */
static int resolve_family(struct mq_nl *nl, const char *name, const char *group, uint16_t *ret_id,
			  uint32_t *ret_grp)
{
	/* zeroed: libmnl before 1.0.5 leaves the padding after a string unset (valgrind) */
	char buf[256] = {0};
	struct nlmsghdr *nlh;
	struct family_info f = {.group = group};
	int r;

	nlh = mqnl_genl_put(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	r = mqnl_genl_transact(nl, nlh, cb_family, &f);
	if (r == -ENOENT) {
		f.id = 0;
		f.grp = 0;
		r = 0;
	}
	if (r < 0)
		return r;
	nl->extack[0] = '\0';
	*ret_id = f.id;
	*ret_grp = f.grp;
	return 0;
}

int mqnl_open(struct mq_nl *nl)
{
	struct timeval tv = {.tv_sec = RECV_TIMEOUT_SEC};
	int one = 1, r;

	memset(nl, 0, sizeof(*nl));
	nl->ioctl_fd = -1;

	nl->rt = nl_socket_alloc();
	if (!nl->rt)
		return -ENOMEM;
	r = nl_connect(nl->rt, NETLINK_ROUTE);
	if (r < 0) {
		r = -ECONNREFUSED;
		goto fail;
	}
	/* libnl opens with SOCK_CLOEXEC since 3.2.x; make sure on older ones. */
	if (fcntl(nl_socket_get_fd(nl->rt), F_SETFD, FD_CLOEXEC) < 0) {
		r = -errno;
		goto fail;
	}
	setsockopt(nl_socket_get_fd(nl->rt), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	nl->genl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	if (!nl->genl) {
		r = -errno;
		goto fail;
	}
	if (mnl_socket_bind(nl->genl, 0, MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		goto fail;
	}
	nl->genl_portid = mnl_socket_get_portid(nl->genl);
	/* Both are best effort: kernels before 4.12 lack extack, and that is fine. */
	mnl_socket_setsockopt(nl->genl, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->genl, NETLINK_CAP_ACK, &one, sizeof(one));
	setsockopt(mnl_socket_get_fd(nl->genl), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));

	r = resolve_family(nl, ETHTOOL_GENL_NAME, ETHTOOL_MCGRP_MONITOR_NAME, &nl->ethtool_id,
			   &nl->ethtool_monitor_grp);
	if (r < 0)
		goto fail;
	r = resolve_family(nl, NETDEV_FAMILY_NAME, NETDEV_MCGRP_MGMT, &nl->netdev_id,
			   &nl->netdev_mgmt_grp);
	if (r < 0)
		goto fail;

	/*
	 * SIOCETHTOOL works on any socket (the family's ioctl hands it on to
	 * dev_ioctl): AF_UNIX keeps AF_INET out of the service's address families.
	 */
	nl->ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (nl->ioctl_fd < 0)
		nl->ioctl_fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (nl->ioctl_fd < 0) {
		r = -errno;
		goto fail;
	}
	return 0;
fail:
	mqnl_close(nl);
	return r;
}

static void buf_free(struct mq_buf *g)
{
	if (g->base && g->base != MAP_FAILED)
		munmap(g->base, g->maplen);
	g->base = NULL;
}

/*
 * The mapping is kept for the next read (a sampler reads every NIC every
 * interval): only a larger size maps anew. p ends exactly at the guard.
 */
int mqnl_buf(struct mq_buf *g, size_t size)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE), body;

	size = (size + 7) & ~(size_t)7;
	body = (size + page - 1) / page * page;
	if (g->base && g->maplen == body + page) {
		g->p = (char *)g->base + body - size;
		return 0;
	}
	buf_free(g);
	g->maplen = body + page;
	g->base = mmap(NULL, g->maplen, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (g->base == MAP_FAILED)
		return -ENOMEM;
	if (mprotect((char *)g->base + body, page, PROT_NONE) < 0) {
		munmap(g->base, g->maplen);
		return -ENOMEM;
	}
	g->p = (char *)g->base + body - size;
	return 0;
}

void mqnl_close(struct mq_nl *nl)
{
	if (!nl)
		return;
	if (nl->rt)
		nl_socket_free(nl->rt); /* closes the fd */
	if (nl->genl)
		mnl_socket_close(nl->genl);
	if (nl->ioctl_fd >= 0)
		close(nl->ioctl_fd);
	buf_free(&nl->stat_keys);
	buf_free(&nl->stat_vals);
	memset(nl, 0, sizeof(*nl));
	nl->ioctl_fd = -1;
}
