// SPDX-License-Identifier: MIT
/*
 * The text report at its edges (output/report.c, output/text.c): number
 * formats at each boundary, rates over exactly one second, every "kept
 * free" kind of CPU. tests/test_report.c has the ordinary report.
 */
#include <errno.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/report.h"
#include "output/text.h"
#include "tests/count_of.h"
#include "tests/fixture_snapshot.h"

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

/* Each branch of a table cell: "-", one decimal below 10, whole numbers, k M G past 99999. */
static void test_text_num(void **state)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = {
		{NAN, "-"},          {0, "0"},          {0.25, "0.2"},        {9.95, "9.9"},
		{9.96, "10.0"},      {10, "10"},        {3, "3"},             {99999, "99999"},
		{99999.4, "99999"},  {100000, "100.0k"}, {123456, "123.5k"}, {999949, "999.9k"},
		{1000000, "1.0M"},   {2.5e9, "2.5G"},   {7.5e12, "7.5T"},     {3e18, "3.0E"},       {5e21, "5000.0E"},
		{-5, "-5"},
	};
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		if (strcmp(text_num(cases[i].v, buf, sizeof(buf)), cases[i].want) != 0)
			fail_msg("text_num(%g) = '%s', want '%s'", cases[i].v, buf, cases[i].want);
	assert_ptr_equal(text_num(1, buf, sizeof(buf)), buf);
}

/* One queue, 30 MB and 20000 packets received over exactly 1 s (the default interval). */
static void test_one_second(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&before, 2);
	n = fx_nic(&before, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (int[]){0, 1});
	fx_xps_from_irqs(n);
	fx_counters(n, 0, 1000, 100000, 0, 0);
	fx_counters(n, 1, 0, 0, 0, 0);
	n->rx_packets = n->tx_packets = n->rx_bytes = n->tx_bytes = 0;
	n->irqs[1].n_per_cpu = 2; /* IRQ 25, queue 0's RX */
	n->irqs[1].per_cpu = fx_xcalloc(2, sizeof(uint64_t));
	fx_copy(&now, &before);
	now.taken.tv_sec += 1;
	n = &now.nics[0];
	n->irqs[1].per_cpu[0] = 1500;
	n->queues[0].rx_packets += 20000;
	n->queues[0].rx_bytes += 30000000;
	n->queues[1].tx_packets += 3;
	n->queues[1].tx_bytes += 1500;
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "rates over 1.0 s"));
	/* rx B/s in MB/s with one decimal, not a bare count: the rate path, not the totals one */
	assert_non_null(strstr(text, "  0      25,26       0      0            20000      30.0         0       0.0"));
	assert_non_null(strstr(text, "  1      27,28       1      1                0       0.0         3       0.0"));
	/* queue IRQs per second are a rate over exactly 1 s too */
	assert_non_null(strstr(text, "\n    0    -               -      0      0   1500     0     0  eth0 0\n"));
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

static char *watch(const struct mq_assessment *a, unsigned rows)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(watch_render(f, a, 80, rows, "12:00:00"), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	return text;
}

/*
 * A --watch frame (output/watch.c): at most 8 CPU rows, the rest named on
 * one line; only the NICs of the snapshot count as queues; a frame too short
 * for every queue says so.
 */
static void test_watch_frame(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&before, 16);
	n = fx_nic(&before, "eth0", "virtio_net", 4, 4);
	fx_virtio_irqs(n, 24, (int[]){0, 1, 2, 3});
	for (unsigned q = 0; q < 4; q++)
		fx_counters(n, q, 1000, 100000, 1000, 100000);
	/* a second NIC past nnics: an array slot the frame must not count */
	n = fx_nic(&before, "eth1", "virtio_net", 64, 64);
	fx_copy(&now, &before);
	now.nnics = before.nnics = 1;
	now.taken.tv_sec += 2;
	fx_assess(&a, &now, &before, NULL);
	text = watch(&a, 100);
	assert_non_null(strstr(text, "mqbalance --watch  12:00:00  every 2.0 s"));
	assert_int_equal(count_of(text, "\n   15 "), 0);
	assert_non_null(strstr(text, "  (8 more: 8-15)\n"));
	assert_null(strstr(text, "more queues than fit"));
	free(text);
	/* 20 rows: 8 of them CPUs, room for 3 of the 4 queues */
	text = watch(&a, 20);
	assert_non_null(strstr(text, "(more queues than fit: a taller terminal shows them)"));
	free(text);
	assessment_free(&a);
	now.nnics = before.nnics = 2;
	fx_free(&now);
	fx_free(&before);
}

