/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The three per-CPU load parsers (probes/cpustat.c) share one harness body:
 * the bytes as a file, 8 tracked CPUs (the file may name more), and for
 * softnet_stat an online mask with a gap. Properties: only -EINVAL, -EFBIG or -E2BIG
 * on bad input, the output untouched on failure, and on success only the
 * parser's own fields written.
 */
#include <errno.h>
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "probes/probe.h"

enum fuzz_cpustat { FUZZ_SOFTIRQS, FUZZ_STAT, FUZZ_SOFTNET };

static inline void fuzz_cpustat(const uint8_t *data, size_t size, enum fuzz_cpustat which)
{
	struct mq_cpu_counters cnt[8], orig[8];
	CPUSET_DEFINE(online);
	FILE *f;
	int r;

	if (!size)
		return; /* fmemopen(len 0) is EINVAL */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return;
	for (unsigned i = 0; i < 8; i++)
		cpu_counters_clear(&cnt[i]);
	cnt[3].net_rx = cnt[3].ticks_total = cnt[3].softnet_processed = 42; /* another parser's */
	memcpy(orig, cnt, sizeof(cnt));
	cpuset_zero(online);
	cpuset_set(online, 0);
	cpuset_set(online, 1);
	cpuset_set(online, 3);
	r = which == FUZZ_SOFTIRQS ? cpustat_parse_softirqs(f, cnt, 8)
	    : which == FUZZ_STAT   ? cpustat_parse_stat(f, cnt, 8)
				   : cpustat_parse_softnet(f, online, cnt, 8);
	fclose(f);
	FUZZ_CHECK(r == 0 || r == -EINVAL || r == -EFBIG || r == -E2BIG);
	if (r < 0) {
		FUZZ_CHECK(memcmp(cnt, orig, sizeof(cnt)) == 0);
		return;
	}
	for (unsigned i = 0; i < 8; i++) {
		const struct mq_cpu_counters *c = &cnt[i], *o = &orig[i];

		if (which != FUZZ_SOFTIRQS)
			FUZZ_CHECK(c->net_rx == o->net_rx && c->net_tx == o->net_tx);
		if (which != FUZZ_STAT)
			FUZZ_CHECK(c->ticks_total == o->ticks_total && c->ticks_irq == o->ticks_irq &&
				   c->ticks_softirq == o->ticks_softirq && c->ticks_steal == o->ticks_steal);
		if (which != FUZZ_SOFTNET)
			FUZZ_CHECK(c->softnet_processed == o->softnet_processed &&
				   c->softnet_dropped == o->softnet_dropped &&
				   c->softnet_squeezed == o->softnet_squeezed);
		/* A CPU's tick parts come from its own line: never more than its total. */
		if (which == FUZZ_STAT && c->ticks_total != MQ_NA && c->ticks_softirq != MQ_NA)
			FUZZ_CHECK(c->ticks_softirq <= c->ticks_total);
	}
}
