// SPDX-License-Identifier: MIT
/*
 * What --watch and the report's per-CPU section print (output/watch.c,
 * output/cpus.c), compared whole: every column, the cut to the terminal's
 * width and height, the bars and the "more" lines. tests/test_report_edges.c
 * checks the frame's row budget against a 16-CPU machine.
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
#include "tests/fixture_snapshot.h"

static char *watch(const struct mq_assessment *a, unsigned cols, unsigned rows)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(watch_render(f, a, cols, rows, "12:00:00"), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	return text;
}

static char *cpus(const struct mq_assessment *a, bool color, unsigned max_rows)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_render_cpus(f, a, color, max_rows), 0);
	assert_int_equal(fclose(f), 0);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	return text;
}

static void expect(const char *got, const char *want)
{
	if (strcmp(got, want) != 0)
		fail_msg("got:\n%s\nwant:\n%s", got, want);
}

/*
 * 4 CPUs, eth0 with 3 queues over 2 s: queue 0 on CPU 0, queue 1's input
 * IRQ on CPU 1 and its output IRQ on CPU 2, queue 2 on CPU 3; lo never shown.
 * CPU c spent c * 25 % of its time in softirq.
 */
static void pair(struct mq_snapshot *now, struct mq_snapshot *before)
{
	struct mq_nic *n;

	fx_init(before, 4);
	fx_nic(before, "lo", "", 1, 1);
	n = fx_nic(before, "eth0", "virtio_net", 3, 3);
	fx_virtio_irqs(n, 24, (int[]){0, 1, 3});
	n->irqs[4].affinity = n->irqs[4].effective = fx_cpu(&n->sets, 2); /* output.1 */
	fx_xps_from_irqs(n);
	for (unsigned k = 1; k <= 5; k += k == 2 ? 3 : 1) { /* input.0, output.0, input.2 count per CPU */
		n->irqs[k].n_per_cpu = 4;
		n->irqs[k].per_cpu = fx_xcalloc(4, sizeof(uint64_t));
	}
	for (unsigned q = 0; q < 3; q++)
		fx_counters(n, q, 1000, 100000, 1000, 100000);
	for (unsigned c = 0; c < 4; c++)
		before->cpus.cpu[c].cnt = (struct mq_cpu_counters){
			.net_rx = 1000, .net_tx = 1000, .ticks_total = 10000, .ticks_softirq = 100,
			.softnet_processed = 5000, .softnet_dropped = 7, .softnet_squeezed = 9};
	fx_copy(now, before);
	now->taken.tv_sec += 2;
	n = &now->nics[1];
	fx_counters(n, 0, 1000 + 2000, 100000 + 3000000, 1000 + 20, 100000 + 2000);
	fx_counters(n, 1, 1000 + 200, 100000 + 300000, 1000 + 400, 100000 + 60000);
	n->queues[0].rx_drops = 10;
	n->queues[1].tx_drops = 4;
	n->irqs[1].per_cpu[0] = 200;
	n->irqs[2].per_cpu[0] = 60;
	n->irqs[2].per_cpu[1] = 1000; /* not affine and not a queue CPU 1 serves by affinity */
	n->irqs[5].per_cpu[2] = 1;    /* rarely, but it fired on CPU 2: serves queue 2 too */
	for (unsigned c = 0; c < 4; c++) {
		struct mq_cpu_counters *k = &now->cpus.cpu[c].cnt;

		k->ticks_total += 200;
		k->ticks_softirq += 50 * c;
		k->net_rx += 100 * (c + 1);
		k->net_tx += 10 * c;
		k->softnet_dropped += 2 * c;
		k->softnet_squeezed += 4 * c;
		k->ticks_steal += c == 3 ? 20 : 0;
	}
}

static const struct mq_finding findings[] = {
	{.severity = SEV_WARNING, .message = "eth0: a finding that is longer than the eighty columns of an SSH terminal"},
	{.severity = SEV_INFO, .message = "eth0: \033]0;title\007 escaped"},
};

