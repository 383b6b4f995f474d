// SPDX-License-Identifier: MIT
/*
 * The rtnetlink link dump's outcomes (probes/link.c), with libnl's send and
 * receive answered here: an interrupted dump (NLM_F_DUMP_INTR) is retried
 * once, a second one is -EAGAIN, libnl's out of memory is -ENOMEM, anything
 * else -EIO; a request libnl cannot allocate is -ENOMEM. The replies
 * themselves are tests/test_linkparse.c's. ETHTOOL_GDRVINFO is answered
 * here too (ioctl wrapped), and the queues come from a scratch sysfs tree.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/socket.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <netlink/errno.h>
#include <linux/ethtool.h>
#include <linux/if_link.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <netlink/netlink.h>
#include <netlink/socket.h>

#include "probes/nl.h"
#include "probes/probe.h"
#include "probes/sysfs.h"
#include "tests/tmptree.h"
#include "tests/ioctl_fake.h"

static bool alloc_fails, append_fails;

struct nl_msg *__real_nlmsg_alloc_simple(int type, int flags);
struct nl_msg *__wrap_nlmsg_alloc_simple(int type, int flags);
struct nl_msg *__wrap_nlmsg_alloc_simple(int type, int flags)
{
	return alloc_fails ? NULL : __real_nlmsg_alloc_simple(type, flags);
}

int __real_nlmsg_append(struct nl_msg *n, void *data, size_t len, int pad);
int __wrap_nlmsg_append(struct nl_msg *n, void *data, size_t len, int pad);
int __wrap_nlmsg_append(struct nl_msg *n, void *data, size_t len, int pad)
{
	return append_fails ? -NLE_NOMEM : __real_nlmsg_append(n, data, len, pad);
}

/* SIOCETHTOOL ETHTOOL_GDRVINFO: the fd and name asked about, and the answer (or errno). */
static int drv_fd = -7, drv_errno;
static char drv_ifname[IFNAMSIZ];
static const char *drv_driver = "virtio_net", *drv_bus = "0000:00:03.0";

/* As the kernel fills a drvinfo field: no NUL when the text fills it. */
static void field_put(char *dst, size_t size, const char *src)
{
	size_t n = strlen(src);

	memset(dst, 0, size);
	memcpy(dst, src, n < size ? n : size);
}

int __real_ioctl(int fd, unsigned long req, ...);
static int fake_ioctl(int fd, unsigned long req, struct ifreq *ifr)
{
	struct ethtool_drvinfo *di;

	if (req != SIOCETHTOOL)
		return __real_ioctl(fd, req, ifr);
	drv_fd = fd;
	snprintf(drv_ifname, sizeof(drv_ifname), "%s", ifr->ifr_name);
	di = (struct ethtool_drvinfo *)(void *)ifr->ifr_data;
	assert_int_equal(di->cmd, ETHTOOL_GDRVINFO);
	if (drv_errno) {
		errno = drv_errno;
		return -1;
	}
	field_put(di->driver, sizeof(di->driver), drv_driver);
	field_put(di->bus_info, sizeof(di->bus_info), drv_bus);
	return 0;
}

/* The parser dump() installs, to hand it the stats replies of deliver[] (ifindex, rx_packets). */
static nl_recvmsg_msg_cb_t valid_cb;
static void *valid_arg;
static int deliver[4][2];
static unsigned ndeliver;

int __real_nl_socket_modify_cb(struct nl_sock *sk, enum nl_cb_type type, enum nl_cb_kind kind,
			       nl_recvmsg_msg_cb_t func, void *arg);
int __wrap_nl_socket_modify_cb(struct nl_sock *sk, enum nl_cb_type type, enum nl_cb_kind kind,
			       nl_recvmsg_msg_cb_t func, void *arg);
int __wrap_nl_socket_modify_cb(struct nl_sock *sk, enum nl_cb_type type, enum nl_cb_kind kind,
			       nl_recvmsg_msg_cb_t func, void *arg)
{
	if (type == NL_CB_VALID) {
		valid_cb = kind == NL_CB_CUSTOM ? func : NULL;
		valid_arg = arg;
	}
	return __real_nl_socket_modify_cb(sk, type, kind, func, arg);
}

