// SPDX-License-Identifier: MIT
/*
 * /proc/interrupts. The kernel prints (kernel/irq/proc.c, show_interrupts):
 *
 *   "%*d:" irq, then per online CPU " %10u", then " " chip (irq_print_chip or
 *   "%8s" name, may contain spaces: "Hyper-V PCIe MSI"), then " %*lu" hwirq
 *   (blank without a domain), [" %-8s" Level/Edge on some arches], then
 *   "-%-8s" flow name when set ("1-edge", "32769-edge", " -edge"), then
 *   "  %s" first action name and ", %s" for each further action.
 *
 * So the action name is whatever follows the hwirq/flow field, and it is
 * always preceded by two spaces. Names may contain spaces ("enp5s0f4 (queue
 * 0)") and commas. The header holds one "CPUn" per online CPU, so a column is
 * not a CPU id once a CPU is offline.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "probes/lines.h"
#include "probes/probe.h"
#include "probes/sysfs.h"

/*
 * Caps against a broken or hostile file. The kernel's own lines are an IRQ
 * number, 11 characters per CPU column, then chip, hwirq and the action
 * names; a line may be that plus 64 kB of names. Counts are kept for the
 * columns a line has, so memory follows the text (at most 2 bytes of count
 * per byte of it, " 1" being the shortest), and the text is capped
 * (MQ_PROC_INTERRUPTS_MAX: 1,500 IRQs of a 1,920-CPU machine).
 */
#define LINE_MAX_FOR(ncols) (65536 + 16 * (size_t)(ncols))
#define MAX_IRQ_LINES (1U << 17) /* nr_irqs tops out near 8 per possible CPU */
static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

static const char *skip_token(const char *p)
{
	while (*p && *p != ' ' && *p != '\t')
		p++;
	return p;
}

/* Parse digits [p, end) into *ret; false on overflow or non-digits. */
static bool parse_u64(const char *p, const char *end, uint64_t *ret)
{
	uint64_t v = 0;

	if (p == end)
		return false;
	for (; p < end; p++) {
		if (*p < '0' || *p > '9')
			return false;
		if (v > (UINT64_MAX - (uint64_t)(*p - '0')) / 10)
			return false;
		v = v * 10 + (uint64_t)(*p - '0');
	}
	*ret = v;
	return true;
}

static size_t digits_len(const char *p, const char *end)
{
	size_t n = 0;

	while (p + n < end && p[n] >= '0' && p[n] <= '9')
		n++;
	return n;
}

static int parse_header(const char *line, unsigned max_cpus, struct irq_table *t)
{
	const char *p = line;
	int *cols = NULL;
	unsigned n = 0, cap = 0, max = 0;

	for (;;) {
		const char *end;
		uint64_t id;

		p = skip_ws(p);
		if (!*p)
			break;
		end = skip_token(p);
		/* Anything but "CPUn" ends the header: keep the columns seen so far. */
		if (end - p < 4 || strncmp(p, "CPU", 3) != 0 || !parse_u64(p + 3, end, &id) ||
		    id >= MQ_MAX_CPUS || n >= MQ_MAX_CPUS)
			break;
		if (n == cap) {
			unsigned ncap = cap ? cap * 2 : 16;
			int *c = realloc(cols, ncap * sizeof(*c));

			if (!c) {
				free(cols);
				return -ENOMEM;
			}
			cols = c;
			cap = ncap;
		}
		/* A CPU listed twice, or not a possible one: the column holds a count, nobody's. */
		cols[n] = id < max_cpus ? (int)id : -1;
		for (unsigned i = 0; i < n && cols[n] >= 0; i++)
			if (cols[i] == (int)id)
				cols[n] = -1;
		if (cols[n] >= 0 && (unsigned)id + 1 > max)
			max = (unsigned)id + 1;
		n++;
		p = end;
	}
	if (!n) {
		free(cols);
		return -EINVAL;
	}
	t->col_cpu = cols;
	t->ncols = n;
	t->ncpus = max;
	return 0;
}

/* "1-edge", "32769-edge", "-edge", "-ioapic-edge": hwirq and flow name in one token. */
static bool is_hwirq_flow(const char *p, const char *end)
{
	size_t d = digits_len(p, end);

	return p + d + 1 < end && p[d] == '-' && isalpha((unsigned char)p[d + 1]);
}

static bool is_level_edge(const char *p, const char *end)
{
	size_t n = (size_t)(end - p);

	return (n == 5 && strncmp(p, "Level", 5) == 0) || (n == 4 && strncmp(p, "Edge", 4) == 0);
}

static bool two_spaces_before(const char *start, const char *p)
{
	return p - start >= 2 && (p[-1] == ' ' || p[-1] == '\t') && (p[-2] == ' ' || p[-2] == '\t');
}

/*
 * Find the action name in the text after the counts. s starts at the chip.
 * Returns a pointer to the name start (may be at the terminating NUL).
 */