/* Isolated, nohz_full and banned CPUs: each named once on the "kept free" line. */
static void test_kept_free(void **state)
{
	struct mq_snapshot now;
	struct mq_config cfg;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	char *text;
	(void)state;

	fx_init(&now, 8);
	fx_config(&cfg);
	fx_nic(&now, "eth0", "virtio_net", 1, 1);
	now.cpus.nohz_full = fx_set(&now.cpus.sets, "5-7");
	fx_assess(&a, &now, NULL, &cfg);
	text = render(&in);
	assert_non_null(strstr(text, "            kept free: nohz_full 5-7;\n"));
	assert_null(strstr(text, "isolated"));
	free(text);
	assessment_free(&a);

	now.cpus.isolated = fx_set(&now.cpus.sets, "6-7");
	cpuset_set(cpuset_buf(&cfg.banned_cpus), 1);
	fx_assess(&a, &now, NULL, &cfg);
	text = render(&in);
	assert_non_null(strstr(text, "            kept free: isolated 6-7; nohz_full 5-7; banned 1;\n"));
	free(text);
	assessment_free(&a);

	now.cpus.isolated = now.cpus.nohz_full = NULL;
	cpuset_zero(cpuset_buf(&cfg.banned_cpus));
	fx_assess(&a, &now, NULL, &cfg);
	text = render(&in);
	assert_null(strstr(text, "kept free"));
	free(text);
	assessment_free(&a);
	config_free(&cfg);
	fx_free(&now);
}

/*
 * Idle queues collapse into one line of at most 100 columns listing where
 * each queue's IRQs land; an entry is kept only while " ..." still fits
 * after it, the last one needs no such room. Checked for 2..70 queues
 * against that rule, which puts the cut at every possible column.
 */
static void test_idle_line_width(void **state)
{
	(void)state;

	for (unsigned nq = 2; nq <= 70; nq++) {
		struct mq_snapshot now;
		struct mq_assessment a;
		struct report_input in = {.a = &a};
		struct mq_nic *n;
		char want[256], *text, *l, *e;
		int cpus[70];
		size_t len;

		for (unsigned q = 0; q < nq; q++)
			cpus[q] = (int)(q * 7 % 16);
		fx_init(&now, 16);
		n = fx_nic(&now, "eth0", "virtio_net", nq, nq);
		fx_virtio_irqs(n, 24, cpus);
		fx_assess(&a, &now, NULL, NULL);
		len = (size_t)snprintf(want, sizeof(want), "  queues 0-%u: idle", nq - 1);
		for (unsigned q = 0; q < nq; q++) {
			char entry[16];
			size_t k = (size_t)snprintf(entry, sizeof(entry), "%s%d", q ? " " : ", irq cpus ",
						    cpus[q]);

			if (len + k + (q + 1 < nq ? 4 : 0) > 100) {
				snprintf(want + len, sizeof(want) - len, " ...");
				break;
			}
			memcpy(want + len, entry, k + 1);
			len += k;
		}
		text = render(&in);
		l = strstr(text, "  queues 0-");
		assert_non_null(l);
		e = strchr(l, '\n');
		assert_non_null(e);
		*e = '\0';
		if (strcmp(l, want) != 0)
			fail_msg("%u queues:\n got '%s'\nwant '%s'", nq, l, want);
		assert_true(strlen(l) <= 100);
		free(text);
		assessment_free(&a);
		fx_free(&now);
	}
}

