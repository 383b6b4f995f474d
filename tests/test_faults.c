// SPDX-License-Identifier: MIT
/*
 * Fault injection, end to end through the real code: read(2), write(2),
 * recvmsg(2), malloc/calloc/realloc and libmnl's socket I/O are wrapped
 * (tests/test_faults.mk) and fail on cue. Every case must end in a defined,
 * reported state: an -errno, a step result with a message, a logged and
 * survived daemon event; never a crash, a leak (ASan build) or a hang.
 *
 * Covered here: EINTR, EAGAIN, EIO and short reads/writes on sysfs; ENOMEM at
 * every allocation of the config parser, /proc/interrupts parser, planner and
 * applier; EINVAL with extack, ENODEV, EINTR, timeouts, truncated replies
 * and NLM_F_DUMP_INTR (-EAGAIN, one retry) on generic netlink; a CPU going
 * offline during an apply; recvmsg ENOBUFS/EINTR/EIO in the daemon.
 * (A NIC vanishing between probe and apply: tests/test_apply.c.)
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/apply.h"
#include "agent/channels.h"
#include "core/config.h"
#include "agent/daemon.h"
#include "probes/monitor.h"
#include "agent/log.h"
#include "probes/probe.h"
#include "probes/sysfs.h"
#include "probes/uapi.h"
#include "tests/snapbuild.h"
#include "tests/tmptree.h"

/* Sets of items being built; plan_push_item() copies them into the plan. */
static struct cpuset_pool item_sets;

/* ---- the fault switchboard --------------------------------------------------- */

#define SHORT_IO (-1) /* a script entry: transfer 1 byte only */
#define PASS 0

static struct {
	int rd[8], wr[8], rm[8];  /* scripted outcomes of the next read/write/recvmsg: errno, SHORT_IO or PASS */
	unsigned nrd, nwr, nrm;
	bool rd_short_all;        /* every read returns at most one byte */
	int rm_fd;                /* recvmsg faults only on this fd */
	unsigned alloc_fail_at;   /* fail the Nth allocation (1-based) after arming; 0 off */
	unsigned allocs;
	bool alloc_failed;
	/* netlink */
	int send_err;
	uint32_t seq;             /* of the last request sent */
	unsigned sends, recvs;
	ssize_t (*reply)(unsigned call, char *buf, size_t len); /* -1 with errno to fail */
} F;

static int take(int *q, unsigned *n)
{
	int v;

	if (!*n)
		return PASS;
	v = q[0];
	memmove(q, q + 1, (--*n) * sizeof(*q));
	return v;
}

static void script(int *q, unsigned *n, int count, ...)
{
	va_list ap;

	va_start(ap, count);
	for (int i = 0; i < count; i++)
		q[(*n)++] = va_arg(ap, int);
	va_end(ap);
}

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	int a = take(F.rd, &F.nrd);

	if (a > 0) {
		errno = a;
		return -1;
	}
	if ((a == SHORT_IO || F.rd_short_all) && len > 1)
		len = 1;
	return __real_read(fd, buf, len);
}

ssize_t __real_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len);
ssize_t __wrap_write(int fd, const void *buf, size_t len)
{
	int a = take(F.wr, &F.nwr);
	struct stat st;

	if (a > 0) {
		errno = a;
		return -1;
	}
	if (a == SHORT_IO && len > 1)
		len -= 1;
	/* Like sysfs and procfs, a write replaces the value (fixture files are regular files). */
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && lseek(fd, 0, SEEK_CUR) == 0 &&
	    ftruncate(fd, 0) < 0)
		return -1; /* errno from ftruncate */
	return __real_write(fd, buf, len);
}

ssize_t __real_recvmsg(int fd, struct msghdr *m, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *m, int flags);
ssize_t __wrap_recvmsg(int fd, struct msghdr *m, int flags)
{
	if (fd == F.rm_fd) {
		int a = take(F.rm, &F.nrm);

		if (a > 0) {
			errno = a;
			return -1;
		}
	}
	return __real_recvmsg(fd, m, flags);
}

