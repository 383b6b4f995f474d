// SPDX-License-Identifier: MIT
/*
 * The one place that writes an RSS indirection table, and only to put back
 * the default. The ioctl, not ethtool netlink RSS_SET: that op came with
 * Linux 6.17 (no Debian 12 kernel has it) and the ioctl stays on every
 * kernel with the same meaning.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "agent/rss.h"

static int rxfh_ioctl(int fd, const char *ifname, struct ethtool_rxfh *rxfh)
{
	struct ifreq ifr;

	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)rxfh;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

int rss_table_set(struct mq_nl *nl, const struct mq_nic *nic, const uint32_t *indir, uint32_t n,
		  char *ret_msg, size_t msglen)
{
	struct ethtool_rxfh cur = {.cmd = ETHTOOL_GRSSH};
	struct ethtool_rxfh *set;
	int r;

	if (ret_msg && msglen)
		ret_msg[0] = '\0';
	if (!nl || !nic)
		return -EINVAL;
	if (nl->ioctl_fd < 0)
		return -EBADF;
	/*
	 * The byte after hfunc is input_xfrm since 6.8 (rsvd8[0] before, which
	 * must be 0 there). 0 means "clear" to a 6.8+ kernel, so send back what
	 * GRSSH says is set (0 on older kernels) to keep e.g. symmetric-xor.
	 */
	if (n > 0 && (!indir || n > 65536))
		return -EINVAL;
	r = rxfh_ioctl(nl->ioctl_fd, nic->name, &cur);
	if (r < 0)
		return r;
	if (n > 0 && cur.indir_size != n) {
		if (ret_msg && msglen)
			snprintf(ret_msg, msglen, "the table has %u entries now, %u were recorded",
				 cur.indir_size, n);
		return -EINVAL;
	}
	set = calloc(1, sizeof(*set) + n * sizeof(uint32_t));
	if (!set)
		return -ENOMEM;
	/* indir_size 0: the default table; key_size 0, hfunc 0: no change. */
	set->cmd = ETHTOOL_SRSSH;
	set->indir_size = n;
	set->rsvd8[0] = cur.rsvd8[0];
	if (n)
		memcpy(set->rss_config, indir, n * sizeof(uint32_t));
	r = rxfh_ioctl(nl->ioctl_fd, nic->name, set);
	free(set);
	return r;
}

int rss_table_reset(struct mq_nl *nl, const struct mq_nic *nic, char *ret_msg, size_t msglen)
{
	return rss_table_set(nl, nic, NULL, 0, ret_msg, msglen);
}
