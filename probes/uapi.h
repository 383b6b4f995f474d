/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The few UAPI constants the build machine's headers may lack. Debian 12
 * ships Linux 6.1 headers: no <linux/netdev.h> queue/napi/qstats (6.8/6.9).
 * Values are those of include/uapi/linux/netdev.h (generated from
 * Documentation/netlink/specs/netdev.yaml); each guarded so newer headers
 * win. Whether the running kernel has them is detected at run time: a missing
 * family or op is a capability, not a crash.
 */

#if defined(__has_include)
#if __has_include(<linux/netdev.h>)
#include <linux/netdev.h>
#endif
#endif

#ifndef NETDEV_FAMILY_NAME
#define NETDEV_FAMILY_NAME "netdev"
#endif
#ifndef NETDEV_MCGRP_MGMT
#define NETDEV_MCGRP_MGMT "mgmt"
#endif

/* enum netdev_queue_type */
#define MQ_NETDEV_QUEUE_TYPE_RX 0
#define MQ_NETDEV_QUEUE_TYPE_TX 1
/* enum netdev_qstats_scope */
#define MQ_NETDEV_QSTATS_SCOPE_QUEUE 1

/* commands */
#define MQ_NETDEV_CMD_QUEUE_GET 10
#define MQ_NETDEV_CMD_NAPI_GET 11
#define MQ_NETDEV_CMD_QSTATS_GET 12

/* NETDEV_A_NAPI_* */
#define MQ_NETDEV_A_NAPI_IFINDEX 1
#define MQ_NETDEV_A_NAPI_ID 2
#define MQ_NETDEV_A_NAPI_IRQ 3
#define MQ_NETDEV_A_NAPI_MAX 3 /* highest we read */

/* NETDEV_A_QUEUE_* */
#define MQ_NETDEV_A_QUEUE_ID 1
#define MQ_NETDEV_A_QUEUE_IFINDEX 2
#define MQ_NETDEV_A_QUEUE_TYPE 3
#define MQ_NETDEV_A_QUEUE_NAPI_ID 4
#define MQ_NETDEV_A_QUEUE_MAX 4

/* NETDEV_A_QSTATS_* */
#define MQ_NETDEV_A_QSTATS_IFINDEX 1
#define MQ_NETDEV_A_QSTATS_QUEUE_TYPE 2
#define MQ_NETDEV_A_QSTATS_QUEUE_ID 3
#define MQ_NETDEV_A_QSTATS_SCOPE 4
#define MQ_NETDEV_A_QSTATS_RX_PACKETS 8
#define MQ_NETDEV_A_QSTATS_RX_BYTES 9
#define MQ_NETDEV_A_QSTATS_TX_PACKETS 10
#define MQ_NETDEV_A_QSTATS_TX_BYTES 11
#define MQ_NETDEV_A_QSTATS_RX_ALLOC_FAIL 12
#define MQ_NETDEV_A_QSTATS_RX_HW_DROPS 13
#define MQ_NETDEV_A_QSTATS_TX_HW_DROPS 23
#define MQ_NETDEV_A_QSTATS_MAX 23

/*
 * The kernel names the same values NETDEV_*; where the headers have them,
 * check at compile time that ours agree.
 */
#ifdef NETDEV_CMD_QSTATS_GET
_Static_assert(NETDEV_CMD_QSTATS_GET == MQ_NETDEV_CMD_QSTATS_GET, "netdev.h qstats-get");
_Static_assert(NETDEV_CMD_QUEUE_GET == MQ_NETDEV_CMD_QUEUE_GET, "netdev.h queue-get");
_Static_assert(NETDEV_CMD_NAPI_GET == MQ_NETDEV_CMD_NAPI_GET, "netdev.h napi-get");
_Static_assert(NETDEV_A_QSTATS_RX_PACKETS == MQ_NETDEV_A_QSTATS_RX_PACKETS, "netdev.h qstats");
_Static_assert(NETDEV_A_QSTATS_TX_HW_DROPS == MQ_NETDEV_A_QSTATS_TX_HW_DROPS, "netdev.h qstats");
_Static_assert(NETDEV_A_QUEUE_NAPI_ID == MQ_NETDEV_A_QUEUE_NAPI_ID, "netdev.h queue");
_Static_assert(NETDEV_A_NAPI_IRQ == MQ_NETDEV_A_NAPI_IRQ, "netdev.h napi");
#endif

/*
 * NLA_UINT (kernel 6.6+) is a policy type, not a UAPI constant: on the wire
 * it is a 4- or 8-byte unsigned integer. mq_attr_get_uint() reads either.
 */

/*
 * ethtool netlink RSS_GET (Linux 6.2, commit 7112a04664bf): message ids and
 * attributes. Debian 12's 6.1 headers lack them. A kernel without the op
 * answers -EOPNOTSUPP, as does a driver without RSS: probes/rss.c then asks
 * the ETHTOOL_GRSSH ioctl, which tells the two apart. INDIR and HKEY are
 * binary (u32 array, bytes) and absent when the device has none; HFUNC is
 * sent only when nonzero (a fix in 6.2-rc).
 */
#define MQ_ETHTOOL_MSG_RSS_GET 38       /* after ETHTOOL_MSG_PSE_SET (37) */
#define MQ_ETHTOOL_MSG_RSS_GET_REPLY 38 /* after ETHTOOL_MSG_PSE_GET_REPLY (37) */
#define MQ_ETHTOOL_A_RSS_HEADER 1
#define MQ_ETHTOOL_A_RSS_CONTEXT 2      /* u32, only for a context other than 0 */
#define MQ_ETHTOOL_A_RSS_HFUNC 3        /* u32, ETH_RSS_HASH_* bits */
#define MQ_ETHTOOL_A_RSS_INDIR 4        /* binary: u32 queue per entry */
#define MQ_ETHTOOL_A_RSS_HKEY 5         /* binary */
#define MQ_ETHTOOL_A_RSS_INPUT_XFRM 6   /* u32 (6.8) */

#include <linux/version.h>
#if LINUX_VERSION_CODE >= KERNEL_VERSION(6, 2, 0)
#include <linux/ethtool_netlink.h>
_Static_assert(ETHTOOL_MSG_RSS_GET == MQ_ETHTOOL_MSG_RSS_GET, "ethtool_netlink.h rss-get");
_Static_assert(ETHTOOL_MSG_RSS_GET_REPLY == MQ_ETHTOOL_MSG_RSS_GET_REPLY, "ethtool_netlink.h rss-get reply");
_Static_assert(ETHTOOL_A_RSS_INDIR == MQ_ETHTOOL_A_RSS_INDIR, "ethtool_netlink.h rss indir");
_Static_assert(ETHTOOL_A_RSS_HKEY == MQ_ETHTOOL_A_RSS_HKEY, "ethtool_netlink.h rss hkey");
#elif LINUX_VERSION_CODE >= KERNEL_VERSION(6, 0, 0)
/* The enums only grow at the end: RSS_GET came right after PSE_SET / PSE_GET_REPLY. */
#include <linux/ethtool_netlink.h>
_Static_assert(ETHTOOL_MSG_PSE_SET + 1 == MQ_ETHTOOL_MSG_RSS_GET, "ethtool_netlink.h pse-set");
_Static_assert(ETHTOOL_MSG_PSE_GET_REPLY + 1 == MQ_ETHTOOL_MSG_RSS_GET_REPLY, "ethtool_netlink.h pse reply");
#endif
