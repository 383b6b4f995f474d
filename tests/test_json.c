// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "output/report.h"
#include "tests/fixture_snapshot.h"
#include "tests/json_check.h"

static char *render(const struct report_input *in, size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	assert_non_null(f);
	assert_int_equal(report_render_json(f, in), 0);
	assert_int_equal(fclose(f), 0);
	*ret_len = len;
	return text;
}

static void has(const char *text, const char *needle)
{
	if (!strstr(text, needle))
		fail_msg("JSON lacks %s in:\n%s", needle, text);
}

/* Two NICs: eth0 with a sample pair and odd IRQ names; eth1 with unknown channels, no counters. */
static void build(struct mq_snapshot *now, struct mq_snapshot *before)
{
	struct mq_nic *n;

	fx_init(before, 4);
	snprintf(before->platform.hypervisor, sizeof(before->platform.hypervisor), "kvm");
	n = fx_nic(before, "eth0", "virtio_net", 2, 4);
	fx_virtio_irqs(n, 24, (int[]){0, 1});
	/* What /proc/interrupts may hold: spaces, quotes, backslashes, control bytes, bad UTF-8. */
	snprintf(n->irqs[1].name, MQ_NAME_MAX, "eth0 \"q0\"\\rx\t\x01\xff\xc3\xa9");
	fx_xps_from_irqs(n);
	n->queues[1].has_rps = false;
	fx_counters(n, 0, 1000, 100000, 10, 1000);
	fx_counters(n, 1, 3000, 300000, 30, 3000);
	n->queues[0].rx_drops = n->queues[1].rx_drops = MQ_NA;
	n->col_source[STATS_COL_RX_DROPS] = STATS_NONE;
	n->col_source[STATS_COL_TX_DROPS] = STATS_ETHTOOL;
	n->irqs[1].total = 12345;
	n->irqs[2].total = MQ_NA;
	n->rx_packets = 4000;
	n->tx_packets = n->rx_bytes = n->tx_bytes = n->rx_dropped = n->tx_dropped = MQ_NA;
	n = fx_nic(before, "eth1", "mystery", 1, 1);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	snprintf(n->ch.errmsg, sizeof(n->ch.errmsg), "kernel says \"no\"");
	fx_no_counters(n);
	n->admin_up = false;
	n->counters_missing = COUNTERS_MISSING_DOWN;
	n->queues[0].has_xps = false;
	fx_copy(now, before);
	now->taken.tv_nsec = 500000000; /* 0.5 s later */
	n = &now->nics[0];
	n->queues[0].rx_packets += 300;
	n->queues[0].rx_bytes += 30000;
	n->queues[1].rx_packets += 100;
	n->queues[1].rx_bytes += 10000;
}

