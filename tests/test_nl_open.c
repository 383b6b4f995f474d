// SPDX-License-Identifier: MIT
/*
 * Opening the netlink sockets (probes/nl.c mqnl_open) with the generic
 * netlink family lookups answered here (tests/test_nl_open.mk): a family the
 * kernel lacks (netdev before 6.0) is id 0, not a failure; a receive error
 * is that error, no reply in time -ETIMEDOUT, an empty datagram -EBADMSG (a
 * signal is received past); rtnetlink that cannot connect is -ECONNREFUSED,
 * that libnl cannot allocate -ENOMEM; mqnl_close() closes every socket.
 * The sockets themselves are real, nothing is sent; the ones mqnl_open()
 * makes itself can be refused with an errno on cue.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
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
#include <libmnl/libmnl.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include "probes/nl.h"
#include "probes/uapi.h"

static bool connect_fails, netdev_absent, sock_alloc_fails;
static int recv_errno;         /* every lookup fails so, or only fail_only's when set */
static const char *fail_only;
static char asked[32];       /* the family name of the last request */
static uint32_t asked_seq;
static unsigned recvs;
static int open2_errno, bind_errno; /* mnl_socket_open2, mnl_socket_bind fail so */
static int refuse_family[2];        /* socket() of these address families fails, EAFNOSUPPORT */
static int early[2];                /* the first receives: an errno, or 0 an empty datagram */
static unsigned nearly;

struct nl_sock *__real_nl_socket_alloc(void);
struct nl_sock *__wrap_nl_socket_alloc(void);
struct nl_sock *__wrap_nl_socket_alloc(void)
{
	return sock_alloc_fails ? NULL : __real_nl_socket_alloc();
}

struct mnl_socket *__real_mnl_socket_open2(int bus, int flags);
struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags);
struct mnl_socket *__wrap_mnl_socket_open2(int bus, int flags)
{
	if (open2_errno) {
		errno = open2_errno;
		return NULL;
	}
	return __real_mnl_socket_open2(bus, flags);
}

int __real_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid);
int __wrap_mnl_socket_bind(struct mnl_socket *nl, unsigned int groups, pid_t pid)
{
	if (bind_errno) {
		errno = bind_errno;
		return -1;
	}
	return __real_mnl_socket_bind(nl, groups, pid);
}

int __real_socket(int domain, int type, int protocol);
int __wrap_socket(int domain, int type, int protocol);
int __wrap_socket(int domain, int type, int protocol)
{
	if (domain == refuse_family[0] || domain == refuse_family[1]) {
		errno = EAFNOSUPPORT;
		return -1;
	}
	return __real_socket(domain, type, protocol);
}

/* The lowest free descriptor: the same before and after means nothing leaked. */
static int free_fd(void)
{
	int fd = fcntl(0, F_DUPFD_CLOEXEC, 0);

	assert_true(fd >= 0);
	close(fd);
	return fd;
}

static int domain_of(int fd)
{
	int d = -1;
	socklen_t len = sizeof(d);

	assert_int_equal(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &d, &len), 0);
	return d;
}

int __real_nl_connect(struct nl_sock *sk, int protocol);
int __wrap_nl_connect(struct nl_sock *sk, int protocol);
int __wrap_nl_connect(struct nl_sock *sk, int protocol)
{
	return connect_fails ? -NLE_FAILURE : __real_nl_connect(sk, protocol);
}

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *req, size_t len)
{
	const struct nlmsghdr *nlh = req;
	const struct nlattr *a;

	(void)nl;
	asked[0] = '\0';
	asked_seq = nlh->nlmsg_seq;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_NAME)
			snprintf(asked, sizeof(asked), "%s", mnl_attr_get_str(a));
	return (ssize_t)len;
}

/* The lookup's reply: the family with its id (20 ethtool, 21 netdev) and an ACK, or ENOENT. */
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	uint32_t port = mnl_socket_get_portid(nl);
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t n = 0;
	bool netdev = strcmp(asked, NETDEV_FAMILY_NAME) == 0;

	if (recvs++ < nearly) {
		if (!early[recvs - 1])
			return 0; /* errno as it was */
		errno = early[recvs - 1];
		return -1;
	}
	if (recv_errno && (!fail_only || strcmp(asked, fail_only) == 0)) {
		errno = recv_errno;
		return -1;
	}
	memset(buf, 0, len);
	if (!(netdev && netdev_absent)) {
		struct genlmsghdr *g;

		nlh = mnl_nlmsg_put_header(buf);
		nlh->nlmsg_type = GENL_ID_CTRL;
		nlh->nlmsg_seq = asked_seq;
		nlh->nlmsg_pid = port;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = CTRL_CMD_NEWFAMILY;
		mnl_attr_put_u16(nlh, CTRL_ATTR_FAMILY_ID, netdev ? 21 : 20);
		n += MNL_ALIGN(nlh->nlmsg_len);
	}
	nlh = mnl_nlmsg_put_header((char *)buf + n);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED;
	nlh->nlmsg_seq = asked_seq;
	nlh->nlmsg_pid = port;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = netdev && netdev_absent ? -ENOENT : 0;
	e->msg.nlmsg_seq = asked_seq;
	e->msg.nlmsg_len = sizeof(e->msg);
	n += MNL_ALIGN(nlh->nlmsg_len);
	return (ssize_t)n;
}

static int setup(void **state)
{
	(void)state;
	connect_fails = netdev_absent = sock_alloc_fails = false;
	nearly = 0;
	recv_errno = 0;
	fail_only = NULL;
	recvs = 0;
	open2_errno = bind_errno = 0;
	refuse_family[0] = refuse_family[1] = -1;
	return 0;
}

