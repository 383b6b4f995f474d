/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "probes/nl.h"
#include "core/snapshot.h"

/*
 * Reset a NIC's RSS indirection table to the driver's default even spread
 * over its current RX rings: ETHTOOL_SRSSH with indir_size 0. The kernel
 * (net/ethtool/ioctl.c, ethtool_set_rxfh, 6.1 and 6.12 alike) fills entry i
 * with i % rings (rings from ETHTOOL_GRXRINGS) and clears
 * IFF_RXFH_CONFIGURED, so a driver that re-spreads its own table on channel
 * changes (virtio_net on 6.12) does so again. Hash key and function are left
 * alone. Returns 0 or the kernel's -errno (-EOPNOTSUPP: no RSS to set);
 * ret_msg gets the kernel's words, "" when it gave none (an ioctl never does).
 */
int rss_table_reset(struct mq_nl *nl, const struct mq_nic *nic, char *ret_msg, size_t msglen);
/*
 * Write n entries (--revert: a table recorded before mqbalance reset it);
 * n 0 is rss_table_reset(). -EINVAL when the device's table no longer has
 * n entries (ret_msg says so).
 */
int rss_table_set(struct mq_nl *nl, const struct mq_nic *nic, const uint32_t *indir, uint32_t n,
		  char *ret_msg, size_t msglen);
