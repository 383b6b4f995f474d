// SPDX-License-Identifier: MIT
/*
 * What channels_set() (agent/channels.c) asks of the kernel: over ethtool
 * netlink only the counts that change, nothing at all for a no-op, every
 * count when the current ones cannot be read; over the ioctl the whole
 * struct, and no write when it already holds the wanted counts. The kernel's
 * words come back in the message on failure only.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "agent/channels.h"
#include "probes/probe.h"
#include "tests/ioctl_fake.h"

/* What the fake kernel saw and answers. */
static struct {
	int sends;                      /* CHANNELS_SET requests */
	uint32_t attr[ETHTOOL_A_CHANNELS_MAX + 1]; /* of the last request, UINT32_MAX: absent */
	int ifindex;
	int err;                        /* answer to CHANNELS_SET */
	int get_err, gets;              /* ethtool_channels_get() */
	struct mq_channels get;
	int ioctls, ioctl_err;
	struct ethtool_channels dev;    /* the device behind the ioctl */
	char ioctl_name[IFNAMSIZ];
} k;

int __wrap_mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
int __wrap_mqnl_genl_transact(struct mq_nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	const struct genlmsghdr *g = mnl_nlmsg_get_payload(req);
	const struct nlattr *a;
	(void)cb;
	(void)data;

	assert_int_equal(req->nlmsg_type, nl->ethtool_id);
	assert_int_equal(g->cmd, ETHTOOL_MSG_CHANNELS_SET);
	k.sends++;
	memset(k.attr, 0xff, sizeof(k.attr));
	mnl_attr_for_each(a, req, sizeof(*g)) {
		uint16_t t = mnl_attr_get_type(a);

		if (t == ETHTOOL_A_CHANNELS_HEADER) {
			const struct nlattr *h;

			mnl_attr_for_each_nested(h, a)
				if (mnl_attr_get_type(h) == ETHTOOL_A_HEADER_DEV_INDEX)
					k.ifindex = (int)mnl_attr_get_u32(h);
		} else if (t <= ETHTOOL_A_CHANNELS_MAX) {
			k.attr[t] = mnl_attr_get_u32(a);
		}
	}
	if (k.err)
		snprintf(nl->extack, sizeof(nl->extack), "requested channel counts are too big");
	return k.err;
}

int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret);
int __wrap_ethtool_channels_get(struct mq_nl *nl, const struct mq_nic *nic, struct mq_channels *ret)
{
	(void)nl;
	(void)nic;
	k.gets++;
	if (k.get_err)
		return k.get_err;
	*ret = k.get;
	return 0;
}

static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	struct ethtool_channels *ec;

	assert_int_equal(fd, 7);
	assert_int_equal(req, SIOCETHTOOL);
	ec = (struct ethtool_channels *)(void *)ifr->ifr_data;
	snprintf(k.ioctl_name, sizeof(k.ioctl_name), "%s", ifr->ifr_name);
	k.ioctls++;
	if (k.ioctl_err) {
		errno = k.ioctl_err;
		return -1;
	}
	errno = ENOTTY; /* success may leave errno as it was */
	if (ec->cmd == ETHTOOL_GCHANNELS) {
		*ec = k.dev;
		ec->cmd = ETHTOOL_GCHANNELS;
	} else {
		assert_int_equal(ec->cmd, ETHTOOL_SCHANNELS);
		k.dev = *ec;
	}
	return 0;
}

static int setup(void **state)
{
	(void)state;
	memset(&k, 0, sizeof(k));
	return 0;
}

static struct mq_nl nl_with(uint16_t ethtool_id)
{
	return (struct mq_nl){.ethtool_id = ethtool_id, .ioctl_fd = 7, .extack = "stale"};
}

static struct mq_nic nic_with(uint32_t rx, uint32_t tx, uint32_t other, uint32_t combined)
{
	struct mq_nic n = {.ifindex = 5, .name = "eth3"};

	n.ch = (struct mq_channels){.source = CHANNELS_NETLINK, .rx = rx, .tx = tx, .other = other,
				    .combined = combined};
	return n;
}

