// SPDX-License-Identifier: MIT
/*
 * RSS: the RSS_GET reply parser (captured replies from the guest and ones
 * built from the spec), the probe's netlink -> ioctl fallback over a fake
 * generic netlink socket and a fake SIOCETHTOOL (tests/rss.mk wraps ioctl
 * and libmnl's socket I/O), the setter's requests and errors. The analysis
 * of tables: tests/test_rss_spread.c.
 */
#include <errno.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/rss.h"
#include "core/rss.h"
#include "probes/probe.h"
#include "probes/uapi.h"

#define ETH_FAMILY 20

/* ---- a fake SIOCETHTOOL for ETHTOOL_GRSSH / ETHTOOL_SRSSH ------------------ */

static struct {
	int get_err, set_err;       /* errno for the next GRSSH / SRSSH, 0 ok */
	uint32_t n, key_size;       /* the device's table and key */
	uint8_t hfunc, xfrm;
	uint32_t table[MQ_RSS_INDIR_MAX + 8];
	uint32_t grow_after_head;   /* the table size seen by the second GRSSH, 0: n */
	unsigned gets, sets, other;
	char ifname[IFNAMSIZ];
} K;
static struct ethtool_rxfh last_set; /* the last SRSSH request (no table follows it) */

static bool calloc_fails;
void *__real_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size);
void *__wrap_calloc(size_t n, size_t size) { return calloc_fails ? NULL : __real_calloc(n, size); }
int __wrap_ioctl(int fd, unsigned long req, ...);
int __wrap_ioctl(int fd, unsigned long req, ...)
{
	struct ifreq *ifr;
	struct ethtool_rxfh *rx;
	va_list ap;

	(void)fd;
	va_start(ap, req);
	ifr = va_arg(ap, struct ifreq *);
	va_end(ap);
	if (req != SIOCETHTOOL) {
		K.other++;
		errno = ENOTTY;
		return -1;
	}
	snprintf(K.ifname, sizeof(K.ifname), "%s", ifr->ifr_name);
	rx = (struct ethtool_rxfh *)ifr->ifr_data;
	if (rx->cmd == ETHTOOL_SRSSH) {
		K.sets++;
		last_set = *rx;
		errno = K.set_err;
		return K.set_err ? -1 : 0;
	}
	if (rx->cmd != ETHTOOL_GRSSH) {
		K.other++;
		errno = EOPNOTSUPP;
		return -1;
	}
	if (K.get_err) {
		errno = K.get_err;
		return -1;
	}
	/* Like the kernel: sizes written back, then EINVAL if the caller's differ. */
	uint32_t user = rx->indir_size, dev = K.gets++ && K.grow_after_head ? K.grow_after_head : K.n;

	rx->indir_size = dev;
	rx->key_size = K.key_size;
	if (user && user != dev) {
		errno = EINVAL;
		return -1;
	}
	rx->hfunc = K.hfunc;
	rx->rsvd8[0] = K.xfrm;
	if (user)
		memcpy(rx->rss_config, K.table, (size_t)user * sizeof(uint32_t));
	return 0;
}

/* ---- a fake generic netlink socket ------------------------------------------ */

static struct {
	uint32_t seq;
	unsigned sends, recvs;
	uint8_t cmd;                /* of the last request */
	ssize_t (*reply)(unsigned call, char *buf, size_t len);
} N;

ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	const struct nlmsghdr *nlh = buf;

	(void)nl;
	N.sends++;
	N.recvs = 0;
	N.seq = nlh->nlmsg_seq;
	N.cmd = ((const struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd;
	return (ssize_t)len;
}

ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	(void)nl;
	if (!N.reply) {
		errno = EAGAIN;
		return -1;
	}
	memset(buf, 0, len);
	return N.reply(N.recvs++, buf, len);
}

static int dummy_sock;

static void fake_nl(struct mq_nl *nl, bool ethtool_nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->genl = (struct mnl_socket *)&dummy_sock;
	nl->ethtool_id = ethtool_nl ? ETH_FAMILY : 0;
	nl->ioctl_fd = 99; /* never used: ioctl is the fake above */
}

static size_t put_err(char *buf, int err, const char *extack)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = N.seq;
	nlh->nlmsg_flags = NLM_F_CAPPED | (extack ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	e->msg.nlmsg_seq = N.seq;
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	return nlh->nlmsg_len;
}

