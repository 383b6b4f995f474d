// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/memcount.h"

static const char *const fixtures[] = {
	"host-6.18.txt", "virtio-6.1.txt", "virtio-6.12.txt", "new-6.13.txt",
	"hotplug.txt",   "ena.txt",        "gve-new.txt",     "gve-old.txt",
	"mlx5.txt",      "intel.txt",      "virtqueues.txt",  "odd.txt",
};

static const char *data_dir(void)
{
	const char *d = getenv("MQ_TEST_DATA");

	return d && *d ? d : "tests/data";
}

static char *slurp(const char *name, size_t *ret_len)
{
	char path[4096];
	char *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/interrupts/%s", data_dir(), name);
	f = fopen(path, "re");
	assert_non_null(f);
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	len = ftell(f);
	assert_true(len > 0);
	rewind(f);
	buf = malloc((size_t)len + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)len, f), (size_t)len);
	buf[len] = '\0';
	fclose(f);
	*ret_len = (size_t)len;
	return buf;
}

static int parse_mem(const char *buf, size_t len, struct irq_table *t)
{
	FILE *f;
	int r;

	/* fmemopen of 0 bytes fails on older glibc: an empty file is /dev/null. */
	f = len ? fmemopen((void *)buf, len, "r") : fopen("/dev/null", "re");
	assert_non_null(f);
	r = interrupts_parse(f, 0, t);
	fclose(f);
	return r;
}

static struct irq_table load(const char *name)
{
	struct irq_table t;
	size_t len;
	char *buf = slurp(name, &len);

	assert_int_equal(parse_mem(buf, len, &t), 0);
	free(buf);
	return t;
}

static const struct irq_line *get(const struct irq_table *t, unsigned irq)
{
	const struct irq_line *l = interrupts_find(t, irq);

	if (!l)
		fail_msg("IRQ %u not found", irq);
	return l;
}

/* IRQ irq's count on cpu (MQ_NA: none). */
static uint64_t count(const struct irq_table *t, unsigned irq, unsigned cpu)
{
	return interrupts_count(t, get(t, irq), cpu);
}

static void test_host(void **state)
{
	struct irq_table t = load("host-6.18.txt");
	const struct irq_line *l;
	(void)state;
	assert_int_equal(t.ncols, 2);
	assert_int_equal(t.ncpus, 2);
	assert_int_equal(t.n, 19); /* 24-26, 28-43; NMI: LOC: ... skipped */
	l = get(&t, 38);
	assert_string_equal(l->name, "virtio2-input.0");
	assert_int_equal(interrupts_count(&t, l, 0), 0);
	assert_int_equal(interrupts_count(&t, l, 1), 4658);
	assert_int_equal(l->total, 4658);
	assert_string_equal(get(&t, 39)->name, "virtio2-output.0");
	assert_int_equal(count(&t, 39, 0), 2708);
	assert_string_equal(get(&t, 24)->name, "ACPI:Ged");
	assert_string_equal(get(&t, 43)->name, "virtio3-event");
	assert_null(interrupts_find(&t, 27));
	assert_null(interrupts_find(&t, 0));
	for (unsigned i = 1; i < t.n; i++)
		assert_true(t.lines[i - 1].irq < t.lines[i].irq);
	interrupts_free(&t);
	assert_null(t.lines);
}

static void test_virtio_61(void **state)
{
	struct irq_table t = load("virtio-6.1.txt");
	(void)state;
	assert_int_equal(t.ncpus, 4);
	assert_int_equal(t.n, 17);
	assert_string_equal(get(&t, 0)->name, "timer");
	assert_string_equal(get(&t, 9)->name, "acpi");
	assert_string_equal(get(&t, 24)->name, "virtio0-config");
	for (unsigned q = 0; q < 4; q++) {
		const struct irq_line *in = get(&t, 25 + 2 * q), *out = get(&t, 26 + 2 * q);
		char want[32];

		snprintf(want, sizeof(want), "virtio0-input.%u", q);
		assert_string_equal(in->name, want);
		snprintf(want, sizeof(want), "virtio0-output.%u", q);
		assert_string_equal(out->name, want);
		assert_int_equal(interrupts_count(&t, in, q), 1000 * in->irq + 7);
		assert_int_equal(in->total, 1000 * in->irq + 7);
	}
	assert_int_equal(get(&t, 34)->total, 110);
	interrupts_free(&t);
}

