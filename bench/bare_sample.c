// SPDX-License-Identifier: MIT
/*
 * bare_sample: the least a program can do to read the counters mqbalance
 * reads, as a yardstick. No parsing beyond walking the replies, buffers
 * allocated once, nothing re-resolved per iteration.
 *
 *   bare_sample MODE ITERS
 *   MODE  counters  one netdev qstats-get dump (scope queue, every NIC at once) and, per
 *                   NIC, ETHTOOL_GSSET_INFO + GSTRINGS + GSTATS (what `ethtool -S` asks)
 *         sample    counters + device totals (one RTM_GETLINK dump, IFLA_STATS64) +
 *                   one read of /proc/interrupts: the set snapshot_sample() read before
 *                   the daemon kept its probe
 *         refresh   what the daemon's counter refresh asks the kernel, in the same
 *                   system calls: /proc/softirqs, /proc/stat, /proc/net/softnet_stat
 *                   (kept open, read again with pread from offset 0) and, as the daemon
 *                   does for the NICs at hand, each of these only when its variable is 1:
 *                   MQ_BARE_QSTATS the qstats dump (the daemon skips it when no NIC had
 *                   qstats at the probe: veth), MQ_BARE_IRQS /proc/interrupts (only when
 *                   the NICs have IRQs: not veth), MQ_BARE_ETHTOOL the ethtool -S ioctls
 *                   (only drivers whose per-queue keys it maps: not veth), MQ_BARE_TOTALS
 *                   one RTM_GETSTATS dump of the device totals (the textfile has none)
 *         interval  refresh + /sys/devices/system/cpu/online + the textfile written the
 *                   way the daemon writes it (through its directory kept open: a new
 *                   file, fchmod, write, close, renameat2 RENAME_EXCHANGE, unlinkat;
 *                   MQ_BARE_SYNC=1: renameat and the fsyncs of a one-shot write) with as
 *                   many bytes as the file MQ_BARE_PROM has, next to it: one daemon
 *                   interval, bare
 *
 * PERIOD_MS: sleep that long after each iteration, as the daemon does between
 * intervals (its caches go cold): the CPU per iteration of a daemon, bare.
 * NICs: every interface but lo. Prints the same line as bench_sample.
 */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/ethtool.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/sockios.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "bench/bench.h"

#define NETDEV_CMD_QSTATS_GET 12
#define NETDEV_A_QSTATS_SCOPE 4
#define NETDEV_QSTATS_SCOPE_QUEUE 1

struct nic {
	char name[IF_NAMESIZE];
	uint32_t n;
	struct ethtool_gstrings *strs;
	struct ethtool_stats *vals;
};

static char rxbuf[64 * 1024];
static uint64_t sink; /* keeps the walks from being optimised away */

static int genl_family(struct mnl_socket *s, const char *name, uint16_t *ret)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *a;
	int n;

	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	if (mnl_socket_sendto(s, nlh, nlh->nlmsg_len) < 0)
		return -errno;
	n = (int)mnl_socket_recvfrom(s, rxbuf, sizeof(rxbuf));
	if (n < 0)
		return -errno;
	nlh = (struct nlmsghdr *)rxbuf;
	if (nlh->nlmsg_type == NLMSG_ERROR)
		return -ENOENT;
	mnl_attr_for_each(a, nlh, sizeof(*g))
		if (mnl_attr_get_type(a) == CTRL_ATTR_FAMILY_ID) {
			*ret = mnl_attr_get_u16(a);
			return 0;
		}
	return -ENOENT;
}