static bool alloc_fails(void)
{
	if (!F.alloc_fail_at)
		return false;
	if (++F.allocs != F.alloc_fail_at)
		return false;
	F.alloc_failed = true;
	return true;
}

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
void *__wrap_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n)
{
	return alloc_fails() ? NULL : __real_malloc(n);
}
void *__wrap_calloc(size_t a, size_t b)
{
	return alloc_fails() ? NULL : __real_calloc(a, b);
}
void *__wrap_realloc(void *p, size_t n)
{
	return alloc_fails() ? NULL : __real_realloc(p, n);
}

static void alloc_arm(unsigned nth)
{
	F.alloc_fail_at = nth;
	F.allocs = 0;
	F.alloc_failed = false;
}

/* ---- a fake generic netlink socket ------------------------------------------ */

ssize_t __real_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len);
ssize_t __wrap_mnl_socket_sendto(const struct mnl_socket *nl, const void *buf, size_t len)
{
	(void)nl;
	F.sends++;
	F.recvs = 0;
	F.seq = ((const struct nlmsghdr *)buf)->nlmsg_seq;
	if (F.send_err) {
		errno = F.send_err;
		return -1;
	}
	return (ssize_t)len;
}

ssize_t __real_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len);
ssize_t __wrap_mnl_socket_recvfrom(const struct mnl_socket *nl, void *buf, size_t len)
{
	(void)nl;
	if (!F.reply) {
		errno = EAGAIN;
		return -1;
	}
	memset(buf, 0, len);
	return F.reply(F.recvs++, buf, len);
}

static int dummy_sock;

static void fake_nl(struct mq_nl *nl)
{
	memset(nl, 0, sizeof(*nl));
	nl->genl = (struct mnl_socket *)&dummy_sock;
	nl->ethtool_id = 20;
	nl->netdev_id = 21;
	nl->ioctl_fd = -1;
}

/* NLMSG_ERROR for the last request: err (0: the ACK), with the kernel's message. */
static size_t put_err(char *buf, int err, const char *extack)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct nlmsgerr *e;

	nlh->nlmsg_type = NLMSG_ERROR;
	nlh->nlmsg_seq = F.seq;
	nlh->nlmsg_flags = NLM_F_CAPPED | (extack ? NLM_F_ACK_TLVS : 0);
	e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
	e->error = err;
	e->msg.nlmsg_len = sizeof(struct nlmsghdr);
	e->msg.nlmsg_seq = F.seq;
	if (extack)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, extack);
	return nlh->nlmsg_len;
}

static size_t put_done(char *buf, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	int zero = 0;

	nlh->nlmsg_type = NLMSG_DONE;
	nlh->nlmsg_flags = NLM_F_MULTI | flags;
	nlh->nlmsg_seq = F.seq;
	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(int)), &zero, sizeof(int));
	return nlh->nlmsg_len;
}

/* One qstats reply: ifindex 3, RX queue q, rx_packets v. */
static size_t put_qstat(char *buf, unsigned q, uint64_t v, uint16_t flags)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = 21;
	nlh->nlmsg_flags = NLM_F_MULTI | flags;
	nlh->nlmsg_seq = F.seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = MQ_NETDEV_CMD_QSTATS_GET;
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_IFINDEX, 3);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_TYPE, MQ_NETDEV_QUEUE_TYPE_RX);
	mnl_attr_put_u32(nlh, MQ_NETDEV_A_QSTATS_QUEUE_ID, q);
	mnl_attr_put_u64(nlh, MQ_NETDEV_A_QSTATS_RX_PACKETS, v);
	return nlh->nlmsg_len;
}

/* ---- fixture root ------------------------------------------------------------- */

static char root[64];

static void put(const char *val, const char *rel)
{
	char p[PATH_MAX];
	FILE *f;

	snprintf(p, sizeof(p), "%s%s", root, rel);
	for (char *c = p + strlen(root) + 1; *c; c++)
		if (*c == '/') {
			*c = '\0';
			mkdir(p, 0755);
			*c = '/';
		}
	f = fopen(p, "w");
	assert_non_null(f);
	fputs(val, f);
	fclose(f);
}

static void get(char *buf, size_t len, const char *rel)
{
	assert_true(sysfs_read(buf, len, "%s", rel) >= 0);
}