static void test_virtio_612_and_613(void **state)
{
	struct irq_table t = load("virtio-6.12.txt");
	(void)state;
	assert_string_equal(get(&t, 27)->name, "virtio2-input.0");
	assert_string_equal(get(&t, 30)->name, "virtio2-output.1");
	assert_int_equal(count(&t, 30, 2), 555);
	assert_string_equal(get(&t, 25)->name, "virtio1-req.0");
	interrupts_free(&t);

	t = load("new-6.13.txt");
	assert_int_equal(t.n, 3);
	assert_string_equal(get(&t, 38)->name, "virtio2-input.0");
	assert_int_equal(count(&t, 38, 1), 2138);
	assert_string_equal(get(&t, 40)->name, "ttyS0");
	assert_int_equal(get(&t, 40)->total, 7);
	interrupts_free(&t);
}

static void test_hotplug(void **state)
{
	struct irq_table t = load("hotplug.txt");
	const struct irq_line *l;
	(void)state;
	assert_int_equal(t.ncols, 3);
	assert_int_equal(t.ncpus, 4);
	assert_int_equal(t.col_cpu[0], 0);
	assert_int_equal(t.col_cpu[1], 1);
	assert_int_equal(t.col_cpu[2], 3);
	l = get(&t, 27);
	assert_string_equal(l->name, "virtio2-input.0");
	assert_int_equal(interrupts_count(&t, l, 0), 10);
	assert_int_equal(interrupts_count(&t, l, 1), 20);
	assert_true(interrupts_count(&t, l, 2) == MQ_NA); /* offline: not a zero */
	assert_int_equal(interrupts_count(&t, l, 3), 30);
	assert_int_equal(l->total, 60);
	l = get(&t, 29); /* short line: what parsed is kept */
	assert_int_equal(interrupts_count(&t, l, 0), 5);
	assert_int_equal(interrupts_count(&t, l, 1), 6);
	assert_true(interrupts_count(&t, l, 3) == MQ_NA);
	assert_int_equal(l->total, 11);
	assert_string_equal(l->name, "");
	interrupts_free(&t);
}

static void test_drivers(void **state)
{
	struct irq_table t;
	(void)state;

	t = load("ena.txt");
	assert_string_equal(get(&t, 26)->name, "ena-mgmnt@pci:0000:00:05.0");
	assert_string_equal(get(&t, 27)->name, "ens5-Tx-Rx-0");
	assert_string_equal(get(&t, 30)->name, "ens5-Tx-Rx-3");
	assert_int_equal(count(&t, 30, 3), 30007);
	assert_string_equal(get(&t, 24)->name, "nvme0q0");
	interrupts_free(&t);

	t = load("gve-new.txt");
	assert_string_equal(get(&t, 24)->name, "gve-ntfy-blk0@pci:0000:00:04.0");
	assert_string_equal(get(&t, 31)->name, "gve-ntfy-blk7@pci:0000:00:04.0");
	assert_string_equal(get(&t, 32)->name, "gve-mgmnt@pci:0000:00:04.0");
	interrupts_free(&t);

	t = load("gve-old.txt");
	assert_string_equal(get(&t, 24)->name, "ens4-ntfy-block.0");
	assert_string_equal(get(&t, 28)->name, "ens4-mgmnt");
	interrupts_free(&t);

	/* Azure: the chip name has spaces ("Hyper-V PCIe MSI"). */
	t = load("mlx5.txt");
	assert_int_equal(t.n, 6);
	assert_string_equal(get(&t, 24)->name, "mlx5_async0@pci:c3a8:00:02.0");
	assert_string_equal(get(&t, 26)->name, "mlx5_comp1@pci:c3a8:00:02.0");
	assert_int_equal(count(&t, 26, 1), 26007);
	interrupts_free(&t);

	t = load("intel.txt");
	assert_string_equal(get(&t, 40)->name, "eth1-TxRx-0");
	assert_string_equal(get(&t, 42)->name, "eth1");
	assert_string_equal(get(&t, 44)->name, "i40e-eth2-TxRx-0");
	assert_string_equal(get(&t, 47)->name, "ice-eth3-TxRx-0");
	assert_string_equal(get(&t, 50)->name, "iavf-eth4-TxRx-0");
	assert_string_equal(get(&t, 52)->name, "eth5-tx-0");
	interrupts_free(&t);

	t = load("virtqueues.txt");
	assert_string_equal(get(&t, 25)->name, "virtio0-virtqueues");
	assert_int_equal(get(&t, 25)->total, 17000);
	interrupts_free(&t);
}

