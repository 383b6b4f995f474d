// SPDX-License-Identifier: MIT
/*
 * /etc/mqbalance.conf: "key = value" lines, global keys first, then [IFNAME]
 * sections that override the per-interface keys for one interface. Comments
 * start with # or ; (at the start of a line, or after whitespace). The parser
 * works on the text only, stops at the first problem and names it as
 * "file:line: problem"; no input may crash it (it is fuzzed).
 */
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"

static const char *const queues_mode_table[_QUEUES_MODE_MAX] = {
	[QUEUES_AUTO] = "auto",
	[QUEUES_MAX] = "max",
	[QUEUES_N] = "number",
};

const char *queues_mode_to_string(enum queues_mode m)
{
	return (unsigned)m < _QUEUES_MODE_MAX ? queues_mode_table[m] : "unknown";
}

enum key {
	K_QUEUES,
	K_EXCLUDE,
	K_IRQ_AFFINITY,
	K_XPS,
	K_RPS,
	K_BANNED_CPUS, /* global only from here on */
	K_INTERVAL,
	K_PROM_FILE,
	K_DRIFT_CHECK,
	_K_MAX,
};
#define K_FIRST_GLOBAL K_BANNED_CPUS

static const char *const key_table[_K_MAX] = {
	[K_QUEUES] = "queues",
	[K_EXCLUDE] = "exclude",
	[K_IRQ_AFFINITY] = "irq_affinity",
	[K_XPS] = "xps",
	[K_RPS] = "rps",
	[K_BANNED_CPUS] = "banned_cpus",
	[K_INTERVAL] = "interval",
	[K_PROM_FILE] = "prom_file",
	[K_DRIFT_CHECK] = "drift_check",
};

static void if_defaults(struct mq_if_config *c)
{
	memset(c, 0, sizeof(*c));
	c->queues_mode = QUEUES_AUTO;
	c->irq_affinity = true;
	c->xps = true;
}

void config_init(struct mq_config *c)
{
	memset(c, 0, sizeof(*c));
	if_defaults(&c->defaults);
	c->defaults_excluded = c->defaults;
	c->defaults_excluded.exclude = true;
	c->interval = 10.0;
	c->drift_check = 30.0;
	snprintf(c->prom_file, sizeof(c->prom_file), "%s", MQ_DEFAULT_PROM_FILE);
}

void config_free(struct mq_config *c)
{
	if (!c)
		return;
	free(c->ifs);
	c->ifs = NULL;
	c->nifs = 0;
}

static bool excluded_by_list(const struct mq_config *c, const char *ifname)
{
	for (unsigned i = 0; i < c->nexclude && i < MQ_EXCLUDE_MAX; i++)
		if (fnmatch(c->exclude[i], ifname, 0) == 0)
			return true;
	return false;
}

const struct mq_if_config *config_for(const struct mq_config *c, const char *ifname)
{
	if (!ifname)
		return &c->defaults;
	for (unsigned i = 0; i < c->nifs; i++)
		if (strcmp(c->ifs[i].name, ifname) == 0)
			return &c->ifs[i];
	return excluded_by_list(c, ifname) ? &c->defaults_excluded : &c->defaults;
}

/* ---- parsing -------------------------------------------------------------- */

struct parser {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
	struct mq_config cfg;
	struct mq_if_config *cur;     /* &cfg.defaults or the current section */
	unsigned seen[_K_MAX];        /* line a key was set on in the current scope, 0 = not yet */
	unsigned *section_line;       /* line of each section header, for duplicate messages */
	unsigned cap;
};

static int fail(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct parser *p, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "%s:%u: %s", p->path, p->line, msg);
	return -EINVAL;
}

/* Quote untrusted bytes for a message: printable ASCII kept, the rest \xNN, long values cut. */
static const char *quote(char *buf, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 8 < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= 40) {
			o += (size_t)snprintf(buf + o, len - o, "...");
			break;
		}
		if (c >= 0x20 && c < 0x7f && c != '\\')
			buf[o++] = (char)c;
		else
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
	}
	buf[o] = '\0';
	return buf;
}

static bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

static bool word_eq(const char *s, size_t n, const char *w)
{
	return strlen(w) == n && strncasecmp(s, w, n) == 0;
}

static int parse_bool(const char *v, size_t n, bool *ret)
{
	static const char *const yes[] = {"yes", "on", "true", "1"}, *const no[] = {"no", "off", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (word_eq(v, n, yes[i])) {
			*ret = true;
			return 0;
		}
		if (word_eq(v, n, no[i])) {
			*ret = false;
			return 0;
		}
	}
	return -EINVAL;
}

static int bad_value(struct parser *p, enum key k, const char *v, size_t n, const char *expected)
{
	char q[200];

	return fail(p, "bad value '%s' for %s: expected %s", quote(q, sizeof(q), v, n), key_table[k],
		    expected);
}

static int parse_unsigned(const char *v, size_t n, unsigned long max, unsigned long *ret)
{
	unsigned long x = 0;

	if (n == 0)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
		x = x * 10 + (unsigned long)(v[i] - '0');
		if (x > max)
			return -ERANGE;
	}
	*ret = x;
	return 0;
}

/* "0.5", "10", "2.25": digits with at most one dot; no signs, exponents, inf or nan. */
static int parse_seconds(const char *v, size_t n, double *ret)
{
	char buf[32], *end;
	unsigned dots = 0, digits = 0;
	double x;

	if (n == 0 || n >= sizeof(buf))
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '.')
			dots++;
		else if (v[i] >= '0' && v[i] <= '9')
			digits++;
		else
			return -EINVAL;
	}
	if (dots > 1 || !digits)
		return -EINVAL;
	memcpy(buf, v, n);
	buf[n] = '\0';
	x = strtod(buf, &end);
	if (*end)
		return -EINVAL;
	*ret = x;
	return 0;
}

static bool valid_ifname(const char *s, size_t n)
{
	if (n == 0 || n >= IF_NAMESIZE || word_eq(s, n, ".") || word_eq(s, n, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '/' || c == '[' || c == ']')
			return false;
	}
	return true;
}

static int parse_exclude_list(struct parser *p, const char *v, size_t n)
{
	size_t i = 0;

	p->cfg.nexclude = 0;
	while (i < n) {
		size_t start;
		char q[200];

		while (i < n && (is_space(v[i]) || v[i] == ','))
			i++;
		if (i >= n)
			break;
		start = i;
		while (i < n && !is_space(v[i]) && v[i] != ',')
			i++;
		if (!valid_ifname(v + start, i - start))
			return fail(p, "bad value '%s' for exclude: expected interface names or patterns "
				       "of at most %d characters (or yes/no inside a section)",
				    quote(q, sizeof(q), v + start, i - start), IF_NAMESIZE - 1);
		if (p->cfg.nexclude >= MQ_EXCLUDE_MAX)
			return fail(p, "too many names for exclude (at most %d)", MQ_EXCLUDE_MAX);
		memcpy(p->cfg.exclude[p->cfg.nexclude], v + start, i - start);
		p->cfg.exclude[p->cfg.nexclude][i - start] = '\0';
		p->cfg.nexclude++;
	}
	return 0;
}

