// SPDX-License-Identifier: MIT
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/prom.h"
#include "tests/fx_cpuset.h"

/* ---- snapshot builders --------------------------------------------------- */

#define MAX_NICS 8

static struct mq_snapshot *snap_new(const char *online, const char *isolated)
{
	struct mq_snapshot *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->nics = calloc(MAX_NICS, sizeof(*s->nics));
	assert_non_null(s->nics);
	s->cpus.online = fx_set(&s->cpus.sets, online);
	s->cpus.isolated = fx_set(&s->cpus.sets, isolated);
	s->cpus.n_online = cpuset_count(s->cpus.online);
	return s;
}

static void snap_free(struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++) {
		free(s->nics[i].queues);
		free(s->nics[i].irqs);
		cpuset_pool_free(&s->nics[i].sets);
	}
	free(s->nics);
	cpuset_pool_free(&s->cpus.sets);
	free(s);
}

/* A virtio_net-like NIC: nq combined channels (max 8), qstats counters
 * rx_packets = 1000 * (q + 1) ..., IRQs input.q / output.q on CPU q % ncpus, a config IRQ. */
static struct mq_nic *add_nic(struct mq_snapshot *s, const char *name, unsigned nq, unsigned irq0,
			      unsigned ncpus)
{
	struct mq_nic *n;

	assert_true(s->nnics < MAX_NICS);
	n = &s->nics[s->nnics++];
	snprintf(n->name, sizeof(n->name), "%s", name);
	snprintf(n->driver, sizeof(n->driver), "virtio_net");
	snprintf(n->bus_info, sizeof(n->bus_info), "0000:00:0%u.0", s->nnics + 2);
	n->ch.source = CHANNELS_NETLINK;
	n->ch.combined = nq;
	n->ch.combined_max = 8;
	n->stats_source = STATS_QSTATS;
	n->irqmap_source = IRQMAP_NAMES;
	n->real_rx_queues = n->real_tx_queues = n->nqueues = nq;
	n->queues = calloc(nq, sizeof(*n->queues));
	assert_non_null(n->queues);
	for (unsigned q = 0; q < nq; q++) {
		struct mq_queue *x = &n->queues[q];

		x->index = q;
		x->has_rx = x->has_tx = true;
		x->rx_packets = 1000 * (q + 1);
		x->rx_bytes = 1500000 * (q + 1);
		x->rx_drops = q;
		x->tx_packets = 2000 * (q + 1);
		x->tx_bytes = 3000000 * (q + 1);
		x->tx_drops = 0;
		x->irq_rx = (int)(2 * q);
		x->irq_tx = (int)(2 * q + 1);
	}
	n->nirqs = 2 * nq + 1;
	n->irqs = calloc(n->nirqs, sizeof(*n->irqs));
	assert_non_null(n->irqs);
	for (unsigned k = 0; k < n->nirqs; k++) {
		struct mq_irq *q = &n->irqs[k];
		unsigned qi = k / 2;

		q->irq = irq0 + k;
		if (k == 2 * nq) {
			q->role = IRQ_ROLE_CONFIG;
			q->queue = -1;
			snprintf(q->name, sizeof(q->name), "virtio%u-config", s->nnics);
		} else {
			q->role = k % 2 ? IRQ_ROLE_TX : IRQ_ROLE_RX;
			q->queue = (int)qi;
			snprintf(q->name, sizeof(q->name), "virtio%u-%s.%u", s->nnics,
				 k % 2 ? "output" : "input", qi);
		}
		q->total = 10 * k;
		q->has_effective = true;
		q->effective = fx_cpu(&n->sets, qi % ncpus);
	}
	return n;
}

/* The assessment of s with the findings replaced by the n given. */
static void assess_with(struct mq_assessment *a, const struct mq_snapshot *s,
			const struct mq_finding *fs, unsigned n)
{
	assert_int_equal(assess(s, NULL, NULL, a), 0);
	free(a->findings);
	a->findings = calloc(n ? n : 1, sizeof(*fs));
	assert_non_null(a->findings);
	if (n)
		memcpy(a->findings, fs, n * sizeof(*fs));
	a->nfindings = n;
}

static char *render(const struct prom_input *in, int *ret)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	*ret = prom_render(f, in);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* ---- an exposition-format checker, stricter than the format ------------- */

#define MAX_SERIES 4096
#define MAX_FAMS 128

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool metric_char(char c, bool first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':' ||
	       (!first && c >= '0' && c <= '9');
}