static const char *find_name(const char *s)
{
	const char *p, *tok, *end, *last_gap = NULL;

	s = skip_ws(s);
	if (!*s)
		return s;
	/* The chip is at least one token; the hwirq/flow field after it, whatever chip spaces. */
	p = skip_token(s);
	for (unsigned guard = 0; guard < 64; guard++) {
		const char *q;

		tok = skip_ws(p);
		if (!*tok)
			break;
		end = skip_token(tok);
		if (is_hwirq_flow(tok, end)) {
			q = skip_ws(end);
			if (!*q || two_spaces_before(s, q))
				return q;
			break;
		}
		if (digits_len(tok, end) == (size_t)(end - tok)) {
			/* Bare hwirq: no flow name; maybe Level/Edge, maybe a "-flow". */
			q = skip_ws(end);
			end = skip_token(q);
			if (is_level_edge(q, end)) {
				q = skip_ws(end);
				end = skip_token(q);
			}
			if (*q == '-' && is_hwirq_flow(q, end))
				q = skip_ws(end);
			if (!*q || two_spaces_before(s, q))
				return q;
			break;
		}
		p = end;
	}
	/*
	 * No hwirq field we recognise (Xen event channels: "xen-dyn-event  blkif"):
	 * the name follows the last run of two or more spaces.
	 */
	for (p = skip_token(s); *p; p++)
		if (*p != ' ' && *p != '\t' && two_spaces_before(s, p))
			last_gap = p;
	if (last_gap)
		return last_gap;
	p = skip_ws(skip_token(s));
	return p;
}

static void copy_name(char *dst, size_t len, const char *src)
{
	size_t n = strlen(src);

	while (n > 0 && (src[n - 1] == ' ' || src[n - 1] == '\t'))
		n--;
	if (n >= len)
		n = len - 1;
	memcpy(dst, src, n);
	dst[n] = '\0';
	/* Control characters would end up in logs and metrics labels. */
	for (size_t i = 0; i < n; i++)
		if (dst[i] == '\t')
			dst[i] = ' ';
		else if ((unsigned char)dst[i] < 0x20 || dst[i] == 0x7f)
			dst[i] = '?';
}

/* Room in t->counts for one more line of counts. */
static int counts_reserve(struct irq_table *t, size_t *cap)
{
	size_t ncap;
	uint32_t *c;

	if (t->ncounts + t->ncols <= *cap)
		return 0;
	ncap = *cap ? *cap * 2 : 64;
	while (ncap < t->ncounts + t->ncols)
		ncap *= 2;
	c = realloc(t->counts, ncap * sizeof(*c));
	if (!c)
		return -ENOMEM;
	t->counts = c;
	*cap = ncap;
	return 0;
}

/*
 * One IRQ line: its counts are appended to t->counts (the columns it has,
 * no more). Returns 1 if parsed into l, 0 if not an IRQ line.
 */
static int parse_line(struct irq_table *t, const char *line, struct irq_line *l)
{
	const char *p = skip_ws(line), *end;
	uint64_t irq;
	unsigned col;

	end = p + digits_len(p, p + strlen(p));
	if (end == p || *end != ':' || !parse_u64(p, end, &irq) || irq >= UINT_MAX)
		return 0;
	memset(l, 0, sizeof(*l));
	l->irq = (unsigned)irq;
	l->first = t->ncounts;
	p = end + 1;
	for (col = 0; col < t->ncols; col++) {
		uint64_t v;
		const char *tok = skip_ws(p);
		size_t d;

		end = skip_token(tok);
		d = digits_len(tok, end);
		/* The kernel's counts are unsigned int ("%10u"): anything wider is not one. */
		if (!d || !parse_u64(tok, tok + d, &v) || v > UINT32_MAX)
			break;
		/* 6.13-rc glued the last count to the chip ("1900GIC-0"): split there. */
		if (tok + d != end && col + 1 != t->ncols)
			break;
		t->counts[t->ncounts++] = (uint32_t)v;
		l->total = l->total > UINT64_MAX - v ? UINT64_MAX - 1 : l->total + v;
		p = tok + d;
		if (tok + d != end)
			break;
	}
	l->ncounts = t->ncounts - l->first;
	copy_name(l->name, sizeof(l->name), find_name(p));
	return 1;
}

static int cmp_line(const void *a, const void *b)
{
	const struct irq_line *x = a, *y = b;

	return x->irq < y->irq ? -1 : x->irq > y->irq;
}

