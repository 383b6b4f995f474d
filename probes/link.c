// SPDX-License-Identifier: MIT
/*
 * Links: an RTM_GETLINK dump over the libnl-3 socket, parsed raw
 * (rtnl_link hides IFLA_XDP), plus sysfs for what rtnetlink does not say
 * (device, NUMA node, active queues, XPS/RPS) and ETHTOOL_GDRVINFO for the
 * driver name.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

/* Upper bound on links we keep from one dump, and on queues per direction. */
#define LINKS_MAX 4096
#define QUEUES_MAX 4096

struct link_dump {
	struct mq_nic *nics;
	unsigned n, cap;
	const char *only;       /* keep only this name (link_get), NULL for all */
	struct mq_snapshot *totals; /* link_stats_dump: its NICs' totals, nothing kept */
	unsigned next;              /* where to look first: dumps come in the order links were listed */
	int filled;
	int err;
};

/* The device totals of the NIC of d->totals that nic is, if any. Returns 1 if filled. */
static int totals_fill(struct link_dump *d, const struct mq_nic *nic)
{
	struct mq_snapshot *s = d->totals;

	for (unsigned i = 0; i < s->nnics; i++) {
		unsigned k = (d->next + i) % s->nnics;
		struct mq_nic *n = &s->nics[k];

		if (n->ifindex != nic->ifindex)
			continue;
		d->next = k + 1;
		n->rx_packets = nic->rx_packets;
		n->tx_packets = nic->tx_packets;
		n->rx_bytes = nic->rx_bytes;
		n->tx_bytes = nic->tx_bytes;
		n->rx_dropped = nic->rx_dropped;
		n->tx_dropped = nic->tx_dropped;
		return n->rx_packets != MQ_NA;
	}
	return 0;
}

/* IFLA_STATS64 into the NIC totals: the numbers /sys/class/net/X/statistics shows. */
static void stats64_copy(struct mq_nic *nic, const struct nlattr *a)
{
	struct rtnl_link_stats64 st = {0};
	const __u64 *src[] = {&st.rx_packets, &st.tx_packets, &st.rx_bytes,
			      &st.tx_bytes,   &st.rx_dropped, &st.tx_dropped};
	uint64_t *dst[] = {&nic->rx_packets, &nic->tx_packets, &nic->rx_bytes,
			   &nic->tx_bytes,   &nic->rx_dropped, &nic->tx_dropped};
	size_t len;

	/* older kernels send a shorter struct, newer a longer one */
	if (!a || nla_len(a) < (int)(offsetof(struct rtnl_link_stats64, tx_dropped) + sizeof(uint64_t)))
		return;
	len = (size_t)nla_len(a) < sizeof(st) ? (size_t)nla_len(a) : sizeof(st);
	memcpy(&st, nla_data(a), len);
	for (size_t i = 0; i < sizeof(dst) / sizeof(dst[0]); i++)
		*dst[i] = *src[i] == MQ_NA ? MQ_NA - 1 : *src[i];
}

static void copy_str(char *dst, size_t len, const char *src)
{
	snprintf(dst, len, "%s", src ? src : "");
}