static void test_content(void **state)
{
	struct mq_snapshot now, before;
	struct mq_config cfg;
	struct mq_finding fd[2] = {
		{SEV_WARNING, FIND_IRQBALANCE_RUNNING, FIX_ADMIN, "", "irqbalance is running", "disable it"},
		{SEV_INFO, FIND_CHANNELS_UNKNOWN, FIX_NONE, "eth1", "eth1: \"channels\"\n unknown", ""},
	};
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	size_t len;
	char *text;
	(void)state;

	build(&now, &before);
	fx_config(&cfg);
	cpuset_set(cpuset_buf(&cfg.banned_cpus), 3);
	fx_assess(&a, &now, &before, &cfg);
	fx_findings(&a, fd, 2);
	text = render(&in, &len);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s", text);
	assert_true(json_valid(text, len));
	assert_int_equal(strlen(text), len);
	assert_null(strchr(text, '\n') != text + len - 1 ? strchr(text, '\n') : NULL); /* compact */
	has(text, "\"schema_version\":2,");
	has(text, "\"interval\":0.500,");
	has(text, "\"online\":[0,1,2,3],\"usable\":[0,1,2],\"usable_fallback\":false,\"isolated\":[],"
		  "\"nohz_full\":[],\"banned\":[3]");
	/* the assessment's verdict per NIC: eth0 2 of 4 on 3 usable CPUs, eth1 fixed by the device */
	has(text, "\"target\":{\"tuned\":true,\"queues_max\":4,\"queues_active\":2,\"queues_wanted\":3,"
		  "\"queues\":3,\"clamped_cpus\":false,\"clamped_device\":false,\"hold\":\"none\","
		  "\"pending_changes\":");
	has(text, "\"hold\":\"no_channels\"");
	has(text, "\"hypervisor\":\"kvm\",\"cloud\":null");
	has(text, "\"irqbalance_pid\":null},\"irqbalance_running\":false");
	has(text, "\"channels\":{\"combined\":2,\"combined_max\":4,\"rx\":null,\"rx_max\":null,"
		  "\"tx\":null,\"tx_max\":null,\"other\":null,\"other_max\":null,\"source\":\"netlink\"},"
		  "\"channels_error\":null");
	has(text, "\"channels\":null,\"channels_error\":\"kernel says \\\"no\\\"\"");
	/* Counters: present, missing (null, not 0); rates over 0.5 s. */
	has(text, "\"queue\":0,\"has_rx\":true,\"has_tx\":true,\"rx_packets\":1300,\"tx_packets\":10,"
		  "\"rx_bytes\":130000,\"tx_bytes\":1000,\"rx_drops\":null,\"tx_drops\":0,"
		  "\"rx_packets_per_sec\":600.000,\"tx_packets_per_sec\":0.000,"
		  "\"rx_bytes_per_sec\":60000.000,\"tx_bytes_per_sec\":0.000,"
		  "\"rx_drops_per_sec\":null,\"tx_drops_per_sec\":0.000,\"rx_share\":0.7500,\"napi_id\":null");
	has(text, "\"rx_share\":0.2500");
	has(text, "\"rx_packets\":null,\"tx_packets\":null,\"rx_bytes\":null");
	has(text, "\"stats\":{\"rx_packets\":4000,\"tx_packets\":null");
	/* Where each column came from; none at all: null, with the reason. */
	has(text, "\"stats_source\":\"qstats\",\"counter_sources\":{\"rx_packets\":\"qstats\","
		  "\"rx_bytes\":\"qstats\",\"rx_drops\":null,\"tx_packets\":\"qstats\",\"tx_bytes\":\"qstats\","
		  "\"tx_drops\":\"ethtool\"},\"counters_missing\":null,\"irq_map_source\"");
	has(text, "\"stats_source\":\"none\",\"counter_sources\":null,\"counters_missing\":\"down: the "
		  "kernel reports per-queue counters only for an interface that is up\",");
	/* The odd IRQ name, escaped. */
	has(text, "\"name\":\"eth0 \\\"q0\\\"\\\\rx\\t\\u0001\\ufffd\xc3\xa9\"");
	has(text, "\"role\":\"rx\",\"queue\":0,\"effective_cpus\":[0],\"affinity_cpus\":[0],"
		  "\"count\":12345,\"managed\":false");
	has(text, "\"count\":null");
	has(text, "\"xps_cpus\":[1],\"rps_cpus\":null");
	has(text, "\"xps_cpus\":null");
	has(text, "\"other_irqs\":[{\"irq\":24,\"name\":\"virtio0-config\",\"role\":\"config\",\"queue\":null");
	has(text, "{\"severity\":\"warning\",\"code\":\"irqbalance_running\",\"interface\":null,");
	has(text, "\"interface\":\"eth1\",\"message\":\"eth1: \\\"channels\\\"\\n unknown\",\"fix\":null,"
		  "\"fix_kind\":\"none\"");
	has(text, "\"fix\":\"disable it\",\"fix_kind\":\"admin\"");
	free(text);

	/* No interval: rates and shares from totals are null / from totals. */
	assessment_free(&a);
	fx_assess(&a, &now, NULL, &cfg);
	text = render(&in, &len);
	assert_true(json_valid(text, len));
	has(text, "\"interval\":null,");
	has(text, "\"unprivileged\":false,\"probe_error\":null,\"interfaces\"");
	has(text, "\"rx_packets_per_sec\":null");
	assert_null(strstr(text, "_per_sec\":0"));
	free(text);
	/* A machine-wide file that could not be read: said, not only logged. */
	snprintf(now.errmsg, sizeof(now.errmsg), "/proc/interrupts: Permission denied");
	text = render(&in, &len);
	has(text, "\"probe_error\":\"/proc/interrupts: Permission denied\",\"interfaces\"");
	/* No RSS table: null, and why: the kernel's words, else its errno's, else null. */
	has(text, "\"rss\":null,\"rss_error\":null");
	free(text);
	now.nics[1].rss.err = -EOPNOTSUPP;
	text = render(&in, &len);
	has(text, "\"rss\":null,\"rss_error\":\"Operation not supported\"");
	free(text);
	snprintf(now.nics[1].rss.errmsg, sizeof(now.nics[1].rss.errmsg), "no \"table\"");
	text = render(&in, &len);
	has(text, "\"rss\":null,\"rss_error\":\"no \\\"table\\\"\"");
	assert_true(json_valid(text, len));
	free(text);
	/* tuned_since: unix seconds when recorded, null for 0 ("never") and for nonsense below. */
	now.nics[0].tuned_since = 1;
	now.nics[1].tuned_since = -1;
	text = render(&in, &len);
	has(text, "\"probe_error\":null,\"tuned_since\":1,\"target\"");
	has(text, "\"probe_error\":null,\"tuned_since\":null,\"target\"");
	free(text);
	now.nics[0].tuned_since = 0;
	text = render(&in, &len);
	assert_null(strstr(text, "\"tuned_since\":1"));
	free(text);
	assessment_free(&a);
	config_free(&cfg);
	fx_free(&now);
	fx_free(&before);
}

