// SPDX-License-Identifier: MIT
/*
 * The driver table (core/driver_table.c) and its interpreters (core/driver.c).
 * Every row has a fixture, tests/data/driver/NAME.txt (format in the README
 * there); the walk fails for a row without one and for any IRQ pattern, ethtool
 * shape or host-side rule that no fixture line exercises.
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

#include "core/driver.h"

#define MAX_ROWS 64
#define MAX_PATTERNS 16

struct coverage {
	unsigned irq[MAX_ROWS][MAX_PATTERNS], stat[MAX_ROWS][MAX_PATTERNS];
	unsigned fix[_DRIVER_HOST_MAX], at_limit[_DRIVER_HOST_MAX];
};

/* Where a matched pattern sits: in row d if it is d's, else the first row that has it. */
static void hit_irq(struct coverage *cov, const struct mq_driver *d, const char *pattern)
{
	for (unsigned pass = 0; pass < 2; pass++)
		for (unsigned r = 0; r < driver_table_n; r++) {
			const struct mq_driver *row = &driver_table[r];

			if (pass == 0 && row != d)
				continue;
			for (unsigned i = 0; row->irqs[i].pattern; i++)
				if (row->irqs[i].pattern == pattern) {
					cov->irq[r][i]++;
					return;
				}
		}
	fail_msg("pattern %s is in no row", pattern);
}

static void hit_stat(struct coverage *cov, const struct mq_driver *d, const char *pattern)
{
	unsigned r = (unsigned)(d - driver_table);

	for (unsigned i = 0; d->stats[i].pattern; i++)
		if (d->stats[i].pattern == pattern) {
			cov->stat[r][i]++;
			return;
		}
	fail_msg("shape %s is not %s's", pattern, d->name);
}

/* Split line into blank-separated tokens; "..." is one token (quotes dropped). */
static int split(char *p, char **tok, int max, const char *where)
{
	int n = 0;

	for (;;) {
		while (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
			p++;
		if (!*p || *p == '#')
			return n;
		if (n == max)
			fail_msg("%s: too many fields", where);
		if (*p == '"') {
			char *end = strchr(p + 1, '"');

			if (!end)
				fail_msg("%s: unterminated quote", where);
			tok[n++] = p + 1;
			*end = '\0';
			p = end + 1;
			continue;
		}
		tok[n++] = p;
		while (*p && *p != ' ' && *p != '\t' && *p != '\n' && *p != '\r')
			p++;
		if (*p)
			*p++ = '\0';
	}
}

static unsigned parse_flags(const char *s, const char *where)
{
	static const char *const names[] = {"alone", "block", "after_tx", "rebase"};
	unsigned flags = 0;
	char buf[64];

	snprintf(buf, sizeof(buf), "%s", s);
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		unsigned i = 0;

		while (i < 4 && strcmp(t, names[i]) != 0)
			i++;
		if (i == 4)
			fail_msg("%s: unknown flag %s", where, t);
		flags |= 1u << i;
	}
	return flags;
}

static void check_irq(struct coverage *cov, const struct mq_driver *d, char **t, int n,
		      const char *where)
{
	struct driver_irq m;
	int r, queue;

	if (n != 6 && n != 7)
		fail_msg("%s: irq IFNAME DEV NAME ROLE QUEUE [FLAGS]", where);
	r = driver_irq_classify(d, t[1], strcmp(t[2], "-") ? t[2] : NULL, t[3], &m);
	queue = atoi(t[5]);
	if (strcmp(irq_role_to_string(m.role), t[4]) != 0 || m.queue != queue ||
	    m.flags != (n == 7 ? parse_flags(t[6], where) : 0))
		fail_msg("%s: %s \"%s\": got %s %d flags %#x, want %s %d %s", where, d->name, t[3],
			 irq_role_to_string(m.role), m.queue, m.flags, t[4], queue, n == 7 ? t[6] : "");
	assert_int_equal(r, m.role != IRQ_ROLE_OTHER);
	if (r == 1)
		hit_irq(cov, d, m.pattern);
	else
		assert_null(m.pattern);
}