static const char *operstate_name(uint8_t s)
{
	/* RFC 2863 values, as `ip link` prints them (lower case here). */
	static const char *const names[] = {"unknown", "notpresent", "down", "lowerlayerdown",
					    "testing", "dormant", "up"};
	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

int link_parse(const struct nlmsghdr *nlh, struct mq_nic *ret)
{
	struct nlattr *tb[IFLA_MAX + 1], *li[IFLA_INFO_MAX + 1], *xdp[IFLA_XDP_MAX + 1];
	/* libnl's parsers take non-const pointers but do not write. */
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;
	const struct ifinfomsg *ifi;
	struct mq_nic nic;

	if (!nlh || nlh->nlmsg_len < NLMSG_HDRLEN || (nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    !nlmsg_valid_hdr(h, sizeof(*ifi)))
		return -EINVAL;
	if (nlmsg_parse(h, sizeof(*ifi), tb, IFLA_MAX, NULL) < 0)
		return -EINVAL;
	if (!tb[IFLA_IFNAME] || nla_len(tb[IFLA_IFNAME]) < 1)
		return -EINVAL;
	ifi = nlmsg_data(h);
	memset(&nic, 0, sizeof(nic));
	nic.ifindex = ifi->ifi_index;
	nic.admin_up = ifi->ifi_flags & IFF_UP;
	nic.numa_node = -1;
	nic.rx_packets = nic.tx_packets = nic.rx_bytes = nic.tx_bytes = MQ_NA;
	nic.rx_dropped = nic.tx_dropped = MQ_NA;
	/* IFLA_IFNAME is NUL-terminated by the kernel, but do not rely on it. */
	snprintf(nic.name, sizeof(nic.name), "%.*s", nla_len(tb[IFLA_IFNAME]),
		 (const char *)nla_data(tb[IFLA_IFNAME]));
	if (tb[IFLA_MTU] && nla_len(tb[IFLA_MTU]) >= 4)
		nic.mtu = nla_get_u32(tb[IFLA_MTU]);
	copy_str(nic.operstate, sizeof(nic.operstate),
		 tb[IFLA_OPERSTATE] && nla_len(tb[IFLA_OPERSTATE]) >= 1
			 ? operstate_name(nla_get_u8(tb[IFLA_OPERSTATE]))
			 : "unknown");
	if (tb[IFLA_NUM_TX_QUEUES] && nla_len(tb[IFLA_NUM_TX_QUEUES]) >= 4)
		nic.num_tx_queues = nla_get_u32(tb[IFLA_NUM_TX_QUEUES]);
	if (tb[IFLA_NUM_RX_QUEUES] && nla_len(tb[IFLA_NUM_RX_QUEUES]) >= 4)
		nic.num_rx_queues = nla_get_u32(tb[IFLA_NUM_RX_QUEUES]);
	if (tb[IFLA_LINKINFO] &&
	    nla_parse_nested(li, IFLA_INFO_MAX, tb[IFLA_LINKINFO], NULL) == 0 &&
	    li[IFLA_INFO_KIND] && nla_len(li[IFLA_INFO_KIND]) > 0)
		snprintf(nic.kind, sizeof(nic.kind), "%.*s", nla_len(li[IFLA_INFO_KIND]),
			 (const char *)nla_data(li[IFLA_INFO_KIND]));
	if (tb[IFLA_XDP] && nla_parse_nested(xdp, IFLA_XDP_MAX, tb[IFLA_XDP], NULL) == 0 &&
	    xdp[IFLA_XDP_ATTACHED] && nla_len(xdp[IFLA_XDP_ATTACHED]) >= 1)
		nic.xdp = nla_get_u8(xdp[IFLA_XDP_ATTACHED]) != XDP_ATTACHED_NONE;
	stats64_copy(&nic, tb[IFLA_STATS64]);
	*ret = nic;
	return 0;
}

int link_stats_parse(const struct nlmsghdr *nlh, struct mq_nic *ret)
{
	struct nlattr *tb[IFLA_STATS_MAX + 1];
	struct nlmsghdr *h = (struct nlmsghdr *)nlh;
	const struct if_stats_msg *ifs;
	struct mq_nic nic;

	if (!nlh || nlh->nlmsg_len < NLMSG_HDRLEN || nlh->nlmsg_type != RTM_NEWSTATS ||
	    !nlmsg_valid_hdr(h, sizeof(*ifs)) ||
	    nlmsg_parse(h, sizeof(*ifs), tb, IFLA_STATS_MAX, NULL) < 0)
		return -EINVAL;
	ifs = nlmsg_data(h);
	if (ifs->ifindex == 0 || ifs->ifindex > INT_MAX || !tb[IFLA_STATS_LINK_64])
		return -EINVAL;
	nic.rx_packets = nic.tx_packets = nic.rx_bytes = nic.tx_bytes = MQ_NA;
	nic.rx_dropped = nic.tx_dropped = MQ_NA;
	stats64_copy(&nic, tb[IFLA_STATS_LINK_64]);
	if (nic.rx_packets == MQ_NA)
		return -EINVAL; /* shorter than the fields we take */
	ret->ifindex = (int)ifs->ifindex;
	ret->rx_packets = nic.rx_packets;
	ret->tx_packets = nic.tx_packets;
	ret->rx_bytes = nic.rx_bytes;
	ret->tx_bytes = nic.tx_bytes;
	ret->rx_dropped = nic.rx_dropped;
	ret->tx_dropped = nic.tx_dropped;
	return 0;
}

static int stats_parse_msg(struct nl_msg *msg, void *arg)
{
	struct link_dump *d = arg;
	struct mq_nic nic;

	if (link_stats_parse(nlmsg_hdr(msg), &nic) == 0)
		d->filled += totals_fill(d, &nic);
	return NL_OK;
}

static int link_parse_msg(struct nl_msg *msg, void *arg)
{
	struct link_dump *d = arg;
	struct mq_nic nic;

	if (link_parse(nlmsg_hdr(msg), &nic) < 0)
		return NL_SKIP;
	if (d->totals) {
		d->filled += totals_fill(d, &nic);
		return NL_OK;
	}
	if (d->only && strcmp(nic.name, d->only) != 0)
		return NL_SKIP;
	if (d->n == d->cap) {
		unsigned cap = d->cap ? d->cap * 2 : 16;
		struct mq_nic *p;

		if (cap > LINKS_MAX)
			return NL_SKIP;
		p = realloc(d->nics, cap * sizeof(*p));
		if (!p) {
			d->err = -ENOMEM;
			return NL_STOP;
		}
		d->nics = p;
		d->cap = cap;
	}
	d->nics[d->n++] = nic;
	return NL_OK;
}

/*
 * A dump of links (RTM_GETLINK), or with stats only of their 64-bit totals
 * (RTM_GETSTATS, Linux 4.7+): the kernel fills a few dozen bytes a link
 * instead of every attribute it has.
 */
static int dump(struct mq_nl *nl, struct link_dump *d, bool stats)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC};
	struct if_stats_msg ifs = {.family = AF_UNSPEC,
				   .filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64)};
	struct nl_msg *msg;
	int r;

	msg = nlmsg_alloc_simple(stats ? RTM_GETSTATS : RTM_GETLINK, NLM_F_DUMP);
	if (!msg)
		return -ENOMEM;
	if (stats ? nlmsg_append(msg, &ifs, sizeof(ifs), NLMSG_ALIGNTO) < 0
		  : (nlmsg_append(msg, &ifi, sizeof(ifi), NLMSG_ALIGNTO) < 0 ||
		     nla_put_u32(msg, IFLA_EXT_MASK, 0) < 0)) { /* with stats: the device totals */
		nlmsg_free(msg);
		return -ENOMEM;
	}
	nl_socket_modify_cb(nl->rt, NL_CB_VALID, NL_CB_CUSTOM,
			    stats ? stats_parse_msg : link_parse_msg, d);
	r = nl_send_auto(nl->rt, msg);
	nlmsg_free(msg);
	if (r < 0)
		return -EIO;
	r = nl_recvmsgs_default(nl->rt);
	nl_socket_modify_cb(nl->rt, NL_CB_VALID, NL_CB_DEFAULT, NULL, NULL);
	if (d->err)
		return d->err;
	if (r == -NLE_DUMP_INTR)
		return -EAGAIN;
	if (r == -NLE_NOMEM)
		return -ENOMEM;
	return r < 0 ? -EIO : 0;
}

