// SPDX-License-Identifier: MIT
/*
 * The parser at its edges (core/config.c, core/config_lookup.c): every bound
 * at its last accepted and first refused value, lists at their limits, the
 * struct API without the parser. tests/test_config.c has the ordinary cases.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/config.h"

static int parse(const char *text, struct mq_config *c, char *err, size_t errlen)
{
	return config_parse(text, "/etc/mqbalance.conf", c, err, errlen);
}

static void expect_ok(const char *text, struct mq_config *c)
{
	char err[256];

	memset(err, 'x', sizeof(err));
	if (parse(text, c, err, sizeof(err)) != 0)
		fail_msg("for %s\n got: %s", text, err);
	assert_string_equal(err, ""); /* cleared on success */
}

static void expect_error(const char *text, const char *msg)
{
	struct mq_config c;
	char err[256];

	assert_int_equal(parse(text, &c, err, sizeof(err)), -EINVAL);
	if (strcmp(err, msg) != 0)
		fail_msg("for %s\n got: %s\nwant: %s", text, err, msg);
}

#define NOT_IFNAME "is not an interface name (1..15 characters, no spaces or /)"

/* Each bound at its last accepted and first refused value. */
static void test_bounds(void **state)
{
	static const char *const ok[] = {
		"interval = 86400\n", "interval = 0.1\n", "drift_check = 1\n", "drift_check = 86400\n",
		"interval = 0000000000000000000000000000001\n", /* 31 characters */
		"prom_file = /.prom\n", "exclude = a,\n", "[a]\n", "[a!b]\n", "[a~b]\n",
		"[eth0] # c\n", "[eth0]  ; c\n", "[abcdefghijklmno]\n", "  queues = 3\n",
		"queues =\v3\f\n", "xps = on #c\n", "queues = 4096\n", "queues = 1\n",
		"[driver=abcdefghijklmnopqrstuvwxyz01234]\n", /* 31 */
	};
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"interval = 86400.5\n", "bad value '86400.5' for interval: expected seconds, 0.1..86400"},
		{"interval = 0.09\n", "bad value '0.09' for interval: expected seconds, 0.1..86400"},
		{"interval = 00000000000000000000000000000001\n", /* 32: too long to parse */
		 "bad value '00000000000000000000000000000001' for interval: expected seconds, 0.1..86400"},
		{"interval = .\n", "bad value '.' for interval: expected seconds, 0.1..86400"},
		{"drift_check = 0.99\n", "bad value '0.99' for drift_check: expected seconds, 1..86400"},
		{"prom_file = /tmp/x.prox\n", "bad value '/tmp/x.prox' for prom_file: expected an "
		 "absolute path ending in .prom (node_exporter reads only *.prom), or off"},
		{"prom_file = .prom\n", "bad value '.prom' for prom_file: expected an "
		 "absolute path ending in .prom (node_exporter reads only *.prom), or off"},
		{"[abcdefghijklmnop]\n", "section [abcdefghijklmnop] " NOT_IFNAME},
		{"[.]\n", "section [.] " NOT_IFNAME},
		{"[..]\n", "section [..] " NOT_IFNAME},
		{"[/ab]\n", "section [/ab] " NOT_IFNAME},
		{"[a/b]\n", "section [a/b] " NOT_IFNAME},
		{"[a\x7f]\n", "section [a\\x7f] " NOT_IFNAME},
		{"[driver=abcdefghijklmnopqrstuvwxyz012345]\n", /* 32 */
		 "section [driver=abcdefghijklmnopqrstuvwxyz012345] does not name a driver (1..31 "
		 "characters, no spaces or /)"},
		{"[driver=a[b]]\n", "section [driver=a[b]] does not name a driver (1..31 "
		 "characters, no spaces or /)"},
		{"[eth0]x\n", "unexpected 'x' after section header"},
		{"exclude = a]b\n", "bad value 'a]b' for exclude: expected interface names or patterns of "
		 "at most 15 characters (or yes/no inside a section)"},
		{"exclude = eth0 averyveryverylongname\n", "bad value 'averyveryverylongname' for exclude: "
		 "expected interface names or patterns of at most 15 characters (or yes/no inside a section)"},
		{"xps= #c\n", "missing value for 'xps'"},
		{"rps = ~\x1f\x7f\\\n", "bad value '~\\x1f\\x7f\\x5c' for rps: expected on or off"},
		{"rss = on\n", "bad value 'on' for rss: expected auto or off"},
		{"bad\nqueues = 2\n", "expected 'key = value' or '[interface]', got 'bad'"}, /* the first */
	};
	struct mq_config c;
	char want[512];
	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		expect_ok(ok[i], &c);
		config_free(&c);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(want, sizeof(want), "/etc/mqbalance.conf:1: %s", bad[i].msg);
		expect_error(bad[i].text, want);
	}
	expect_ok("  queues = 3\n", &c);
	assert_int_equal(config_for(&c, "x", NULL).queues, 3);
	config_free(&c);
	expect_ok("queues = 4096\ninterval = 0.1\ndrift_check = 86400\n", &c);
	assert_int_equal(config_for(&c, "x", NULL).queues, 4096);
	assert_true(c.interval > 0.099 && c.interval < 0.101);
	assert_true(c.drift_check > 86399.9 && c.drift_check < 86400.1);
	config_free(&c);
	expect_ok("prom_file = /run/a.prom\n", &c);
	assert_true(c.prom_file_set);
	assert_string_equal(c.prom_file, "/run/a.prom");
	config_free(&c);
	expect_ok("prom_file = off\n", &c);
	assert_false(c.prom_file_set);
	assert_string_equal(c.prom_file, "");
	config_free(&c);
	expect_ok("exclude = a,\n", &c);
	assert_int_equal(c.nexclude, 1);
	assert_string_equal(c.exclude[0], "a");
	config_free(&c);
	expect_ok("rss = off\n[eth0]\nrss = auto\n", &c);
	assert_false(config_for(&c, "eth1", NULL).rss);
	assert_true(config_for(&c, "eth0", NULL).rss);
	config_free(&c);
}

