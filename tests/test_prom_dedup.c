// SPDX-License-Identifier: MIT
/*
 * output/prom_dedup.c: each series once, decided by a hash table, must
 * agree with the obvious answer (every name against all before it, as
 * written in the label).
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

#include "core/escape.h"
#include "output/prom_dedup.h"

struct named {
	char name[16];
	int pad; /* a stride that is not the name's size */
};

/* The obvious answer: the same escaped text and the same tag as an earlier one. */
static bool first_slow(const struct named *v, const uint64_t *tags, unsigned i)
{
	char a[ESCAPE_BUF], b[ESCAPE_BUF];

	for (unsigned j = 0; j < i; j++)
		if ((!tags || tags[j] == tags[i]) &&
		    strcmp(escape_text(a, sizeof(a), v[j].name, false),
			   escape_text(b, sizeof(b), v[i].name, false)) == 0)
			return false;
	return true;
}

/* Random short names over an alphabet where escapes collide (0xff and the text \xff). */
static void test_names_as_the_obvious_answer(void **state)
{
	static const char alpha[] = {'a', 'x', 'f', '\\', '"', '\xff', '\n', '\xc3', '\xa9'};
	enum { N = 600 };
	struct named *v = calloc(N, sizeof(*v));
	uint64_t *tags = calloc(N, sizeof(*tags));
	bool *first = calloc(N, sizeof(*first));
	unsigned nfirst = 0;
	(void)state;

	assert_true(v && tags && first);
	srandom(10);
	for (unsigned round = 0; round < 20; round++) {
		for (unsigned i = 0; i < N; i++) {
			unsigned len = (unsigned)random() % 5;

			for (unsigned c = 0; c < len; c++)
				v[i].name[c] = alpha[(unsigned)random() % sizeof(alpha)];
			v[i].name[len] = '\0';
			tags[i] = (unsigned)random() % 3;
		}
		/* one pair that meets only through the escaping */
		snprintf(v[0].name, sizeof(v[0].name), "q\xff");
		snprintf(v[1].name, sizeof(v[1].name), "q\\xff");
		tags[0] = tags[1] = 0;
		assert_int_equal(prom_names_first(v[0].name, sizeof(*v), tags, N, first), 0);
		assert_false(first[1]);
		for (unsigned i = 0; i < N; i++) {
			assert_int_equal(first[i], first_slow(v, tags, i));
			nfirst += first[i];
		}
		assert_int_equal(prom_names_first(v[0].name, sizeof(*v), NULL, N, first), 0);
		for (unsigned i = 0; i < N; i++)
			assert_int_equal(first[i], first_slow(v, NULL, i));
	}
	/* both answers occur: the comparison above tested something */
	assert_true(nfirst > 20 && nfirst < 20 * N);
	free(v);
	free(tags);
	free(first);
}

/* One name, numbers for tags (the queues): equal only with the same number. */
static void test_tags(void **state)
{
	enum { N = 300 };
	struct named v[N];
	uint64_t tags[N];
	bool first[N];
	(void)state;

	memset(v, 0, sizeof(v));
	for (unsigned i = 0; i < N; i++)
		tags[i] = i % 100;
	assert_int_equal(prom_names_first(v[0].name, sizeof(*v), tags, N, first), 0);
	for (unsigned i = 0; i < N; i++)
		assert_int_equal(first[i], i < 100);
}

static void test_plain(void **state)
{
	size_t n = 0;
	(void)state;

	assert_true(prom_label_plain("eth0", &n));
	assert_int_equal(n, 4);
	assert_true(prom_label_plain("", &n));
	assert_int_equal(n, 0);
	assert_false(prom_label_plain("a\\b", &n));
	assert_false(prom_label_plain("a\"b", &n));
	assert_false(prom_label_plain("a\nb", &n));
	assert_false(prom_label_plain("a\x7f", &n));
	assert_false(prom_label_plain("caf\xc3\xa9", &n));
}

/* NICs by name, queues and IRQs by number; the kernel's increasing order needs no table. */
static void test_dedup_build(void **state)
{
	struct mq_queue q[4] = {{.index = 0}, {.index = 1}, {.index = 2}, {.index = 3}};
	struct mq_queue dq[4] = {{.index = 3}, {.index = 0}, {.index = 3}, {.index = 1}};
	struct mq_irq irq[3] = {{.irq = 30}, {.irq = 31}, {.irq = 40}};
	struct mq_irq dirq[3] = {{.irq = 31}, {.irq = 30}, {.irq = 31}};
	struct mq_nic nics[3] = {
		{.name = "eth0", .queues = q, .nqueues = 4, .irqs = irq, .nirqs = 3},
		{.name = "eth1", .queues = dq, .nqueues = 4, .irqs = dirq, .nirqs = 3},
		{.name = "eth0", .queues = q, .nqueues = 4},
	};
	struct mq_snapshot s = {.nics = nics, .nnics = 3};
	struct prom_dedup d = {0};
	(void)state;

	assert_int_equal(prom_dedup_build(&s, &d), 0);
	assert_true(d.nic[0] && d.nic[1] && !d.nic[2]);
	assert_null(d.queue[0]);
	assert_null(d.irq[0]);
	assert_null(d.irq[2]); /* no IRQs */
	assert_non_null(d.queue[1]);
	assert_true(prom_dedup_queue(&d, 1, 0) && prom_dedup_queue(&d, 1, 1));
	assert_false(prom_dedup_queue(&d, 1, 2));
	assert_true(prom_dedup_queue(&d, 1, 3));
	assert_true(prom_dedup_irq(&d, 1, 0) && prom_dedup_irq(&d, 1, 1));
	assert_false(prom_dedup_irq(&d, 1, 2));
	for (unsigned k = 0; k < 4; k++)
		assert_true(prom_dedup_queue(&d, 0, k));
	prom_dedup_free(&d);

	/* nothing at all */
	s.nnics = 0;
	s.nics = NULL;
	memset(&d, 0, sizeof(d));
	assert_int_equal(prom_dedup_build(&s, &d), 0);
	prom_dedup_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_as_the_obvious_answer),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_dedup_build),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
