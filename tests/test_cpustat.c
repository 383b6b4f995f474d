// SPDX-License-Identifier: MIT
/* probes/cpustat.c: /proc/softirqs, /proc/stat, /proc/net/softnet_stat. */
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
#include "probes/sysfs.h"
#include "tests/memcount.h"

#define NA MQ_NA
#define N 8 /* CPUs the tests track, more than any fixture has */

enum which { SOFTIRQS, STAT, SOFTNET, _WHICH_MAX };
static size_t parse_peak; /* heap the last parse_mem() held at most, beyond what was there */
static const char *const files[_WHICH_MAX] = {"proc/softirqs", "proc/stat", "proc/net/softnet_stat"};
static const char *const trees[] = {"host-6.18",      "guest-6.1", "guest-6.1-off2",
				    "guest-6.12",     "guest-6.12-off2", "old-5.4"};

static const char *data_dir(void)
{
	const char *d = getenv("MQ_TEST_DATA");

	return d && *d ? d : "tests/data";
}

static char *slurp(const char *tree, enum which w, size_t *ret_len)
{
	char path[4096];
	char *buf;
	long len;
	FILE *f;

	snprintf(path, sizeof(path), "%s/cpustat/%s/%s", data_dir(), tree, files[w]);
	f = fopen(path, "re");
	if (!f)
		fail_msg("no fixture %s", path);
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

static void clear(struct mq_cpu_counters *cnt, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		cpu_counters_clear(&cnt[i]);
}

/* One parser over len bytes of buf (an exact-size heap copy: ASan sees overreads). */
static int parse_mem(enum which w, const char *buf, size_t len, const struct mq_cpuset *online,
		     struct mq_cpu_counters *cnt, unsigned n)
{
	char *copy = malloc(len ? len : 1);
	FILE *f;
	int r;

	assert_non_null(copy);
	memcpy(copy, buf, len);
	/* fmemopen of 0 bytes fails on older glibc: an empty file is /dev/null. */
	f = len ? fmemopen(copy, len, "r") : fopen("/dev/null", "re");
	assert_non_null(f);
	mem_mark();
	parse_peak = mem_live;
	r = w == SOFTIRQS ? cpustat_parse_softirqs(f, cnt, n)
	    : w == STAT   ? cpustat_parse_stat(f, cnt, n)
			  : cpustat_parse_softnet(f, online, cnt, n);
	parse_peak = mem_peak - parse_peak;
	fclose(f);
	free(copy);
	return r;
}

static int parse_str(enum which w, const char *s, const struct mq_cpuset *online,
		     struct mq_cpu_counters *cnt, unsigned n)
{
	return parse_mem(w, s, strlen(s), online, cnt, n);
}

/* All three files of a tree into cnt[N], each parser must succeed. */
static void load(const char *tree, const char *online_list, struct mq_cpu_counters *cnt)
{
	CPUSET_DEFINE(online);

	assert_int_equal(cpuset_parse_list(online_list, online), 0);
	clear(cnt, N);
	for (int w = 0; w < _WHICH_MAX; w++) {
		size_t len;
		char *buf = slurp(tree, (enum which)w, &len);

		if (parse_mem((enum which)w, buf, len, online, cnt, N) != 0)
			fail_msg("%s: %s does not parse", tree, files[w]);
		free(buf);
	}
}

static const char *show(const struct mq_cpu_counters *c)
{
	static char buf[512];
	const uint64_t *v = &c->net_rx;
	size_t len = 0;

	for (unsigned i = 0; i < sizeof(*c) / sizeof(*v); i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, v[i] == NA ? " NA" : " %llu",
					(unsigned long long)v[i]);
	return buf;
}

#define EXPECT(c, rx, tx, tot, irq, si, st, proc, drop, sq)                                  \
	do {                                                                                 \
		const struct mq_cpu_counters e_ = {rx, tx, tot, irq, si, st, proc, drop, sq}; \
		if (memcmp(&(c), &e_, sizeof(e_)) != 0)                                      \
			fail_msg("line %d: got %s", __LINE__, show(&(c)));                   \
	} while (0)

static void test_host(void **state)
{
	struct mq_cpu_counters c[N];
	(void)state;
	load("host-6.18", "0-1", c);
	/* cpu0 24468 0 5184 18399 101 0 22 16 0 0; softnet rows 0x21d39, 0x2c924 (15 columns) */
	EXPECT(c[0], 4378, 51, 48190, 0, 22, 16, 0x21d39, 0, 0);
	EXPECT(c[1], 4892, 50, 48054, 0, 117, 18, 0x2c924, 0, 0);
	for (unsigned i = 2; i < N; i++)
		EXPECT(c[i], NA, NA, NA, NA, NA, NA, NA, NA, NA);
}

static void test_guest_61(void **state)
{
	struct mq_cpu_counters c[N];
	(void)state;
	load("guest-6.1", "0-3", c);
	EXPECT(c[0], 1546, 0, 1019, 0, 84, 0, 0xe2e, 0, 0x19);
	EXPECT(c[1], 799, 1, 986, 0, 97, 0, 0x12a7, 0, 0x32);
	EXPECT(c[2], 1482, 0, 965, 0, 105, 0, 0x1211, 0, 0x1c);
	EXPECT(c[3], 1194, 1, 925, 0, 85, 0, 0xe6c, 0, 0x26);
	EXPECT(c[4], NA, NA, NA, NA, NA, NA, NA, NA, NA);

	/* CPU 2 offline: still in softirqs (every possible CPU), gone from the others. */
	load("guest-6.1-off2", "0-1,3", c);
	EXPECT(c[1], 800, 1, 1033, 0, 98, 0, 0x12a7, 0, 0x32);
	EXPECT(c[2], 1482, 0, NA, NA, NA, NA, NA, NA, NA);
	EXPECT(c[3], 1194, 1, 973, 0, 86, 0, 0xe6c, 0, 0x26);

	/* The CPU id column wins over the online mask (CPU 2 back online by now). */
	{
		CPUSET_DEFINE(all);
		size_t len;
		char *buf = slurp("guest-6.1-off2", SOFTNET, &len);

		assert_int_equal(cpuset_parse_list("0-3", all), 0);
		clear(c, N);
		assert_int_equal(parse_mem(SOFTNET, buf, len, all, c, N), 0);
		assert_true(c[2].softnet_processed == NA);
		assert_int_equal(c[3].softnet_processed, 0xe6c);
		free(buf);
	}
}

static void test_guest_612(void **state)
{
	struct mq_cpu_counters c[N];
	(void)state;
	load("guest-6.12", "0-3", c);
	for (unsigned i = 0; i < 4; i++) {
		if (c[i].net_rx == NA || c[i].ticks_total == NA || c[i].softnet_processed == NA)
			fail_msg("cpu%u unknown", i);
		assert_true(c[i].ticks_softirq <= c[i].ticks_total);
	}
	assert_true(c[0].net_rx + c[1].net_rx + c[2].net_rx + c[3].net_rx > 1000); /* under iperf3 */
	/* 15 columns; cpu1 3 0 174 743 0 0 31 0 0 0 */
	EXPECT(c[1], 554, 18, 951, 0, 31, 0, 0x449, 0, 9);
	load("guest-6.12-off2", "0-1,3", c);
	EXPECT(c[1], 554, 18, 998, 0, 32, 0, 0x449, 0, 9);
	EXPECT(c[2], 815, 20, NA, NA, NA, NA, NA, NA, NA);
	EXPECT(c[3], 1106, 21, 894, 0, 51, 0, 0x8ae, 0, 0x12);
}

/* Before 5.10 rows carry no CPU id: the n-th row is the n-th online CPU. */
static void test_old_softnet(void **state)
{
	struct mq_cpu_counters c[N];
	CPUSET_DEFINE(online);
	size_t len;
	char *buf = slurp("old-5.4", SOFTNET, &len);
	(void)state;

	load("old-5.4", "0-1,3", c);
	EXPECT(c[0], 5000, 10, 1178, 2, 20, 1, 0xa1b2c, 3, 0x11);
	EXPECT(c[1], 6000, 20, 1726, 2, 10, 1, 0x100, 0, 2);
	EXPECT(c[2], 7000, 30, NA, NA, NA, NA, NA, NA, NA);
	EXPECT(c[3], 8000, 40, 1754, 1, 10, 1, 0xffff, 1, 0);

	/* The online mask disagrees with the row count (hotplug between reads): nobody's. */
	assert_int_equal(cpuset_parse_list("0-3", online), 0);
	clear(c, N);
	assert_int_equal(parse_mem(SOFTNET, buf, len, online, c, N), 0);
	for (unsigned i = 0; i < N; i++)
		assert_true(c[i].softnet_processed == NA);
	assert_int_equal(parse_mem(SOFTNET, buf, len, NULL, c, N), 0);
	assert_true(c[0].softnet_processed == NA);
	/* The online CPUs beyond what we track: the rest still mapped in order. */
	assert_int_equal(cpuset_parse_list("0-1,3", online), 0);
	assert_int_equal(parse_mem(SOFTNET, buf, len, online, c, 2), 0);
	assert_int_equal(c[1].softnet_processed, 0x100);
	free(buf);
}

/* cpu_probe + cpustat_read through the sysfs root, as snapshot_take does. */
static void test_read_root(void **state)
{
	struct mq_cpus cpus;
	char root[4096];
	(void)state;

	snprintf(root, sizeof(root), "%s/cpustat/guest-6.1-off2", data_dir());
	sysfs_set_root(root);
	assert_int_equal(cpu_probe(&cpus), 0);
	assert_int_equal(cpus.n, 4);
	assert_int_equal(cpustat_read(&cpus, NULL, 0), 3);
	assert_int_equal(cpus.cpu[3].cnt.ticks_total, 973);
	assert_int_equal(cpus.cpu[3].cnt.softnet_squeezed, 0x26);
	assert_true(cpus.cpu[2].cnt.ticks_total == NA);
	assert_int_equal(cpus.cpu[2].cnt.net_rx, 1482);
	cpu_free(&cpus);

	/* Old kernel: rows mapped with the online mask cpu_probe read. */
	snprintf(root, sizeof(root), "%s/cpustat/old-5.4", data_dir());
	sysfs_set_root(root);
	assert_int_equal(cpu_probe(&cpus), 0);
	assert_int_equal(cpustat_read(&cpus, NULL, 0), 3);
	assert_int_equal(cpus.cpu[3].cnt.softnet_processed, 0xffff);
	cpu_free(&cpus);

	/* No /proc files at all: the first error, every counter unknown. */
	snprintf(root, sizeof(root), "%s/cpu/host2", data_dir());
	sysfs_set_root(root);
	assert_int_equal(cpu_probe(&cpus), 0);
	cpus.cpu[0].cnt.net_rx = 5;
	assert_int_equal(cpustat_read(&cpus, NULL, 0), -ENOENT);
	assert_true(cpus.cpu[0].cnt.net_rx == NA);
	cpu_free(&cpus);
	sysfs_set_root("");
	assert_int_equal(cpustat_read(NULL, NULL, 0), -EINVAL);
}

/* Every fixture cut at every byte: never a crash, a leak, or a write on failure. */
static void test_truncated(void **state)
{
	CPUSET_DEFINE(online);
	(void)state;
	assert_int_equal(cpuset_parse_list("0-1,3", online), 0);
	for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++)
		for (int w = 0; w < _WHICH_MAX; w++) {
			size_t len;
			char *buf = slurp(trees[t], (enum which)w, &len);

			for (size_t cut = 0; cut <= len; cut++) {
				struct mq_cpu_counters c[N];
				int r;

				memset(c, 0x5a, sizeof(c));
				r = parse_mem((enum which)w, buf, cut, online, c, N);
				if (r < 0) {
					assert_int_equal(r, -EINVAL);
					for (size_t b = 0; b < sizeof(c); b++)
						assert_int_equal(((unsigned char *)c)[b], 0x5a);
				}
			}
			free(buf);
		}
}

