// SPDX-License-Identifier: MIT
/*
 * The renderers on a real snapshot pair of a veth that tests/integration/
 * netns-report.sh creates in its own namespaces, with traffic running. It
 * writes report.txt and report.json into $MQ_TEST_OUT; the script checks
 * them against independent tools (ip -j, ethtool -l, sysfs, python3 json).
 * Without MQ_TEST_IFACE every test skips (tests/run also runs this binary
 * outside any namespace, where it must not touch anything).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "core/assess.h"
#include "output/report.h"
#include "probes/probe.h"

static void write_file(const char *dir, const char *name, const struct report_input *in, bool json)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "we");
	if (!f)
		fail_msg("cannot write %s: %s", path, strerror(errno));
	assert_int_equal(json ? report_render_json(f, in) : report_render_text(f, in), 0);
	assert_int_equal(fclose(f), 0);
}

static void test_live_report(void **state)
{
	const char *iface = getenv("MQ_TEST_IFACE"), *out = getenv("MQ_TEST_OUT");
	char *names[1];
	struct probe_opts o = {.ifnames = names, .nifnames = 1};
	struct timespec one_second = {1, 0};
	struct mq_snapshot a, b;
	struct mq_assessment as;
	struct mq_nl nl;
	(void)state;

	if (!iface || !*iface || !out || !*out) {
		printf("test_live_report: MQ_TEST_IFACE/MQ_TEST_OUT unset: skipping (run by "
		       "tests/integration/netns-report.sh inside its own namespaces)\n");
		skip();
	}
	names[0] = (char *)iface;
	assert_int_equal(mqnl_open(&nl), 0);
	assert_int_equal(snapshot_take(&nl, &o, &a), 0);
	nanosleep(&one_second, NULL);
	assert_int_equal(snapshot_take(&nl, &o, &b), 0);
	assert_non_null(snapshot_find_nic(&b, (int)if_nametoindex(iface)));
	assert_int_equal(assess(&b, &a, NULL, &as), 0);
	{
		struct report_input in = {.a = &as, .pretty = true};

		write_file(out, "report.txt", &in, false);
		write_file(out, "report.json", &in, true);
		assessment_free(&as);
		assert_int_equal(assess(&b, NULL, NULL, &as), 0);
		write_file(out, "totals.txt", &in, false);
	}
	assessment_free(&as);
	snapshot_free(&a);
	snapshot_free(&b);
	mqnl_close(&nl);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_live_report),
	};

	return cmocka_run_group_tests_name("live_report", tests, NULL, NULL);
}
