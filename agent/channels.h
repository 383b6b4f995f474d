/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "probes/nl.h"
#include "core/snapshot.h"

/*
 * Set a NIC's channel counts: ethtool netlink CHANNELS_SET (only the types
 * that differ from nic->ch), else the SIOCETHTOOL ETHTOOL_SCHANNELS ioctl.
 * Returns 0 or the kernel's -errno; the kernel's own words (extack) go to
 * ret_msg ("" if none).
 */
int channels_set(struct mq_nl *nl, const struct mq_nic *nic, const struct mq_channels *want,
		 char *ret_msg, size_t msglen);