static void test_odd(void **state)
{
	struct irq_table t = load("odd.txt");
	const struct irq_line *l;
	(void)state;
	assert_string_equal(get(&t, 7)->name, "ACPI:Event");
	assert_string_equal(get(&t, 16)->name, "ehci_hcd:usb1, snd_hda_intel:card0");
	assert_string_equal(get(&t, 17)->name, "arch_timer");
	assert_string_equal(get(&t, 18)->name, "2190000.usdhc cd");
	assert_string_equal(get(&t, 19)->name, "enp5s0f4 (queue 0)");
	assert_int_equal(get(&t, 20)->total, 2 * 4294967295ULL);
	assert_string_equal(get(&t, 21)->name, "timer0");
	assert_string_equal(get(&t, 22)->name, "blkif");
	assert_string_equal(get(&t, 23)->name, "acpi");
	assert_string_equal(get(&t, 33)->name, "timer0");
	assert_string_equal(get(&t, 34)->name, "eth0-q0-tx");
	assert_int_equal(count(&t, 34, 0), 20318);
	/* Count glued to the chip (6.13-rc): "1900GIC-0". */
	l = get(&t, 24);
	assert_int_equal(interrupts_count(&t, l, 1), 1900);
	assert_string_equal(l->name, "arch_timer");
	assert_string_equal(get(&t, 25)->name, ""); /* no action */
	l = get(&t, 26);
	assert_int_equal(interrupts_count(&t, l, 0), 9);
	assert_true(interrupts_count(&t, l, 1) == MQ_NA);
	assert_int_equal(strlen(get(&t, 28)->name), MQ_NAME_MAX - 1);
	assert_int_equal(get(&t, 29)->total, 2); /* only header columns are counts */
	assert_string_equal(get(&t, 30)->name, "name with tabs");
	assert_string_equal(get(&t, 31)->name, "ctl?char");
	assert_string_equal(get(&t, 32)->name, "last-no-newline");
	assert_null(interrupts_find(&t, 27)); /* "27x:" */
	interrupts_free(&t);
}

/* Every fixture cut at every byte: never a crash, a leak or an unsorted table. */
static void test_truncated(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		size_t len;
		char *buf = slurp(fixtures[i], &len);

		for (size_t cut = 0; cut <= len; cut++) {
			struct irq_table t;
			char *copy = malloc(cut ? cut : 1);

			/* An exact-size heap copy lets ASan see any read past the end. */
			assert_non_null(copy);
			memcpy(copy, buf, cut);
			if (parse_mem(copy, cut, &t) == 0) {
				assert_true(t.ncols > 0 && t.ncpus > 0);
				for (unsigned k = 0; k < t.n; k++) {
					assert_true(strlen(t.lines[k].name) < MQ_NAME_MAX);
					if (k)
						assert_true(t.lines[k - 1].irq < t.lines[k].irq);
				}
				interrupts_free(&t);
			}
			free(copy);
		}
		free(buf);
	}
}