static void check_stat(struct coverage *cov, const struct mq_driver *d, char **t, int n,
		       const char *where)
{
	struct driver_stat st = {.queue = 4242, .field = _STATS_COL_MAX};
	int r = driver_stat_match(d, t[1], &st);

	if (n == 3 && strcmp(t[2], "-") == 0) {
		if (r != 0)
			fail_msg("%s: %s \"%s\" matched %s", where, d->name, t[1], st.pattern);
		assert_int_equal(st.queue, 4242); /* untouched */
		return;
	}
	if (n != 4)
		fail_msg("%s: stat KEY FIELD QUEUE, or stat KEY -", where);
	if (r != 1 || strcmp(stats_col_to_string(st.field), t[2]) != 0 ||
	    st.queue != (unsigned)atoi(t[3]))
		fail_msg("%s: %s \"%s\": got %d %s %u, want %s %s", where, d->name, t[1], r,
			 stats_col_to_string(st.field), st.queue, t[2], t[3]);
	hit_stat(cov, d, st.pattern);
}

static void check_fix(struct coverage *cov, const char *driver, char **t, int n, const char *where)
{
	struct mq_platform p = {0};
	struct mq_nic nic = {0};
	unsigned max = 0, want = 0;
	const struct driver_host_rule *rule;
	char buf[256];
	bool ok;
	int i;

	for (i = 1; i < n && strcmp(t[i], "->") != 0; i++) {
		const char *v = strchr(t[i], '=');

		if (!v)
			fail_msg("%s: %s is not key=value", where, t[i]);
		v++;
		if (!strncmp(t[i], "cloud=", 6))
			snprintf(p.cloud, sizeof(p.cloud), "%s", v);
		else if (!strncmp(t[i], "hv=", 3))
			snprintf(p.hypervisor, sizeof(p.hypervisor), "%s", v);
		else if (!strncmp(t[i], "vendor=", 7))
			snprintf(p.sys_vendor, sizeof(p.sys_vendor), "%s", v);
		else if (!strncmp(t[i], "product=", 8))
			snprintf(p.product_name, sizeof(p.product_name), "%s", v);
		else if (!strncmp(t[i], "max=", 4))
			max = (unsigned)atoi(v);
		else if (!strncmp(t[i], "want=", 5))
			want = (unsigned)atoi(v);
		else
			fail_msg("%s: unknown key %s", where, t[i]);
	}
	if (i + 3 != n || (strcmp(t[i + 1], "fix") && strcmp(t[i + 1], "none")))
		fail_msg("%s: fix ... -> fix|none \"TEXT\"", where);
	snprintf(nic.driver, sizeof(nic.driver), "%s", driver);
	ok = driver_host_fix(&p, &nic, max, want, buf, sizeof(buf));
	if (ok != (strcmp(t[i + 1], "fix") == 0) || strcmp(buf, t[i + 2]) != 0)
		fail_msg("%s: %s: got %s \"%s\"\n  want %s \"%s\"", where, driver, ok ? "fix" : "none",
			 buf, t[i + 1], t[i + 2]);
	rule = driver_host_rule(&p, driver);
	if (ok)
		cov->fix[rule - driver_host_rules]++;
	else
		cov->at_limit[rule - driver_host_rules]++;
}

static const char *data_dir(void)
{
	const char *d = getenv("MQ_TEST_DATA");

	return d && *d ? d : "tests/data";
}

/* One row's fixture; counts of irq, stat and fix lines in *ret. */
static void run_fixture(struct coverage *cov, const struct mq_driver *row, unsigned ret[3])
{
	char path[4096], line[1024], where[4200], driver[32];
	const struct mq_driver *d = row;
	unsigned lineno = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/driver/%s.txt", data_dir(), row->name);
	f = fopen(path, "r");
	if (!f)
		fail_msg("row %s has no fixture %s: add one (tests/data/driver/README)", row->name, path);
	snprintf(driver, sizeof(driver), "%s", row->name);
	while (fgets(line, sizeof(line), f)) {
		char *t[16];
		int n;

		snprintf(where, sizeof(where), "%s:%u", path, ++lineno);
		n = split(line, t, 16, where);
		if (n == 0)
			continue;
		if (!strcmp(t[0], "driver") && n == 2) {
			snprintf(driver, sizeof(driver), "%s", t[1]);
			d = driver_find(driver);
		} else if (!strcmp(t[0], "irq")) {
			check_irq(cov, d, t, n, where);
			ret[0]++;
		} else if (!strcmp(t[0], "stat") && n >= 3) {
			check_stat(cov, d, t, n, where);
			ret[1]++;
		} else if (!strcmp(t[0], "fix")) {
			check_fix(cov, driver, t, n, where);
			ret[2]++;
		} else {
			fail_msg("%s: unknown line", where);
		}
	}
	fclose(f);
}