int interrupts_parse(FILE *f, unsigned max_cpus, struct irq_table *ret)
{
	struct line_reader lr = {.f = f, .max_line = LINE_MAX_FOR(MQ_MAX_CPUS),
				 .max_bytes = MQ_PROC_INTERRUPTS_MAX};
	struct irq_table t = {0};
	size_t cap = 0, counts_cap = 0;
	bool header = false;
	int r;

	if (!f)
		return -EINVAL;
	if (!max_cpus || max_cpus > MQ_MAX_CPUS)
		max_cpus = MQ_MAX_CPUS;
	while ((r = line_next(&lr)) > 0) {
		struct irq_line l;

		if (memchr(lr.buf, '\0', lr.len))
			continue;
		while (lr.len > 0 && lr.buf[lr.len - 1] == '\r')
			lr.buf[--lr.len] = '\0';
		if (!header) {
			if (!*skip_ws(lr.buf))
				continue;
			r = parse_header(lr.buf, max_cpus, &t);
			if (r < 0)
				goto out;
			header = true;
			lr.max_line = LINE_MAX_FOR(t.ncols);
			continue;
		}
		r = counts_reserve(&t, &counts_cap);
		if (r < 0)
			goto out;
		if (parse_line(&t, lr.buf, &l) == 0)
			continue;
		if (t.n == MAX_IRQ_LINES) {
			r = -EFBIG;
			goto out;
		}
		if (t.n == cap) {
			size_t ncap = cap ? cap * 2 : 64;
			struct irq_line *n = realloc(t.lines, ncap * sizeof(*n));

			if (!n) {
				r = -ENOMEM;
				goto out;
			}
			t.lines = n;
			cap = ncap;
		}
		t.lines[t.n++] = l;
	}
	if (r < 0)
		goto out;
	if (!header) {
		r = -EINVAL;
		goto out;
	}
	if (t.n)
		qsort(t.lines, t.n, sizeof(*t.lines), cmp_line);
	/* The kernel never repeats an IRQ; if a file does, keep one line. */
	if (t.n > 1) {
		unsigned w = 1;

		for (unsigned i = 1; i < t.n; i++)
			if (t.lines[i].irq != t.lines[w - 1].irq)
				t.lines[w++] = t.lines[i];
		t.n = w;
	}
	r = 0;
out:
	line_reader_free(&lr);
	if (r < 0) {
		interrupts_free(&t);
		return r;
	}
	*ret = t;
	return 0;
}

int interrupts_read(unsigned max_cpus, struct irq_table *ret)
{
	FILE *f;
	int r;

	f = sysfs_fopen("/proc/interrupts");
	if (!f)
		return -errno;
	r = interrupts_parse(f, max_cpus, ret);
	fclose(f);
	return r;
}

void interrupts_free(struct irq_table *t)
{
	if (!t)
		return;
	free(t->lines);
	free(t->counts);
	free(t->col_cpu);
	memset(t, 0, sizeof(*t));
}

const struct irq_line *interrupts_find(const struct irq_table *t, unsigned irq)
{
	unsigned lo = 0, hi;

	if (!t || !t->lines)
		return NULL;
	hi = t->n;
	while (lo < hi) {
		unsigned mid = lo + (hi - lo) / 2;

		if (t->lines[mid].irq == irq)
			return &t->lines[mid];
		if (t->lines[mid].irq < irq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

uint64_t interrupts_count(const struct irq_table *t, const struct irq_line *l, unsigned cpu)
{
	for (unsigned c = 0; l && c < l->ncounts && c < t->ncols; c++)
		if (t->col_cpu[c] == (int)cpu)
			return t->counts[l->first + c];
	return MQ_NA;
}

void interrupts_per_cpu(const struct irq_table *t, const struct irq_line *l, uint64_t *per_cpu,
			unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		per_cpu[i] = MQ_NA;
	for (unsigned c = 0; l && c < l->ncounts && c < t->ncols; c++)
		if (t->col_cpu[c] >= 0 && (unsigned)t->col_cpu[c] < n)
			per_cpu[t->col_cpu[c]] = t->counts[l->first + c];
}

/* A *_list file, or the hex mask file when the list one is missing (old kernels). */
static int read_affinity(unsigned irq, const char *list, const char *mask, struct mq_cpuset *ret)
{
	char buf[MQ_CPULIST_MAX];
	int r;

	r = sysfs_read(buf, sizeof(buf), "/proc/irq/%u/%s", irq, list);
	if (r >= 0)
		return cpuset_parse_list(buf, ret);
	if (r != -ENOENT)
		return r;
	r = sysfs_read(buf, sizeof(buf), "/proc/irq/%u/%s", irq, mask);
	if (r < 0)
		return r;
	return cpuset_parse_mask(buf, ret);
}

int irq_affinity_read(struct cpuset_pool *sets, struct mq_irq *irq)
{
	CPUSET_DEFINE(s);
	int r;

	if (!irq || !sets)
		return -EINVAL;
	r = read_affinity(irq->irq, "smp_affinity_list", "smp_affinity", s);
	if (r >= 0)
		r = cpuset_pool_intern(sets, s, &irq->affinity);
	irq->has_affinity = r >= 0;
	/* effective_affinity* exist since 4.15 and only with GENERIC_IRQ_EFFECTIVE_AFF_MASK. */
	irq->has_effective =
		read_affinity(irq->irq, "effective_affinity_list", "effective_affinity", s) >= 0 &&
		cpuset_pool_intern(sets, s, &irq->effective) >= 0;
	return r < 0 ? r : 0;
}
