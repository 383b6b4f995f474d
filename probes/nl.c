// SPDX-License-Identifier: MIT
/*
 * Netlink plumbing: one libnl-3 socket for rtnetlink, one libmnl
 * NETLINK_GENERIC socket shared by the ethtool and netdev families, one
 * datagram socket for SIOCETHTOOL. Every fd is close-on-exec.
 *
 * What NLM_F_DUMP_INTR means here: the kernel's object list changed while it
 * was dumping (a queue or NAPI instance came or went), so the dump may have
 * skipped or repeated entries. mqnl_genl_transact() reads the dump to its end
 * (so the socket stays in step), then returns -EAGAIN. Callers retry once; a
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

struct transact {
	mnl_cb_t cb;
	void *data;
	uint32_t seq;
	int cb_err;       /* first error a callback returned, reported at the end */
	bool done;
	int err;          /* the kernel's -errno from NLMSG_ERROR / NLMSG_DONE */
	char *extack;
	size_t extack_len;
};

static void extack_copy(const struct nlmsghdr *nlh, size_t offset, char *buf, size_t len)
{
	const struct nlattr *a;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS))
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

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct transact *t = data;
	const struct nlmsgerr *e;
	size_t off;

	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*e)) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	e = mnl_nlmsg_get_payload(nlh);
	t->done = true;
	if (e->error == 0)
		return MNL_CB_STOP; /* the ACK */
	/* TLVs follow the echoed request: its header only if the kernel capped it. */
	off = sizeof(*e);
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && e->msg.nlmsg_len >= sizeof(struct nlmsghdr))
		off += MNL_ALIGN(e->msg.nlmsg_len - sizeof(struct nlmsghdr));
	extack_copy(nlh, off, t->extack, t->extack_len);
	t->err = e->error < 0 ? e->error : -EPROTO;
	errno = -t->err;
	return MNL_CB_ERROR;
}

/* NLMSG_DONE carries an int: a dump that failed part-way (or at once) says why here. */
static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct transact *t = data;
	int err;

	t->done = true;
	if (mnl_nlmsg_get_payload_len(nlh) < sizeof(int))
		return MNL_CB_STOP;
	memcpy(&err, mnl_nlmsg_get_payload(nlh), sizeof(err));
	if (err >= 0)
		return MNL_CB_STOP;
	extack_copy(nlh, sizeof(int), t->extack, t->extack_len);
	t->err = err;
	errno = -err;
	return MNL_CB_ERROR;
}

static int cb_noop(const struct nlmsghdr *nlh, void *data)
{
	(void)nlh;
	(void)data;
	return MNL_CB_OK;
}

/* Wrap the caller's callback: after its first error keep reading, stop calling it. */
static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct transact *t = data;
	int r;

	/* Notifications (seq 0) are not replies to us. */
	if (t->cb_err || !t->cb || nlh->nlmsg_seq != t->seq)
		return MNL_CB_OK;
	r = t->cb(nlh, t->data);
	if (r == MNL_CB_ERROR)
		t->cb_err = errno > 0 ? -errno : -EIO;
	return MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_NOOP] = cb_noop,
	[NLMSG_ERROR] = cb_error,
	[NLMSG_DONE] = cb_done,
	[NLMSG_OVERRUN] = cb_noop,
};

/*
 * After libmnl stopped on NLM_F_DUMP_INTR, read and drop the rest of this
 * request's replies so the next request starts on a clean socket.
 */
static int drain(struct mq_nl *nl, char *buf, uint32_t seq)
{
	for (unsigned rounds = 0; rounds < 100000; rounds++) {
		ssize_t n = mnl_socket_recvfrom(nl->genl, buf, RECV_BUF_SIZE);
		const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
		int len;

		if (n < 0)
			return -errno;
		len = (int)n;
		for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len)) {
			if (nlh->nlmsg_seq != seq)
				continue;
			if (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR)
				return 0;
		}
	}
	return -EIO;
}

static bool contains_intr(const char *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq && (nlh->nlmsg_flags & NLM_F_DUMP_INTR))
			return true;
	return false;
}

static bool contains_end(const char *buf, ssize_t n, uint32_t seq)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)buf;
	int len = (int)n;

	for (; mnl_nlmsg_ok(nlh, len); nlh = mnl_nlmsg_next(nlh, &len))
		if (nlh->nlmsg_seq == seq &&
		    (nlh->nlmsg_type == NLMSG_DONE || nlh->nlmsg_type == NLMSG_ERROR))
			return true;
	return false;
}

int mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct transact t = {.cb = cb, .data = data};
	uint32_t seq;
	char *buf;
	int r = 0;

	if (!nl || !nl->genl || !req)
		return -EBADF;
	t.extack = nl->extack;
	t.extack_len = sizeof(nl->extack);
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
	while (!t.done) {
		ssize_t n = mnl_socket_recvfrom(nl->genl, buf, RECV_BUF_SIZE);
		int k;

		if (n < 0 && errno == EINTR)
			continue; /* a signal, not the kernel: the reply is still queued */
		if (n < 0) {
			r = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT : -errno;
			goto out;
		}
		/*
		 * An empty or truncated datagram holds no message: libmnl would
		 * run nothing and say OK, and we would wait on for the ACK.
		 */
		if (!mnl_nlmsg_ok((const struct nlmsghdr *)buf, (int)n)) {
			r = -EBADMSG;
			goto out;
		}
		/* Port id and sequence number are checked by libmnl (EPROTO, ESRCH). */
		k = mnl_cb_run2(buf, (size_t)n, seq, nl->genl_portid, cb_data, &t, ctl_cbs,
				NLMSG_MIN_TYPE);
		if (k == MNL_CB_ERROR) {
			if (t.err) {
				r = t.err;
				goto out;
			}
			if (errno == EINTR || contains_intr(buf, n, seq)) {
				/* NLM_F_DUMP_INTR: see the comment at the top of this file. */
				r = contains_end(buf, n, seq) ? 0 : drain(nl, buf, seq);
				if (r == 0)
					r = -EAGAIN;
				goto out;
			}
			r = errno > 0 ? -errno : -EPROTO;
			goto out;
		}
		if (k == MNL_CB_STOP)
			break;
	}
	r = t.cb_err;
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