/*
 * A NIC's header and table: "tuned by mqbalance since" only once it was;
 * the RSS line of an even table; the byte unit from the busiest of queues
 * and device (here the device's transmit side) per second, also over less
 * than a second. JSON says why channels are unknown from the errno alone.
 */
/* The RSS line of a table that leaves queues out: their list, or their count
 * when the list would not fit. */
static void test_rss_left_out(void **state)
{
	struct mq_snapshot snap;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&snap, 2);
	n = fx_nic(&snap, "eth0", "virtio_net", 4, 4);
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 4, .key_size = 40, .hfunc = 1};
	n->rss.indir = fx_xcalloc(4, sizeof(uint32_t));
	n->rss.indir[1] = n->rss.indir[3] = 1;
	n = fx_nic(&snap, "eth1", "virtio_net", 128, 128);
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 256, .key_size = 40, .hfunc = 1};
	n->rss.indir = fx_xcalloc(256, sizeof(uint32_t));
	for (unsigned i = 0; i < 256; i++)
		n->rss.indir[i] = 2 * i % 128; /* even queues only: 64 odd ones left out */
	fx_assess(&a, &snap, NULL, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "  rss:      4 entries, toeplitz, 40-byte key: 2 of 4 RX queues, 2-3 left out\n"));
	assert_non_null(strstr(text, "  rss:      256 entries, toeplitz, 40-byte key: 64 of 128 RX queues, 64 left out\n"));
	free(text);
	assessment_free(&a);
	snapshot_free(&snap);
}

static void test_nic_details(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&before, 2);
	n = fx_nic(&before, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (int[]){0, 1});
	fx_xps_from_irqs(n);
	n->rx_packets = n->tx_packets = n->rx_bytes = n->tx_bytes = 0;
	n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 4, .key_size = 40, .hfunc = 1};
	n->rss.indir = fx_xcalloc(4, sizeof(uint32_t));
	n->rss.indir[1] = n->rss.indir[3] = 1;
	n = fx_nic(&before, "eth1", "", 1, 1);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	fx_copy(&now, &before);
	now.taken.tv_nsec += 500000000; /* 0.5 s */
	now.nics[0].tx_bytes = 600000; /* 1.2 MB/s: MB/s, though 600 kB in the interval */
	now.nics[0].queues[0].rx_bytes = 400000;
	now.nics[0].queues[0].rx_packets = 400;
	now.nics[0].tuned_since = 0;
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	assert_null(strstr(text, "tuned by"));
	assert_non_null(strstr(text, "  rss:      4 entries, toeplitz, 40-byte key: even over 2 RX queues (busiest 50%)\n"));
	assert_non_null(strstr(text, "  queue  irqs        cpus   xps       rx pkt/s   rx MB/s  tx pkt/s   tx MB/s  drop/s    rx%\n"));
	assert_non_null(strstr(text, "  device                                     0       0.0         0       1.2       0      -\n"));
	assert_non_null(strstr(text, "\n  0      25,26       0      0              800       0.8         0       0.0       0  100.0\n"));
	assert_non_null(strstr(text, "\neth1: unknown driver 0000:00:04.0, up, mtu 1500\n"));
	free(text);
	{
		char *json = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&json, &len);

		assert_non_null(f);
		assert_int_equal(report_render_json(f, &in), 0);
		assert_int_equal(fclose(f), 0);
		assert_non_null(strstr(json, "\"channels\":null,\"channels_error\":\"Operation not supported\""));
		free(json);
	}
	assessment_free(&a);
	/* two samples of one moment: no rates (not a division by zero), the counts since boot */
	now.taken = before.taken;
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	assert_non_null(strstr(text, ": counters since boot, no rates (k = 1000, B = bytes)\n"));
	assert_null(strstr(text, "inf "));
	assert_null(strstr(text, "inf\n"));
	assert_null(strstr(text, "nan"));
	free(text);
	assessment_free(&a);
	now.taken.tv_nsec += 500000000;
	now.nics[0].tuned_since = 365 * 86400;
	fx_assess(&a, &now, &before, NULL);
	text = render(&in);
	assert_non_null(strstr(text, ", tuned by mqbalance since 1971-01-01 00:00 UTC\n"));
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/*
 * Read without CAP_NET_ADMIN: what was refused, per NIC and kind; a note of
 * any length; a channels line too long for the width goes on under itself.
 */