/* Every row has a fixture, and every pattern, shape and host-side rule is exercised. */
static void test_walk(void **state)
{
	static struct coverage cov;
	unsigned lines = 0;
	(void)state;

	assert_true(driver_table_n <= MAX_ROWS);
	for (unsigned r = 0; r < driver_table_n; r++) {
		unsigned n[3] = {0};

		run_fixture(&cov, &driver_table[r], n);
		if (!n[0] || !n[1] || !n[2])
			fail_msg("fixture of %s needs irq, stat and fix lines (has %u, %u, %u)",
				 driver_table[r].name, n[0], n[1], n[2]);
		lines += n[0] + n[1] + n[2];
	}
	for (unsigned r = 0; r < driver_table_n; r++) {
		const struct mq_driver *d = &driver_table[r];

		for (unsigned i = 0; d->irqs[i].pattern; i++)
			if (!cov.irq[r][i])
				fail_msg("%s: no fixture line matches IRQ pattern %s", d->name, d->irqs[i].pattern);
		for (unsigned i = 0; d->stats[i].pattern; i++)
			if (!cov.stat[r][i])
				fail_msg("%s: no fixture line matches ethtool shape %s", d->name,
					 d->stats[i].pattern);
	}
	for (unsigned i = DRIVER_HOST_NONE + 1; i < _DRIVER_HOST_MAX; i++) {
		if (!cov.fix[i])
			fail_msg("host rule %s: no fixture line gets its fix", driver_host_rules[i].name);
		if (driver_host_rules[i].limit && !cov.at_limit[i])
			fail_msg("host rule %s: no fixture line reaches its limit", driver_host_rules[i].name);
	}
	print_message("  %u rows, %u fixture lines\n", driver_table_n, lines);
}

static unsigned count(const char *s, const char *sub)
{
	unsigned n = 0;

	for (; (s = strstr(s, sub)); s++)
		n++;
	return n;
}

/* Braces only around the tokens the matcher knows. */
static void check_pattern(const char *p, const char *row)
{
	static const char *const tokens[] = {"{q}", "{if}", "{dev}", "{*}"};

	for (const char *b = strchr(p, '{'); b; b = strchr(b + 1, '{')) {
		unsigned i = 0;

		while (i < 4 && strncmp(b, tokens[i], strlen(tokens[i])) != 0)
			i++;
		if (i == 4)
			fail_msg("%s: pattern %s: unknown token at %s", row, p, b);
	}
	assert_true(count(p, "{q}") <= 1);
	assert_true(count(p, "{*}") <= 2);
}

static void test_table(void **state)
{
	const struct mq_driver *other = &driver_table[driver_table_n - 1];
	(void)state;

	assert_string_equal(other->name, "other");
	assert_ptr_equal(driver_find(NULL), other);
	assert_ptr_equal(driver_find(""), other);
	assert_ptr_equal(driver_find("no_such_driver"), other);
	for (unsigned r = 0; r < driver_table_n; r++) {
		const struct mq_driver *d = &driver_table[r];

		assert_true(d->name && *d->name && d->source && *d->source);
		assert_true(d->irqs && d->stats && (unsigned)d->host < DRIVER_HOST_GENERIC);
		if (d != other) {
			assert_ptr_equal(driver_find(d->name), d);
			if (d->alias)
				assert_ptr_equal(driver_find(d->alias), d);
		}
		for (unsigned i = 0; d->irqs[i].pattern; i++) {
			assert_true(i + 1 < MAX_PATTERNS);
			check_pattern(d->irqs[i].pattern, d->name);
			assert_true((unsigned)d->irqs[i].role < IRQ_ROLE_OTHER);
			assert_true(d->irqs[i].flags < (1u << 4));
			/* {dev} needs the row's device word. */
			assert_true(!strstr(d->irqs[i].pattern, "{dev}") || d->dev);
		}
		for (unsigned i = 0; d->stats[i].pattern; i++) {
			const char *p = d->stats[i].pattern;

			assert_true(i + 1 < MAX_PATTERNS);
			check_pattern(p, d->name);
			/* The stat fast path compares first characters: a literal first, one queue. */
			assert_true(p[0] != '{' && count(p, "{q}") == 1 && !strstr(p, "{if}"));
			assert_true((unsigned)d->stats[i].field < _STATS_COL_MAX);
		}
	}
	assert_string_equal(stats_col_to_string(STATS_COL_TX_DROPS), "tx_drops");
	assert_string_equal(stats_col_to_string(_STATS_COL_MAX), "invalid");
}

