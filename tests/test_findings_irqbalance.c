// SPDX-License-Identifier: MIT
/*
 * The irqbalance_running finding (core/findings.c check_machine()): a warning
 * only while irqbalance may move the queue IRQs mqbalance places, and its fix
 * keeps irqbalance for every other IRQ.
 */
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

/* 4 CPUs, eth0 virtio_net 4 of 4 queues, tuned: config IRQ 24, queue IRQs 25-32; irqbalance pid 812. */
static void machine(struct mq_snapshot *s, struct mq_config *cfg)
{
	struct mq_nic *n;

	fx_init(s, 4);
	n = fx_nic(s, "eth0", "virtio_net", 4, 4);
	fx_virtio_irqs(n, 24, (int[]){0, 1, 2, 3});
	fx_xps_from_irqs(n);
	s->platform.irqbalance_pid = 812;
	fx_config(cfg);
}

/* The irqbalance finding of s, or NULL; every other finding is absent (a healthy NIC). */
static const struct mq_finding *finding(struct mq_assessment *a, const struct mq_snapshot *s,
					const struct mq_config *cfg)
{
	const struct mq_finding *f = NULL;

	fx_assess(a, s, NULL, cfg);
	for (unsigned i = 0; i < a->nfindings; i++) {
		assert_int_equal(a->findings[i].code, FIND_IRQBALANCE_RUNNING);
		assert_null(f);
		f = &a->findings[i];
		assert_int_equal(f->severity, SEV_WARNING);
		assert_int_equal(f->fix_kind, FIX_ADMIN);
		assert_string_equal(f->ifname, "");
		/* irqbalance keeps its other IRQs: never "turn it off" or "ban every CPU" */
		assert_null(strstr(f->fix, "disable"));
		assert_null(strstr(f->fix, "BANNED"));
		assert_true(strstr(f->fix, "systemctl") != NULL);
	}
	return f;
}

static void policy(struct mq_snapshot *s, const char *path, bool ours)
{
	snprintf(s->platform.irqbalance_policy, sizeof(s->platform.irqbalance_policy), "%s", path);
	s->platform.irqbalance_policy_ours = ours;
}

static void test_policy(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_assessment a;
	const struct mq_finding *f;
	(void)state;

	machine(&s, &cfg);
	/* without any policy: what to install, and how to restart it */
	f = finding(&a, &s, &cfg);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "irqbalance (pid 812) runs without mqbalance's policy script: "
					   "every 10 s it may move the 8 queue IRQs mqbalance places"));
	assert_non_null(strstr(f->fix, "install irqbalance.service.d/mqbalance.conf (`make install`), then "
				       "`systemctl daemon-reload && systemctl restart irqbalance`"));
	assessment_free(&a);
	/* with ours (the drop-in): it leaves the queue IRQs alone, nothing to say */
	policy(&s, "/usr/lib/mqbalance/irqbalance-policy", true);
	assert_null(finding(&a, &s, &cfg));
	assessment_free(&a);
	/* the admin's own script came last on the command line */
	policy(&s, "/etc/irqbalance/policy.sh", false);
	f = finding(&a, &s, &cfg);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "runs with the policy script /etc/irqbalance/policy.sh, not "
					   "mqbalance's: it may move 8 queue IRQs"));
	assert_non_null(strstr(f->fix, "irqbalance takes the last --policyscript"));
	assert_non_null(strstr(f->fix, "a link `mqbalance` to mqbalance's irqbalance-policy"));
	assessment_free(&a);
	fx_free(&s);
}

static void test_banirq(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_assessment a;
	const struct mq_finding *f;
	struct mq_platform *p = &s.platform;
	(void)state;

	machine(&s, &cfg);
	/* --banirq for the config vector and 5 of the 8 queue IRQs: 3 left to move */
	p->irqbalance_nbanirq = 6;
	memcpy(p->irqbalance_banirq, (unsigned[]){24, 32, 31, 30, 29, 28}, 6 * sizeof(unsigned));
	f = finding(&a, &s, &cfg);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "it may move the 3 queue IRQs"));
	assessment_free(&a);
	/* all 8: nothing to say */
	p->irqbalance_nbanirq = 9;
	memcpy(p->irqbalance_banirq + 6, (unsigned[]){27, 26, 25}, 3 * sizeof(unsigned));
	assert_null(finding(&a, &s, &cfg));
	assessment_free(&a);
	/* only the first nbanirq entries count: 25, left in the array, is not banned */
	p->irqbalance_nbanirq = 8;
	f = finding(&a, &s, &cfg);
	assert_non_null(f);
	assert_non_null(strstr(f->message, "1 queue IRQ"));
	assessment_free(&a);
	fx_free(&s);
}

/* mqbalance places no IRQ: irqbalance may have them all. */
static void test_nothing_owned(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_assessment a;
	(void)state;

	machine(&s, &cfg);
	cfg.defaults.irq_affinity = false;
	assert_null(finding(&a, &s, &cfg));
	assessment_free(&a);
	fx_free(&s);
	/* no NIC at all */
	fx_init(&s, 4);
	s.platform.irqbalance_pid = 812;
	assert_null(finding(&a, &s, &cfg));
	assessment_free(&a);
	fx_free(&s);
	/* and no irqbalance, no finding */
	machine(&s, &cfg);
	s.platform.irqbalance_pid = 0;
	assert_null(finding(&a, &s, &cfg));
	assessment_free(&a);
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_policy),
		cmocka_unit_test(test_banirq),
		cmocka_unit_test(test_nothing_owned),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