static void test_privilege_and_notes(void **state)
{
	struct mq_snapshot snap;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	char *text, *p;
	(void)state;

	fx_init(&snap, 2);
	snap.unprivileged = true;
	fx_nic(&snap, "eth0", "virtio_net", 2, 2);
	fx_assess(&a, &snap, NULL, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "\nprivilege:  read-only (no CAP_NET_ADMIN): nothing was refused\n"));
	free(text);
	assessment_free(&a);

	n = &snap.nics[0];
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EPERM};
	snprintf(n->errmsg, sizeof(n->errmsg), "xps: Permission denied");
	n = fx_nic(&snap, "eth1", "virtio_net", 2, 2);
	snprintf(n->errmsg, sizeof(n->errmsg), "?");
	n = fx_nic(&snap, "eth2", "mlx5_core", 2, 2);
	n->ch = (struct mq_channels){.source = CHANNELS_NETLINK, .combined = 1, .combined_max = 4000000000u,
				     .rx = 1, .rx_max = 4000000000u, .tx = 1, .tx_max = 4000000000u,
				     .other = 1, .other_max = 4000000000u};
	snprintf(n->errmsg, sizeof(n->errmsg), "rss: Operation not permitted");
	fx_assess(&a, &snap, NULL, NULL);
	text = render(&in);
	assert_non_null(strstr(text, "\nprivilege:  read-only (no CAP_NET_ADMIN): refused: eth0 channels, "
				     "eth0 queues or IRQs, eth2 queues or IRQs\n"));
	assert_non_null(strstr(text, "\n  note:     xps: Permission denied\n"));
	assert_non_null(strstr(text, "\n  note:     ?\n"));
	p = strstr(text, "\n  channels: combined 1 of 4000000000, rx 1 of 4000000000, tx 1 of 4000000000, "
			 "other 1 of 4000000000\n");
	assert_non_null(p);
	assert_non_null(strstr(p + 1, "\n            (netlink)\n")); /* under the text, at column 12 */
	free(text);
	assessment_free(&a);
	fx_free(&snap);
}

/* The rate unit is the largest that keeps the busiest rate >= 1: at each boundary and just below. */
static void test_byte_unit(void **state)
{
	static const struct {
		uint64_t bytes; /* received on queue 0 in the one second */
		const char *unit;
	} cases[] = {
		{0, "B/s"}, {999, "B/s"}, {1000, "kB/s"}, {999999, "kB/s"}, {1000000, "MB/s"},
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_snapshot now, before;
		struct mq_assessment a;
		struct report_input in = {.a = &a};
		struct mq_nic *n;
		char *text, rx[32], tx[32];

		fx_init(&before, 1);
		n = fx_nic(&before, "eth0", "virtio_net", 1, 1);
		fx_virtio_irqs(n, 24, (int[]){0});
		fx_counters(n, 0, 0, 0, 0, 0);
		n->rx_packets = n->tx_packets = n->rx_bytes = n->tx_bytes = 0;
		fx_copy(&now, &before);
		now.taken.tv_sec += 1;
		now.nics[0].queues[0].rx_packets = 1;
		now.nics[0].queues[0].rx_bytes = cases[i].bytes;
		fx_assess(&a, &now, &before, NULL);
		text = render(&in);
		snprintf(rx, sizeof(rx), " rx %s ", cases[i].unit);
		snprintf(tx, sizeof(tx), " tx %s ", cases[i].unit);
		if (!strstr(text, rx) || !strstr(text, tx))
			fail_msg("%llu B in 1 s: want %s in\n%s", (unsigned long long)cases[i].bytes,
				 cases[i].unit, text);
		free(text);
		assessment_free(&a);
		fx_free(&now);
		fx_free(&before);
	}
}