static void test_pretty_python(void **state)
{
	static const char check[] =
		"import json,sys\n"
		"d=json.load(open(sys.argv[1]))\n"
		"i=d['interfaces']\n"
		"assert [x['ifname'] for x in i]==['eth0','eth1'], i\n"
		"q=i[0]['queues'][0]\n"
		"assert q['rx_drops'] is None and q['rx_packets']==1300\n"
		"assert abs(q['rx_packets_per_sec']-600)<1e-9\n"
		"assert q['irqs'][0]['name'].startswith('eth0 \"q0\"\\\\rx\\t\\x01\\ufffd')\n"
		"assert i[1]['channels'] is None and i[1]['channels_error']\n"
		"assert i[0]['counter_sources']['tx_drops']=='ethtool' and i[0]['counters_missing'] is None\n"
		"assert i[1]['counter_sources'] is None and i[1]['counters_missing'].startswith('down: ')\n"
		"assert d['cpus']['banned']==[]\n"
		"assert d['pending_changes']==sum(x['target']['pending_changes'] for x in i if x['target'])\n"
		"assert all(f['fix_kind']!='apply' or f['interface'] for f in d['findings'])\n";
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a, .pretty = true};
	char path[] = "/tmp/mq-test-json-XXXXXX", cmd[512];
	size_t len;
	char *text;
	FILE *f;
	int fd, rc;
	(void)state;

	build(&now, &before);
	fx_assess(&a, &now, &before, NULL);
	text = render(&in, &len);
	assert_true(json_valid(text, len));
	has(text, "{\n  \"schema_version\": 2,\n  \"version\": ");
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	fwrite(text, 1, len, f);
	assert_int_equal(fclose(f), 0);
	if (system("python3 -c 'import json' >/dev/null 2>&1") != 0) {
		unlink(path);
		free(text);
		assessment_free(&a);
		fx_free(&now);
		fx_free(&before);
		print_message("skip: python3 not installed\n");
		skip();
	}
	snprintf(cmd, sizeof(cmd), "python3 -c \"$MQ_PYCHECK\" %s", path);
	setenv("MQ_PYCHECK", check, 1);
	rc = system(cmd);
	unlink(path);
	assert_int_equal(WIFEXITED(rc) ? WEXITSTATUS(rc) : -1, 0);
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/* Each NIC's pending changes are its own plan items', not those of the NICs after it. */
static void test_pending_per_nic(void **state)
{
	struct mq_snapshot now;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	size_t len;
	char *text;
	(void)state;

	fx_init(&now, 4);
	for (unsigned k = 0; k < 2; k++) {
		struct mq_nic *n = fx_nic(&now, k ? "eth1" : "eth0", "virtio_net", 2 + k, 4);

		fx_virtio_irqs(n, 24 + 16 * k, (int[]){0, 0, 0}); /* all on CPU 0 */
	}
	fx_assess(&a, &now, NULL, NULL);
	text = render(&in, &len);
	assert_true(json_valid(text, len));
	for (unsigned k = 0; k < 2; k++) {
		char want[64];
		unsigned changes = 0;
		const char *at;

		for (unsigned i = 0; i < a.plan.n; i++)
			changes += a.plan.items[i].ifindex == now.nics[k].ifindex && a.plan.items[i].change;
		assert_true(changes > 0);
		snprintf(want, sizeof(want), "\"ifname\":\"%s\"", now.nics[k].name);
		at = strstr(text, want);
		assert_non_null(at);
		snprintf(want, sizeof(want), "\"pending_changes\":%u}", changes);
		assert_non_null(strstr(at, want));
		assert_true(strstr(at, want) < (k ? text + len : strstr(at, "\"ifname\":\"eth1\"")));
	}
	free(text);
	assessment_free(&a);
	fx_free(&now);
}

