// SPDX-License-Identifier: MIT
/*
 * Channel counts: ethtool netlink CHANNELS_GET (Linux 5.7+), else the
 * SIOCETHTOOL ETHTOOL_GCHANNELS ioctl when the kernel has no "ethtool"
 * generic netlink family.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "probes/probe.h"

/* A genl message whose attributes libmnl may walk, or NULL. */
static const struct genlmsghdr *genl_hdr(const struct nlmsghdr *nlh)
{
	/* Aligned lengths only: libmnl's attribute walk ends at the aligned end. */
	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN || nlh->nlmsg_len % MNL_ALIGNTO ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(struct genlmsghdr))
		return NULL;
	return mnl_nlmsg_get_payload(nlh);
}

int ethtool_header_parse(const struct nlmsghdr *nlh, struct ethtool_dev *ret)
{
	struct ethtool_dev dev = {0};
	const struct nlattr *a, *h;
	bool have_index = false;

	if (!genl_hdr(nlh))
		return -EINVAL;
	/* ETHTOOL_A_*_HEADER is attribute 1 of every ethtool message. */
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		if (mnl_attr_get_type(a) != ETHTOOL_A_CHANNELS_HEADER)
			continue;
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) < 0)
			return -EINVAL;
		mnl_attr_for_each_nested(h, a) {
			switch (mnl_attr_get_type(h)) {
			case ETHTOOL_A_HEADER_DEV_INDEX:
				if (mnl_attr_validate(h, MNL_TYPE_U32) < 0)
					return -EINVAL;
				dev.ifindex = (int)mnl_attr_get_u32(h);
				have_index = true;
				break;
			case ETHTOOL_A_HEADER_DEV_NAME:
				if (mnl_attr_validate(h, MNL_TYPE_NUL_STRING) < 0 ||
				    mnl_attr_get_payload_len(h) > IF_NAMESIZE)
					return -EINVAL;
				snprintf(dev.name, sizeof(dev.name), "%s", mnl_attr_get_str(h));
				break;
			default:
				break; /* flags, phy index, ... */
			}
		}
		break;
	}
	if (!have_index || dev.ifindex <= 0)
		return -EINVAL;
	*ret = dev;
	return 0;
}

int ethtool_channels_parse(const struct nlmsghdr *nlh, struct mq_channels *ret)
{
	const struct genlmsghdr *g = genl_hdr(nlh);
	const struct nlattr *a;
	struct mq_channels ch;

	if (!g)
		return -EINVAL;
	if (g->cmd != ETHTOOL_MSG_CHANNELS_GET_REPLY && g->cmd != ETHTOOL_MSG_CHANNELS_NTF)
		return -EINVAL;
	memset(&ch, 0, sizeof(ch));
	mnl_attr_for_each(a, nlh, sizeof(*g)) {
		uint16_t type = mnl_attr_get_type(a);
		uint32_t *dst = NULL;

		switch (type) {
		case ETHTOOL_A_CHANNELS_RX_MAX: dst = &ch.rx_max; break;
		case ETHTOOL_A_CHANNELS_TX_MAX: dst = &ch.tx_max; break;
		case ETHTOOL_A_CHANNELS_OTHER_MAX: dst = &ch.other_max; break;
		case ETHTOOL_A_CHANNELS_COMBINED_MAX: dst = &ch.combined_max; break;
		case ETHTOOL_A_CHANNELS_RX_COUNT: dst = &ch.rx; break;
		case ETHTOOL_A_CHANNELS_TX_COUNT: dst = &ch.tx; break;
		case ETHTOOL_A_CHANNELS_OTHER_COUNT: dst = &ch.other; break;
		case ETHTOOL_A_CHANNELS_COMBINED_COUNT: dst = &ch.combined; break;
		default: continue; /* header and attributes newer than us */
		}
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EINVAL;
		*dst = mnl_attr_get_u32(a);
	}
	ch.source = CHANNELS_NETLINK;
	*ret = ch;
	return 0;
}

struct parse_ctx {
	struct mq_channels ch;
	int n;
};

static int cb_channels(const struct nlmsghdr *nlh, void *data)
{
	struct parse_ctx *c = data;
	int r = ethtool_channels_parse(nlh, &c->ch);

	if (r < 0) {
		errno = -r;
		return MNL_CB_ERROR;
	}
	c->n++;
	return MNL_CB_OK;
}

static int channels_netlink(struct mq_nl *nl, int ifindex, struct mq_channels *ret)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	struct parse_ctx c = {0};
	int r;

	nlh = mqnl_genl_put(nl, buf, nl->ethtool_id, ETHTOOL_MSG_CHANNELS_GET,
			    ETHTOOL_GENL_VERSION, 0);
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_nest_end(nlh, nest);
	r = mqnl_genl_transact(nl, nlh, cb_channels, &c);
	if (r < 0)
		return r;
	if (c.n != 1)
		return -EPROTO;
	*ret = c.ch;
	return 0;
}

static int channels_ioctl(struct mq_nl *nl, const char *ifname, struct mq_channels *ret)
{
	struct ethtool_channels ec = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;

	if (nl->ioctl_fd < 0)
		return -EBADF;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&ec;
	if (ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	memset(ret, 0, sizeof(*ret));
	ret->source = CHANNELS_IOCTL;
	ret->rx = ec.rx_count;
	ret->tx = ec.tx_count;
	ret->other = ec.other_count;
	ret->combined = ec.combined_count;
	ret->rx_max = ec.max_rx;
	ret->tx_max = ec.max_tx;
	ret->other_max = ec.max_other;
	ret->combined_max = ec.max_combined;
	return 0;
}

/*
 * On failure ret still says what happened (source CHANNELS_NONE, err, errmsg:
 * the kernel's extack or strerror), and the -errno is returned.
 */
int ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret)
{
	struct mq_channels ch = {.source = CHANNELS_NONE};
	int r;

	if (!nl || !nic)
		return -EINVAL;
	nl->extack[0] = '\0';
	if (nl->ethtool_id)
		r = channels_netlink(nl, nic->ifindex, &ch);
	else
		r = channels_ioctl(nl, nic->name, &ch);
	if (r < 0) {
		memset(&ch, 0, sizeof(ch));
		ch.source = CHANNELS_NONE;
		ch.err = r;
		/* Truncation is fine: the kernel's messages are short. */
		snprintf(ch.errmsg, sizeof(ch.errmsg), "%.*s", (int)sizeof(ch.errmsg) - 1,
			 nl->ethtool_id && nl->extack[0] ? nl->extack : strerror(-r));
	}
	*ret = ch;
	return r;
}
