// SPDX-License-Identifier: MIT
/*
 * /etc/mqbalance.conf: "key = value" lines, global keys first, then
 * sections ([eth0], [eth*], [driver=virtio_net]) that override the
 * per-interface keys for the interfaces they match. Comments start with # or
 * ; (at the start of a line, or after whitespace). The parser works on the
 * text only, stops at the first problem and names it as "file:line:
 * problem"; an unknown key is only a warning, so that a file written for a
 * newer mqbalance still tunes. No input may crash it (it is fuzzed).
 */
#include <errno.h>
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
	K_RSS,
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
	[K_RSS] = "rss",
	[K_BANNED_CPUS] = "banned_cpus",
	[K_INTERVAL] = "interval",
	[K_PROM_FILE] = "prom_file",
	[K_DRIFT_CHECK] = "drift_check",
};

/* ---- parsing -------------------------------------------------------------- */

struct parser {
	const char *path;
	unsigned line;
	char *err;
	size_t errlen;
	struct mq_config *cfg;
	unsigned file;                /* this file's index in cfg->files */
	int sec;                      /* section being filled: index, SCOPE_GLOBAL or SCOPE_SKIPPED */
	struct mq_section skipped;    /* a section of a kind we do not know: checked, then dropped */
	unsigned seen[_K_MAX];        /* line a key was set on in the current scope, 0 = not yet */
	unsigned opened[MQ_IFS_MAX];  /* line this file opened section i on, 0 = not */
};
#define SCOPE_GLOBAL (-1)
#define SCOPE_SKIPPED (-2)

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