/* Values 40 bytes long are quoted whole, longer ones cut at 40. */
static void test_quote_cut(void **state)
{
	char text[128], want[256], x[64];
	(void)state;
	for (int n = 40; n <= 41; n++) {
		memset(x, 'x', (size_t)n);
		x[n] = '\0';
		snprintf(text, sizeof(text), "rps = %s\n", x);
		x[40] = '\0';
		snprintf(want, sizeof(want), "/etc/mqbalance.conf:1: bad value '%s%s' for rps: expected on or off",
			 x, n > 40 ? "..." : "");
		expect_error(text, want);
	}
}

/* Lists at their limits: 32 exclude names, 256 sections, a 4095-byte CPU list. */
static void test_limits(void **state)
{
	static char text[256 * 24 + 64];
	struct mq_config c;
	size_t o;
	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "exclude =");
	for (int i = 0; i < MQ_EXCLUDE_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " e%d", i);
	expect_ok(text, &c);
	assert_int_equal(c.nexclude, MQ_EXCLUDE_MAX);
	assert_true(config_for(&c, "e31", NULL).exclude);
	assert_false(config_for(&c, "e32", NULL).exclude);
	config_free(&c);
	snprintf(text + o, sizeof(text) - o, " e32");
	expect_error(text, "/etc/mqbalance.conf:1: too many names for exclude (at most 32)");

	o = 0;
	for (int i = 0; i < MQ_IFS_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[n%d]\nqueues = %d\n", i, i % 7 + 1);
	expect_ok(text, &c);
	assert_int_equal(c.nsections, MQ_IFS_MAX);
	assert_string_equal(c.sections[255].pattern, "n255");
	assert_int_equal(c.sections[255].line, 511);
	assert_int_equal(config_for(&c, "n255", NULL).queues, 255 % 7 + 1);
	assert_int_equal(config_for(&c, "n17", NULL).queues, 17 % 7 + 1);
	config_free(&c);
	snprintf(text + o, sizeof(text) - o, "[n256]\n");
	expect_error(text, "/etc/mqbalance.conf:513: too many sections (at most 256)");

	/* "0,0,...": 4095 bytes fit the parse buffer, 4096 do not. */
	char *big = malloc(5000);
	assert_non_null(big);
	o = (size_t)snprintf(big, 5000, "banned_cpus = ");
	memset(big + o, '0', 4095);
	for (size_t i = 1; i < 4095; i += 2)
		big[o + i] = ',';
	big[o + 4095] = '\0';
	expect_ok(big, &c);
	assert_true(cpuset_isset(cpuset_buf(&c.banned_cpus), 0));
	assert_int_equal(cpuset_count(cpuset_buf(&c.banned_cpus)), 1);
	config_free(&c);
	big[o + 4095] = '0';
	big[o + 4096] = '\0';
	assert_int_equal(parse(big, &c, NULL, 0), -EINVAL);
	free(big);
	expect_ok("banned_cpus = 8191\n", &c);
	assert_true(cpuset_isset(cpuset_buf(&c.banned_cpus), 8191));
	config_free(&c);
	expect_ok("banned_cpus = none\n", &c);
	assert_true(cpuset_empty(cpuset_buf(&c.banned_cpus)));
	config_free(&c);
}

