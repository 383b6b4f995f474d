// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>

#include "output/state.h"

static const char *cpus(const struct mq_cpuset *s, char *buf, size_t len)
{
	if (cpuset_empty(s))
		return "-";
	return cpuset_format_list(s, buf, len) < 0 ? NULL : buf;
}

int state_render(FILE *f, const struct mq_state *st)
{
	char buf[MQ_CPULIST_MAX];

	fprintf(f, "mqbalance-state 1\nboot %s\n", st->boot_id[0] ? st->boot_id : "-");
	for (unsigned i = 0; i < st->n; i++) {
		const struct mq_saved_nic *n = &st->nics[i];

		fprintf(f, "nic %s %d %" PRId64 "\n", n->ifname, n->ifindex, n->since);
		if (n->has_channels)
			fprintf(f, "channels %s %u %u %u %u\n", n->ifname, n->channels.rx, n->channels.tx,
				n->channels.other, n->channels.combined);
		for (unsigned k = 0; k < n->nirqs; k++) {
			const char *c = cpus(n->irqs[k].cpus, buf, sizeof(buf));

			if (!c)
				return -ENOSPC;
			fprintf(f, "irq %s %u %s\n", n->ifname, n->irqs[k].irq, c);
		}
		for (unsigned k = 0; k < n->nqueues; k++) {
			const struct mq_saved_queue *q = &n->queues[k];
			const char *c;

			if (q->has_xps) {
				if (!(c = cpus(q->xps, buf, sizeof(buf))))
					return -ENOSPC;
				fprintf(f, "xps %s %u %s\n", n->ifname, q->queue, c);
			}
			if (q->has_rps) {
				if (!(c = cpus(q->rps, buf, sizeof(buf))))
					return -ENOSPC;
				fprintf(f, "rps %s %u %s\n", n->ifname, q->queue, c);
			}
		}
		if (n->has_rss && !n->rss_n)
			fprintf(f, "rss %s default\n", n->ifname);
		else if (n->has_rss) {
			fprintf(f, "rss %s", n->ifname);
			for (uint32_t k = 0; k < n->rss_n; k++)
				fprintf(f, " %u", n->rss[k]);
			fputc('\n', f);
		}
	}
	return ferror(f) ? -EIO : 0;
}

int state_render_cb(FILE *f, void *arg)
{
	return state_render(f, arg);
}
