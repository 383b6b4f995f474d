// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/report.h"
#include "tests/json_check.h"
#include "tests/fixture_snapshot.h"

/* Render to memory; returns malloc'd text. */
static char *render(const struct report_input *in)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_render_text(f, in), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	return text;
}

/* The line of text that starts (after spaces) with prefix, copied into buf. */
static const char *line_of(const char *text, const char *prefix, char *buf, size_t len)
{
	for (const char *p = text; p && *p;) {
		const char *s = p, *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);

		while (*s == ' ' && s < p + n)
			s++;
		if (strncmp(s, prefix, strlen(prefix)) == 0) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p = e ? e + 1 : NULL;
	}
	return NULL;
}

/* Whitespace-separated field i (0-based) of line. */
static const char *field(const char *line, unsigned i, char *buf, size_t len)
{
	const char *p = line;

	for (;;) {
		size_t n;

		p += strspn(p, " ");
		n = strcspn(p, " ");
		if (!n)
			return "";
		if (!i--) {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p += n;
	}
}

/* 4 CPUs, eth0 4 of 4 queues spread, a sample pair 2 s apart. */
static void pair(struct mq_snapshot *now, struct mq_snapshot *before)
{
	struct mq_nic *n;

	fx_init(before, 4);
	n = fx_nic(before, "eth0", "virtio_net", 4, 4);
	fx_virtio_irqs(n, 24, (int[]){0, 1, 2, 3});
	fx_xps_from_irqs(n);
	for (unsigned q = 0; q < 4; q++)
		fx_counters(n, q, 1000000, 100000000, 500000, 60000000);
	n->rx_packets = 4000000;
	n->tx_packets = 2000000;
	n->rx_bytes = 400000000;
	n->tx_bytes = 240000000;
	fx_copy(now, before);
	now->taken.tv_sec += 2;
	n = &now->nics[0];
	/* q0: 20000 pkts, 30 MB in 2 s; q1: 5000 pkts; q2, q3 idle. */
	n->queues[0].rx_packets += 20000;
	n->queues[0].rx_bytes += 30000000;
	n->queues[0].tx_packets += 4000;
	n->queues[0].tx_bytes += 400000;
	n->queues[0].rx_drops = 10;
	n->queues[0].tx_drops = MQ_NA;
	n->queues[1].rx_packets += 5000;
	n->queues[1].rx_bytes += 500000;
	n->rx_packets += 25000;
	n->rx_bytes += 30500000;
	n->tx_packets += 4000;
	n->tx_bytes += 400000;
}

static void test_rates(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char buf[256], f[32], *text;
	const char *l;
	(void)state;

	pair(&now, &before);
	fx_assess(&a, &now, &before, NULL);
	/* Findings are rendered as given. */
	fx_findings(&a, &(struct mq_finding){SEV_WARNING, FIND_RX_IMBALANCE, FIX_ADMIN, "eth0",
					      "eth0: rx-0 carries 80%", "RSS hashes flows to queues"}, 1);
	text = render(&in);
	assert_non_null(strstr(text, "rates over 2.0 s"));
	l = line_of(text, "queue ", buf, sizeof(buf));
	assert_non_null(l);
	assert_non_null(strstr(l, "rx pkt/s"));
	assert_non_null(strstr(l, "rx MB/s")); /* 15 MB/s on q0 picks MB */
	l = line_of(text, "0 ", buf, sizeof(buf));
	assert_non_null(l);
	assert_string_equal(field(l, 1, f, sizeof(f)), "25,26");  /* input.0, output.0 */
	assert_string_equal(field(l, 2, f, sizeof(f)), "0");      /* effective CPU */
	assert_string_equal(field(l, 3, f, sizeof(f)), "0");      /* XPS */
	assert_string_equal(field(l, 4, f, sizeof(f)), "10000");  /* 20000 / 2 s */
	assert_string_equal(field(l, 5, f, sizeof(f)), "15.0");   /* 30 MB / 2 s */
	assert_string_equal(field(l, 6, f, sizeof(f)), "2000");
	assert_string_equal(field(l, 7, f, sizeof(f)), "0.2");
	assert_string_equal(field(l, 8, f, sizeof(f)), "5");      /* rx drops 10/2 s, tx missing */
	assert_string_equal(field(l, 9, f, sizeof(f)), "80.0");
	l = line_of(text, "1 ", buf, sizeof(buf));
	assert_non_null(l);
	assert_string_equal(field(l, 4, f, sizeof(f)), "2500");
	assert_string_equal(field(l, 9, f, sizeof(f)), "20.0");
	assert_non_null(strstr(text, "queues 2-3: idle, irq cpus 2 3\n"));
	*strstr(text, "\nper CPU") = '\0'; /* the queue table only: CPU rows start with numbers too */
	assert_null(line_of(text, "2 ", buf, sizeof(buf)));
	l = line_of(text, "device", buf, sizeof(buf));
	assert_non_null(l);
	assert_string_equal(field(l, 1, f, sizeof(f)), "12500");
	assert_non_null(strstr(text + strlen(text) + 1, "warning  eth0: rx-0 carries 80%"));
	assert_non_null(strstr(text + strlen(text) + 1, "fix: RSS hashes flows to queues"));
	assert_null(strchr(text, '\033'));
	assert_null(strchr(text + strlen(text) + 1, '\033'));
	/* the assessment's verdict: 4 of 4, target 4 */
	assert_non_null(strstr(text, "4 rx / 4 tx active; target 4\n"));
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/* Per-CPU: CPU 1 busy in softirq, CPU 0 idle; numbers from the counters, a bar each, a finding. */
static void test_cpu_section(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char buf[256], *text;
	const char *l;
	(void)state;

	pair(&now, &before);
	for (unsigned c = 0; c < 4; c++) {
		struct mq_cpu_counters *b = &before.cpus.cpu[c].cnt, *n = &now.cpus.cpu[c].cnt;

		*b = (struct mq_cpu_counters){.net_rx = 1000, .net_tx = 1000, .ticks_total = 10000,
					      .ticks_irq = 0, .ticks_softirq = 100, .ticks_steal = 0,
					      .softnet_processed = 5000, .softnet_dropped = 7,
					      .softnet_squeezed = 9};
		*n = *b;
		n->ticks_total += 200; /* 2 s at 100 Hz */
		n->net_rx += c == 1 ? 30000 : 20;
		n->ticks_softirq += c == 1 ? 160 : 2;
		n->softnet_dropped += c == 1 ? 40 : 0;
	}
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	l = line_of(text, "per CPU over 2.0 s", buf, sizeof(buf));
	assert_non_null(l);
	l = line_of(text, "1  80% #######..", buf, sizeof(buf));
	if (!l)
		fail_msg("no CPU 1 row with 80%% in:\n%s", text);
	assert_non_null(strstr(l, " 15000 ")); /* NET_RX: 30000 in 2 s */
	/* the steal column is its own number (0%), not the softirq share again */
	assert_null(strstr(strstr(l, "80%") + 3, "80%"));
	assert_non_null(strstr(l, "eth0 1"));  /* queue 1's IRQs are on CPU 1 */
	assert_non_null(line_of(text, "0   1% .........", buf, sizeof(buf)));
	assert_non_null(strstr(text, "warning  CPU 1 spends 80% of its time in softirq while CPU 0 idles"));
	assert_non_null(strstr(text, "warning  CPU 1 dropped 20 packets/s"));
	for (char *p = strstr(text, "per CPU"), *e; p && *p && strncmp(p, "findings:", 9); p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		assert_true(e - p <= 80); /* readable over SSH at 80 columns */
	}
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

static void test_missing_counters(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char buf[256], f[32], *text;
	const char *l;
	(void)state;

	pair(&now, &before);
	fx_no_counters(&now.nics[0]);
	fx_no_counters(&before.nics[0]);
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	/* Nothing known is not idle: every queue has a row of "-". */
	assert_null(strstr(text, "idle"));
	for (unsigned q = 0; q < 4; q++) {
		char p[8];

		snprintf(p, sizeof(p), "%u ", q);
		l = line_of(text, p, buf, sizeof(buf));
		assert_non_null(l);
		for (unsigned i = 4; i <= 9; i++)
			assert_string_equal(field(l, i, f, sizeof(f)), "-");
	}
	/* Device totals still come from /sys statistics. */
	l = line_of(text, "device", buf, sizeof(buf));
	assert_string_equal(field(l, 1, f, sizeof(f)), "12500"); /* over the measured 2 s */
	assert_string_equal(field(l, 2, f, sizeof(f)), "15.2");  /* unit from the device row: MB/s */
	assert_non_null(strstr(text, "counters none"));
	free(text);

	/* Only tx counters missing: rx shown, tx "-", never 0. */
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
	pair(&now, &before);
	for (unsigned q = 0; q < 4; q++) {
		now.nics[0].queues[q].tx_packets = now.nics[0].queues[q].tx_bytes = MQ_NA;
		before.nics[0].queues[q].tx_packets = before.nics[0].queues[q].tx_bytes = MQ_NA;
	}
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	l = line_of(text, "0 ", buf, sizeof(buf));
	assert_string_equal(field(l, 4, f, sizeof(f)), "10000");
	assert_string_equal(field(l, 6, f, sizeof(f)), "-");
	assert_string_equal(field(l, 7, f, sizeof(f)), "-");
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/* Where each column came from, when the sources are mixed; why a down NIC has none. */
static void test_counter_sources(void **state)
{
	struct mq_snapshot now;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char buf[256], *text;
	(void)state;

	fx_init(&now, 2);
	fx_nic(&now, "eth0", "virtio_net", 2, 2); /* every column from qstats */
	n = fx_nic(&now, "eth1", "virtio_net", 2, 2); /* 6.12: drops from ethtool -S, tx drops nowhere */
	n->col_source[STATS_COL_RX_DROPS] = STATS_ETHTOOL;
	n->col_source[STATS_COL_TX_DROPS] = STATS_NONE;
	n = fx_nic(&now, "eth2", "virtio_net", 2, 2); /* down on 6.12: only rx drops */
	fx_no_counters(n);
	n->admin_up = false;
	n->stats_source = n->col_source[STATS_COL_RX_DROPS] = STATS_ETHTOOL;
	n->counters_missing = COUNTERS_MISSING_DOWN;
	n = fx_nic(&now, "eth3", "odd", 1, 1); /* rx from one source, tx from the other */
	n->stats_source = STATS_QSTATS;
	n->col_source[STATS_COL_TX_PACKETS] = n->col_source[STATS_COL_TX_BYTES] = STATS_ETHTOOL;
	n->col_source[STATS_COL_RX_DROPS] = n->col_source[STATS_COL_TX_DROPS] = STATS_NONE;
	fx_assess(&a, &now, NULL, NULL);
	text = render(&in);
	assert_string_equal(line_of(strstr(text, "eth0:"), "sources:", buf, sizeof(buf)),
			    "  sources:  counters qstats, irq map names");
	assert_string_equal(line_of(strstr(text, "eth1:"), "sources:", buf, sizeof(buf)),
			    "  sources:  counters qstats (packets, bytes), ethtool -S (rx drops), irq map names");
	assert_string_equal(line_of(strstr(text, "eth2:"), "sources:", buf, sizeof(buf)),
			    "  sources:  counters ethtool -S, irq map names");
	assert_string_equal(line_of(strstr(text, "eth2:"), "counters:", buf, sizeof(buf)),
			    "  counters: down: the kernel reports per-queue counters only for an interface that is up");
	assert_string_equal(line_of(strstr(text, "eth3:"), "sources:", buf, sizeof(buf)),
			    "  sources:  counters qstats (rx packets, rx bytes), ethtool -S (tx packets, tx bytes), "
			    "irq map names");
	/* Only the down NIC has a reason line. */
	assert_true(strstr(text, "  counters: ") > strstr(text, "eth2:"));
	assert_null(strstr(strstr(text, "eth3:"), "  counters: "));
	free(text);
	assessment_free(&a);
	fx_free(&now);
}

static void test_totals(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char buf[256], f[32], *text;
	const char *l;
	(void)state;

	pair(&now, &before);
	now.nics[0].queues[3].rx_packets = 0;
	now.nics[0].queues[3].tx_packets = 0;
	fx_assess(&a, &now, NULL, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "counters since boot"));
	assert_null(strstr(text, "rates over"));
	assert_null(strstr(text, "/s"));
	l = line_of(text, "0 ", buf, sizeof(buf));
	assert_string_equal(field(l, 4, f, sizeof(f)), "1.0M");  /* 1020000 */
	assert_non_null(strstr(text, "queue 3: idle, irq cpus 3\n"));
	assert_non_null(strstr(text, "findings: none"));
	free(text);

	/* a before taken at the same time: no interval, still totals. */
	assessment_free(&a);
	before.taken = now.taken;
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "counters since boot"));
	l = line_of(text, "0 ", buf, sizeof(buf));
	assert_string_equal(field(l, 4, f, sizeof(f)), "1.0M"); /* the total, not a difference */
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

static void test_channels_and_machine(void **state)
{
	struct mq_snapshot now;
	struct mq_config cfg;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&now, 4);
	fx_config(&cfg);
	cpuset_set(cpuset_buf(&cfg.banned_cpus), 3);
	now.cpus.isolated = fx_cpu(&now.cpus.sets, 2);
	now.platform.irqbalance_pid = 42;
	snprintf(now.platform.hypervisor, sizeof(now.platform.hypervisor), "kvm");
	snprintf(now.platform.cloud, sizeof(now.platform.cloud), "gce");
	n = fx_nic(&now, "eth0", "virtio_net", 1, 1);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	fx_irq(n, 24, "virtio0-config", IRQ_ROLE_CONFIG, -1, 1);
	fx_irq(n, 25, "virtio0-virtqueues", IRQ_ROLE_SHARED, -1, 0);
	n->irq_shared = true;
	n = fx_nic(&now, "ens4", "gve", 2, 2);
	n->ch = (struct mq_channels){.source = CHANNELS_IOCTL, .rx = 2, .tx = 2, .rx_max = 16, .tx_max = 16};
	fx_assess(&a, &now, NULL, &cfg);
	text = render(&in);
	assert_non_null(strstr(text, "4 online (0-3), 2 usable (0-1)"));
	assert_non_null(strstr(text, "isolated 2;"));
	assert_non_null(strstr(text, "banned 3;"));
	assert_non_null(strstr(text, "irqbalance: running (pid 42)"));
	assert_non_null(strstr(text, "kvm; cloud gce"));
	assert_non_null(strstr(text, "channels: n/a (Operation not supported)"));
	assert_non_null(strstr(text, "channels: rx 2 of 16, tx 2 of 16 (ioctl)"));
	assert_non_null(strstr(text, "other irqs: 24 virtio0-config (config, cpu 1), 25 virtio0-virtqueues (shared, cpu 0)"));
	free(text);

	/* Colour only when asked; irqbalance in yellow unless it runs our policy script. */
	in.color = true;
	text = render(&in);
	assert_non_null(strstr(text, "\033[1m"));
	assert_non_null(strstr(text, "irqbalance: \033[33mrunning (pid 42)"));
	free(text);
	now.platform.irqbalance_policy_ours = true;
	text = render(&in);
	assert_non_null(strstr(text, "irqbalance: running (pid 42) with mqbalance's policy script: "
				     "leaves the queue IRQs alone\n"));
	free(text);
	/* no irqbalance; the machine's vendor and product, a space between only when both */
	in.color = false;
	now.platform.irqbalance_pid = 0;
	snprintf(now.platform.sys_vendor, sizeof(now.platform.sys_vendor), "QEMU");
	snprintf(now.platform.product_name, sizeof(now.platform.product_name), "X");
	text = render(&in);
	assert_non_null(strstr(text, "irqbalance: not running\n"));
	assert_null(strstr(text, "pid"));
	assert_non_null(strstr(text, "platform:   kvm; cloud gce; QEMU X\n"));
	free(text);
	now.platform.hypervisor[0] = now.platform.cloud[0] = now.platform.sys_vendor[0] = '\0';
	text = render(&in);
	assert_non_null(strstr(text, "platform:   X\n"));
	free(text);
	now.platform.product_name[0] = '\0';
	text = render(&in);
	assert_non_null(strstr(text, "platform:   unknown\n"));
	free(text);
	assessment_free(&a);
	config_free(&cfg);
	fx_free(&now);
}

static void test_wrap(void **state)
{
	struct mq_snapshot now;
	struct mq_finding fd = {SEV_INFO, FIND_DEVICE_FEWER_QUEUES, FIX_HOST, "eth0", "short", ""};
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char *text;
	(void)state;

	fx_init(&now, 2);
	memset(fd.fix, 'x', 30);
	for (int i = 0; i < 7; i++)
		memcpy(fd.fix + 30 + i * 30, " word word word word word word", 30);
	fx_assess(&a, &now, NULL, NULL);
	fx_findings(&a, &fd, 1);
	text = render(&in);
	for (char *p = text, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		assert_true(e - p <= 100);
	}
	assert_non_null(strstr(text, "fix: xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx word"));
	free(text);
	assessment_free(&a);

	/* a word that ends exactly at column 100 stays on its line; one more column wraps */
	memset(fd.fix, 0, sizeof(fd.fix));
	memset(fd.message, 0, sizeof(fd.message));
	memset(fd.message, 'y', 87);
	strcat(fd.message, " x yy");
	fx_assess(&a, &now, NULL, NULL);
	fx_findings(&a, &fd, 1);
	text = render(&in);
	assert_non_null(strstr(text, "  info     yyyy"));
	assert_non_null(strstr(text, "yyy x\n           yy\n"));
	free(text);
	assessment_free(&a);
	fx_free(&now);
}

static unsigned rnd(unsigned *seed, unsigned n)
{
	*seed = *seed * 1103515245 + 12345;
	return n ? (*seed >> 8) % n : 0;
}

static uint64_t rnd_counter(unsigned *seed)
{
	switch (rnd(seed, 5)) {
	case 0: return MQ_NA;
	case 1: return 0;
	case 2: return UINT64_MAX - 1;
	default: return rnd(seed, 1000000);
	}
}

/* Odd but possible snapshots: every renderer and the findings survive them (run under ASan). */
static void test_random_snapshots(void **state)
{
	unsigned seed = 7;
	(void)state;

	for (int round = 0; round < 300; round++) {
		struct mq_snapshot now, before;
		struct mq_assessment a;
		struct report_input in = {.a = &a};
		char *text = NULL;
		size_t len = 0;
		FILE *f;

		fx_init(&before, 1 + rnd(&seed, 70));
		for (unsigned k = rnd(&seed, 3); k > 0; k--) {
			struct mq_nic *n = fx_nic(&before, rnd(&seed, 2) ? "eth0" : "eth1", "virtio_net",
						  rnd(&seed, 9), rnd(&seed, 9));

			n->irq_shared = rnd(&seed, 4) == 0;
			n->xdp = rnd(&seed, 4) == 0;
			n->ch.source = (enum mq_channels_source)rnd(&seed, _CHANNELS_SOURCE_MAX);
			n->ch.rx_max = rnd(&seed, 3);
			n->ch.err = -(int)rnd(&seed, 130);
			/* one past the end too: a corrupt value renders as "invalid", never crashes */
			n->stats_source = (enum mq_stats_source)rnd(&seed, _STATS_SOURCE_MAX + 1);
			for (unsigned c = 0; c < _STATS_COL_MAX; c++)
				n->col_source[c] = (enum mq_stats_source)rnd(&seed, _STATS_SOURCE_MAX + 1);
			n->counters_missing = (enum mq_counters_missing)rnd(&seed, _COUNTERS_MISSING_MAX + 1);
			for (unsigned i = rnd(&seed, 12); i > 0; i--)
				fx_irq(n, rnd(&seed, 300), "x", (enum mq_irq_role)rnd(&seed, _IRQ_ROLE_MAX),
				       (int)rnd(&seed, 12) - 2, (int)rnd(&seed, 80) - 10);
			for (unsigned q = 0; q < n->nqueues; q++) {
				struct mq_queue *qu = &n->queues[q];

				qu->irq_rx = (int)rnd(&seed, 16) - 3; /* out of range on purpose */
				qu->irq_tx = (int)rnd(&seed, 16) - 3;
				qu->has_rx = rnd(&seed, 5) != 0;
				qu->has_xps = rnd(&seed, 3) != 0;
				qu->xps = fx_cpu(&n->sets, rnd(&seed, MQ_MAX_CPUS));
				qu->rx_packets = rnd_counter(&seed);
				qu->tx_packets = rnd_counter(&seed);
				qu->rx_bytes = rnd_counter(&seed);
				qu->tx_bytes = rnd_counter(&seed);
				qu->rx_drops = rnd_counter(&seed);
				qu->tx_drops = rnd_counter(&seed);
			}
			n->rx_packets = rnd_counter(&seed);
		}
		fx_copy(&now, &before);
		now.taken.tv_sec += rnd(&seed, 3);
		for (unsigned i = 0; i < now.nnics; i++)
			for (unsigned q = 0; q < now.nics[i].nqueues; q++) {
				now.nics[i].queues[q].rx_packets = rnd_counter(&seed);
				now.nics[i].queues[q].tx_bytes = rnd_counter(&seed);
			}
		if (rnd(&seed, 2) && now.nnics)
			now.nics[0].nqueues = 0; /* channel change between samples */
		now.platform.irqbalance_pid = (pid_t)rnd(&seed, 3);
		assert_int_equal(assess(&now, rnd(&seed, 2) ? &before : NULL, NULL, &a), 0);
		in.color = rnd(&seed, 2);
		f = open_memstream(&text, &len);
		assert_non_null(f);
		assert_int_equal(report_render_text(f, &in), 0);
		assert_int_equal(fclose(f), 0);
		free(text);
		f = open_memstream(&text, &len);
		assert_non_null(f);
		assert_int_equal(report_render_json(f, &in), 0);
		assert_int_equal(fclose(f), 0);
		assert_true(json_valid(text, len));
		free(text);
		assessment_free(&a);
		if (now.nnics)
			now.nics[0].nqueues = before.nics[0].nqueues;
		fx_free(&now);
		fx_free(&before);
	}
}

static void test_many_idle(void **state)
{
	struct mq_snapshot now;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	int cpus[64];
	char *text;
	(void)state;

	fx_init(&now, 64);
	for (int i = 0; i < 64; i++)
		cpus[i] = i;
	fx_virtio_irqs(fx_nic(&now, "eth0", "virtio_net", 64, 64), 24, cpus);
	fx_nic(&now, "veth0", "veth", 2, 2); /* no IRQs: just "idle" */
	fx_assess(&a, &now, NULL, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "queues 0-63: idle, irq cpus 0 1 2 3 4 5 6 7 8 9 10"));
	assert_non_null(strstr(text, " ...\n"));
	assert_non_null(strstr(text, "queues 0-1: idle\n"));
	for (char *p = text, *e; *p; p = e + 1) {
		e = strchr(p, '\n');
		assert_non_null(e);
		assert_true(e - p <= 100);
	}
	free(text);
	assessment_free(&a);
	fx_free(&now);
}

static void test_bad_input(void **state)
{
	struct report_input in = {0};
	(void)state;
	assert_int_equal(report_render_text(stdout, &in), -EINVAL);
	assert_int_equal(report_render_text(NULL, &in), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_cpu_section),
		cmocka_unit_test(test_missing_counters),
		cmocka_unit_test(test_counter_sources),
		cmocka_unit_test(test_totals),
		cmocka_unit_test(test_channels_and_machine),
		cmocka_unit_test(test_wrap),
		cmocka_unit_test(test_random_snapshots),
		cmocka_unit_test(test_many_idle),
		cmocka_unit_test(test_bad_input),
	};

	return cmocka_run_group_tests_name("report", tests, NULL, NULL);
}
