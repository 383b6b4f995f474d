// SPDX-License-Identifier: MIT
/*
 * The fix an RX imbalance finding names (core/findings_work.c): --apply only
 * when the RSS table is the cause (an entry-less queue or an uneven table)
 * and the plan resets it; ethtool -X when rss = off leaves it; the hashing
 * when the table is even or unknown. tests/test_findings_edges.c has the
 * thresholds.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/assess.h"
#include "core/findings.h"
#include "tests/fixture_snapshot.h"

/* ncpus CPUs, eth0 with active of max queues, 1 s of RX traffic: 99% on rx-0. */
static const struct mq_finding *imbalance(unsigned active, unsigned max, const uint32_t *table,
					  bool rss, struct mq_assessment *a, struct mq_snapshot *now,
					  struct mq_snapshot *before)
{
	struct mq_config cfg;
	struct mq_nic *n;

	fx_init(before, 4);
	n = fx_nic(before, "eth0", "virtio_net", active, max);
	fx_virtio_irqs(n, 24, (const int[]){0, 1, 2, 3});
	fx_xps_from_irqs(n);
	if (table) {
		n->rss = (struct mq_rss){.source = RSS_NETLINK, .n = 128, .indir = calloc(128, sizeof(uint32_t))};
		assert_non_null(n->rss.indir);
		memcpy(n->rss.indir, table, 128 * sizeof(uint32_t));
	}
	fx_copy(now, before);
	now->taken.tv_sec += 1;
	now->nics[0].queues[0].rx_packets += 9900;
	now->nics[0].queues[1].rx_packets += 100;
	fx_config(&cfg);
	cfg.defaults.rss = rss;
	fx_assess(a, now, before, &cfg);
	config_free(&cfg);
	for (unsigned i = 0; i < a->nfindings; i++)
		if (a->findings[i].code == FIND_RX_IMBALANCE)
			return &a->findings[i];
	fail_msg("no rx imbalance finding");
	return NULL;
}

static void done(struct mq_assessment *a, struct mq_snapshot *now, struct mq_snapshot *before)
{
	assessment_free(a);
	fx_free(now);
	fx_free(before);
}

static void test_imbalance_fix(void **state)
{
	uint32_t mod4[128], left_out[128];
	struct mq_snapshot now, before;
	struct mq_assessment a;
	const struct mq_finding *f;
	(void)state;

	for (unsigned i = 0; i < 128; i++) {
		mod4[i] = i % 4;
		left_out[i] = i % 3; /* rx-3 has no entry */
	}
	/* a table leaving out rx-3, rss = auto: the plan resets it, --apply is the fix */
	f = imbalance(4, 4, left_out, true, &a, &now, &before);
	assert_non_null(strstr(f->message, "; the RSS table is the cause"));
	assert_int_equal(f->fix_kind, FIX_APPLY);
	assert_non_null(strstr(f->fix, "mqbalance --apply"));
	done(&a, &now, &before);
	/* the same table with rss = off: the admin resets it */
	f = imbalance(4, 4, left_out, false, &a, &now, &before);
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_string_equal(f->fix, "spread the RSS table: `ethtool -X eth0 default`, or rss = auto in the config");
	done(&a, &now, &before);
	/*
	 * 2 active of 4: the default table for 4 names rx-2 and rx-3, so the plan
	 * resets it, yet over the active queues it is even: hashing, not --apply.
	 */
	f = imbalance(2, 4, mod4, true, &a, &now, &before);
	assert_non_null(assess_item(&a, &a.nics[0], PLAN_RSS));
	assert_true(assess_item(&a, &a.nics[0], PLAN_RSS)->change);
	assert_non_null(strstr(f->message, "; the RSS table is even: few flows"));
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_non_null(strstr(f->fix, "few flows use few queues. Check `ethtool -n eth0 rx-flow-hash"));
	done(&a, &now, &before);
	/* no table known: both places to look */
	f = imbalance(4, 4, NULL, true, &a, &now, &before);
	assert_int_equal(f->fix_kind, FIX_ADMIN);
	assert_non_null(strstr(f->fix, "Check `ethtool -x eth0` and `ethtool -n eth0 rx-flow-hash udp4`"));
	done(&a, &now, &before);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imbalance_fix),
	};
	return cmocka_run_group_tests_name("findings_imbalance", tests, NULL, NULL);
}
