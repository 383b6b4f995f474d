// SPDX-License-Identifier: MIT
/*
 * agent/textfile.c through a kept directory (the daemon's every interval):
 * the directory opened once, opened again when it went away or the path
 * moved, symlinks still refused, fsync only for one-shot writes and what
 * its failure leaves (fsync is wrapped, counted and failed on cue:
 * tests/test_textfile_dir.mk).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/textfile.h"
#include "tests/tmptree.h"

static unsigned fsyncs;
static unsigned fsync_fail_at; /* this fsync (1 = the next) fails with fsync_errno; 0 none */
static int fsync_errno;
static bool fail_next_close; /* the close of the next file synced fails with EIO (NFS can) */
static int fail_close_fd = -1;

int __real_fsync(int fd);
int __wrap_fsync(int fd);
int __wrap_fsync(int fd)
{
	fsyncs++;
	if (fsync_fail_at && --fsync_fail_at == 0) {
		errno = fsync_errno;
		return -1;
	}
	if (fail_next_close) {
		fail_next_close = false;
		fail_close_fd = fd;
	}
	return __real_fsync(fd);
}

int __real_close(int fd);
int __wrap_close(int fd);
int __wrap_close(int fd)
{
	int r = __real_close(fd);

	if (fd >= 0 && fd == fail_close_fd) {
		fail_close_fd = -1;
		errno = EIO;
		return -1;
	}
	return r;
}

static char top[32];
static struct textfile_dir kept;

static int setup(void **state)
{
	(void)state;
	snprintf(top, sizeof(top), "/tmp/mq-textdir-XXXXXX");
	fsyncs = 0;
	fsync_fail_at = 0;
	textfile_dir_init(&kept);
	return mkdtemp(top) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	textfile_dir_close(&kept);
	return tmptree_rm(top);
}

static int render_text(FILE *f, void *arg)
{
	fputs(arg, f);
	return 0;
}

static void assert_file(const char *path, const char *want)
{
	char buf[64];
	FILE *f = fopen(path, "re");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	assert_string_equal(buf, want);
}

/* Opened once, kept, and used again: the same fd, no new open of the path. */
static void test_kept_and_reused(void **state)
{
	char dir[64], path[96], err[256];
	struct stat st;
	int fd;
	(void)state;

	snprintf(dir, sizeof(dir), "%s/d", top);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(kept.fd, -1);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 1\n", err,
					   sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_true(kept.fd >= 0);
	assert_string_equal(kept.path, dir);
	assert_int_equal(fstat(kept.fd, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_true(fcntl(kept.fd, F_GETFD) & FD_CLOEXEC);
	fd = kept.fd;
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 2\n", err,
					   sizeof(err)), 0);
	assert_int_equal(kept.fd, fd);
	assert_file(path, "a 2\n");
	textfile_dir_close(&kept);
	assert_int_equal(kept.fd, -1);
	assert_int_equal(fcntl(fd, F_GETFD), -1); /* really closed */
}

/* The periodic write syncs nothing; a one-shot write syncs the file and the directory. */
static void test_sync_only_one_shot(void **state)
{
	char path[96], err[256];
	(void)state;

	snprintf(path, sizeof(path), "%s/m.prom", top);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 1\n", err,
					   sizeof(err)), 0);
	assert_int_equal(fsyncs, 0);
	assert_int_equal(textfile_write(path, render_text, "a 2\n", err, sizeof(err)), 0);
	assert_int_equal(fsyncs, 2);
	assert_int_equal(textfile_write_at(&kept, 0, path, render_text, "a 3\n", err, sizeof(err)), 0);
	assert_int_equal(fsyncs, 4);
	assert_file(path, "a 3\n");
}

/* The new file's close fails (EIO, as NFS reports a write-back error): the old file stays. */
static void test_close_failure_keeps_old(void **state)
{
	char path[96], err[256];
	(void)state;

	snprintf(path, sizeof(path), "%s/m.prom", top);
	assert_int_equal(textfile_write(path, render_text, "a 1\n", err, sizeof(err)), 0);
	fail_next_close = true;
	assert_int_equal(textfile_write(path, render_text, "a 2\n", err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "close of"));
	assert_file(path, "a 1\n");
}

/* Entries in dir other than . and .. */
static unsigned entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(dp);
	return n;
}

/*
 * The file's fsync fails: the old file stays, no temporary is left, the
 * error names it. The directory's fails after the rename: the new file is
 * in place and the error says so, except EINVAL (nothing to make durable).
 */