/*
 * Every rule's texts expand fully (no brace left) and fit a finding's 256
 * bytes with 4-digit queue counts: every row's driver on a platform made of
 * every rule's conditions, below and at the limit.
 */
static void test_host_texts(void **state)
{
	(void)state;
	for (unsigned i = DRIVER_HOST_NONE + 1; i < _DRIVER_HOST_MAX; i++) {
		const struct driver_host_rule *r = &driver_host_rules[i];
		struct mq_platform p = {0};

		assert_non_null(r->fix);
		assert_true(!r->limit == !r->at_limit);
		snprintf(p.cloud, sizeof(p.cloud), "%s", r->cloud ? r->cloud : "");
		snprintf(p.hypervisor, sizeof(p.hypervisor), "%s", r->hypervisor ? r->hypervisor : "");
		snprintf(p.sys_vendor, sizeof(p.sys_vendor), "%s", r->vendor ? r->vendor : "");
		snprintf(p.product_name, sizeof(p.product_name), "%s", r->product ? r->product : "");
		for (unsigned k = 0; k < driver_table_n; k++) {
			struct mq_nic nic = {0};
			char buf[256];

			snprintf(nic.driver, sizeof(nic.driver), "%s", driver_table[k].name);
			for (unsigned max = 1; max <= 1024; max *= 1024) {
				bool ok = driver_host_fix(&p, &nic, max, 9999, buf, sizeof(buf));

				assert_true(strlen(buf) < sizeof(buf) - 1);
				assert_null(strchr(buf, '{'));
				assert_non_null(strstr(buf, ok ? "host side: " : "none: "));
			}
		}
	}
}

static void test_host_buffer(void **state)
{
	struct mq_platform p = {0};
	struct mq_nic n = {0};
	char buf[16];
	(void)state;

	snprintf(n.driver, sizeof(n.driver), "%s", "virtio_net");
	memset(buf, 'x', sizeof(buf));
	assert_true(driver_host_fix(&p, &n, 1, 4, buf, 1));
	assert_string_equal(buf, "");
	assert_int_equal(buf[1], 'x');
	memset(buf, 'x', sizeof(buf));
	assert_true(driver_host_fix(&p, &n, 1, 4, buf, 10));
	assert_string_equal(buf, "host side");
	assert_int_equal(buf[10], 'x');
	assert_true(driver_host_fix(&p, &n, 1, 12, buf, sizeof(buf)));
	assert_string_equal(buf, "host side: qemu");
	assert_true(driver_host_fix(&p, &n, 1, 4, NULL, 0));
	assert_true(driver_host_fix(NULL, NULL, 1, 4, buf, sizeof(buf)));
	assert_string_equal(buf, "host side: give");
	/* At the limit: false, whatever the buffer. */
	snprintf(n.driver, sizeof(n.driver), "%s", "ENA");
	assert_false(driver_host_fix(NULL, &n, 32, 64, NULL, 0));
	assert_false(driver_host_fix(NULL, &n, 33, 64, buf, sizeof(buf)));
	assert_string_equal(buf, "none: AWS ENA a");
	assert_true(driver_host_fix(NULL, &n, 31, 64, buf, sizeof(buf)));
}