/* Send a dump request, read to NLMSG_DONE, count attributes seen. */
static int dump(struct mnl_socket *s, struct nlmsghdr *req, size_t hdrlen)
{
	if (mnl_socket_sendto(s, req, req->nlmsg_len) < 0)
		return -errno;
	for (;;) {
		int n = (int)mnl_socket_recvfrom(s, rxbuf, sizeof(rxbuf));
		struct nlmsghdr *nlh = (struct nlmsghdr *)rxbuf;

		if (n < 0)
			return -errno;
		while (mnl_nlmsg_ok(nlh, n)) {
			struct nlattr *a;

			if (nlh->nlmsg_type == NLMSG_DONE)
				return 0;
			if (nlh->nlmsg_type == NLMSG_ERROR)
				return -EIO;
			mnl_attr_for_each(a, nlh, hdrlen)
				sink += mnl_attr_get_type(a);
			nlh = mnl_nlmsg_next(nlh, &n);
		}
	}
}

static int qstats(struct mnl_socket *s, uint16_t fam, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;

	nlh->nlmsg_type = fam;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = NETDEV_CMD_QSTATS_GET;
	g->version = 1;
	mnl_attr_put_u32(nlh, NETDEV_A_QSTATS_SCOPE, NETDEV_QSTATS_SCOPE_QUEUE);
	return dump(s, nlh, sizeof(*g));
}

static int link_stats(struct mnl_socket *s, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct if_stats_msg *ifs;

	nlh->nlmsg_type = RTM_GETSTATS;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifs = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifs));
	ifs->family = AF_UNSPEC;
	ifs->filter_mask = IFLA_STATS_FILTER_BIT(IFLA_STATS_LINK_64);
	return dump(s, nlh, sizeof(*ifs));
}

static int links(struct mnl_socket *s, uint32_t seq)
{
	char buf[256];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifi;

	nlh->nlmsg_type = RTM_GETLINK;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	ifi = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifi));
	ifi->ifi_family = AF_UNSPEC;
	/* only the stats, not the VF/queue/XDP nests */
	mnl_attr_put_u32(nlh, IFLA_EXT_MASK, 0);
	return dump(s, nlh, sizeof(*ifi));
}

static int eth_ioctl(int fd, const char *name, void *data)
{
	struct ifreq ifr = {0};

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", name);
	ifr.ifr_data = data;
	return ioctl(fd, SIOCETHTOOL, &ifr) < 0 ? -errno : 0;
}

static int ethtool_stats(int fd, struct nic *n)
{
	/* A header plus one data word, as probes/ethstats.c does (no VLA inside a struct). */
	uint64_t raw[(sizeof(struct ethtool_sset_info) + sizeof(uint32_t) + 7) / 8] = {0};
	struct ethtool_sset_info *info = (struct ethtool_sset_info *)raw;
	uint32_t cnt;
	int r;

	info->cmd = ETHTOOL_GSSET_INFO;
	info->sset_mask = 1ULL << ETH_SS_STATS;
	r = eth_ioctl(fd, n->name, info);
	if (r < 0)
		return r;
	cnt = info->sset_mask ? info->data[0] : 0;
	if (cnt > n->n) {
		free(n->strs);
		free(n->vals);
		n->strs = calloc(1, sizeof(*n->strs) + cnt * ETH_GSTRING_LEN);
		n->vals = calloc(1, sizeof(*n->vals) + cnt * sizeof(uint64_t));
		if (!n->strs || !n->vals)
			return -ENOMEM;
		n->n = cnt;
	}
	n->strs->cmd = ETHTOOL_GSTRINGS;
	n->strs->string_set = ETH_SS_STATS;
	n->strs->len = cnt;
	r = eth_ioctl(fd, n->name, n->strs);
	if (r < 0)
		return r;
	n->vals->cmd = ETHTOOL_GSTATS;
	n->vals->n_stats = cnt;
	r = eth_ioctl(fd, n->name, n->vals);
	if (r < 0)
		return r;
	for (uint32_t i = 0; i < cnt; i++)
		sink += n->vals->data[i] + (unsigned char)n->strs->data[i * ETH_GSTRING_LEN];
	return 0;
}

static int whole(const char *path)
{
	static char buf[256 * 1024];
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		sink += (uint64_t)n;
	close(fd);
	return n < 0 ? -errno : 0;
}

static int interrupts(void) { return whole("/proc/interrupts"); }

