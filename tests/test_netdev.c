// SPDX-License-Identifier: MIT
/*
 * probes/netdev.c: each check of the three reply parsers on its own (a reply
 * that only that check refuses), and netdev_qstats_read() with the netlink
 * round trip replaced (tests/test_netdev.mk wraps mqnl_genl_transact): which
 * replies land in which queue, what an absent counter leaves, the one retry.
 * The basic shapes are in tests/test_nlparse.c.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/nl.h"
#include "probes/probe.h"
#include "probes/uapi.h"
#include "tests/memcount.h"

static _Alignas(8) char bufs[10][512];

static struct nlmsghdr *msg_in(unsigned slot, uint8_t cmd)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *g;

	memset(bufs[slot], 0, sizeof(bufs[slot]));
	nlh = mnl_nlmsg_put_header(bufs[slot]);
	nlh->nlmsg_type = 0x15;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = cmd;
	g->version = 1;
	return nlh;
}

static struct nlmsghdr *msg(uint8_t cmd) { return msg_in(0, cmd); }

static void put_u64(struct nlmsghdr *nlh, uint16_t type, uint64_t v)
{
	mnl_attr_put(nlh, type, sizeof(v), &v);
}

/* A qstats reply with the given ids; a negative value leaves that id out. */
static struct nlmsghdr *qstats_in(unsigned slot, uint8_t cmd, long ifindex, long type, long id)
{
	struct nlmsghdr *nlh = msg_in(slot, cmd);

	if (ifindex >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, (uint32_t)ifindex);
	if (type >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_TYPE, (uint32_t)type);
	if (id >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_ID, (uint32_t)id);
	return nlh;
}

static int qstats(long ifindex, long type, long id)
{
	struct netdev_qstat q;

	return netdev_qstats_parse(qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, ifindex, type, id), &q);
}

static void test_qstats_checks(void **state)
{
	struct nlmsghdr *nlh;
	struct netdev_qstat q;
	(void)state;
	assert_int_equal(qstats(1, MQ_NETDEV_QUEUE_TYPE_RX, 0), 0);
	assert_int_equal(qstats(INT32_MAX, MQ_NETDEV_QUEUE_TYPE_TX, 0), 0);
	assert_int_equal(qstats(0, MQ_NETDEV_QUEUE_TYPE_RX, 0), -EINVAL);
	assert_int_equal(qstats((long)INT32_MAX + 1, MQ_NETDEV_QUEUE_TYPE_RX, 0), -EINVAL);
	assert_int_equal(qstats(-1, MQ_NETDEV_QUEUE_TYPE_RX, 0), -EINVAL); /* no ifindex */
	assert_int_equal(qstats(2, -1, 0), -EINVAL);                       /* no type */
	/* A whole, valid reply under another command. */
	nlh = qstats_in(0, MQ_NETDEV_CMD_QUEUE_GET, 2, MQ_NETDEV_QUEUE_TYPE_RX, 0);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* An id of 8 bytes among valid ones. */
	nlh = qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, -1, MQ_NETDEV_QUEUE_TYPE_RX, 0);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 2);
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	/* All ones is a counter, one below "absent". */
	nlh = qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_TX, 0);
	put_u64(nlh, MQ_NETDEV_A_QSTATS_TX_HW_DROPS, UINT64_MAX);
	assert_int_equal(netdev_qstats_parse(nlh, &q), 0);
	assert_true(q.tx_hw_drops == MQ_NA - 1);
	/* Not a message a parser may read: too short, unaligned, no genl header. */
	nlh = qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_TX, 0);
	nlh->nlmsg_len -= 2;
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN - 4;
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN;
	assert_int_equal(netdev_qstats_parse(nlh, &q), -EINVAL);
	assert_int_equal(netdev_qstats_parse(NULL, &q), -EINVAL);
}

static int queue(long id, long ifindex, long type, long napi, struct netdev_queue_info *ret)
{
	struct nlmsghdr *nlh = msg(MQ_NETDEV_CMD_QUEUE_GET);

	if (id >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_ID, (uint32_t)id);
	if (ifindex >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, (uint32_t)ifindex);
	if (type >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, (uint32_t)type);
	if (napi >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_NAPI_ID, (uint32_t)napi);
	put_u64(nlh, 99, 7); /* a newer attribute, not a u32: skipped */
	return netdev_queue_parse(nlh, ret);
}

