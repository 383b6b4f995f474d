// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "core/config.h"

static int parse(const char *text, struct mq_config *c, char *err, size_t errlen)
{
	return config_parse(text, "/etc/mqbalance.conf", c, err, errlen);
}

static void test_defaults(void **state)
{
	struct mq_config c;
	const struct mq_if_config *i;
	char err[256];
	(void)state;
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "/etc/mqbalance.conf");
	i = config_for(&c, "eth0");
	assert_false(i->exclude);
	assert_int_equal(i->queues_mode, QUEUES_AUTO);
	assert_true(i->irq_affinity);
	assert_true(i->xps);
	assert_false(i->rps);
	assert_false(i->pinned);
	assert_true(cpuset_empty(&c.banned_cpus));
	assert_true(c.interval > 9.9 && c.interval < 10.1);
	assert_true(c.drift_check > 29.9 && c.drift_check < 30.1);
	assert_string_equal(c.prom_file, MQ_DEFAULT_PROM_FILE);
	assert_int_equal(c.nifs, 0);
	config_free(&c);
}

static void test_every_key(void **state)
{
	static const char text[] =
		"\xef\xbb\xbf# global settings\r\n"
		"queues = 8\r\n"
		"  ; a comment\n"
		"irq_affinity=off\n"
		"xps = off   # inline comment\n"
		"rps = on\n"
		"banned_cpus = 0,2-3, 70\n"
		"interval = 2.5\n"
		"drift_check = 5\n"
		"prom_file = /run/mq/x.prom\n"
		"exclude = docker* veth1,virbr0\n"
		"\n"
		"[eth0]\n"
		"queues = max\n"
		"irq_affinity = spread\n"
		"xps = on\n"
		"[ eth1 ]\n"
		"queues = auto\n"
		"rps = no\n"
		"[docker0]\n"
		"[veth1]\n"
		"exclude = no\n"
		"[eth2]\n"
		"exclude = yes";
	struct mq_config c;
	const struct mq_if_config *i;
	char err[256];
	(void)state;
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.nifs, 5);
	i = config_for(&c, "ens5");
	assert_int_equal(i->queues_mode, QUEUES_N);
	assert_int_equal(i->queues, 8);
	assert_true(i->pinned);
	assert_false(i->irq_affinity);
	assert_false(i->xps);
	assert_true(i->rps);
	assert_false(i->exclude);
	assert_int_equal(cpuset_count(&c.banned_cpus), 4);
	assert_true(cpuset_isset(&c.banned_cpus, 70));
	assert_true(c.interval > 2.49 && c.interval < 2.51);
	assert_true(c.drift_check > 4.99 && c.drift_check < 5.01);
	assert_string_equal(c.prom_file, "/run/mq/x.prom");
	assert_int_equal(c.nexclude, 3);
	i = config_for(&c, "eth0");
	assert_string_equal(i->name, "eth0");
	assert_int_equal(i->queues_mode, QUEUES_MAX);
	assert_true(i->pinned);
	assert_true(i->irq_affinity);
	assert_true(i->xps);
	assert_true(i->rps); /* inherited */
	i = config_for(&c, "eth1");
	assert_int_equal(i->queues_mode, QUEUES_AUTO);
	assert_false(i->pinned);
	assert_false(i->rps);
	assert_true(config_for(&c, "docker0")->exclude);   /* section, matched by the list */
	assert_true(config_for(&c, "docker7")->exclude);   /* no section, pattern */
	assert_false(config_for(&c, "veth1")->exclude);    /* section says no */
	assert_true(config_for(&c, "virbr0")->exclude);
	assert_true(config_for(&c, "eth2")->exclude);
	assert_false(config_for(&c, "eth3")->exclude);
	config_free(&c);

	assert_int_equal(parse("prom_file = off\nbanned_cpus = none\nqueues=1\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.prom_file, "");
	assert_int_equal(config_for(&c, "x")->queues, 1);
	config_free(&c);
	assert_int_equal(parse("queues = 4096\ninterval = 0.1\n", &c, err, sizeof(err)), 0);
	config_free(&c);
}

static void expect_error(const char *text, const char *msg)
{
	struct mq_config c;
	char err[256];

	memset(&c, 0x5a, sizeof(c));
	assert_int_equal(parse(text, &c, err, sizeof(err)), -EINVAL);
	if (strcmp(err, msg) != 0)
		fail_msg("for %s\n got: %s\nwant: %s", text, err, msg);
	/* ret untouched on error */
	assert_int_equal(c.nifs, 0x5a5a5a5a);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("queus = 4\n", "/etc/mqbalance.conf:1: unknown key 'queus'");
	expect_error("# c\n\nqueues = x\n",
		     "/etc/mqbalance.conf:3: bad value 'x' for queues: expected auto, max or a number 1..4096");
	expect_error("queues = 0\n",
		     "/etc/mqbalance.conf:1: bad value '0' for queues: expected auto, max or a number 1..4096");
	expect_error("queues = 4097\n",
		     "/etc/mqbalance.conf:1: bad value '4097' for queues: expected auto, max or a number 1..4096");
	expect_error("queues = -1\n",
		     "/etc/mqbalance.conf:1: bad value '-1' for queues: expected auto, max or a number 1..4096");
	expect_error("queues = 99999999999999999999999\n",
		     "/etc/mqbalance.conf:1: bad value '99999999999999999999999' for queues: expected "
		     "auto, max or a number 1..4096");
	expect_error("[]\n", "/etc/mqbalance.conf:1: section [] has no name");
	expect_error("[  ]\n", "/etc/mqbalance.conf:1: section [] has no name");
	expect_error("[eth0]\nqueues=1\n[eth0]\n",
		     "/etc/mqbalance.conf:3: duplicate section [eth0] (first on line 1)");
	expect_error("[eth0\n", "/etc/mqbalance.conf:1: section header '[eth0' has no closing ]");
	expect_error("[eth0] x\n", "/etc/mqbalance.conf:1: unexpected 'x' after section header");
	expect_error("[averyveryverylongname]\n",
		     "/etc/mqbalance.conf:1: section [averyveryverylongname] is not an interface name "
		     "(1..15 characters, no spaces or /)");
	expect_error("[a b]\n", "/etc/mqbalance.conf:1: section [a b] is not an interface name "
				"(1..15 characters, no spaces or /)");
	expect_error("queues\n", "/etc/mqbalance.conf:1: expected 'key = value' or '[interface]', got 'queues'");
	expect_error("= 3\n", "/etc/mqbalance.conf:1: missing key before '='");
	expect_error("queues =\n", "/etc/mqbalance.conf:1: missing value for 'queues'");
	expect_error("queues = 2\nqueues = 3\n",
		     "/etc/mqbalance.conf:2: duplicate key 'queues' (first on line 1)");
	expect_error("[eth0]\ninterval = 5\n",
		     "/etc/mqbalance.conf:2: key 'interval' is global: put it before the first [interface] section");
	expect_error("[eth0]\nbanned_cpus = 1\n",
		     "/etc/mqbalance.conf:2: key 'banned_cpus' is global: put it before the first [interface] section");
	expect_error("[eth0]\nprom_file = off\n",
		     "/etc/mqbalance.conf:2: key 'prom_file' is global: put it before the first [interface] section");
	expect_error("[eth0]\nexclude = maybe\n",
		     "/etc/mqbalance.conf:2: bad value 'maybe' for exclude: expected yes or no");
	expect_error("exclude = averyveryverylongname\n",
		     "/etc/mqbalance.conf:1: bad value 'averyveryverylongname' for exclude: expected "
		     "interface names or patterns of at most 15 characters (or yes/no inside a section)");
	expect_error("irq_affinity = on\n",
		     "/etc/mqbalance.conf:1: bad value 'on' for irq_affinity: expected spread or off");
	expect_error("xps = 2\n", "/etc/mqbalance.conf:1: bad value '2' for xps: expected on or off");
	expect_error("rps = \x01\xff\n",
		     "/etc/mqbalance.conf:1: bad value '\\x01\\xff' for rps: expected on or off");
	expect_error("banned_cpus = 1024\n",
		     "/etc/mqbalance.conf:1: bad value '1024' for banned_cpus: expected a CPU list like "
		     "0-3,8 (CPUs 0..1023) or none");
	expect_error("banned_cpus = 3-1\n",
		     "/etc/mqbalance.conf:1: bad value '3-1' for banned_cpus: expected a CPU list like "
		     "0-3,8 (CPUs 0..1023) or none");
	expect_error("interval = 0\n",
		     "/etc/mqbalance.conf:1: bad value '0' for interval: expected seconds, 0.1..86400");
	expect_error("interval = inf\n",
		     "/etc/mqbalance.conf:1: bad value 'inf' for interval: expected seconds, 0.1..86400");
	expect_error("interval = 1e3\n",
		     "/etc/mqbalance.conf:1: bad value '1e3' for interval: expected seconds, 0.1..86400");
	expect_error("interval = 1.2.3\n",
		     "/etc/mqbalance.conf:1: bad value '1.2.3' for interval: expected seconds, 0.1..86400");
	expect_error("drift_check = 0.5\n",
		     "/etc/mqbalance.conf:1: bad value '0.5' for drift_check: expected seconds, 1..86400");
	expect_error("drift_check = 86401\n",
		     "/etc/mqbalance.conf:1: bad value '86401' for drift_check: expected seconds, 1..86400");
	expect_error("[eth0]\ndrift_check = 5\n",
		     "/etc/mqbalance.conf:2: key 'drift_check' is global: put it before the first [interface] section");
	expect_error("prom_file = relative.prom\n",
		     "/etc/mqbalance.conf:1: bad value 'relative.prom' for prom_file: expected an absolute "
		     "path ending in .prom (node_exporter reads only *.prom), or off");
	expect_error("prom_file = /tmp/x.txt\n",
		     "/etc/mqbalance.conf:1: bad value '/tmp/x.txt' for prom_file: expected an absolute "
		     "path ending in .prom (node_exporter reads only *.prom), or off");
}

static void test_error_no_buffer(void **state)
{
	struct mq_config c;
	(void)state;
	assert_int_equal(config_parse("bad", NULL, &c, NULL, 0), -EINVAL);
	assert_int_equal(config_parse(NULL, NULL, &c, NULL, 0), 0);
	config_free(&c);
}

static void test_long_value_quoted(void **state)
{
	char text[10000], err[256];
	struct mq_config c;
	(void)state;
	memset(text, 'x', sizeof(text));
	memcpy(text, "queues = ", 9);
	text[sizeof(text) - 1] = '\0';
	assert_int_equal(parse(text, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "...' for queues"));
	/* a banned_cpus list longer than the parse buffer */
	memcpy(text, "banned_cpus = ", 14);
	assert_int_equal(parse(text, &c, err, sizeof(err)), -EINVAL);
}

/* Random bytes and random mixes of valid tokens: never crash, always a verdict. */
static void test_garbage(void **state)
{
	static const char *const tok[] = {"[", "]", "=", "queues", "exclude", " ", "\t", "\r\n",
					  "\n", "#", ";", "eth0", "max", "auto", "0-3", ",", "1",
					  "banned_cpus", "interval", "prom_file", "/x.prom", "\xff",
					  "[eth0]", "4096", "\x01", "yes", "off"};
	uint32_t seed = 12345;
	char buf[512], err[256];
	(void)state;
	for (int iter = 0; iter < 20000; iter++) {
		size_t n = 0;
		struct mq_config c;
		int r;

		while (n < sizeof(buf) - 20) {
			seed = seed * 1103515245u + 12345u;
			if ((seed >> 16) % 50 == 0)
				break;
			if (iter % 2) {
				char b = (char)(seed >> 8);

				buf[n++] = b ? b : '\n';
			} else {
				const char *t = tok[(seed >> 16) % (sizeof(tok) / sizeof(tok[0]))];

				memcpy(buf + n, t, strlen(t));
				n += strlen(t);
			}
		}
		buf[n] = '\0';
		r = parse(buf, &c, err, sizeof(err));
		assert_true(r == 0 || r == -EINVAL);
		if (r == 0)
			config_free(&c);
		else
			assert_non_null(strstr(err, "/etc/mqbalance.conf:"));
	}
}

static void test_load(void **state)
{
	char dir[] = "/tmp/mqcfg.XXXXXX", path[256], err[256];
	struct mq_config c;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/none.conf", dir);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.conf: No such file"));

	assert_int_equal(config_open(path, &c, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, "none.conf: No such file"));
	if (access(MQ_DEFAULT_CONFIG, F_OK) != 0) {
		/* no /etc/mqbalance.conf here: defaults */
		assert_int_equal(config_open(NULL, &c, err, sizeof(err)), 0);
		assert_string_equal(c.path, "");
		assert_string_equal(err, "");
		config_free(&c);
	}

	snprintf(path, sizeof(path), "%s/ok.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("queues = 2\n[eth0]\nexclude = yes\n", f);
	fclose(f);
	assert_int_equal(config_open(path, &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, path);
	assert_true(config_for(&c, "eth0")->exclude);
	assert_int_equal(config_for(&c, "eth1")->queues, 2);
	config_free(&c);

	f = fopen(path, "w");
	fputs("queues = 2\n\nxps = o", f);
	fputc('\0', f);
	fputs("n\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ok.conf:3: NUL byte"));

	f = fopen(path, "w");
	fputs("[eth0]\nqueues = 2\nrps = sometimes\n", f);
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "ok.conf:3: bad value 'sometimes' for rps"));
	unlink(path);
	rmdir(dir);
}

