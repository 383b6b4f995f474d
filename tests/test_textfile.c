// SPDX-License-Identifier: MIT
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/textfile.h"

struct dir {
	char path[64];
	char file[128];
};

static int setup(void **state)
{
	struct dir *d = calloc(1, sizeof(*d));

	if (!d)
		return -1;
	snprintf(d->path, sizeof(d->path), "/tmp/mq-textfile-XXXXXX");
	if (!mkdtemp(d->path))
		return -1;
	snprintf(d->file, sizeof(d->file), "%s/mqbalance.prom", d->path);
	*state = d;
	return 0;
}

static int teardown(void **state)
{
	struct dir *d = *state;
	DIR *dp = opendir(d->path);
	struct dirent *e;
	char p[512];

	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.' && (!e->d_name[1] || (e->d_name[1] == '.' && !e->d_name[2])))
			continue;
		snprintf(p, sizeof(p), "%s/%s", d->path, e->d_name);
		if (unlink(p) < 0)
			rmdir(p);
	}
	if (dp)
		closedir(dp);
	rmdir(d->path);
	free(d);
	return 0;
}

static int render_text(FILE *f, void *arg)
{
	fputs(arg, f);
	return 0;
}

/* Writes a good part, then fails: the way a renderer breaks halfway. */
static int render_half(FILE *f, void *arg)
{
	(void)arg;
	fputs("half a file", f);
	return -EPROTO;
}

/* 64 KiB: more than a tiny tmpfs holds. */
static int render_big(FILE *f, void *arg)
{
	(void)arg;
	for (int i = 0; i < 1024; i++)
		fprintf(f, "mqbalance_filler{i=\"%04d\"} %0*d\n", i, 38, i);
	return 0;
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "re");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

