// SPDX-License-Identifier: MIT
/* Reading the configuration (agent/config_file.c): the main file, its drop-ins, what is refused. */
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

#include <dirent.h>

#include <cmocka.h>

#include "agent/config_file.h"
#include "agent/log.h"
#include "core/config.h"
#include "tests/capture.h"
#include "tests/tmptree.h"

static char dir[64];

/*
 * System calls that fail on cue (tests/test_config_file.mk): the errno to
 * fail with, and for read and readdir which call fails (1: the next one).
 */
static struct {
	int fstat_err, read_err, readdir_err;
	unsigned read_at, readdir_at;
} fault;

int __real_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st);
int __wrap_fstat(int fd, struct stat *st)
{
	if (fault.fstat_err) {
		errno = fault.fstat_err;
		return -1;
	}
	return __real_fstat(fd, st);
}

static bool fails_now(unsigned *at)
{
	return *at && --*at == 0;
}

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	if (fails_now(&fault.read_at)) {
		errno = fault.read_err;
		return -1;
	}
	return __real_read(fd, buf, len);
}

/* _FORTIFY_SOURCE builds call this one when the buffer's size is known */
ssize_t __wrap___read_chk(int fd, void *buf, size_t len, size_t buflen);
ssize_t __wrap___read_chk(int fd, void *buf, size_t len, size_t buflen)
{
	assert_true(len <= buflen);
	return __wrap_read(fd, buf, len);
}

struct dirent *__real_readdir(DIR *d);
struct dirent *__wrap_readdir(DIR *d);
struct dirent *__wrap_readdir(DIR *d)
{
	if (fails_now(&fault.readdir_at)) {
		errno = fault.readdir_err;
		return NULL;
	}
	return __real_readdir(d);
}

static int mkdir_tmp(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/mqcfg.XXXXXX");
	if (!mkdtemp(dir))
		return -1;
	/* a FIFO or a device that blocked would hang: tests/harness.c names the test */
	return 0;
}

static int rm_tmp(void **state)
{
	(void)state;
	return tmptree_rm(dir);
}

static const char *at(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", dir, name);
	return buf;
}

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *f = fopen(at(path, sizeof(path), name), "w");

	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