static int setup(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.rm_fd = -1;
	snprintf(root, sizeof(root), "/tmp/mqfaults.XXXXXX");
	if (!mkdtemp(root))
		return -1;
	sysfs_set_root(root);
	put("0-3\n", "/sys/devices/system/cpu/online");
	put("1234\n", "/sys/class/net/eth0/device/numa_node");
	put("00000000\n", "/sys/class/net/eth0/queues/tx-0/xps_cpus");
	for (int irq = 30; irq < 34; irq++) {
		char rel[64];

		snprintf(rel, sizeof(rel), "/proc/irq/%d/smp_affinity_list", irq);
		put("0-3\n", rel);
		snprintf(rel, sizeof(rel), "/proc/irq/%d/effective_affinity_list", irq);
		put("0\n", rel);
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	memset(&F, 0, sizeof(F));
	F.rm_fd = -1;
	sysfs_set_root("");
	tmptree_rm(root);
	cpuset_pool_free(&item_sets);
	return 0;
}

/* ---- sysfs: EINTR, EAGAIN, EIO, short reads and writes ------------------------ */

static void test_sysfs_io_faults(void **state)
{
	char buf[64];
	long v;
	(void)state;

	/* EINTR is retried; the value still lands whole. */
	script(F.wr, &F.nwr, 2, EINTR, EINTR);
	assert_int_equal(sysfs_write("2", "/proc/irq/30/smp_affinity_list"), 0);
	get(buf, sizeof(buf), "/proc/irq/30/smp_affinity_list");
	assert_string_equal(buf, "2");
	/* EAGAIN, EIO and a short write are errors, never a partial value reported as done. */
	script(F.wr, &F.nwr, 1, EAGAIN);
	assert_int_equal(sysfs_write("1", "/proc/irq/30/smp_affinity_list"), -EAGAIN);
	script(F.wr, &F.nwr, 1, EIO);
	assert_int_equal(sysfs_write("1", "/proc/irq/30/smp_affinity_list"), -EIO);
	script(F.wr, &F.nwr, 1, SHORT_IO);
	assert_int_equal(sysfs_write("0-3", "/proc/irq/30/smp_affinity_list"), -EIO);

	/* Reads: EINTR retried, a short read continued to EOF, EIO reported. */
	script(F.rd, &F.nrd, 2, EINTR, SHORT_IO);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/online"), 3);
	assert_string_equal(buf, "0-3");
	script(F.rd, &F.nrd, 1, EIO);
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/online"), -EIO);
	F.rd_short_all = true;
	assert_int_equal(sysfs_read(buf, sizeof(buf), "/sys/devices/system/cpu/online"), 3);
	assert_string_equal(buf, "0-3");
	/* Was: one read(2), so "1234" came back as 1 after a one-byte read. */
	assert_int_equal(sysfs_read_long(&v, "/sys/class/net/eth0/device/numa_node"), 0);
	assert_int_equal(v, 1234);
	F.rd_short_all = false;
	script(F.rd, &F.nrd, 2, EINTR, EIO);
	assert_int_equal(sysfs_read_long(&v, "/sys/class/net/eth0/device/numa_node"), -EIO);
}

/* ---- the applier -------------------------------------------------------------- */

static struct plan_item irq_item(int irq, const char *targets)
{
	struct plan_item it = {.kind = PLAN_IRQ_AFFINITY, .ifindex = 3, .queue = irq - 30, .irq = irq,
			       .change = true, .has_current = true};

	snprintf(it.ifname, sizeof(it.ifname), "eth0");
	it.target = fx_set(&item_sets, targets);
	it.current = fx_set(&item_sets, "0-3");
	return it;
}

static void plan_init(struct mq_plan *p)
{
	memset(p, 0, sizeof(*p));
	p->online = p->usable = fx_set(&p->sets, "0-3");
	p->nr_cpu_ids = 4;
}

static const struct apply_env no_channels_env = {0};

static void test_apply_write_faults(void **state)
{
	struct irq_memory mem = {0};
	struct apply_env env = {.managed = &mem};
	struct plan_item xps = {.kind = PLAN_XPS, .ifindex = 3, .queue = 0, .irq = -1, .change = true};
	struct mq_plan p;
	char buf[64];
	(void)state;

	plan_init(&p);
	for (int irq = 30; irq < 33; irq++) {
		struct plan_item it = irq_item(irq, irq == 30 ? "1" : "2");
		assert_int_equal(plan_push_item(&p, &it), 0);
	}
	snprintf(xps.ifname, sizeof(xps.ifname), "eth0");
	xps.target = fx_cpu(&item_sets, 1);
	assert_int_equal(plan_push_item(&p, &xps), 0);
	/* IRQ 30: EINTR then done; 31: EAGAIN; 32: EIO (kernel-managed); tx-0 xps: ENODEV. */
	script(F.wr, &F.nwr, 5, EINTR, PASS, EAGAIN, EIO, ENODEV);
	assert_int_equal(apply_run(&p, &env), 0);
	assert_int_equal(p.items[0].status, STEP_OK);
	get(buf, sizeof(buf), "/proc/irq/30/smp_affinity_list");
	assert_string_equal(buf, "1");
	assert_int_equal(p.items[1].status, STEP_FAILED);
	assert_int_equal(p.items[1].err, -EAGAIN);
	assert_non_null(strstr(p.items[1].msg, "temporarily unavailable"));
	assert_int_equal(p.items[2].status, STEP_FAILED);
	assert_non_null(strstr(p.items[2].msg, "kernel-managed IRQ 32"));
	assert_int_equal(mem.n, 1);
	/* The interface is still there: ENODEV on one file fails that step only. */
	assert_int_equal(p.items[3].status, STEP_FAILED);
	assert_int_equal(p.items[3].err, -ENODEV);
	assert_int_equal(plan_tally(&p).ok, 1);
	assert_int_equal(plan_tally(&p).failed, 3);
	assert_true(irq_memory_has(&mem, 32));

	/* The next pass holds the managed IRQ (the plan says so) and skips it without writing. */
	for (unsigned i = 0; i < p.n; i++)
		p.items[i].status = STEP_PLANNED;
	p.items[2].hold = HOLD_MANAGED;
	p.items[2].change = false;
	assert_int_equal(apply_run(&p, &env), 0);
	assert_int_equal(p.items[2].status, STEP_SKIPPED);
	assert_int_equal(p.items[2].err, -EIO);
	plan_free(&p);
	irq_memory_free(&mem);
}

/*
 * The plan said CPUs 0-3 were online; cpu3 goes offline before the writes.
 * The kernel answers EINVAL for a mask without an online CPU.
 */
static void test_apply_cpu_offline(void **state)
{
	struct mq_plan p;
	char buf[64];
	(void)state;

	put("0-2\n", "/sys/devices/system/cpu/online");
	/* IRQ 30 -> "3": EINVAL, and cpu3 is gone: skipped, said why, nothing written. */
	plan_init(&p);
	struct plan_item a = irq_item(30, "3"), b = irq_item(31, "2-3"), c = irq_item(32, "1");
	assert_int_equal(plan_push_item(&p, &a), 0);
	assert_int_equal(plan_push_item(&p, &c), 0);
	/* IRQ 32 -> "1": EINVAL though cpu1 is online: a plain failure, the kernel's errno. */
	script(F.wr, &F.nwr, 2, EINVAL, EINVAL);
	assert_int_equal(apply_run(&p, &no_channels_env), 0);
	assert_int_equal(p.items[0].status, STEP_SKIPPED);
	assert_int_equal(p.items[0].err, -EINVAL);
	assert_non_null(strstr(p.items[0].msg, "went offline"));
	get(buf, sizeof(buf), "/proc/irq/30/smp_affinity_list");
	assert_string_equal(buf, "0-3"); /* untouched */
	assert_int_equal(p.items[1].status, STEP_FAILED);
	assert_int_equal(p.items[1].err, -EINVAL);
	assert_false(cpuset_isset(p.online, 3)); /* the plan learnt it */
	assert_int_equal(plan_tally(&p).failed, 1);
	assert_int_equal(plan_tally(&p).skipped, 1);
	plan_free(&p);

	/* IRQ 31 -> "2-3": EINVAL, then the CPUs still online are written. */
	plan_init(&p);
	assert_int_equal(plan_push_item(&p, &b), 0);
	script(F.wr, &F.nwr, 2, EINVAL, PASS);
	assert_int_equal(apply_run(&p, &no_channels_env), 0);
	assert_int_equal(p.items[0].status, STEP_OK);
	get(buf, sizeof(buf), "/proc/irq/31/smp_affinity_list");
	assert_string_equal(buf, "2");
	assert_non_null(strstr(p.items[0].msg, "offline"));
	assert_int_equal(plan_tally(&p).ok, 1);
	assert_int_equal(plan_tally(&p).failed, 0);
	plan_free(&p);
}

/* ---- ENOMEM at every allocation ------------------------------------------------ */

static struct mq_snapshot snap;
static struct mq_config cfg;

static int gone_channels_set(void *ctx, const struct plan_item *it, char *msg, size_t msglen)
{
	(void)ctx;
	(void)msglen;
	msg[0] = '\0';
	return strcmp(it->ifname, "eth0") == 0 ? -ENODEV : 0;
}

static int replan(void *ctx, struct mq_plan *p)
{
	struct mq_plan np = {0}; /* plan_of() leaves it alone on failure: free an empty one */
	int r;

	(void)ctx;
	r = plan_of(&snap, &cfg, &np);
	if (r == 0)
		r = plan_keep_channel_results(&np, p);
	if (r < 0) {
		plan_free(&np);
		return r;
	}
	plan_free(p);
	*p = np;
	return 0;
}

static void test_enomem_everywhere(void **state)
{
	static const char conf[] = "queues = 2\nbanned_cpus = 0\nexclude = docker*\n[eth1]\nxps = off\n";
	const struct apply_env env = {.channels_set = gone_channels_set, .reprobe = replan};
	unsigned n, failed = 0;
	char irqs[4096];
	(void)state;

	snap_init(&snap, 4, 1, 1);
	add_nic(&snap, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&snap, "eth1", &(struct nic_spec){ST_PAIR, 4, 1, -1});
	snprintf(irqs, sizeof(irqs), "           CPU0       CPU1       CPU2       CPU3\n"
		 " 24:          1          2          3          4   PCI-MSI 1-edge      virtio0-config\n"
		 " 25:          1          2          3          4   PCI-MSI 2-edge      virtio0-input.0\n"
		 "NMI:          0          0          0          0   Non-maskable interrupts\n");
	for (n = 1; n < 500; n++) {
		struct mq_config c;
		struct irq_table t;
		struct mq_plan p;
		FILE *f = fmemopen(irqs, strlen(irqs), "r");
		int r1, r2, r3 = -ENOMEM, r4 = -ENOMEM;
		bool any;

		assert_non_null(f);
		alloc_arm(n);
		r1 = config_parse(conf, "/etc/mqbalance.conf", &c, NULL, 0);
		r2 = interrupts_parse(f, 0, &t);
		if (r1 == 0) {
			config_free(&cfg);
			cfg = c;
			r3 = plan_of(&snap, &cfg, &p);
			if (r3 == 0) {
				r4 = apply_run(&p, &env);
				plan_free(&p);
			}
		}
		any = F.alloc_failed;
		alloc_arm(0);
		fclose(f);
		if (r2 == 0)
			interrupts_free(&t);
		assert_true(r1 == 0 || r1 == -ENOMEM);
		assert_true(r2 == 0 || r2 == -ENOMEM);
		assert_true(r3 == 0 || r3 == -ENOMEM);
		assert_true(r4 == 0 || r4 == -ENOMEM);
		if (!any)
			break; /* every allocation of the whole path has failed once */
		failed++;
	}
	assert_true(failed > 5);
	assert_true(n < 500);
	config_free(&cfg);
	snap_free(&snap);
}

/* ---- generic netlink: extack, ENODEV, EINTR, timeouts, short replies ---------- */

static const char *err_extack;
static int err_code;

static ssize_t reply_err(unsigned call, char *buf, size_t len)
{
	(void)call;
	(void)len;
	return (ssize_t)put_err(buf, err_code, err_extack);
}

static ssize_t reply_eintr_then_ack(unsigned call, char *buf, size_t len)
{
	(void)len;
	if (call == 0) {
		errno = EINTR;
		return -1;
	}
	return (ssize_t)put_err(buf, 0, NULL);
}

static ssize_t reply_truncated(unsigned call, char *buf, size_t len)
{
	(void)len;
	return call == 0 ? (ssize_t)put_err(buf, 0, NULL) / 2 : 0;
}

static ssize_t reply_empty(unsigned call, char *buf, size_t len)
{
	(void)call;
	(void)buf;
	(void)len;
	return 0;
}

static void test_netlink_channels_faults(void **state)
{
	struct mq_nic nic = {.ifindex = 3, .name = "eth0"};
	struct mq_channels want = {.combined = 4};
	struct mq_nl nl;
	char msg[256];
	(void)state;

	fake_nl(&nl);
	nic.ch = (struct mq_channels){.combined_max = 4, .combined = 1, .source = CHANNELS_NETLINK};

	/* EINVAL with the kernel's words: carried to the caller. */
	err_code = -EINVAL;
	err_extack = "requested channel count exceeds maximum";
	F.reply = reply_err;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EINVAL);
	assert_string_equal(msg, "requested channel count exceeds maximum");
	/* The NIC went away between the probe and the set. */
	err_code = -ENODEV;
	err_extack = NULL;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -ENODEV);
	assert_string_equal(msg, "");
	/* A signal during the wait: the reply is read after it (was: -EINTR). */
	F.reply = reply_eintr_then_ack;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
	assert_int_equal(F.recvs, 2);
	/* No answer within SO_RCVTIMEO. */
	F.reply = NULL;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -ETIMEDOUT);
	/* Truncated or empty datagrams are no answer (was: waiting on until the timeout). */
	F.reply = reply_truncated;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EBADMSG);
	F.reply = reply_empty;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -EBADMSG);
	/* The send itself fails; the receive buffer cannot be allocated. */
	F.send_err = ENOBUFS;
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -ENOBUFS);
	F.send_err = 0;
	F.reply = reply_err;
	err_code = 0;
	alloc_arm(1);
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), -ENOMEM);
	alloc_arm(0);
	assert_int_equal(channels_set(&nl, &nic, &want, msg, sizeof(msg)), 0);
}