/* The whole frame at 80x40: nothing cut but the long finding. */
static void test_frame(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	char *text;
	(void)state;

	pair(&now, &before);
	fx_assess(&a, &now, &before, NULL);
	fx_findings(&a, findings, 2);
	text = watch(&a, 80, 40);
	expect(text,
	       "mqbalance --watch  12:00:00  every 2.0 s  q quits\n"
	       "  queue    cpu  rx pkt/s    rx B/s  tx pkt/s    tx B/s  drop/s\n"
	       "eth0 virtio_net: 3 queues, target 3\n"
	       "      0      0      1000      1.5M        10      1000       5\n"
	       "      1    1-2       100    150.0k       200     30000       2\n"
	       "      2      3         0         0         0         0       0\n"
	       "per CPU over 2.0 s (softirq: share of the CPU's time; per second):\n"
	       "  cpu softirq        steal net_rx net_tx   irqs drops   sqz  queues\n"
	       "    0   0% .........    0%     50      0    130     0     0  eth0 0\n"
	       "    1  25% ##.......    0%    100      5    500     1     2  eth0 0,1\n"
	       "    2  50% #####....    0%    150     10    0.5     2     4  eth0 1,2\n"
	       "    3  75% #######..   10%    200     15      0     3     6  eth0 2\n"
	       "findings (2):\n"
	       "  warning eth0: a finding that is longer than the eighty columns of an SSH termi\n"
	       "  info    eth0: \\x1b]0;title\\x07 escaped\n");
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/*
 * 40x9: every line cut to 40 columns; the rows left after the CPUs and
 * findings are fewer than one, yet one queue is still shown, and the frame
 * stops at 9 lines.
 */
static void test_small_frame(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	char *text;
	(void)state;

	pair(&now, &before);
	fx_assess(&a, &now, &before, NULL);
	fx_findings(&a, findings, 2);
	text = watch(&a, 40, 9);
	expect(text,
	       "mqbalance --watch  12:00:00  every 2.0 s\n"
	       "  queue    cpu  rx pkt/s    rx B/s  tx p\n"
	       "eth0 virtio_net: 3 queues, target 3\n"
	       "      0      0      1000      1.5M      \n"
	       "  (more queues than fit: a taller termin\n"
	       "per CPU over 2.0 s (softirq: share of th\n"
	       "  cpu softirq        steal net_rx net_tx\n"
	       "    0   0% .........    0%     50      0\n"
	       "    1  25% ##.......    0%    100      5\n");
	free(text);
	/*
	 * 6 fixed lines + 4 CPUs + 2 NICs + 2 findings = 14: at 14 rows one
	 * queue (never none), at 16 two
	 */
	for (unsigned rows = 13; rows <= 16; rows++) {
		unsigned want = rows < 16 ? 1 : 2, got = 0;

		text = watch(&a, 80, rows);
		for (const char *l = text; (l = strstr(l, "\n      ")); l++)
			got++;
		if (got != want)
			fail_msg("%u rows: %u queue lines, want %u:\n%s", rows, got, want, text);
		free(text);
	}
	/* 3 findings take 3 rows: at 17 rows two queues */
	{
		struct mq_finding three[3] = {findings[0], findings[1], findings[1]};

		fx_findings(&a, three, 3);
		text = watch(&a, 80, 17);
		assert_non_null(strstr(text, "\n      1    1-2 "));
		assert_null(strstr(text, "\n      2      3 "));
		free(text);
		fx_findings(&a, findings, 2);
	}
	/* 0x0 is 80x24 */
	text = watch(&a, 0, 0);
	assert_non_null(strstr(text, "of an SSH termi\n"));
	assert_non_null(strstr(text, "      2      3         0"));
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/* The report's per-CPU section in colour: hot CPUs (50 % and more) yellow, rows capped. */
static void test_cpus_color_rows(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	char *text;
	(void)state;

	pair(&now, &before);
	fx_assess(&a, &now, &before, NULL);
	text = cpus(&a, true, 0);
	expect(text,
	       "\033[1mper CPU over 2.0 s\033[0m (softirq: share of the CPU's time; per second):\n"
	       "  cpu softirq        steal net_rx net_tx   irqs drops   sqz  queues\n"
	       "    0   0% .........    0%     50      0    130     0     0  eth0 0\n"
	       "    1  25% ##.......    0%    100      5    500     1     2  eth0 0,1\n"
	       "    2 \033[33m 50% #####....\033[0m    0%    150     10    0.5     2     4  eth0 1,2\n"
	       "    3 \033[33m 75% #######..\033[0m   10%    200     15      0     3     6  eth0 2\n");
	free(text);
	text = cpus(&a, false, 2);
	expect(text,
	       "per CPU over 2.0 s (softirq: share of the CPU's time; per second):\n"
	       "  cpu softirq        steal net_rx net_tx   irqs drops   sqz  queues\n"
	       "    0   0% .........    0%     50      0    130     0     0  eth0 0\n"
	       "    1  25% ##.......    0%    100      5    500     1     2  eth0 0,1\n"
	       "  (2 more: 2-3)\n");
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/*
 * No interval: no rates ("-", blank bars), the queues each CPU serves by
 * affinity only; a CPU with more queues than 19 columns hold ends in "...".
 */
static void test_cpus_no_interval(void **state)
{
	struct mq_snapshot now;
	struct mq_assessment a;
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&now, 2);
	n = fx_nic(&now, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (int[]){1, 0});
	n = fx_nic(&now, "eth1", "virtio_net", 8, 8);
	fx_virtio_irqs(n, 50, (int[]){1, 1, 1, 1, 1, 1, 1, 1});
	fx_assess(&a, &now, NULL, NULL);
	text = cpus(&a, false, 0);
	expect(text,
	       "per CPU (no interval: the queues each CPU serves, no rates):\n"
	       "  cpu softirq        steal net_rx net_tx   irqs drops   sqz  queues\n"
	       "    0    -               -      -      -      -     -     -  eth0 1\n"
	       "    1    -               -      -      -      -     -     -  eth0 0 eth1 0,1,...\n");
	free(text);
	/* and --watch before its second sample: counts are not rates */
	text = watch(&a, 80, 24);
	assert_non_null(strstr(text, "  every 0.0 s  q quits\n"));
	assert_non_null(strstr(text, "\n      0      1         -         -         -         -       -\n"));
	assert_non_null(strstr(text, "\n      1      0         -"));
	free(text);
	assert_int_equal(watch_render(NULL, &a, 80, 24, NULL), -EINVAL);
	assert_int_equal(report_render_cpus(NULL, &a, false, 0), -EINVAL);
	assessment_free(&a);
	fx_free(&now);
}

/*
 * A queue with more IRQs than the renderer's bound of 8 (a driver naming many
 * vectors after one queue): the first 8 give the cpu column, the rest are
 * not read, and nothing is written past the bound.
 */
static void test_many_irqs_per_queue(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_nic *n;
	char *text;
	(void)state;

	fx_init(&s, 4);
	n = fx_nic(&s, "eth0", "mlx", 1, 1);
	for (unsigned i = 0; i < 9; i++)
		fx_irq(n, 40 + i, "eth0-0", IRQ_ROLE_RX, 0, i < 8 ? 1 : 3);
	fx_assess(&a, &s, NULL, NULL);
	text = watch(&a, 80, 40);
	if (!strstr(text, "\neth0 mlx: 1 queues, target 1\n      0      1 "))
		fail_msg("queue 0 not on CPU 1 alone in:\n%s", text);
	free(text);
	assessment_free(&a);
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_frame),
		cmocka_unit_test(test_small_frame),
		cmocka_unit_test(test_cpus_color_rows),
		cmocka_unit_test(test_cpus_no_interval),
		cmocka_unit_test(test_many_irqs_per_queue),
	};
	return cmocka_run_group_tests_name("watch_render", tests, NULL, NULL);
}
