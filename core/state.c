// SPDX-License-Identifier: MIT
/* The state record of core/state.h: parser, recording, revert plan. Pure. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/rss.h"
#include "core/state.h"

#define LINE_MAX_LEN (MQ_CPULIST_MAX + 128) /* "irq eth0 38 " and any CPU list */

static void saved_free(struct mq_saved_nic *n)
{
	free(n->irqs);
	free(n->queues);
	free(n->rss);
}

void state_free(struct mq_state *st)
{
	if (!st)
		return;
	for (unsigned i = 0; i < st->n; i++)
		saved_free(&st->nics[i]);
	free(st->nics);
	cpuset_pool_free(&st->sets);
	memset(st, 0, sizeof(*st));
}

const struct mq_saved_nic *state_find(const struct mq_state *st, const char *ifname)
{
	for (unsigned i = 0; st && i < st->n; i++)
		if (strcmp(st->nics[i].ifname, ifname) == 0)
			return &st->nics[i];
	return NULL;
}

bool state_forget(struct mq_state *st, const char *ifname)
{
	const struct mq_saved_nic *n = state_find(st, ifname);
	unsigned i;

	if (!n)
		return false;
	i = (unsigned)(n - st->nics);
	saved_free(&st->nics[i]);
	memmove(&st->nics[i], &st->nics[i + 1], (st->n - i - 1) * sizeof(*st->nics));
	st->n--;
	return true;
}

void state_mark(const struct mq_state *st, struct mq_snapshot *s)
{
	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_saved_nic *sv = state_find(st, s->nics[i].name);

		s->nics[i].tuned_since = sv ? sv->since : 0;
	}
}

/*
 * Grow an array of size elements by one, bounded. Returns the new element or
 * NULL. The capacity doubles when the count reaches a power of two, so every
 * array push() extends must have been made by push() (or be empty): a file
 * of 65,536 IRQ lines costs 17 reallocs, not 65,536.
 */
static void *push(void **arr, unsigned *n, size_t size, unsigned max)
{
	char *p = *arr;

	if (*n >= max)
		return NULL;
	if ((*n & (*n - 1)) == 0) { /* 0, 1, 2, 4, ...: full */
		p = realloc(*arr, (*n ? 2 * (size_t)*n : 1) * size);
		if (!p)
			return NULL;
	}
	*arr = p;
	memset(p + *n * size, 0, size);
	return p + (*n)++ * size;
}

/* ---- parsing ------------------------------------------------------------- */

struct parser {
	struct mq_state st;
	unsigned line;
	char *err;
	size_t errlen;
	int r;
};

