// SPDX-License-Identifier: MIT
/*
 * Where the CPU time and the packets go, per CPU. What the kernel prints:
 *
 * /proc/softirqs (fs/proc/softirqs.c): a header of "CPU%-8d" for every
 *   *possible* CPU, then one row per softirq, "%12s:" name and " %10u" per
 *   CPU. The counters are unsigned int: they wrap.
 * /proc/stat (fs/proc/stat.c): "cpu " (the sum), then "cpu%d" and ten
 *   USER_HZ tick counts (user nice system idle iowait irq softirq steal
 *   guest guest_nice) for every *online* CPU, then "intr" with one count per
 *   IRQ number (hundreds of kB on big machines: never read). Kernels before
 *   2.6.11 print fewer fields.
 * /proc/net/softnet_stat (net/core/net-procfs.c): one row of "%08x" per
 *   *online* CPU: processed, dropped, time_squeeze, six zeros (was fastroute,
 *   cpu_collision), received_rps, flow_limit_count; since 5.10 (RHEL 8.5)
 *   also backlog length and the CPU id (13 columns, as Debian's 6.1), since
 *   6.9 input and process queue lengths (15, as 6.12). Before 5.10 a row
 *   does not say which CPU it is: the n-th row is the n-th online CPU.
 *
 * Parsers read text from a FILE (fixtures, fuzzers) with a bounded line
 * buffer; nothing in them depends on which machine runs them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "probes/lines.h"
#include "probes/probe.h"
#include "probes/sysfs.h"

/*
 * Caps against a broken or hostile file. A softirqs row is 13 + 11
 * characters per possible CPU; /proc/stat's and softnet_stat's lines are
 * short (/proc/stat's "intr" line is long, and read only up to the cap).
 * As many lines as CPUs, plus a few; the whole file at most
 * MQ_PROC_CPUSTAT_MAX bytes. Memory follows the CPUs the file lists.
 */
#define WIDE_LINE_MAX(ncols) (64 + 16 * (size_t)(ncols))
#define SHORT_LINE_MAX 4096
#define MAX_LINES (2 * MQ_MAX_CPUS + 64)
/* softnet_stat columns: the first that is the CPU id (5.10+). */
#define SOFTNET_COL_CPU 12

struct reader {
	struct line_reader lr;
	unsigned lines;
};

/*
 * Next line into r->lr.buf. 1: a line; 0: end of file; -EFBIG: more than
 * MAX_LINES lines or MQ_PROC_CPUSTAT_MAX bytes; -E2BIG: a line longer than
 * the cap (its start in buf, the rest unread: /proc/stat stops at "intr");
 * -EINVAL: a NUL byte (no kernel text file has one).
 */
static int next_line(struct reader *r)
{
	int rc;

	if (r->lines >= MAX_LINES)
		return getc(r->lr.f) == EOF ? 0 : -EFBIG;
	rc = line_next(&r->lr);
	if (rc <= 0 && rc != -E2BIG)
		return rc;
	if (memchr(r->lr.buf, '\0', r->lr.len))
		return -EINVAL;
	r->lines++;
	return rc;
}