static const char *deliver_names[3]; /* or these links (RTM_NEWLINK), ifindex 5, 6, ... */
static unsigned deliver_many;        /* or this many, "l0", "l1", ... */

static void deliver_link(int ifindex, const char *name)
{
	struct ifinfomsg ifi = {.ifi_family = AF_UNSPEC, .ifi_index = ifindex};
	struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWLINK, NLM_F_MULTI);

	assert_non_null(m);
	assert_int_equal(nlmsg_append(m, &ifi, sizeof(ifi), NLMSG_ALIGNTO), 0);
	assert_int_equal(nla_put_string(m, IFLA_IFNAME, name), 0);
	valid_cb(m, valid_arg);
	nlmsg_free(m);
}

static void deliver_links(void)
{
	char name[IFNAMSIZ];

	for (unsigned i = 0; valid_cb && i < 3 && deliver_names[i]; i++)
		deliver_link(5 + (int)i, deliver_names[i]);
	for (unsigned i = 0; valid_cb && i < deliver_many; i++) {
		snprintf(name, sizeof(name), "l%u", i);
		deliver_link(5 + (int)i, name);
	}
	memset(deliver_names, 0, sizeof(deliver_names));
	deliver_many = 0;
}

static void deliver_stats(void)
{
	deliver_links();
	for (unsigned i = 0; valid_cb && i < ndeliver; i++) {
		struct if_stats_msg ifs = {.ifindex = (uint32_t)deliver[i][0]};
		struct rtnl_link_stats64 st = {.rx_packets = (uint64_t)deliver[i][1], .tx_packets = 1,
					       .rx_bytes = 2, .tx_bytes = 3, .rx_dropped = 4,
					       .tx_dropped = 5};
		struct nl_msg *m = nlmsg_alloc_simple(RTM_NEWSTATS, NLM_F_MULTI);

		assert_non_null(m);
		assert_int_equal(nlmsg_append(m, &ifs, sizeof(ifs), NLMSG_ALIGNTO), 0);
		assert_int_equal(nla_put(m, IFLA_STATS_LINK_64, sizeof(st), &st), 0);
		valid_cb(m, valid_arg);
		nlmsg_free(m);
	}
	ndeliver = 0;
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
	if (r == 0)
		deliver_stats();
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
	alloc_fails = append_fails = false; /* a failed test leaves no fault behind */
	drv_errno = 0;
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
	/* nor fit the request's header into it */
	append_fails = true;
	assert_int_equal(link_list(&nl, &nics, &n), -ENOMEM);
	append_fails = false;
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
	/* a request that cannot be built: -ENOMEM, not an empty dump nor the fallback */
	script(0);
	append_fails = true;
	assert_int_equal(link_stats_dump(&nl, &s), -ENOMEM);
	append_fails = false;
	assert_int_equal(sends, 0);
}

/* The dump's totals land on the NICs with their ifindex, in whatever order they come. */
static void test_stats_dump_totals(void **state)
{
	struct mq_nic nics[3] = {{.ifindex = 2}, {.ifindex = 3}, {.ifindex = 4}};
	struct mq_snapshot s = {.nics = nics, .nnics = 3};
	static const int in_order[4][2] = {{2, 20}, {3, 30}, {4, 40}, {9, 90}};
	static const int other[3][2] = {{4, 41}, {2, 21}, {3, 31}};
	(void)state;

	for (unsigned i = 0; i < 3; i++)
		nics[i].rx_packets = MQ_NA;
	script(0);
	memcpy(deliver, in_order, sizeof(in_order));
	ndeliver = 4; /* ifindex 9 is not one of ours */
	assert_int_equal(link_stats_dump(&nl, &s), 3);
	assert_true(nics[0].rx_packets == 20 && nics[1].rx_packets == 30 && nics[2].rx_packets == 40);
	/* every total, not only the packets */
	assert_true(nics[2].tx_packets == 1 && nics[2].rx_bytes == 2 && nics[2].tx_bytes == 3);
	assert_true(nics[2].rx_dropped == 4 && nics[2].tx_dropped == 5);
	script(0);
	memcpy(deliver, other, sizeof(other));
	ndeliver = 3;
	assert_int_equal(link_stats_dump(&nl, &s), 3);
	assert_true(nics[0].rx_packets == 21 && nics[1].rx_packets == 31 && nics[2].rx_packets == 41);
}

