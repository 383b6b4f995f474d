// SPDX-License-Identifier: MIT
/*
 * Queue -> NAPI -> IRQ from netdev netlink (queue-get, napi-get; Linux 6.8+).
 * Filled only by drivers that call netif_queue_set_napi() and
 * netif_napi_set_irq(); when none of a NIC's queues has an IRQ this returns
 * 0 and the caller maps IRQs by name instead. Kept apart from netdev.c so the
 * pure parsers link without the /proc/irq reader.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/uapi.h"

#define MAX_NAPIS 8192

struct queue_napi {
	int ifindex;
	unsigned nqueues;
	int *rx_napi, *tx_napi; /* per queue, -1 none */
};

struct napi_list {
	int ifindex;
	unsigned n;
	struct netdev_napi_info *v;
	int err;
};

static int cb_queue(const struct nlmsghdr *nlh, void *data)
{
	struct queue_napi *qn = data;
	struct netdev_queue_info q;

	if (netdev_queue_parse(nlh, &q) < 0 || q.ifindex != qn->ifindex || q.id >= qn->nqueues)
		return MNL_CB_OK;
	if (q.type == MQ_NETDEV_QUEUE_TYPE_RX)
		qn->rx_napi[q.id] = q.napi_id;
	else if (q.type == MQ_NETDEV_QUEUE_TYPE_TX)
		qn->tx_napi[q.id] = q.napi_id;
	return MNL_CB_OK;
}

static int cb_napi(const struct nlmsghdr *nlh, void *data)
{
	struct napi_list *l = data;
	struct netdev_napi_info n;

	if (netdev_napi_parse(nlh, &n) < 0 || n.ifindex != l->ifindex || l->n >= MAX_NAPIS)
		return MNL_CB_OK;
	if (!l->v) {
		l->v = calloc(MAX_NAPIS, sizeof(*l->v));
		if (!l->v) {
			l->err = -ENOMEM;
			return MNL_CB_OK;
		}
	}
	l->v[l->n++] = n;
	return MNL_CB_OK;
}

static int dump(struct mq_nl *nl, uint8_t cmd, uint16_t ifindex_attr, int ifindex, mnl_cb_t cb,
		void *data)
{
	char buf[256];
	struct nlmsghdr *nlh;
	int r;

	for (int attempt = 0; attempt < 2; attempt++) {
		nlh = mqnl_genl_put(nl, buf, nl->netdev_id, cmd, 1, NLM_F_DUMP);
		mnl_attr_put_u32(nlh, ifindex_attr, (uint32_t)ifindex);
		r = mqnl_genl_transact(nl, nlh, cb, data);
		if (r != -EAGAIN)
			break;
	}
	return r;
}

static int napi_irq(const struct napi_list *l, int napi_id)
{
	if (napi_id < 0)
		return -1;
	for (unsigned i = 0; i < l->n; i++)
		if (l->v[i].id == napi_id)
			return l->v[i].irq;
	return -1;
}

static const struct irq_line *table_find(const struct irq_table *t, int irq)
{
	for (unsigned i = 0; t && i < t->n; i++)
		if (t->lines[i].irq == (unsigned)irq)
			return &t->lines[i];
	return NULL;
}

static void irqs_free(struct mq_nic *nic)
{
	for (unsigned i = 0; i < nic->nirqs; i++)
		free(nic->irqs[i].per_cpu);
	free(nic->irqs);
	nic->irqs = NULL;
	nic->nirqs = 0;
}

/* Index of irq in v[0..n), adding it if new. */
static int irq_slot(struct mq_irq *v, unsigned *n, int irq, enum mq_irq_role role, unsigned q)
{
	for (unsigned i = 0; i < *n; i++)
		if (v[i].irq == (unsigned)irq) {
			if (v[i].role != role)
				v[i].role = IRQ_ROLE_RXTX;
			if (v[i].queue != (int)q)
				v[i].queue = -1; /* serves several queues */
			return (int)i;
		}
	memset(&v[*n], 0, sizeof(v[*n]));
	v[*n].irq = (unsigned)irq;
	v[*n].role = role;
	v[*n].queue = (int)q;
	v[*n].total = MQ_NA;
	return (int)(*n)++;
}