/*
 * Asserts: final newline; every family has exactly one HELP then TYPE line
 * right before its samples and never reappears (contiguous); only samples of
 * the current family; label values with only \\ \" \n escapes; one integer
 * value and no timestamp; counters end in _total, _info gauges are 1;
 * no duplicate series. Returns the number of samples.
 */
static unsigned check_exposition(const char *text)
{
	size_t len = strlen(text);
	char *copy, *p, *line;
	char *keys[MAX_SERIES];
	char fams[MAX_FAMS][128];
	unsigned nkeys = 0, nfams = 0;
	char cur[128] = "", curtype[16] = "";
	char pending_help[128] = "";

	assert_true(len > 0);
	assert_int_equal(text[len - 1], '\n');
	copy = strdup(text);
	assert_non_null(copy);
	copy[len - 1] = '\0';
	p = copy;
	while ((line = strsep(&p, "\n"))) {
		char name[128], type[16], *c = line;
		size_t nl = 0;

		assert_true(*line != '\0'); /* no blank lines */
		if (strncmp(line, "# HELP ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s", name), 1);
			assert_true(strlen(line + 7) > strlen(name) + 1); /* has a text */
			for (unsigned i = 0; i < nfams; i++)
				assert_string_not_equal(fams[i], name);
			assert_string_equal(pending_help, "");
			snprintf(pending_help, sizeof(pending_help), "%s", name);
			continue;
		}
		if (strncmp(line, "# TYPE ", 7) == 0) {
			assert_int_equal(sscanf(line + 7, "%127s %15s", name, type), 2);
			assert_string_equal(name, pending_help);
			assert_true(strcmp(type, "counter") == 0 || strcmp(type, "gauge") == 0);
			assert_true(nfams < MAX_FAMS);
			snprintf(fams[nfams++], sizeof(fams[0]), "%s", name);
			snprintf(cur, sizeof(cur), "%s", name);
			snprintf(curtype, sizeof(curtype), "%s", type);
			pending_help[0] = '\0';
			continue;
		}
		assert_true(line[0] != '#');
		assert_string_equal(pending_help, "");
		/* metric name */
		while (metric_char(*c, c == line))
			c++;
		nl = (size_t)(c - line);
		assert_true(nl > 0 && nl < sizeof(name));
		memcpy(name, line, nl);
		name[nl] = '\0';
		assert_string_equal(name, cur);
		assert_int_equal(strncmp(name, "mqbalance_", 10), 0);
		if (strcmp(curtype, "counter") == 0)
			assert_string_equal(name + strlen(name) - 6, "_total");
		if (*c == '{') {
			c++;
			for (;;) {
				const char *ls = c;

				while (metric_char(*c, c == ls))
					c++;
				assert_true(c > ls);
				assert_int_equal(*c++, '=');
				assert_int_equal(*c++, '"');
				while (*c != '"') {
					assert_true(*c != '\0');
					if (*c == '\\') {
						c++;
						assert_true(*c == '\\' || *c == '"' || *c == 'n');
					}
					c++;
				}
				c++;
				if (*c == ',') {
					c++;
					continue;
				}
				assert_int_equal(*c++, '}');
				break;
			}
		}
		/* "<series> <integer>" (a ratio: "0.nnnn") and nothing more: no timestamp */
		assert_true(nkeys < MAX_SERIES);
		keys[nkeys] = strndup(line, (size_t)(c - line));
		assert_non_null(keys[nkeys]);
		nkeys++;
		assert_int_equal(*c++, ' ');
		assert_true(*c >= '0' && *c <= '9');
		while (*c >= '0' && *c <= '9')
			c++;
		if (*c == '.' && strstr(name, "_share"))
			for (c++; *c >= '0' && *c <= '9';)
				c++;
		assert_int_equal(*c, '\0');
		if (strlen(name) > 5 && strcmp(name + strlen(name) - 5, "_info") == 0)
			assert_string_equal(c - 2, " 1");
	}
	assert_string_equal(pending_help, "");
	qsort(keys, nkeys, sizeof(keys[0]), cmp_str);
	for (unsigned i = 0; i + 1 < nkeys; i++)
		assert_string_not_equal(keys[i], keys[i + 1]);
	for (unsigned i = 0; i < nkeys; i++)
		free(keys[i]);
	free(copy);
	return nkeys;
}

/* The value of the series written exactly as key ("name{a=\"b\"}"), or -1 if absent. */
static int64_t value_of(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ')
			return strtoll(l + kl + 1, NULL, 10);
	return -1;
}