/* An RSS_GET reply as 6.12 sends it for virtio: header, hfunc, indir, hkey. */
static struct nlmsghdr *put_rss(char *buf, const uint32_t *indir, uint32_t n, uint32_t hfunc,
				uint32_t key_size)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *nest;
	uint8_t key[64] = {0x6d, 0x5a};

	nlh->nlmsg_type = ETH_FAMILY;
	nlh->nlmsg_seq = N.seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = MQ_ETHTOOL_MSG_RSS_GET_REPLY;
	g->version = 1;
	nest = mnl_attr_nest_start(nlh, MQ_ETHTOOL_A_RSS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, 2);
	mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, "eth0");
	mnl_attr_nest_end(nlh, nest);
	if (hfunc)
		mnl_attr_put_u32(nlh, MQ_ETHTOOL_A_RSS_HFUNC, hfunc);
	if (n)
		mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_INDIR, n * sizeof(uint32_t), indir);
	if (key_size)
		mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_HKEY, key_size, key);
	return nlh;
}

static uint32_t spread2[128], spread4[128];
static const char *err_extack;
static int err_code;

static ssize_t reply_err(unsigned call, char *buf, size_t len)
{
	(void)call;
	(void)len;
	return (ssize_t)put_err(buf, err_code, err_extack);
}

/* The table, then the ACK in a second datagram. */
static ssize_t reply_rss(unsigned call, char *buf, size_t len)
{
	(void)len;
	if (call == 0)
		return (ssize_t)put_rss(buf, spread2, 128, 1, 40)->nlmsg_len;
	return (ssize_t)put_err(buf, 0, NULL);
}

/* Two replies to a plain request: the kernel never does it, and it must not leak. */
static ssize_t reply_rss_twice(unsigned call, char *buf, size_t len)
{
	size_t n;

	(void)len;
	if (call > 0)
		return (ssize_t)put_err(buf, 0, NULL);
	n = put_rss(buf, spread2, 128, 1, 40)->nlmsg_len;
	n += put_rss(buf + n, spread4, 128, 1, 40)->nlmsg_len;
	return (ssize_t)n;
}

static _Alignas(8) char mbuf[64 * 1024];

static size_t read_fixture(const char *name, void *dst, size_t len)
{
	const char *dir = getenv("MQ_TEST_DATA");
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/netlink/%s", dir ? dir : "tests/data", name);
	f = fopen(path, "rb");
	if (!f) {
		fail_msg("cannot open %s", path);
		return 0;
	}
	n = fread(dst, 1, len, f);
	fclose(f);
	return n;
}

static int setup(void **state)
{
	(void)state;
	memset(&K, 0, sizeof(K));
	memset(&N, 0, sizeof(N));
	memset(&last_set, 0, sizeof(last_set));
	err_extack = NULL;
	err_code = 0;
	for (unsigned i = 0; i < 128; i++) {
		spread2[i] = i % 2;
		spread4[i] = i % 4;
	}
	return 0;
}

/* ---- the RSS_GET reply parser ------------------------------------------------- */

static void test_parse_built(void **state)
{
	struct mq_rss r;
	(void)state;

	assert_int_equal(ethtool_rss_parse(put_rss(mbuf, spread2, 128, 1, 40), &r), 0);
	assert_int_equal(r.source, RSS_NETLINK);
	assert_int_equal(r.n, 128);
	assert_int_equal(r.key_size, 40);
	assert_int_equal(r.hfunc, MQ_RSS_HASH_TOP);
	assert_memory_equal(r.indir, spread2, sizeof(spread2));
	assert_int_equal(r.err, 0);
	rss_free(&r);
	assert_null(r.indir);
	assert_int_equal(r.n, 0);

	/* The fix of 6.2-rc: no attribute for what the driver did not fill. */
	assert_int_equal(ethtool_rss_parse(put_rss(mbuf, NULL, 0, 0, 0), &r), 0);
	assert_int_equal(r.source, RSS_NETLINK);
	assert_int_equal(r.n, 0);
	assert_null(r.indir);
	assert_int_equal(r.key_size, 0);
	assert_int_equal(r.hfunc, 0);
}

/*
 * Captured in the guest (tests/guest/scenarios/rss.sh, rss-probe --dump):
 * Linux 6.12.117 (Debian), virtio_net with qemu 7.2 rss=on,hash=on, 4 queue
 * pairs; the driver's own table, then after `ethtool -X eth0 equal 2`.
 */