static void test_queue_checks(void **state)
{
	struct netdev_queue_info qi;
	struct nlmsghdr *nlh;
	(void)state;
	assert_int_equal(queue(0, 1, MQ_NETDEV_QUEUE_TYPE_RX, INT32_MAX, &qi), 0);
	assert_int_equal(qi.ifindex, 1);
	assert_int_equal(qi.napi_id, INT32_MAX);
	assert_int_equal(queue(-1, 1, MQ_NETDEV_QUEUE_TYPE_RX, 5, &qi), -EINVAL); /* no id */
	assert_int_equal(queue(0, -1, MQ_NETDEV_QUEUE_TYPE_RX, 5, &qi), -EINVAL); /* no ifindex */
	assert_int_equal(queue(0, 0, MQ_NETDEV_QUEUE_TYPE_RX, 5, &qi), -EINVAL);
	assert_int_equal(queue(0, 2, -1, 5, &qi), -EINVAL);                        /* no type */
	assert_int_equal(queue(0, 2, MQ_NETDEV_QUEUE_TYPE_RX, (long)INT32_MAX + 1, &qi), -EINVAL);
	nlh = msg(MQ_NETDEV_CMD_NAPI_GET); /* a valid queue reply under another command */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_ID, 0);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, MQ_NETDEV_QUEUE_TYPE_RX);
	assert_int_equal(netdev_queue_parse(nlh, &qi), -EINVAL);
	nlh = msg(MQ_NETDEV_CMD_QUEUE_GET);
	mnl_attr_put_u16(nlh, MQ_NETDEV_A_QUEUE_ID, 0);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, MQ_NETDEV_QUEUE_TYPE_RX);
	assert_int_equal(netdev_queue_parse(nlh, &qi), -EINVAL);
}

static int napi(long ifindex, long id, long irq, struct netdev_napi_info *ret)
{
	struct nlmsghdr *nlh = msg(MQ_NETDEV_CMD_NAPI_GET);

	if (ifindex >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, (uint32_t)ifindex);
	if (id >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_ID, (uint32_t)id);
	if (irq >= 0)
		mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IRQ, (uint32_t)irq);
	put_u64(nlh, 99, 7);
	return netdev_napi_parse(nlh, ret);
}

static void test_napi_checks(void **state)
{
	struct netdev_napi_info ni;
	struct nlmsghdr *nlh;
	(void)state;
	assert_int_equal(napi(1, 0, -1, &ni), 0);
	assert_int_equal(ni.ifindex, 1);
	assert_int_equal(ni.id, 0);
	assert_int_equal(ni.irq, -1); /* no IRQ (threaded or software NAPI) */
	assert_int_equal(napi(2, INT32_MAX, INT32_MAX, &ni), 0);
	assert_int_equal(ni.irq, INT32_MAX);
	assert_int_equal(napi(2, 5, (long)INT32_MAX + 1, &ni), -EINVAL);
	assert_int_equal(napi(2, -1, 27, &ni), -EINVAL); /* no id */
	assert_int_equal(napi(0, 5, 27, &ni), -EINVAL);
	assert_int_equal(napi(-1, 5, 27, &ni), -EINVAL);
	nlh = msg(MQ_NETDEV_CMD_QUEUE_GET); /* a valid napi reply under another command */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_ID, 5);
	assert_int_equal(netdev_napi_parse(nlh, &ni), -EINVAL);
}

/* ---- netdev_qstats_read(): the dump replaced by scripted replies ---------- */

static struct {
	struct nlmsghdr *reply[2][12];
	unsigned nreply[2];
	int rc[2];
	unsigned calls;
	uint8_t version;
	uint16_t flags;
} fake;

int __wrap_mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
int __wrap_mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	unsigned k = fake.calls++;
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);

	(void)nl;
	assert_true(k < 2);
	fake.version = g->version;
	fake.flags = req->nlmsg_flags;
	for (unsigned i = 0; i < fake.nreply[k]; i++)
		cb(fake.reply[k][i], data);
	return fake.rc[k];
}

#define SENTINEL 777u

/* NIC A's two queues, then a guard queue: nothing may land beyond nqueues. */
static struct mq_queue queues_a[3], queues_b[1];
static struct mq_nic nics[3];