static void test_missing(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	(void)state;
	at(path, sizeof(path), "none.conf");
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.conf: No such file"));
	assert_int_equal(config_open(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.conf: No such file"));

	/* missing main file allowed: the defaults, under its drop-ins */
	assert_int_equal(config_load(path, true, &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "");
	assert_int_equal(c.nfiles, 0);
	config_free(&c);
	assert_int_equal(mkdir(at(path, sizeof(path), "none.conf.d"), 0755), 0);
	put("none.conf.d/a.conf", "queues = 3\n");
	at(path, sizeof(path), "none.conf");
	assert_int_equal(config_load(path, true, &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "");
	assert_int_equal(c.nfiles, 1);
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 3);
	config_free(&c);
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -ENOENT);

	if (access(MQ_DEFAULT_CONFIG, F_OK) != 0 && access(MQ_DEFAULT_CONFIG ".d", F_OK) != 0) {
		assert_int_equal(config_open(NULL, &c, err, sizeof(err)), 0);
		assert_string_equal(c.path, "");
		assert_string_equal(err, "");
		config_free(&c);
	} else {
		print_message("note: " MQ_DEFAULT_CONFIG " exists here, the missing-default case is not run\n");
	}
}

/* Drop-ins in C-locale order (B before a), later wins; other names ignored. */
static void test_dropins(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	struct mq_if_config i;
	(void)state;
	put("main.conf", "queues = 2\n[eth0]\nxps = off\n");
	assert_int_equal(mkdir(at(path, sizeof(path), "main.conf.d"), 0755), 0);
	put("main.conf.d/20-b.conf", "[eth0]\nqueues = 8\n");
	put("main.conf.d/10-a.conf", "queues = 3\n[eth0]\nqueues = 4\nrps = on\n");
	put("main.conf.d/B.conf", "queues = 5\n");
	put("main.conf.d/a.conf", "queues = 6\n[eth1]\n");
	put("main.conf.d/README", "not a config\n");
	put("main.conf.d/30-c.conf.dpkg-old", "queues = x\n");
	put("main.conf.d/.hidden.conf", "queues = x\n");
	put("main.conf.d/.conf", "queues = x\n");

	assert_int_equal(config_load(at(path, sizeof(path), "main.conf"), false, &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, path);
	assert_int_equal(c.nfiles, 5);
	assert_non_null(strstr(c.files[1], "/main.conf.d/10-a.conf"));
	assert_non_null(strstr(c.files[2], "/main.conf.d/20-b.conf"));
	assert_non_null(strstr(c.files[3], "/main.conf.d/B.conf"));
	assert_non_null(strstr(c.files[4], "/main.conf.d/a.conf"));
	assert_int_equal(config_for(&c, "eth9", NULL).queues, 6);
	i = config_for(&c, "eth0", NULL);
	assert_int_equal(i.queues, 8);
	assert_false(i.xps);
	assert_true(i.rps);
	assert_int_equal(c.nsections, 2);
	assert_non_null(strstr(config_section_file(&c, &c.sections[1]), "/main.conf.d/a.conf"));
	config_free(&c);

	/* an error in a drop-in names the drop-in and its line; nothing is returned */
	put("main.conf.d/50-bad.conf", "# bad\nrps = sometimes\n");
	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(config_open(at(path, sizeof(path), "main.conf"), &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/main.conf.d/50-bad.conf:2: bad value 'sometimes' for rps"));
	assert_int_equal(c.nsections, 0x5a5a5a5a);
	unlink(at(path, sizeof(path), "main.conf.d/50-bad.conf"));

	/* warnings name the drop-in */
	put("main.conf.d/60-new.conf", "\n\nfuture = 1\n");
	assert_int_equal(config_open(at(path, sizeof(path), "main.conf"), &c, err, sizeof(err)), 0);
	assert_int_equal(c.nwarnings, 1);
	assert_non_null(strstr(c.warnings[0], "/main.conf.d/60-new.conf:3: unknown key 'future', ignored"));
	config_free(&c);
}

static void test_too_many_dropins(void **state)
{
	char path[256], err[256], name[64];
	struct mq_config c;
	(void)state;
	put("many.conf", "");
	assert_int_equal(mkdir(at(path, sizeof(path), "many.conf.d"), 0755), 0);
	for (int k = 0; k < CONFIG_DROPINS_MAX; k++) {
		snprintf(name, sizeof(name), "many.conf.d/%02d.conf", k);
		put(name, "xps = on\n");
	}
	assert_int_equal(config_load(at(path, sizeof(path), "many.conf"), false, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, CONFIG_DROPINS_MAX + 1);
	config_free(&c);
	put("many.conf.d/99.conf", "");
	assert_int_equal(config_load(at(path, sizeof(path), "many.conf"), false, &c, err, sizeof(err)), -E2BIG);
	assert_non_null(strstr(err, "many.conf.d: more than 64 *.conf files"));
}

/* Only regular files: a FIFO, a directory or a device is refused at once, naming it. */
static void test_refused(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	(void)state;
	assert_int_equal(mkfifo(at(path, sizeof(path), "fifo.conf"), 0644), 0);
	assert_int_equal(config_open(path, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/fifo.conf: is a FIFO, not a regular file"));

	assert_int_equal(config_open(dir, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ": is a directory, not a regular file"));
	assert_int_equal(strncmp(err, dir, strlen(dir)), 0);

	assert_int_equal(config_open("/dev/null", &c, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/dev/null: is a character device, not a regular file");

	/* a FIFO among the drop-ins */
	put("ok.conf", "queues = 2\n");
	assert_int_equal(mkdir(at(path, sizeof(path), "ok.conf.d"), 0755), 0);
	assert_int_equal(mkfifo(at(path, sizeof(path), "ok.conf.d/10-fifo.conf"), 0644), 0);
	assert_int_equal(config_open(at(path, sizeof(path), "ok.conf"), &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/ok.conf.d/10-fifo.conf: is a FIFO, not a regular file"));
	unlink(at(path, sizeof(path), "ok.conf.d/10-fifo.conf"));
	/* ... and a directory named like one */
	assert_int_equal(mkdir(at(path, sizeof(path), "ok.conf.d/20-dir.conf"), 0755), 0);
	assert_int_equal(config_open(at(path, sizeof(path), "ok.conf"), &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "/ok.conf.d/20-dir.conf: is a directory"));
	rmdir(at(path, sizeof(path), "ok.conf.d/20-dir.conf"));

	/* symlinks to regular files are fine, for the main file and a drop-in */
	assert_int_equal(symlink("ok.conf", at(path, sizeof(path), "link.conf")), 0);
	assert_int_equal(symlink("../ok.conf", at(path, sizeof(path), "ok.conf.d/30-link.conf")), 0);
	assert_int_equal(config_open(at(path, sizeof(path), "link.conf"), &c, err, sizeof(err)), 0);
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 2);
	config_free(&c);
	assert_int_equal(config_open(at(path, sizeof(path), "ok.conf"), &c, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 2);
	config_free(&c);

	/* a drop-in "directory" that is a file: no drop-ins */
	put("plain.conf", "queues = 2\n");
	put("plain.conf.d", "queues = x\n");
	assert_int_equal(config_open(at(path, sizeof(path), "plain.conf"), &c, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 1);
	config_free(&c);
}

static void test_content_refused(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	FILE *f;
	(void)state;
	at(path, sizeof(path), "nul.conf");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("queues = 2\n\nxps = o", f);
	fputc('\0', f);
	fputs("n\n", f);
	fclose(f);
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "nul.conf:3: NUL byte"));
	/* no room for the error text (NULL, or a length of 0): same answer, nothing written */
	assert_int_equal(config_load(path, false, &c, NULL, 0), -EINVAL);
	err[0] = 'x';
	assert_int_equal(config_load(path, false, &c, err, 0), -EINVAL);
	assert_int_equal(err[0], 'x');

	/* the size cap: one byte over */
	f = fopen(at(path, sizeof(path), "big.conf"), "w");
	assert_non_null(f);
	for (int k = 0; k <= CONFIG_FILE_MAX; k++)
		fputc(k % 64 == 63 ? '\n' : '#', f);
	fclose(f);
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "big.conf: larger than 1048576 bytes"));
	assert_int_equal(truncate(path, CONFIG_FILE_MAX), 0);
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), 0);
	config_free(&c);
}

/*
 * The shipped example changes nothing as installed; with every commented-out
 * setting ("#key = ..." and "#[...]" lines) enabled it still parses.
 */
static void test_example_file(void **state)
{
	const char *data = getenv("MQ_TEST_DATA");
	char path[4096], err[256], line[512];
	struct mq_config c, def;
	FILE *in, *out;
	(void)state;
	/* tests/run runs from the source tree; MQ_TEST_DATA is <tree>/tests/data */
	snprintf(path, sizeof(path), "mqbalance.conf.example");
	if (access(path, R_OK) != 0 && data)
		snprintf(path, sizeof(path), "%s/../../mqbalance.conf.example", data);
	if (access(path, R_OK) != 0) {
		print_message("skip: %s not found (run from the source tree)\n", path);
		skip();
	}
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), 0);
	config_init(&def);
	assert_int_equal(c.nsections, 0);
	assert_int_equal(c.nwarnings, 0);
	assert_false(c.prom_file_set);
	assert_int_equal(c.nexclude, 0);
	assert_memory_equal(&c.defaults, &def.defaults, sizeof(def.defaults));
	assert_true(cpuset_empty(cpuset_buf(&c.banned_cpus)));
	assert_true(c.interval == def.interval && c.drift_check == def.drift_check);
	assert_string_equal(c.prom_file, def.prom_file);
	config_free(&c);

	in = fopen(path, "r");
	out = fopen(at(path, sizeof(path), "example-on.conf"), "w");
	assert_non_null(in);
	assert_non_null(out);
	while (fgets(line, sizeof(line), in)) {
		bool setting = line[0] == '#' && (line[1] == '[' || (line[1] >= 'a' && line[1] <= 'z'));

		fputs(setting ? line + 1 : line, out);
	}
	fclose(in);
	fclose(out);
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nwarnings, 0);
	assert_int_equal(c.nsections, 3);
	assert_true(c.prom_file_set);
	assert_int_equal(config_for(&c, "eth0", "virtio_net").queues, 4);
	assert_true(config_for(&c, "eth1", "virtio_net").rps);
	assert_true(config_for(&c, "veth1", "veth").exclude);
	config_free(&c);
}

/*
 * The kernel's errors while reading: the file's own error (EIO of a bad
 * disk), never a too-large file or a config made of what was read so far;
 * a read interrupted by a signal is read again.
 */
static void test_read_errors(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	(void)state;
	put("io.conf", "queues = 2\n");
	at(path, sizeof(path), "io.conf");

	memset(&fault, 0, sizeof(fault));
	fault.fstat_err = EOVERFLOW;
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EOVERFLOW);
	assert_string_equal(strstr(err, "/io.conf: "), "/io.conf: Value too large for defined data type");
	/* a missing file allowed is not a file that cannot be read */
	assert_int_equal(config_load(path, true, &c, err, sizeof(err)), -EOVERFLOW);
	fault.fstat_err = 0;

	fault.read_err = EIO;
	fault.read_at = 1;
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EIO);
	assert_string_equal(strstr(err, "/io.conf: "), "/io.conf: Input/output error");
	/* the second read (the one that finds the end) fails: still nothing half-read */
	fault.read_at = 2;
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EIO);
	assert_string_equal(strstr(err, "/io.conf: "), "/io.conf: Input/output error");
	fault.read_err = EINTR;
	fault.read_at = 1;
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), 0);
	assert_int_equal(fault.read_at, 0); /* it was interrupted, then read again */
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 2);
	config_free(&c);

	/* the drop-in directory unreadable halfway through the listing: no half of the drop-ins */
	assert_int_equal(mkdir(at(path, sizeof(path), "io.conf.d"), 0755), 0);
	put("io.conf.d/10-a.conf", "queues = 3\n");
	put("io.conf.d/20-b.conf", "queues = 4\n");
	at(path, sizeof(path), "io.conf");
	for (unsigned k = 1; k <= 5; k++) { /* ".", "..", two drop-ins, the end: each call fails once */
		fault.readdir_err = EIO;
		fault.readdir_at = k;
		memset(&c, 0x5a, sizeof(c));
		assert_int_equal(config_load(path, false, &c, err, sizeof(err)), -EIO);
		assert_string_equal(strstr(err, "/io.conf.d: "), "/io.conf.d: Input/output error");
		assert_int_equal(c.nfiles, 0x5a5a5a5a); /* nothing returned */
	}
	assert_int_equal(config_load(path, false, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 3);
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 4);
	config_free(&c);
	memset(&fault, 0, sizeof(fault));
}