/* Random single-byte damage (fixed seed): same guarantees, and no value invented. */
static void test_mutated(void **state)
{
	static const char junk[] = {'\0', '\n', ' ', ':', 'f', 'x', '9', 'C', '\t', '\xff', '-'};
	CPUSET_DEFINE(online);
	unsigned seed = 4242;
	(void)state;
	assert_int_equal(cpuset_parse_list("0-3", online), 0);
	for (size_t t = 0; t < sizeof(trees) / sizeof(trees[0]); t++)
		for (int w = 0; w < _WHICH_MAX; w++) {
			size_t len;
			char *buf = slurp(trees[t], (enum which)w, &len);

			for (unsigned k = 0; k < 300; k++) {
				struct mq_cpu_counters c[N];
				char *copy = malloc(len);
				int r;

				assert_non_null(copy);
				memcpy(copy, buf, len);
				copy[(size_t)rand_r(&seed) % len] = junk[(unsigned)rand_r(&seed) % sizeof(junk)];
				clear(c, N);
				r = parse_mem((enum which)w, copy, len, online, c, N);
				assert_true(r == 0 || r == -EINVAL);
				free(copy);
			}
			free(buf);
		}
}

static void test_bad_input(void **state)
{
	static const char *const bad[_WHICH_MAX][6] = {
		{"", "\n\n", "garbage\n", "CPU0 CPUx\n NET_RX: 1\n", "CPU0\nHI: 1\n", "CPU8192\nNET_RX: 1\n"},
		{"", "\n", "intr 1 2 3\n", "garbage\n", "cpux 1 2 3\n", "x"},
		{"", "\n\n", "zz 00000001 00000002\n", "00000001 00000002\n", "00000001 g 3\n", "-1 2 3\n"},
	};
	struct mq_cpu_counters c[N];
	(void)state;

	for (int w = 0; w < _WHICH_MAX; w++) {
		for (size_t i = 0; i < 6; i++)
			if (parse_str((enum which)w, bad[w][i], NULL, c, N) != -EINVAL)
				fail_msg("%s: case %zu parsed", files[w], i);
	}
	/* "ctxt" before any cpu line is skipped, then "cpu0" with four fields counts. */
	clear(c, N);
	assert_int_equal(parse_str(STAT, "ctxt 5\ncpu0 1 2 3 4\n", NULL, c, N), 0);
	assert_int_equal(parse_str(STAT, "cpu  9 9 9 9\ncpu0 1 2 3 4\n", NULL, c, N), 0);
	EXPECT(c[0], NA, NA, 10, NA, NA, NA, NA, NA, NA);
	/* 2.6.0-era seven fields: no steal. Three fields, overflow, a repeat: ignored. */
	assert_int_equal(parse_str(STAT,
				   "cpu0 1 2 3 4 5 6 7\ncpu1 1 2 3\ncpu2 18446744073709551615 1 1 1\n"
				   "cpu0 9 9 9 9 9 9 9 9\ncpu3 99999999999999999999 1 1 1\n",
				   NULL, c, N),
			 0);
	EXPECT(c[0], NA, NA, 28, 6, 7, NA, NA, NA, NA);
	assert_true(c[1].ticks_total == NA && c[2].ticks_total == NA && c[3].ticks_total == NA);
	/* Each column counts from its own field on: five fields no irq, six no softirq. */
	assert_int_equal(parse_str(STAT, "cpu0 1 1 1 1 1 2 3 4\ncpu1 1 1 1 1 1 5\ncpu2 1 1 1 1 6\n",
				   NULL, c, N), 0);
	EXPECT(c[0], NA, NA, 14, 2, 3, 4, NA, NA, NA);
	EXPECT(c[1], NA, NA, 10, 5, NA, NA, NA, NA, NA);
	EXPECT(c[2], NA, NA, 10, NA, NA, NA, NA, NA, NA);
	/* Only the "cpu" block: whatever follows "intr" is never read. */
	assert_int_equal(parse_str(STAT, "cpu0 1 1 1 1\nintr 1\ncpu1 2 2 2 2\n", NULL, c, N), 0);
	assert_true(c[1].ticks_total == NA);

	/* softirqs: CPU >= n or repeated columns are nobody's; short rows keep what parsed. */
	clear(c, N);
	assert_int_equal(parse_str(SOFTIRQS, "  CPU0 CPU9 CPU0 CPU2\nNET_RX: 1 2 3 4\nNET_TX: 5\n",
				   NULL, c, N),
			 0);
	assert_int_equal(c[0].net_rx, 1);
	assert_int_equal(c[2].net_rx, 4);
	assert_int_equal(c[0].net_tx, 5);
	assert_true(c[2].net_tx == NA);
	/* A count that is not a number ends the row. */
	assert_int_equal(parse_str(SOFTIRQS, "CPU0 CPU1\nNET_RX: 7x 8\n", NULL, c, N), 0);
	assert_true(c[0].net_rx == NA && c[1].net_rx == NA);

	/* softnet: ids beyond n and repeated ids ignored; uppercase hex fine; blank lines skipped. */
	clear(c, N);
	assert_int_equal(parse_str(SOFTNET,
				   "A 0 0 0 0 0 0 0 0 0 0 0 0\n \t\nB 0 0 0 0 0 0 0 0 0 0 0 9\n"
				   "C 0 0 0 0 0 0 0 0 0 0 0 0\nFFFFFFFFFFFFFFFF 1 2 0 0 0 0 0 0 0 0 0 1\n",
				   NULL, c, N),
			 0);
	EXPECT(c[0], NA, NA, NA, NA, NA, NA, 0xa, 0, 0);
	EXPECT(c[1], NA, NA, NA, NA, NA, NA, UINT64_MAX, 1, 2);

	/* NUL inside a line: not a kernel text file. */
	{
		static const char nul[] = "00000001 2 3\0 4\n";
		static const char nul2[] = "cpu0 1 1 1 1\ncpu1 1 1\0 1 1\n";
		static const char nul3[] = "CPU0\nNET_RX: 1\nNET_TX: \0 2\n";

		assert_int_equal(parse_mem(SOFTNET, nul, sizeof(nul) - 1, NULL, c, N), -EINVAL);
		/* ... in any line, not only the first */
		assert_int_equal(parse_mem(STAT, nul2, sizeof(nul2) - 1, NULL, c, N), -EINVAL);
		assert_int_equal(parse_mem(SOFTIRQS, nul3, sizeof(nul3) - 1, NULL, c, N), -EINVAL);
	}
	/* n = 0 tracks nothing but still checks the file. */
	assert_int_equal(parse_str(STAT, "cpu0 1 1 1 1\n", NULL, NULL, 0), 0);
	assert_int_equal(parse_str(STAT, "garbage\n", NULL, NULL, 0), -EINVAL);
	assert_int_equal(cpustat_parse_stat(NULL, c, N), -EINVAL);
	assert_int_equal(cpustat_parse_softirqs(NULL, c, N), -EINVAL);
	assert_int_equal(cpustat_parse_softnet(NULL, NULL, c, N), -EINVAL);
	assert_int_equal(cpustat_parse_softirqs(stdin, NULL, 1), -EINVAL);
	assert_int_equal(cpustat_parse_softnet(stdin, NULL, NULL, 1), -EINVAL);
}

