// SPDX-License-Identifier: MIT
/* probes/reread.c: files kept open and read again from the start, through the sysfs root. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static char root[] = "/tmp/mqreread.XXXXXX";

/* pread fails on cue (tests/test_reread.mk): EINTR so many times, then once with pread_errno. */
static unsigned pread_eintr;
static int pread_errno;

ssize_t __real_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off);
ssize_t __wrap_pread(int fd, void *buf, size_t n, off_t off)
{
	if (pread_eintr) {
		pread_eintr--;
		errno = EINTR;
		return -1;
	}
	if (pread_errno) {
		errno = pread_errno;
		pread_errno = 0;
		return -1;
	}
	return __real_pread(fd, buf, n, off);
}

/* Written in place (same inode), as /proc changes under a kept fd. */
static void put(const char *rel, const char *text)
{
	char p[512];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	f = fopen(p, "r+");
	if (!f)
		f = fopen(p, "w");
	assert_non_null(f);
	assert_int_equal(ftruncate(fileno(f), 0), 0);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void dirs(const char *rel)
{
	char p[512];

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		mkdir(p, 0755);
		*s = '/';
	}
	mkdir(p, 0755);
}

static int setup(void **state)
{
	(void)state;
	pread_eintr = 0;
	pread_errno = 0;
	assert_non_null(mkdtemp(root));
	dirs("/proc/net");
	dirs("/sys/devices/system/cpu");
	sysfs_set_root(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysfs_set_root("");
	tmptree_rm(root);
	memcpy(root + strlen(root) - 6, "XXXXXX", 6);
	return 0;
}

static void test_fresh_at_every_read(void **state)
{
	struct probe_files f;
	const char *text;
	size_t len;
	(void)state;

	probe_files_init(&f);
	put("/sys/devices/system/cpu/online", "0-3\n");
	assert_int_equal(probe_file_read(&f, PROBE_FILE_CPU_ONLINE, &text, &len), 0);
	assert_string_equal(text, "0-3\n");
	assert_int_equal(len, 4);
	assert_true(f.fd[PROBE_FILE_CPU_ONLINE] >= 0);
	int fd = f.fd[PROBE_FILE_CPU_ONLINE];

	put("/sys/devices/system/cpu/online", "0-1\n");
	assert_int_equal(probe_file_read(&f, PROBE_FILE_CPU_ONLINE, &text, &len), 0);
	assert_string_equal(text, "0-1\n");
	assert_int_equal(f.fd[PROBE_FILE_CPU_ONLINE], fd); /* not opened again */

	/* bigger than the first buffer: it grows, and stays for the next */
	{
		size_t big = 100000;
		char *s = malloc(big + 1);

		assert_non_null(s);
		memset(s, 'x', big);
		s[big] = '\0';
		put("/proc/interrupts", s);
		assert_int_equal(probe_file_read(&f, PROBE_FILE_INTERRUPTS, &text, &len), 0);
		assert_int_equal(len, big);
		assert_int_equal(strlen(text), big);
		free(s);
	}
	probe_files_close(&f);
	assert_int_equal(f.fd[PROBE_FILE_CPU_ONLINE], -1);
	assert_null(f.buf);
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed, not only forgotten */
	assert_int_equal(errno, EBADF);
}

/* With stdin closed, 0 is the descriptor a kept file gets: closed all the same. */
static void test_close_fd_zero(void **state)
{
	struct probe_files f;
	const char *text;
	size_t len;
	int saved = dup(0);
	(void)state;

	assert_true(saved > 0);
	assert_int_equal(close(0), 0);
	probe_files_init(&f);
	put("/sys/devices/system/cpu/online", "0\n");
	assert_int_equal(probe_file_read(&f, PROBE_FILE_CPU_ONLINE, &text, &len), 0);
	assert_int_equal(f.fd[PROBE_FILE_CPU_ONLINE], 0);
	probe_files_close(&f);
	assert_int_equal(f.fd[PROBE_FILE_CPU_ONLINE], -1);
	assert_int_equal(fcntl(0, F_GETFD), -1);
	assert_int_equal(errno, EBADF);
	assert_int_equal(dup2(saved, 0), 0);
	assert_int_equal(close(saved), 0);
}

static void test_missing_then_there(void **state)
{
	struct probe_files f;
	const char *text;
	size_t len;
	(void)state;

	probe_files_init(&f);
	assert_int_equal(probe_file_read(&f, PROBE_FILE_SOFTNET, &text, &len), -ENOENT);
	assert_int_equal(f.fd[PROBE_FILE_SOFTNET], -1);
	put("/proc/net/softnet_stat", "");
	assert_int_equal(probe_file_read(&f, PROBE_FILE_SOFTNET, &text, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(text, "");
	assert_int_equal(probe_file_read(&f, _PROBE_FILE_MAX, &text, &len), -EINVAL);
	probe_files_close(&f);
}

/*
 * A read a signal interrupted is read again, the file kept open; a read the
 * kernel refuses is its errno, and the file is opened anew at the next read.
 */
static void test_read_interrupted_or_failed(void **state)
{
	struct probe_files f;
	const char *text;
	size_t len;
	int fd;
	(void)state;

	probe_files_init(&f);
	put("/proc/stat", "cpu  1 2 3\n");
	pread_eintr = 3;
	assert_int_equal(probe_file_read(&f, PROBE_FILE_STAT, &text, &len), 0);
	assert_int_equal(pread_eintr, 0);
	assert_string_equal(text, "cpu  1 2 3\n");
	fd = f.fd[PROBE_FILE_STAT];
	assert_true(fd >= 0);
	pread_eintr = 1;
	assert_int_equal(probe_file_read(&f, PROBE_FILE_STAT, &text, &len), 0);
	assert_int_equal(len, 11);
	assert_int_equal(f.fd[PROBE_FILE_STAT], fd);

	pread_errno = EIO;
	assert_int_equal(probe_file_read(&f, PROBE_FILE_STAT, &text, &len), -EIO);
	assert_int_equal(f.fd[PROBE_FILE_STAT], -1);
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* closed, not leaked */
	assert_int_equal(probe_file_read(&f, PROBE_FILE_STAT, &text, &len), 0);
	assert_true(f.fd[PROBE_FILE_STAT] >= 0);
	assert_string_equal(text, "cpu  1 2 3\n");
	probe_files_close(&f);
}

/* A FIFO would block or not start over: refused, never kept; so is a directory. */
static void test_not_a_regular_file(void **state)
{
	struct probe_files f;
	const char *text;
	size_t len;
	char p[512];
	(void)state;

	snprintf(p, sizeof(p), "%s/proc/stat", root);
	assert_int_equal(mkdir(p, 0755), 0);
	snprintf(p, sizeof(p), "%s/proc/softirqs", root);
	assert_int_equal(mkfifo(p, 0600), 0);
	probe_files_init(&f);
	assert_int_equal(probe_file_read(&f, PROBE_FILE_STAT, &text, &len), -EISDIR);
	assert_int_equal(f.fd[PROBE_FILE_STAT], -1);
	assert_int_equal(probe_file_read(&f, PROBE_FILE_SOFTIRQS, &text, &len), -ENOTSUP);
	assert_int_equal(f.fd[PROBE_FILE_SOFTIRQS], -1);
	/* a symlink out of the root is not followed */
	snprintf(p, sizeof(p), "%s/proc/interrupts", root);
	assert_int_equal(symlink("/proc/interrupts", p), 0);
	assert_int_equal(probe_file_read(&f, PROBE_FILE_INTERRUPTS, &text, &len), -EXDEV);
	assert_int_equal(f.fd[PROBE_FILE_INTERRUPTS], -1);
	probe_files_close(&f);
}

/* The counters through kept files are the counters through fopen. */
static void test_cpustat_same_both_ways(void **state)
{
	struct mq_cpu cpu[2];
	struct mq_cpus c = {.n = 2, .cpu = cpu};
	struct mq_cpu_counters by_path[2];
	struct probe_files f;
	(void)state;

	memset(cpu, 0, sizeof(cpu));
	CPUSET_DEFINE(online);

	cpuset_set(online, 0);
	cpuset_set(online, 1);
	c.online = online; /* a buf's set: nothing to intern for the parsers */
	put("/proc/softirqs", "                    CPU0       CPU1\n"
			      "      NET_TX:         10         20\n"
			      "      NET_RX:        100        200\n");
	put("/proc/stat", "cpu  1 2 3 4 5 6 7 8 0 0\n"
			  "cpu0 1 0 1 10 0 2 3 4 0 0\n"
			  "cpu1 0 2 2 20 5 4 4 4 0 0\n"
			  "intr 0\n");
	put("/proc/net/softnet_stat", "00000010 00000001 00000002 00000000 00000000 00000000 "
				      "00000000 00000000 00000000 00000000 00000000 00000000 00000000\n"
				      "00000020 00000003 00000004 00000000 00000000 00000000 "
				      "00000000 00000000 00000000 00000000 00000000 00000000 00000001\n");
	assert_int_equal(cpustat_read(&c, NULL, 0), 3);
	by_path[0] = cpu[0].cnt;
	by_path[1] = cpu[1].cnt;
	assert_int_equal(by_path[1].net_rx, 200);
	assert_int_equal(by_path[1].softnet_processed, 0x20);
	memset(cpu, 0, sizeof(cpu));
	probe_files_init(&f);
	assert_int_equal(cpustat_read_with(&c, &f, NULL, 0), 3);
	assert_memory_equal(&cpu[0].cnt, &by_path[0], sizeof(by_path[0]));
	assert_memory_equal(&cpu[1].cnt, &by_path[1], sizeof(by_path[1]));
	/* the next interval: new numbers through the same fds */
	put("/proc/softirqs", "                    CPU0       CPU1\n"
			      "      NET_TX:         11         21\n"
			      "      NET_RX:        101        201\n");
	assert_int_equal(cpustat_read_with(&c, &f, NULL, 0), 3);
	assert_int_equal(cpu[1].cnt.net_rx, 201);
	assert_true(f.fd[PROBE_FILE_SOFTIRQS] >= 0 && f.fd[PROBE_FILE_STAT] >= 0 &&
		    f.fd[PROBE_FILE_SOFTNET] >= 0);
	probe_files_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_fresh_at_every_read, setup, teardown),
		cmocka_unit_test_setup_teardown(test_missing_then_there, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_fd_zero, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_a_regular_file, setup, teardown),
		cmocka_unit_test_setup_teardown(test_read_interrupted_or_failed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cpustat_same_both_ways, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