static void test_parse_captured(void **state)
{
	static const struct {
		const char *file;
		unsigned mod;
	} cap[] = {
		{"rss-get-virtio-default-6.12.bin", 4},
		{"rss-get-virtio-equal2-6.12.bin", 2},
	};
	(void)state;

	for (unsigned k = 0; k < 2; k++) {
		struct nlmsghdr *nlh = (struct nlmsghdr *)mbuf;
		struct mq_rss r;
		size_t n = read_fixture(cap[k].file, mbuf, sizeof(mbuf));

		assert_true(mnl_nlmsg_ok(nlh, (int)n));
		assert_int_equal(nlh->nlmsg_len, n);
		assert_int_equal(ethtool_rss_parse(nlh, &r), 0);
		assert_int_equal(r.source, RSS_NETLINK);
		assert_int_equal(r.n, 128);
		assert_int_equal(r.key_size, 40);
		assert_int_equal(r.hfunc, MQ_RSS_HASH_TOP);
		for (unsigned i = 0; i < 128; i++)
			assert_int_equal(r.indir[i], i % cap[k].mod);
		rss_free(&r);
		/* Cut anywhere: an error, or the attributes before the cut (a table is whole or absent). */
		for (uint32_t len = MNL_NLMSG_HDRLEN; len < n; len += 4) {
			nlh->nlmsg_len = len;
			if (ethtool_rss_parse(nlh, &r) == 0) {
				assert_true(r.n == 0 || r.n == 128);
				assert_true(r.n == 0 || r.indir[127] == 127 % cap[k].mod);
				assert_true(r.key_size == 0 || r.key_size == 40);
				rss_free(&r);
			}
		}
	}
}

static void test_parse_bad(void **state)
{
	struct mq_rss r = {.n = 77};
	struct nlmsghdr *nlh;
	struct nlattr *a;
	(void)state;

	/* INDIR not a whole number of u32 */
	nlh = put_rss(mbuf, spread2, 0, 1, 40);
	mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_INDIR, 6, spread2);
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	/* two INDIR attributes */
	nlh = put_rss(mbuf, spread2, 128, 1, 40);
	mnl_attr_put(nlh, MQ_ETHTOOL_A_RSS_INDIR, 8, spread4);
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	/* HFUNC of the wrong size */
	nlh = put_rss(mbuf, spread2, 128, 0, 40);
	mnl_attr_put_u16(nlh, MQ_ETHTOOL_A_RSS_HFUNC, 1);
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	/* another context than the main one; context 0 is fine */
	nlh = put_rss(mbuf, spread2, 128, 1, 40);
	mnl_attr_put_u32(nlh, MQ_ETHTOOL_A_RSS_CONTEXT, 1);
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	nlh = put_rss(mbuf, spread2, 128, 1, 40);
	mnl_attr_put_u32(nlh, MQ_ETHTOOL_A_RSS_CONTEXT, 0);
	assert_int_equal(ethtool_rss_parse(nlh, &r), 0);
	rss_free(&r);
	/* a channels reply, not ours */
	nlh = put_rss(mbuf, spread2, 128, 1, 40);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->cmd = ETHTOOL_MSG_CHANNELS_GET_REPLY;
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	/* lengths: unaligned, shorter than a genl header */
	nlh = put_rss(mbuf, spread2, 128, 1, 40);
	nlh->nlmsg_len -= 2;
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	nlh->nlmsg_len = MNL_NLMSG_HDRLEN + 2;
	assert_int_equal(ethtool_rss_parse(nlh, &r), -EINVAL);
	assert_int_equal(ethtool_rss_parse(NULL, &r), -EINVAL);
	/* ret untouched by every failure */
	assert_int_equal(r.n, 0);

	/* attributes newer than us (a nest like 6.17's FLOW_HASH) are skipped */
	nlh = put_rss(mbuf, spread4, 128, 1, 40);
	a = mnl_attr_nest_start(nlh, 8);
	mnl_attr_put_u32(nlh, 1, 0xff);
	mnl_attr_nest_end(nlh, a);
	mnl_attr_put_u32(nlh, MQ_ETHTOOL_A_RSS_INPUT_XFRM, 1);
	assert_int_equal(ethtool_rss_parse(nlh, &r), 0);
	assert_int_equal(r.n, 128);
	assert_memory_equal(r.indir, spread4, sizeof(spread4));
	rss_free(&r);
}

