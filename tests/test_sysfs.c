// SPDX-License-Identifier: MIT
/*
 * probes/sysfs.c under a hostile root: a FIFO, a device, a directory where a
 * value should be, symlinks and ".." leading out of the tree. Each is
 * refused with its own error, never followed and never blocking; symlinks
 * within the tree (all of /sys/class/net is made of them) keep working.
 * Run twice: with openat2(RESOLVE_BENEATH), and in a child where seccomp
 * makes openat2 fail with ENOSYS (the fallback for kernels before 5.6).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"

static char top[64], root[128], outside[128];
static bool have_device;

static void put_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "we");

	assert_non_null(f);
	assert_true(fputs(text, f) >= 0);
	assert_int_equal(fclose(f), 0);
}

static void at(char *buf, size_t len, const char *rel)
{
	snprintf(buf, len, "%s/%s", root, rel);
}

static void mkdirs(const char *rel)
{
	char p[512];

	at(p, sizeof(p), rel);
	for (char *s = p + strlen(root) + 1; (s = strchr(s, '/')); s++) {
		*s = '\0';
		(void)mkdir(p, 0755);
		*s = '/';
	}
	(void)mkdir(p, 0755);
}

static void link_at(const char *target, const char *rel)
{
	char p[512];

	at(p, sizeof(p), rel);
	assert_int_equal(symlink(target, p), 0);
}

static int setup(void **state)
{
	char p[512];
	(void)state;

	snprintf(top, sizeof(top), "/tmp/mq-sysfs.XXXXXX");
	assert_non_null(mkdtemp(top));
	snprintf(root, sizeof(root), "%s/root", top);
	snprintf(outside, sizeof(outside), "%s/outside", top);
	assert_int_equal(mkdir(root, 0755), 0);
	put_file(outside, "0-3\n");

	/* A NIC the way sysfs has it: class/net/X is a relative symlink into devices/. */
	mkdirs("sys/devices/virtual/net/eth0/queues/tx-0");
	at(p, sizeof(p), "sys/devices/virtual/net/eth0/mtu");
	put_file(p, "1500\n");
	at(p, sizeof(p), "sys/devices/virtual/net/eth0/queues/tx-0/xps_cpus");
	put_file(p, "1\n");
	mkdirs("sys/class/net");
	link_at("../../devices/virtual/net/eth0", "sys/class/net/eth0");
	/* ... and one whose link leads out of the tree. */
	link_at("../../../..", "sys/class/net/evil");

	mkdirs("sys/devices/system/cpu");
	at(p, sizeof(p), "sys/devices/system/cpu/online");
	assert_int_equal(symlink(outside, p), 0); /* absolute, out of the tree */
	link_at("../../../../../outside", "sys/devices/system/cpu/possible"); /* relative, out */
	/* a sibling whose name starts with the root's: out all the same */
	snprintf(p, sizeof(p), "%s/rootless", top);
	put_file(p, "0-7\n");
	link_at("../../../../../rootless", "sys/devices/system/cpu/present");
	mkdirs("proc/irq/5/smp_affinity_list"); /* a directory where a value should be */
	mkdirs("proc/irq/6");
	at(p, sizeof(p), "proc/interrupts");
	assert_int_equal(mkfifo(p, 0600), 0);
	at(p, sizeof(p), "proc/irq/6/smp_affinity_list");
	assert_int_equal(mkfifo(p, 0600), 0);
	/* A character device (1:3 is /dev/null) needs CAP_MKNOD: checked when we have it. */
	at(p, sizeof(p), "proc/softirqs");
	have_device = mknod(p, S_IFCHR | 0600, makedev(1, 3)) == 0;
	sysfs_set_root(root);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	sysfs_set_root("");
	tmptree_rm(top);
	return 0;
}

/*
 * Every expectation, counted rather than asserted so that a forked child can
 * run them too. Returns the number that failed (each printed).
 */