static void snap_init(struct mq_snapshot *s)
{
	memset(&fake, 0, sizeof(fake));
	memset(s, 0, sizeof(*s));
	memset(nics, 0, sizeof(nics));
	for (unsigned i = 0; i < 3; i++)
		queues_a[i] = (struct mq_queue){.rx_packets = SENTINEL, .rx_bytes = SENTINEL,
						.rx_drops = SENTINEL, .tx_packets = SENTINEL,
						.tx_bytes = SENTINEL, .tx_drops = SENTINEL};
	queues_b[0] = queues_a[0];
	nics[0] = (struct mq_nic){.ifindex = 2, .nqueues = 2, .queues = queues_a};
	nics[1] = (struct mq_nic){.ifindex = 3, .nqueues = 1, .queues = queues_b};
	nics[2] = (struct mq_nic){.ifindex = 4}; /* no queues read */
	s->nics = nics;
	s->nnics = 3;
	s->have_qstats = true;
}

static void script(unsigned call, struct nlmsghdr *nlh)
{
	fake.reply[call][fake.nreply[call]++] = nlh;
}

static void test_read_lands(void **state)
{
	struct mq_nl nl = {.netdev_id = 21, .genl = (struct mnl_socket *)&nl};
	struct mq_snapshot s;
	struct nlmsghdr *nlh;
	(void)state;
	snap_init(&s);
	nlh = qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_RX, 0);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 10);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_HW_DROPS, 1);
	script(0, nlh);
	nlh = qstats_in(1, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_TX, 1);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_TX_PACKETS, 20);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_TX_BYTES, 30);
	script(0, nlh);
	nlh = qstats_in(6, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_RX, 1); /* the others */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_BYTES, 40);
	script(0, nlh);
	nlh = qstats_in(7, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_TX, 0);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_TX_HW_DROPS, 5);
	script(0, nlh);
	nlh = qstats_in(2, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_RX, 2); /* beyond nqueues */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 99);
	script(0, nlh);
	script(0, qstats_in(3, MQ_NETDEV_CMD_QSTATS_GET, 9, MQ_NETDEV_QUEUE_TYPE_RX, 0)); /* no such NIC */
	nlh = qstats_in(4, MQ_NETDEV_CMD_QSTATS_GET, 4, MQ_NETDEV_QUEUE_TYPE_RX, 0);      /* no queues */
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, 98);
	script(0, nlh);
	script(0, msg_in(5, MQ_NETDEV_CMD_QSTATS_GET)); /* unparsable: skipped */

	assert_int_equal(netdev_qstats_read(&nl, &s), 2);
	assert_int_equal(fake.calls, 1);
	assert_int_equal(fake.version, 1);
	assert_true(fake.flags & NLM_F_DUMP);
	assert_true(s.have_qstats);
	assert_int_equal(nics[0].stats_source, STATS_QSTATS);
	assert_int_equal(nics[1].stats_source, STATS_NONE);
	/* answered, but with no queue to hold a counter: no column is credited to qstats */
	assert_int_equal(nics[2].stats_source, STATS_NONE);
	assert_int_equal(nics[0].col_source[STATS_COL_RX_PACKETS], STATS_QSTATS);
	/* Each present counter written, each absent one left as it was. */
	assert_true(queues_a[0].rx_packets == 10 && queues_a[0].rx_drops == 1);
	assert_true(queues_a[0].rx_bytes == SENTINEL);
	assert_true(queues_a[0].tx_packets == SENTINEL && queues_a[0].tx_bytes == SENTINEL);
	assert_true(queues_a[0].tx_drops == 5);
	assert_true(queues_a[1].tx_packets == 20 && queues_a[1].tx_bytes == 30);
	assert_true(queues_a[1].tx_drops == SENTINEL);
	assert_true(queues_a[1].rx_packets == SENTINEL && queues_a[1].rx_drops == SENTINEL);
	assert_true(queues_a[1].rx_bytes == 40);
	assert_true(queues_a[2].rx_packets == SENTINEL); /* queue 2 of a 2-queue NIC: dropped */
	assert_true(queues_b[0].rx_packets == SENTINEL && queues_b[0].tx_packets == SENTINEL);
}