/* The shipped example parses, and so does it with every commented-out line enabled. */
static void test_example_file(void **state)
{
	const char *data = getenv("MQ_TEST_DATA");
	char path[4096], err[256];
	struct mq_config c;
	(void)state;
	/* tests/run runs from the source tree; MQ_TEST_DATA is <tree>/tests/data */
	snprintf(path, sizeof(path), "mqbalance.conf.example");
	if (access(path, R_OK) != 0 && data)
		snprintf(path, sizeof(path), "%s/../../mqbalance.conf.example", data);
	if (access(path, R_OK) != 0) {
		print_message("skip: %s not found (run from the source tree)\n", path);
		skip();
	}
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nifs, 0);
	assert_int_equal(config_for(&c, "eth0")->queues_mode, QUEUES_AUTO);
	assert_string_equal(c.prom_file, MQ_DEFAULT_PROM_FILE);
	assert_true(c.drift_check > 29.9 && c.drift_check < 30.1);
	config_free(&c);
}

static void expect_ok(const char *text, struct mq_config *c)
{
	char err[256];

	memset(err, 'x', sizeof(err));
	if (parse(text, c, err, sizeof(err)) != 0)
		fail_msg("for %s\n got: %s", text, err);
	assert_string_equal(err, ""); /* cleared on success */
}

