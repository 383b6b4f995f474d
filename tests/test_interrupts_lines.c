// SPDX-License-Identifier: MIT
/*
 * /proc/interrupts line by line (probes/interrupts.c): every way a name is
 * found after the counts, how counts end, the header's shape. The fixtures
 * of real machines are tests/test_interrupts.c's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"

static int parse_mem(const char *buf, size_t len, unsigned max_cpus, struct irq_table *t)
{
	FILE *f = fmemopen((void *)buf, len, "r");
	int r;

	assert_non_null(f);
	r = interrupts_parse(f, max_cpus, t);
	fclose(f);
	return r;
}

static const struct irq_line *get(const struct irq_table *t, unsigned irq)
{
	const struct irq_line *l = interrupts_find(t, irq);

	if (!l)
		fail_msg("IRQ %u not found", irq);
	return l;
}

/*
 * One line each for the ways a name is found after the counts (hwirq-flow
 * token; bare hwirq with Level/Edge or a "-flow"; Xen's no hwirq at all), a
 * name with two spaces inside telling the right answer from the last-gap
 * fallback; and how counts and names are cleaned. Header "CPU0 CPU1".
 */
static void test_name_paths(void **state)
{
	static const struct {
		const char *line, *name;
		uint64_t cpu0, total;
	} cases[] = {
		{"30: 1 2 PCI-MSI 1-edge  my  dev", "my  dev", 1, 3},
		{"31: 1 2 GICv3 27 Level  my  dev", "my  dev", 1, 3},
		{"32: 1 2 GICv3 28 Edge  my  dev", "my  dev", 1, 3},
		{"33: 1 2 IO-APIC 9 -fasteoi  my  dev", "my  dev", 1, 3},
		{"34: 1 2 PCI-MSI 5  my  dev", "my  dev", 1, 3},
		{"35: 1 2 Hyper-V PCIe MSI 134217728-edge  my  dev", "my  dev", 1, 3},
		{"36: 1 2 xen-dyn-event  my  dev", "dev", 1, 3},
		{"37: 1 2 xen-dyn-event foo", "foo", 1, 3},
		{"38: 1 2 PCI-MSI 1-edge", "", 1, 3},
		{"39: 1 2 PCI-MSI 5", "", 1, 3},
		{"40: 1 2 GICv3 27 Level", "", 1, 3},
		{"41: 1 2 PCI-MSI 1-edge x  y  z", "z", 1, 3},   /* one space: not the name */
		{"42: 1 2 PCI-MSI 5 x  y", "y", 1, 3},
		{"43: 1 2 PCI-MSI 1-edge\t\tmy\tdev \t", "my dev", 1, 3},
		{"44: 1 2 PCI-MSI 1-edge  \x01" "a\x1f" "b~c\x7f", "?a?b~c?", 1, 3},
		/* The kernel prints unsigned int: the largest one is a count, one more is not. */
		{"45: 4294967295 4294967295 PCI-MSI 1-edge  x", "x", 4294967295u, 8589934590u},
		{"46: 4294967296 2 PCI-MSI 1-edge  x", "x", MQ_NA, 0},
		{"47: 99999999999999999999 2 PCI-MSI 1-edge  x", "x", MQ_NA, 0},
		{"48: 7x 2 PCI-MSI 1-edge  x", "x", MQ_NA, 0},                  /* glued, not last */
		{"49: PCI-MSI 1-edge  x", "x", MQ_NA, 0},
		{"50: 1 2GIC-0 3 Level  x", "x", 1, 3},                         /* glued, last: split */
		{"51: 18446744073709551617 2 PCI-MSI 1-edge  x", "x", MQ_NA, 0}, /* 2^64 + 1: not 1 */
	};
	char text[4096] = "CPU0 CPU1\r\n";
	struct irq_table t;
	size_t o = strlen(text);
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "%s\r\n", cases[i].line);
	/* Not IRQ lines: beyond unsigned, a number too big for any type, no colon. */
	o += (size_t)snprintf(text + o, sizeof(text) - o, "4294967295: 1 2 X 1-edge  no\n"
			      "99999999999999999999: 1 2 X 1-edge  no\n 52 1 2 X 1-edge  no\n"
			      "18446744073709551669: 1 2 X 1-edge  no\n"); /* 2^64 + 53 */
	assert_int_equal(parse_mem(text, o, 0, &t), 0);
	assert_int_equal(t.n, sizeof(cases) / sizeof(cases[0]));
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		const struct irq_line *l = get(&t, (unsigned)(30 + i));

		if (strcmp(l->name, cases[i].name) != 0)
			fail_msg("%s: name '%s', want '%s'", cases[i].line, l->name, cases[i].name);
		if (interrupts_count(&t, l, 0) != cases[i].cpu0 || l->total != cases[i].total)
			fail_msg("%s: cpu0 %ju total %ju", cases[i].line,
				 (uintmax_t)interrupts_count(&t, l, 0), (uintmax_t)l->total);
	}
	assert_null(interrupts_find(&t, 4294967295u));
	assert_null(interrupts_find(&t, 52));
	assert_null(interrupts_find(&t, 53));
	interrupts_free(&t);
	interrupts_free(NULL);
	assert_null(interrupts_find(NULL, 1));
	assert_null(interrupts_find(&t, 1)); /* freed: no lines */
}

