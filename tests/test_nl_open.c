// SPDX-License-Identifier: MIT
/*
 * Opening the netlink sockets (probes/nl.c mqnl_open) with the generic
 * netlink family lookups answered here (tests/test_nl_open.mk): a family the
 * kernel lacks (netdev before 6.0) is id 0, not a failure; a receive error
 * is that error, no reply in time -ETIMEDOUT; rtnetlink that cannot connect
 * is -ECONNREFUSED. The sockets themselves are real, nothing is sent.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <libmnl/libmnl.h>
#include <netlink/errno.h>
#include <netlink/socket.h>

#include "probes/nl.h"
#include "probes/uapi.h"

static bool connect_fails, netdev_absent;
static int recv_errno;         /* every lookup fails so, or only fail_only's when set */
static const char *fail_only;
static char asked[32];       /* the family name of the last request */
static uint32_t asked_seq;
static unsigned recvs;

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

	recvs++;
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
	connect_fails = netdev_absent = false;
	recv_errno = 0;
	fail_only = NULL;
	recvs = 0;
	return 0;
}

static void test_open(void **state)
{
	struct mq_nl nl;
	(void)state;

	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(nl.ethtool_id, 20);
	assert_int_equal(nl.netdev_id, 21);
	assert_true(nl.ioctl_fd >= 0);
	assert_int_equal(recvs, 2);
	mqnl_close(&nl);
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
	};
	return cmocka_run_group_tests_name("nl_open", tests, NULL, NULL);
}
