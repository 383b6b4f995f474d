// SPDX-License-Identifier: MIT
/*
 * The one place that writes channel counts. ethtool netlink CHANNELS_SET
 * carries only the counts that change (a no-op set sends nothing); without
 * the ethtool family, the ETHTOOL_SCHANNELS ioctl takes the whole struct.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include "agent/channels.h"
#include "probes/probe.h"

static int set_netlink(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *cur,
		       bool known, const struct mq_channels *want)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	unsigned n = 0;

	nlh = mqnl_genl_put(nl, buf, nl->ethtool_id, ETHTOOL_MSG_CHANNELS_SET,
			    ETHTOOL_GENL_VERSION, 0);
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)nic->ifindex);
	mnl_attr_nest_end(nlh, nest);
#define PUT_IF_CHANGED(field, attr)                                  \
	do {                                                         \
		if (!known || cur->field != want->field) {           \
			mnl_attr_put_u32(nlh, attr, want->field);    \
			n++;                                         \
		}                                                    \
	} while (0)
	PUT_IF_CHANGED(rx, ETHTOOL_A_CHANNELS_RX_COUNT);
	PUT_IF_CHANGED(tx, ETHTOOL_A_CHANNELS_TX_COUNT);
	PUT_IF_CHANGED(other, ETHTOOL_A_CHANNELS_OTHER_COUNT);
	PUT_IF_CHANGED(combined, ETHTOOL_A_CHANNELS_COMBINED_COUNT);
#undef PUT_IF_CHANGED
	if (n == 0)
		return 0;
	return mqnl_genl_transact(nl, nlh, NULL, NULL);
}

static int set_ioctl(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *want)
{
	struct ethtool_channels ec = {.cmd = ETHTOOL_GCHANNELS};
	struct ifreq ifr;

	if (nl->ioctl_fd < 0)
		return -EBADF;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", nic->name);
	ifr.ifr_data = (void *)&ec;
	if (ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	if (ec.rx_count == want->rx && ec.tx_count == want->tx &&
	    ec.other_count == want->other && ec.combined_count == want->combined)
		return 0;
	ec.cmd = ETHTOOL_SCHANNELS;
	ec.rx_count = want->rx;
	ec.tx_count = want->tx;
	ec.other_count = want->other;
	ec.combined_count = want->combined;
	if (ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	return 0;
}

int channels_set(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *want,
		 char *ret_msg, size_t msglen)
{
	struct mq_channels cur = nic ? nic->ch : (struct mq_channels){0};
	bool known;
	int r;

	if (ret_msg && msglen)
		ret_msg[0] = '\0';
	if (!nl || !nic || !want)
		return -EINVAL;
	nl->extack[0] = '\0';
	if (!nl->ethtool_id) {
		r = set_ioctl(nl, nic, want);
	} else {
		/* Without a current reading, ask; failing that, send every count. */
		known = cur.source != CHANNELS_NONE;
		if (!known)
			known = ethtool_channels_get(nl, nic, &cur) == 0;
		r = set_netlink(nl, nic, &cur, known, want);
		if (r < 0 && ret_msg && msglen)
			snprintf(ret_msg, msglen, "%s", nl->extack);
	}
	return r;
}