static int drvinfo_get(struct mq_nl *nl, const char *ifname, struct ethtool_drvinfo *ret)
{
	struct ethtool_drvinfo di = {.cmd = ETHTOOL_GDRVINFO};
	struct ifreq ifr;

	if (!nl || nl->ioctl_fd < 0)
		return -EBADF;
	memset(&ifr, 0, sizeof(ifr));
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ifr.ifr_data = (void *)&di;
	if (ioctl(nl->ioctl_fd, SIOCETHTOOL, &ifr) < 0)
		return -errno;
	*ret = di;
	return 0;
}

int link_driver_get(struct mq_nl *nl, const char *ifname, char *ret, size_t len)
{
	struct ethtool_drvinfo di;
	int r = drvinfo_get(nl, ifname, &di);

	if (r < 0)
		return r;
	snprintf(ret, len, "%.*s", (int)sizeof(di.driver), di.driver);
	return 0;
}

static void drvinfo_read(struct mq_nl *nl, struct mq_nic *nic)
{
	struct ethtool_drvinfo di;

	if (drvinfo_get(nl, nic->name, &di) < 0)
		return;
	snprintf(nic->driver, sizeof(nic->driver), "%.*s", (int)sizeof(nic->driver) - 1, di.driver);
	snprintf(nic->bus_info, sizeof(nic->bus_info), "%.*s", (int)sizeof(di.bus_info),
		 di.bus_info);
}