/* An interrupted dump (-EAGAIN): one retry, and only its replies count. */
static void test_read_retry(void **state)
{
	struct mq_nl nl = {.netdev_id = 21, .genl = (struct mnl_socket *)&nl};
	struct mq_snapshot s;
	(void)state;
	snap_init(&s);
	script(0, qstats_in(0, MQ_NETDEV_CMD_QSTATS_GET, 2, MQ_NETDEV_QUEUE_TYPE_RX, 0));
	fake.rc[0] = -EAGAIN;
	script(1, qstats_in(1, MQ_NETDEV_CMD_QSTATS_GET, 3, MQ_NETDEV_QUEUE_TYPE_RX, 0));
	assert_int_equal(netdev_qstats_read(&nl, &s), 1);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(nics[0].stats_source, STATS_NONE);
	assert_int_equal(nics[1].stats_source, STATS_QSTATS);

	snap_init(&s); /* a failure stays a failure */
	fake.rc[0] = -EIO;
	assert_int_equal(netdev_qstats_read(&nl, &s), -EIO);
	assert_int_equal(fake.calls, 1);
	assert_false(s.have_qstats);
	assert_int_equal(nics[0].stats_source, STATS_NONE);

	snap_init(&s); /* no NIC at all; a retry has no flags to clear (memset(NULL) is UB) */
	s.nnics = 0;
	fake.rc[0] = -EAGAIN;
	assert_int_equal(netdev_qstats_read(&nl, &s), 0);
	assert_int_equal(fake.calls, 2);
	assert_true(s.have_qstats);
}

static void test_read_unsupported(void **state)
{
	struct mq_nl nl = {.netdev_id = 0, .genl = (struct mnl_socket *)&nl};
	struct mq_snapshot s;
	(void)state;
	snap_init(&s);
	assert_int_equal(netdev_qstats_read(&nl, &s), -EOPNOTSUPP);
	assert_false(s.have_qstats);
	nl.netdev_id = 21;
	nl.genl = NULL;
	assert_int_equal(netdev_qstats_read(&nl, &s), -EOPNOTSUPP);
	assert_int_equal(netdev_qstats_read(NULL, &s), -EINVAL);
	assert_int_equal(netdev_qstats_read(&nl, NULL), -EINVAL);
	assert_int_equal(fake.calls, 0);
}

/* A queue reply (QUEUE_GET) and a NAPI reply (NAPI_GET) for ifindex 2. */
static struct nlmsghdr *queue_in(unsigned slot, uint32_t id, uint32_t type, uint32_t napi)
{
	struct nlmsghdr *nlh = msg_in(slot, MQ_NETDEV_CMD_QUEUE_GET);

	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_ID, id);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_TYPE, type);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QUEUE_NAPI_ID, napi);
	return nlh;
}

static struct nlmsghdr *napi_in(unsigned slot, uint32_t id, uint32_t irq)
{
	struct nlmsghdr *nlh = msg_in(slot, MQ_NETDEV_CMD_NAPI_GET);

	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IFINDEX, 2);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_ID, id);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_NAPI_IRQ, irq);
	return nlh;
}

/* Queues to NAPI instances to IRQs, from both dumps: one IRQ per queue pair, as virtio_net has it. */
static void test_irqmap_from_dumps(void **state)
{
	struct mq_nl nl = {.netdev_id = 21, .genl = (struct mnl_socket *)&nl};
	struct mq_queue q[2] = {{.irq_rx = -1, .irq_tx = -1}, {.irq_rx = -1, .irq_tx = -1}};
	struct mq_nic nic = {.ifindex = 2, .nqueues = 2, .queues = q};
	(void)state;

	memset(&fake, 0, sizeof(fake));
	script(0, queue_in(1, 0, MQ_NETDEV_QUEUE_TYPE_RX, 8193));
	script(0, queue_in(2, 0, MQ_NETDEV_QUEUE_TYPE_TX, 8193));
	script(0, queue_in(3, 1, MQ_NETDEV_QUEUE_TYPE_RX, 8194));
	script(0, queue_in(4, 1, MQ_NETDEV_QUEUE_TYPE_TX, 8194));
	/* queue ids 0 and 1 only: id 2 (the count) is past the NIC's queues, ignored */
	script(0, queue_in(7, 2, MQ_NETDEV_QUEUE_TYPE_RX, 8195));
	script(0, queue_in(8, 2, MQ_NETDEV_QUEUE_TYPE_TX, 8195));
	script(1, napi_in(5, 8193, 40));
	script(1, napi_in(6, 8194, 41));
	script(1, napi_in(9, 8195, 42));
	assert_int_equal(netdev_irqmap(&nl, &nic, NULL), 1);
	assert_int_equal(fake.calls, 2);
	assert_int_equal(nic.irqmap_source, IRQMAP_NETDEV);
	assert_int_equal(nic.nirqs, 2);
	assert_int_equal(q[0].napi_id, 8193);
	assert_int_equal(q[1].napi_id, 8194);
	assert_true(q[0].irq_rx >= 0 && q[0].irq_rx == q[0].irq_tx);
	assert_int_equal(nic.irqs[q[0].irq_rx].irq, 40);
	assert_int_equal(nic.irqs[q[1].irq_rx].irq, 41);
	assert_int_equal(nic.irqs[q[1].irq_tx].queue, 1);
	free(nic.irqs);
	cpuset_pool_free(&nic.sets);

	/* the second dump failing: its error, the map left as it was */
	memset(&fake, 0, sizeof(fake));
	nic.irqs = NULL;
	nic.nirqs = 0;
	fake.rc[1] = -EIO;
	assert_int_equal(netdev_irqmap(&nl, &nic, NULL), -EIO);
	assert_int_equal(nic.nirqs, 0);
}

