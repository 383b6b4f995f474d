// SPDX-License-Identifier: MIT
/* The command line: every option applies to the mode given or is refused, never ignored. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "agent/args.h"

/* Parse a space-separated command line; returns args_parse's result, err filled. */
static int parse(const char *line, struct args *a, char *err, size_t errlen)
{
	static char buf[512], empty[1];
	char *argv[32];
	int argc = 0;

	snprintf(buf, sizeof(buf), "mqbalance %s", line);
	for (char *tok = strtok(buf, " "); tok && argc < 31; tok = strtok(NULL, " "))
		argv[argc++] = strcmp(tok, "''") == 0 ? empty : tok;
	argv[argc] = NULL;
	err[0] = '\0';
	return args_parse(argc, argv, a, err, errlen);
}

static void ok(const char *line, enum mode m)
{
	struct args a;
	char err[256];

	if (parse(line, &a, err, sizeof(err)) != 0)
		fail_msg("'%s' refused: %s", line, err);
	if (a.mode != m)
		fail_msg("'%s': mode %s, want %s", line, mode_to_string(a.mode), mode_to_string(m));
}

static void refused(const char *line, const char *why)
{
	struct args a;
	char err[256];

	if (parse(line, &a, err, sizeof(err)) != -EINVAL)
		fail_msg("'%s' accepted", line);
	if (!strstr(err, why))
		fail_msg("'%s': '%s' lacks '%s'", line, err, why);
}

static void test_modes(void **state)
{
	(void)state;
	ok("", MODE_REPORT);
	ok("eth0 eth1", MODE_REPORT);
	ok("--check", MODE_CHECK);
	ok("-C --json --pretty eth0", MODE_CHECK);
	ok("--apply", MODE_APPLY);
	ok("--dry-run", MODE_DRY_RUN);
	ok("--apply --dry-run", MODE_DRY_RUN);
	ok("--dry-run --apply", MODE_DRY_RUN);
	ok("--revert eth0", MODE_REVERT);
	ok("--daemon --all", MODE_DAEMON);
	ok("--watch --interval 2", MODE_WATCH);
	ok("eth0 --json", MODE_REPORT); /* options after the names */
	refused("--report --apply", "--report and --apply are different modes");
	refused("--daemon --check", "different modes");
	refused("--revert --dry-run", "different modes");
}

/* The matrix: option x mode, accepted exactly where it applies. */
static void test_matrix(void **state)
{
	static const struct {
		const char *opt;
		const char *modes; /* the modes it applies to */
	} m[] = {
		{"--interval 2", "report check watch daemon"},
		{"--json", "report check apply dry-run revert"},
		{"--prom-file /tmp/x.prom", "report check daemon"},
		{"--all", "report check watch apply dry-run daemon"},
		{"--config /tmp/x.conf", "report check watch apply dry-run daemon"},
		{"--root /tmp", "report check watch"},
	};
	static const char *const modes[] = {"report", "check", "watch", "apply", "dry-run", "daemon",
					    "revert"};
	(void)state;

	for (size_t i = 0; i < sizeof(m) / sizeof(m[0]); i++)
		for (size_t k = 0; k < sizeof(modes) / sizeof(modes[0]); k++) {
			char line[128], why[64], name[32];
			bool applies = false;
			const char *p = m[i].modes;

			snprintf(line, sizeof(line), "--%s %s", modes[k], m[i].opt);
			while (*p) {
				size_t n = strcspn(p, " ");

				applies = applies || (n == strlen(modes[k]) && !strncmp(p, modes[k], n));
				p += n + (p[n] == ' ');
			}
			if (applies) {
				struct args a;
				char err[256];

				if (parse(line, &a, err, sizeof(err)) != 0)
					fail_msg("'%s' refused: %s", line, err);
			} else {
				snprintf(name, sizeof(name), "%.*s", (int)strcspn(m[i].opt, " "), m[i].opt);
				snprintf(why, sizeof(why), "%s does not apply to --%s", name, modes[k]);
				refused(line, why);
			}
		}
}

static void test_values(void **state)
{
	struct args a;
	char err[256];
	double s;
	(void)state;

	assert_int_equal(parse("--interval 0.5", &a, err, sizeof(err)), 0);
	assert_true(a.interval == 0.5 && a.interval_set);
	assert_int_equal(parse("", &a, err, sizeof(err)), 0);
	assert_true(a.interval == 1.0 && !a.interval_set);
	for (const char *const *v = (const char *const[]){"nan", "inf", "0x10", "1e3", "-1", "+2", "1.2.3",
							  ".", "", " 1", "12345678901234567", NULL};
	     *v; v++)
		assert_int_equal(args_seconds(*v, &s), -EINVAL);
	assert_int_equal(args_seconds("3600", &s), 0);
	assert_true(s == 3600);
	assert_int_equal(args_seconds(".25", &s), 0);
	assert_true(s == 0.25);
	refused("--interval nan", "not a decimal number of seconds");
	/* each bound exactly, and one step either side */
	ok("--watch --interval 3600", MODE_WATCH);
	refused("--watch --interval 3600.001", "out of range (0..3600)");
	refused("--interval 3601", "out of range (0..3600)");
	ok("--daemon --interval 0.1", MODE_DAEMON);
	refused("--daemon --interval 0.05", "out of range (0.1..86400)");
	refused("--daemon --interval 86401", "out of range");
	ok("--daemon --interval 86400", MODE_DAEMON);
	ok("--watch --interval 0.1", MODE_WATCH);
	refused("--watch --interval 0.099", "at least 0.1 s");
	refused("--watch --interval 0", "at least 0.1 s");
	refused("--interval", "--interval needs a value");
	refused("--prom-file ''", "--prom-file: an empty path");
	refused("--config ''", "--config: an empty path");
	refused("--pretty", "--pretty goes with --json");
	refused("-v -q", "contradict");
	refused("--frobnicate", "unknown option '--frobnicate'");
	refused("eth0/x", "not an interface name");
	refused("0123456789abcdef", "not an interface name");
	refused("eth0:1", "not an interface name");
	assert_int_equal(parse("--help --apply --interval 3", &a, err, sizeof(err)), 0);
	assert_true(a.help); /* --help wins over the rest */
	assert_int_equal(parse("eth0 eth1", &a, err, sizeof(err)), 0);
	assert_int_equal(a.nifnames, 2);
	assert_string_equal(a.ifnames[1], "eth1");
	/* the paths given are the ones kept; none given: NULL */
	assert_int_equal(parse("", &a, err, sizeof(err)), 0);
	assert_null(a.prom_file);
	assert_null(a.config);
	assert_null(a.root);
	assert_int_equal(parse("-p /tmp/x.prom -c /tmp/x.conf --root /tmp/r", &a, err, sizeof(err)), 0);
	assert_true(a.prom_file && a.config && a.root);
	assert_string_equal(a.prom_file, "/tmp/x.prom");
	assert_string_equal(a.config, "/tmp/x.conf");
	assert_string_equal(a.root, "/tmp/r");
}

static void test_usage_lists_every_mode(void **state)
{
	(void)state;
	for (int m = 0; m < _MODE_MAX; m++)
		assert_non_null(strstr(args_usage, mode_to_string((enum mode)m)));
	assert_non_null(strstr(args_usage, "--pretty"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_modes),
		cmocka_unit_test(test_matrix),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_usage_lists_every_mode),
	};
	return cmocka_run_group_tests_name("args", tests, NULL, NULL);
}
