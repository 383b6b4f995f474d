// SPDX-License-Identifier: MIT
/* The owned-IRQ file that irqbalance's policy script reads. */
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "agent/owned.h"
#include "agent/textfile.h"

struct text {
	char *buf;
	size_t len;
};

void owned_irqs_free(struct owned_irqs *o)
{
	free(o->irqs);
	memset(o, 0, sizeof(*o));
}

static int render(FILE *f, void *arg)
{
	const struct text *t = arg;

	return fwrite(t->buf, 1, t->len, f) == t->len ? 0 : -EIO;
}

/* Does the file hold exactly t? Unreadable, missing or longer: no. */
static bool file_is(const char *path, const struct text *t)
{
	char *buf = malloc(t->len + 1);
	size_t n = 0;
	FILE *f;

	f = buf ? fopen(path, "re") : NULL;
	if (f) {
		n = fread(buf, 1, t->len + 1, f);
		fclose(f);
	}
	bool same = f && n == t->len && memcmp(buf, t->buf, n) == 0;
	free(buf);
	return same;
}

static void make_parent(const char *path)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(path, '/');

	if (!slash || slash == path || (size_t)(slash - path) >= sizeof(dir))
		return;
	memcpy(dir, path, (size_t)(slash - path));
	dir[slash - path] = '\0';
	/* EEXIST is the usual answer; any other failure shows up in the write */
	(void)mkdir(dir, 0755);
}

int owned_irqs_write(const char *path, const struct mq_assessment *a, struct owned_irqs *last,
		     char *err, size_t errlen)
{
	struct text t = {0};
	unsigned *irqs;
	int n, r;

	n = assess_owned_irqs(a, &irqs);
	if (n < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(-n));
		return n;
	}
	if (last->known && last->n == (unsigned)n &&
	    (n == 0 || memcmp(last->irqs, irqs, (size_t)n * sizeof(*irqs)) == 0)) {
		free(irqs);
		return 0;
	}
	/* at most 10 digits and a newline each */
	t.buf = malloc((size_t)n * 11 + 1);
	if (!t.buf) {
		free(irqs);
		snprintf(err, errlen, "%s: %s", path, strerror(ENOMEM));
		return -ENOMEM;
	}
	for (int i = 0; i < n; i++)
		t.len += (size_t)sprintf(t.buf + t.len, "%u\n", irqs[i]);
	r = 0;
	if (last->known || !file_is(path, &t)) {
		make_parent(path);
		r = textfile_write(path, render, &t, err, errlen);
		if (r >= 0)
			r = 1;
	}
	free(t.buf);
	if (r < 0) {
		free(irqs);
		return r;
	}
	free(last->irqs);
	*last = (struct owned_irqs){.irqs = irqs, .n = (unsigned)n, .known = true};
	return r;
}

int owned_irqs_tell_irqbalance(const struct mq_platform *p)
{
	if (p->irqbalance_pid <= 0 || !p->irqbalance_policy_ours)
		return 0;
	return kill(p->irqbalance_pid, SIGHUP) < 0 ? -errno : 1;
}