static void warn(struct parser *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warn(struct parser *p, const char *fmt, ...)
{
	struct mq_config *c = p->cfg;
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (c->nwarnings < MQ_WARNINGS_MAX)
		snprintf(c->warnings[c->nwarnings], sizeof(c->warnings[0]), "%s:%u: %s", p->path,
			 p->line, msg);
	if (c->nwarnings < UINT_MAX)
		c->nwarnings++;
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

static void trim(const char **s, size_t *n)
{
	while (*n && is_space(**s)) {
		(*s)++;
		(*n)--;
	}
	while (*n && is_space((*s)[*n - 1]))
		(*n)--;
}

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

/* An interface name (max IF_NAMESIZE), a glob (brackets allowed) or a driver name. */
static bool valid_word(const char *s, size_t n, size_t max, bool brackets)
{
	if (n == 0 || n >= max || word_eq(s, n, ".") || word_eq(s, n, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c <= 0x20 || c == 0x7f || c == '/' || (!brackets && (c == '[' || c == ']')))
			return false;
	}
	return true;
}

static bool valid_ifname(const char *s, size_t n) { return valid_word(s, n, IF_NAMESIZE, false); }

static int parse_exclude_list(struct parser *p, const char *v, size_t n)
{
	size_t i = 0;

	p->cfg->nexclude = 0;
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
		if (p->cfg->nexclude >= MQ_EXCLUDE_MAX)
			return fail(p, "too many names for exclude (at most %d)", MQ_EXCLUDE_MAX);
		memcpy(p->cfg->exclude[p->cfg->nexclude], v + start, i - start);
		p->cfg->exclude[p->cfg->nexclude][i - start] = '\0';
		p->cfg->nexclude++;
	}
	return 0;
}

static struct mq_section *cur_section(struct parser *p)
{
	if (p->sec == SCOPE_SKIPPED)
		return &p->skipped;
	return p->sec >= 0 ? &p->cfg->sections[p->sec] : NULL;
}

/* One key's value into the current scope: the global values or a section. */
static int set_value(struct parser *p, enum key k, const char *v, size_t n)
{
	struct mq_section *sec = cur_section(p);
	struct mq_if_config *c = sec ? &sec->v : &p->cfg->defaults;
	bool global = !sec;
	unsigned long x;
	double d;
	int r;

	switch (k) {
	case K_QUEUES:
		if (word_eq(v, n, "auto") || word_eq(v, n, "max")) {
			c->queues_mode = word_eq(v, n, "max") ? QUEUES_MAX : QUEUES_AUTO;
			c->queues = 0;
			return 0;
		}
		r = parse_unsigned(v, n, MQ_QUEUES_LIMIT, &x);
		if (r < 0 || x == 0)
			return bad_value(p, k, v, n, "auto, max or a number 1..4096");
		c->queues_mode = QUEUES_N;
		c->queues = (unsigned)x;
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
	case K_RSS:
		if (word_eq(v, n, "auto"))
			c->rss = true;
		else if (word_eq(v, n, "off"))
			c->rss = false;
		else
			return bad_value(p, k, v, n, "auto or off");
		return 0;
	case K_BANNED_CPUS: {
		char buf[4096];

		if (word_eq(v, n, "none")) {
			cpuset_zero(cpuset_buf(&p->cfg->banned_cpus));
			return 0;
		}
		if (n >= sizeof(buf) || memchr(v, '\n', n))
			return bad_value(p, k, v, n, "a CPU list like 0-3,8 (CPUs 0..8191) or none");
		memcpy(buf, v, n);
		buf[n] = '\0';
		if (cpuset_parse_list(buf, cpuset_buf(&p->cfg->banned_cpus)) < 0)
			return bad_value(p, k, v, n, "a CPU list like 0-3,8 (CPUs 0..8191) or none");
		return 0;
	}
	case K_INTERVAL:
		if (parse_seconds(v, n, &d) < 0 || d < 0.1 || d > 86400)
			return bad_value(p, k, v, n, "seconds, 0.1..86400");
		p->cfg->interval = d;
		return 0;
	case K_DRIFT_CHECK:
		if (parse_seconds(v, n, &d) < 0 || d < 1 || d > 86400)
			return bad_value(p, k, v, n, "seconds, 1..86400");
		p->cfg->drift_check = d;
		return 0;
	case K_PROM_FILE:
		if (word_eq(v, n, "off")) {
			p->cfg->prom_file[0] = '\0';
			p->cfg->prom_file_set = false;
			return 0;
		}
		if (v[0] != '/' || n >= sizeof(p->cfg->prom_file) || n < 6 ||
		    memcmp(v + n - 5, ".prom", 5) != 0)
			return bad_value(p, k, v, n,
					 "an absolute path ending in .prom (node_exporter reads only "
					 "*.prom), or off");
		memcpy(p->cfg->prom_file, v, n);
		p->cfg->prom_file[n] = '\0';
		p->cfg->prom_file_set = true;
		return 0;
	case _K_MAX:
		break;
	}
	return -EINVAL;
}

static int set_key(struct parser *p, enum key k, const char *v, size_t n)
{
	struct mq_section *sec = cur_section(p);
	int r = set_value(p, k, v, n);

	_Static_assert(MQ_KEY_QUEUES == 1 << K_QUEUES && MQ_KEY_EXCLUDE == 1 << K_EXCLUDE &&
		       MQ_KEY_IRQ_AFFINITY == 1 << K_IRQ_AFFINITY && MQ_KEY_XPS == 1 << K_XPS &&
		       MQ_KEY_RPS == 1 << K_RPS && MQ_KEY_RSS == 1 << K_RSS, "MQ_KEY_* follow enum key");
	if (r == 0 && sec && k < K_FIRST_GLOBAL)
		sec->keys |= 1u << k;
	return r;
}

/* The header's closing ], past nested [...] of a glob's character classes. */
static const char *header_end(const char *s, size_t n)
{
	unsigned depth = 0;

	for (size_t i = 0; i < n; i++)
		if (s[i] == '[')
			depth++;
		else if (s[i] == ']' && --depth == 0)
			return s + i;
	return NULL;
}

/* Open section (m, pattern): a new one, or one an earlier file opened (merge). */
static int open_section(struct parser *p, enum mq_match m, const char *pat, size_t n)
{
	struct mq_config *c = p->cfg;
	struct mq_section *sec;
	char q[200];
	unsigned i;

	for (i = 0; i < c->nsections; i++)
		if (c->sections[i].match == m && strlen(c->sections[i].pattern) == n &&
		    memcmp(c->sections[i].pattern, pat, n) == 0)
			break;
	if (i < c->nsections && p->opened[i])
		return fail(p, "duplicate section %s (first on line %u)",
			    config_section_str(&c->sections[i], q, sizeof(q)), p->opened[i]);
	if (i == c->nsections) {
		if (c->nsections >= MQ_IFS_MAX)
			return fail(p, "too many sections (at most %d)", MQ_IFS_MAX);
		/* Power-of-two sizes: grow when the count reaches one. */
		if ((c->nsections & (c->nsections - 1)) == 0) {
			unsigned cap = c->nsections ? c->nsections * 2 : 1;

			sec = realloc(c->sections, cap * sizeof(*sec));
			if (!sec)
				return -ENOMEM;
			c->sections = sec;
		}
		sec = &c->sections[c->nsections++];
		memset(sec, 0, sizeof(*sec));
		sec->match = m;
		memcpy(sec->pattern, pat, n);
		sec->file = p->file;
		sec->line = p->line;
	}
	p->opened[i] = p->line;
	p->sec = (int)i;
	return 0;
}

static int parse_section(struct parser *p, const char *s, size_t n)
{
	const char *close = header_end(s, n);
	const char *name, *eq;
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
	memset(p->seen, 0, sizeof(p->seen));
	name = s + 1;
	nlen = (size_t)(close - name);
	trim(&name, &nlen);
	if (nlen == 0)
		return fail(p, "section [] has no name");
	eq = memchr(name, '=', nlen);
	if (eq) {
		const char *kind = name, *v = eq + 1;
		size_t klen = (size_t)(eq - name), vlen = nlen - klen - 1;

		trim(&kind, &klen);
		trim(&v, &vlen);
		if (!word_eq(kind, klen, "driver")) {
			/* A newer mqbalance's kind of section: skip it, as an unknown key. */
			warn(p, "unknown kind of section [%s], its keys ignored", quote(q, sizeof(q), name, nlen));
			memset(&p->skipped, 0, sizeof(p->skipped));
			p->sec = SCOPE_SKIPPED;
			return 0;
		}
		if (!valid_word(v, vlen, MQ_MATCH_MAX, false))
			return fail(p, "section [%s] does not name a driver (1..%d characters, no spaces or /)",
				    quote(q, sizeof(q), name, nlen), MQ_MATCH_MAX - 1);
		return open_section(p, MATCH_DRIVER, v, vlen);
	}
	if (memchr(name, '*', nlen) || memchr(name, '?', nlen) || memchr(name, '[', nlen)) {
		if (!valid_word(name, nlen, MQ_MATCH_MAX, true))
			return fail(p, "section [%s] is not an interface pattern (1..%d characters, "
				       "no spaces or /)", quote(q, sizeof(q), name, nlen), MQ_MATCH_MAX - 1);
		return open_section(p, MATCH_GLOB, name, nlen);
	}
	if (!valid_ifname(name, nlen))
		return fail(p, "section [%s] is not an interface name (1..%d characters, no spaces or /)",
			    quote(q, sizeof(q), name, nlen), IF_NAMESIZE - 1);
	return open_section(p, MATCH_NAME, name, nlen);
}

static int parse_line(struct parser *p, const char *s, size_t n)
{
	const char *eq, *key, *v;
	size_t klen, vlen;
	char q[200];
	int k;

	trim(&s, &n);
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
	trim(&v, &vlen);
	for (k = 0; k < _K_MAX; k++)
		if (klen == strlen(key_table[k]) && memcmp(key, key_table[k], klen) == 0)
			break;
	if (k == _K_MAX) {
		warn(p, "unknown key '%s', ignored", quote(q, sizeof(q), key, klen));
		return 0;
	}
	if (k >= K_FIRST_GLOBAL && p->sec != SCOPE_GLOBAL)
		return fail(p, "key '%s' is global: put it before the first [interface] section",
			    key_table[k]);
	if (p->seen[k])
		return fail(p, "duplicate key '%s' (first on line %u)", key_table[k], p->seen[k]);
	if (vlen == 0)
		return fail(p, "missing value for '%s'", key_table[k]);
	p->seen[k] = p->line;
	return set_key(p, (enum key)k, v, vlen);
}

int config_merge(struct mq_config *c, const char *text, const char *path, char *err, size_t errlen)
{
	struct parser *p = calloc(1, sizeof(*p));
	const char *s = text ? text : "";
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!p)
		return -ENOMEM;
	*p = (struct parser){
		.path = path && *path ? path : "(config)",
		.err = err,
		.errlen = errlen,
		.cfg = c,
		.file = c->nfiles,
		.sec = SCOPE_GLOBAL,
	};
	if (c->nfiles >= MQ_FILES_MAX) {
		if (err && errlen)
			snprintf(err, errlen, "%s: too many configuration files (at most %d)", p->path,
				 MQ_FILES_MAX);
		r = -EINVAL;
		goto out;
	}
	c->files[c->nfiles] = strdup(p->path);
	if (!c->files[c->nfiles]) {
		r = -ENOMEM;
		goto out;
	}
	c->nfiles++;
	if ((unsigned char)s[0] == 0xef && (unsigned char)s[1] == 0xbb && (unsigned char)s[2] == 0xbf)
		s += 3; /* UTF-8 byte order mark */
	while (*s) {
		const char *nl = strchr(s, '\n');
		size_t n = nl ? (size_t)(nl - s) : strlen(s);

		p->line++;
		r = parse_line(p, s, n);
		if (r < 0)
			break;
		s += n + (nl ? 1 : 0);
	}
	if (r == -ENOMEM)
		fail(p, "out of memory");
out:
	free(p);
	return r;
}

int config_parse(const char *text, const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	struct mq_config c;
	int r;

	config_init(&c);
	if (path)
		snprintf(c.path, sizeof(c.path), "%s", path);
	r = config_merge(&c, text, path, err, errlen);
	if (r < 0) {
		config_free(&c);
		return r;
	}
	*ret = c;
	return 0;
}
