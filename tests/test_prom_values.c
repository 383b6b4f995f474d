// SPDX-License-Identifier: MIT
/*
 * The textfile's numbers (output/prom.c), each family's value for each queue
 * and CPU, with every counter a different number so that a value written
 * under the wrong family, queue or device shows; a counter the source lacks
 * is absent, never 0. tests/test_prom.c checks the format and the families.
 */
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/prom.h"
#include "tests/fixture_snapshot.h"

static char *render(const struct prom_input *in)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(prom_render(f, in), 0);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* The value of the one sample "key value"; fails if there is none or several. */
static uint64_t value(const char *text, const char *key)
{
	size_t kl = strlen(key);
	const char *found = NULL;

	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, key, kl) == 0 && l[kl] == ' ') {
			if (found)
				fail_msg("%s twice", key);
			found = l + kl + 1;
		}
	if (!found)
		fail_msg("no sample %s", key);
	return strtoull(found, NULL, 10);
}

static bool present(const char *text, const char *key)
{
	char k[256];

	snprintf(k, sizeof(k), "\n%s ", key);
	return strstr(text, k) != NULL;
}

static void test_queue_counters(void **state)
{
	static const char *const fam[] = {"receive_packets", "receive_bytes", "receive_drops",
					  "transmit_packets", "transmit_bytes", "transmit_drops"};
	struct mq_snapshot s;
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .version = "t"};
	struct mq_nic *n;
	char key[160], *out;
	(void)state;

	fx_init(&s, 2);
	for (unsigned d = 0; d < 2; d++) {
		n = fx_nic(&s, d ? "eth1" : "eth0", "virtio_net", 2, 2);
		fx_virtio_irqs(n, 24 + 10 * d, (const int[]){0, 1});
		for (unsigned q = 0; q < 2; q++) {
			struct mq_queue *qu = &n->queues[q];

			/* device d, queue q, column c: 1000000 * (d + 1) + 1000 * (q + 1) + c */
			qu->rx_packets = 1000000 * (d + 1) + 1000 * (q + 1) + 0;
			qu->rx_bytes = 1000000 * (d + 1) + 1000 * (q + 1) + 1;
			qu->rx_drops = 1000000 * (d + 1) + 1000 * (q + 1) + 2;
			qu->tx_packets = 1000000 * (d + 1) + 1000 * (q + 1) + 3;
			qu->tx_bytes = 1000000 * (d + 1) + 1000 * (q + 1) + 4;
			qu->tx_drops = 1000000 * (d + 1) + 1000 * (q + 1) + 5;
		}
	}
	s.nics[1].queues[1].tx_drops = MQ_NA;        /* the source lacks it here */
	s.nics[1].queues[0].rx_bytes = UINT64_MAX - 1; /* the largest count there is */
	/* per-CPU counts of eth0's input.0 (CPU 0) and output.1 (CPU 1) */
	uint64_t c1[2] = {70, 5}, c4[2] = {MQ_NA, 11};

	s.nics[0].irqs[1].per_cpu = c1;
	s.nics[0].irqs[1].n_per_cpu = 2;
	s.nics[0].irqs[4].per_cpu = c4;
	s.nics[0].irqs[4].n_per_cpu = 2;
	s.nics[0].irqs[1].total = 75;
	fx_assess(&a, &s, NULL, NULL);
	out = render(&in);
	if (getenv("MQ_TEST_VERBOSE"))
		fputs(out, stderr);

	for (unsigned d = 0; d < 2; d++)
		for (unsigned q = 0; q < 2; q++)
			for (unsigned c = 0; c < 6; c++) {
				uint64_t want = 1000000 * (d + 1) + 1000 * (q + 1) + c;

				snprintf(key, sizeof(key), "mqbalance_queue_%s_total{device=\"eth%u\",queue=\"%u\"}",
					 fam[c], d, q);
				if (d == 1 && q == 1 && c == 5) {
					assert_false(present(out, key));
					continue;
				}
				if (d == 1 && q == 0 && c == 1)
					want = UINT64_MAX - 1;
				if (value(out, key) != want)
					fail_msg("%s is %" PRIu64 ", want %" PRIu64, key, value(out, key), want);
			}
	/* the CPU sums of queue interrupts: CPU 0 only input.0's 70, CPU 1 5 + 11 */
	assert_true(value(out, "mqbalance_cpu_queue_interrupts_total{cpu=\"0\"}") == 70);
	assert_true(value(out, "mqbalance_cpu_queue_interrupts_total{cpu=\"1\"}") == 16);
	assert_true(value(out, "mqbalance_cpu_queue_irqs{cpu=\"0\"}") == 4); /* input/output of queue 0, both NICs */
	assert_true(value(out, "mqbalance_cpu_queue_irqs{cpu=\"1\"}") == 4);
	assert_true(value(out, "mqbalance_irq_interrupts_total{device=\"eth0\",irq=\"25\",queue=\"0\","
			       "role=\"rx\"}") == 75);
	free(out);
	assessment_free(&a);
	s.nics[0].irqs[1].per_cpu = s.nics[0].irqs[4].per_cpu = NULL;
	fx_free(&s);
}

/* Only the snapshot's NICs: one in the array past nnics is not written (ASan: nor read). */
static void test_only_nnics(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct prom_input in = {.a = &a, .version = "t"};
	struct mq_nic *n;
	char *out;
	(void)state;

	fx_init(&s, 2);
	n = fx_nic(&s, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (const int[]){0, 1});
	n = fx_nic(&s, "eth9", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 40, (const int[]){0, 1});
	s.nnics = 1;
	fx_assess(&a, &s, NULL, NULL);
	out = render(&in);
	assert_non_null(strstr(out, "mqbalance_irq_info{device=\"eth0\""));
	assert_null(strstr(out, "eth9"));
	free(out);
	assessment_free(&a);
	s.nnics = 2;
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_queue_counters),
		cmocka_unit_test(test_only_nnics),
	};
	return cmocka_run_group_tests_name("prom_values", tests, NULL, NULL);
}