static void test_dev_prefix(void **state)
{
	static const struct {
		const char *link, *want;
	} cases[] = {
		{"virtio2", "virtio2"}, {"virtio0", "virtio0"}, {"vif-0", "vif0"}, {"vif-12", "vif12"},
		{"virtio", NULL},       {"virtio2x", NULL},     {"virtio-2", "virtio2"},
		{"vif-", NULL},         {"vif0", "vif0"},       {"0000:00:03.0", NULL},
		{"", NULL},             {"virtio99999999", NULL},
	};
	char buf[32];
	(void)state;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bool got;

		strcpy(buf, "untouched");
		got = driver_dev_prefix(cases[i].link, buf, sizeof(buf));
		if (got != (cases[i].want != NULL) || strcmp(buf, cases[i].want ? cases[i].want : "untouched"))
			fail_msg("%s: got %d %s", cases[i].link, got, buf);
	}
	assert_false(driver_dev_prefix(NULL, buf, sizeof(buf)));
	assert_false(driver_dev_prefix("virtio2", NULL, 0));
	assert_true(driver_dev_prefix("virtio12", buf, 4));
	assert_string_equal(buf, "vir");
}

static void test_args(void **state)
{
	struct driver_irq m;
	struct driver_stat st;
	(void)state;

	assert_int_equal(driver_irq_classify(NULL, NULL, NULL, "eth0-TxRx-1", &m), 0);
	assert_int_equal(m.role, IRQ_ROLE_OTHER);
	assert_int_equal(m.queue, -1);
	assert_int_equal(driver_irq_classify(NULL, "eth0", NULL, "eth0-TxRx-1", &m), 1);
	assert_true(m.ours);
	assert_int_equal(driver_irq_classify(NULL, "eth0", NULL, NULL, &m), -EINVAL);
	assert_int_equal(driver_irq_classify(NULL, "eth0", NULL, "eth0", NULL), -EINVAL);
	assert_int_equal(driver_stat_match(NULL, NULL, &st), 0);
	assert_int_equal(driver_stat_match(NULL, "rx_queue_0_packets", NULL), 1);
	/* ours: the interface name or the given device, not a guessed device number. */
	assert_int_equal(driver_irq_classify(driver_find("virtio_net"), "eth0", "virtio2",
					     "virtio2-input.1", &m), 1);
	assert_true(m.ours);
	assert_int_equal(driver_irq_classify(driver_find("virtio_net"), "eth0", NULL,
					     "virtio2-input.1", &m), 1);
	assert_false(m.ours);
	assert_int_equal(driver_irq_classify(driver_find("ena"), "ens5", NULL,
					     "ena-mgmnt@pci:0000:00:05.0", &m), 1);
	assert_false(m.ours);
}

/* Every byte value in every position of real names: never a crash, always in range. */
static void test_bytes(void **state)
{
	static const struct {
		const char *driver, *name;
	} names[] = {
		{"", "eth0-TxRx-1"}, {"virtio_net", "virtio2-input.3"}, {"gve", "gve-ntfy-blk3@pci:x"},
		{"vif", "vif0-q0-tx"}, {"i40e", "i40e-eth0:misc"},
	};
	(void)state;

	for (size_t k = 0; k < sizeof(names) / sizeof(names[0]); k++) {
		const struct mq_driver *d = driver_find(names[k].driver);
		char s[32];

		snprintf(s, sizeof(s), "%s", names[k].name);
		for (size_t pos = 0; s[pos]; pos++) {
			char orig = s[pos];

			for (int c = 1; c < 256; c++) {
				struct driver_irq m;

				s[pos] = (char)c;
				assert_true(driver_irq_classify(d, "eth0", "virtio2", s, &m) >= 0);
				assert_true(m.queue >= -1 && m.queue <= DRIVER_MAX_QUEUE);
			}
			s[pos] = orig;
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk),        cmocka_unit_test(test_table),
		cmocka_unit_test(test_host_texts),  cmocka_unit_test(test_host_buffer),
		cmocka_unit_test(test_dev_prefix),  cmocka_unit_test(test_args),
		cmocka_unit_test(test_bytes),
	};
	return cmocka_run_group_tests_name("driver", tests, NULL, NULL);
}