/* queues: also the sysfs queues (link_get); a list leaves them to the caller, for the links it keeps. */
static void link_complete(struct mq_nl *nl, struct mq_nic *nic, bool queues)
{
	long v;
	int r;

	nic->has_device = sysfs_exists("/sys/class/net/%s/device", nic->name) > 0;
	if (nic->has_device && sysfs_read_long(&v, "/sys/class/net/%s/device/numa_node",
					       nic->name) == 0 && v >= 0 && v < 65536)
		nic->numa_node = (int)v;
	drvinfo_read(nl, nic);
	if (!queues)
		return;
	r = link_queues_read(nic);
	if (r < 0 && !nic->errmsg[0])
		snprintf(nic->errmsg, sizeof(nic->errmsg), "reading queues: %s", strerror(-r));
}

static int links_fetch(struct mq_nl *nl, const char *only, struct link_dump *d)
{
	int r;

	if (!nl || !nl->rt)
		return -EBADF;
	for (int attempt = 0; attempt < 2; attempt++) {
		free(d->nics);
		memset(d, 0, sizeof(*d));
		d->only = only;
		r = dump(nl, d, false);
		if (r != -EAGAIN)
			break;
	}
	if (r < 0) {
		free(d->nics);
		d->nics = NULL;
		return r;
	}
	for (unsigned i = 0; i < d->n; i++)
		link_complete(nl, &d->nics[i], only != NULL);
	return 0;
}

int link_list(struct mq_nl *nl, struct mq_nic **ret, unsigned *ret_n)
{
	struct link_dump d = {0};
	int r = links_fetch(nl, NULL, &d);

	if (r < 0)
		return r;
	*ret = d.nics;
	*ret_n = d.n;
	return 0;
}

/* One dump, redone whole once if the kernel interrupted it. */
static int dump_whole(struct mq_nl *nl, struct link_dump *d, bool stats)
{
	int r = -EAGAIN;

	for (int attempt = 0; attempt < 2 && r == -EAGAIN; attempt++) {
		d->filled = 0;
		r = dump(nl, d, stats);
	}
	return r;
}

int link_stats_dump(struct mq_nl *nl, struct mq_snapshot *s)
{
	struct link_dump d = {.totals = s};
	int r;

	if (!nl || !nl->rt || !s)
		return -EINVAL;
	r = dump_whole(nl, &d, true);
	/* a kernel without RTM_GETSTATS (before 4.7) answers with an error: the link dump has them */
	if (r < 0 && r != -EAGAIN && r != -ENOMEM)
		r = dump_whole(nl, &d, false);
	return r < 0 ? r : d.filled;
}

int link_get(struct mq_nl *nl, const char *ifname, struct mq_nic *ret)
{
	struct link_dump d = {0};
	int r;

	if (!ifname || !*ifname || strlen(ifname) >= IF_NAMESIZE)
		return -EINVAL;
	r = links_fetch(nl, ifname, &d);
	if (r < 0)
		return r;
	if (d.n == 0) {
		free(d.nics);
		return -ENODEV;
	}
	/* d.nics[0] owns its queues; free the array only. */
	for (unsigned i = 1; i < d.n; i++)
		free(d.nics[i].queues);
	*ret = d.nics[0];
	free(d.nics);
	return 0;
}

/* "rx-12" -> 12 for prefix "rx-"; -1 if it is not that shape. */
static long queue_dir_index(const char *name, const char *prefix)
{
	size_t n = strlen(prefix);
	char *end;
	long v;

	if (strncmp(name, prefix, n) != 0 || name[n] < '0' || name[n] > '9')
		return -1;
	errno = 0;
	v = strtol(name + n, &end, 10);
	if (errno || *end || v < 0 || v >= QUEUES_MAX)
		return -1;
	return v;
}