/* Garbage in the snapshot strings never makes invalid JSON. */
static void test_fuzzed_strings(void **state)
{
	struct mq_snapshot now;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	unsigned seed = 1;
	(void)state;

	for (int round = 0; round < 50; round++) {
		struct mq_nic *n;
		size_t len;
		char *text;

		fx_init(&now, 2);
		n = fx_nic(&now, "x", "y", 1, 1);
		fx_irq(n, 5, "z", IRQ_ROLE_OTHER, -1, 0);
		for (char *p = n->irqs[0].name; p < n->irqs[0].name + MQ_NAME_MAX - 1; p++)
			*p = (char)((seed = seed * 1103515245 + 12345) >> 16);
		for (char *p = n->name; p < n->name + IF_NAMESIZE - 1; p++)
			*p = (char)((seed = seed * 1103515245 + 12345) >> 16 | 1);
		for (char *p = now.platform.product_name; p < now.platform.product_name + 63; p++)
			*p = (char)((seed = seed * 1103515245 + 12345) >> 16);
		fx_assess(&a, &now, NULL, NULL);
		text = render(&in, &len);
		assert_true(json_valid(text, len));
		free(text);
		assessment_free(&a);
		fx_free(&now);
	}
}

/*
 * cpu_load: every per-CPU number with its value, over exactly 1 s (the
 * default interval), and null where a CPU has no counters or no interval.
 */