/* Random single-byte damage (fixed seed): same guarantees as truncation. */
static void test_mutated(void **state)
{
	static const char junk[] = {'\0', '\n', ' ', ':', '-', ',', '9', 'C', '\t', '\xff'};
	unsigned seed = 12345;
	(void)state;
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		size_t len;
		char *buf = slurp(fixtures[i], &len);

		for (unsigned k = 0; k < 500; k++) {
			struct irq_table t;
			char *copy = malloc(len);
			size_t at = (size_t)rand_r(&seed) % len;

			assert_non_null(copy);
			memcpy(copy, buf, len);
			copy[at] = junk[(unsigned)rand_r(&seed) % sizeof(junk)];
			if (parse_mem(copy, len, &t) == 0) {
				for (unsigned j = 1; j < t.n; j++)
					assert_true(t.lines[j - 1].irq < t.lines[j].irq);
				interrupts_free(&t);
			}
			free(copy);
		}
		free(buf);
	}
}

static void test_bad_input(void **state)
{
	static const char *const bad[] = {
		"", "\n\n", "garbage\n", "  0: 1 2 IO-APIC 2-edge timer\n", "CPU\n", "CPUx CPU1\n",
		"CPU8192\n",
	};
	struct irq_table t;
	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(parse_mem(bad[i], strlen(bad[i]), &t), -EINVAL);
	assert_int_equal(interrupts_parse(NULL, 0, &t), -EINVAL);

	/* Header only: an empty table, not an error. */
	assert_int_equal(parse_mem("  CPU0 CPU5\n", 12, &t), 0);
	assert_int_equal(t.ncpus, 6);
	assert_int_equal(t.n, 0);
	assert_null(interrupts_find(&t, 0));
	interrupts_free(&t);

	/* Repeated CPU column: counted for nobody; repeated IRQ: one line. */
	{
		const char *s = "CPU0 CPU0 CPU1\n 5: 1 2 3 X 1-edge  a\n 5: 4 5 6 X 1-edge  b\n";

		assert_int_equal(parse_mem(s, strlen(s), &t), 0);
		assert_int_equal(t.n, 1);
		assert_int_equal(t.col_cpu[1], -1);
		assert_int_equal(count(&t, 5, 1), get(&t, 5)->name[0] == 'a' ? 3 : 6);
		interrupts_free(&t);
	}
}

/* A 1024-CPU header, and a line longer than the bound: -E2BIG, not read. */
static void test_huge(void **state)
{
	size_t cap = (2U << 20) + 65536, len = 0;
	char *buf = malloc(cap);
	struct irq_table t;
	(void)state;

	assert_non_null(buf);
	for (unsigned c = 0; c < 1024; c++)
		len += (size_t)snprintf(buf + len, cap - len, "CPU%-8u", c);
	buf[len++] = '\n';
	len += (size_t)snprintf(buf + len, cap - len, " 1:");
	for (unsigned c = 0; c < 1024; c++)
		len += (size_t)snprintf(buf + len, cap - len, " %10u", c);
	len += (size_t)snprintf(buf + len, cap - len, " PCI-MSI 1-edge  big\n 2: 1");
	memset(buf + len, ' ', (2U << 20));
	len += 2U << 20;
	buf[len++] = '\n';
	len += (size_t)snprintf(buf + len, cap - len, " 3: 7 PCI-MSI 1-edge  after");
	assert_int_equal(parse_mem(buf, len, &t), -E2BIG);
	/* Without the long line. */
	len = (size_t)(strstr(buf, " 2: 1") - buf);
	len += (size_t)snprintf(buf + len, cap - len, " 3: 7 PCI-MSI 1-edge  after");
	assert_int_equal(parse_mem(buf, len, &t), 0);
	assert_int_equal(t.ncpus, 1024);
	assert_int_equal(t.n, 2);
	assert_int_equal(count(&t, 1, 1023), 1023);
	assert_int_equal(get(&t, 1)->total, 1023 * 1024 / 2);
	assert_string_equal(get(&t, 1)->name, "big");
	assert_string_equal(get(&t, 3)->name, "after");
	assert_true(count(&t, 3, 1) == MQ_NA); /* its one column only */
	interrupts_free(&t);
	free(buf);
}

