// SPDX-License-Identifier: MIT
/*
 * netdev generic netlink: per-queue counters (qstats-get, Linux 6.9+) and
 * the reply parsers for queue-get / napi-get (6.8+) that netdev_irq.c uses.
 * The netdev family or any op may be missing: that is -EOPNOTSUPP, a
 * capability the caller falls back from (ethtool -S, IRQ names).
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/uapi.h"

/* NLA_UINT: 4 or 8 bytes on the wire. Returns false for any other size. */
static bool attr_get_uint(const struct nlattr *a, uint64_t *ret)
{
	uint16_t len = mnl_attr_get_payload_len(a);

	if (len == sizeof(uint32_t)) {
		uint32_t v;

		memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
		*ret = v;
		return true;
	}
	if (len == sizeof(uint64_t)) {
		uint64_t v;

		memcpy(&v, mnl_attr_get_payload(a), sizeof(v));
		*ret = v;
		return true;
	}
	return false;
}

/* The genl header of a reply to cmd, or NULL. */
static const struct genlmsghdr *genl_hdr(const struct nlmsghdr *nlh, uint8_t cmd)
{
	const struct genlmsghdr *g;

	/*
	 * libmnl's attribute walk ends at the *aligned* message end; the kernel
	 * always sends aligned lengths, so refuse others rather than overread.
	 */
	if (!nlh || nlh->nlmsg_len < MNL_NLMSG_HDRLEN || nlh->nlmsg_len % MNL_ALIGNTO ||
	    mnl_nlmsg_get_payload_len(nlh) < sizeof(*g))
		return NULL;
	g = mnl_nlmsg_get_payload(nlh);
	return g->cmd == cmd ? g : NULL;
}

int netdev_qstats_parse(const struct nlmsghdr *nlh, struct netdev_qstat *ret)
{
	struct netdev_qstat q = {.ifindex = -1, .type = -1};
	bool have_id = false;
	const struct nlattr *a;

	if (!genl_hdr(nlh, MQ_NETDEV_CMD_QSTATS_GET))
		return -EINVAL;
	q.rx_packets = q.rx_bytes = q.rx_hw_drops = q.rx_alloc_fail = MQ_NA;
	q.tx_packets = q.tx_bytes = q.tx_hw_drops = MQ_NA;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint64_t *dst = NULL, v;

		switch (mnl_attr_get_type(a)) {
		case MQ_NETDEV_A_QSTATS_IFINDEX:
		case MQ_NETDEV_A_QSTATS_QUEUE_TYPE:
		case MQ_NETDEV_A_QSTATS_QUEUE_ID:
			if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
				return -EINVAL;
			v = mnl_attr_get_u32(a);
			if (mnl_attr_get_type(a) == MQ_NETDEV_A_QSTATS_IFINDEX) {
				if (v == 0 || v > INT32_MAX)
					return -EINVAL;
				q.ifindex = (int)v;
			} else if (mnl_attr_get_type(a) == MQ_NETDEV_A_QSTATS_QUEUE_TYPE) {
				if (v != MQ_NETDEV_QUEUE_TYPE_RX && v != MQ_NETDEV_QUEUE_TYPE_TX)
					return -EINVAL; /* XSK or newer types: not ours */
				q.type = (int)v;
			} else {
				q.queue = (unsigned)v;
				have_id = true;
			}
			continue;
		case MQ_NETDEV_A_QSTATS_RX_PACKETS: dst = &q.rx_packets; break;
		case MQ_NETDEV_A_QSTATS_RX_BYTES: dst = &q.rx_bytes; break;
		case MQ_NETDEV_A_QSTATS_RX_HW_DROPS: dst = &q.rx_hw_drops; break;
		case MQ_NETDEV_A_QSTATS_RX_ALLOC_FAIL: dst = &q.rx_alloc_fail; break;
		case MQ_NETDEV_A_QSTATS_TX_PACKETS: dst = &q.tx_packets; break;
		case MQ_NETDEV_A_QSTATS_TX_BYTES: dst = &q.tx_bytes; break;
		case MQ_NETDEV_A_QSTATS_TX_HW_DROPS: dst = &q.tx_hw_drops; break;
		default: continue; /* scope, pad, and the many counters we do not use */
		}
		if (!attr_get_uint(a, &v))
			return -EINVAL;
		/* MQ_NA means "absent"; a real all-ones counter is off by one, not lost. */
		*dst = v == MQ_NA ? MQ_NA - 1 : v;
	}
	if (q.ifindex < 0 || q.type < 0 || !have_id)
		return -EINVAL;
	*ret = q;
	return 0;
}