/* A line past the cap: -E2BIG; more lines than MQ_MAX_CPUS allow: -EFBIG. Bounded. */
static void test_huge(void **state)
{
	size_t cap = 4U << 20, len = 0;
	char *buf = malloc(cap);
	struct mq_cpu_counters c[N];
	(void)state;

	assert_non_null(buf);
	/* A real header for MQ_MAX_CPUS CPUs fits. */
	for (unsigned i = 0; i < MQ_MAX_CPUS; i++)
		len += (size_t)snprintf(buf + len, cap - len, "CPU%-8u", i);
	len += (size_t)snprintf(buf + len, cap - len, "\n      NET_RX:");
	for (unsigned i = 0; i < MQ_MAX_CPUS; i++)
		len += (size_t)snprintf(buf + len, cap - len, " %10u", 4000000000U - i);
	buf[len++] = '\n';
	clear(c, N);
	assert_int_equal(parse_mem(SOFTIRQS, buf, len, NULL, c, N), 0);
	assert_int_equal(c[7].net_rx, 4000000000U - 7);

	/* One 1 MiB line. */
	memset(buf, ' ', 1U << 20);
	memcpy(buf + (1U << 20), "\nNET_RX: 1\n", 11);
	assert_int_equal(parse_mem(SOFTIRQS, buf, (1U << 20) + 11, NULL, c, N), -E2BIG);
	/* 100000 short lines of softnet_stat. */
	len = 0;
	for (unsigned i = 0; i < 100000; i++)
		len += (size_t)snprintf(buf + len, cap - len, "1 2 3\n");
	assert_int_equal(parse_mem(SOFTNET, buf, len, NULL, c, N), -EFBIG);
	/* /proc/stat of a huge machine: the long "intr" line is never read. */
	len = (size_t)snprintf(buf, cap, "cpu  1 1 1 1\ncpu0 1 1 1 1\nintr 5");
	memset(buf + len, ' ', 3U << 20);
	len += 3U << 20;
	assert_int_equal(parse_mem(STAT, buf, len, NULL, c, N), 0);
	assert_int_equal(c[0].ticks_total, 4);
	free(buf);
}