/*
 * What once took gigabytes: a header naming CPU 1023 made every line hold
 * 1,024 counters (a 7.9 MB file of short lines took 8.1 GB, a 689 KB one hit
 * the fuzzer's limit), and a file with no newline grew one buffer without
 * bound. Now counts follow the columns a line has, and caps end it.
 */
enum { NO_LINES, IRQ_LINES, BARE_LINES };

static char *text_of(size_t len, size_t *ret_len, const char *head, int lines)
{
	char *buf = malloc(len + 64);
	size_t n;

	assert_non_null(buf);
	n = (size_t)snprintf(buf, len, "%s", head);
	for (unsigned i = 0; lines != NO_LINES && n + 32 < len; i++)
		n += (size_t)(lines == IRQ_LINES ? snprintf(buf + n, len - n, "%u: 1 X 1-edge  q\n", i)
						 : snprintf(buf + n, len - n, "%u:\n", i));
	*ret_len = n;
	return buf;
}

static void test_regress_memory(void **state)
{
	struct irq_table t;
	size_t len;
	char *buf;
	int r;
	(void)state;

	/* The 689 KB input: short IRQ lines under a CPU1023 header. */
	buf = text_of(689 * 1024, &len, "CPU1023\n", IRQ_LINES);
	mem_mark();
	assert_int_equal(parse_mem(buf, len, &t), 0);
	assert_true(t.n > 30000);
	assert_int_equal(count(&t, 7, 1023), 1);
	assert_true(mem_peak - mem_live < (8U << 20)); /* was 1 GiB */
	interrupts_free(&t);
	free(buf);

	/* The 7.9 MB one: more IRQ lines than nr_irqs can be, -EFBIG within a few MiB. */
	buf = text_of(7900 * 1024, &len, "CPU1023\n", BARE_LINES);
	mem_mark();
	assert_int_equal(parse_mem(buf, len, &t), -EFBIG);
	assert_true(mem_peak - mem_live < (32U << 20)); /* was 8.1 GiB */
	free(buf);

	/* No newline at all: -E2BIG once past a line's cap, not a buffer of the whole file. */
	buf = text_of(8U << 20, &len, "CPU0 CPU1\n 5:", NO_LINES);
	memset(buf + len, '1', (8U << 20) - len);
	mem_mark();
	assert_int_equal(parse_mem(buf, 8U << 20, &t), -E2BIG);
	assert_true(mem_peak - mem_live < (1U << 20));
	/* ... and the same as the header. */
	memset(buf, 'C', 8U << 20);
	mem_mark();
	assert_int_equal(parse_mem(buf, 8U << 20, &t), -E2BIG);
	assert_true(mem_peak - mem_live < (1U << 20));
	free(buf);

	/* Past MQ_PROC_INTERRUPTS_MAX bytes of real-looking lines: -EFBIG. */
	len = MQ_PROC_INTERRUPTS_MAX + (1U << 20);
	buf = malloc(len);
	assert_non_null(buf);
	{
		size_t n = 0;

		for (unsigned c = 0; c < 64; c++)
			n += (size_t)sprintf(buf + n, "CPU%-8u", c);
		buf[n++] = '\n';
		for (unsigned i = 0; n + 1024 < len; i++) {
			n += (size_t)sprintf(buf + n, "%4u:", i);
			for (unsigned c = 0; c < 64; c++)
				n += (size_t)sprintf(buf + n, " %10u", c);
			n += (size_t)sprintf(buf + n, "  PCI-MSI %u-edge  eth0-%u\n", i, i);
		}
		len = n;
	}
	mem_mark();
	r = parse_mem(buf, len, &t);
	assert_int_equal(r, -EFBIG);
	assert_true(mem_peak - mem_live < (64U << 20));
	free(buf);
	/* and what the report says about it: the cap in MiB */
	{
		char err[256];

		probe_file_error(err, sizeof(err), "/proc/interrupts", r, MQ_PROC_INTERRUPTS_MAX);
		assert_non_null(strstr(err, "/proc/interrupts: more than 32 MiB"));
		probe_file_error(err, sizeof(err), "/proc/interrupts", -E2BIG, MQ_PROC_INTERRUPTS_MAX);
		assert_non_null(strstr(err, "a line longer than"));
	}
}

