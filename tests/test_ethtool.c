// SPDX-License-Identifier: MIT
/*
 * ethtool_channels_get() (probes/ethtool.c) over ethtool netlink: the
 * request, a fake kernel's reply of zero, one or two channel messages and
 * its ACK or error, and what the caller is told; without the ethtool
 * family, over a fake SIOCETHTOOL.
 */
#include <errno.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "probes/nl.h"
#include "probes/probe.h"
#include "tests/ioctl_fake.h"

#define ETHTOOL_FAMILY 20

/* SIOCETHTOOL's ETHTOOL_GCHANNELS: the counts below, or -1 with ioctl_errno. */
static struct {
	int ioctl_errno;
	char ifname[IF_NAMESIZE];
} I;

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	struct ethtool_channels *ec;

	(void)fd;
	snprintf(I.ifname, sizeof(I.ifname), "%s", ifr->ifr_name);
	ec = (struct ethtool_channels *)ifr->ifr_data;
	if (I.ioctl_errno || req != SIOCETHTOOL || ec->cmd != ETHTOOL_GCHANNELS) {
		errno = I.ioctl_errno ? I.ioctl_errno : ENOTTY;
		return -1;
	}
	*ec = (struct ethtool_channels){.cmd = ec->cmd, .max_rx = 1, .max_tx = 2, .max_other = 3,
					.max_combined = 8, .rx_count = 4, .tx_count = 5,
					.other_count = 6, .combined_count = 7};
	return 0;
}

static struct {
	uint32_t seq, ifindex; /* of the last request */
	unsigned replies;      /* CHANNELS_GET_REPLY messages before the ACK */
	int error;             /* the ACK's: 0, or -errno with "no such device" as extack */
} K;

static int dummy_sock;

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;
	const struct nlattr *a, *h;

	(void)nl;
	K.seq = nlh->nlmsg_seq;
	K.ifindex = 0;
	assert_int_equal(nlh->nlmsg_type, ETHTOOL_FAMILY);
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr))
		if (mnl_attr_get_type(a) == ETHTOOL_A_CHANNELS_HEADER)
			mnl_attr_for_each_nested(h, a)
				if (mnl_attr_get_type(h) == ETHTOOL_A_HEADER_DEV_INDEX)
					K.ifindex = mnl_attr_get_u32(h);
	return (ssize_t)len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	struct nlmsghdr *nlh;
	struct nlmsgerr *e;
	size_t off = 0;

	(void)nl;
	memset(buf, 0, len);
	for (unsigned i = 0; i < K.replies; i++) {
		struct genlmsghdr *g;

		nlh = mnl_nlmsg_put_header((char *)buf + off);
		nlh->nlmsg_type = ETHTOOL_FAMILY;
		nlh->nlmsg_seq = K.seq;
		g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
		g->cmd = ETHTOOL_MSG_CHANNELS_GET_REPLY;
		mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
		mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, 3 + i);
		off += MNL_ALIGN(nlh->nlmsg_len);
	}
	nlh = mnl_nlmsg_put_header((char *)buf + off);
	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_flags = NLM_F_CAPPED | (K.error ? NLM_F_ACK_TLVS : 0);
	nlh->nlmsg_seq = K.seq;
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = K.error;
	e->msg.nlmsg_len = sizeof(e->msg);
	e->msg.nlmsg_seq = K.seq;
	if (K.error)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "no such device");
	return (ssize_t)(off + MNL_ALIGN(nlh->nlmsg_len));
}

static struct mq_nl fake_nl(void)
{
	return (struct mq_nl){.genl = (struct mnl_socket *)&dummy_sock,
			      .ethtool_id = ETHTOOL_FAMILY,
			      .ioctl_fd = -1};
}

/* One reply and the ACK: its counts, from netlink, for the NIC's ifindex. */
static void test_channels_netlink(void **state)
{
	struct mq_nl nl = fake_nl();
	struct mq_nic nic = {.ifindex = 4, .name = "eth1"};
	struct mq_channels ch;
	(void)state;

	K.replies = 1;
	K.error = 0;
	memset(&ch, 0x55, sizeof(ch));
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), 0);
	assert_int_equal(K.ifindex, 4);
	assert_int_equal(ch.source, CHANNELS_NETLINK);
	assert_int_equal(ch.combined, 3);
	assert_int_equal(ch.combined_max, 8);
	assert_int_equal(ch.rx, 0);
	assert_int_equal(ch.err, 0);
}