int link_queue_mask_read(const char *ifname, bool tx, unsigned q, struct mq_cpuset *ret)
{
	/* Any width: 8192 CPUs need 2304 characters. */
	char buf[4096];
	int r = sysfs_read(buf, sizeof(buf), "/sys/class/net/%s/queues/%s-%u/%s", ifname,
			   tx ? "tx" : "rx", q, tx ? "xps_cpus" : "rps_cpus");

	return r < 0 ? r : cpuset_parse_mask(buf, ret);
}

/* A queue's mask file into *ret, interned in the NIC's sets. */
static bool mask_read(struct mq_nic *nic, bool tx, unsigned q, const struct mq_cpuset **ret)
{
	CPUSET_DEFINE(s);

	return link_queue_mask_read(nic->name, tx, q, s) == 0 &&
	       cpuset_pool_intern(&nic->sets, s, ret) == 0;
}

int link_queues_read(struct mq_nic *nic)
{
	unsigned nrx = 0, ntx = 0, n;
	struct dirent *de;
	DIR *dir;

	dir = sysfs_opendir("/sys/class/net/%s/queues", nic->name);
	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		long q;

		if ((q = queue_dir_index(de->d_name, "rx-")) >= 0 && (unsigned)q + 1 > nrx)
			nrx = (unsigned)q + 1;
		else if ((q = queue_dir_index(de->d_name, "tx-")) >= 0 && (unsigned)q + 1 > ntx)
			ntx = (unsigned)q + 1;
	}
	closedir(dir);

	n = nrx > ntx ? nrx : ntx;
	/* Same shape as before (a resample): keep counters and IRQ links. */
	if (!nic->queues || nic->nqueues != n) {
		struct mq_queue *qs = n ? calloc(n, sizeof(*qs)) : NULL;

		if (n && !qs)
			return -ENOMEM;
		for (unsigned i = 0; i < n; i++) {
			qs[i].index = i;
			qs[i].rx_packets = qs[i].rx_bytes = qs[i].rx_drops = MQ_NA;
			qs[i].tx_packets = qs[i].tx_bytes = qs[i].tx_drops = MQ_NA;
			qs[i].napi_id = -1;
			qs[i].irq_rx = qs[i].irq_tx = -1;
		}
		free(nic->queues);
		nic->queues = qs;
		nic->nqueues = n;
	}
	nic->real_rx_queues = nrx;
	nic->real_tx_queues = ntx;
	for (unsigned i = 0; i < n; i++) {
		struct mq_queue *q = &nic->queues[i];

		q->has_rx = i < nrx;
		q->has_tx = i < ntx;
		q->xps = q->rps = NULL;
		q->has_xps = q->has_tx && mask_read(nic, true, i, &q->xps);
		q->has_rps = q->has_rx && mask_read(nic, false, i, &q->rps);
	}
	return 0;
}

int link_stats_read(struct mq_nic *nic)
{
	static const char *const names[] = {"rx_packets", "tx_packets", "rx_bytes",
					    "tx_bytes",   "rx_dropped", "tx_dropped"};
	uint64_t *dst[] = {&nic->rx_packets, &nic->tx_packets, &nic->rx_bytes,
			   &nic->tx_bytes,   &nic->rx_dropped, &nic->tx_dropped};
	int first_err = 0, ok = 0;

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		char buf[32], *end;
		unsigned long long v;
		int r = sysfs_read(buf, sizeof(buf), "/sys/class/net/%s/statistics/%s", nic->name,
				   names[i]);

		*dst[i] = MQ_NA;
		if (r < 0) {
			if (!first_err)
				first_err = r;
			continue;
		}
		errno = 0;
		v = strtoull(buf, &end, 10);
		if (errno || end == buf || *end || buf[0] == '-') {
			if (!first_err)
				first_err = -EINVAL;
			continue;
		}
		*dst[i] = v == MQ_NA ? MQ_NA - 1 : (uint64_t)v;
		ok++;
	}
	return ok ? 0 : first_err;
}