/* As probes/reread.c: opened once, read again from offset 0 to EOF. */
static int reread(unsigned i, const char *path)
{
	static int fd[8] = {-1, -1, -1, -1, -1, -1, -1, -1};
	static char buf[256 * 1024];
	ssize_t n;
	off_t off = 0;

	if (fd[i] < 0 && (fd[i] = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return -errno;
	while ((n = pread(fd[i], buf, sizeof(buf), off)) > 0)
		off += n;
	sink += (uint64_t)off;
	return n < 0 ? -errno : 0;
}

/*
 * As the daemon writes its textfile (agent/textfile.c, TEXTFILE_NO_SYNC):
 * through the directory kept open, a new file beside it, 0644, written,
 * swapped with the old one (RENAME_EXCHANGE), the old one unlinked.
 * MQ_BARE_SYNC=1: as a one-shot write, fsync'd, renamed over, the directory
 * fsync'd.
 */
static int textfile(int dfd, const char *base, const char *buf, size_t len, bool sync)
{
	char tmp[4096];
	int fd, r = 0;

	snprintf(tmp, sizeof(tmp), ".%s.bare-tmp", base);
	fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0644) < 0 || write(fd, buf, len) != (ssize_t)len ||
	    (sync && fsync(fd) < 0) || close(fd) < 0)
		return -errno;
	if (sync)
		r = renameat(dfd, tmp, dfd, base) < 0 || fsync(dfd) < 0 ? -errno : 0;
	else if (renameat2(dfd, tmp, dfd, base, RENAME_EXCHANGE) == 0)
		r = unlinkat(dfd, tmp, 0) < 0 ? -errno : 0;
	else
		r = renameat(dfd, tmp, dfd, base) < 0 ? -errno : 0; /* the first: nothing to swap with */
	return r;
}

static double ts_us(const struct timespec *t)
{
	return (double)t->tv_sec * 1e6 + (double)t->tv_nsec / 1e3;
}

static double tv_us(const struct timeval *t)
{
	return (double)t->tv_sec * 1e6 + (double)t->tv_usec;
}