/* One link by name: that one from the dump, not the first; none of that name is -ENODEV. */
static void test_link_get_by_name(void **state)
{
	struct mq_nic nic;
	(void)state;

	script(0);
	deliver_names[0] = "mqtest0";
	deliver_names[1] = "mqtest1";
	assert_int_equal(link_get(&nl, "mqtest1", &nic), 0);
	assert_int_equal(nic.ifindex, 6);
	assert_string_equal(nic.name, "mqtest1");
	nic_free(&nic);
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, "mqtest1", &nic), -ENODEV);
	/* no name, an empty one, one past IFNAMSIZ - 1 bytes: -EINVAL before anything is sent */
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, NULL, &nic), -EINVAL);
	assert_int_equal(link_get(&nl, "", &nic), -EINVAL);
	assert_int_equal(link_get(&nl, "mqtest0-0123456", &nic), -ENODEV); /* 15 bytes: asked */
	assert_int_equal(sends, 1);
	script(0);
	assert_int_equal(link_get(&nl, "mqtest0-01234567", &nic), -EINVAL);
	assert_int_equal(sends, 0);
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	assert_int_equal(tmptree_put(path, strlen(root) + 1, text), 0);
}

/*
 * Every listed link is completed from sysfs (a device? its NUMA node), the
 * first as much as the last; its queues are read only for link_get, a list
 * leaves them to the caller for the links it keeps.
 */
static void test_list_completes(void **state)
{
	char root[64] = "/tmp/mq-linkdump.XXXXXX";
	struct mq_nic *nics = NULL, nic;
	unsigned n = 0;
	(void)state;

	assert_non_null(mkdtemp(root));
	put(root, "sys/class/net/mqtest0/device/numa_node", "1\n");
	put(root, "sys/class/net/mqtest0/queues/rx-0/rps_cpus", "0\n");
	put(root, "sys/class/net/mqtest1/queues/rx-0/rps_cpus", "0\n");
	sysfs_set_root(root);
	script(0);
	deliver_names[0] = "mqtest0";
	deliver_names[1] = "mqtest1";
	assert_int_equal(link_list(&nl, &nics, &n), 0);
	assert_int_equal(n, 2);
	assert_true(nics[0].has_device && nics[0].numa_node == 1);
	assert_false(nics[1].has_device);
	assert_true(nics[0].nqueues == 0 && nics[1].nqueues == 0);
	assert_string_equal(nics[0].errmsg, "");
	free(nics);
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, "mqtest0", &nic), 0);
	assert_true(nic.has_device && nic.nqueues == 1);
	assert_string_equal(nic.errmsg, ""); /* read fine: nothing to say */
	nic_free(&nic);
	/* a NUMA node is 0..65535; -1 (none), 65536 or no number leave it unknown (-1) */
	for (unsigned i = 0; i < 5; i++) {
		static const char *const file[] = {"65535\n", "65536\n", "-1\n", "0\n", "x\n"};
		static const int want[] = {65535, -1, -1, 0, -1};

		put(root, "sys/class/net/mqtest0/device/numa_node", file[i]);
		script(0);
		deliver_names[0] = "mqtest0";
		deliver_names[1] = "mqtest1";
		assert_int_equal(link_list(&nl, &nics, &n), 0);
		assert_int_equal(nics[0].numa_node, want[i]);
		assert_int_equal(nics[1].numa_node, -1); /* no device: never read */
		free(nics);
	}
	sysfs_set_root("");
	tmptree_rm(root);
}