/* ---- NLM_F_DUMP_INTR: -EAGAIN, one retry -------------------------------------- */

static unsigned intr_dumps; /* this many dumps come back interrupted */

static ssize_t reply_qstats(unsigned call, char *buf, size_t len)
{
	bool intr = F.sends <= intr_dumps;
	size_t n = 0;

	(void)len;
	if (call > 0) {
		errno = EAGAIN;
		return -1;
	}
	n += put_qstat(buf + n, 0, 100 * F.sends, intr ? NLM_F_DUMP_INTR : 0);
	n += put_qstat(buf + n, 1, 100 * F.sends + 1, intr ? NLM_F_DUMP_INTR : 0);
	n += put_done(buf + n, intr ? NLM_F_DUMP_INTR : 0);
	return (ssize_t)n;
}

static void test_netlink_dump_interrupted(void **state)
{
	struct mq_nl nl;
	(void)state;

	fake_nl(&nl);
	snap_init(&snap, 2, 1, 1);
	add_nic(&snap, "eth0", &(struct nic_spec){ST_PAIR, 2, 2, -1});
	snap.nics[0].ifindex = 3;
	F.reply = reply_qstats;

	/* Interrupted once: retried, and the second dump's numbers are the ones kept. */
	intr_dumps = 1;
	assert_int_equal(netdev_qstats_read(&nl, &snap), 1);
	assert_int_equal(F.sends, 2);
	assert_true(snap.have_qstats);
	assert_int_equal(snap.nics[0].queues[0].rx_packets, 200);
	assert_int_equal(snap.nics[0].queues[1].rx_packets, 201);

	/* Interrupted twice: -EAGAIN, no third try, nothing claimed. */
	F.sends = 0;
	intr_dumps = 2;
	assert_int_equal(netdev_qstats_read(&nl, &snap), -EAGAIN);
	assert_int_equal(F.sends, 2);
	assert_false(snap.have_qstats);
	snap_free(&snap);
}

