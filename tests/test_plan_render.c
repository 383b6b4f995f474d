// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "output/plan.h"
#include "tests/json_check.h"
#include "tests/snapbuild.h"

static char *render(const struct mq_assessment *a)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(plan_render_text(f, a), 0);
	fclose(f);
	return buf;
}

static struct plan_item *item(struct mq_plan *p, const char *ifname, enum plan_kind kind, int queue)
{
	for (unsigned i = 0; i < p->n; i++)
		if (strcmp(p->items[i].ifname, ifname) == 0 && p->items[i].kind == kind &&
		    (queue < 0 || p->items[i].queue == queue))
			return &p->items[i];
	return NULL;
}

static void test_dry_run_text(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	char *out;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	out = render(&a);
	assert_non_null(strstr(out, "eth0 channels combined 1 -> 4\n"));
	assert_non_null(strstr(out, "eth0 queue 2 irq 28 cpus 0 -> 2\n"));
	assert_null(strstr(out, "eth0 queue 0 irq 24")); /* already on CPU 0 */
	assert_non_null(strstr(out, "eth1: 2 unchanged (1 IRQ, 1 RPS)\n"));
	/* only tx-0 exists before the channel change; its XPS follows queue 0 on CPU 0 */
	assert_non_null(strstr(out, "eth0 tx-0 xps - -> 0\n"));
	assert_non_null(strstr(out, "eth0: 3 unchanged (2 IRQs, 1 RPS)\n"));
	assert_non_null(strstr(out, "eth1: no channel control: the device fixes the queue count: "
				    "channels left alone\n"));
	/* 1 channel change, 3 IRQs and 4 XPS masks */
	assert_non_null(strstr(out, "dry run: 8 changes planned, nothing written\n"));
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

static void test_results_text(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_plan *p = &a.plan;
	struct plan_item *it;
	char *out, line[512];
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	/* as after apply_run: 1 ok, 1 failed, 1 skipped, the rest unchanged */
	p->applied = true;
	for (unsigned i = 0; i < p->n; i++)
		p->items[i].status = STEP_UNCHANGED;
	it = item(p, "eth0", PLAN_CHANNELS, -1);
	it->status = STEP_FAILED;
	it->err = -EINVAL;
	snprintf(it->msg, sizeof(it->msg), "Invalid argument: requested channel count exceeds maximum");
	it = item(p, "eth0", PLAN_IRQ_AFFINITY, 1);
	it->status = STEP_OK;
	it->has_effective = true;
	assert_int_equal(plan_set(p, &it->effective, fx_cpu(&p->sets, 3)), 0);
	assert_true(plan_item_string(it, line, sizeof(line)) > 0);
	assert_string_equal(line, "eth0 queue 1 irq 26 cpus 0 -> 1: ok (effective 3)");
	it = item(p, "eth0", PLAN_IRQ_AFFINITY, 2);
	it->status = STEP_SKIPPED;
	snprintf(it->msg, sizeof(it->msg), "skipped: eth0 vanished");
	out = render(&a);
	assert_non_null(strstr(out, "eth0 channels combined 1 -> 4: failed: Invalid argument: "
				    "requested channel count exceeds maximum\n"));
	assert_non_null(strstr(out, "eth0 queue 2 irq 28 cpus 0 -> 2: skipped: skipped: eth0 vanished\n"));
	snprintf(line, sizeof(line), "applied: 1 ok, 1 failed, 1 skipped, %u unchanged\n", p->n - 3);
	assert_non_null(strstr(out, line));
	free(out);
	/* a signal stopped it: the summary says so, and how many were not done */
	p->interrupted = SIGTERM;
	it->err = -EINTR;
	out = render(&a);
	assert_non_null(strstr(out, "\ninterrupted by SIGTERM: 1 change made, 1 failed, 1 not done; "
				    "the state file keeps the way back (mqbalance --revert)\n"));
	assert_null(strstr(out, "applied: "));
	free(out);
	p->interrupted = 0;
	/* nothing to do */
	for (unsigned i = 0; i < p->n; i++)
		p->items[i].status = STEP_UNCHANGED;
	out = render(&a);
	snprintf(line, sizeof(line), "nothing to do: everything is already tuned (%u unchanged, 0 skipped)\n",
		 p->n);
	assert_non_null(strstr(out, line));
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

/* Held items say why, and a warning --apply cannot fix is noted. */
static void test_holds_text(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	char *out;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_PAIR, 4, 4, -1});
	s.nics[0].irqs[2].managed = true;
	s.platform.irqbalance_pid = 77;
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	out = render(&a);
	assert_non_null(strstr(out, "eth0 queue 2 irq 26 cpus 0 -> 2 (held: kernel-managed IRQ, cannot "
				    "be moved from user space)\n"));
	assert_non_null(strstr(out, "note: irqbalance (pid 77) runs without mqbalance's policy script"));
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

/* One "left alone" line per NIC the assessment holds back whole (excluded, no channel control), none for the rest. */
static void test_verdict_text(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_config cfg;
	char err[128], *out, *p;
	unsigned lines = 0;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	add_nic(&s, "docker0", &(struct nic_spec){ST_VETH, 8, 1, -1});
	assert_int_equal(config_parse("exclude = docker*\n", "t", &cfg, err, sizeof(err)), 0);
	assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
	out = render(&a);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", out);
	assert_non_null(strstr(out, "\ndocker0: excluded by config: left alone\n"));
	assert_non_null(strstr(out, "\neth1: no channel control: the device fixes the queue count: "
				    "channels left alone\n"));
	for (p = out; (p = strstr(p, "left alone")); p++)
		lines++;
	assert_int_equal(lines, 2);
	free(out);
	assessment_free(&a);
	config_free(&cfg);
	snap_free(&s);
}

/* A queue count the config asks for beyond the vCPUs or the device: one line, naming the limit. */
static void test_clamped_text(void **state)
{
	static const struct {
		unsigned cpus, max;
		const char *conf, *line; /* NULL: no clamp line */
	} cases[] = {
		{4, 8, "queues = 6\n", "eth0: queues 6 clamped to 4 (usable vCPUs)\n"},
		{8, 4, "queues = 6\n", "eth0: queues 6 clamped to 4 (device maximum)\n"},
		{4, 8, "queues = 16\n", "eth0: queues 16 clamped to 4 (usable vCPUs)\n"}, /* both */
		{4, 8, "queues = 4\n", NULL}, /* exactly the vCPUs */
		{8, 4, "queues = 4\n", NULL}, /* exactly the device's maximum */
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_snapshot s;
		struct mq_assessment a;
		struct mq_config cfg;
		char err[128], *out;

		snap_init(&s, cases[i].cpus, 1, 1);
		add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, cases[i].max, 1, -1});
		assert_int_equal(config_parse(cases[i].conf, "t", &cfg, err, sizeof(err)), 0);
		assert_int_equal(assess(&s, NULL, &cfg, &a), 0);
		out = render(&a);
		if (cases[i].line ? !strstr(out, cases[i].line) : !!strstr(out, "clamped"))
			fail_msg("%u CPUs, device max %u, %s: want %s in\n%s", cases[i].cpus, cases[i].max,
				 cases[i].conf, cases[i].line ? cases[i].line : "no clamp", out);
		free(out);
		assessment_free(&a);
		config_free(&cfg);
		snap_free(&s);
	}
}

