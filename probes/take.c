// SPDX-License-Identifier: MIT
/*
 * One probe pass: links -> queues, channels, IRQs, counters. Per-NIC
 * problems are recorded in the NIC (errmsg, ch.err) and never stop the pass;
 * only a failure to list links or CPUs fails it.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

bool probe_selects(const struct probe_opts *o, const char *name, bool has_device)
{
	for (unsigned i = 0; o && i < o->nifnames; i++)
		if (strcmp(o->ifnames[i], name) == 0)
			return true;
	if (o && o->nifnames)
		return false;
	for (unsigned i = 0; o && i < o->nextra; i++)
		if (strcmp(o->extra[i], name) == 0)
			return true;
	if (strcmp(name, "lo") == 0)
		return false;
	return (o && o->all) || has_device;
}

static void note(struct mq_nic *n, const char *what, int err)
{
	if (!n->errmsg[0])
		snprintf(n->errmsg, sizeof(n->errmsg), "%s: %s", what, sysfs_strerror(err));
}

void probe_file_error(char *buf, size_t len, const char *path, int err, size_t file_max)
{
	if (err == -EFBIG)
		snprintf(buf, len, "%s: more than %zu MiB or more lines than the kernel writes (the caps), not read",
			 path, file_max >> 20);
	else if (err == -E2BIG)
		snprintf(buf, len, "%s: a line longer than the kernel writes for its CPUs (the cap), not read",
			 path);
	else
		snprintf(buf, len, "%s: %s", path, sysfs_strerror(err));
}

/* Queue -> IRQ mapping: netdev netlink where the driver fills it, else names. */
static void map_irqs(struct mq_nl *nl, struct mq_nic *n, const struct irq_table *t)
{
	int r = 0;

	if (!t)
		return;
	if (nl && nl->netdev_id)
		r = netdev_irqmap(nl, n, t);
	if (r <= 0) {
		r = irqmap_by_names(n, t);
		if (r < 0 && r != -ENOENT)
			note(n, "IRQ mapping", r);
	}
}

/*
 * Counters: qstats for every NIC that has them in one dump, then ethtool -S
 * for each column still missing (no ioctl for a NIC that lacks nothing the
 * driver's keys could give). Each column says where it came from.
 */
/* Did any NIC get a column from qstats last time? */
static bool had_qstats(const struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++)
		for (unsigned c = 0; c < _STATS_COL_MAX; c++)
			if (s->nics[i].col_source[c] == STATS_QSTATS)
				return true;
	return false;
}

/*
 * again: a refresh of the NICs read before. Which drivers fill qstats does not
 * change between probes, nor which NICs are up without an event that probes
 * again: when none did, the dump (the kernel walks every device) is skipped.
 */
static void read_counters(struct mq_nl *nl, struct mq_snapshot *s, bool totals, bool again)
{
	bool qstats = !again || had_qstats(s);

	for (unsigned i = 0; i < s->nnics; i++)
		nic_counters_reset(&s->nics[i]);
	if (qstats)
		s->have_qstats = nl && nl->netdev_id && netdev_qstats_read(nl, s) >= 0;
	for (unsigned i = 0; i < s->nnics; i++) {
		struct mq_nic *n = &s->nics[i];

		/* link_list / link_stats_dump filled them from IFLA_STATS64; sysfs if not */
		if (totals && n->rx_packets == MQ_NA && n->tx_packets == MQ_NA)
			link_stats_read(n);
		if (nl)
			(void)ethstats_read(nl, n); /* no per-queue stats is a normal answer */
		n->counters_missing = nic_counters_explain(n, s->have_qstats);
	}
}