/*
 * Memory follows the CPUs a file lists, not MQ_MAX_CPUS: the real files of
 * small guests take a few hundred bytes (a buffer sized for 8,192 CPUs
 * would be 128 KiB), and a file with no newline stops at a line's cap.
 */
static void test_memory(void **state)
{
	struct mq_cpu_counters c[N];
	char *buf;
	(void)state;

	for (size_t i = 0; i < sizeof(trees) / sizeof(trees[0]); i++)
		for (int w = 0; w < _WHICH_MAX; w++) {
			size_t len;
			char *text = slurp(trees[i], (enum which)w, &len);

			clear(c, N);
			assert_int_equal(parse_mem((enum which)w, text, len, NULL, c, N), 0);
			if (parse_peak >= 4096)
				fail_msg("%s %s: %zu bytes", trees[i], files[w], parse_peak);
			free(text);
		}
	buf = malloc(8U << 20);
	assert_non_null(buf);
	memset(buf, '1', 8U << 20);
	for (int w = 0; w < _WHICH_MAX; w++) {
		assert_int_equal(parse_mem((enum which)w, buf, 8U << 20, NULL, c, N), -E2BIG);
		assert_true(parse_peak < (256U << 10));
	}
	memcpy(buf, "cpu0 1 1 1 1\n", 13); /* /proc/stat stops at a long line after its CPUs */
	assert_int_equal(parse_mem(STAT, buf, 8U << 20, NULL, c, N), 0);
	assert_true(parse_peak < (16U << 10));
	free(buf);
}