/* ---- the daemon: recvmsg ENOBUFS, EINTR, EIO ----------------------------------- */

static struct {
	unsigned calls;
	char causes[4][512];
	bool lost, cpu1;
} d;

static int d_tune(void *ctx, const struct mq_config *c, const char *cause, struct tune_result *ret)
{
	(void)ctx;
	(void)c;
	memset(ret, 0, sizeof(*ret));
	if (d.calls < 4)
		snprintf(d.causes[d.calls], sizeof(d.causes[0]), "%s", cause);
	d.lost |= strstr(cause, "lost") != NULL;
	d.cpu1 |= strstr(cause, "cpu1") != NULL;
	if (++d.calls >= 3 || (d.lost && d.cpu1))
		raise(SIGTERM);
	/* A tune that cannot run (no memory, netlink gone) is logged, not fatal. */
	return d.calls == 2 ? -ENOMEM : 0;
}

static int d_load(void *ctx, const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	(void)ctx;
	(void)path;
	(void)err;
	(void)errlen;
	memset(ret, 0, sizeof(*ret));
	ret->interval = 3600;
	return 0;
}

static void d_free(void *ctx, struct mq_config *c)
{
	(void)ctx;
	(void)c;
}

static void send_uevent(int fd, const char *action, unsigned cpu)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf), "%s@/devices/system/cpu/cpu%u", action, cpu) + 1;

	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "ACTION=%s", action) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "DEVPATH=/devices/system/cpu/cpu%u", cpu) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "SUBSYSTEM=cpu") + 1;
	assert_int_equal(send(fd, buf, (size_t)n, 0), n);
}

