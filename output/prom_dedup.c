// SPDX-License-Identifier: MIT
/*
 * Each series once (output/prom_dedup.h), in time linear in the series:
 * the textfile of 64 NICs is rendered every interval.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core/escape.h"
#include "output/prom_dedup.h"

bool prom_label_plain(const char *v, size_t *ret_len)
{
	const char *c = v;

	for (; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e || *c == '\\' || *c == '"')
			return false;
	*ret_len = (size_t)(c - v);
	return true;
}

/*
 * What makes two series one: a label value as written (escape_text()'d: a
 * byte 0xff and the text \xff are one value) and a number (a queue, an IRQ,
 * a finding's code and severity).
 */
struct key {
	const char *s; /* the name itself when prom_label_plain(), else esc */
	char *esc;
	size_t len;
	uint64_t tag;
};

static int key_set(struct key *k, const char *name, uint64_t tag)
{
	char buf[ESCAPE_BUF];

	k->tag = tag;
	k->esc = NULL;
	k->s = name ? name : "";
	if (prom_label_plain(k->s, &k->len))
		return 0;
	k->esc = strdup(escape_text(buf, sizeof(buf), name, false));
	if (!k->esc)
		return -ENOMEM;
	k->s = k->esc;
	k->len = strlen(k->s);
	return 0;
}

static void keys_free(struct key *k, unsigned n)
{
	for (unsigned i = 0; k && i < n; i++)
		free(k[i].esc);
	free(k);
}

/*
 * first[i]: no key before k[i] is equal to it. Linear (expected): a hash
 * table of at least 2n slots, not every key against all before it.
 */
static int firsts(const struct key *k, unsigned n, bool *first)
{
	unsigned cap = 16, *slot;

	while (cap < 2 * (size_t)n)
		cap *= 2;
	slot = calloc(cap, sizeof(*slot)); /* index + 1; 0 free */
	if (!slot)
		return -ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		uint64_t h = 1469598103934665603ull; /* FNV-1a of the tag's bytes, then the name's */
		unsigned at;

		for (unsigned b = 0; b < 64; b += 8)
			h = (h ^ ((k[i].tag >> b) & 0xff)) * 1099511628211ull;
		for (size_t c = 0; c < k[i].len; c++)
			h = (h ^ (unsigned char)k[i].s[c]) * 1099511628211ull;
		first[i] = true;
		for (at = (unsigned)(h ^ h >> 32) & (cap - 1); slot[at]; at = (at + 1) & (cap - 1)) {
			const struct key *o = &k[slot[at] - 1];

			if (o->tag == k[i].tag && o->len == k[i].len && !memcmp(o->s, k[i].s, o->len)) {
				first[i] = false;
				break;
			}
		}
		if (first[i])
			slot[at] = i + 1;
	}
	free(slot);
	return 0;
}

int prom_names_first(const char *name0, size_t stride, const uint64_t *tags, unsigned n, bool *first)
{
	struct key *k = calloc(n ? n : 1, sizeof(*k));
	int r = k ? 0 : -ENOMEM;

	for (unsigned i = 0; r == 0 && i < n; i++)
		r = key_set(&k[i], name0 + i * stride, tags ? tags[i] : 0);
	if (r == 0)
		r = firsts(k, n, first);
	keys_free(k, n);
	return r;
}

/*
 * Numbers (queue indices, IRQs): NULL when every one is the first of its
 * value (strictly increasing: the kernel's order), else a new array.
 */
static int numbers_first(const unsigned *v, size_t stride, unsigned n, bool **ret)
{
	struct key *k;
	bool *first;
	unsigned i;
	int r;

	for (i = 1; i < n && *(const unsigned *)((const char *)v + i * stride) >
				     *(const unsigned *)((const char *)v + (i - 1) * stride); i++)
		;
	*ret = NULL;
	if (i >= n)
		return 0;
	k = calloc(n, sizeof(*k));
	first = malloc(n * sizeof(*first));
	r = k && first ? 0 : -ENOMEM;
	for (i = 0; r == 0 && i < n; i++)
		r = key_set(&k[i], "", *(const unsigned *)((const char *)v + i * stride));
	if (r == 0)
		r = firsts(k, n, first);
	keys_free(k, n);
	if (r < 0)
		free(first);
	else
		*ret = first;
	return r;
}

void prom_dedup_free(struct prom_dedup *d)
{
	for (unsigned i = 0; i < d->n; i++) {
		free(d->queue ? d->queue[i] : NULL);
		free(d->irq ? d->irq[i] : NULL);
	}
	free(d->nic);
	free(d->queue);
	free(d->irq);
}

static unsigned nic_nqueues(const struct mq_nic *n) { return n->queues ? n->nqueues : 0; }
static unsigned nic_nirqs(const struct mq_nic *n) { return n->irqs ? n->nirqs : 0; }

int prom_dedup_build(const struct mq_snapshot *s, struct prom_dedup *d)
{
	unsigned n = s->nnics;
	int r;

	d->n = n;
	d->nic = malloc((n ? n : 1) * sizeof(*d->nic));
	d->queue = calloc(n ? n : 1, sizeof(*d->queue));
	d->irq = calloc(n ? n : 1, sizeof(*d->irq));
	if (!d->nic || !d->queue || !d->irq)
		return -ENOMEM;
	r = prom_names_first(n ? s->nics[0].name : "", sizeof(s->nics[0]), NULL, n, d->nic);
	for (unsigned i = 0; r == 0 && i < n; i++) {
		const struct mq_nic *nic = &s->nics[i];

		r = numbers_first(nic->queues ? &nic->queues[0].index : NULL, sizeof(*nic->queues),
				  nic_nqueues(nic), &d->queue[i]);
		if (r == 0)
			r = numbers_first(nic->irqs ? &nic->irqs[0].irq : NULL, sizeof(*nic->irqs),
					  nic_nirqs(nic), &d->irq[i]);
	}
	return r;
}