static char *render_json(const struct mq_assessment *a, int status, bool pretty)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(plan_render_json(f, a, status, pretty), 0);
	fclose(f);
	if (!json_valid(buf, len))
		fail_msg("invalid JSON:\n%s", buf);
	return buf;
}

static void test_json(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct plan_item *it;
	char *out;
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	snprintf(s.nics[0].irqs[0].name, sizeof(s.nics[0].irqs[0].name), "bad\"name\x01\xff");
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	out = render_json(&a, 0, false);
	assert_non_null(strstr(out, "\"dry_run\":true"));
	assert_non_null(strstr(out, "{\"kind\":\"channels\",\"ifname\":\"eth0\",\"ifindex\":2,\"queue\":null,"
				    "\"current\":{\"combined\":1,\"rx\":0,\"tx\":0,\"other\":0},"
				    "\"target\":{\"combined\":4,"));
	assert_non_null(strstr(out, "\"kind\":\"irq_affinity\",\"ifname\":\"eth0\",\"ifindex\":2,\"queue\":2,"
				    "\"irq\":28,\"irq_name\":\"virtio1-input.2\",\"current_cpus\":[0],"
				    "\"target_cpus\":[2],\"effective_cpus\":null,\"change\":true,"
				    "\"status\":\"planned\",\"errno\":null,\"message\":null,\"hold\":\"none\"}"));
	assert_non_null(strstr(out, "\"findings\":[{\"severity\":\"warning\",\"code\":\"channels_below_target\""));
	assert_non_null(strstr(out, "\"fix_kind\":\"apply\""));
	free(out);
	a.plan.applied = a.plan.reprobed = true;
	it = &a.plan.items[0];
	it->status = STEP_FAILED;
	it->err = -EINVAL;
	snprintf(it->msg, sizeof(it->msg), "Invalid argument: \"quoted\" words");
	out = render_json(&a, 1, true);
	assert_non_null(strstr(out, "\"dry_run\": false"));
	assert_non_null(strstr(out, "\"exit_status\": 1"));
	assert_non_null(strstr(out, "\"errno\": 22"));
	assert_non_null(strstr(out, "\"message\": \"Invalid argument: \\\"quoted\\\" words\""));
	assert_non_null(strstr(out, "\"reprobed\": true"));
	assert_non_null(strstr(out, "\"failed\": 1"));
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

/* A channel change names the types the device has: combined, rx/tx only (gve), or both. */
static void test_channels_text(void **state)
{
	static const struct {
		struct mq_counts cur, target, max;
		const char *want;
	} cases[] = {
		{{0, 0, 0, 1}, {0, 0, 0, 4}, {0, 0, 0, 8}, "eth0 channels combined 1 -> 4"},
		{{2, 2, 0, 0}, {4, 4, 0, 0}, {16, 16, 0, 0}, "eth0 channels rx 2 -> 4 tx 2 -> 4"},
		{{2, 2, 0, 0}, {2, 4, 0, 0}, {16, 16, 0, 0}, "eth0 channels rx 2 -> 2 tx 2 -> 4"},
		{{1, 0, 0, 4}, {0, 0, 0, 4}, {0, 0, 0, 8}, "eth0 channels combined 4 -> 4 rx 1 -> 0"},
		{{2, 2, 0, 0}, {4, 2, 0, 0}, {16, 16, 0, 0}, "eth0 channels rx 2 -> 4 tx 2 -> 2"},
		{{2, 2, 0, 0}, {2, 2, 0, 0}, {16, 0, 0, 0}, "eth0 channels rx 2 -> 2"},
		{{0, 0, 0, 0}, {0, 0, 0, 0}, {0, 0, 0, 0}, "eth0 channels combined 0"},
	};
	struct plan_item it;
	char line[256];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(&it, 0, sizeof(it));
		it.kind = PLAN_CHANNELS;
		it.queue = -1;
		it.change = true;
		snprintf(it.ifname, sizeof(it.ifname), "eth0");
		it.ch_current = cases[i].cur;
		it.ch_target = cases[i].target;
		it.ch_max = cases[i].max;
		assert_true(plan_item_string(&it, line, sizeof(line)) > 0);
		if (strcmp(line, cases[i].want) != 0)
			fail_msg("case %zu: '%s', want '%s'", i, line, cases[i].want);
	}
}