/* queues = auto or max in a section drop an inherited number; max and N pin. */
static void test_sections_inherit(void **state)
{
	struct mq_config c;
	struct mq_if_config i;
	(void)state;
	expect_ok("queues = 8\n[eth0]\nqueues = max\n[eth1]\nqueues = auto\n", &c);
	i = config_for(&c, "eth0", NULL);
	assert_int_equal(i.queues_mode, QUEUES_MAX);
	assert_int_equal(i.queues, 0);
	assert_true(i.pinned);
	i = config_for(&c, "eth1", NULL);
	assert_int_equal(i.queues_mode, QUEUES_AUTO);
	assert_int_equal(i.queues, 0);
	assert_false(i.pinned);
	i = config_for(&c, "eth2", NULL);
	assert_int_equal(i.queues_mode, QUEUES_N);
	assert_int_equal(i.queues, 8);
	assert_true(i.pinned);
	config_free(&c);
	expect_ok("[eth0]\nqueues = max\n", &c);
	assert_true(config_for(&c, "eth0", NULL).pinned);
	assert_false(config_for(&c, "eth1", NULL).pinned);
	config_free(&c);
	/* the keys a section does not set come from below it */
	expect_ok("xps = off\nirq_affinity = off\n[eth*]\nxps = on\n[eth0]\nrps = on\n", &c);
	i = config_for(&c, "eth0", NULL);
	assert_true(i.xps);
	assert_true(i.rps);
	assert_false(i.irq_affinity);
	i = config_for(&c, "ens3", NULL);
	assert_false(i.xps);
	assert_false(i.rps);
	config_free(&c);
}