int netdev_queue_parse(const struct nlmsghdr *nlh, struct netdev_queue_info *ret)
{
	struct netdev_queue_info q = {.ifindex = -1, .type = -1, .napi_id = -1};
	bool have_id = false;
	const struct nlattr *a;

	if (!genl_hdr(nlh, MQ_NETDEV_CMD_QUEUE_GET))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);
		uint32_t v;

		if (t < MQ_NETDEV_A_QUEUE_ID || t > MQ_NETDEV_A_QUEUE_NAPI_ID)
			continue; /* dmabuf, io-uring, xsk nests, ... */
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EINVAL;
		v = mnl_attr_get_u32(a);
		if (v > INT32_MAX)
			return -EINVAL;
		switch (t) {
		case MQ_NETDEV_A_QUEUE_ID: q.id = v; have_id = true; break;
		case MQ_NETDEV_A_QUEUE_IFINDEX: q.ifindex = (int)v; break;
		case MQ_NETDEV_A_QUEUE_TYPE: q.type = (int)v; break;
		case MQ_NETDEV_A_QUEUE_NAPI_ID: q.napi_id = (int)v; break;
		}
	}
	if (q.ifindex <= 0 || q.type < 0 || !have_id)
		return -EINVAL;
	*ret = q;
	return 0;
}

int netdev_napi_parse(const struct nlmsghdr *nlh, struct netdev_napi_info *ret)
{
	struct netdev_napi_info n = {.ifindex = -1, .id = -1, .irq = -1};
	const struct nlattr *a;

	if (!genl_hdr(nlh, MQ_NETDEV_CMD_NAPI_GET))
		return -EINVAL;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		uint16_t t = mnl_attr_get_type(a);
		uint32_t v;

		if (t < MQ_NETDEV_A_NAPI_IFINDEX || t > MQ_NETDEV_A_NAPI_IRQ)
			continue; /* pid, defer-hard-irqs, threaded, ... */
		if (mnl_attr_validate(a, MNL_TYPE_U32) < 0)
			return -EINVAL;
		v = mnl_attr_get_u32(a);
		if (v > INT32_MAX)
			return -EINVAL;
		switch (t) {
		case MQ_NETDEV_A_NAPI_IFINDEX: n.ifindex = (int)v; break;
		case MQ_NETDEV_A_NAPI_ID: n.id = (int)v; break;
		case MQ_NETDEV_A_NAPI_IRQ: n.irq = (int)v; break;
		}
	}
	if (n.ifindex <= 0 || n.id < 0)
		return -EINVAL;
	*ret = n;
	return 0;
}

struct qstats_ctx {
	struct mq_snapshot *s;
	bool *filled;          /* per NIC */
};

static int cb_qstats(const struct nlmsghdr *nlh, void *data)
{
	struct qstats_ctx *c = data;
	struct netdev_qstat q;
	struct mq_queue *mq;
	struct mq_nic *nic = NULL;

	if (netdev_qstats_parse(nlh, &q) < 0)
		return MNL_CB_OK; /* one odd reply does not spoil the others */
	for (unsigned i = 0; i < c->s->nnics; i++)
		if (c->s->nics[i].ifindex == q.ifindex) {
			nic = &c->s->nics[i];
			c->filled[i] = true;
			break;
		}
	if (!nic || q.queue >= nic->nqueues || !nic->queues)
		return MNL_CB_OK;
	mq = &nic->queues[q.queue];
	if (q.type == MQ_NETDEV_QUEUE_TYPE_RX) {
		if (q.rx_packets != MQ_NA) mq->rx_packets = q.rx_packets;
		if (q.rx_bytes != MQ_NA) mq->rx_bytes = q.rx_bytes;
		if (q.rx_hw_drops != MQ_NA) mq->rx_drops = q.rx_hw_drops;
	} else {
		if (q.tx_packets != MQ_NA) mq->tx_packets = q.tx_packets;
		if (q.tx_bytes != MQ_NA) mq->tx_bytes = q.tx_bytes;
		if (q.tx_hw_drops != MQ_NA) mq->tx_drops = q.tx_hw_drops;
	}
	return MNL_CB_OK;
}

static int qstats_dump(struct mq_nl *nl, struct qstats_ctx *c)
{
	char buf[256];
	struct nlmsghdr *nlh;

	nlh = mqnl_genl_put(nl, buf, nl->netdev_id, MQ_NETDEV_CMD_QSTATS_GET, 1, NLM_F_DUMP);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_SCOPE, MQ_NETDEV_QSTATS_SCOPE_QUEUE);
	return mqnl_genl_transact(nl, nlh, cb_qstats, c);
}

int netdev_qstats_read(struct mq_nl *nl, struct mq_snapshot *s)
{
	struct qstats_ctx c = {.s = s};
	int r, n = 0;

	if (!nl || !s)
		return -EINVAL;
	s->have_qstats = false;
	if (!nl->netdev_id || !nl->genl)
		return -EOPNOTSUPP;
	if (s->nnics) {
		c.filled = calloc(s->nnics, sizeof(*c.filled));
		if (!c.filled)
			return -ENOMEM;
	}
	r = qstats_dump(nl, &c);
	if (r == -EAGAIN) {
		if (s->nnics)
			memset(c.filled, 0, s->nnics * sizeof(*c.filled));
		r = qstats_dump(nl, &c);
	}
	if (r >= 0) {
		s->have_qstats = true;
		for (unsigned i = 0; i < s->nnics; i++)
			if (c.filled[i]) {
				nic_counters_credit(&s->nics[i], STATS_QSTATS);
				n++;
			}
		r = n;
	}
	free(c.filled);
	return r;
}
