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
#include "tests/guard.h"

/* Allocations of the code under test fail on cue (tests/test_prom_dedup.mk). */
static unsigned fail_at, allocs; /* fail the fail_at-th allocation from now (1-based); 0: none */
static bool zero_null;           /* calloc(0, x) gives NULL, as C allows */

void *__real_malloc(size_t n);
void *__real_calloc(size_t a, size_t b);
char *__real_strdup(const char *s);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t a, size_t b);
char *__wrap_strdup(const char *s);

static bool fails(void) { return fail_at && ++allocs == fail_at; }
void *__wrap_malloc(size_t n) { return fails() ? NULL : __real_malloc(n); }
void *__wrap_calloc(size_t a, size_t b)
{
	return fails() || (zero_null && !(a && b)) ? NULL : __real_calloc(a, b);
}
char *__wrap_strdup(const char *s) { return fails() ? NULL : __real_strdup(s); }

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

/*
 * Each allocation failing in turn, names that need escaping among them:
 * -ENOMEM, or the answer of a run that got its memory.
 */
static void test_allocation_fails(void **state)
{
	struct named v[4] = {{"a\"b"}, {""}, {"a\"b"}, {"c\xff"}};
	uint64_t tags[4] = {0};
	bool first[4], want[4] = {true, true, false, true};
	unsigned n;
	(void)state;

	for (n = 1; n < 20; n++) {
		int r;

		memset(first, 0, sizeof(first));
		fail_at = n;
		allocs = 0;
		r = prom_names_first(v[0].name, sizeof(*v), tags, 4, first);
		fail_at = 0;
		if (allocs < n) { /* nothing failed: every allocation has had its turn */
			assert_int_equal(r, 0);
			assert_memory_equal(first, want, sizeof(want));
			break;
		}
		assert_int_equal(r, -ENOMEM);
	}
	assert_true(n > 3 && n < 20);
	/* and building the whole table: -ENOMEM, to be freed all the same */
	{
		struct mq_queue dq[3] = {{.index = 1}, {.index = 0}, {.index = 1}};
		struct mq_nic nics[2] = {{.name = "eth\"0", .queues = dq, .nqueues = 3}, {.name = "eth1"}};
		struct mq_snapshot s = {.nics = nics, .nnics = 2};

		for (n = 1; n < 30; n++) {
			struct prom_dedup d = {0};
			int r;

			fail_at = n;
			allocs = 0;
			r = prom_dedup_build(&s, &d);
			fail_at = 0;
			if (allocs < n) {
				assert_int_equal(r, 0);
				assert_false(prom_dedup_queue(&d, 0, 2));
				prom_dedup_free(&d);
				break;
			}
			assert_int_equal(r, -ENOMEM);
			prom_dedup_free(&d);
		}
		assert_true(n > 5 && n < 30);
	}
}

/* No name at all: nothing to decide, not -ENOMEM, whatever calloc(0) gives. */
static void test_no_names(void **state)
{
	bool first[1] = {true};
	(void)state;

	zero_null = true;
	assert_int_equal(prom_names_first("", 16, NULL, 0, first), 0);
	zero_null = false;
	assert_int_equal(prom_names_first("", 16, NULL, 0, first), 0);
	assert_true(first[0]); /* untouched */
}

/* The kernel's increasing order is checked up to the last queue and IRQ, not one past. */
static void test_increasing_to_the_end(void **state)
{
	struct mq_queue q[3] = {{.index = 0}, {.index = 1}, {.index = 2}};
	struct mq_irq irq[2] = {{.irq = 30}, {.irq = 31}};
	struct mq_nic nic = {.name = "eth0", .nqueues = 3, .nirqs = 2};
	struct mq_snapshot s = {.nics = &nic, .nnics = 1};
	struct prom_dedup d = {0};
	(void)state;

	nic.queues = guarded(q, sizeof(q));
	assert_int_equal(prom_dedup_build(&s, &d), 0);
	assert_null(d.queue[0]);
	prom_dedup_free(&d);
	nic.queues = q;
	nic.irqs = guarded(irq, sizeof(irq));
	memset(&d, 0, sizeof(d));
	assert_int_equal(prom_dedup_build(&s, &d), 0);
	assert_null(d.irq[0]);
	prom_dedup_free(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_as_the_obvious_answer),
		cmocka_unit_test(test_tags),
		cmocka_unit_test(test_plain),
		cmocka_unit_test(test_dedup_build),
		cmocka_unit_test(test_allocation_fails),
		cmocka_unit_test(test_increasing_to_the_end),
		cmocka_unit_test(test_no_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