/* 65 files (the main one and 64 drop-ins) merge; the 66th is refused and changes nothing. */
static void test_files_max(void **state)
{
	struct mq_config c;
	char err[256], path[64];
	(void)state;
	config_init(&c);
	for (int i = 0; i < MQ_FILES_MAX; i++) {
		snprintf(path, sizeof(path), "/etc/mqbalance.conf.d/%02d.conf", i);
		assert_int_equal(config_merge(&c, "xps = on\n", path, err, sizeof(err)), 0);
	}
	assert_int_equal(c.nfiles, MQ_FILES_MAX);
	assert_string_equal(c.files[MQ_FILES_MAX - 1], "/etc/mqbalance.conf.d/64.conf");
	assert_int_equal(config_merge(&c, "xps = off\n", "/etc/x.conf", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/etc/x.conf: too many configuration files (at most 65)");
	assert_int_equal(c.nfiles, MQ_FILES_MAX);
	assert_true(config_for(&c, "eth0", NULL).xps); /* not read */
	config_free(&c);
}

/* Sections past nsections are not sections: no lookup finds, applies or reports them. */
static void test_nsections_bound(void **state)
{
	struct mq_section sec[2] = {
		{.match = MATCH_NAME, .pattern = "eth0", .keys = MQ_KEY_QUEUES,
		 .v = {.queues_mode = QUEUES_N, .queues = 2}},
		{.match = MATCH_NAME, .pattern = "eth1", .keys = MQ_KEY_QUEUES,
		 .v = {.queues_mode = QUEUES_N, .queues = 3}, .file = 1},
	};
	struct mq_config c;
	unsigned idx[4];
	(void)state;
	config_init(&c);
	c.sections = sec;
	c.nsections = 1;
	assert_ptr_equal(config_section(&c, MATCH_NAME, "eth0"), &sec[0]);
	assert_null(config_section(&c, MATCH_NAME, "eth1"));
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 2);
	assert_int_equal(config_for(&c, "eth1", NULL).queues, 0);
	assert_false(config_for(&c, "eth1", NULL).pinned);
	assert_int_equal(config_unmatched(&c, NULL, idx, 4), 1);
	assert_int_equal(idx[0], 0);
	/* a file index at or past nfiles names the main file, not a stale pointer */
	c.files[1] = (char *)"/stale.conf";
	c.nfiles = 1;
	assert_string_equal(config_section_file(&c, &sec[1]), "(config)");
	c.nfiles = 2;
	assert_string_equal(config_section_file(&c, &sec[1]), "/stale.conf");
}

/* The struct API without the parser: init, lookups, free. */
static void test_api(void **state)
{
	struct mq_config c;
	char buf[64];
	(void)state;
	config_init(&c);
	snprintf(c.exclude[0], sizeof(c.exclude[0]), "veth*");
	snprintf(c.exclude[1], sizeof(c.exclude[1]), "eth*"); /* beyond nexclude: not a pattern */
	c.nexclude = 1;
	assert_true(config_for(&c, "veth0", NULL).exclude);
	assert_true(config_for(&c, "veth0", NULL).xps); /* the defaults, excluded */
	assert_false(config_for(&c, "eth0", NULL).exclude);
	assert_false(config_for(&c, NULL, NULL).exclude);
	assert_string_equal(config_section_file(&c, &(struct mq_section){.file = 3}), "(config)");
	config_free(&c);
	config_free(NULL);

	expect_ok("[eth0]\n[driver=ena]\n", &c);
	assert_string_equal(config_section_str(&c.sections[0], buf, sizeof(buf)), "[eth0]");
	assert_string_equal(config_section_str(&c.sections[1], buf, sizeof(buf)), "[driver=ena]");
	assert_ptr_equal(config_section(&c, MATCH_DRIVER, "ena"), &c.sections[1]);
	assert_null(config_section(&c, MATCH_NAME, "ena"));
	assert_null(config_section(&c, MATCH_DRIVER, NULL));
	assert_string_equal(config_section_file(&c, &c.sections[1]), "/etc/mqbalance.conf");
	assert_false(config_section_matches(&c.sections[1], "eth0", ""));
	assert_true(config_section_matches(&c.sections[1], NULL, "ena"));
	assert_false(config_section_matches(&c.sections[0], NULL, "ena"));
	config_free(&c);
	assert_null(c.sections);
	assert_int_equal(c.nsections, 0);
	assert_int_equal(c.nfiles, 0);
	assert_null(c.files[0]); /* freed: nothing left to free twice */
	config_free(&c);
	/* No path: "(config)" in messages, "" in the result. */
	assert_int_equal(config_parse("", NULL, &c, NULL, 5), 0);
	assert_string_equal(c.path, "");
	assert_string_equal(c.files[0], "(config)");
	config_free(&c);
	assert_int_equal(config_parse("bad", NULL, &c, buf, sizeof(buf)), -EINVAL);
	assert_string_equal(buf, "(config):1: expected 'key = value' or '[interface]', got 'bad'");
	/* A drop-in of one line, each key: merged, and exactly 0 (not "more than 0") */
	{
		static const char *const one[] = {
			"queues = 2\n", "exclude = x\n", "irq_affinity = off\n", "xps = off\n",
			"rps = on\n", "rss = off\n", "banned_cpus = 1\n", "banned_cpus = none\n",
			"interval = 5\n", "prom_file = /run/x.prom\n", "prom_file = off\n",
			"drift_check = 60\n", "[eth0]\n", "[eth0]\nexclude = yes\n", "future = 1\n",
		};

		for (size_t i = 0; i < sizeof(one) / sizeof(one[0]); i++) {
			config_init(&c);
			assert_int_equal(config_merge(&c, one[i], "/etc/mqbalance.conf.d/a.conf", buf,
						      sizeof(buf)), 0);
			assert_string_equal(buf, "");
			config_free(&c);
		}
	}
	assert_string_equal(queues_mode_to_string(QUEUES_MAX), "max");
	assert_string_equal(queues_mode_to_string(_QUEUES_MODE_MAX), "unknown");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_quote_cut),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sections_inherit),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_files_max),
		cmocka_unit_test(test_nsections_bound),
	};
	return cmocka_run_group_tests_name("config_bounds", tests, NULL, NULL);
}