/*
 * Each allocation of netdev_irqmap() failing in turn (its four arrays, the
 * NAPI list, the map): -ENOMEM and the old map kept, until none fails.
 */
static void test_irqmap_oom(void **state)
{
	struct mq_nl nl = {.netdev_id = 21, .genl = (struct mnl_socket *)&nl};
	struct mq_queue q[2] = {{.irq_rx = -1, .irq_tx = -1}, {.irq_rx = -1, .irq_tx = -1}};
	struct mq_irq *old = calloc(1, sizeof(*old));
	struct mq_nic nic = {.ifindex = 2, .nqueues = 2, .queues = q, .irqs = old, .nirqs = 1};
	int r = -ENOMEM;
	unsigned k;
	(void)state;

	for (k = 1; k < 50 && r == -ENOMEM; k++) {
		memset(&fake, 0, sizeof(fake));
		script(0, queue_in(1, 0, MQ_NETDEV_QUEUE_TYPE_RX, 8193));
		script(1, napi_in(5, 8193, 40));
		mem_fail_in = k;
		r = netdev_irqmap(&nl, &nic, NULL);
		if (r == -ENOMEM) {
			assert_ptr_equal(nic.irqs, old);
			assert_int_equal(nic.nirqs, 1);
			/* the four arrays come before any dump */
			assert_int_equal(fake.calls, k <= 4 ? 0 : 2);
		}
	}
	mem_fail_in = 0;
	assert_int_equal(r, 1);
	assert_true(k > 6); /* four arrays, the NAPI list and the map each failed once */
	assert_int_equal(nic.nirqs, 1);
	assert_int_equal(nic.irqs[q[0].irq_rx].irq, 40);
	free(nic.irqs);
	cpuset_pool_free(&nic.sets);

	/* nothing to ask about, or no one to ask */
	nic = (struct mq_nic){.ifindex = 2, .queues = q};
	memset(&fake, 0, sizeof(fake));
	assert_int_equal(netdev_irqmap(&nl, &nic, NULL), 0);
	nic.nqueues = 2;
	nl.netdev_id = 0;
	assert_int_equal(netdev_irqmap(&nl, &nic, NULL), -EOPNOTSUPP);
	assert_int_equal(netdev_irqmap(NULL, &nic, NULL), -EINVAL);
	assert_int_equal(fake.calls, 0);
}

/* The per-NIC flags of a qstats read not allocated: -ENOMEM, nothing asked. */
static void test_read_oom(void **state)
{
	struct mq_nl nl = {.netdev_id = 21, .genl = (struct mnl_socket *)&nl};
	struct mq_snapshot s;
	(void)state;
	snap_init(&s);
	mem_fail_in = 1;
	assert_int_equal(netdev_qstats_read(&nl, &s), -ENOMEM);
	mem_fail_in = 0;
	assert_int_equal(fake.calls, 0);
	assert_false(s.have_qstats);
	/* no NIC: no flags to allocate (calloc(0) may be NULL), the dump is asked all the same */
	snap_init(&s);
	s.nnics = 0;
	mem_fail_in = 1;
	assert_int_equal(netdev_qstats_read(&nl, &s), 0);
	assert_int_equal(mem_fail_in, 1); /* nothing allocated */
	mem_fail_in = 0;
	assert_int_equal(fake.calls, 1);
	assert_true(s.have_qstats);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qstats_checks),  cmocka_unit_test(test_queue_checks),
		cmocka_unit_test(test_napi_checks),    cmocka_unit_test(test_read_lands),
		cmocka_unit_test(test_read_retry),     cmocka_unit_test(test_read_unsupported),
		cmocka_unit_test(test_irqmap_from_dumps), cmocka_unit_test(test_irqmap_oom),
		cmocka_unit_test(test_read_oom),
	};
	return cmocka_run_group_tests_name("netdev", tests, NULL, NULL);
}
