// SPDX-License-Identifier: MIT
/*
 * Interprets the driver table (core/driver_table.c): pattern matching for IRQ
 * names and `ethtool -S` keys, and the host-side fix text. Pure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/driver.h"

static const struct mq_driver *other_row(void) { return &driver_table[driver_table_n - 1]; }

const struct mq_driver *driver_find(const char *name)
{
	if (name && *name)
		for (unsigned i = 0; i + 1 < driver_table_n; i++) {
			const struct mq_driver *d = &driver_table[i];

			if (strcasecmp(name, d->name) == 0 || (d->alias && strcasecmp(name, d->alias) == 0))
				return d;
		}
	return other_row();
}

static bool is_digit(char c) { return c >= '0' && c <= '9'; }

/* Decimal digits at *s, at most DRIVER_MAX_QUEUE (which also stops overflow). */
static bool take_number(const char **s, int *ret)
{
	const char *p = *s;
	long v = 0;

	if (!is_digit(*p))
		return false;
	for (; is_digit(*p); p++) {
		v = v * 10 + (*p - '0');
		if (v > DRIVER_MAX_QUEUE)
			return false;
	}
	*s = p;
	*ret = (int)v;
	return true;
}

bool driver_dev_prefix(const char *devlink, char *buf, size_t len)
{
	if (!devlink || !buf || !len)
		return false;
	for (unsigned i = 0; i < driver_table_n; i++) {
		const char *w = driver_table[i].dev, *p = devlink;
		int n;

		if (!w || strncmp(p, w, strlen(w)) != 0)
			continue;
		p += strlen(w);
		if (*p == '-')
			p++; /* xenbus: "vif-0" */
		if (!take_number(&p, &n) || *p)
			continue;
		snprintf(buf, len, "%s%d", w, n);
		return true;
	}
	return false;
}

/* What a pattern may refer to, and what a match found. */
struct mctx {
	const char *ifname, *dev; /* "" when unknown */
	const char *devword;      /* {dev} without dev: this word and a number; NULL: no match */
	int q;
	bool ours;
};

static bool token(const char **p, const char *t)
{
	size_t n = strlen(t);

	if (strncmp(*p, t, n) != 0)
		return false;
	*p += n;
	return true;
}

/* The whole of s against pattern p. Recursion only at {*}: patterns have one or two. */
static bool match(const char *p, const char *s, struct mctx *c)
{
	while (*p) {
		if (token(&p, "{q}")) {
			if (!take_number(&s, &c->q))
				return false;
		} else if (token(&p, "{if}")) {
			size_t n = strlen(c->ifname);

			if (!n || strncmp(s, c->ifname, n) != 0)
				return false;
			s += n;
			c->ours = true;
		} else if (token(&p, "{dev}")) {
			size_t n = strlen(c->dev);
			int unused;

			if (n && strncmp(s, c->dev, n) == 0) {
				s += n;
				c->ours = true;
			} else if (n || !c->devword || !token(&s, c->devword) || !take_number(&s, &unused)) {
				return false;
			}
		} else if (token(&p, "{*}")) {
			struct mctx save = *c;

			for (;; s++) {
				if (match(p, s, c))
					return true;
				*c = save;
				if (!*s)
					return false;
			}
		} else if (*p++ != *s++) {
			return false;
		}
	}
	return *s == '\0';
}

static const struct driver_irq_pattern *match_irqs(const struct driver_irq_pattern *list,
						   const char *s, struct mctx *c)
{
	for (const struct driver_irq_pattern *x = list; x->pattern; x++) {
		struct mctx t = *c;

		if (match(x->pattern, s, &t)) {
			*c = t;
			return x;
		}
	}
	return NULL;
}

/* One action name: the driver's own patterns, or every row's for "other". */
static const struct driver_irq_pattern *classify_one(const struct mq_driver *d, const char *ifname,
						     const char *dev, const char *s, struct mctx *c)
{
	const struct driver_irq_pattern *x;

	*c = (struct mctx){.ifname = ifname, .dev = dev, .q = -1};
	if (d != other_row()) {
		c->devword = d->dev;
		return match_irqs(d->irqs, s, c);
	}
	for (unsigned i = 0; i < driver_table_n; i++)
		if ((x = match_irqs(driver_table[i].irqs, s, c)))
			return x;
	return NULL;
}

