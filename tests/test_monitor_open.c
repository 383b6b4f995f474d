// SPDX-License-Identifier: MIT
/*
 * Opening the rtnetlink event source (probes/monitor.c) with libnl's
 * allocation, connect and group join failing on cue (tests/test_monitor_open.mk):
 * the system call's errno when there is one, else our own, never a stale
 * errno; nothing left open. And its receive buffer: SO_RCVBUFFORCE, or
 * SO_RCVBUF (capped at rmem_max by the kernel) only where FORCE is refused.
 */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cmocka.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include "probes/monitor.h"
#include "probes/nl.h"

#define NO_ERRNO (-1) /* a cue: libnl fails without a system call's errno */

static bool alloc_fails;
static int connect_err, join_err, force_err; /* 0: the real call; NO_ERRNO; or an errno */
static int opts[4], vals[4];                 /* our receive buffer calls, in order */
static unsigned nopts;

struct nl_sock *__real_nl_socket_alloc(void);
struct nl_sock *__wrap_nl_socket_alloc(void);
struct nl_sock *__wrap_nl_socket_alloc(void)
{
	return alloc_fails ? NULL : __real_nl_socket_alloc();
}

static int fail_as(int cue)
{
	if (cue != NO_ERRNO)
		errno = cue;
	return -NLE_FAILURE;
}

int __real_nl_connect(struct nl_sock *sk, int protocol);
int __wrap_nl_connect(struct nl_sock *sk, int protocol);
int __wrap_nl_connect(struct nl_sock *sk, int protocol)
{
	return connect_err ? fail_as(connect_err) : __real_nl_connect(sk, protocol);
}

int __real_nl_socket_add_membership(struct nl_sock *sk, int group);
int __wrap_nl_socket_add_membership(struct nl_sock *sk, int group);
int __wrap_nl_socket_add_membership(struct nl_sock *sk, int group)
{
	return join_err ? fail_as(join_err) : __real_nl_socket_add_membership(sk, group);
}

/* Only the product's own calls come here (libnl's are inside its library). */
int __real_setsockopt(int fd, int level, int opt, const void *val, socklen_t len);
int __wrap_setsockopt(int fd, int level, int opt, const void *val, socklen_t len);
int __wrap_setsockopt(int fd, int level, int opt, const void *val, socklen_t len)
{
	if (level == SOL_SOCKET && (opt == SO_RCVBUF || opt == SO_RCVBUFFORCE) && nopts < 4) {
		opts[nopts] = opt;
		vals[nopts++] = *(const int *)val;
		if (opt == SO_RCVBUFFORCE) {
			if (force_err) {
				errno = force_err;
				return -1;
			}
			return 0; /* granted, as to the service (CAP_NET_ADMIN) */
		}
	}
	return __real_setsockopt(fd, level, opt, val, len);
}

static int setup(void **state)
{
	(void)state;
	alloc_fails = false;
	connect_err = join_err = force_err = 0;
	nopts = 0;
	return 0;
}

static int free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

/* FORCE granted is the size; refused, SO_RCVBUF asks the same and the kernel caps it. */
static void test_rcvbuf(void **state)
{
	struct mq_nl nl = {0};
	struct mq_monitor m;
	int got = 0;
	long rmem_max = -1;
	socklen_t len = sizeof(got);
	FILE *f;
	(void)state;

	monitor_init(&m, &nl);
	assert_int_equal(monitor_open(&m, MON_RTNL), 0);
	assert_int_equal(nopts, 1); /* nothing after it to cap it */
	assert_true(opts[0] == SO_RCVBUFFORCE && vals[0] == 1 << 20);

	nopts = 0;
	force_err = EPERM; /* run without CAP_NET_ADMIN */
	assert_int_equal(monitor_open(&m, MON_RTNL), 0);
	assert_int_equal(nopts, 2);
	assert_true(opts[1] == SO_RCVBUF && vals[1] == 1 << 20);
	assert_int_equal(getsockopt(m.fd[MON_RTNL], SOL_SOCKET, SO_RCVBUF, &got, &len), 0);
	f = fopen("/proc/sys/net/core/rmem_max", "re");
	if (!f || fscanf(f, "%ld", &rmem_max) != 1)
		print_message("no /proc/sys/net/core/rmem_max here, the kernel's size not checked\n");
	else
		assert_int_equal(got, 2 * (rmem_max < 1 << 20 ? rmem_max : 1 << 20));
	if (f)
		fclose(f);
	monitor_close_all(&m);
}

/* Each step failing: its errno, or ours when libnl has none; a stale errno is never the answer. */
static void test_rtnl_open_fails(void **state)
{
	static const struct {
		bool alloc;
		int connect, join, want;
	} cases[] = {
		{true, 0, 0, -ENOMEM},
		{false, NO_ERRNO, 0, -ECONNREFUSED},
		{false, EMFILE, 0, -EMFILE},
		{false, 0, NO_ERRNO, -EIO},
		{false, 0, ENOBUFS, -ENOBUFS},
	};
	struct mq_nl nl = {0};
	struct mq_monitor m;
	int fd0 = free_fd();
	(void)state;

	monitor_init(&m, &nl);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		alloc_fails = cases[i].alloc;
		connect_err = cases[i].connect;
		join_err = cases[i].join;
		errno = EBUSY; /* left over from some earlier call */
		if (monitor_open(&m, MON_RTNL) != cases[i].want)
			fail_msg("case %zu: not %s", i, strerror(-cases[i].want));
		assert_true(m.fd[MON_RTNL] == -1 && m.rtnl == NULL);
		assert_int_equal(free_fd(), fd0);
	}
	setup(NULL);
	assert_int_equal(monitor_open(&m, MON_RTNL), 0); /* and then it opens */
	monitor_close_all(&m);
	assert_int_equal(free_fd(), fd0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_rcvbuf, setup),
		cmocka_unit_test_setup(test_rtnl_open_fails, setup),
	};
	return cmocka_run_group_tests_name("monitor_open", tests, NULL, NULL);
}