static bool has_family(const char *text, const char *name)
{
	char help[160];

	snprintf(help, sizeof(help), "# HELP %s ", name);
	return strstr(text, help) != NULL;
}

static unsigned count_prefix(const char *text, const char *prefix)
{
	unsigned n = 0;
	size_t pl = strlen(prefix);

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, prefix, pl) == 0)
			n++;
	return n;
}

/* ---- tests ----------------------------------------------------------------- */

static void test_full(void **state)
{
	struct mq_snapshot *s = snap_new("0-3", "3");
	struct mq_tune_stats *t = calloc(1, sizeof(*t));
	struct mq_tune_nic *tn;
	struct mq_finding fs[3] = {
		{.severity = SEV_WARNING, .code = FIND_IRQS_STACKED, .ifname = "eth0"},
		{.severity = SEV_WARNING, .code = FIND_IRQS_STACKED, .ifname = "eth0"}, /* duplicate */
		{.severity = SEV_INFO, .code = FIND_IRQBALANCE_RUNNING, .ifname = ""},
	};
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .tune = t, .version = "1.2.3"};
	char key[256], *out;
	int r;

	(void)state;
	assert_non_null(t);
	uint32_t indir[8] = {0, 1, 0, 1, 0, 1, 0, 1}; /* 2 of eth0's 4 queues */

	add_nic(s, "eth0", 4, 24, 4);
	add_nic(s, "eth1", 2, 40, 4);
	s->nics[0].rss = (struct mq_rss){.source = RSS_IOCTL, .n = 8, .indir = indir, .key_size = 40};
	assess_with(&a, s, fs, 3);
	/* per-CPU counts of two queue IRQs and the config IRQ (which does not count) */
	uint64_t c0[4] = {100, 5, 0, 1}, c1[4] = {1, 2, 3, MQ_NA}, c2[4] = {9999, 9999, 9999, 9999};

	s->nics[0].irqs[0].per_cpu = c0;
	s->nics[0].irqs[0].n_per_cpu = 4;
	s->nics[0].irqs[1].per_cpu = c1;
	s->nics[0].irqs[1].n_per_cpu = 4;
	s->nics[0].irqs[8].per_cpu = c2; /* eth0's config vector */
	s->nics[0].irqs[8].n_per_cpu = 4;
	tn = tune_stats_nic(t, "eth0");
	assert_non_null(tn);
	tn->failures[PLAN_IRQ_AFFINITY] = 5;
	assert_ptr_equal(tune_stats_nic(t, "eth0"), tn);
	t->last_apply = 1790000000;
	t->drift_corrections = 2;

	out = render(&in, &r);
	assert_int_equal(r, 0);
	check_exposition(out);

	assert_int_equal(value_of(out, "mqbalance_build_info{version=\"1.2.3\"}"), 1);
	assert_int_equal(value_of(out, "mqbalance_cpus_online"), 4);
	assert_int_equal(value_of(out, "mqbalance_cpus_usable"), 3); /* cpu3 isolated */
	assert_int_equal(value_of(out, "mqbalance_queue_receive_packets_total{device=\"eth0\",queue=\"3\"}"),
			 4000);
	assert_int_equal(value_of(out, "mqbalance_queue_transmit_bytes_total{device=\"eth1\",queue=\"1\"}"),
			 6000000);
	assert_int_equal(value_of(out, "mqbalance_queue_transmit_drops_total{device=\"eth1\",queue=\"0\"}"),
			 0);
	assert_int_equal(count_prefix(out, "mqbalance_queue_receive_bytes_total{"), 6);
	assert_int_equal(value_of(out, "mqbalance_channels{device=\"eth0\",type=\"combined\"}"), 4);
	assert_int_equal(value_of(out, "mqbalance_channels_max{device=\"eth0\",type=\"combined\"}"), 8);
	assert_int_equal(value_of(out, "mqbalance_channels_target{device=\"eth0\",type=\"combined\"}"), 3);
	/* the plan's target: 3 usable CPUs; virtio has combined only */
	assert_int_equal(value_of(out, "mqbalance_channels_target{device=\"eth1\",type=\"combined\"}"), 3);
	assert_int_equal(value_of(out, "mqbalance_channels{device=\"eth0\",type=\"rx\"}"), -1);
	assert_int_equal(count_prefix(out, "mqbalance_channels_target{"), 2);
	assert_int_equal(count_prefix(out, "mqbalance_channels{"), 2);
	snprintf(key, sizeof(key), "mqbalance_irq_interrupts_total{device=\"eth0\",irq=\"27\",queue=\"1\",role=\"%s\"}",
		 irq_role_to_string(IRQ_ROLE_TX));
	assert_int_equal(value_of(out, key), 30);
	snprintf(key, sizeof(key), "mqbalance_irq_interrupts_total{device=\"eth0\",irq=\"32\",queue=\"\",role=\"%s\"}",
		 irq_role_to_string(IRQ_ROLE_CONFIG));
	assert_int_equal(value_of(out, key), 80);
	snprintf(key, sizeof(key),
		 "mqbalance_irq_info{device=\"eth1\",irq=\"43\",queue=\"1\",role=\"%s\",name=\"virtio2-output.1\",effective_cpus=\"1\"}",
		 irq_role_to_string(IRQ_ROLE_TX));
	assert_int_equal(value_of(out, key), 1);
	assert_int_equal(count_prefix(out, "mqbalance_irq_info{"), 9 + 5);
	snprintf(key, sizeof(key), "mqbalance_device_info{device=\"eth0\",driver=\"virtio_net\",bus_info=\"0000:00:03.0\",kind=\"\",channels_source=\"%s\",stats_source=\"%s\",irqmap_source=\"%s\"}",
		 channels_source_to_string(CHANNELS_NETLINK), stats_source_to_string(STATS_QSTATS),
		 irqmap_source_to_string(IRQMAP_NAMES));
	assert_int_equal(value_of(out, key), 1);
	assert_int_equal(value_of(out, "mqbalance_device_receive_queues{device=\"eth1\"}"), 2);
	/* queue IRQs: eth0 rx+tx of q0 and eth1 rx+tx of q0 land on cpu 0; cpu 3 gets eth0 q3 */
	assert_int_equal(value_of(out, "mqbalance_cpu_queue_irqs{cpu=\"0\"}"), 4);
	assert_int_equal(value_of(out, "mqbalance_cpu_queue_irqs{cpu=\"3\"}"), 2);
	assert_int_equal(value_of(out, "mqbalance_cpu_queue_interrupts_total{cpu=\"0\"}"), 101);
	assert_int_equal(value_of(out, "mqbalance_rss_queues_covered{device=\"eth0\"}"), 2);
	assert_non_null(strstr(out, "\nmqbalance_rss_max_weight_share{device=\"eth0\"} 0.5000\n"));
	assert_int_equal(count_prefix(out, "mqbalance_rss_queues_covered{"), 1); /* eth1 has no table */
	assert_int_equal(value_of(out, "mqbalance_cpu_queue_interrupts_total{cpu=\"2\"}"), 3);
	assert_int_equal(value_of(out, "mqbalance_cpu_queue_interrupts_total{cpu=\"3\"}"), 1);
	/* findings: deduplicated, counted per severity */
	snprintf(key, sizeof(key), "mqbalance_finding{code=\"%s\",severity=\"%s\",device=\"eth0\"}",
		 finding_code_to_string(FIND_IRQS_STACKED), severity_to_string(SEV_WARNING));
	assert_int_equal(value_of(out, key), 1);
	snprintf(key, sizeof(key), "mqbalance_findings{severity=\"%s\"}", severity_to_string(SEV_WARNING));
	assert_int_equal(value_of(out, key), 1);
	snprintf(key, sizeof(key), "mqbalance_findings{severity=\"%s\"}", severity_to_string(SEV_ERROR));
	assert_int_equal(value_of(out, key), 0);
	assert_int_equal(count_prefix(out, "mqbalance_finding{"), 2);
	/* tuning state */
	assert_int_equal(value_of(out, "mqbalance_last_apply_timestamp_seconds"), 1790000000);
	assert_int_equal(value_of(out, "mqbalance_drift_corrections_total"), 2);
	assert_int_equal(value_of(out, "mqbalance_apply_failures_total{device=\"eth0\",action=\"irq_affinity\"}"), 5);
	assert_int_equal(value_of(out, "mqbalance_apply_failures_total{device=\"eth0\",action=\"channels\"}"), 0);
	assert_int_equal(count_prefix(out, "mqbalance_apply_failures_total{"), _PLAN_KIND_MAX);
	/* no textfile write timestamp: node_exporter exports the file's mtime */
	assert_null(strstr(out, "timestamp_seconds{"));
	free(out);
	free(t);
	assessment_free(&a);
	s->nics[0].rss = (struct mq_rss){0}; /* the table is on the stack */
	snap_free(s);
}