#define EXPECT(cond)                                                                  \
	do {                                                                          \
		if (!(cond)) {                                                        \
			fprintf(stderr, "%s:%d: expected %s\n", __FILE__, __LINE__, #cond); \
			failed++;                                                     \
		}                                                                     \
	} while (0)

static int checks(void)
{
	char buf[256], out[16];
	struct irq_table t;
	unsigned failed = 0;
	long v;
	DIR *d;
	FILE *f;
	int r;

	/* Symlinks within the tree are followed. */
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/mtu") == 4 && !strcmp(buf, "1500"));
	EXPECT(sysfs_read_long(&v, "/sys/class/net/eth0/mtu") == 0 && v == 1500);
	EXPECT(sysfs_exists("/sys/class/net/eth0/queues/tx-0") == 1);
	d = sysfs_opendir("/sys/class/net/eth0/queues");
	EXPECT(d != NULL);
	if (d)
		closedir(d);
	EXPECT(sysfs_write("3", "/sys/class/net/eth0/queues/tx-0/xps_cpus") == 0);
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/queues/tx-0/xps_cpus") == 1 &&
	       !strcmp(buf, "3"));
	/* The root itself is in the tree. */
	d = sysfs_opendir("/");
	EXPECT(d != NULL);
	if (d)
		closedir(d);
	/* A link's own text is read, wherever it points. */
	EXPECT(sysfs_readlink(buf, sizeof(buf), "/sys/class/net/evil") > 0 && !strcmp(buf, "../../../.."));
	EXPECT(sysfs_link_name(buf, sizeof(buf), "/sys/class/net/eth0") == 4 && !strcmp(buf, "eth0"));

	/* Out of the tree: absolute and relative symlinks, "..", a directory link. */
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/online") == -EXDEV);
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/possible") == -EXDEV);
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/present") == -EXDEV);
	EXPECT(sysfs_read(buf, sizeof(buf), "/../outside") == -EXDEV);
	EXPECT(sysfs_read(buf, sizeof(buf), "/sys/class/net/evil/outside") == -EXDEV);
	EXPECT(sysfs_exists("/sys/class/net/evil/outside") == 0);
	EXPECT(sysfs_opendir("/sys/class/net/evil") == NULL && errno == EXDEV);
	EXPECT(sysfs_readlink(buf, sizeof(buf), "/sys/class/net/evil/outside") == -EXDEV);
	EXPECT(strstr(sysfs_strerror(-EXDEV), "out of the root") != NULL);
	/* A write through one never lands outside. */
	EXPECT(sysfs_write("7", "/sys/devices/system/cpu/possible") == -EXDEV);
	f = fopen(outside, "re");
	EXPECT(f && fgets(out, sizeof(out), f) && !strcmp(out, "0-3\n"));
	if (f)
		fclose(f);

	/* Not a regular file: refused at once, a FIFO without a writer included. */
	EXPECT(sysfs_read(buf, sizeof(buf), "/proc/irq/6/smp_affinity_list") == -ENOTSUP);
	EXPECT(sysfs_read_long(&v, "/proc/irq/6/smp_affinity_list") == -ENOTSUP);
	r = sysfs_write("1", "/proc/irq/6/smp_affinity_list");
	EXPECT(r == -ENOTSUP || r == -ENXIO); /* O_NONBLOCK|O_WRONLY on a FIFO: ENXIO before fstat */
	f = sysfs_fopen("/proc/interrupts");
	EXPECT(f == NULL && errno == ENOTSUP);
	if (f)
		fclose(f);
	EXPECT(interrupts_read(0, &t) == -ENOTSUP);
	EXPECT(strstr(sysfs_strerror(-ENOTSUP), "not a regular file") != NULL);
	EXPECT(sysfs_read(buf, sizeof(buf), "/proc/irq/5/smp_affinity_list") == -EISDIR);
	if (have_device) {
		EXPECT(sysfs_read(buf, sizeof(buf), "/proc/softirqs") == -ENOTSUP);
		EXPECT(sysfs_write("1", "/proc/softirqs") == -ENOTSUP);
	}
	return (int)failed;
}

static void test_confined(void **state)
{
	(void)state;
	assert_int_equal(checks(), 0); /* a FIFO that blocked: tests/harness.c names the hang */
	if (!have_device)
		print_message("[  NOTE    ] no CAP_MKNOD: the character device case was not run\n");
}