/* config_log_warnings() for a config with nwarn unknown keys, its stderr into out. */
static void log_warnings(int nwarn, char *out, size_t outlen)
{
	char text[64 * 20];
	struct mq_config c;
	size_t o = 0;

	for (int k = 0; k < nwarn; k++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "unknown%d = 1\n", k);
	text[o] = '\0';
	assert_int_equal(config_parse(text, "/etc/mqbalance.conf", &c, NULL, 0), 0);
	assert_int_equal(c.nwarnings, nwarn);
	capture_start();
	log_setup(LOG_LVL_INFO, false);
	config_log_warnings(&c);
	capture_end(out, outlen);
	config_free(&c);
}

/* Warnings are logged up to MQ_WARNINGS_MAX, then how many more there were. */
static void test_log_warnings(void **state)
{
	char out[8192];
	(void)state;

	log_warnings(20, out, sizeof(out));
	assert_non_null(strstr(out, "mqbalance: warning: /etc/mqbalance.conf:1: unknown key 'unknown0', ignored\n"));
	assert_non_null(strstr(out, "mqbalance: warning: /etc/mqbalance.conf:16: unknown key 'unknown15', ignored\n"
				    "mqbalance: warning: ... and 4 more configuration warnings\n"));
	assert_null(strstr(out, "unknown16"));
	/* exactly MQ_WARNINGS_MAX: each of them, and no "and 0 more" */
	log_warnings(MQ_WARNINGS_MAX, out, sizeof(out));
	assert_non_null(strstr(out, "unknown key 'unknown15', ignored\n"));
	assert_null(strstr(out, "more configuration warnings"));
}

/* Started with fd 0 closed, the file gets fd 0: read as any other, and closed after. */
static void test_stdin_closed(void **state)
{
	char path[256], err[256];
	struct mq_config c;
	int in = dup(STDIN_FILENO), r, open0;
	(void)state;

	assert_true(in >= 0);
	put("fd0.conf", "queues = 5\n");
	at(path, sizeof(path), "fd0.conf");
	close(STDIN_FILENO);
	r = config_load(path, false, &c, err, sizeof(err));
	open0 = fcntl(STDIN_FILENO, F_GETFD) >= 0;
	assert_int_equal(dup2(in, STDIN_FILENO), STDIN_FILENO);
	close(in);
	if (r < 0)
		fail_msg("config_load: %d %s", r, err);
	assert_false(open0);
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 5);
	config_free(&c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_missing),
		cmocka_unit_test(test_dropins),
		cmocka_unit_test(test_too_many_dropins),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_content_refused),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_log_warnings),
		cmocka_unit_test(test_stdin_closed),
	};
	return cmocka_run_group_tests_name("config_file", tests, mkdir_tmp, rm_tmp);
}
