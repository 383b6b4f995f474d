// SPDX-License-Identifier: MIT
/* The parser and the lookup (core/config.c, core/config_lookup.c): text in, no files. */
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
#include "core/snapshot.h"

static int parse(const char *text, struct mq_config *c, char *err, size_t errlen)
{
	return config_parse(text, "/etc/mqbalance.conf", c, err, errlen);
}

static void test_defaults(void **state)
{
	struct mq_config c;
	struct mq_if_config i;
	char err[256];
	(void)state;
	assert_int_equal(parse("", &c, err, sizeof(err)), 0);
	assert_string_equal(c.path, "/etc/mqbalance.conf");
	assert_int_equal(c.nfiles, 1);
	assert_string_equal(c.files[0], "/etc/mqbalance.conf");
	i = config_for(&c, "eth0", "virtio_net");
	assert_false(i.exclude);
	assert_int_equal(i.queues_mode, QUEUES_AUTO);
	assert_true(i.irq_affinity);
	assert_true(i.xps);
	assert_false(i.rps);
	assert_false(i.pinned);
	assert_true(cpuset_empty(cpuset_buf(&c.banned_cpus)));
	assert_true(c.interval > 9.9 && c.interval < 10.1);
	assert_true(c.drift_check > 29.9 && c.drift_check < 30.1);
	assert_string_equal(c.prom_file, MQ_DEFAULT_PROM_FILE);
	assert_false(c.prom_file_set);
	assert_int_equal(c.nsections, 0);
	assert_int_equal(c.nwarnings, 0);
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
	struct mq_if_config i;
	char err[256];
	(void)state;
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.nsections, 5);
	assert_int_equal(c.sections[1].match, MATCH_NAME);
	assert_string_equal(c.sections[1].pattern, "eth1");
	assert_int_equal(c.sections[1].line, 17);
	assert_int_equal(c.sections[1].keys, MQ_KEY_QUEUES | MQ_KEY_RPS);
	i = config_for(&c, "ens5", NULL);
	assert_int_equal(i.queues_mode, QUEUES_N);
	assert_int_equal(i.queues, 8);
	assert_true(i.pinned);
	assert_false(i.irq_affinity);
	assert_false(i.xps);
	assert_true(i.rps);
	assert_false(i.exclude);
	assert_int_equal(cpuset_count(cpuset_buf(&c.banned_cpus)), 4);
	assert_true(cpuset_isset(cpuset_buf(&c.banned_cpus), 70));
	assert_true(c.interval > 2.49 && c.interval < 2.51);
	assert_true(c.drift_check > 4.99 && c.drift_check < 5.01);
	assert_string_equal(c.prom_file, "/run/mq/x.prom");
	assert_true(c.prom_file_set);
	assert_int_equal(c.nexclude, 3);
	i = config_for(&c, "eth0", NULL);
	assert_int_equal(i.queues_mode, QUEUES_MAX);
	assert_true(i.pinned);
	assert_true(i.irq_affinity);
	assert_true(i.xps);
	assert_true(i.rps); /* inherited */
	i = config_for(&c, "eth1", NULL);
	assert_int_equal(i.queues_mode, QUEUES_AUTO);
	assert_false(i.pinned);
	assert_false(i.rps);
	assert_true(config_for(&c, "docker0", NULL).exclude);   /* section, matched by the list */
	assert_true(config_for(&c, "docker7", NULL).exclude);   /* no section, pattern */
	assert_false(config_for(&c, "veth1", NULL).exclude);    /* section says no */
	assert_true(config_for(&c, "virbr0", NULL).exclude);
	assert_true(config_for(&c, "eth2", NULL).exclude);
	assert_false(config_for(&c, "eth3", NULL).exclude);
	config_free(&c);

	assert_int_equal(parse("prom_file = off\nbanned_cpus = none\nqueues=1\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.prom_file, "");
	assert_int_equal(config_for(&c, "x", NULL).queues, 1);
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
	assert_int_equal(c.nsections, 0x5a5a5a5a);
}

static void test_errors(void **state)
{
	(void)state;
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
	expect_error("[eth0]\nqueues=1\n[ eth0 ]\n",
		     "/etc/mqbalance.conf:3: duplicate section [eth0] (first on line 1)");
	expect_error("[eth*]\n[eth1]\n[eth*]\n",
		     "/etc/mqbalance.conf:3: duplicate section [eth*] (first on line 1)");
	expect_error("[driver=virtio_net]\n[driver = virtio_net]\n",
		     "/etc/mqbalance.conf:2: duplicate section [driver=virtio_net] (first on line 1)");
	expect_error("[driver=]\n", "/etc/mqbalance.conf:1: section [driver=] does not name a driver "
				     "(1..31 characters, no spaces or /)");
	expect_error("[driver=a b]\n", "/etc/mqbalance.conf:1: section [driver=a b] does not name a "
					"driver (1..31 characters, no spaces or /)");
	expect_error("[eth*/x]\n", "/etc/mqbalance.conf:1: section [eth*/x] is not an interface "
				   "pattern (1..31 characters, no spaces or /)");
	expect_error("[eth[01]\n", "/etc/mqbalance.conf:1: section header '[eth[01]' has no closing ]");
	expect_error("[eth0]]\n", "/etc/mqbalance.conf:1: unexpected ']' after section header");
	/* a section of an unknown kind is skipped, but its values are still checked */
	expect_error("[pci=0000:00:03.0]\nqueues = x\n",
		     "/etc/mqbalance.conf:2: bad value 'x' for queues: expected auto, max or a number 1..4096");
	expect_error("[pci=1]\ninterval = 5\n",
		     "/etc/mqbalance.conf:2: key 'interval' is global: put it before the first [interface] section");
	/* a # glued to a value is part of it */
	expect_error("queues = 4#four\n",
		     "/etc/mqbalance.conf:1: bad value '4#four' for queues: expected auto, max or a number 1..4096");
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
	expect_error("banned_cpus = 8192\n",
		     "/etc/mqbalance.conf:1: bad value '8192' for banned_cpus: expected a CPU list like "
		     "0-3,8 (CPUs 0..8191) or none");
	expect_error("banned_cpus = 3-1\n",
		     "/etc/mqbalance.conf:1: bad value '3-1' for banned_cpus: expected a CPU list like "
		     "0-3,8 (CPUs 0..8191) or none");
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
					  "[eth0]", "4096", "\x01", "yes", "off", "driver=", "*",
					  "[e*]", "[driver=veth]", "unknown"};
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

/*
 * Precedence: global < [driver=] < [glob] (later globs win) < [name], each
 * section overriding only the keys it sets, whatever the order in the file.
 */
static const char precedence_conf[] =
	"queues = 2\n"
	"rps = on\n"
	"irq_affinity = off\n"
	"exclude = docker*\n"
	"[eth0]\n"
	"queues = auto\n"
	"[driver=virtio_net]\n"
	"queues = 4\n"
	"xps = off\n"
	"[e*]\n"
	"rps = off\n"
	"irq_affinity = spread\n"
	"[eth*]\n"
	"xps = on\n"
	"irq_affinity = off\n"
	"[docker1]\n"
	"exclude = no\n"
	"[driver=veth]\n"
	"exclude = yes\n"
	"[ens[0-9]]\n"
	"queues = max\n";

static const struct prec_case {
	const char *name, *driver;
	enum queues_mode mode;
	unsigned queues;
	bool xps, rps, irq, exclude, pinned;
} prec_cases[] = {
	/* name section over the driver's queues; [eth*] (later) over [e*] for irq_affinity */
	{"eth0", "virtio_net", QUEUES_AUTO, 0, true, false, false, false, false},
	{"eth1", "virtio_net", QUEUES_N, 4, true, false, false, false, true},
	/* driver unknown: driver sections do not apply */
	{"eth1", NULL, QUEUES_N, 2, true, false, false, false, true},
	{"eth1", "", QUEUES_N, 2, true, false, false, false, true},
	/* a glob over the driver; [e*] over the global irq_affinity */
	{"ens5", "virtio_net", QUEUES_MAX, 0, false, false, true, false, true},
	/* fnmatch matches the whole name: ens10 is not [ens[0-9]] */
	{"ens10", "virtio_net", QUEUES_N, 4, false, false, true, false, true},
	{"docker0", "veth", QUEUES_N, 2, true, true, false, true, true},
	{"docker1", "veth", QUEUES_N, 2, true, true, false, false, true},  /* [docker1] over [driver=veth] */
	{"docker2", NULL, QUEUES_N, 2, true, true, false, true, true},     /* the global list */
	{"veth0", "veth", QUEUES_N, 2, true, true, false, true, true},
	{"wg0", NULL, QUEUES_N, 2, true, true, false, false, true},
};

static void test_precedence(void **state)
{
	struct mq_config c;
	char err[256];
	(void)state;
	assert_int_equal(parse(precedence_conf, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nsections, 7);
	for (size_t k = 0; k < sizeof(prec_cases) / sizeof(prec_cases[0]); k++) {
		const struct prec_case *t = &prec_cases[k];
		struct mq_if_config i = config_for(&c, t->name, t->driver);

		if (i.queues_mode != t->mode || i.queues != t->queues || i.xps != t->xps ||
		    i.rps != t->rps || i.irq_affinity != t->irq || i.exclude != t->exclude ||
		    i.pinned != t->pinned)
			fail_msg("%s/%s: got queues %s %u xps %d rps %d irq %d exclude %d pinned %d", t->name,
				 t->driver ? t->driver : "-", queues_mode_to_string(i.queues_mode), i.queues,
				 i.xps, i.rps, i.irq_affinity, i.exclude, i.pinned);
	}
	/* NULL name: the global keys */
	assert_int_equal(config_for(&c, NULL, NULL).queues, 2);
	config_free(&c);
}

static void test_sections(void **state)
{
	struct mq_config c;
	const struct mq_section *s;
	char err[256], buf[64];
	(void)state;
	assert_int_equal(parse("[eth[01]]  # a glob with a class\n[driver = virtio_net]\n[eth0]\n"
			       "[averyveryverylongname*]\n", &c, err, sizeof(err)), 0);
	assert_int_equal(c.nsections, 4);
	assert_int_equal(c.sections[0].match, MATCH_GLOB);
	assert_string_equal(c.sections[0].pattern, "eth[01]");
	assert_true(config_section_matches(&c.sections[0], "eth1", NULL));
	assert_false(config_section_matches(&c.sections[0], "eth2", NULL));
	assert_false(config_section_matches(&c.sections[0], NULL, "eth1"));
	s = config_section(&c, MATCH_DRIVER, "virtio_net");
	assert_ptr_equal(s, &c.sections[1]);
	assert_string_equal(config_section_str(s, buf, sizeof(buf)), "[driver=virtio_net]");
	assert_true(config_section_matches(s, "x", "virtio_net"));
	assert_false(config_section_matches(s, "virtio_net", NULL));
	assert_false(config_section_matches(s, "x", "virtio_ne"));
	assert_null(config_section(&c, MATCH_NAME, "eth1"));
	assert_null(config_section(&c, MATCH_NAME, "virtio_net"));
	assert_ptr_equal(config_section(&c, MATCH_NAME, "eth0"), &c.sections[2]);
	assert_string_equal(config_section_str(&c.sections[3], buf, sizeof(buf)), "[averyveryverylongname*]");
	assert_string_equal(config_section_file(&c, &c.sections[3]), "/etc/mqbalance.conf");
	assert_int_equal(c.sections[3].line, 4);
	config_free(&c);
}

/* A # or ; starts a comment only after whitespace; glued to a value it is part of it. */
static void test_inline_comment(void **state)
{
	struct mq_config c;
	char err[256];
	(void)state;
	assert_int_equal(parse("prom_file = /run/a#b.prom\nexclude = x;y z ;w\n", &c, err, sizeof(err)), 0);
	assert_string_equal(c.prom_file, "/run/a#b.prom");
	assert_int_equal(c.nexclude, 2);
	assert_string_equal(c.exclude[0], "x;y");
	assert_string_equal(c.exclude[1], "z");
	config_free(&c);
	assert_int_equal(parse("prom_file = /run/a.prom #b.prom\n[eth0] ; c\nqueues = 3\t# x\n", &c, err,
			       sizeof(err)), 0);
	assert_string_equal(c.prom_file, "/run/a.prom");
	assert_int_equal(config_for(&c, "eth0", NULL).queues, 3);
	config_free(&c);
}

/* Unknown keys and kinds of section: warnings with file:line, ignored, collected boundedly. */
static void test_warnings(void **state)
{
	static const char text[] = "queues = 2\n"
				   "queus = 4\n"
				   "[eth0]\n"
				   "future_key = \x01yes\n"
				   "[pci=0000:00:03.0]\n"
				   "queues = 7\n"
				   "rps = on\n";
	struct mq_config c;
	char err[256], big[64 * 40];
	size_t n = 0;
	(void)state;
	assert_int_equal(parse(text, &c, err, sizeof(err)), 0);
	assert_string_equal(err, "");
	assert_int_equal(c.nwarnings, 3);
	assert_string_equal(c.warnings[0], "/etc/mqbalance.conf:2: unknown key 'queus', ignored");
	assert_string_equal(c.warnings[1], "/etc/mqbalance.conf:4: unknown key 'future_key', ignored");
	assert_string_equal(c.warnings[2], "/etc/mqbalance.conf:5: unknown kind of section "
					   "[pci=0000:00:03.0], its keys ignored");
	/* the skipped section set nothing anywhere */
	assert_int_equal(c.nsections, 1);
	assert_int_equal(config_for(&c, "eth1", NULL).queues, 2);
	assert_false(config_for(&c, "eth1", NULL).rps);
	config_free(&c);

	for (int k = 0; k < 40; k++)
		n += (size_t)snprintf(big + n, sizeof(big) - n, "unknown%d = 1\n", k);
	assert_int_equal(parse(big, &c, err, sizeof(err)), 0);
	assert_int_equal(c.nwarnings, 40);
	assert_string_equal(c.warnings[MQ_WARNINGS_MAX - 1],
			    "/etc/mqbalance.conf:16: unknown key 'unknown15', ignored");
	config_free(&c);
}

/* A drop-in on top: global keys replaced, sections merged key by key, files recorded. */
static void test_merge(void **state)
{
	struct mq_config c;
	struct mq_if_config i;
	char err[256];
	(void)state;
	assert_int_equal(parse("queues = 2\nexclude = docker*\nbanned_cpus = 1\n[eth0]\nqueues = 4\n"
			       "xps = off\n", &c, err, sizeof(err)), 0);
	assert_int_equal(config_merge(&c, "queues = 3\nnewkey = 1\n[eth0]\nqueues = 6\n[eth1]\nrps = on\n",
				      "/etc/mqbalance.conf.d/10-a.conf", err, sizeof(err)), 0);
	assert_int_equal(config_merge(&c, "banned_cpus = none\nexclude = veth*\n[eth0]\nrps = on\n",
				      "/etc/mqbalance.conf.d/20-b.conf", err, sizeof(err)), 0);
	assert_int_equal(c.nfiles, 3);
	assert_string_equal(c.files[2], "/etc/mqbalance.conf.d/20-b.conf");
	assert_string_equal(c.path, "/etc/mqbalance.conf");
	assert_int_equal(c.nsections, 2);
	assert_int_equal(config_for(&c, "eth9", NULL).queues, 3);
	i = config_for(&c, "eth0", NULL);
	assert_int_equal(i.queues, 6);  /* 10-a over the main file */
	assert_false(i.xps);            /* the main file's, kept */
	assert_true(i.rps);             /* 20-b's */
	assert_true(config_for(&c, "eth1", NULL).rps);
	assert_true(cpuset_empty(cpuset_buf(&c.banned_cpus)));
	assert_false(config_for(&c, "docker0", NULL).exclude);
	assert_true(config_for(&c, "veth0", NULL).exclude);
	/* a merged section stays where it was first opened; a new one names its own file */
	assert_string_equal(config_section_file(&c, &c.sections[0]), "/etc/mqbalance.conf");
	assert_int_equal(c.sections[0].line, 4);
	assert_string_equal(config_section_file(&c, &c.sections[1]), "/etc/mqbalance.conf.d/10-a.conf");
	assert_int_equal(c.sections[1].line, 5);
	assert_int_equal(c.nwarnings, 1);
	assert_string_equal(c.warnings[0], "/etc/mqbalance.conf.d/10-a.conf:2: unknown key 'newkey', ignored");

	/* within one drop-in a repeated key or section is still an error, named there */
	assert_int_equal(config_merge(&c, "[eth0]\nqueues = 1\nqueues = 2\n", "/d/30.conf", err, sizeof(err)),
			 -EINVAL);
	assert_string_equal(err, "/d/30.conf:3: duplicate key 'queues' (first on line 2)");
	assert_int_equal(config_merge(&c, "[eth1]\n[eth1]\n", "/d/40.conf", err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "/d/40.conf:2: duplicate section [eth1] (first on line 1)");
	config_free(&c);
}

static void test_unmatched(void **state)
{
	struct mq_config c;
	struct mq_snapshot s = {0};
	struct mq_nic nics[1] = {{.name = "eth0", .driver = "virtio_net"}};
	struct mq_link_id links[2] = {{"eth0", "virtio_net"}, {"veth3", "veth"}};
	unsigned idx[8];
	char err[256];
	(void)state;
	assert_int_equal(parse("[eth0]\n[eth9]\n[eth*]\n[en*]\n[driver=virtio_net]\n[driver=e1000]\n"
			       "[veth3]\n[driver=veth]\n", &c, err, sizeof(err)), 0);
	s.nics = nics;
	s.nnics = 1;
	s.links = links;
	s.nlinks = 2;
	assert_int_equal(config_unmatched(&c, &s, idx, 8), 3);
	assert_string_equal(c.sections[idx[0]].pattern, "eth9");
	assert_string_equal(c.sections[idx[1]].pattern, "en*");
	assert_string_equal(c.sections[idx[2]].pattern, "e1000");
	/* bounded output, full count: exactly max indices written, none past */
	for (unsigned i = 0; i < 8; i++)
		idx[i] = 99;
	assert_int_equal(config_unmatched(&c, &s, idx, 1), 3);
	assert_string_equal(c.sections[idx[0]].pattern, "eth9");
	assert_int_equal(idx[1], 99);
	assert_int_equal(config_unmatched(&c, &s, idx, 0), 3);
	assert_int_equal(idx[0], 1); /* as before: max 0 writes nothing */
	/* links seen but not selected count too: only the NICs, veth3 is unmatched */
	s.links = NULL;
	s.nlinks = 0;
	assert_int_equal(config_unmatched(&c, &s, idx, 8), 5);
	assert_int_equal(config_unmatched(&c, NULL, NULL, 0), 8);
	config_free(&c);
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
		cmocka_unit_test(test_precedence),
		cmocka_unit_test(test_sections),
		cmocka_unit_test(test_inline_comment),
		cmocka_unit_test(test_warnings),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_unmatched),
	};
	return cmocka_run_group_tests_name("config", tests, NULL, NULL);
}