/* The cap: a table of MQ_RSS_INDIR_MAX entries is read, one more is not. */
static void test_parse_cap(void **state)
{
	static uint32_t big[MQ_RSS_INDIR_MAX + 1];
	struct mq_rss r;
	(void)state;

	for (unsigned i = 0; i <= MQ_RSS_INDIR_MAX; i++)
		big[i] = i % 7;
	assert_int_equal(ethtool_rss_parse(put_rss(mbuf, big, MQ_RSS_INDIR_MAX, 1, 40), &r), 0);
	assert_int_equal(r.n, MQ_RSS_INDIR_MAX);
	assert_int_equal(r.indir[MQ_RSS_INDIR_MAX - 1], (MQ_RSS_INDIR_MAX - 1) % 7);
	rss_free(&r);
	assert_int_equal(ethtool_rss_parse(put_rss(mbuf, big, MQ_RSS_INDIR_MAX + 1, 1, 40), &r),
			 -EFBIG);
}

/* ---- the probe: netlink, then the ioctl --------------------------------------- */

static void test_get_netlink(void **state)
{
	struct mq_nic nic = {.ifindex = 2, .name = "eth0"};
	struct mq_nl nl;
	(void)state;

	fake_nl(&nl, true);
	N.reply = reply_rss;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), 0);
	assert_int_equal(N.cmd, MQ_ETHTOOL_MSG_RSS_GET);
	assert_int_equal(nic.rss.source, RSS_NETLINK);
	assert_int_equal(nic.rss.n, 128);
	assert_int_equal(nic.rss.key_size, 40);
	assert_memory_equal(nic.rss.indir, spread2, sizeof(spread2));
	assert_int_equal(K.gets, 0);
	nic_free(&nic); /* frees the table too (ASan) */
	assert_null(nic.rss.indir);

	/* More than one reply: an error, and the first table is not leaked. */
	N.reply = reply_rss_twice;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EPROTO);
	assert_int_equal(nic.rss.source, RSS_NONE);
	assert_null(nic.rss.indir);
}

/* 6.1 has no RSS_GET (-EOPNOTSUPP for the op): the ioctl answers. */
static void test_get_ioctl_fallback(void **state)
{
	struct mq_nic nic = {.ifindex = 2, .name = "eth1"};
	struct mq_nl nl;
	(void)state;

	fake_nl(&nl, true);
	N.reply = reply_err;
	err_code = -EOPNOTSUPP;
	K.n = 128;
	K.key_size = 40;
	K.hfunc = 1;
	memcpy(K.table, spread4, sizeof(spread4));
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), 0);
	assert_int_equal(N.sends, 1);
	assert_int_equal(K.gets, 2); /* sizes, then the table */
	assert_string_equal(K.ifname, "eth1");
	assert_int_equal(nic.rss.source, RSS_IOCTL);
	assert_int_equal(nic.rss.n, 128);
	assert_int_equal(nic.rss.key_size, 40);
	assert_int_equal(nic.rss.hfunc, 1);
	assert_memory_equal(nic.rss.indir, spread4, sizeof(spread4));
	rss_free(&nic.rss);

	/* Without the ethtool family at all: the ioctl only. */
	fake_nl(&nl, false);
	N.sends = 0;
	K.gets = 0;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), 0);
	assert_int_equal(N.sends, 0);
	assert_int_equal(nic.rss.source, RSS_IOCTL);
	rss_free(&nic.rss);

	/* A device with a key but no table: one ioctl, n 0. */
	K.n = 0;
	K.gets = 0;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), 0);
	assert_int_equal(K.gets, 1);
	assert_int_equal(nic.rss.n, 0);
	assert_null(nic.rss.indir);
	assert_int_equal(nic.rss.key_size, 40);
}

/* No RSS (virtio without rss=on, veth): both say EOPNOTSUPP, a normal answer. */
static void test_get_unsupported(void **state)
{
	struct mq_nic nic = {.ifindex = 3, .name = "eth2"};
	struct mq_nl nl;
	(void)state;

	fake_nl(&nl, true);
	N.reply = reply_err;
	err_code = -EOPNOTSUPP;
	K.get_err = EOPNOTSUPP;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EOPNOTSUPP);
	assert_int_equal(nic.rss.source, RSS_NONE);
	assert_int_equal(nic.rss.err, -EOPNOTSUPP);
	assert_string_equal(nic.rss.errmsg, strerror(EOPNOTSUPP));
	assert_int_equal(nic.rss.n, 0);
	assert_null(nic.rss.indir);
}