int snapshot_take(struct mq_nl *nl, const struct probe_opts *o, struct mq_snapshot *ret)
{
	struct mq_snapshot s = {0};
	struct irq_table t = {0};
	struct mq_nic *all = NULL;
	unsigned nall = 0;
	bool have_irqs;
	int r;

	r = cpu_probe(&s.cpus);
	if (r < 0)
		return r;
	(void)platform_probe(&s.platform); /* DMI is optional */

	r = link_list(nl, &all, &nall);
	if (r < 0)
		goto fail;
	s.nics = calloc(nall ? nall : 1, sizeof(*s.nics));
	s.links = calloc(nall ? nall : 1, sizeof(*s.links));
	if (!s.nics || !s.links) {
		r = -ENOMEM;
		goto fail;
	}
	for (unsigned i = 0; i < nall; i++) {
		snprintf(s.links[i].name, sizeof(s.links[i].name), "%s", all[i].name);
		snprintf(s.links[i].driver, sizeof(s.links[i].driver), "%s", all[i].driver);
		s.nlinks++;
		if (probe_selects(o, all[i].name, all[i].has_device))
			s.nics[s.nnics++] = all[i];
		else
			nic_free(&all[i]);
	}
	free(all);
	all = NULL;

	r = interrupts_read(s.cpus.nr_cpu_ids, &t);
	have_irqs = r >= 0;
	if (r < 0 && r != -ENOENT)
		probe_file_error(s.errmsg, sizeof(s.errmsg), "/proc/interrupts", r, MQ_PROC_INTERRUPTS_MAX);
	s.have_ethtool_nl = nl && nl->ethtool_id;
	s.have_netdev_nl = nl && nl->netdev_id;
	for (unsigned i = 0; i < s.nnics; i++) {
		struct mq_nic *n = &s.nics[i];

		r = link_queues_read(n);
		if (r < 0) {
			note(n, "queues", r);
			continue;
		}
		r = ethtool_channels_get(nl, n, &n->ch);
		if (r < 0 && n->ch.err == 0)
			n->ch.err = r;
		if (nl)
			(void)ethtool_rss_get(nl, n, &n->rss); /* no RSS is a normal answer, in rss.err */
		map_irqs(nl, n, have_irqs ? &t : NULL);
	}
	read_counters(nl, &s, true, false);
	interrupts_free(&t);
	/* per-CPU load: each file optional, MQ_NA if missing */
	if (!o || !o->no_cpu_load)
		(void)cpustat_read(&s.cpus, s.errmsg[0] ? NULL : s.errmsg, sizeof(s.errmsg));
	clock_gettime(CLOCK_MONOTONIC, &s.taken);
	*ret = s;
	return 0;
fail:
	for (unsigned i = 0; all && i < nall; i++)
		nic_free(&all[i]);
	free(all);
	snapshot_free(&s);
	return r;
}

int snapshot_sample(struct mq_nl *nl, struct mq_snapshot *s)
{
	return snapshot_sample_with(nl, NULL, SAMPLE_ALL, s);
}

/* /proc/interrupts, kept open in files when there are (else opened for this read). */
static int interrupts_reread(struct probe_files *files, unsigned max_cpus, struct irq_table *ret)
{
	const char *text;
	size_t len;
	FILE *f;
	int r;

	if (!files || probe_file_read(files, PROBE_FILE_INTERRUPTS, &text, &len) < 0)
		return interrupts_read(max_cpus, ret);
	f = fmemopen((void *)text, len ? len : 1, "r");
	if (!f)
		return -errno;
	r = interrupts_parse(f, max_cpus, ret);
	fclose(f);
	return r;
}

int snapshot_sample_with(struct mq_nl *nl, struct probe_files *files, unsigned what,
			 struct mq_snapshot *s)
{
	struct irq_table t = {0};
	unsigned nirqs = 0;
	int r = 0;

	for (unsigned i = 0; i < s->nnics; i++) {
		struct mq_nic *n = &s->nics[i];

		n->rx_packets = n->tx_packets = n->rx_bytes = n->tx_bytes = MQ_NA;
		n->rx_dropped = n->tx_dropped = MQ_NA;
		nirqs += n->irqs ? n->nirqs : 0;
	}
	if (nl && (what & SAMPLE_TOTALS))
		(void)link_stats_dump(nl, s); /* one dump for every NIC; sysfs for any it missed */
	read_counters(nl, s, what & SAMPLE_TOTALS, true);

	/* /proc/interrupts only for the NICs' IRQs: none (veth, ...), nothing to read */
	if (!(what & SAMPLE_IRQS))
		nirqs = 0;
	if (nirqs)
		r = interrupts_reread(files, s->cpus.nr_cpu_ids, &t);
	if (nirqs && r >= 0) {
		for (unsigned i = 0; i < s->nnics; i++) {
			struct mq_nic *n = &s->nics[i];

			for (unsigned k = 0; k < n->nirqs; k++) {
				struct mq_irq *irq = &n->irqs[k];
				const struct irq_line *l = interrupts_find(&t, irq->irq);

				irq->total = l ? l->total : MQ_NA;
				if (irq->per_cpu)
					interrupts_per_cpu(&t, l, irq->per_cpu, irq->n_per_cpu);
			}
		}
		interrupts_free(&t);
	}
	if (what & SAMPLE_CPU_LOAD)
		(void)cpustat_read_with(&s->cpus, files, NULL, 0);
	clock_gettime(CLOCK_MONOTONIC, &s->taken);
	return r < 0 ? r : 0;
}