static int fail(struct parser *p, int r, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static int fail(struct parser *p, int r, const char *fmt, ...)
{
	char msg[200];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (p->err && p->errlen)
		snprintf(p->err, p->errlen, "line %u: %s", p->line, msg);
	return r;
}

/* Next space-separated word of *s (modified in place), or NULL. */
static char *word(char **s)
{
	char *w = *s, *e;

	while (*w == ' ')
		w++;
	if (!*w)
		return NULL;
	e = strchr(w, ' ');
	if (e) {
		*e = '\0';
		*s = e + 1;
	} else {
		*s = w + strlen(w);
	}
	return w;
}

static int number(const char *w, unsigned long long max, unsigned long long *ret)
{
	unsigned long long v = 0;

	if (!w || !*w)
		return -EINVAL;
	for (; *w; w++) {
		if (*w < '0' || *w > '9')
			return -EINVAL;
		if (v > (max - (unsigned long long)(*w - '0')) / 10)
			return -ERANGE;
		v = v * 10 + (unsigned long long)(*w - '0');
	}
	*ret = v;
	return 0;
}

/* A CPU list or "-" (none), interned in the state's sets. */
static int cpus(struct parser *p, const char *w, const struct mq_cpuset **ret)
{
	if (!w)
		return -EINVAL;
	if (strcmp(w, "-") == 0) {
		*ret = NULL;
		return 0;
	}
	return cpuset_pool_parse_list(&p->st.sets, w, ret);
}

static bool valid_name(const char *w)
{
	size_t n = w ? strlen(w) : 0;

	if (n == 0 || n >= IF_NAMESIZE || strchr(w, '/'))
		return false;
	for (; *w; w++)
		if ((unsigned char)*w <= ' ' || *w == 0x7f)
			return false;
	return true;
}

/* The NIC a line is about: the last `nic` line's, by name. */
static struct mq_saved_nic *nic_of(struct parser *p, const char *name)
{
	for (unsigned i = p->st.n; i-- > 0;)
		if (strcmp(p->st.nics[i].ifname, name) == 0)
			return &p->st.nics[i];
	return NULL;
}

/* "default", or the entries: queue numbers. */
static int parse_rss(struct parser *p, struct mq_saved_nic *n, char *s)
{
	uint32_t tab[MQ_STATE_RSS_MAX];
	unsigned long long q;
	uint32_t k = 0;
	char *w;

	if (n->has_rss)
		return fail(p, -EINVAL, "%s: rss recorded twice", n->ifname);
	w = word(&s);
	if (w && strcmp(w, "default") == 0 && !word(&s)) {
		n->has_rss = true;
		return 0;
	}
	for (; w; w = word(&s)) {
		if (k == MQ_STATE_RSS_MAX)
			return fail(p, -E2BIG, "rss table longer than %u entries", MQ_STATE_RSS_MAX);
		if (number(w, UINT16_MAX, &q) < 0)
			return fail(p, -EINVAL, "expected 'rss NAME default' or 'rss NAME QUEUE...'");
		tab[k++] = (uint32_t)q;
	}
	if (!k)
		return fail(p, -EINVAL, "expected 'rss NAME default' or 'rss NAME QUEUE...'");
	n->rss = malloc(k * sizeof(*n->rss));
	if (!n->rss)
		return fail(p, -ENOMEM, "out of memory");
	memcpy(n->rss, tab, k * sizeof(*n->rss));
	n->rss_n = k;
	n->has_rss = true;
	return 0;
}

static int parse_line(struct parser *p, char *s)
{
	unsigned long long a, b, c, d;
	char *kw = word(&s), *name;
	struct mq_saved_nic *n;
	int r = 0; /* a CPU list's: out of memory is no parse error */

	if (!kw || kw[0] == '#')
		return 0;
	if (strcmp(kw, "boot") == 0) {
		char *id = word(&s);

		if (!id || strlen(id) >= sizeof(p->st.boot_id))
			return fail(p, -EINVAL, "bad boot id");
		snprintf(p->st.boot_id, sizeof(p->st.boot_id), "%s", id);
		return 0;
	}
	if (strcmp(kw, "nic") && strcmp(kw, "channels") && strcmp(kw, "irq") && strcmp(kw, "xps") &&
	    strcmp(kw, "rps") && strcmp(kw, "rss"))
		return fail(p, -EINVAL, "unknown record '%.20s'", kw);
	name = word(&s);
	if (!valid_name(name))
		return fail(p, -EINVAL, "bad interface name");
	if (strcmp(kw, "nic") == 0) {
		long long since;

		if (nic_of(p, name))
			return fail(p, -EINVAL, "%s recorded twice", name);
		if (number(word(&s), 0x7fffffff, &a) < 0 || number(word(&s), INT64_MAX, &b) < 0)
			return fail(p, -EINVAL, "expected 'nic NAME IFINDEX SINCE'");
		n = push((void **)&p->st.nics, &p->st.n, sizeof(*n), MQ_STATE_MAX_NICS);
		if (!n)
			return fail(p, p->st.n >= MQ_STATE_MAX_NICS ? -E2BIG : -ENOMEM, "too many NICs");
		snprintf(n->ifname, sizeof(n->ifname), "%s", name);
		n->ifindex = (int)a;
		since = (long long)b;
		n->since = since;
		return 0;
	}
	n = nic_of(p, name);
	if (!n)
		return fail(p, -EINVAL, "%s: no 'nic' line before it", name);
	if (strcmp(kw, "channels") == 0) {
		if (number(word(&s), UINT32_MAX, &a) < 0 || number(word(&s), UINT32_MAX, &b) < 0 ||
		    number(word(&s), UINT32_MAX, &c) < 0 || number(word(&s), UINT32_MAX, &d) < 0)
			return fail(p, -EINVAL, "expected 'channels NAME RX TX OTHER COMBINED'");
		n->has_channels = true;
		n->channels = (struct mq_counts){(uint32_t)a, (uint32_t)b, (uint32_t)c, (uint32_t)d};
		return 0;
	}
	if (strcmp(kw, "irq") == 0) {
		struct mq_saved_irq *irq;
		const struct mq_cpuset *set;

		if (number(word(&s), UINT32_MAX, &a) < 0 || (r = cpus(p, word(&s), &set)) < 0)
			return r == -ENOMEM ? fail(p, r, "out of memory")
					    : fail(p, -EINVAL, "expected 'irq NAME IRQ CPUS'");
		irq = push((void **)&n->irqs, &n->nirqs, sizeof(*irq), MQ_STATE_MAX_ITEMS);
		if (!irq)
			return fail(p, n->nirqs >= MQ_STATE_MAX_ITEMS ? -E2BIG : -ENOMEM, "too many IRQs");
		irq->irq = (unsigned)a;
		irq->cpus = set;
		return 0;
	}
	if (strcmp(kw, "rss") == 0)
		return parse_rss(p, n, s);
	if (strcmp(kw, "xps") == 0 || strcmp(kw, "rps") == 0) {
		struct mq_saved_queue *q = NULL;
		const struct mq_cpuset *set;

		if (number(word(&s), MQ_STATE_MAX_ITEMS - 1, &a) < 0 || (r = cpus(p, word(&s), &set)) < 0)
			return r == -ENOMEM ? fail(p, r, "out of memory")
					    : fail(p, -EINVAL, "expected '%s NAME QUEUE CPUS'", kw);
		for (unsigned i = 0; i < n->nqueues && !q; i++)
			if (n->queues[i].queue == a)
				q = &n->queues[i];
		if (!q) {
			q = push((void **)&n->queues, &n->nqueues, sizeof(*q), MQ_STATE_MAX_ITEMS);
			if (!q)
				return fail(p, -ENOMEM, "out of memory");
			q->queue = (unsigned)a;
		}
		if (kw[0] == 'x') {
			q->has_xps = true;
			q->xps = set;
		} else {
			q->has_rps = true;
			q->rps = set;
		}
	}
	return 0;
}

int state_parse(const char *text, size_t len, struct mq_state *ret, char *err, size_t errlen)
{
	struct parser p = {.err = err, .errlen = errlen};
	static const char magic[] = "mqbalance-state 1";
	char buf[LINE_MAX_LEN];
	size_t off = 0;
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	while (off < len && r == 0) {
		const char *nl = memchr(text + off, '\n', len - off);
		size_t n = nl ? (size_t)(nl - (text + off)) : len - off;

		p.line++;
		if (n >= sizeof(buf))
			r = fail(&p, -EINVAL, "line longer than %zu bytes", sizeof(buf) - 1);
		else if (memchr(text + off, '\0', n))
			r = fail(&p, -EINVAL, "NUL byte");
		if (r < 0)
			break;
		memcpy(buf, text + off, n);
		buf[n] = '\0';
		if (p.line == 1 && strcmp(buf, magic) != 0)
			r = fail(&p, -EINVAL, "not a mqbalance state file (no '%s' line)", magic);
		else if (p.line > 1)
			r = parse_line(&p, buf);
		off += n + 1;
	}
	if (r == 0 && p.line == 0) {
		if (err && errlen)
			snprintf(err, errlen, "empty file");
		r = -EINVAL;
	}
	if (r < 0) {
		state_free(&p.st);
		return r;
	}
	*ret = p.st;
	return 0;
}

/* ---- recording and reverting ---------------------------------------------- */

static bool plan_touches(const struct mq_plan *p, int ifindex)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->items[i].ifindex == ifindex && p->items[i].change)
			return true;
	return false;
}