static void test_missing_counters_omitted(void **state)
{
	struct mq_snapshot *s = snap_new("0-1", "");
	struct mq_nic *n;
	struct mq_assessment a;
	struct prom_input in = {.a = &a};
	char *out;
	int r;

	(void)state;
	n = add_nic(s, "ens4", 2, 24, 2);
	for (unsigned q = 0; q < 2; q++)
		n->queues[q].rx_drops = n->queues[q].tx_drops = MQ_NA;
	n->queues[1].tx_bytes = MQ_NA;
	n->queues[0].rx_packets = 0;
	n->irqs[1].total = MQ_NA; /* vanished IRQ */
	assess_with(&a, s, NULL, 0);
	out = render(&in, &r);
	assert_int_equal(r, 0);
	check_exposition(out);
	/* a family with no samples leaves no HELP/TYPE either */
	assert_false(has_family(out, "mqbalance_queue_receive_drops_total"));
	assert_false(has_family(out, "mqbalance_queue_transmit_drops_total"));
	assert_int_equal(value_of(out, "mqbalance_queue_transmit_bytes_total{device=\"ens4\",queue=\"0\"}"),
			 3000000);
	assert_int_equal(value_of(out, "mqbalance_queue_transmit_bytes_total{device=\"ens4\",queue=\"1\"}"), -1);
	/* zero is a value, not a missing counter */
	assert_int_equal(value_of(out, "mqbalance_queue_receive_packets_total{device=\"ens4\",queue=\"0\"}"), 0);
	assert_int_equal(count_prefix(out, "mqbalance_irq_interrupts_total{"), 4);
	assert_int_equal(count_prefix(out, "mqbalance_irq_info{"), 5);
	/* one-shot: no tuning history, but the plan's target all the same */
	assert_false(has_family(out, "mqbalance_apply_failures_total"));
	assert_false(has_family(out, "mqbalance_last_apply_timestamp_seconds"));
	assert_int_equal(value_of(out, "mqbalance_channels_target{device=\"ens4\",type=\"combined\"}"), 2);
	assert_false(has_family(out, "mqbalance_finding"));
	assert_true(has_family(out, "mqbalance_findings"));
	free(out);
	assessment_free(&a);
	snap_free(s);
}