/*
 * The rest of the text: items of a NIC shown whatever its verdict, every
 * step not done counted after a signal, a failed re-probe; JSON items carry
 * "irq" only for IRQs, the CPU lists of the machine, and every IRQ's name.
 */
static void test_render_rest(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_plan *p = &a.plan;
	char *out, line[256];
	(void)state;
	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	a.nics[0].tuned = false;
	p->applied = true;
	p->interrupted = SIGINT;
	for (unsigned i = 0; i < p->n; i++) {
		p->items[i].status = i < 2 ? STEP_SKIPPED : STEP_UNCHANGED;
		p->items[i].err = -EINTR;
	}
	p->reprobe_err = -ENODEV;
	out = render(&a);
	assert_non_null(strstr(out, "eth0 channels combined 1 -> 4: skipped: \n"));
	assert_non_null(strstr(out, "\ninterrupted by SIGINT: 0 changes made, 0 failed, 2 not done; "));
	assert_non_null(strstr(out, "\nre-probe after the channel change failed: No such device\n"));
	free(out);
	assert_int_equal(plan_item_string(&p->items[0], line, 0), -ENOSPC);

	/* not applied, one change left: singular; an item skipped without a change is still shown */
	p->applied = false;
	p->interrupted = 0;
	p->reprobe_err = 0;
	for (unsigned i = 0; i < p->n; i++) {
		p->items[i].change = i == 0;
		p->items[i].status = STEP_UNCHANGED;
		p->items[i].err = 0;
	}
	p->items[1].status = STEP_SKIPPED;
	snprintf(p->items[1].msg, sizeof(p->items[1].msg), "eth0 vanished");
	out = render(&a);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s\n", out);
	assert_non_null(strstr(out, "\ndry run: 1 change planned, nothing written\n"));
	assert_non_null(strstr(out, "eth0 queue 0 irq 24 cpus 0 -> 0: skipped: eth0 vanished\n"));
	free(out);

	out = render_json(&a, 0, false);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s\n", out);
	assert_non_null(strstr(out, "\"cpus\":{\"online\":[0,1,2,3],\"usable\":[0,1,2,3],\"nr_cpu_ids\":4}"));
	assert_non_null(strstr(out, "{\"kind\":\"xps\",\"ifname\":\"eth0\",\"ifindex\":2,\"queue\":0,"
				    "\"current_cpus\":[],\"target_cpus\":[0],\"change\":false,"));
	assert_non_null(strstr(out, "\"irq\":24,\"irq_name\":\"virtio1-input.0\",")); /* the NIC's first IRQ */
	free(out);
	assessment_free(&a);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dry_run_text),
		cmocka_unit_test(test_results_text),
		cmocka_unit_test(test_holds_text),
		cmocka_unit_test(test_verdict_text),
		cmocka_unit_test(test_clamped_text),
		cmocka_unit_test(test_json),
		cmocka_unit_test(test_channels_text),
		cmocka_unit_test(test_render_rest),
	};
	return cmocka_run_group_tests_name("plan_render", tests, NULL, NULL);
}