static void use_root(const char *sub)
{
	char root[4096];

	snprintf(root, sizeof(root), "%s/%s", data_dir(), sub);
	sysfs_set_root(root);
}

static void test_affinity(void **state)
{
	struct mq_irq irq = {.irq = 38};
	struct cpuset_pool sets = {0};
	struct irq_table t;
	(void)state;

	use_root("irqmap/virtio");
	assert_int_equal(interrupts_read(0, &t), 0);
	assert_string_equal(get(&t, 38)->name, "virtio2-input.0");
	interrupts_free(&t);

	assert_int_equal(irq_affinity_read(&sets, &irq), 0);
	assert_true(irq.has_affinity && irq.has_effective);
	assert_int_equal(cpuset_count(irq.affinity), 4);
	assert_int_equal(cpuset_count(irq.effective), 1);
	assert_true(cpuset_isset(irq.effective, 1));

	/* effective_affinity_list missing (old kernel): only the request is known. */
	irq = (struct mq_irq){.irq = 39};
	assert_int_equal(irq_affinity_read(&sets, &irq), 0);
	assert_true(irq.has_affinity);
	assert_false(irq.has_effective);
	assert_true(cpuset_isset(irq.affinity, 2) && cpuset_count(irq.affinity) == 1);

	/* Only the mask files (smp_affinity "c"): CPUs 2-3. */
	irq = (struct mq_irq){.irq = 40};
	assert_int_equal(irq_affinity_read(&sets, &irq), 0);
	assert_true(irq.has_affinity);
	assert_true(cpuset_isset(irq.affinity, 2) && cpuset_isset(irq.affinity, 3));
	assert_int_equal(cpuset_count(irq.affinity), 2);

	/* Missing: the sets it had are left alone, only the flags say so. */
	{
		const struct mq_cpuset *before = irq.affinity;

		irq.irq = 4242;
		irq.effective = before;
		assert_int_equal(irq_affinity_read(&sets, &irq), -ENOENT);
		assert_false(irq.has_affinity || irq.has_effective);
		assert_ptr_equal(irq.affinity, before);
		assert_ptr_equal(irq.effective, before);
	}
	assert_int_equal(irq_affinity_read(&sets, NULL), -EINVAL);
	assert_int_equal(irq_affinity_read(NULL, &irq), -EINVAL);

	use_root("does-not-exist");
	assert_int_equal(interrupts_read(0, &t), -ENOENT);
	cpuset_pool_free(&sets);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),      cmocka_unit_test(test_virtio_61),
		cmocka_unit_test(test_virtio_612_and_613),
		cmocka_unit_test(test_hotplug),   cmocka_unit_test(test_drivers),
		cmocka_unit_test(test_odd),       cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutated),
		cmocka_unit_test(test_bad_input), cmocka_unit_test(test_huge),
		cmocka_unit_test(test_regress_memory),
		cmocka_unit_test(test_affinity),
	};
	return cmocka_run_group_tests_name("interrupts", tests, NULL, NULL);
}