static void test_open(void **state)
{
	struct mq_nl nl;
	int fd0 = free_fd(), fds[3];
	(void)state;

	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(nl.ethtool_id, 20);
	assert_int_equal(nl.netdev_id, 21);
	assert_int_equal(domain_of(nl.ioctl_fd), AF_UNIX); /* the first choice, and only it */
	assert_int_equal(recvs, 2);
	fds[0] = nl_socket_get_fd(nl.rt);
	fds[1] = mnl_socket_get_fd(nl.genl);
	fds[2] = nl.ioctl_fd;
	mqnl_close(&nl);
	assert_int_equal(free_fd(), fd0);
	for (unsigned i = 0; i < 3; i++) /* each one closed, not only the lowest */
		assert_true(fcntl(fds[i], F_GETFD) < 0 && errno == EBADF);
	assert_true(nl.rt == NULL && nl.genl == NULL && nl.ioctl_fd == -1);
	mqnl_close(&nl); /* twice: nothing left to close */
}

/* rtnetlink's socket that libnl cannot allocate: -ENOMEM, nothing else opened. */
static void test_no_memory(void **state)
{
	struct mq_nl nl;
	int fd0 = free_fd();
	(void)state;

	sock_alloc_fails = true;
	assert_int_equal(mqnl_open(&nl), -ENOMEM);
	assert_true(nl.rt == NULL && nl.genl == NULL && nl.ioctl_fd == -1);
	assert_int_equal(free_fd(), fd0);
	assert_int_equal(recvs, 0);
}

/*
 * A signal (EINTR) is not the kernel's answer: the lookup receives again. An
 * empty datagram holds no answer: -EBADMSG, though errno still says EINTR.
 */
static void test_recv_interrupted(void **state)
{
	struct mq_nl nl;
	int fd0 = free_fd();
	(void)state;

	early[0] = EINTR;
	nearly = 1;
	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(nl.ethtool_id, 20);
	assert_int_equal(recvs, 3);
	mqnl_close(&nl);
	early[1] = 0;
	nearly = 2;
	recvs = 0;
	assert_int_equal(mqnl_open(&nl), -EBADMSG);
	assert_int_equal(recvs, 2);
	assert_int_equal(free_fd(), fd0);
}

/*
 * The ioctl socket: AF_NETLINK where AF_UNIX is refused (a sandbox's
 * address families); neither is the kernel's errno, and nothing stays open.
 */
static void test_ioctl_socket(void **state)
{
	struct mq_nl nl;
	int fd0 = free_fd();
	(void)state;

	refuse_family[0] = AF_UNIX;
	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(domain_of(nl.ioctl_fd), AF_NETLINK);
	mqnl_close(&nl);
	assert_int_equal(free_fd(), fd0);
	refuse_family[1] = AF_NETLINK;
	assert_int_equal(mqnl_open(&nl), -EAFNOSUPPORT);
	assert_true(nl.rt == NULL && nl.genl == NULL && nl.ioctl_fd == -1);
	assert_int_equal(free_fd(), fd0);
}

/* The generic netlink socket that cannot be made or bound: the kernel's errno, nothing left open. */
static void test_genl_socket_fails(void **state)
{
	struct mq_nl nl;
	int fd0 = free_fd();
	(void)state;

	open2_errno = EMFILE;
	assert_int_equal(mqnl_open(&nl), -EMFILE);
	assert_true(nl.rt == NULL && nl.genl == NULL && nl.ioctl_fd == -1);
	assert_int_equal(free_fd(), fd0);
	open2_errno = 0;
	bind_errno = EADDRINUSE;
	assert_int_equal(mqnl_open(&nl), -EADDRINUSE);
	assert_true(nl.rt == NULL && nl.genl == NULL);
	assert_int_equal(free_fd(), fd0);
	assert_int_equal(recvs, 0); /* nothing asked of a socket that is not there */
}

/* Before Linux 6.0 there is no netdev family: opened all the same, without it. */
static void test_family_absent(void **state)
{
	struct mq_nl nl;
	(void)state;

	netdev_absent = true;
	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(nl.ethtool_id, 20);
	assert_int_equal(nl.netdev_id, 0);
	assert_string_equal(nl.extack, "");
	mqnl_close(&nl);
}

static void test_open_fails(void **state)
{
	struct mq_nl nl;
	(void)state;

	recv_errno = ENOBUFS; /* the kernel's error, as it is */
	assert_int_equal(mqnl_open(&nl), -ENOBUFS);
	recv_errno = EAGAIN; /* SO_RCVTIMEO ran out: no answer */
	assert_int_equal(mqnl_open(&nl), -ETIMEDOUT);
	/* Either lookup failing fails the open, though the other one answers. */
	recv_errno = EACCES;
	fail_only = ETHTOOL_GENL_NAME;
	assert_int_equal(mqnl_open(&nl), -EACCES);
	assert_null(nl.genl);
	fail_only = NETDEV_FAMILY_NAME;
	assert_int_equal(mqnl_open(&nl), -EACCES);
	assert_int_equal(nl.ioctl_fd, -1);
	recv_errno = 0;
	connect_fails = true;
	assert_int_equal(mqnl_open(&nl), -ECONNREFUSED);
	assert_null(nl.rt);
	assert_null(nl.genl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_open, setup),
		cmocka_unit_test_setup(test_family_absent, setup),
		cmocka_unit_test_setup(test_open_fails, setup),
		cmocka_unit_test_setup(test_ioctl_socket, setup),
		cmocka_unit_test_setup(test_genl_socket_fails, setup),
		cmocka_unit_test_setup(test_no_memory, setup),
		cmocka_unit_test_setup(test_recv_interrupted, setup),
	};
	return cmocka_run_group_tests_name("nl_open", tests, NULL, NULL);
}