/* Only the counts that differ from the NIC's go out; none differ: no request. */
static void test_netlink_changed_only(void **state)
{
	struct mq_nl nl = nl_with(20);
	struct mq_nic nic = nic_with(0, 0, 1, 2);
	struct mq_channels want = {.other = 1, .combined = 4};
	char msg[64] = "x";
	(void)state;

	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(k.sends, 1);
	assert_int_equal(k.ifindex, 5);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_COMBINED_COUNT], 4);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_RX_COUNT], UINT32_MAX);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_TX_COUNT], UINT32_MAX);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_OTHER_COUNT], UINT32_MAX);
	assert_int_equal(k.gets, 0);
	assert_string_equal(nl.extack, "");

	/* rx, tx and other each on their own */
	want = (struct mq_channels){.rx = 3, .tx = 2, .other = 0, .combined = 2};
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(k.sends, 2);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_RX_COUNT], 3);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_TX_COUNT], 2);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_OTHER_COUNT], 0);

	want = nic.ch;
	assert_int_equal(channels_set(&nl, &nic, &want, NULL, 0), 0);
	assert_int_equal(k.sends, 2);
	assert_int_equal(k.ioctls, 0);
}

/* Counts unknown: read them first; that failing too, send all four. */
static void test_netlink_unknown(void **state)
{
	struct mq_nl nl = nl_with(20);
	struct mq_nic nic = nic_with(0, 0, 0, 0);
	struct mq_channels want = {.combined = 4};
	char msg[64];
	(void)state;

	nic.ch.source = CHANNELS_NONE;
	k.get = (struct mq_channels){.source = CHANNELS_NETLINK, .combined = 2};
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(k.gets, 1);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_COMBINED_COUNT], 4);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_RX_COUNT], UINT32_MAX);

	k.get_err = -EOPNOTSUPP;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(k.gets, 2);
	assert_int_equal(k.sends, 2);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_RX_COUNT], 0);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_TX_COUNT], 0);
	assert_int_equal(k.attr[ETHTOOL_A_CHANNELS_OTHER_COUNT], 0);
}

/* A refusal: the kernel's -errno and its words in the message, cut to its size. */
static void test_netlink_refused(void **state)
{
	struct mq_nl nl = nl_with(20);
	struct mq_nic nic = nic_with(0, 0, 0, 2);
	struct mq_channels want = {.combined = 64};
	char msg[64] = "x", small[10];
	(void)state;

	k.err = -EINVAL;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "requested channel counts are too big");
	assert_int_equal(channels_set(&nl, &nic, &want, small, sizeof(small)), -EINVAL);
	assert_string_equal(small, "requested");
	assert_int_equal(channels_set(&nl, &nic, &want, NULL, 0), -EINVAL);
	msg[0] = 'x';
	assert_int_equal(channels_set(&nl, &nic, &want, msg, 0), -EINVAL);
	assert_int_equal(msg[0], 'x'); /* no room: not written */
	assert_int_equal(channels_set(NULL, &nic, &want, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "");
	assert_int_equal(channels_set(&nl, NULL, &want, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(channels_set(&nl, &nic, NULL, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(k.sends, 4);
}

/* No ethtool netlink: the ioctl reads the device, writes the whole struct only on a change. */
static void test_ioctl(void **state)
{
	struct mq_nl nl = nl_with(0);
	struct mq_nic nic = nic_with(0, 0, 1, 2);
	struct mq_channels want = {.rx = 0, .tx = 0, .other = 1, .combined = 4};
	char msg[64] = "x";
	(void)state;

	k.dev = (struct ethtool_channels){.other_count = 1, .combined_count = 2, .max_combined = 8};
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_string_equal(k.ioctl_name, "eth3");
	assert_int_equal(k.ioctls, 2);
	assert_int_equal(k.dev.combined_count, 4);
	assert_int_equal(k.dev.other_count, 1);
	assert_int_equal(k.dev.max_combined, 8); /* read back, not zeroed */
	assert_int_equal(k.sends, 0);

	/* already so: read only; each count on its own differs */
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(k.ioctls, 3);
	for (unsigned i = 0; i < 3; i++) {
		struct mq_channels w = want;

		if (i == 0)
			w.rx = 1;
		else if (i == 1)
			w.tx = 1;
		else
			w.other = 0;
		assert_int_equal(channels_set(&nl, &nic, &w, msg, sizeof(msg)), 0);
		assert_int_equal(k.dev.rx_count, w.rx);
		assert_int_equal(k.dev.tx_count, w.tx);
		assert_int_equal(k.dev.other_count, w.other);
		assert_int_equal(k.ioctls, 5 + 2 * (int)i);
	}

	k.ioctl_err = EPERM;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EPERM);
	k.ioctl_err = 0;
	nl.ioctl_fd = -1;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EBADF);
	assert_int_equal(k.ioctls, 10);
}


int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_netlink_changed_only, setup),
		cmocka_unit_test_setup(test_netlink_unknown, setup),
		cmocka_unit_test_setup(test_netlink_refused, setup),
		cmocka_unit_test_setup(test_ioctl, setup),
	};
	return cmocka_run_group_tests_name("channels", tests, NULL, NULL);
}