/* Each bound at its last accepted and first refused value. */
static void test_bounds(void **state)
{
	static const char *const ok[] = {
		"interval = 86400\n", "interval = 9\n", "drift_check = 1\n", "drift_check = 86400\n",
		"interval = 0000000000000000000000000000001\n", /* 31 characters */
		"prom_file = /.prom\n", "exclude = a,\n", "[a]\n", "[a!b]\n", "[a~b]\n",
		"[eth0] # c\n", "[eth0]  ; c\n", "[abcdefghijklmno]\n", "  queues = 3\n",
		"queues =\v3\f\n", "xps = on #c\n",
	};
	static const struct {
		const char *text, *msg;
	} bad[] = {
		{"interval = 86400.5\n", "bad value '86400.5' for interval: expected seconds, 0.1..86400"},
		{"interval = 00000000000000000000000000000001\n", /* 32: too long to parse */
		 "bad value '00000000000000000000000000000001' for interval: expected seconds, 0.1..86400"},
		{"prom_file = /tmp/x.prox\n", "bad value '/tmp/x.prox' for prom_file: expected an "
		 "absolute path ending in .prom (node_exporter reads only *.prom), or off"},
		{"[abcdefghijklmnop]\n", "section [abcdefghijklmnop] is not an interface name (1..15 "
		 "characters, no spaces or /)"},
		{"[.]\n", "section [.] is not an interface name (1..15 characters, no spaces or /)"},
		{"[..]\n", "section [..] is not an interface name (1..15 characters, no spaces or /)"},
		{"[/ab]\n", "section [/ab] is not an interface name (1..15 characters, no spaces or /)"},
		{"[a/b]\n", "section [a/b] is not an interface name (1..15 characters, no spaces or /)"},
		{"[a[b]\n", "section [a[b] is not an interface name (1..15 characters, no spaces or /)"},
		{"[a\x7f]\n", "section [a\\x7f] is not an interface name (1..15 characters, no spaces or /)"},
		{"[eth0]x\n", "unexpected 'x' after section header"},
		{"exclude = a]b\n", "bad value 'a]b' for exclude: expected interface names or patterns of "
		 "at most 15 characters (or yes/no inside a section)"},
		{"exclude = eth0 averyveryverylongname\n", "bad value 'averyveryverylongname' for exclude: "
		 "expected interface names or patterns of at most 15 characters (or yes/no inside a section)"},
		{"xps= #c\n", "missing value for 'xps'"},
		{"rps = ~\x1f\x7f\n", "bad value '~\\x1f\\x7f' for rps: expected on or off"},
		{"\xefxy = 1\n", "unknown key '\\xefxy'"},     /* not a whole byte order mark */
		{"xy\xbf = 1\n", "unknown key 'xy\\xbf'"},
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
	assert_int_equal(config_for(&c, "x")->queues, 3);
	config_free(&c);
	expect_ok("prom_file = /run/a.prom\n", &c);
	assert_true(c.prom_file_set);
	config_free(&c);
	expect_ok("prom_file = off\n", &c);
	assert_false(c.prom_file_set);
	config_free(&c);
	expect_ok("exclude = a,\n", &c);
	assert_int_equal(c.nexclude, 1);
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
	static char text[256 * 16 + 64];
	struct mq_config c;
	size_t o;
	(void)state;
	o = (size_t)snprintf(text, sizeof(text), "exclude =");
	for (int i = 0; i < MQ_EXCLUDE_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, " e%d", i);
	expect_ok(text, &c);
	assert_int_equal(c.nexclude, MQ_EXCLUDE_MAX);
	assert_true(config_for(&c, "e31")->exclude);
	config_free(&c);
	snprintf(text + o, sizeof(text) - o, " e32");
	expect_error(text, "/etc/mqbalance.conf:1: too many names for exclude (at most 32)");

	o = 0;
	for (int i = 0; i < MQ_IFS_MAX; i++)
		o += (size_t)snprintf(text + o, sizeof(text) - o, "[n%d]\n", i);
	expect_ok(text, &c);
	assert_int_equal(c.nifs, MQ_IFS_MAX);
	assert_string_equal(config_for(&c, "n255")->name, "n255");
	config_free(&c);
	snprintf(text + o, sizeof(text) - o, "[n256]\n");
	expect_error(text, "/etc/mqbalance.conf:257: too many sections (at most 256)");

	/* "0,0,...": 4095 bytes fit the parse buffer, 4096 do not. */
	char *big = malloc(5000);
	assert_non_null(big);
	o = (size_t)snprintf(big, 5000, "banned_cpus = ");
	memset(big + o, '0', 4095);
	for (size_t i = 1; i < 4095; i += 2)
		big[o + i] = ',';
	big[o + 4095] = '\0';
	expect_ok(big, &c);
	assert_true(cpuset_isset(&c.banned_cpus, 0));
	config_free(&c);
	big[o + 4095] = '0';
	big[o + 4096] = '\0';
	assert_int_equal(parse(big, &c, NULL, 0), -EINVAL);
	free(big);
}

/* queues = auto or max in a section drop an inherited number; max pins. */
static void test_sections_inherit(void **state)
{
	struct mq_config c;
	(void)state;
	expect_ok("queues = 8\n[eth0]\nqueues = max\n[eth1]\nqueues = auto\n", &c);
	assert_int_equal(config_for(&c, "eth0")->queues, 0);
	assert_int_equal(config_for(&c, "eth1")->queues, 0);
	assert_int_equal(config_for(&c, "eth2")->queues, 8);
	config_free(&c);
	expect_ok("[eth0]\nqueues = max\n", &c);
	assert_true(config_for(&c, "eth0")->pinned);
	assert_false(config_for(&c, "eth1")->pinned);
	config_free(&c);
}

/* config_load: the size bound, a read error, no error buffer at all. */
static void test_load_edges(void **state)
{
	char dir[] = "/tmp/mqcfg.XXXXXX", path[256], err[256];
	struct mq_config c;
	FILE *f;
	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/big.conf", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	for (int i = 0; i < 1024 * 1024 / 64; i++) /* exactly 1 MiB of comments */
		fprintf(f, "#%62s\n", "");
	assert_int_equal(fclose(f), 0);
	memset(err, 'x', sizeof(err));
	assert_int_equal(config_load(path, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	config_free(&c);
	f = fopen(path, "a");
	fputc('\n', f);
	fclose(f);
	assert_int_equal(config_load(path, &c, err, sizeof(err)), -EFBIG);
	assert_non_null(strstr(err, "big.conf: larger than 1048576 bytes"));
	assert_int_equal(config_load(path, &c, NULL, 0), -EFBIG);
	unlink(path);

	assert_int_equal(config_load(dir, &c, err, sizeof(err)), -EIO); /* a directory */
	assert_non_null(strstr(err, ": read error"));
	assert_int_equal(config_load(dir, &c, NULL, 0), -EIO);
	assert_int_equal(config_load(path, &c, NULL, 0), -ENOENT);
	assert_int_equal(config_open(path, &c, NULL, 0), -ENOENT);
	if (access(MQ_DEFAULT_CONFIG, F_OK) != 0) {
		assert_int_equal(config_open(NULL, &c, NULL, 0), 0);
		config_free(&c);
	}
	rmdir(dir);

	/* An interface matched by exclude gets the parsed defaults, not the built-in ones. */
	expect_ok("xps = off\nexclude = veth*\n", &c);
	assert_true(config_for(&c, "veth0")->exclude);
	assert_false(config_for(&c, "veth0")->xps);
	config_free(&c);
}

/* The struct API without the parser: init, lookups, free. */
static void test_api(void **state)
{
	struct mq_config c;
	(void)state;
	config_init(&c);
	snprintf(c.exclude[0], sizeof(c.exclude[0]), "veth*");
	snprintf(c.exclude[1], sizeof(c.exclude[1]), "eth*"); /* beyond nexclude: not a pattern */
	c.nexclude = 1;
	assert_true(config_for(&c, "veth0")->exclude);
	assert_true(config_for(&c, "veth0")->xps); /* the defaults, excluded */
	assert_false(config_for(&c, "eth0")->exclude);
	assert_ptr_equal(config_for(&c, NULL), &c.defaults);
	config_free(&c);
	config_free(NULL);

	expect_ok("[eth0]\n", &c);
	config_free(&c);
	assert_null(c.ifs);
	assert_int_equal(c.nifs, 0);
	/* No path: "(config)" in messages, "" in the result. */
	assert_int_equal(config_parse("", NULL, &c, NULL, 5), 0);
	assert_string_equal(c.path, "");
	config_free(&c);
	assert_int_equal(config_parse("bad", NULL, &c, NULL, 5), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_every_key),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_error_no_buffer),
		cmocka_unit_test(test_long_value_quoted),
		cmocka_unit_test(test_garbage),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_example_file),
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_quote_cut),
		cmocka_unit_test(test_limits),
		cmocka_unit_test(test_sections_inherit),
		cmocka_unit_test(test_api),
		cmocka_unit_test(test_load_edges),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