static void test_daemon_recv_faults(void **state)
{
	struct daemon_opts o = {0};
	struct mq_monitor mon;
	struct mq_config dcfg;
	int sp[3][2];
	(void)state;

	memset(&d, 0, sizeof(d));
	monitor_init(&mon, NULL);
	mon.ethtool_family = 20;
	for (int i = 0; i < 3; i++) {
		assert_int_equal(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp[i]), 0);
		monitor_adopt(&mon, (enum mon_src)i, sp[i][1]);
	}
	d_load(NULL, "/x.conf", &dcfg, NULL, 0);
	o.cfg = &dcfg;
	o.mon = &mon;
	o.hooks = (struct daemon_hooks){.tune = d_tune, .load_config = d_load, .free_config = d_free};
	o.ev.debounce_ms = 10;
	o.ev.debounce_max_ms = 50;
	o.drift_ms = 3600000;
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	sysfs_set_root("/nonexistent-mqbalance-root");
	/*
	 * rtnetlink: ENOBUFS (events were lost: a full re-tune), then EIO (the
	 * source is closed, the daemon goes on). uevent: EINTR, then a real
	 * hotplug event that must still arrive.
	 */
	send_uevent(sp[0][0], "offline", 9); /* makes the rtnl socket readable */
	F.rm_fd = sp[0][1];
	script(F.rm, &F.nrm, 2, ENOBUFS, EIO);
	send_uevent(sp[2][0], "offline", 1);
	assert_int_equal(daemon_run(&o), 0); /* a hang: tests/harness.c names it */
	/* Both in one burst, or one after the other: either way both are named. */
	assert_true(d.calls == 2 || d.calls == 3);
	assert_string_equal(d.causes[0], "startup");
	assert_true(d.lost);
	assert_true(d.cpu1);
	assert_int_equal(F.nrm, 0);
	monitor_close_all(&mon);
	for (int i = 0; i < 3; i++)
		close(sp[i][0]);
	sysfs_set_root(root);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sysfs_io_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_write_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_apply_cpu_offline, setup, teardown),
		cmocka_unit_test_setup_teardown(test_enomem_everywhere, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netlink_channels_faults, setup, teardown),
		cmocka_unit_test_setup_teardown(test_netlink_dump_interrupted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_daemon_recv_faults, setup, teardown),
	};
	log_setup(LOG_LVL_WARN, false);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