int netdev_irqmap_build(struct mq_nic *nic, const int *rx_irq, const int *tx_irq,
			const struct irq_table *t)
{
	struct mq_irq *irqs;
	unsigned nirqs = 0, found = 0;

	if (!nic || !nic->queues || !rx_irq || !tx_irq)
		return -EINVAL;
	for (unsigned i = 0; i < nic->nqueues; i++)
		if (rx_irq[i] >= 0 || tx_irq[i] >= 0)
			found++;
	if (!found)
		return 0;
	/* At most two IRQs per queue; queue IRQs first, by queue then role. */
	irqs = calloc(2 * (size_t)nic->nqueues, sizeof(*irqs));
	if (!irqs)
		return -ENOMEM;
	for (unsigned i = 0; i < nic->nqueues; i++) {
		nic->queues[i].irq_rx =
			rx_irq[i] >= 0 ? irq_slot(irqs, &nirqs, rx_irq[i], IRQ_ROLE_RX, i) : -1;
		nic->queues[i].irq_tx =
			tx_irq[i] >= 0 ? irq_slot(irqs, &nirqs, tx_irq[i], IRQ_ROLE_TX, i) : -1;
	}
	for (unsigned i = 0; i < nirqs; i++) {
		struct mq_irq *irq = &irqs[i];
		const struct irq_line *line = table_find(t, (int)irq->irq);

		if (line) {
			snprintf(irq->name, sizeof(irq->name), "%s", line->name);
			irq->total = line->total;
			if (t->ncpus) {
				irq->per_cpu = malloc(t->ncpus * sizeof(uint64_t));
				if (irq->per_cpu) {
					interrupts_per_cpu(t, line, irq->per_cpu, t->ncpus);
					irq->n_per_cpu = t->ncpus;
				}
			}
		}
		irq_affinity_read(&nic->sets, irq); /* best effort: has_affinity says whether it worked */
	}
	irqs_free(nic);
	nic->irqs = irqs;
	nic->nirqs = nirqs;
	nic->irqmap_source = IRQMAP_NETDEV;
	return 1;
}

int netdev_irqmap(struct mq_nl *nl, struct mq_nic *nic, const struct irq_table *t)
{
	struct queue_napi qn = {0};
	struct napi_list nl_list = {0};
	int *rx_irq = NULL, *tx_irq = NULL;
	int r;

	if (!nl || !nic)
		return -EINVAL;
	if (!nl->netdev_id || !nl->genl)
		return -EOPNOTSUPP;
	if (!nic->nqueues || !nic->queues)
		return 0;
	qn.ifindex = nl_list.ifindex = nic->ifindex;
	qn.nqueues = nic->nqueues;
	qn.rx_napi = malloc(nic->nqueues * sizeof(int));
	qn.tx_napi = malloc(nic->nqueues * sizeof(int));
	rx_irq = malloc(nic->nqueues * sizeof(int));
	tx_irq = malloc(nic->nqueues * sizeof(int));
	if (!qn.rx_napi || !qn.tx_napi || !rx_irq || !tx_irq) {
		r = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < nic->nqueues; i++)
		qn.rx_napi[i] = qn.tx_napi[i] = -1;
	r = dump(nl, MQ_NETDEV_CMD_QUEUE_GET, MQ_NETDEV_A_QUEUE_IFINDEX, nic->ifindex, cb_queue,
		 &qn);
	if (r < 0)
		goto out;
	for (unsigned i = 0; i < nic->nqueues; i++)
		nic->queues[i].napi_id = qn.rx_napi[i] >= 0 ? qn.rx_napi[i] : qn.tx_napi[i];
	r = dump(nl, MQ_NETDEV_CMD_NAPI_GET, MQ_NETDEV_A_NAPI_IFINDEX, nic->ifindex, cb_napi,
		 &nl_list);
	if (r == 0)
		r = nl_list.err;
	if (r < 0)
		goto out;
	for (unsigned i = 0; i < nic->nqueues; i++) {
		rx_irq[i] = napi_irq(&nl_list, qn.rx_napi[i]);
		tx_irq[i] = napi_irq(&nl_list, qn.tx_napi[i]);
	}
	r = netdev_irqmap_build(nic, rx_irq, tx_irq, t);
out:
	free(rx_irq);
	free(tx_irq);
	free(qn.rx_napi);
	free(qn.tx_napi);
	free(nl_list.v);
	return r;
}