static void test_fsync_failures(void **state)
{
	char path[96], err[256];
	(void)state;

	snprintf(path, sizeof(path), "%s/m.prom", top);
	assert_int_equal(textfile_write(path, render_text, "a 1\n", err, sizeof(err)), 0);
	fsync_fail_at = 1;
	fsync_errno = EIO;
	assert_int_equal(textfile_write(path, render_text, "a 2\n", err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "m.prom: fsync of .m.prom."));
	assert_non_null(strstr(err, ": Input/output error"));
	assert_file(path, "a 1\n");
	assert_int_equal(entries(top), 1);

	fsync_fail_at = 2;
	assert_int_equal(textfile_write(path, render_text, "a 3\n", err, sizeof(err)), -EIO);
	assert_non_null(strstr(err, "m.prom: fsync of its directory: Input/output error"));
	assert_file(path, "a 3\n");
	assert_int_equal(entries(top), 1);

	fsync_fail_at = 2;
	fsync_errno = EINVAL;
	assert_int_equal(textfile_write(path, render_text, "a 4\n", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_file(path, "a 4\n");
}

/* The directory removed and made again: the write opens the new one and succeeds. */
static void test_directory_replaced(void **state)
{
	char dir[64], path[96], err[256];
	(void)state;

	snprintf(dir, sizeof(dir), "%s/d", top);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 1\n", err,
					   sizeof(err)), 0);
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 2\n", err,
					   sizeof(err)), 0);
	assert_file(path, "a 2\n");
	/* gone for good: the error, and nothing kept */
	assert_int_equal(unlink(path), 0);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 3\n", err,
					   sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_int_equal(kept.fd, -1);
}

/* Renamed away and replaced: written there until closed (a drift check), then here. */
static void test_directory_renamed(void **state)
{
	char dir[64], old[64], path[96], oldpath[96], err[256];
	(void)state;

	snprintf(dir, sizeof(dir), "%s/d", top);
	snprintf(old, sizeof(old), "%s/old", top);
	snprintf(path, sizeof(path), "%s/m.prom", dir);
	snprintf(oldpath, sizeof(oldpath), "%s/m.prom", old);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 1\n", err,
					   sizeof(err)), 0);
	assert_int_equal(rename(dir, old), 0);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 2\n", err,
					   sizeof(err)), 0);
	assert_file(oldpath, "a 2\n");
	assert_int_equal(access(path, F_OK), -1);
	textfile_dir_close(&kept);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 3\n", err,
					   sizeof(err)), 0);
	assert_file(path, "a 3\n");
	assert_file(oldpath, "a 2\n");
}

/* Another path (a reload changed prom_file): its own directory, not the kept one. */
static void test_other_directory(void **state)
{
	char a[64], b[64], pa[96], pb[96], err[256];
	(void)state;

	snprintf(a, sizeof(a), "%s/a", top);
	snprintf(b, sizeof(b), "%s/b", top);
	snprintf(pa, sizeof(pa), "%s/m.prom", a);
	snprintf(pb, sizeof(pb), "%s/m.prom", b);
	assert_int_equal(mkdir(a, 0755), 0);
	assert_int_equal(mkdir(b, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, pa, render_text, "a 1\n", err,
					   sizeof(err)), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, pb, render_text, "b 1\n", err,
					   sizeof(err)), 0);
	assert_string_equal(kept.path, b);
	assert_file(pa, "a 1\n");
	assert_file(pb, "b 1\n");
}

/*
 * Swapped in, not renamed over (no flush on ext4): a reader of the old file
 * keeps it whole, the old one is gone, a directory in the way is put back,
 * a symbolic link in the way is replaced and not followed.
 */
static void test_swap(void **state)
{
	char path[96], dir[96], link[96], target[96], err[256], buf[16];
	struct stat st;
	FILE *old;
	(void)state;

	/* nothing to swap with yet: a plain rename */
	snprintf(path, sizeof(path), "%s/fresh.prom", top);
	assert_int_equal(access(path, F_OK), -1);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "f 1\n", err,
					   sizeof(err)), 0);
	assert_file(path, "f 1\n");
	assert_int_equal(unlink(path), 0);

	snprintf(path, sizeof(path), "%s/m.prom", top);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "old 1\n", err,
					   sizeof(err)), 0);
	old = fopen(path, "re");
	assert_non_null(old);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "new 22\n", err,
					   sizeof(err)), 0);
	assert_non_null(fgets(buf, sizeof(buf), old));
	assert_string_equal(buf, "old 1\n");
	fclose(old);
	assert_file(path, "new 22\n");
	assert_int_equal(entries(top), 1);

	snprintf(dir, sizeof(dir), "%s/d.prom", top);
	assert_int_equal(mkdir(dir, 0755), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, dir, render_text, "x 1\n", err,
					   sizeof(err)), -EISDIR);
	assert_int_equal(stat(dir, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(entries(top), 2); /* m.prom, d.prom: no temporary file left */

	snprintf(target, sizeof(target), "%s/elsewhere", top);
	snprintf(link, sizeof(link), "%s/l.prom", top);
	assert_int_equal(symlink(target, link), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, link, render_text, "y 1\n", err,
					   sizeof(err)), 0);
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(access(target, F_OK), -1);
	assert_int_equal(entries(top), 3);
}

/* A symbolic link on the way is refused as for a one-shot write; nothing is kept. */
static void test_symlink_refused(void **state)
{
	char real[64], link[64], path[96], err[512];
	(void)state;

	snprintf(real, sizeof(real), "%s/real", top);
	snprintf(link, sizeof(link), "%s/link", top);
	snprintf(path, sizeof(path), "%s/m.prom", link);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	assert_int_equal(textfile_write_at(&kept, TEXTFILE_NO_SYNC, path, render_text, "a 1\n", err,
					   sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "is a symbolic link"));
	assert_int_equal(kept.fd, -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_kept_and_reused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sync_only_one_shot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_close_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fsync_failures, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_replaced, setup, teardown),
		cmocka_unit_test_setup_teardown(test_directory_renamed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_other_directory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlink_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
