// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/sdnotify.h"

struct sock {
	char dir[64];
	char path[108]; /* sun_path: the longest NOTIFY_SOCKET and its NUL */
	int fd;
};

/* A datagram socket standing in for systemd's notify socket. */
static int bind_socket(struct sock *s, bool abstract)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	socklen_t len;

	s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s->fd < 0)
		return -errno;
	if (abstract) {
		s->dir[0] = '\0';
		snprintf(s->path, sizeof(s->path), "@mqbalance-test-%d", (int)getpid());
		memcpy(sa.sun_path, s->path, strlen(s->path));
		sa.sun_path[0] = '\0';
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(s->path));
	} else {
		snprintf(s->dir, sizeof(s->dir), "/tmp/mqnotify.XXXXXX");
		if (!mkdtemp(s->dir))
			return -errno;
		snprintf(s->path, sizeof(s->path), "%s/notify", s->dir);
		snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", s->path);
		len = sizeof(sa);
	}
	if (bind(s->fd, (struct sockaddr *)&sa, len) < 0)
		return -errno;
	setenv("NOTIFY_SOCKET", s->path, 1);
	return 0;
}

static void close_socket(struct sock *s)
{
	close(s->fd);
	if (s->dir[0]) {
		unlink(s->path);
		rmdir(s->dir);
	}
	unsetenv("NOTIFY_SOCKET");
}

static void expect(struct sock *s, const char *msg)
{
	char buf[600];
	ssize_t n = recv(s->fd, buf, sizeof(buf) - 1, MSG_DONTWAIT);

	assert_true(n >= 0);
	buf[n] = '\0';
	assert_string_equal(buf, msg);
}

static void test_path_socket(void **state)
{
	struct sock s;
	(void)state;

	assert_int_equal(bind_socket(&s, false), 0);
	assert_int_equal(sdnotify_send("READY=1"), 1);
	assert_int_equal(sdnotify_sendf("STATUS=%u NICs\ntuned", 2), 1);
	assert_int_equal(sdnotify_send("STOPPING=1"), 1);
	expect(&s, "READY=1");
	expect(&s, "STATUS=2 NICs tuned");
	expect(&s, "STOPPING=1");
	close_socket(&s);
}

static void test_abstract_socket(void **state)
{
	struct sock s;
	(void)state;

	assert_int_equal(bind_socket(&s, true), 0);
	assert_int_equal(sdnotify_send("WATCHDOG=1"), 1);
	expect(&s, "WATCHDOG=1");
	close_socket(&s);
}

static void test_not_under_systemd(void **state)
{
	(void)state;
	unsetenv("NOTIFY_SOCKET");
	assert_int_equal(sdnotify_send("READY=1"), 0);
	setenv("NOTIFY_SOCKET", "relative/path", 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	setenv("NOTIFY_SOCKET", "/nonexistent/mqbalance/notify", 1);
	assert_true(sdnotify_send("READY=1") < 0);
	unsetenv("NOTIFY_SOCKET");
}

/* NOTIFY_SOCKET of n bytes: "@" and an abstract name of n - 1, bound as the socket. */
static int bind_abstract(char *name, size_t n)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	char prefix[40];
	int k;

	assert_true(fd >= 0);
	assert_true(n <= sizeof(sa.sun_path));
	memset(name, 'x', n);
	name[n] = '\0';
	/* the pid: another run of this test at the same time has a name of its own */
	k = snprintf(prefix, sizeof(prefix), "@mqbalance-test-%d-", (int)getpid());
	memcpy(name, prefix, (size_t)k);
	memcpy(sa.sun_path, name, n);
	sa.sun_path[0] = '\0';
	if (bind(fd, (struct sockaddr *)&sa, (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n)) < 0)
		fail_msg("bind of a %zu-byte abstract name: %s", n - 1, strerror(errno));
	return fd;
}