/* The same with openat2 answering ENOSYS, as on kernels before 5.6. */
static void test_fallback_without_openat2(void **state)
{
	struct sock_filter filter[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_openat2, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | ENOSYS),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(filter) / sizeof(filter[0]), .filter = filter};
	int status;
	pid_t pid;
	(void)state;

	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		alarm(10);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
		    prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog) < 0)
			_exit(100);
		/* openat2 really is gone now */
		if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) >= 0 || errno != ENOSYS)
			_exit(101);
		sysfs_set_root(root);
		_exit(checks() ? 1 : 0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 100) {
		print_message("[  SKIP    ] no seccomp filter allowed here: cannot take openat2 away\n");
		skip();
	}
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
}

/* The root prefix itself: trailing slashes, no root, paths that do not fit. */
static void test_paths(void **state)
{
	char buf[64], big[200];
	int saved;
	long v;
	(void)state;

	sysfs_set_root("/a/b//");
	assert_string_equal(sysfs_root(), "/a/b");
	sysfs_set_root("/a/b/");
	assert_string_equal(sysfs_root(), "/a/b");
	assert_int_equal(sysfs_path(buf, sizeof(buf), "/proc/irq/%d", 5), 15);
	assert_string_equal(buf, "/a/b/proc/irq/5");
	assert_int_equal(sysfs_path(buf, 16, "/proc/irq/%d", 5), 15); /* just fits */
	memset(buf, '#', sizeof(buf));
	assert_int_equal(sysfs_path(buf, 15, "/proc/irq/%d", 5), -ENAMETOOLONG);
	for (size_t i = 15; i < sizeof(buf); i++) /* nothing written past the 15 bytes given */
		assert_int_equal(buf[i], '#');
	assert_int_equal(sysfs_path(buf, 4, "/x"), -ENAMETOOLONG);  /* not even the root */
	assert_int_equal(sysfs_path(buf, 5, "/x"), -ENAMETOOLONG);  /* the root, not the rest */
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_int_equal(sysfs_path(buf, sizeof(buf), "/%s", big), -ENAMETOOLONG);
	/* No root: paths as given. */
	sysfs_set_root("");
	assert_string_equal(sysfs_root(), "");
	assert_int_equal(sysfs_path(buf, sizeof(buf), "/proc/%s", "x"), 7);
	assert_string_equal(buf, "/proc/x");
	sysfs_set_root(NULL);
	assert_int_equal(sysfs_path(buf, sizeof(buf), "/proc"), 5);
	sysfs_set_root("/"); /* the real root is no prefix */
	assert_string_equal(sysfs_root(), "");
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/proc/sys/kernel/ostype"), 5);
	assert_string_equal(buf, "Linux");

	/* With stdin closed, 0 is the descriptor a lookup gets: it is one all the same. */
	sysfs_set_root(root);
	saved = dup(0);
	assert_true(saved > 0);
	close(0);
	assert_int_equal(sysfs_exists("/sys/class/net/eth0/mtu"), 1);
	assert_int_equal(sysfs_exists("/sys/class/net/eth0/nope"), 0);
	assert_int_equal(sysfs_write("9000", "/sys/class/net/eth0/mtu"), 0); /* written on fd 0 */
	assert_int_equal(sysfs_read_long(&v, "/sys/class/net/eth0/mtu"), 0); /* read on fd 0 */
	assert_int_equal(v, 9000);
	assert_int_equal(dup2(saved, 0), 0);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/mtu"), 4);
	assert_string_equal(buf, "9000");
	assert_int_equal(sysfs_write("1500", "/sys/class/net/eth0/mtu"), 0);
	close(saved);

	/* A link's last component: whole, or -ENAMETOOLONG, never cut short. */
	assert_int_equal(sysfs_link_name(buf, 5, "/sys/class/net/eth0"), 4);
	assert_string_equal(buf, "eth0");
	assert_int_equal(sysfs_link_name(buf, 4, "/sys/class/net/eth0"), -ENAMETOOLONG);
	/* "../../../..", 11 bytes: a reply that fills the room may be cut, so one byte more is asked */
	assert_int_equal(sysfs_readlink(buf, 12, "/sys/class/net/evil"), -ENAMETOOLONG);
	assert_int_equal(sysfs_readlink(buf, 13, "/sys/class/net/evil"), 11);
	/* a value longer than the buffer is refused, not cut: "1500" does not fit in 3 */
	assert_int_equal(sysfs_read(buf, 3, "/sys/class/net/eth0/mtu"), -EFBIG);
	assert_int_equal(sysfs_read(buf, 5, "/sys/class/net/eth0/mtu"), -EFBIG); /* not its newline */
	/* "1500\n" fills 6 exactly; the end of file after it is no error, whatever errno held */
	errno = EIO;
	assert_int_equal(sysfs_read(buf, 6, "/sys/class/net/eth0/mtu"), 4);
	assert_string_equal(buf, "1500");
	errno = EINTR; /* a signal's, long handled: not a reason to read the end again (and again) */
	assert_int_equal(sysfs_read(buf, 6, "/sys/class/net/eth0/mtu"), 4);
	assert_string_equal(buf, "1500");
	assert_int_equal(sysfs_read(buf, 0, "/sys/class/net/eth0/mtu"), -EINVAL);
	/* not a link: the kernel's answer, not "too long" */
	assert_int_equal(sysfs_readlink(buf, sizeof(buf), "/sys/class/net/eth0/mtu"), -EINVAL);
	/* a number longer than any long fills the buffer exactly: refused, nothing written past it */
	{
		char p[512];

		memset(big, '1', sizeof(big) - 1);
		at(p, sizeof(p), "sys/devices/virtual/net/eth0/big");
		put_file(p, big);
		assert_int_equal(sysfs_read_long(&v, "/sys/class/net/eth0/big"), -EINVAL);
		/* a value that is only newlines is the empty string, as is one newline */
		put_file(p, "\n\n");
		assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/big"), 0);
		assert_string_equal(buf, "");
		put_file(p, "\n");
		assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/big"), 0);
		assert_string_equal(buf, "");
		put_file(p, "x\n");
		assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/big"), 1);
		assert_string_equal(buf, "x");
		unlink(p);
	}
}