/* A dump keeps 4096 links (LINKS_MAX), the first ones; the rest are skipped, not an error. */
static void test_list_cap(void **state)
{
	char root[64] = "/tmp/mq-linkdump.XXXXXX", last[IFNAMSIZ];
	struct mq_nic *nics = NULL;
	unsigned n = 0;
	(void)state;

	assert_non_null(mkdtemp(root));
	sysfs_set_root(root); /* an empty sysfs: nothing to complete */
	for (unsigned links = 4095; links <= 4097; links++) {
		script(0);
		deliver_many = links;
		assert_int_equal(link_list(&nl, &nics, &n), 0);
		assert_int_equal(n, links < 4096 ? links : 4096);
		snprintf(last, sizeof(last), "l%u", n - 1);
		assert_string_equal(nics[n - 1].name, last);
		free(nics);
	}
	sysfs_set_root("");
	tmptree_rm(root);
}

/* No ioctl socket (none opened, or closed): no driver, -EBADF, nothing written. */
static void test_driver_without_ioctl(void **state)
{
	char buf[16] = "stale";
	struct mq_nic nic;
	(void)state;

	assert_int_equal(link_driver_get(&nl, "mqtest0", buf, sizeof(buf)), -EBADF);
	assert_string_equal(buf, "stale");
	assert_int_equal(link_driver_get(NULL, "mqtest0", buf, sizeof(buf)), -EBADF);
	assert_string_equal(buf, "stale");
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, "mqtest0", &nic), 0);
	assert_string_equal(nic.driver, "");
	assert_string_equal(nic.bus_info, "");
	nic_free(&nic);
}

/*
 * The driver as ETHTOOL_GDRVINFO says, asked on the ioctl socket whatever its
 * number (0 too: a daemon started with stdin closed); the kernel's refusal is
 * its errno, nothing written; a full driver field needs no NUL.
 */
static void test_driver_from_ioctl(void **state)
{
	char buf[40] = "stale";
	struct mq_nic nic;
	(void)state;

	nl.ioctl_fd = 0;
	errno = ENOTTY; /* left over from before: not the ioctl's answer */
	assert_int_equal(link_driver_get(&nl, "mqtest0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, "virtio_net");
	assert_int_equal(drv_fd, 0);
	assert_string_equal(drv_ifname, "mqtest0");
	drv_driver = "abcdefghijklmnopqrstuvwxyz012345"; /* all 32 bytes */
	assert_int_equal(link_driver_get(&nl, "mqtest0", buf, sizeof(buf)), 0);
	assert_string_equal(buf, drv_driver);
	assert_int_equal(link_driver_get(&nl, "mqtest0", buf, 8), 0);
	assert_string_equal(buf, "abcdefg");
	drv_driver = "virtio_net";

	drv_errno = EOPNOTSUPP;
	strcpy(buf, "stale");
	assert_int_equal(link_driver_get(&nl, "mqtest0", buf, sizeof(buf)), -EOPNOTSUPP);
	assert_string_equal(buf, "stale");
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, "mqtest0", &nic), 0);
	assert_string_equal(nic.driver, "");
	nic_free(&nic);
	drv_errno = 0;

	nl.ioctl_fd = 9;
	script(0);
	deliver_names[0] = "mqtest0";
	assert_int_equal(link_get(&nl, "mqtest0", &nic), 0);
	assert_int_equal(drv_fd, 9);
	assert_string_equal(nic.driver, "virtio_net");
	assert_string_equal(nic.bus_info, "0000:00:03.0");
	nic_free(&nic);
	nl.ioctl_fd = -1;
}