static const char *skip_ws(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

/* One number in base 10 or 16 at *pp, then a blank or the end. */
static bool parse_num(const char **pp, unsigned base, uint64_t *ret)
{
	const char *p = skip_ws(*pp);
	uint64_t v = 0;
	unsigned d, k = 0;

	for (;; p++, k++) {
		if (*p >= '0' && *p <= '9')
			d = (unsigned)(*p - '0');
		else if (base == 16 && *p >= 'a' && *p <= 'f')
			d = (unsigned)(*p - 'a' + 10);
		else if (base == 16 && *p >= 'A' && *p <= 'F')
			d = (unsigned)(*p - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return false;
		v = v * base + d;
	}
	if (!k || (*p && *p != ' ' && *p != '\t'))
		return false;
	*pp = p;
	*ret = v;
	return true;
}

/* "cpuN" / "CPUN" at *pp (prefix given): N < MQ_MAX_CPUS. */
static bool parse_cpu_word(const char **pp, const char *prefix, unsigned *ret)
{
	size_t plen = strlen(prefix);
	const char *p = *pp;
	uint64_t id;

	if (strncmp(p, prefix, plen) != 0 || p[plen] < '0' || p[plen] > '9')
		return false;
	p += plen;
	if (!parse_num(&p, 10, &id) || id >= MQ_MAX_CPUS)
		return false;
	*pp = p;
	*ret = (unsigned)id;
	return true;
}

/* A scratch copy of cnt: parsers commit it only on success. */
static struct mq_cpu_counters *scratch(const struct mq_cpu_counters *cnt, unsigned n)
{
	struct mq_cpu_counters *t = malloc((n ? n : 1) * sizeof(*t));

	if (t && n)
		memcpy(t, cnt, n * sizeof(*t));
	return t;
}

static void reader_open(struct reader *r, FILE *f, size_t max_line)
{
	*r = (struct reader){.lr = {.f = f, .max_line = max_line, .max_bytes = MQ_PROC_CPUSTAT_MAX}};
}

int cpustat_parse_softirqs(FILE *f, struct mq_cpu_counters *cnt, unsigned n)
{
	struct mq_cpu_counters *t = NULL;
	struct reader r;
	bool *seen = NULL, net_row = false, is_rx;
	int *col = NULL, rc;
	unsigned ncol = 0, colcap = 0;

	if (!f || (!cnt && n))
		return -EINVAL;
	reader_open(&r, f, WIDE_LINE_MAX(MQ_MAX_CPUS));
	/* Columns are CPU ids; a CPU we do not track (>= n) or a repeat gets -1. */
	seen = calloc(n ? n : 1, sizeof(*seen));
	t = scratch(cnt, n);
	if (!seen || !t) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		t[i].net_rx = t[i].net_tx = MQ_NA;
	while ((rc = next_line(&r)) > 0) {
		const char *p = skip_ws(r.lr.buf);
		unsigned id;

		if (!ncol) {
			if (!*p)
				continue;
			while (ncol < MQ_MAX_CPUS && parse_cpu_word(&p, "CPU", &id)) {
				if (ncol == colcap) {
					int *c = realloc(col, (colcap ? colcap * 2 : 64) * sizeof(*c));

					if (!c) {
						rc = -ENOMEM;
						goto out;
					}
					col = c;
					colcap = colcap ? colcap * 2 : 64;
				}
				col[ncol++] = id < n && !seen[id] ? (int)id : -1;
				if (id < n)
					seen[id] = true;
				p = skip_ws(p);
			}
			if (!ncol || *p) {
				rc = -EINVAL; /* not a softirqs header */
				goto out;
			}
			r.lr.max_line = WIDE_LINE_MAX(ncol);
			continue;
		}
		is_rx = strncmp(p, "NET_RX:", 7) == 0;
		if (!is_rx && strncmp(p, "NET_TX:", 7) != 0)
			continue;
		net_row = true;
		p += 7;
		/* A short row keeps what it has; the rest stays unknown. */
		for (unsigned k = 0; k < ncol; k++) {
			uint64_t v;

			if (!parse_num(&p, 10, &v))
				break;
			if (col[k] >= 0 && is_rx)
				t[col[k]].net_rx = v;
			else if (col[k] >= 0)
				t[col[k]].net_tx = v;
		}
	}
	if (rc == 0 && !net_row)
		rc = -EINVAL; /* a header and no NET_ row: not this file */
	if (rc == 0 && n)
		memcpy(cnt, t, n * sizeof(*t));
out:
	free(seen);
	free(col);
	free(t);
	line_reader_free(&r.lr);
	return rc;
}

int cpustat_parse_stat(FILE *f, struct mq_cpu_counters *cnt, unsigned n)
{
	struct mq_cpu_counters *t;
	struct reader r;
	bool seen = false;
	int rc;

	if (!f || (!cnt && n))
		return -EINVAL;
	reader_open(&r, f, SHORT_LINE_MAX);
	t = scratch(cnt, n);
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		t[i].ticks_total = t[i].ticks_irq = t[i].ticks_softirq = t[i].ticks_steal = MQ_NA;
	while ((rc = next_line(&r)) > 0 || rc == -E2BIG) {
		const char *p = r.lr.buf;
		uint64_t v[8], total = 0;
		unsigned id, k;

		if (strncmp(p, "cpu", 3) != 0 || !(p[3] == ' ' || (p[3] >= '0' && p[3] <= '9'))) {
			if (seen) {
				rc = 0; /* "intr" (maybe cut) and the rest: nothing per CPU */
				break;
			}
			if (rc < 0)
				goto out;
			continue;
		}
		if (rc < 0)
			goto out;
		seen = true;
		if (!parse_cpu_word(&p, "cpu", &id))
			continue; /* "cpu " is the sum */
		for (k = 0; k < 8 && parse_num(&p, 10, &v[k]); k++)
			total = total > UINT64_MAX - v[k] ? UINT64_MAX : total + v[k];
		/* user nice system idle at least; anything odd leaves the CPU unknown. */
		if (k < 4 || id >= n || total == UINT64_MAX || t[id].ticks_total != MQ_NA)
			continue;
		t[id].ticks_total = total;
		t[id].ticks_irq = k > 5 ? v[5] : MQ_NA;
		t[id].ticks_softirq = k > 6 ? v[6] : MQ_NA;
		t[id].ticks_steal = k > 7 ? v[7] : MQ_NA;
	}
	if (rc == 0 && !seen)
		rc = -EINVAL;
	if (rc == 0 && n)
		memcpy(cnt, t, n * sizeof(*t));
out:
	free(t);
	line_reader_free(&r.lr);
	return rc;
}

int cpustat_parse_softnet(FILE *f, const struct mq_cpuset *online, struct mq_cpu_counters *cnt,
			  unsigned n)
{
	struct mq_cpu_counters *t;
	struct reader r;
	/* Rows without a CPU id, in order: mapped to online CPUs at the end. */
	struct {
		uint64_t v[3];
	} *anon = NULL;
	unsigned nanon = 0, nrows = 0, anoncap = 0;
	int rc;

	if (!f || (!cnt && n))
		return -EINVAL;
	reader_open(&r, f, SHORT_LINE_MAX);
	t = scratch(cnt, n);
	if (!t) {
		rc = -ENOMEM;
		goto out;
	}
	for (unsigned i = 0; i < n; i++)
		t[i].softnet_processed = t[i].softnet_dropped = t[i].softnet_squeezed = MQ_NA;
	while ((rc = next_line(&r)) > 0) {
		const char *p = r.lr.buf;
		uint64_t v[SOFTNET_COL_CPU + 1];
		unsigned k;

		if (!*skip_ws(p))
			continue;
		for (k = 0; k <= SOFTNET_COL_CPU && parse_num(&p, 16, &v[k]); k++)
			;
		if (k < 3) {
			rc = -EINVAL; /* not softnet_stat */
			goto out;
		}
		nrows++;
		if (k <= SOFTNET_COL_CPU) {
			if (nanon == anoncap) {
				void *a = realloc(anon, (anoncap ? anoncap * 2 : 16) * sizeof(*anon));

				if (!a) {
					rc = -ENOMEM;
					goto out;
				}
				anon = a;
				anoncap = anoncap ? anoncap * 2 : 16;
			}
			memcpy(anon[nanon++].v, v, sizeof(anon[0].v));
			continue;
		}
		if (v[SOFTNET_COL_CPU] >= n || t[v[SOFTNET_COL_CPU]].softnet_processed != MQ_NA)
			continue;
		t[v[SOFTNET_COL_CPU]].softnet_processed = v[0];
		t[v[SOFTNET_COL_CPU]].softnet_dropped = v[1];
		t[v[SOFTNET_COL_CPU]].softnet_squeezed = v[2];
	}
	if (rc < 0)
		goto out;
	if (!nrows) {
		rc = -EINVAL;
		goto out;
	}
	/*
	 * Old kernels: row i is the i-th online CPU, but only if the file and the
	 * online mask agree on how many there are (a CPU may have come or gone in
	 * between); otherwise nobody's.
	 */
	if (nanon && online && nanon == nrows && nanon == cpuset_count(online)) {
		unsigned i = 0;

		CPUSET_FOREACH(cpu, online) {
			if ((unsigned)cpu < n && t[cpu].softnet_processed == MQ_NA) {
				t[cpu].softnet_processed = anon[i].v[0];
				t[cpu].softnet_dropped = anon[i].v[1];
				t[cpu].softnet_squeezed = anon[i].v[2];
			}
			i++;
		}
	}
	if (n)
		memcpy(cnt, t, n * sizeof(*t));
out:
	free(anon);
	free(t);
	line_reader_free(&r.lr);
	return rc;
}

typedef int (*parse_fn)(FILE *f, const struct mq_cpus *c, struct mq_cpu_counters *cnt);

static int read_softirqs(FILE *f, const struct mq_cpus *c, struct mq_cpu_counters *cnt)
{
	return cpustat_parse_softirqs(f, cnt, c->n);
}

static int read_stat(FILE *f, const struct mq_cpus *c, struct mq_cpu_counters *cnt)
{
	return cpustat_parse_stat(f, cnt, c->n);
}

static int read_softnet(FILE *f, const struct mq_cpus *c, struct mq_cpu_counters *cnt)
{
	return cpustat_parse_softnet(f, c->online, cnt, c->n);
}

int cpustat_read(struct mq_cpus *c, char *err, size_t errlen)
{
	static const struct {
		const char *path;
		parse_fn parse;
	} src[] = {
		{"/proc/softirqs", read_softirqs},
		{"/proc/stat", read_stat},
		{"/proc/net/softnet_stat", read_softnet},
	};
	struct mq_cpu_counters *cnt;
	int first_err = 0, nread = 0;

	if (err && errlen)
		err[0] = '\0';
	if (!c || (!c->cpu && c->n))
		return -EINVAL;
	cnt = malloc((c->n ? c->n : 1) * sizeof(*cnt));
	if (!cnt)
		return -ENOMEM;
	for (unsigned i = 0; i < c->n; i++)
		cpu_counters_clear(&cnt[i]);
	for (size_t i = 0; i < sizeof(src) / sizeof(src[0]); i++) {
		FILE *f = sysfs_fopen("%s", src[i].path);
		int r = f ? src[i].parse(f, c, cnt) : -errno;

		if (f)
			fclose(f);
		if (r >= 0)
			nread++;
		else if (!first_err)
			first_err = r;
		if (r < 0 && r != -ENOENT && err && errlen && !err[0])
			probe_file_error(err, errlen, src[i].path, r, MQ_PROC_CPUSTAT_MAX);
	}
	for (unsigned i = 0; i < c->n; i++)
		c->cpu[i].cnt = cnt[i];
	free(cnt);
	return nread ? nread : first_err;
}