/*
 * The edges a header sets: a softirqs header past MQ_MAX_CPUS columns is not
 * one; after it a row may take 16 bytes a column, no more; /proc/stat's CPU
 * lines are "cpu" then a space or any digit, 9 too.
 */
static void test_edges(void **state)
{
	size_t cap = 12U * (MQ_MAX_CPUS + 1) + 64, len = 0;
	char *buf = malloc(cap), row[256];
	struct mq_cpu_counters c[10];
	(void)state;

	assert_non_null(buf);
	for (unsigned i = 0; i <= MQ_MAX_CPUS; i++)
		len += (size_t)snprintf(buf + len, cap - len, "CPU%-8u", i % MQ_MAX_CPUS);
	len += (size_t)snprintf(buf + len, cap - len, "\nNET_RX: 1\n");
	assert_int_equal(parse_mem(SOFTIRQS, buf, len, NULL, c, N), -EINVAL);

	/* Two columns: 64 + 2 * 16 bytes a row; a real row is far below, 200 is over. */
	snprintf(row, sizeof(row), "CPU0 CPU1\nNET_RX: %*u %u\n", 60, 5U, 6U);
	clear(c, N);
	assert_int_equal(parse_str(SOFTIRQS, row, NULL, c, N), 0);
	assert_true(c[0].net_rx == 5 && c[1].net_rx == 6);
	snprintf(row, sizeof(row), "CPU0 CPU1\nNET_RX: %*u %u\n", 190, 5U, 6U);
	assert_int_equal(parse_str(SOFTIRQS, row, NULL, c, N), -E2BIG);

	len = 0;
	for (unsigned i = 0; i < 10; i++)
		len += (size_t)snprintf(buf + len, cap - len, "cpu%u %u 0 0 0\n", i, i + 1);
	clear(c, 10);
	assert_int_equal(parse_mem(STAT, buf, len, NULL, c, 10), 0);
	assert_int_equal(c[8].ticks_total, 9);
	assert_int_equal(c[9].ticks_total, 10);
	free(buf);
}