/*
 * sun_path holds 108 bytes: a NOTIFY_SOCKET of up to 107 is used, one of
 * 108 or more is refused before anything is sent, for a path and for an
 * abstract name alike (the kernel would take that abstract one: one rule
 * for both, with room for a path's NUL).
 */
static void test_longest_name(void **state)
{
	struct sockaddr_un sa;
	char name[sizeof(sa.sun_path) + 8], dir[] = "/tmp/mqnotify.XXXXXX", buf[16];
	struct sock s = {.fd = -1};
	int fd;
	(void)state;

	fd = bind_abstract(name, sizeof(sa.sun_path) - 1);
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("READY=1"), 1);
	s.fd = fd;
	expect(&s, "READY=1");
	close(fd);
	fd = bind_abstract(name, sizeof(sa.sun_path));
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	assert_int_equal(recv(fd, buf, sizeof(buf), MSG_DONTWAIT), -1); /* nothing came */
	assert_int_equal(errno, EAGAIN);
	close(fd);

	/* a path of 107 bytes, and one of 108 */
	assert_non_null(mkdtemp(dir));
	memset(s.path, 'p', sizeof(sa.sun_path));
	memcpy(s.path, dir, strlen(dir));
	s.path[strlen(dir)] = '/';
	s.path[sizeof(sa.sun_path) - 1] = '\0';
	assert_int_equal(strlen(s.path), 107);
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, s.path, 108);
	s.fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	assert_int_equal(bind(s.fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	setenv("NOTIFY_SOCKET", s.path, 1);
	assert_int_equal(sdnotify_send("READY=1"), 1);
	expect(&s, "READY=1");
	strcat(strcpy(name, s.path), "p");
	setenv("NOTIFY_SOCKET", name, 1);
	assert_int_equal(sdnotify_send("READY=1"), -EINVAL);
	snprintf(s.dir, sizeof(s.dir), "%s", dir);
	close_socket(&s);
}

static void test_watchdog(void **state)
{
	char pid[32];
	uint64_t usec = 0;
	(void)state;

	unsetenv("WATCHDOG_USEC");
	unsetenv("WATCHDOG_PID");
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	setenv("WATCHDOG_USEC", "30000000", 1);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 1);
	assert_true(usec == 30000000);
	snprintf(pid, sizeof(pid), "%d", (int)getpid());
	setenv("WATCHDOG_PID", pid, 1);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 1);
	setenv("WATCHDOG_PID", "1", 1); /* meant for another process */
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	unsetenv("WATCHDOG_PID");
	setenv("WATCHDOG_USEC", "0", 1);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	setenv("WATCHDOG_USEC", "12x", 1);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	setenv("WATCHDOG_USEC", "-5", 1);
	assert_int_equal(sdnotify_watchdog_usec(&usec), 0);
	unsetenv("WATCHDOG_USEC");
}

static void test_journal_stream(void **state)
{
	struct stat st;
	char v[64];
	(void)state;

	unsetenv("JOURNAL_STREAM");
	assert_false(sdnotify_stderr_is_journal());
	assert_int_equal(fstat(STDERR_FILENO, &st), 0);
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	setenv("JOURNAL_STREAM", v, 1);
	assert_true(sdnotify_stderr_is_journal());
	snprintf(v, sizeof(v), "%llu:%llu", (unsigned long long)st.st_dev,
		 (unsigned long long)st.st_ino + 1);
	setenv("JOURNAL_STREAM", v, 1);
	assert_false(sdnotify_stderr_is_journal()); /* inherited, but stderr is elsewhere */
	setenv("JOURNAL_STREAM", "12:x", 1);
	assert_false(sdnotify_stderr_is_journal());
	unsetenv("JOURNAL_STREAM");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_path_socket),
		cmocka_unit_test(test_abstract_socket),
		cmocka_unit_test(test_not_under_systemd),
		cmocka_unit_test(test_longest_name),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_journal_stream),
	};
	return cmocka_run_group_tests_name("sdnotify", tests, NULL, NULL);
}