/* Not exactly one reply, or the kernel's error: no counts, the error and its words. */
static void test_channels_netlink_fails(void **state)
{
	static const struct {
		unsigned replies;
		int error, want;
		const char *msg;
	} cases[] = {
		{0, 0, -EPROTO, NULL},
		{2, 0, -EPROTO, NULL},
		{0, -ENODEV, -ENODEV, "no such device"},
	};
	struct mq_nl nl = fake_nl();
	struct mq_nic nic = {.ifindex = 4, .name = "eth1"};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_channels ch;

		K.replies = cases[i].replies;
		K.error = cases[i].error;
		memset(&ch, 0x55, sizeof(ch));
		assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), cases[i].want);
		assert_int_equal(ch.source, CHANNELS_NONE);
		assert_int_equal(ch.err, cases[i].want);
		assert_int_equal(ch.combined, 0);
		assert_string_equal(ch.errmsg, cases[i].msg ? cases[i].msg : strerror(-cases[i].want));
	}
	assert_int_equal(ethtool_channels_get(NULL, &nic, &(struct mq_channels){0}), -EINVAL);
}

/* No ethtool family (kernels before 5.6): the ioctl's counts, or its errno's words. */
static void test_channels_ioctl(void **state)
{
	struct mq_nl nl = {.ioctl_fd = 99}; /* never used: ioctl is the fake above */
	struct mq_nic nic = {.ifindex = 4, .name = "eth1"};
	struct mq_channels ch;
	(void)state;

	I.ioctl_errno = 0;
	memset(&ch, 0x55, sizeof(ch));
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), 0);
	assert_string_equal(I.ifname, "eth1");
	assert_int_equal(ch.source, CHANNELS_IOCTL);
	assert_int_equal(ch.rx_max, 1);
	assert_int_equal(ch.tx_max, 2);
	assert_int_equal(ch.other_max, 3);
	assert_int_equal(ch.combined_max, 8);
	assert_int_equal(ch.rx, 4);
	assert_int_equal(ch.tx, 5);
	assert_int_equal(ch.other, 6);
	assert_int_equal(ch.combined, 7);
	assert_int_equal(ch.err, 0);

	I.ioctl_errno = EOPNOTSUPP; /* a driver without get_channels */
	memset(&ch, 0x55, sizeof(ch));
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), -EOPNOTSUPP);
	assert_int_equal(ch.source, CHANNELS_NONE);
	assert_int_equal(ch.err, -EOPNOTSUPP);
	assert_int_equal(ch.combined, 0);
	assert_int_equal(ch.combined_max, 0);
	assert_string_equal(ch.errmsg, strerror(EOPNOTSUPP));

	nl.ioctl_fd = -1; /* no socket: no ioctl */
	I.ifname[0] = '\0';
	assert_int_equal(ethtool_channels_get(&nl, &nic, &ch), -EBADF);
	assert_int_equal(ch.source, CHANNELS_NONE);
	assert_string_equal(I.ifname, "");
}

/*
 * nl->extack is the kernel's message for the last failed request, "" if
 * none: a request that succeeds, or fails without words, leaves no stale ones.
 */
static void test_transact_extack(void **state)
{
	struct mq_nl nl = fake_nl();
	char req[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	(void)state;

	snprintf(nl.extack, sizeof(nl.extack), "stale words");
	K.replies = 0;
	K.error = 0;
	nlh = mqnl_genl_put(&nl, req, ETHTOOL_FAMILY, ETHTOOL_MSG_CHANNELS_GET, 1, 0);
	assert_int_equal(mqnl_genl_transact(&nl, nlh, NULL, NULL), 0);
	assert_string_equal(nl.extack, "");
	K.error = -ENODEV;
	nlh = mqnl_genl_put(&nl, req, ETHTOOL_FAMILY, ETHTOOL_MSG_CHANNELS_GET, 1, 0);
	assert_int_equal(mqnl_genl_transact(&nl, nlh, NULL, NULL), -ENODEV);
	assert_string_equal(nl.extack, "no such device");
	K.error = 0;
	nlh = mqnl_genl_put(&nl, req, ETHTOOL_FAMILY, ETHTOOL_MSG_CHANNELS_GET, 1, 0);
	assert_int_equal(mqnl_genl_transact(&nl, nlh, NULL, NULL), 0);
	assert_string_equal(nl.extack, "");
	assert_int_equal(mqnl_genl_transact(&nl, NULL, NULL, NULL), -EBADF);
	assert_int_equal(mqnl_genl_transact(NULL, nlh, NULL, NULL), -EBADF);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_channels_netlink),
		cmocka_unit_test(test_channels_netlink_fails),
		cmocka_unit_test(test_channels_ioctl),
		cmocka_unit_test(test_transact_extack),
	};
	return cmocka_run_group_tests_name("ethtool", tests, NULL, NULL);
}