/* Queue directories: rx-N and tx-N with N below 4096 count, nothing else does. */
static void test_queue_dirs(void **state)
{
	static const char *const junk[] = {"rx-", "rx-x", "rx--1", "rx-+1", "rx-1a", "rx-4096",
					   "rx-99999999999999999999", "rxq-0", "byte_queue_limits"};
	char root[64] = "/tmp/mq-linkq.XXXXXX", rel[128];
	struct mq_nic nic = {.name = "mqtest0"};
	(void)state;

	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	assert_int_equal(link_queues_read(&nic), -ENOENT); /* no such link in sysfs */
	/* TX queues only, among names of no queue */
	put(root, "sys/class/net/mqtest0/queues/tx-0/xps_cpus", "1\n");
	put(root, "sys/class/net/mqtest0/queues/tx-1/xps_cpus", "2\n");
	for (size_t i = 0; i < sizeof(junk) / sizeof(junk[0]); i++) {
		snprintf(rel, sizeof(rel), "sys/class/net/mqtest0/queues/%s/rps_cpus", junk[i]);
		put(root, rel, "1\n");
	}
	assert_int_equal(link_queues_read(&nic), 0);
	assert_int_equal(nic.real_rx_queues, 0);
	assert_int_equal(nic.real_tx_queues, 2);
	assert_int_equal(nic.nqueues, 2);
	assert_true(!nic.queues[0].has_rx && nic.queues[1].has_tx && nic.queues[1].has_xps);
	assert_false(nic.queues[0].has_rps);
	/* the highest queue there may be */
	put(root, "sys/class/net/mqtest0/queues/rx-4095/rps_cpus", "1\n");
	assert_int_equal(link_queues_read(&nic), 0);
	assert_int_equal(nic.real_rx_queues, 4096);
	assert_int_equal(nic.nqueues, 4096);
	assert_true(nic.queues[4095].has_rps && !nic.queues[4094].has_rps);
	nic_free(&nic);
	sysfs_set_root("");
	tmptree_rm(root);
}

/*
 * One queue's mask file: tx reads xps_cpus, rx rps_cpus, into *ret; a file
 * that is empty, not a mask or missing is its error and *ret keeps what it held.
 * In a queue pass such a file is "no mask", not an empty one.
 */
static void test_queue_mask_file(void **state)
{
	char root[64] = "/tmp/mq-linkmask.XXXXXX";
	struct mq_nic nic = {.name = "mqtest0"};
	CPUSET_DEFINE(got);
	(void)state;

	assert_non_null(mkdtemp(root));
	sysfs_set_root(root);
	put(root, "sys/class/net/mqtest0/queues/tx-0/xps_cpus", "00000000,00000005\n");
	put(root, "sys/class/net/mqtest0/queues/rx-0/rps_cpus", "2\n");
	put(root, "sys/class/net/mqtest0/queues/tx-1/xps_cpus", "");
	put(root, "sys/class/net/mqtest0/queues/rx-1/rps_cpus", "zz\n");
	assert_int_equal(link_queue_mask_read("mqtest0", true, 0, got), 0);
	assert_true(cpuset_count(got) == 2 && cpuset_isset(got, 0) && cpuset_isset(got, 2));
	assert_int_equal(link_queue_mask_read("mqtest0", false, 0, got), 0);
	assert_true(cpuset_count(got) == 1 && cpuset_isset(got, 1));
	/* refused: *ret is still {1} */
	assert_int_equal(link_queue_mask_read("mqtest0", true, 1, got), -EINVAL);
	assert_int_equal(link_queue_mask_read("mqtest0", false, 1, got), -EINVAL);
	assert_int_equal(link_queue_mask_read("mqtest0", true, 2, got), -ENOENT);
	assert_true(cpuset_count(got) == 1 && cpuset_isset(got, 1));
	assert_int_equal(link_queues_read(&nic), 0);
	assert_int_equal(nic.nqueues, 2);
	assert_true(nic.queues[0].has_xps && nic.queues[0].has_rps);
	assert_true(cpuset_count(nic.queues[0].xps) == 2 && cpuset_isset(nic.queues[0].rps, 1));
	assert_false(nic.queues[1].has_xps || nic.queues[1].has_rps);
	assert_true(nic.queues[1].xps == NULL && nic.queues[1].rps == NULL);
	nic_free(&nic);
	sysfs_set_root("");
	tmptree_rm(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_dump_totals, setup, teardown),
		cmocka_unit_test_setup_teardown(test_link_get_by_name, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_completes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_list_cap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stats_dump, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_without_ioctl, setup, teardown),
		cmocka_unit_test_setup_teardown(test_driver_from_ioctl, setup, teardown),
		cmocka_unit_test(test_queue_dirs),
		cmocka_unit_test(test_queue_mask_file),
	};
	return cmocka_run_group_tests_name("link_dump", tests, NULL, NULL);
}