static int set_key(struct parser *p, enum key k, const char *v, size_t n)
{
	struct mq_if_config *c = p->cur;
	bool global = c == &p->cfg.defaults;
	unsigned long x;
	double d;
	int r;

	switch (k) {
	case K_QUEUES:
		if (word_eq(v, n, "auto")) {
			c->queues_mode = QUEUES_AUTO;
			c->queues = 0;
			c->pinned = false;
			return 0;
		}
		if (word_eq(v, n, "max")) {
			c->queues_mode = QUEUES_MAX;
			c->queues = 0;
			c->pinned = true;
			return 0;
		}
		r = parse_unsigned(v, n, MQ_QUEUES_LIMIT, &x);
		if (r < 0 || x == 0)
			return bad_value(p, k, v, n, "auto, max or a number 1..4096");
		c->queues_mode = QUEUES_N;
		c->queues = (unsigned)x;
		c->pinned = true;
		return 0;
	case K_EXCLUDE:
		if (global)
			return parse_exclude_list(p, v, n);
		if (parse_bool(v, n, &c->exclude) < 0)
			return bad_value(p, k, v, n, "yes or no");
		return 0;
	case K_IRQ_AFFINITY:
		if (word_eq(v, n, "spread"))
			c->irq_affinity = true;
		else if (word_eq(v, n, "off"))
			c->irq_affinity = false;
		else
			return bad_value(p, k, v, n, "spread or off");
		return 0;
	case K_XPS:
		if (parse_bool(v, n, &c->xps) < 0)
			return bad_value(p, k, v, n, "on or off");
		return 0;
	case K_RPS:
		if (parse_bool(v, n, &c->rps) < 0)
			return bad_value(p, k, v, n, "on or off");
		return 0;
	case K_BANNED_CPUS: {
		char buf[4096];

		if (word_eq(v, n, "none")) {
			cpuset_zero(&p->cfg.banned_cpus);
			return 0;
		}
		if (n >= sizeof(buf) || memchr(v, '\n', n))
			return bad_value(p, k, v, n, "a CPU list like 0-3,8 (CPUs 0..1023) or none");
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (cpuset_parse_list(buf, &p->cfg.banned_cpus) < 0)
			return bad_value(p, k, v, n, "a CPU list like 0-3,8 (CPUs 0..1023) or none");
		return 0;
	}
	case K_INTERVAL:
		if (parse_seconds(v, n, &d) < 0 || d < 0.1 || d > 86400)
			return bad_value(p, k, v, n, "seconds, 0.1..86400");
		p->cfg.interval = d;
		return 0;
	case K_DRIFT_CHECK:
		if (parse_seconds(v, n, &d) < 0 || d < 1 || d > 86400)
			return bad_value(p, k, v, n, "seconds, 1..86400");
		p->cfg.drift_check = d;
		return 0;
	case K_PROM_FILE:
		if (word_eq(v, n, "off")) {
			p->cfg.prom_file[0] = '\0';
			p->cfg.prom_file_set = false;
			return 0;
		}
		if (v[0] != '/' || n >= sizeof(p->cfg.prom_file) || n < 6 ||
		    memcmp(v + n - 5, ".prom", 5) != 0)
			return bad_value(p, k, v, n,
					 "an absolute path ending in .prom (node_exporter reads only "
					 "*.prom), or off");
		memcpy(p->cfg.prom_file, v, n);
		p->cfg.prom_file[n] = '\0';
		p->cfg.prom_file_set = true;
		return 0;
	case _K_MAX:
		break;
	}
	return -EINVAL;
}

