// SPDX-License-Identifier: MIT
/*
 * bench_sample: what mqbalance pays to collect counters, timed in a loop.
 * Run inside the benchmark's network namespace (bench/run.sh does).
 *
 *   bench_sample MODE ITERS
 *   MODE  take      snapshot_take(): the whole probe (links, channels, IRQs, counters)
 *         sample    snapshot_sample(): what the daemon's sampler re-reads each interval
 *                   (qstats dump, ethtool -S where no qstats, device totals, /proc/interrupts)
 *         counters  per-queue counters only: one qstats dump plus the ethtool -S ioctls
 *                   of every NIC, the same set `ethtool -S` and node_exporter read
 *
 * Every NIC except lo is included (veth have no device). A veth's ethtool -S
 * counters are XDP-only, so the product does not map them to queues; for a
 * like-for-like count the "counters" mode reads them through the generic
 * name table anyway (the cost a real driver's counters have).
 *
 * Prints one line: mode nics queues iters wall_us cpu_us user_us sys_us
 * (per iteration, microseconds).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "probes/probe.h"

static double ts_us(const struct timespec *t)
{
	return (double)t->tv_sec * 1e6 + (double)t->tv_nsec / 1e3;
}

static double tv_us(const struct timeval *t)
{
	return (double)t->tv_sec * 1e6 + (double)t->tv_usec;
}

static int counters(struct mq_nl *nl, struct mq_snapshot *s)
{
	int r = 0;

	for (unsigned i = 0; i < s->nnics; i++)
		nic_counters_reset(&s->nics[i]); /* as snapshot_sample: each read from scratch */
	if (nl->netdev_id)
		(void)netdev_qstats_read(nl, s);
	for (unsigned i = 0; i < s->nnics; i++)
		if (ethstats_read(nl, &s->nics[i]) < 0) /* only what qstats left out */
			r = -EIO;
	return r;
}

int main(int argc, char **argv)
{
	struct probe_opts po = {.all = true};
	struct timespec w0, w1, c0, c1;
	struct rusage r0, r1;
	struct mq_snapshot s = {0};
	struct mq_nl nl;
	unsigned iters, nq = 0;
	const char *mode;
	int r;

	if (argc != 3 || (iters = (unsigned)strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_sample take|sample|counters ITERS\n");
		return 2;
	}
	mode = argv[1];
	r = mqnl_open(&nl);
	if (r < 0) {
		fprintf(stderr, "mqnl_open: %s\n", strerror(-r));
		return 1;
	}
	r = snapshot_take(&nl, &po, &s);
	if (r < 0) {
		fprintf(stderr, "snapshot_take: %s\n", strerror(-r));
		return 1;
	}
	for (unsigned i = 0; i < s.nnics; i++) {
		nq += s.nics[i].nqueues;
		/*
		 * not "veth": its table maps nothing, we want the full parse of a
		 * real driver (a real NIC in a guest keeps its own: MQ_BENCH_REAL_DRIVER)
		 */
		if (!getenv("MQ_BENCH_REAL_DRIVER"))
			snprintf(s.nics[i].driver, sizeof(s.nics[i].driver), "bench-generic");
	}

	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	for (unsigned k = 0; k < iters; k++) {
		if (strcmp(mode, "take") == 0) {
			struct mq_snapshot t = {0};

			r = snapshot_take(&nl, &po, &t);
			snapshot_free(&t);
		} else if (strcmp(mode, "sample") == 0) {
			r = snapshot_sample(&nl, &s);
		} else if (strcmp(mode, "counters") == 0) {
			r = counters(&nl, &s);
		} else {
			fprintf(stderr, "unknown mode %s\n", mode);
			return 2;
		}
		if (r < 0) {
			fprintf(stderr, "%s: %s\n", mode, strerror(-r));
			return 1;
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	getrusage(RUSAGE_SELF, &r1);

	printf("%s %u %u %u %.1f %.1f %.1f %.1f\n", mode, s.nnics, nq, iters,
	       (ts_us(&w1) - ts_us(&w0)) / iters, (ts_us(&c1) - ts_us(&c0)) / iters,
	       (tv_us(&r1.ru_utime) - tv_us(&r0.ru_utime)) / iters,
	       (tv_us(&r1.ru_stime) - tv_us(&r0.ru_stime)) / iters);
	snapshot_free(&s);
	mqnl_close(&nl);
	return 0;
}