static void test_label_escaping(void **state)
{
	struct mq_snapshot *s = snap_new("0", "");
	struct mq_nic *n;
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .version = "v\"1\\x"};
	char *out;
	int r;

	(void)state;
	n = add_nic(s, "we\"ird", 1, 10, 1);
	snprintf(n->irqs[0].name, sizeof(n->irqs[0].name), "a \"q\\0\"\nb, c");
	snprintf(n->driver, sizeof(n->driver), "drv\\");
	assess_with(&a, s, NULL, 0);
	out = render(&in, &r);
	assert_int_equal(r, 0);
	check_exposition(out);
	/* a newline, like any control character, is written as the text \x0a */
	assert_non_null(strstr(out, "name=\"a \\\"q\\\\0\\\"\\\\x0ab, c\""));
	assert_non_null(strstr(out, "mqbalance_build_info{version=\"v\\\"1\\\\x\"} 1\n"));
	assert_non_null(strstr(out, "device=\"we\\\"ird\""));
	assert_non_null(strstr(out, "driver=\"drv\\\\\""));
	/* no raw newline escaped the label: every line is a comment or a mqbalance_ sample */
	for (const char *l = out; *l; l = strchr(l, '\n') + 1)
		assert_true(l[0] == '#' || strncmp(l, "mqbalance_", 10) == 0);
	free(out);
	assessment_free(&a);
	snap_free(s);
}

static void test_duplicates_dropped(void **state)
{
	struct mq_snapshot *s = snap_new("0-1", "");
	struct mq_nic *n;
	struct mq_tune_stats *t = calloc(1, sizeof(*t));
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .tune = t};
	char *out;
	int r;

	(void)state;
	assert_non_null(t);
	n = add_nic(s, "eth0", 2, 24, 2);
	n->queues[1].index = 0;   /* two queues claiming index 0 */
	n->irqs[2].irq = n->irqs[0].irq; /* one IRQ listed twice */
	add_nic(s, "eth0", 2, 50, 2); /* the same NIC twice */
	assess_with(&a, s, NULL, 0);
	/* tune table with a duplicate entry written by hand */
	t->nnics = 2;
	snprintf(t->nic[0].ifname, sizeof(t->nic[0].ifname), "eth0");
	snprintf(t->nic[1].ifname, sizeof(t->nic[1].ifname), "eth0");
	out = render(&in, &r);
	assert_int_equal(r, 0);
	check_exposition(out); /* asserts uniqueness */
	assert_int_equal(count_prefix(out, "mqbalance_queue_receive_packets_total{"), 1);
	assert_int_equal(count_prefix(out, "mqbalance_device_info{"), 1);
	assert_int_equal(count_prefix(out, "mqbalance_irq_info{"), 4);
	assert_int_equal(count_prefix(out, "mqbalance_apply_failures_total{"), _PLAN_KIND_MAX);
	free(out);
	free(t);
	assessment_free(&a);
	snap_free(s);
}