/* Entries in dir other than . and .. */
static unsigned count_entries(const char *dir)
{
	DIR *dp = opendir(dir);
	struct dirent *e;
	unsigned n = 0;

	assert_non_null(dp);
	while ((e = readdir(dp)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			n++;
	closedir(dp);
	return n;
}

static void test_replace(void **state)
{
	struct dir *d = *state;
	char err[256], buf[64];

	assert_int_equal(textfile_write(d->file, render_text, "old\n", err, sizeof(err)), 0);
	assert_string_equal(err, "");
	read_file(d->file, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(textfile_write(d->file, render_text, "new\n", err, sizeof(err)), 0);
	read_file(d->file, buf, sizeof(buf));
	assert_string_equal(buf, "new\n");
	assert_int_equal(count_entries(d->path), 1); /* no temporary file left behind */
}

/* "." is skipped, ".." climbs: the file lands where the path says. */
static void test_dot_components(void **state)
{
	struct dir *d = *state;
	char err[256], path[256], buf[64];

	snprintf(path, sizeof(path), "%s/sub", d->path);
	assert_int_equal(mkdir(path, 0755), 0);
	snprintf(path, sizeof(path), "%s/./sub/../mqbalance.prom", d->path);
	assert_int_equal(textfile_write(path, render_text, "dots 1\n", err, sizeof(err)), 0);
	read_file(d->file, buf, sizeof(buf));
	assert_string_equal(buf, "dots 1\n");
	snprintf(path, sizeof(path), "%s/sub", d->path);
	assert_int_equal(count_entries(path), 0);
}

static void test_render_failure_keeps_old(void **state)
{
	struct dir *d = *state;
	char err[256], buf[64];

	int zero = -1;

	/* fd 0 open, so that closing a descriptor the write never opened shows */
	if (fcntl(0, F_GETFD) < 0)
		assert_int_equal(zero = open("/dev/null", O_RDONLY | O_CLOEXEC), 0);
	assert_int_equal(textfile_write(d->file, render_text, "old\n", err, sizeof(err)), 0);
	assert_int_equal(textfile_write(d->file, render_half, NULL, err, sizeof(err)), -EPROTO);
	assert_non_null(strstr(err, d->file));
	assert_non_null(strstr(err, strerror(EPROTO)));
	assert_true(fcntl(0, F_GETFD) >= 0); /* failed before the directory was opened: nothing closed */
	read_file(d->file, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(count_entries(d->path), 1);
	if (zero == 0)
		close(zero);
}

/* A write that fails part-way (here RLIMIT_FSIZE: EFBIG): the old file stays, no temporary left. */
static void test_write_failure_keeps_old(void **state)
{
	struct dir *d = *state;
	char err[256], buf[64];
	struct rlimit old, small;
	void (*was)(int);

	assert_int_equal(textfile_write(d->file, render_text, "old\n", err, sizeof(err)), 0);
	assert_int_equal(getrlimit(RLIMIT_FSIZE, &old), 0);
	small = (struct rlimit){.rlim_cur = 4, .rlim_max = old.rlim_max};
	was = signal(SIGXFSZ, SIG_IGN);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &small), 0);
	assert_int_equal(textfile_write(d->file, render_text, "newer and longer\n", err, sizeof(err)),
			 -EFBIG);
	assert_int_equal(setrlimit(RLIMIT_FSIZE, &old), 0);
	signal(SIGXFSZ, was);
	assert_non_null(strstr(err, "write of"));
	read_file(d->file, buf, sizeof(buf));
	assert_string_equal(buf, "old\n");
	assert_int_equal(count_entries(d->path), 1);
}

static void test_mode_under_umask(void **state)
{
	struct dir *d = *state;
	struct stat st;
	char err[256];
	mode_t old = umask(077);

	assert_int_equal(textfile_write(d->file, render_text, "x 1\n", err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(d->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
}

static void test_bad_directories(void **state)
{
	struct dir *d = *state;
	char err[256], path[256];

	/* missing directory */
	snprintf(path, sizeof(path), "%s/missing/mqbalance.prom", d->path);
	assert_int_equal(textfile_write(path, render_text, "x 1\n", err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, strerror(ENOENT)));

	/* a file where the directory should be: root cannot bypass this one */
	snprintf(path, sizeof(path), "%s/notadir", d->path);
	assert_int_equal(textfile_write(path, render_text, "x 1\n", err, sizeof(err)), 0);
	snprintf(path, sizeof(path), "%s/notadir/mqbalance.prom", d->path);
	assert_int_equal(textfile_write(path, render_text, "x 1\n", err, sizeof(err)), -ENOTDIR);
	assert_non_null(strstr(err, strerror(ENOTDIR)));

	/* the target is a directory: rename fails, the temporary file goes */
	snprintf(path, sizeof(path), "%s/adir.prom", d->path);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_true(textfile_write(path, render_text, "x 1\n", err, sizeof(err)) < 0);
	assert_int_equal(count_entries(d->path), 2); /* notadir, adir.prom */
}

/*
 * A directory on the way that is a symbolic link is refused, naming it: in a
 * directory another user can write, a link would put the file elsewhere.
 * The file itself may be a link: it is replaced, never followed.
 */
static void test_symlinks(void **state)
{
	struct dir *d = *state;
	char err[512], path[256], real[160], link[160], up[160], buf[64], cwd[512];
	static const char *const made[] = {"x.prom", "r1.prom", "r2.prom"};
	struct stat st;

	snprintf(real, sizeof(real), "%s/real", d->path);
	snprintf(link, sizeof(link), "%s/link", d->path);
	snprintf(up, sizeof(up), "%s/up", d->path);
	assert_int_equal(mkdir(real, 0755), 0);
	assert_int_equal(symlink(real, link), 0);
	assert_int_equal(symlink(d->path, up), 0);

	snprintf(path, sizeof(path), "%s/x.prom", link);
	assert_int_equal(textfile_write(path, render_text, "x 1\n", err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, path));
	assert_non_null(strstr(err, "is a symbolic link"));
	assert_int_equal(count_entries(real), 0);
	/* a link higher up */
	snprintf(path, sizeof(path), "%s/real/x.prom", up);
	assert_int_equal(textfile_write(path, render_text, "x 1\n", err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, up));
	assert_int_equal(count_entries(real), 0);

	/* the file a link to elsewhere: the link is replaced, its target untouched */
	snprintf(path, sizeof(path), "%s/x.prom", real);
	assert_int_equal(symlink("/nonexistent-mq-target", path), 0);
	assert_int_equal(textfile_write(path, render_text, "x 2\n", err, sizeof(err)), 0);
	assert_int_equal(lstat(path, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "x 2\n");
	assert_int_equal(lstat("/nonexistent-mq-target", &st), -1);

	/* relative paths, "." and "//" */
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_int_equal(chdir(d->path), 0);
	assert_int_equal(textfile_write("real/r1.prom", render_text, "r 1\n", err, sizeof(err)), 0);
	assert_int_equal(textfile_write(".//real/./r2.prom", render_text, "r 2\n", err, sizeof(err)), 0);
	assert_int_equal(textfile_write("r3.prom", render_text, "r 3\n", err, sizeof(err)), 0);
	assert_int_equal(textfile_write("link/r4.prom", render_text, "r 4\n", err, sizeof(err)), -ELOOP);
	assert_non_null(strstr(err, "link/r4.prom: link is a symbolic link"));
	assert_int_equal(chdir(cwd), 0);
	assert_int_equal(count_entries(real), 3); /* nothing else, no temporary file */
	for (size_t i = 0; i < sizeof(made) / sizeof(made[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", real, made[i]);
		assert_int_equal(unlink(path), 0);
	}
}

static void test_bad_arguments(void **state)
{
	char err[64];

	(void)state;
	assert_int_equal(textfile_write("", render_text, "", err, sizeof(err)), -EINVAL);
	assert_int_equal(textfile_write("/tmp/", render_text, "", err, sizeof(err)), -EISDIR);
	assert_int_equal(textfile_write("/tmp/..", render_text, "", err, sizeof(err)), -EISDIR);
	assert_string_equal(err, "/tmp/..: Is a directory");
	assert_int_equal(textfile_write("/tmp/x", NULL, "", err, sizeof(err)), -EINVAL);
	/* a tiny or absent error buffer is fine */
	assert_int_equal(textfile_write("/nonexistent-mq/x.prom", render_text, "", err, 4), -ENOENT);
	assert_int_equal(strlen(err), 3);
	assert_int_equal(textfile_write("/nonexistent-mq/x.prom", render_text, "", NULL, 0), -ENOENT);
}

/*
 * A full and a read-only filesystem: a tiny tmpfs in a private mount
 * namespace of a child process (root ignores permissions, not these).
 * The child exits 0 (pass), 77 (cannot set up: skip) or 1.
 */
static unsigned open_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	unsigned n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

static int full_and_readonly(const char *dir, const char *file)
{
	char err[512], buf[64], filler[512];
	unsigned fds;
	int fd, r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", dir, "tmpfs", 0, "size=8k,mode=0755") < 0)
		return 77;
	if (textfile_write(file, render_text, "old 1\n", err, sizeof(err)) < 0)
		return 1;
	snprintf(filler, sizeof(filler), "%s/filler", dir);
	fd = open(filler, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return 1;
	memset(buf, 'x', sizeof(buf));
	for (int i = 0; i < 100000; i++)
		if (write(fd, buf, sizeof(buf)) < 0)
			break;
	close(fd);

	fds = open_fds();
	r = textfile_write(file, render_big, NULL, err, sizeof(err));
	if (r != -ENOSPC || !strstr(err, strerror(ENOSPC)) || !strstr(err, dir))
		return fprintf(stderr, "full: %d %s\n", r, err), 1;
	if (open_fds() != fds) /* the daemon writes at every interval: a leak would add up */
		return fprintf(stderr, "full: %u descriptors open after, %u before\n", open_fds(), fds), 1;
	read_file(file, buf, sizeof(buf));
	if (strcmp(buf, "old 1\n") || count_entries(dir) != 2)
		return fprintf(stderr, "full: old file lost or temporary left\n"), 1;

	unlink(filler);
	if (mount(NULL, dir, NULL, MS_REMOUNT | MS_RDONLY, NULL) < 0)
		return 77;
	r = textfile_write(file, render_text, "new 1\n", err, sizeof(err));
	if (r != -EROFS || !strstr(err, strerror(EROFS)) || !strstr(err, file))
		return fprintf(stderr, "read-only: %d %s\n", r, err), 1;
	read_file(file, buf, sizeof(buf));
	if (strcmp(buf, "old 1\n"))
		return 1;
	return 0;
}

static void test_full_and_readonly(void **state)
{
	struct dir *d = *state;
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0)
		_exit(full_and_readonly(d->path, d->file));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	if (WEXITSTATUS(status) == 77) {
		/* covered by tests/integration/prom.sh when root */
		print_message("skip: no CAP_SYS_ADMIN to mount a full tmpfs\n");
		skip();
	}
	assert_int_equal(WEXITSTATUS(status), 0);
}

/*
 * The temporary name is ".NAME.xxxxxx": a NAME of 247 bytes makes one of
 * 255, the longest a directory entry may have; 248 cannot be written safely.
 */
static void test_long_names(void **state)
{
	struct dir *d = *state;
	char path[512], err[512], buf[16];
	size_t o = (size_t)snprintf(path, sizeof(path), "%s/", d->path);
	(void)state;

	memset(path + o, 'n', 247);
	path[o + 247] = '\0';
	assert_int_equal(textfile_write(path, render_text, "long\n", err, sizeof(err)), 0);
	read_file(path, buf, sizeof(buf));
	assert_string_equal(buf, "long\n");
	assert_int_equal(count_entries(d->path), 1);
	unlink(path);
	strcat(path, "n");
	assert_int_equal(textfile_write(path, render_text, "long\n", err, sizeof(err)), -ENAMETOOLONG);
	assert_int_equal(count_entries(d->path), 0);
	assert_non_null(strstr(err, "nnnn: cannot create a temporary file beside it: File name too long"));
	/* exactly NAME_MAX is a name: only its temporary cannot be */
	memset(path + o, 'n', NAME_MAX);
	path[o + NAME_MAX] = '\0';
	assert_int_equal(textfile_write(path, render_text, "long\n", err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "nnnn: cannot create a temporary file beside it"));
	/* longer than a name can be: said of the name itself */
	memset(path + o, 'n', NAME_MAX + 1);
	path[o + NAME_MAX + 1] = '\0';
	assert_int_equal(textfile_write(path, render_text, "long\n", err, sizeof(err)), -ENAMETOOLONG);
	assert_non_null(strstr(err, "nnnn: File name too long"));
	assert_null(strstr(err, "temporary"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dot_components, setup, teardown),
		cmocka_unit_test_setup_teardown(test_render_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_failure_keeps_old, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mode_under_umask, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_directories, setup, teardown),
		cmocka_unit_test_setup_teardown(test_symlinks, setup, teardown),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test_setup_teardown(test_full_and_readonly, setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_names, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