/* Blank lines before the header; a header that is not one; many lines; repeats. */
static void test_shape(void **state)
{
	static const char *const headers[] = {"CPU0 XYZ1", "CPU0 CPZ1", "CPU0 CPUx", "CPU0 CPU"};
	char *text = malloc(300 * 40);
	struct irq_table t;
	size_t o;
	(void)state;
	assert_non_null(text);
	for (size_t i = 0; i < sizeof(headers) / sizeof(headers[0]); i++) {
		o = (size_t)snprintf(text, 300 * 40, "\n  \n%s\n 5: 1 2 X 1-edge  a\n", headers[i]);
		assert_int_equal(parse_mem(text, o, 0, &t), 0);
		assert_int_equal(t.ncols, 1);
		assert_int_equal(t.ncpus, 1);
		assert_int_equal(get(&t, 5)->total, 1);
		interrupts_free(&t);
	}
	o = (size_t)snprintf(text, 300 * 40, "nonsense\n 5: 1 2 X 1-edge  a\n");
	assert_int_equal(parse_mem(text, o, 0, &t), -EINVAL);
	o = (size_t)snprintf(text, 300 * 40, "\n \n");
	assert_int_equal(parse_mem(text, o, 0, &t), -EINVAL);
	o = (size_t)snprintf(text, 300 * 40, "CPU0\n");
	for (unsigned i = 300; i-- > 0;)
		o += (size_t)snprintf(text + o, 300 * 40 - o, " %u: %u X 1-edge  q%u\n", i, i, i);
	/* the kernel never repeats an IRQ: one of the two is kept */
	o += (size_t)snprintf(text + o, 300 * 40 - o, " 7: 7 X 1-edge  q7\n");
	assert_int_equal(parse_mem(text, o, 0, &t), 0);
	assert_int_equal(t.n, 300);
	for (unsigned i = 0; i < 300; i++)
		assert_int_equal(interrupts_count(&t, get(&t, i), 0), i);
	interrupts_free(&t);
	free(text);
}

/* Columns are CPU ids, not positions: offline CPUs leave gaps, impossible ones count for nobody. */
static void test_columns(void **state)
{
	static const char text[] = "     CPU0  CPU2  CPU5  CPU2\n"
				   " 9:  10    20    30    40   X 1-edge  a\n"
				   "10:  11\n";
	struct irq_table t;
	uint64_t per[6];
	(void)state;
	assert_int_equal(parse_mem(text, sizeof(text) - 1, 4, &t), 0);
	assert_int_equal(t.ncols, 4);
	assert_int_equal(t.ncpus, 3); /* CPU5 is not possible with 4, the second CPU2 nobody's */
	assert_int_equal(get(&t, 9)->total, 100);
	assert_true(interrupts_count(&t, get(&t, 9), 2) == 20);
	assert_true(interrupts_count(&t, get(&t, 9), 1) == MQ_NA);
	assert_true(interrupts_count(&t, get(&t, 9), 5) == MQ_NA);
	interrupts_per_cpu(&t, get(&t, 9), per, 6);
	assert_true(per[0] == 10 && per[1] == MQ_NA && per[2] == 20 && per[3] == MQ_NA &&
		    per[4] == MQ_NA && per[5] == MQ_NA);
	/* a line with fewer columns: the rest unknown, not 0 */
	interrupts_per_cpu(&t, get(&t, 10), per, 3);
	assert_true(per[0] == 11 && per[1] == MQ_NA && per[2] == MQ_NA);
	interrupts_per_cpu(&t, NULL, per, 2);
	assert_true(per[0] == MQ_NA && per[1] == MQ_NA);
	per[1] = 77;
	interrupts_per_cpu(&t, get(&t, 9), per, 1); /* n smaller than the CPUs: no write past it */
	assert_true(per[0] == 10 && per[1] == 77);
	per[0] = 77;
	interrupts_per_cpu(&t, get(&t, 9), per, 0);
	assert_true(per[0] == 77);
	interrupts_free(&t);
	assert_int_equal(interrupts_parse(NULL, 0, &t), -EINVAL);
}

