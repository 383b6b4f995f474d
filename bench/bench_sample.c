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
 *         refresh   the daemon's steady state (agent/steady.h): snapshot_sample() into
 *                   the twin of the kept snapshot, then assess_counters()
 *         interval  refresh + the textfile rendered and written (MQ_BENCH_PROM, default
 *                   a file in /tmp): one daemon interval without the event loop
 *         render    the textfile rendered into memory only
 *         drift     steady_check(): the drift check, reading only what the plan owns
 *
 * Every NIC except lo is included (veth have no device). A veth's ethtool -S
 * counters are XDP-only, so the product does not map them to queues; for a
 * like-for-like count the "counters" mode reads them through the generic
 * name table anyway (the cost a real driver's counters have). The daemon
 * modes keep the real driver names: they measure what the daemon does here.
 *
 * PERIOD_MS: sleep that long after each iteration, as the daemon does between
 * intervals: the cost with cold caches (a hot loop flatters every mode).
 * Prints one line: mode nics queues iters wall_us cpu_us user_us sys_us median_cpu_us
 * (per iteration, microseconds; wall includes the sleeps; the median of the
 * iterations' CPU times last).
 */
#include <errno.h>
#include <stdio.h>
#include <stdio_ext.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "agent/steady.h"
#include "output/prom.h"
#include "bench/bench.h"
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

static int render_null(struct steady *st, struct tune *t)
{
	struct prom_input in = {.a = &st->a, .tune = &t->stats};
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	int r;

	if (!f)
		return -errno;
	__fsetlocking(f, FSETLOCKING_BYCALLER); /* as the daemon renders (agent/steady.c) */
	r = prom_render(f, &in);
	fclose(f);
	free(buf);
	return r;
}

/* The daemon's state between events, built the way the daemon builds it. */
struct dm {
	struct mq_config cfg;
	struct steady st;
	struct tune t;
	const char *path;
};

static int dm_setup(struct dm *d, struct mq_nl *nl, const struct probe_opts *po)
{
	int r;

	d->path = getenv("MQ_BENCH_PROM") ? getenv("MQ_BENCH_PROM") : "/tmp/mq-bench.prom";
	config_init(&d->cfg);
	tune_init(&d->t, nl, &d->cfg, po);
	steady_init(&d->st);
	/* a probe, then one refresh: the twin exists, as after the daemon's first interval */
	r = steady_sample(&d->st, &d->t);
	return r < 0 ? r : steady_sample(&d->st, &d->t);
}

static int dm_step(struct dm *d, const char *mode)
{
	char err[512];
	int r;

	if (strcmp(mode, "drift") == 0) {
		r = steady_check(&d->st, &d->t);
		if (r == 0)
			fprintf(stderr, "drift: the plan has changes to make or something moved: tune first\n");
		return r == 0 ? -EAGAIN : r;
	}
	if (strcmp(mode, "render") == 0)
		return render_null(&d->st, &d->t);
	r = steady_sample(&d->st, &d->t);
	if (r >= 0 && strcmp(mode, "interval") == 0)
		r = steady_write(&d->st, &d->t.stats, d->path, err, sizeof(err));
	return r;
}

static bool is_dm(const char *mode)
{
	return !strcmp(mode, "refresh") || !strcmp(mode, "interval") || !strcmp(mode, "render") ||
	       !strcmp(mode, "drift");
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
	unsigned period_ms = 0;
	double *per;
	struct dm d;
	bool dm_mode;
	int r;

	if (argc == 4)
		period_ms = (unsigned)strtoul(argv[3], NULL, 10);
	if (argc < 3 || argc > 4 || (iters = (unsigned)strtoul(argv[2], NULL, 10)) == 0) {
		fprintf(stderr, "usage: bench_sample take|sample|counters|refresh|interval|render|drift "
			"ITERS [PERIOD_MS]\n");
		return 2;
	}
	dm_mode = is_dm(argv[1]);
	mode = argv[1];
	r = mqnl_open(&nl);
	if (r < 0) {
		fprintf(stderr, "mqnl_open: %s\n", strerror(-r));
		return 1;
	}
	r = dm_mode ? dm_setup(&d, &nl, &po) : snapshot_take(&nl, &po, &s);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", dm_mode ? "steady_sample" : "snapshot_take", strerror(-r));
		return 1;
	}
	for (unsigned i = 0; dm_mode && i < d.st.now.nnics; i++)
		nq += d.st.now.nics[i].nqueues;
	for (unsigned i = 0; i < s.nnics; i++) {
		nq += s.nics[i].nqueues;
		/*
		 * not "veth": its table maps nothing, we want the full parse of a
		 * real driver (a real NIC in a guest keeps its own: MQ_BENCH_REAL_DRIVER)
		 */
		if (!getenv("MQ_BENCH_REAL_DRIVER"))
			snprintf(s.nics[i].driver, sizeof(s.nics[i].driver), "bench-generic");
	}

	per = calloc(iters, sizeof(*per));
	if (!per)
		return 1;
	getrusage(RUSAGE_SELF, &r0);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c0);
	clock_gettime(CLOCK_MONOTONIC, &w0);
	for (unsigned k = 0; k < iters; k++) {
		double t0 = bench_cpu_us();

		if (dm_mode) {
			r = dm_step(&d, mode);
		} else if (strcmp(mode, "take") == 0) {
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
		per[k] = bench_cpu_us() - t0;
		bench_pause(period_ms);
	}
	clock_gettime(CLOCK_MONOTONIC, &w1);
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &c1);
	getrusage(RUSAGE_SELF, &r1);

	if (dm_mode && d.st.full_probes != 1) {
		fprintf(stderr, "%s: %u full probes, want 1\n", mode, d.st.full_probes);
		return 1;
	}
	printf("%s %u %u %u %.1f %.1f %.1f %.1f %.1f\n", mode, dm_mode ? d.st.now.nnics : s.nnics, nq,
	       iters, (ts_us(&w1) - ts_us(&w0)) / iters, (ts_us(&c1) - ts_us(&c0)) / iters,
	       (tv_us(&r1.ru_utime) - tv_us(&r0.ru_utime)) / iters,
	       (tv_us(&r1.ru_stime) - tv_us(&r0.ru_stime)) / iters, bench_median(per, iters));
	free(per);
	snapshot_free(&s);
	if (dm_mode) {
		steady_free(&d.st);
		tune_free(&d.t);
	}
	mqnl_close(&nl);
	return 0;
}