/* Where an idle queue's IRQs land: the effective CPUs, else the requested ones, else "?". */
static void test_idle_irq_cpus(void **state)
{
	static const struct {
		bool effective, affinity;
		const char *line;
	} cases[] = {
		{true, true, "queues 0-1: idle, irq cpus 0 1\n"},
		{false, true, "queues 0-1: idle, irq cpus 0 1\n"},
		{true, false, "queues 0-1: idle, irq cpus 0 1\n"},
		{false, false, "queues 0-1: idle, irq cpus 0 ?\n"},
		{true, true, "queues 0-1: idle, irq cpus 0 none\n"}, /* effective set empty */
	};
	CPUSET_DEFINE(none);
	(void)state;
	cpuset_zero(none);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_snapshot s;
		struct mq_assessment a;
		struct report_input in = {.a = &a};
		struct mq_nic *n;
		char *text;

		fx_init(&s, 2);
		n = fx_nic(&s, "eth0", "virtio_net", 2, 2);
		fx_virtio_irqs(n, 24, (int[]){0, 1});
		fx_counters(n, 0, 0, 0, 0, 0);
		fx_counters(n, 1, 0, 0, 0, 0);
		for (unsigned k = 0; k < n->nirqs; k++)
			if (n->irqs[k].queue == 1) {
				n->irqs[k].has_effective = cases[i].effective;
				n->irqs[k].has_affinity = cases[i].affinity;
				if (i == 4)
					n->irqs[k].effective = none;
			}
		fx_assess(&a, &s, NULL, NULL);
		text = render(&in);
		if (!strstr(text, cases[i].line))
			fail_msg("effective %d, affinity %d: want %s in\n%s", cases[i].effective,
				 cases[i].affinity, cases[i].line, text);
		free(text);
		assessment_free(&a);
		fx_free(&s);
	}
}

/*
 * The findings close the report: each one, its fix only when it has one,
 * and nothing after the last (the array holds one more, not a finding).
 */
static void test_findings_list(void **state)
{
	static const struct mq_finding fd[3] = {
		{SEV_ERROR, FIND_RX_IMBALANCE, FIX_ADMIN, "eth0", "eth0: one queue", "spread it"},
		{SEV_INFO, FIND_CHANNELS_UNKNOWN, FIX_NONE, "eth1", "eth1: unknown", ""},
		{SEV_WARNING, FIND_IRQBALANCE_RUNNING, FIX_ADMIN, "", "past the end", "no"},
	};
	struct mq_snapshot now;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	const char *tail;
	char *text;
	(void)state;

	fx_init(&now, 2);
	fx_assess(&a, &now, NULL, NULL);
	fx_findings(&a, fd, 3);
	a.nfindings = 2;
	text = render(&in);
	tail = strstr(text, "\nfindings:");
	assert_non_null(tail);
	assert_string_equal(tail, "\nfindings:\n  error    eth0: one queue\n           fix: spread it\n"
				  "  info     eth1: unknown\n");
	free(text);
	a.nfindings = 0;
	text = render(&in);
	tail = strstr(text, "\nfindings:");
	assert_non_null(tail);
	assert_string_equal(tail, "\nfindings: none\n");
	free(text);
	assessment_free(&a);
	fx_free(&now);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_text_num),
		cmocka_unit_test(test_one_second),
		cmocka_unit_test(test_kept_free),
		cmocka_unit_test(test_idle_line_width),
		cmocka_unit_test(test_watch_frame),
		cmocka_unit_test(test_rss_left_out),
		cmocka_unit_test(test_nic_details),
		cmocka_unit_test(test_privilege_and_notes),
		cmocka_unit_test(test_byte_unit),
		cmocka_unit_test(test_idle_irq_cpus),
		cmocka_unit_test(test_findings_list),
	};
	return cmocka_run_group_tests_name("report_edges", tests, NULL, NULL);
}