int driver_irq_classify(const struct mq_driver *d, const char *ifname, const char *dev,
			const char *name, struct driver_irq *ret)
{
	const char *p;

	if (!name || !ret)
		return -EINVAL;
	if (!d)
		d = other_row();
	*ret = (struct driver_irq){.role = IRQ_ROLE_OTHER, .queue = -1};
	/* /proc/interrupts joins shared actions with ", ". */
	for (p = name; *p;) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char tok[2 * MQ_NAME_MAX];
		const struct driver_irq_pattern *x;
		struct mctx c;

		while (n && *p == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		if (n < sizeof(tok)) {
			memcpy(tok, p, n);
			tok[n] = '\0';
			x = classify_one(d, ifname ? ifname : "", dev ? dev : "", tok, &c);
			if (x) {
				/* The bare name serves queue 0 when it is the only vector;
				 * a config vector's number ("-event-8") is no queue. */
				if (c.q < 0 && (x->flags & DRIVER_IRQ_ALONE))
					c.q = 0;
				if (x->role != IRQ_ROLE_RX && x->role != IRQ_ROLE_TX &&
				    x->role != IRQ_ROLE_RXTX)
					c.q = -1;
				*ret = (struct driver_irq){x->role, c.q, x->flags, c.ours, x->pattern};
				return 1;
			}
		}
		if (!end)
			break;
		p = end + 1;
	}
	return 0;
}

int driver_stat_match(const struct mq_driver *d, const char *key, struct driver_stat *ret)
{
	if (!key || !*key)
		return 0;
	if (!d)
		d = other_row();
	for (const struct driver_stat_shape *x = d->stats; x->pattern; x++) {
		struct mctx c = {.ifname = "", .dev = "", .q = -1};

		/* Most keys fail on the first character: cheap for hundreds of counters. */
		if (x->pattern[0] == key[0] && match(x->pattern, key, &c) && c.q >= 0) {
			if (ret)
				*ret = (struct driver_stat){(unsigned)c.q, x->field, x->pattern};
			return 1;
		}
	}
	return 0;
}

unsigned driver_stat_cols(const struct mq_driver *d)
{
	unsigned cols = 0;

	if (!d)
		d = other_row();
	for (const struct driver_stat_shape *x = d->stats; x->pattern; x++)
		cols |= STATS_COL_BIT(x->field);
	return cols;
}

/* ---- host side ------------------------------------------------------------- */

static bool eq_ci(const char *have, const char *want) { return want && strcasecmp(have, want) == 0; }
static bool has_ci(const char *have, const char *want) { return want && strcasestr(have, want); }

const struct driver_host_rule *driver_host_rule(const struct mq_platform *p, const char *driver)
{
	static const struct mq_platform unknown;
	const struct mq_driver *d = driver_find(driver);

	if (!p)
		p = &unknown;
	for (unsigned i = DRIVER_HOST_NONE + 1; i < DRIVER_HOST_GENERIC; i++) {
		const struct driver_host_rule *r = &driver_host_rules[i];

		if ((unsigned)d->host == i || eq_ci(p->cloud, r->cloud) || eq_ci(p->hypervisor, r->hypervisor) ||
		    has_ci(p->sys_vendor, r->vendor) || has_ci(p->product_name, r->product))
			return r;
	}
	return &driver_host_rules[DRIVER_HOST_GENERIC];
}

/* Append n bytes of s at pos, cut at the end of buf (len >= 1); returns the new pos. */
static size_t append(char *buf, size_t len, size_t pos, const char *s, size_t n)
{
	size_t room = pos < len ? len - 1 - pos : 0;

	if (n > room)
		n = room;
	memcpy(buf + pos, s, n);
	buf[pos + n] = '\0';
	return pos + n;
}

struct fix_vars {
	unsigned want, limit;
	const char *driver;
};

/* Expand a rule text: {want}, {vectors}, {capped}, {limit}, {driver}. */
static void expand(char *buf, size_t len, const char *t, const struct fix_vars *v)
{
	size_t pos = append(buf, len, 0, "", 0);

	while (*t) {
		const char *open = strchr(t, '{'), *close = open ? strchr(open, '}') : NULL;
		char num[16];

		if (!close) {
			pos = append(buf, len, pos, t, strlen(t));
			break;
		}
		pos = append(buf, len, pos, t, (size_t)(open - t));
		t = open;
		if (token(&t, "{want}"))
			snprintf(num, sizeof(num), "%u", v->want);
		else if (token(&t, "{vectors}"))
			snprintf(num, sizeof(num), "%u", 2 * v->want + 2);
		else if (token(&t, "{capped}"))
			snprintf(num, sizeof(num), "%u", v->limit && v->want > v->limit ? v->limit : v->want);
		else if (token(&t, "{limit}"))
			snprintf(num, sizeof(num), "%u", v->limit);
		else if (token(&t, "{driver}")) {
			pos = append(buf, len, pos, v->driver, strlen(v->driver));
			continue;
		} else {
			snprintf(num, sizeof(num), "{"); /* not a variable: a brace in the text */
			t++;
		}
		pos = append(buf, len, pos, num, strlen(num));
	}
}

bool driver_host_fix(const struct mq_platform *p, const struct mq_nic *n, unsigned max,
		     unsigned want, char *buf, size_t len)
{
	const char *driver = n ? n->driver : "";
	const struct driver_host_rule *r = driver_host_rule(p, driver);
	struct fix_vars v = {want, r->limit, driver};
	bool at_limit = r->limit && max >= r->limit;

	if (buf && len)
		expand(buf, len, at_limit ? r->at_limit : r->fix, &v);
	return !at_limit;
}
