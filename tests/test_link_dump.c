// SPDX-License-Identifier: MIT
/*
 * The rtnetlink link dump's outcomes (probes/link.c), with libnl's send and
 * receive answered here: an interrupted dump (NLM_F_DUMP_INTR) is retried
 * once, a second one is -EAGAIN, libnl's out of memory is -ENOMEM, anything
 * else -EIO; a request libnl cannot allocate is -ENOMEM. The replies
 * themselves are tests/test_linkparse.c's.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/errno.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "probes/nl.h"
#include "probes/probe.h"

static bool alloc_fails;

struct nl_msg *__real_nlmsg_alloc_simple(int type, int flags);
struct nl_msg *__wrap_nlmsg_alloc_simple(int type, int flags);
struct nl_msg *__wrap_nlmsg_alloc_simple(int type, int flags)
{
	return alloc_fails ? NULL : __real_nlmsg_alloc_simple(type, flags);
}

static int replies[4]; /* what each nl_recvmsgs_default() returns, in order; then 0 */
static unsigned nreplies, sends, recvs;
static int send_result;

int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg);
int __wrap_nl_send_auto(struct nl_sock *sk, struct nl_msg *msg)
{
	(void)sk;
	(void)msg;
	sends++;
	return send_result;
}

int __wrap_nl_recvmsgs_default(struct nl_sock *sk);
int __wrap_nl_recvmsgs_default(struct nl_sock *sk)
{
	int r = recvs < nreplies ? replies[recvs] : 0;

	(void)sk;
	recvs++;
	return r;
}

static struct mq_nl nl;

static int setup(void **state)
{
	(void)state;
	memset(&nl, 0, sizeof(nl));
	nl.rt = nl_socket_alloc(); /* never connected: nothing is sent */
	nl.ioctl_fd = -1;
	sends = recvs = nreplies = 0;
	send_result = 20;
	return nl.rt ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	nl_socket_free(nl.rt);
	return 0;
}

static void script(unsigned n, ...)
{
	va_list ap;

	va_start(ap, n);
	for (unsigned i = 0; i < n; i++)
		replies[i] = va_arg(ap, int);
	va_end(ap);
	nreplies = n;
	sends = recvs = 0;
}

static void test_list(void **state)
{
	struct mq_nic *nics = (void *)1;
	unsigned n = 99;
	(void)state;

	script(1, -NLE_DUMP_INTR);
	assert_int_equal(link_list(&nl, &nics, &n), 0);
	assert_int_equal(sends, 2);
	assert_int_equal(n, 0);

	script(2, -NLE_DUMP_INTR, -NLE_DUMP_INTR);
	assert_int_equal(link_list(&nl, &nics, &n), -EAGAIN);
	assert_int_equal(sends, 2); /* no third try */

	script(1, -NLE_NOMEM);
	assert_int_equal(link_list(&nl, &nics, &n), -ENOMEM);
	assert_int_equal(sends, 1);
	script(1, -NLE_FAILURE);
	assert_int_equal(link_list(&nl, &nics, &n), -EIO);
	script(0);
	send_result = -NLE_BAD_SOCK;
	assert_int_equal(link_list(&nl, &nics, &n), -EIO);
	assert_int_equal(recvs, 0);
	assert_int_equal(link_list(NULL, &nics, &n), -EBADF);
	/* libnl cannot allocate the request: -ENOMEM, nothing sent */
	send_result = 20;
	script(0);
	alloc_fails = true;
	assert_int_equal(link_list(&nl, &nics, &n), -ENOMEM);
	alloc_fails = false;
	assert_int_equal(sends, 0);
}

static void test_stats_dump(void **state)
{
	struct mq_snapshot s = {0};
	(void)state;

	script(1, -NLE_DUMP_INTR);
	assert_int_equal(link_stats_dump(&nl, &s), 0);
	assert_int_equal(sends, 2);
	script(2, -NLE_DUMP_INTR, -NLE_DUMP_INTR);
	assert_int_equal(link_stats_dump(&nl, &s), -EAGAIN);
	script(1, -NLE_NOMEM);
	assert_int_equal(link_stats_dump(&nl, &s), -ENOMEM);
	assert_int_equal(sends, 1); /* out of memory: no fallback */
	/* a kernel without RTM_GETSTATS refuses it: the link dump instead */
	script(1, -NLE_OPNOTSUPP);
	assert_int_equal(link_stats_dump(&nl, &s), 0);
	assert_int_equal(sends, 2);
	script(3, -NLE_FAILURE, -NLE_DUMP_INTR, -NLE_DUMP_INTR);
	assert_int_equal(link_stats_dump(&nl, &s), -EAGAIN);
	assert_int_equal(sends, 3);
	assert_int_equal(link_stats_dump(&nl, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_dump, setup, teardown),
	};
	return cmocka_run_group_tests_name("link_dump", tests, NULL, NULL);
}