static void test_cpu_load(void **state)
{
	struct mq_snapshot now, before;
	struct mq_assessment a;
	struct report_input in = {.a = &a};
	struct mq_nic *n;
	size_t len;
	char *text;
	(void)state;

	fx_init(&before, 2);
	n = fx_nic(&before, "eth0", "virtio_net", 2, 2);
	fx_virtio_irqs(n, 24, (int[]){0, 1});
	for (unsigned i = 1; i < n->nirqs; i++) {
		n->irqs[i].per_cpu = calloc(2, sizeof(uint64_t));
		assert_non_null(n->irqs[i].per_cpu);
		n->irqs[i].n_per_cpu = 2;
	}
	before.cpus.cpu[0].cnt = (struct mq_cpu_counters){
		.net_rx = 100, .net_tx = 50, .ticks_total = 10000, .ticks_irq = 10, .ticks_softirq = 100,
		.ticks_steal = 5, .softnet_processed = 1000, .softnet_dropped = 1, .softnet_squeezed = 2};
	before.cpus.cpu[1].cnt = before.cpus.cpu[0].cnt;
	fx_copy(&now, &before);
	now.taken.tv_sec += 1;
	now.cpus.cpu[0].cnt = (struct mq_cpu_counters){
		.net_rx = 350, .net_tx = 60, .ticks_total = 10100, .ticks_irq = 12, .ticks_softirq = 125,
		.ticks_steal = 6, .softnet_processed = 1400, .softnet_dropped = 4, .softnet_squeezed = 9};
	now.cpus.cpu[1].cnt = before.cpus.cpu[1].cnt; /* no tick passed: shares unknown */
	n = &now.nics[0];
	n->irqs[1].per_cpu[0] = 300; /* input.0 on CPU 0: 300 IRQs in the second */
	n->irqs[2].per_cpu[0] = 20;  /* output.0 */
	n->irqs[3].per_cpu[1] = 7;   /* input.1 on CPU 1 */
	fx_assess(&a, &now, &before, NULL);
	text = render(&in, &len);
	if (getenv("MQ_TEST_VERBOSE"))
		print_message("%s\n", text);
	assert_true(json_valid(text, len));
	has(text, "\"interval\":1.000,");
	has(text, "\"cpu_load\":[{\"cpu\":0,\"softirq_share\":0.2500,\"irq_share\":0.0200,"
		  "\"steal_share\":0.0100,\"net_rx_softirqs_per_sec\":250.000,"
		  "\"net_tx_softirqs_per_sec\":10.000,\"softnet_processed_per_sec\":400.000,"
		  "\"softnet_dropped_per_sec\":3.000,\"softnet_squeezed_per_sec\":7.000,"
		  "\"queue_irqs_per_sec\":320.000,\"irqs\":[{\"interface\":\"eth0\",\"irq\":25,\"queue\":0,"
		  "\"role\":\"rx\",\"affine\":true,\"per_sec\":300.000},{\"interface\":\"eth0\",\"irq\":26,"
		  "\"queue\":0,\"role\":\"tx\",\"affine\":true,\"per_sec\":20.000}]},");
	has(text, "{\"cpu\":1,\"softirq_share\":null,\"irq_share\":null,\"steal_share\":null,"
		  "\"net_rx_softirqs_per_sec\":0.000,");
	has(text, "\"queue_irqs_per_sec\":7.000,\"irqs\":[{\"interface\":\"eth0\",\"irq\":27,\"queue\":1,"
		  "\"role\":\"rx\",\"affine\":true,\"per_sec\":7.000},");
	free(text);
	assessment_free(&a);

	/* One sample: no rates at all, the IRQs each CPU serves still listed. */
	fx_assess(&a, &now, NULL, NULL);
	text = render(&in, &len);
	assert_true(json_valid(text, len));
	has(text, "{\"cpu\":0,\"softirq_share\":null,\"irq_share\":null,\"steal_share\":null,"
		  "\"net_rx_softirqs_per_sec\":null,\"net_tx_softirqs_per_sec\":null,"
		  "\"softnet_processed_per_sec\":null,\"softnet_dropped_per_sec\":null,"
		  "\"softnet_squeezed_per_sec\":null,\"queue_irqs_per_sec\":null,\"irqs\":[{\"interface\":"
		  "\"eth0\",\"irq\":25,\"queue\":0,\"role\":\"rx\",\"affine\":true,\"per_sec\":null}");
	free(text);
	assessment_free(&a);
	fx_free(&now);
	fx_free(&before);
}

/* irqbalance runs for any pid above 0 (1 included), and for none at or below it. */
static void test_irqbalance_pid(void **state)
{
	static const struct {
		pid_t pid;
		const char *want;
	} cases[] = {
		{-1, "\"irqbalance_pid\":null},\"irqbalance_running\":false"},
		{0, "\"irqbalance_pid\":null},\"irqbalance_running\":false"},
		{1, "\"irqbalance_pid\":1},\"irqbalance_running\":true"},
		{2, "\"irqbalance_pid\":2},\"irqbalance_running\":true"},
		{4194304, "\"irqbalance_pid\":4194304},\"irqbalance_running\":true"},
	};
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct mq_snapshot s;
		struct mq_assessment a;
		struct report_input in = {.a = &a};
		size_t len;
		char *text;

		fx_init(&s, 1);
		s.platform.irqbalance_pid = cases[i].pid;
		fx_assess(&a, &s, NULL, NULL);
		text = render(&in, &len);
		assert_true(json_valid(text, len));
		has(text, cases[i].want);
		free(text);
		assessment_free(&a);
		fx_free(&s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_content),
		cmocka_unit_test(test_cpu_load),
		cmocka_unit_test(test_pretty_python),
		cmocka_unit_test(test_pending_per_nic),
		cmocka_unit_test(test_fuzzed_strings),
		cmocka_unit_test(test_irqbalance_pid),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