static void test_get_errors(void **state)
{
	struct mq_nic nic = {.ifindex = 9, .name = "eth9"};
	struct mq_nl nl;
	(void)state;

	/* Any other netlink error is the answer, with the kernel's words; no ioctl. */
	fake_nl(&nl, true);
	N.reply = reply_err;
	err_code = -ENODEV;
	err_extack = "no device matches ifindex";
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -ENODEV);
	assert_int_equal(K.gets, 0);
	assert_int_equal(nic.rss.err, -ENODEV);
	assert_string_equal(nic.rss.errmsg, "no device matches ifindex");

	/* ioctl: a table above the cap is not read; one that changes size between the calls. */
	fake_nl(&nl, false);
	K.n = MQ_RSS_INDIR_MAX + 1;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EFBIG);
	assert_int_equal(K.gets, 1);
	assert_int_equal(nic.rss.err, -EFBIG);
	K.n = 128;
	K.gets = 0;
	K.grow_after_head = 256;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EINVAL);
	assert_int_equal(K.gets, 2);
	assert_null(nic.rss.indir);
	K.grow_after_head = 0;
	calloc_fails = true; /* no memory for the table: said, not "no table" */
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -ENOMEM);
	calloc_fails = false;
	assert_int_equal(nic.rss.err, -ENOMEM);
	nl.ioctl_fd = -1;
	assert_int_equal(ethtool_rss_get(&nl, &nic, &nic.rss), -EBADF);
	assert_int_equal(ethtool_rss_get(NULL, &nic, &nic.rss), -EINVAL);
	assert_int_equal(ethtool_rss_get(&nl, NULL, &nic.rss), -EINVAL);
}

/* ---- the setter ------------------------------------------------------------------ */

static void test_reset(void **state)
{
	struct mq_nic nic = {.ifindex = 2, .name = "eth0"};
	struct mq_nl nl;
	char msg[64] = "stale";
	(void)state;

	fake_nl(&nl, true);
	K.n = 128;
	K.xfrm = 1; /* RXH_XFRM_SYM_XOR on a 6.8+ kernel: kept */
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), 0);
	assert_string_equal(msg, "");
	assert_int_equal(K.gets, 1);
	assert_int_equal(K.sets, 1);
	assert_string_equal(K.ifname, "eth0");
	/* indir_size 0 = the default table; nothing else changes. */
	assert_int_equal(last_set.cmd, ETHTOOL_SRSSH);
	assert_int_equal(last_set.indir_size, 0);
	assert_int_equal(last_set.key_size, 0);
	assert_int_equal(last_set.hfunc, 0);
	assert_int_equal(last_set.rss_context, 0);
	assert_int_equal(last_set.rsvd8[0], 1);
	assert_int_equal(last_set.rsvd8[1], 0);
	assert_int_equal(last_set.rsvd32, 0);
	assert_int_equal(N.sends, 0); /* no netlink RSS_SET before 6.17 */
	/* 6.1: that byte is reserved and reads back 0. */
	K.xfrm = 0;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), 0);
	assert_int_equal(last_set.rsvd8[0], 0);
}

static void test_reset_errors(void **state)
{
	struct mq_nic nic = {.ifindex = 2, .name = "eth0"};
	struct mq_nl nl;
	char msg[64];
	(void)state;

	fake_nl(&nl, true);
	/* No RSS: the read fails first, nothing is written. */
	K.get_err = EOPNOTSUPP;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_int_equal(K.sets, 0);
	K.get_err = 0;
	/* The write is refused (not root; the driver says no). */
	K.set_err = EPERM;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), -EPERM);
	assert_string_equal(msg, "");
	K.set_err = EOPNOTSUPP;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), -EOPNOTSUPP);
	assert_int_equal(K.sets, 2);
	nl.ioctl_fd = -1;
	assert_int_equal(rss_table_reset(&nl, &nic, msg, sizeof(msg)), -EBADF);
	assert_int_equal(rss_table_reset(NULL, &nic, msg, sizeof(msg)), -EINVAL);
	assert_int_equal(rss_table_reset(&nl, NULL, NULL, 0), -EINVAL);
	assert_int_equal(K.sets, 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_parse_built, setup),
		cmocka_unit_test_setup(test_parse_captured, setup),
		cmocka_unit_test_setup(test_parse_bad, setup),
		cmocka_unit_test_setup(test_parse_cap, setup),
		cmocka_unit_test_setup(test_get_netlink, setup),
		cmocka_unit_test_setup(test_get_ioctl_fallback, setup),
		cmocka_unit_test_setup(test_get_unsupported, setup),
		cmocka_unit_test_setup(test_get_errors, setup),
		cmocka_unit_test_setup(test_reset, setup),
		cmocka_unit_test_setup(test_reset_errors, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