/* Setting the root again closes the old one's descriptor, whatever its number. */
static void test_root_again(void **state)
{
	int saved, a, b;
	(void)state;

	saved = dup(0);
	assert_true(saved > 0);
	close(0);
	sysfs_set_root(root); /* its descriptor is 0 now */
	a = open("/dev/null", O_RDONLY | O_CLOEXEC);
	assert_true(a > 0);
	close(a);
	sysfs_set_root(root);
	sysfs_set_root(root);
	b = open("/dev/null", O_RDONLY | O_CLOEXEC);
	close(b);
	assert_int_equal(dup2(saved, 0), 0);
	close(saved);
	sysfs_set_root(root);
	assert_int_equal(a, b); /* nothing leaked */
}

/*
 * A missing file is an answer of openat2, not a sign it is gone: the next
 * lookup still has the kernel check it, which refuses even an absolute link
 * into the tree (the fallback, racy, would follow it).
 */
static void test_openat2_kept(void **state)
{
	char p[512], target[512], buf[16];
	(void)state;

	if (syscall(SYS_openat2, AT_FDCWD, "/", NULL, 0) < 0 && errno == ENOSYS) {
		print_message("[  SKIP    ] no openat2 in this kernel\n");
		skip();
	}
	at(target, sizeof(target), "sys/devices/virtual/net/eth0/mtu");
	at(p, sizeof(p), "sys/abs-mtu");
	assert_int_equal(symlink(target, p), 0);
	sysfs_set_root(root);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/nosuch"), -ENOENT);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/abs-mtu"), -EXDEV);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/class/net/eth0/mtu"), 4);
	unlink(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_confined),
		cmocka_unit_test(test_fallback_without_openat2),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_root_again),
		cmocka_unit_test(test_openat2_kept),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