static void test_channel_types(void **state)
{
	struct mq_snapshot *s = snap_new("0-7", "6-7");
	struct mq_nic *gve, *veth;
	struct mq_tune_stats *t = calloc(1, sizeof(*t));
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .tune = t};
	char *out;
	int r;

	(void)state;
	assert_non_null(t);
	gve = add_nic(s, "ens5", 2, 30, 8);
	gve->ch = (struct mq_channels){.source = CHANNELS_NETLINK, .rx = 2, .tx = 2, .rx_max = 16, .tx_max = 16};
	veth = add_nic(s, "veth0", 1, 40, 8);
	veth->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	assess_with(&a, s, NULL, 0);
	out = render(&in, &r);
	assert_int_equal(r, 0);
	check_exposition(out);
	assert_int_equal(value_of(out, "mqbalance_cpus_usable"), 6);
	assert_int_equal(value_of(out, "mqbalance_channels{device=\"ens5\",type=\"rx\"}"), 2);
	assert_int_equal(value_of(out, "mqbalance_channels_max{device=\"ens5\",type=\"tx\"}"), 16);
	assert_int_equal(value_of(out, "mqbalance_channels{device=\"ens5\",type=\"combined\"}"), -1);
	/* the plan's target: min(16, 6 usable CPUs) rx and tx */
	assert_int_equal(value_of(out, "mqbalance_channels_target{device=\"ens5\",type=\"tx\"}"), 6);
	assert_int_equal(count_prefix(out, "mqbalance_channels{"), 2);
	assert_int_equal(count_prefix(out, "mqbalance_channels_target{"), 2);
	assert_null(strstr(out, "mqbalance_channels{device=\"veth0\""));
	assert_null(strstr(out, "mqbalance_channels_max{device=\"veth0\""));
	free(out);
	free(t);
	assessment_free(&a);
	snap_free(s);
}

static void test_empty_and_errors(void **state)
{
	struct mq_snapshot *s = snap_new("", "");
	struct mq_assessment a;
	struct prom_input in = {.a = &a};
	struct prom_input none = {0};
	struct mq_tune_stats *t = calloc(1, sizeof(*t));
	FILE *ro;
	char *out;
	int r;

	(void)state;
	assert_non_null(t);
	assess_with(&a, s, NULL, 0);
	out = render(&in, &r);
	assert_int_equal(r, 0);
	assert_true(check_exposition(out) >= 4);
	assert_int_equal(value_of(out, "mqbalance_cpus_online"), 0);
	/* the version compiled in (MQ_VERSION, from git describe) */
	assert_non_null(strstr(out, "\nmqbalance_build_info{version=\""));
	assert_null(strstr(out, "mqbalance_build_info{version=\"\"}"));
	free(out);

	out = render(&none, &r);
	assert_int_equal(r, -EINVAL);
	free(out);

	/* a stream that cannot be written: the error is reported, not swallowed */
	ro = fopen("/dev/null", "r");
	assert_non_null(ro);
	assert_int_equal(prom_render(ro, &in), -EIO);
	fclose(ro);

	/* the tune table is bounded */
	for (unsigned i = 0; i < MQ_TUNE_MAX_NICS; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "eth%u", i);
		assert_non_null(tune_stats_nic(t, name));
	}
	assert_null(tune_stats_nic(t, "one-more"));
	assert_non_null(tune_stats_nic(t, "eth7"));
	assert_string_equal(plan_kind_to_string(_PLAN_KIND_MAX), "invalid");
	free(t);
	assessment_free(&a);
	snap_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_missing_counters_omitted),
		cmocka_unit_test(test_label_escaping),
		cmocka_unit_test(test_duplicates_dropped),
		cmocka_unit_test(test_channel_types),
		cmocka_unit_test(test_empty_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