/* The RSS table: "default" when it is the driver's even spread, else its entries. */
static int save_rss(struct mq_saved_nic *sv, const struct mq_nic *nic)
{
	struct rss_spread sp;
	int r = rss_nic_analyse(nic, &sp);

	if (r == -ENOMEM)
		return r;
	if (r < 0 || nic->rss.n > MQ_STATE_RSS_MAX)
		return 0; /* no table, or too big to record: --revert leaves it alone */
	sv->has_rss = true;
	if (sp.is_default)
		return 0;
	sv->rss = malloc(nic->rss.n * sizeof(*sv->rss));
	if (!sv->rss)
		return -ENOMEM;
	memcpy(sv->rss, nic->rss.indir, nic->rss.n * sizeof(*sv->rss));
	sv->rss_n = nic->rss.n;
	return 0;
}

static int save_nic(struct mq_state *st, struct mq_saved_nic *sv, const struct mq_nic *nic,
		    int64_t now)
{
	const struct mq_channels *c = &nic->ch;

	snprintf(sv->ifname, sizeof(sv->ifname), "%s", nic->name);
	sv->ifindex = nic->ifindex;
	sv->since = now;
	sv->has_channels = c->source != CHANNELS_NONE && (c->combined_max || c->rx_max || c->tx_max);
	sv->channels = (struct mq_counts){c->rx, c->tx, c->other, c->combined};
	for (unsigned i = 0; nic->irqs && i < nic->nirqs; i++) {
		const struct mq_irq *irq = &nic->irqs[i];
		struct mq_saved_irq *x;

		if (!irq_role_is_queue(irq->role) || !irq->has_affinity)
			continue;
		x = push((void **)&sv->irqs, &sv->nirqs, sizeof(*x), MQ_STATE_MAX_ITEMS);
		if (!x)
			return -ENOMEM;
		x->irq = irq->irq;
		if (cpuset_pool_intern(&st->sets, irq->affinity, &x->cpus) < 0)
			return -ENOMEM;
	}
	for (unsigned q = 0; nic->queues && q < nic->nqueues; q++) {
		const struct mq_queue *mq = &nic->queues[q];
		struct mq_saved_queue *x;

		if (!mq->has_xps && !mq->has_rps)
			continue;
		x = push((void **)&sv->queues, &sv->nqueues, sizeof(*x), MQ_STATE_MAX_ITEMS);
		if (!x)
			return -ENOMEM;
		*x = (struct mq_saved_queue){.queue = mq->index, .has_xps = mq->has_xps,
					     .has_rps = mq->has_rps};
		if (cpuset_pool_intern(&st->sets, mq->xps, &x->xps) < 0 ||
		    cpuset_pool_intern(&st->sets, mq->rps, &x->rps) < 0)
			return -ENOMEM;
	}
	return save_rss(sv, nic);
}

