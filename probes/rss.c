// SPDX-License-Identifier: MIT
/*
 * The RSS indirection table, hash key size and hash function of a NIC's main
 * context: ethtool netlink RSS_GET (Linux 6.2+), else the ETHTOOL_GRSSH
 * ioctl. -EOPNOTSUPP from netlink means either a kernel without the op or a
 * driver without RSS; the ioctl tells them apart, so it is asked then too.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "probes/probe.h"
#include "probes/uapi.h"

static int put_table(struct mq_rss *r, const void *src, uint32_t n)
{
	if (n > MQ_RSS_INDIR_MAX)
		return -EFBIG;
	r->n = n;
	r->indir = NULL;
	if (n == 0)
		return 0;
	r->indir = malloc((size_t)n * sizeof(uint32_t));
	if (!r->indir)
		return -ENOMEM;
	memcpy(r->indir, src, (size_t)n * sizeof(uint32_t));
	return 0;
}

int ethtool_rss_parse(const struct nlmsghdr *nlh, struct mq_rss *ret)
{
	const struct genlmsghdr *g;
	const struct nlattr *a, *indir = NULL;
	struct mq_rss r = {.source = RSS_NETLINK};
	int err;

	/* Aligned lengths only: libmnl's attribute walk ends at the aligned end. */
	if (!nlh || !ret || nlh->nlmsg_len < MNL_NLMSG_HDRLEN || nlh->nlmsg_len % MNL_ALIGNTO ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return -EINVAL;
	g = mnl_nlmsg_get_payload(nlh);
	if (g->cmd != MQ_ETHTOOL_MSG_RSS_GET_REPLY)
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		switch (mnl_attr_get_type(a)) {
		case MQ_ETHTOOL_A_RSS_CONTEXT:
			/* We ask for context 0, which comes without the attribute. */
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0 || mnl_attr_get_u32(a) != 0)
				return -EINVAL;
			break;
		case MQ_ETHTOOL_A_RSS_HFUNC:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EINVAL;
			r.hfunc = mnl_attr_get_u32(a);
			break;
		case MQ_ETHTOOL_A_RSS_INDIR:
			if (indir || mnl_attr_get_payload_len(a) % sizeof(uint32_t))
				return -EINVAL;
			indir = a;
			break;
		case MQ_ETHTOOL_A_RSS_HKEY:
			r.key_size = mnl_attr_get_payload_len(a);
			break;
		default:
			break; /* header, input_xfrm and attributes newer than us */
		}
	}
	if (indir) {
		err = put_table(&r, mnl_attr_get_payload(indir),
				mnl_attr_get_payload_len(indir) / sizeof(uint32_t));
		if (err < 0)
			return err;
	}
	*ret = r;
	return 0;
}

struct parse_ctx {
	struct mq_rss rss;
	int n;
};

static int cb_rss(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *c = data;
	int r;

	if (c->n++) { /* one reply to a non-dump request; a second would leak the first */
		errno = EPROTO;
		return MNL_CB_ERROR;
	}
	r = ethtool_rss_parse(nlh, &c->rss);
	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static int rss_netlink(struct mq_nl *nl, int ifindex, struct mq_rss *ret)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct parse_ctx c = {0};
	int r;

	nlh = mqnl_genl_put(nl, buf, nl->ethtool_id, MQ_ETHTOOL_MSG_RSS_GET, ETHTOOL_GENL_VERSION, 0);
	nest = mnl_attr_nest_start(nlh, MQ_ETHTOOL_A_RSS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_nest_end(nlh, nest);
	r = mqnl_genl_transact(nl, nlh, cb_rss, &c);
	if (r == 0 && c.n != 1)
		r = -EPROTO;
	if (r < 0) {
		rss_free(&c.rss);
		return r;
	}
	*ret = c.rss;
	return 0;
}

static int grssh(int fd, const char *ifname, struct ethtool_rxfh *rxfh)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)rxfh;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

/* Sizes first (indir_size 0 asks only for them), then the table without the key. */
static int rss_ioctl(struct mq_nl *nl, const char *ifname, struct mq_rss *ret)
{
	struct ethtool_rxfh head = {.cmd = ETHTOOL_GRSSH};
	struct ethtool_rxfh *full;
	struct mq_rss r = {.source = RSS_IOCTL};
	uint32_t n;
	int err;

	if (nl->ioctl_fd < 0)
		return -EBADF;
	err = grssh(nl->ioctl_fd, ifname, &head);
	if (err < 0)
		return err;
	n = head.indir_size;
	if (n > MQ_RSS_INDIR_MAX)
		return -EFBIG;
	r.key_size = head.key_size;
	r.hfunc = head.hfunc;
	if (n) {
		full = calloc(1, sizeof(*full) + (size_t)n * sizeof(uint32_t));
		if (!full)
			return -ENOMEM;
		full->cmd = ETHTOOL_GRSSH;
		full->indir_size = n;
		/* -EINVAL if the size changed in between: the kernel checks it. */
		err = grssh(nl->ioctl_fd, ifname, full);
		if (err == 0)
			err = put_table(&r, full->rss_config, n);
		free(full);
		if (err < 0)
			return err;
	}
	*ret = r;
	return 0;
}

/*
 * On failure ret still says what happened (source RSS_NONE, err, errmsg: the
 * kernel's extack or strerror) and the -errno is returned; -EOPNOTSUPP is the
 * normal answer of a device without RSS. ret is overwritten: free an older
 * table first (rss_free).
 */
int ethtool_rss_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_rss *ret)
{
	struct mq_rss r = {.source = RSS_NONE};
	const char *msg = NULL;
	int err = -EOPNOTSUPP;

	if (!nl || !nic || !ret)
		return -EINVAL;
	nl->extack[0] = '\0';
	if (nl->ethtool_id) {
		err = rss_netlink(nl, nic->ifindex, &r);
		if (err < 0 && nl->extack[0])
			msg = nl->extack;
	}
	if (err == -EOPNOTSUPP) {
		err = rss_ioctl(nl, nic->name, &r);
		msg = NULL;
	}
	if (err < 0) {
		memset(&r, 0, sizeof(r));
		r.source = RSS_NONE;
		r.err = err;
		snprintf(r.errmsg, sizeof(r.errmsg), "%.*s", (int)sizeof(r.errmsg) - 1,
			 msg ? msg : strerror(-err));
	}
	*ret = r;
	return err;
}