/* Pre-5.10 softnet_stat: that many rows without a CPU id, row i having processed i. */
static char *old_rows(unsigned rows, size_t *ret_len)
{
	size_t len = 0, cap = (size_t)rows * 64 + 1;
	char *buf = malloc(cap);

	assert_non_null(buf);
	for (unsigned i = 0; i < rows; i++) /* 11 columns, as 5.4 writes */
		len += (size_t)snprintf(buf + len, cap - len, "%08x 0 1 0 0 0 0 0 0 0 0\n", i);
	*ret_len = len;
	return buf;
}

/* Each allocation of each parser fails in turn: -ENOMEM and cnt untouched, never a crash. */
static void test_no_memory(void **state)
{
	/* then pre-5.10 rows (no CPU id): the fixture's 3, and 17 (the row list grows past 16) */
	static const struct {
		const char *tree;
		enum which w;
	} cases[] = {{"guest-6.1", SOFTIRQS}, {"guest-6.1", STAT}, {"guest-6.1", SOFTNET},
		     {"old-5.4", SOFTNET},    {NULL, SOFTNET}};
	struct mq_cpu_counters c[N], before[N];
	CPUSET_DEFINE(online);
	(void)state;

	assert_int_equal(cpuset_parse_list("0-16", online), 0);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		enum which w = cases[i].w;
		size_t len;
		char *text = cases[i].tree ? slurp(cases[i].tree, w, &len) : old_rows(17, &len);
		unsigned k;
		int r = -ENOMEM;

		for (k = 1; k < 50 && r == -ENOMEM; k++) {
			FILE *f = fmemopen(text, len, "r");

			assert_non_null(f);
			clear(c, N);
			c[1].net_rx = 7;
			memcpy(before, c, sizeof(c));
			mem_fail_in = k;
			r = w == SOFTIRQS ? cpustat_parse_softirqs(f, c, N)
			    : w == STAT   ? cpustat_parse_stat(f, c, N)
					  : cpustat_parse_softnet(f, cases[i].tree ? NULL : online, c, N);
			mem_fail_in = 0;
			fclose(f);
			if (r == -ENOMEM)
				assert_memory_equal(c, before, sizeof(c));
		}
		if (r != 0 || k == 2) /* k == 2: the first allocation failing went unnoticed */
			fail_msg("%s: %d after %u failed allocations",
				 cases[i].tree ? cases[i].tree : "17 old rows", r, k - 1);
		if (!cases[i].tree)
			assert_int_equal(c[N - 1].softnet_processed, N - 1);
		free(text);
	}
}

/* err is cleared on entry: a stale message never survives a read that succeeds. */
static void test_read_err_cleared(void **state)
{
	struct mq_cpus cpus;
	char root[4096], err[64] = "stale";
	(void)state;

	snprintf(root, sizeof(root), "%s/cpustat/guest-6.1-off2", data_dir());
	sysfs_set_root(root);
	assert_int_equal(cpu_probe(&cpus), 0);
	assert_int_equal(cpustat_read(&cpus, err, sizeof(err)), 3);
	assert_string_equal(err, "");
	cpu_free(&cpus);
	sysfs_set_root("");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_host),        cmocka_unit_test(test_guest_61),
		cmocka_unit_test(test_guest_612),   cmocka_unit_test(test_old_softnet),
		cmocka_unit_test(test_read_root),   cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_mutated),     cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_huge),        cmocka_unit_test(test_memory),
		cmocka_unit_test(test_no_memory),   cmocka_unit_test(test_read_err_cleared),
		cmocka_unit_test(test_edges),
	};
	return cmocka_run_group_tests_name("cpustat", tests, NULL, NULL);
}