int main(int argc, char **argv)
{
	struct mnl_socket *genl, *rt;
	struct if_nameindex *ifs;
	struct timespec w0, w1, c0, c1;
	struct rusage r0, r1;
	struct nic *nics;
	unsigned nn = 0, iters, nq = 0;
	uint16_t netdev = 0;
	bool full, refresh, interval, ethtool = true, irqs = true, totals = false, qs = true, sync = false;
	const char *prom = getenv("MQ_BARE_PROM");
	char *text = NULL, dir[4096] = ".", path[4096] = "", *base = path;
	size_t textlen = 0;
	unsigned period_ms = 0;
	double *per;
	int fd, dfd = -1;

	if (argc == 4)
		period_ms = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc < 3 || argc > 4 || (iters = (unsigned)strtoul(argv[2], NULL, 10)) == 0 ||
	    (strcmp(argv[1], "counters") && strcmp(argv[1], "sample") && strcmp(argv[1], "refresh") &&
	     strcmp(argv[1], "interval"))) {
		fprintf(stderr, "usage: bare_sample counters|sample|refresh|interval ITERS [PERIOD_MS]\n");
		return 2;
	}
	full = strcmp(argv[1], "sample") == 0;
	interval = strcmp(argv[1], "interval") == 0;
	refresh = interval || strcmp(argv[1], "refresh") == 0;
	if (refresh) {
		ethtool = getenv("MQ_BARE_ETHTOOL") && !strcmp(getenv("MQ_BARE_ETHTOOL"), "1");
		irqs = getenv("MQ_BARE_IRQS") && !strcmp(getenv("MQ_BARE_IRQS"), "1");
		totals = getenv("MQ_BARE_TOTALS") && !strcmp(getenv("MQ_BARE_TOTALS"), "1");
		qs = getenv("MQ_BARE_QSTATS") && !strcmp(getenv("MQ_BARE_QSTATS"), "1");
	}
	if (interval) {
		FILE *pf = prom ? fopen(prom, "r") : NULL;
		char *slash;

		if (!pf) {
			fprintf(stderr, "bare_sample interval: MQ_BARE_PROM must name a textfile\n");
			return 2;
		}
		fseek(pf, 0, SEEK_END);
		textlen = (size_t)ftell(pf);
		fclose(pf);
		text = calloc(1, textlen + 1);
		if (!text)
			return 1;
		memset(text, '#', textlen);
		snprintf(path, sizeof(path), "%s.bare", prom);
		snprintf(dir, sizeof(dir), "%s", prom);
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		else
			snprintf(dir, sizeof(dir), ".");
		base = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
		sync = getenv("MQ_BARE_SYNC") && !strcmp(getenv("MQ_BARE_SYNC"), "1");
		/* once, as the daemon keeps it */
		dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (dfd < 0) {
			perror(dir);
			return 1;
		}
	}
	genl = mnl_socket_open2(NETLINK_GENERIC, SOCK_CLOEXEC);
	rt = mnl_socket_open2(NETLINK_ROUTE, SOCK_CLOEXEC);
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (!genl || !rt || fd < 0 || mnl_socket_bind(genl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	    mnl_socket_bind(rt, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("socket");
		return 1;
	}
	(void)genl_family(genl, "netdev", &netdev); /* 0: no netdev family, no qstats */
	ifs = if_nameindex();
	if (!ifs)
		return 1;
	for (struct if_nameindex *i = ifs; i->if_index; i++)
		nn++;
	nics = calloc(nn ? nn : 1, sizeof(*nics));
	nn = 0;
	for (struct if_nameindex *i = ifs; i->if_index; i++)
		if (strcmp(i->if_name, "lo"))
			snprintf(nics[nn++].name, IF_NAMESIZE, "%s", i->if_name);
	if_freenameindex(ifs);

	per = calloc(iters, sizeof(*per));
	if (!per)
		return 1;
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	for (unsigned k = 0; k < iters; k++) {
		double t0 = bench_cpu_us();

		if (interval && reread(0, "/sys/devices/system/cpu/online") < 0)
			return 1;
		if (refresh && totals && link_stats(rt, k + 1) < 0)
			return 1;
		if (qs && netdev && qstats(genl, netdev, k + 1) < 0)
			return 1;
		for (unsigned i = 0; ethtool && i < nn; i++)
			if (ethtool_stats(fd, &nics[i]) < 0)
				return 1;
		if (full && (links(rt, k + 1) < 0 || interrupts() < 0))
			return 1;
		if (refresh && ((irqs && reread(1, "/proc/interrupts") < 0) ||
				reread(2, "/proc/softirqs") < 0 || reread(3, "/proc/stat") < 0 ||
				reread(4, "/proc/net/softnet_stat") < 0))
			return 1;
		if (interval && textfile(dfd, base, text, textlen, sync) < 0) {
			perror("bare_sample: textfile");
			return 1;
		}
		per[k] = bench_cpu_us() - t0;
		bench_pause(period_ms);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	getrusage(RUSAGE_SELF, &r1);
	for (unsigned i = 0; i < nn; i++)
		nq += nics[i].n; /* not queues: ethtool counters, for the log */
	printf("bare-%s %u %u %u %.1f %.1f %.1f %.1f %.1f\n", argv[1], nn, nq, iters,
	       (ts_us(&w1) - ts_us(&w0)) / iters, (ts_us(&c1) - ts_us(&c0)) / iters,
	       (tv_us(&r1.ru_utime) - tv_us(&r0.ru_utime)) / iters,
	       (tv_us(&r1.ru_stime) - tv_us(&r0.ru_stime)) / iters, bench_median(per, iters));
	free(per);
	fprintf(stderr, "sink %llu\n", (unsigned long long)sink);
	if (interval) {
		unlink(path);
		close(dfd);
	}
	free(text);
	return 0;
}