int state_record(struct mq_state *st, const struct mq_snapshot *s, const struct mq_plan *p,
		 int64_t now)
{
	int added = 0;

	for (unsigned i = 0; i < s->nnics; i++) {
		const struct mq_nic *nic = &s->nics[i];
		struct mq_saved_nic *sv;

		if (state_find(st, nic->name) || !plan_touches(p, nic->ifindex))
			continue;
		sv = push((void **)&st->nics, &st->n, sizeof(*sv), MQ_STATE_MAX_NICS);
		if (!sv)
			return st->n >= MQ_STATE_MAX_NICS ? added : -ENOMEM;
		if (save_nic(st, sv, nic, now) < 0) {
			saved_free(sv);
			st->n--;
			return -ENOMEM;
		}
		added++;
	}
	return added;
}

static bool named(const char *const *names, unsigned n, const char *ifname)
{
	for (unsigned i = 0; i < n; i++)
		if (strcmp(names[i], ifname) == 0)
			return true;
	return n == 0;
}

/* A revert item: its target is the recorded value, its current what the NIC has. */
static void item_init(struct plan_item *it, enum plan_kind kind, const struct mq_nic *nic)
{
	plan_item_init(it, kind, nic);
	it->has_current = true;
}

/*
 * The recorded RSS table back: the recorded entries when they fit the
 * active queues now, else (channels not back yet) the default, which always
 * fits; the re-plan after the channel change then writes the entries.
 */
static int revert_rss(struct mq_plan *p, const struct mq_saved_nic *sv, const struct mq_nic *nic)
{
	struct rss_spread sp;
	struct plan_item it;
	bool fits = sv->rss_n == nic->rss.n;

	if (!sv->has_rss || rss_nic_analyse(nic, &sp) < 0)
		return 0;
	for (uint32_t i = 0; i < sv->rss_n && fits; i++)
		fits = sv->rss[i] < sp.nqueues;
	item_init(&it, PLAN_RSS, nic);
	it.rss.entries = sp.n;
	it.rss.queues = sp.nqueues;
	it.rss.covered = sp.covered;
	it.rss.was_default = sp.is_default;
	it.rss.restore = sv->rss_n && fits;
	if (it.rss.restore)
		it.change = memcmp(sv->rss, nic->rss.indir, sv->rss_n * sizeof(*sv->rss)) != 0;
	else
		it.change = !sp.is_default;
	return plan_push_item(p, &it);
}