/* At most MQ_MAX_CPUS columns: a header listing more (a CPU twice) ends there; the line's counts too. */
static void test_column_cap(void **state)
{
	size_t cap = 16U * (MQ_MAX_CPUS + 2) + 64, len = 0;
	char *buf = malloc(cap);
	struct irq_table t;
	(void)state;

	assert_non_null(buf);
	for (unsigned extra = 0; extra < 2; extra++) {
		len = 0;
		for (unsigned c = 0; c < MQ_MAX_CPUS - 1 + extra; c++)
			len += (size_t)snprintf(buf + len, cap - len, " CPU%u", c);
		len += (size_t)snprintf(buf + len, cap - len, " CPU0 CPU1\n 9:");
		for (unsigned c = 0; c < MQ_MAX_CPUS + 1 + extra; c++)
			len += (size_t)snprintf(buf + len, cap - len, " 1");
		assert_int_equal(parse_mem(buf, len, 0, &t), 0);
		/* the 8192nd column (CPU0 again, nobody's) is kept, the 8193rd and on are not */
		assert_int_equal(t.ncols, MQ_MAX_CPUS);
		assert_int_equal(t.ncpus, MQ_MAX_CPUS - 1 + extra);
		assert_int_equal(get(&t, 9)->total, MQ_MAX_CPUS);
		interrupts_free(&t);
	}
	free(buf);
}

/* Only the words Level and Edge are skipped after a bare hwirq: "Edgy" is not a flow. */
static void test_level_edge_word(void **state)
{
	static const char text[] = "CPU0 CPU1\n"
				   "60: 1 2 GICv3 27 Edge  a  b\n"
				   "61: 1 2 GICv3 27 Edgy  a  b\n"
				   "62: 1 2 GICv3 27 Levels  a  b\n"
				   "63: 1 2 PCI-MSI 1-edge\tx  y  z\n"; /* one tab is one gap, not two */
	struct irq_table t;
	(void)state;

	assert_int_equal(parse_mem(text, sizeof(text) - 1, 0, &t), 0);
	assert_string_equal(get(&t, 60)->name, "a  b");
	assert_string_equal(get(&t, 61)->name, "b"); /* the last-gap fallback */
	assert_string_equal(get(&t, 62)->name, "b");
	assert_string_equal(get(&t, 63)->name, "z");
	interrupts_free(&t);
}

/* Lines that are not numbered IRQs are skipped wherever they come, first ones included. */
static void test_other_lines_first(void **state)
{
	static const char text[] = "CPU0 CPU1\n"
				   "NMI: 1 2 Non-maskable interrupts\n"
				   "ERR: 0\n"
				   "4294967295: 1 2 X 1-edge  big\n"
				   " 5: 3 4 X 1-edge  y\n"
				   "LOC: 7 8 Local timer interrupts\n";
	struct irq_table t;
	(void)state;

	assert_int_equal(parse_mem(text, sizeof(text) - 1, 0, &t), 0);
	assert_int_equal(t.n, 1);
	assert_int_equal(t.lines[0].irq, 5);
	assert_true(t.lines[0].total == 7);
	interrupts_free(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_name_paths),
		cmocka_unit_test(test_shape),
		cmocka_unit_test(test_columns),
		cmocka_unit_test(test_column_cap),
		cmocka_unit_test(test_level_edge_word),
		cmocka_unit_test(test_other_lines_first),
	};
	return cmocka_run_group_tests_name("interrupts_lines", tests, NULL, NULL);
}