static int parse_section(struct parser *p, const char *s, size_t n)
{
	const char *close = memchr(s, ']', n);
	const char *name;
	size_t nlen, rest;
	char q[200];

	if (!close)
		return fail(p, "section header '%s' has no closing ]", quote(q, sizeof(q), s, n));
	rest = n - (size_t)(close + 1 - s);
	for (size_t i = 0; i < rest; i++) {
		char c = close[1 + i];

		if (c == '#' || c == ';')
			break;
		if (!is_space(c))
			return fail(p, "unexpected '%s' after section header",
				    quote(q, sizeof(q), close + 1 + i, rest - i));
	}
	name = s + 1;
	nlen = (size_t)(close - name);
	while (nlen && is_space(*name)) {
		name++;
		nlen--;
	}
	while (nlen && is_space(name[nlen - 1]))
		nlen--;
	if (nlen == 0)
		return fail(p, "section [] has no name");
	if (!valid_ifname(name, nlen))
		return fail(p, "section [%s] is not an interface name (1..%d characters, no spaces or /)",
			    quote(q, sizeof(q), name, nlen), IF_NAMESIZE - 1);
	for (unsigned i = 0; i < p->cfg.nifs; i++)
		if (strlen(p->cfg.ifs[i].name) == nlen && memcmp(name, p->cfg.ifs[i].name, nlen) == 0)
			return fail(p, "duplicate section [%s] (first on line %u)", p->cfg.ifs[i].name,
				    p->section_line[i]);
	if (p->cfg.nifs >= MQ_IFS_MAX)
		return fail(p, "too many sections (at most %d)", MQ_IFS_MAX);
	if (p->cfg.nifs == p->cap) {
		unsigned cap = p->cap ? p->cap * 2 : 8;
		struct mq_if_config *ifs = realloc(p->cfg.ifs, cap * sizeof(*ifs));
		unsigned *lines;

		if (!ifs)
			return -ENOMEM;
		p->cfg.ifs = ifs;
		lines = realloc(p->section_line, cap * sizeof(*lines));
		if (!lines)
			return -ENOMEM;
		p->section_line = lines;
		p->cap = cap;
	}
	p->cur = &p->cfg.ifs[p->cfg.nifs];
	*p->cur = p->cfg.defaults;
	memcpy(p->cur->name, name, nlen);
	p->cur->name[nlen] = '\0';
	p->cur->exclude = p->cfg.defaults.exclude || excluded_by_list(&p->cfg, p->cur->name);
	p->section_line[p->cfg.nifs] = p->line;
	p->cfg.nifs++;
	memset(p->seen, 0, sizeof(p->seen));
	return 0;
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	const char *eq, *key, *v;
	size_t klen, vlen;
	char q[200];
	int k;

	while (n && is_space(*s)) {
		s++;
		n--;
	}
	while (n && is_space(s[n - 1]))
		n--;
	if (n == 0 || s[0] == '#' || s[0] == ';')
		return 0;
	if (s[0] == '[')
		return parse_section(p, s, n);
	eq = memchr(s, '=', n);
	if (!eq)
		return fail(p, "expected 'key = value' or '[interface]', got '%s'", quote(q, sizeof(q), s, n));
	key = s;
	klen = (size_t)(eq - s);
	while (klen && is_space(key[klen - 1]))
		klen--;
	if (klen == 0)
		return fail(p, "missing key before '='");
	v = eq + 1;
	vlen = n - (size_t)(v - s);
	/* An inline comment starts with # or ; after whitespace. */
	for (size_t i = 1; i < vlen; i++)
		if ((v[i] == '#' || v[i] == ';') && is_space(v[i - 1])) {
			vlen = i;
			break;
		}
	while (vlen && is_space(*v)) {
		v++;
		vlen--;
	}
	while (vlen && is_space(v[vlen - 1]))
		vlen--;
	for (k = 0; k < _K_MAX; k++)
		if (klen == strlen(key_table[k]) && memcmp(key, key_table[k], klen) == 0)
			break;
	if (k == _K_MAX)
		return fail(p, "unknown key '%s'", quote(q, sizeof(q), key, klen));
	if (k >= K_FIRST_GLOBAL && p->cur != &p->cfg.defaults)
		return fail(p, "key '%s' is global: put it before the first [interface] section",
			    key_table[k]);
	if (p->seen[k])
		return fail(p, "duplicate key '%s' (first on line %u)", key_table[k], p->seen[k]);
	if (vlen == 0)
		return fail(p, "missing value for '%s'", key_table[k]);
	p->seen[k] = p->line;
	return set_key(p, (enum key)k, v, vlen);
}

int config_parse(const char *text, const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	struct parser p = {
		.path = path && *path ? path : "(config)",
		.err = err,
		.errlen = errlen,
	};
	const char *s = text ? text : "";
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	config_init(&p.cfg);
	p.cur = &p.cfg.defaults;
	if (path)
		snprintf(p.cfg.path, sizeof(p.cfg.path), "%s", path);
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf)
		s += 3; /* UTF-8 byte order mark */
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		p.line++;
		r = parse_line(&p, s, n);
		if (r < 0)
			break;
		s += n + (nl ? 1 : 0);
	}
	free(p.section_line);
	if (r < 0) {
		if (r == -ENOMEM)
			fail(&p, "out of memory");
		config_free(&p.cfg);
		return r;
	}
	p.cfg.defaults_excluded = p.cfg.defaults;
	p.cfg.defaults_excluded.exclude = true;
	*ret = p.cfg;
	return 0;
}