static int revert_nic(struct mq_plan *p, const struct mq_saved_nic *sv, const struct mq_nic *nic)
{
	struct plan_item it;
	int r;

	if ((r = revert_rss(p, sv, nic)) < 0)
		return r;

	if (sv->has_channels && nic->ch.source != CHANNELS_NONE) {
		item_init(&it, PLAN_CHANNELS, nic);
		it.ch_current = (struct mq_counts){nic->ch.rx, nic->ch.tx, nic->ch.other, nic->ch.combined};
		it.ch_max = (struct mq_counts){nic->ch.rx_max, nic->ch.tx_max, nic->ch.other_max,
					       nic->ch.combined_max};
		it.ch_target = sv->channels;
		it.change = memcmp(&it.ch_current, &it.ch_target, sizeof(it.ch_target)) != 0;
		if ((r = plan_push_item(p, &it)) < 0)
			return r;
	}
	for (unsigned k = 0; k < sv->nirqs; k++)
		for (unsigned i = 0; nic->irqs && i < nic->nirqs; i++) {
			const struct mq_irq *irq = &nic->irqs[i];

			if (irq->irq != sv->irqs[k].irq)
				continue;
			item_init(&it, PLAN_IRQ_AFFINITY, nic);
			it.queue = irq->queue;
			it.irq = (int)irq->irq;
			it.current = irq->affinity;
			it.has_current = irq->has_affinity;
			it.target = sv->irqs[k].cpus;
			it.change = !it.has_current || !cpuset_equal(it.current, it.target);
			if ((r = plan_push_item(p, &it)) < 0)
				return r;
			break;
		}
	for (int kind = PLAN_XPS; kind <= PLAN_RPS; kind++)
		for (unsigned k = 0; k < sv->nqueues; k++) {
			const struct mq_saved_queue *q = &sv->queues[k];
			const struct mq_queue *mq;

			if (q->queue >= nic->nqueues || !nic->queues)
				continue;
			mq = &nic->queues[q->queue];
			if (kind == PLAN_XPS ? !q->has_xps || !mq->has_xps : !q->has_rps || !mq->has_rps)
				continue;
			item_init(&it, (enum plan_kind)kind, nic);
			it.queue = (int)q->queue;
			it.current = kind == PLAN_XPS ? mq->xps : mq->rps;
			it.target = kind == PLAN_XPS ? q->xps : q->rps;
			it.change = !cpuset_equal(it.current, it.target);
			if ((r = plan_push_item(p, &it)) < 0)
				return r;
		}
	return 0;
}

int state_revert_plan(const struct mq_state *st, const struct mq_snapshot *s,
		      const char *const *names, unsigned n, struct mq_plan *ret)
{
	struct mq_plan p = {0};
	int hi = cpuset_last(s->cpus.possible);

	if (plan_set(&p, &p.online, s->cpus.online) < 0 || plan_set(&p, &p.usable, s->cpus.online) < 0) {
		plan_free(&p);
		return -ENOMEM;
	}
	p.nr_cpu_ids = s->cpus.nr_cpu_ids ? s->cpus.nr_cpu_ids : (unsigned)(hi + 1 > 0 ? hi + 1 : 1);
	for (unsigned i = 0; i < st->n; i++) {
		const struct mq_saved_nic *sv = &st->nics[i];
		const struct mq_nic *nic = NULL;

		if (!named(names, n, sv->ifname))
			continue;
		for (unsigned k = 0; k < s->nnics && !nic; k++)
			if (strcmp(s->nics[k].name, sv->ifname) == 0)
				nic = &s->nics[k];
		if (nic && revert_nic(&p, sv, nic) < 0) {
			plan_free(&p);
			return -ENOMEM;
		}
	}
	*ret = p;
	return 0;
}
