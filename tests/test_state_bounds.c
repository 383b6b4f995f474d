// SPDX-License-Identifier: MIT
/*
 * core/state.c at its bounds: 1024 NICs and 65536 IRQs a NIC in the state
 * file (-E2BIG one past, not -ENOMEM), a full state that records no more,
 * each allocation of state_record() failing, and state_free() giving back
 * every byte.
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

#include "core/state.h"
#include "tests/memcount.h"
#include "tests/snapbuild.h"

/* "mqbalance-state 1", then n lines made by line(i). */
static char *file_of(unsigned n, void (*line)(char *buf, size_t len, unsigned i), size_t *ret_len)
{
	size_t cap = 32 + (size_t)n * 40, len;
	char *text = malloc(cap);

	assert_non_null(text);
	len = (size_t)snprintf(text, cap, "mqbalance-state 1\n");
	for (unsigned i = 0; i < n; i++)
		line(text + len, cap - len, i), len += strlen(text + len);
	*ret_len = len;
	return text;
}

static void nic_line(char *buf, size_t len, unsigned i) { snprintf(buf, len, "nic n%u %u 1\n", i, i + 1); }

static void irq_line(char *buf, size_t len, unsigned i)
{
	if (i == 0)
		snprintf(buf, len, "nic eth0 2 1\n");
	else
		snprintf(buf, len, "irq eth0 %u 0\n", i - 1);
}

static void test_parse_limits(void **state)
{
	struct mq_state st;
	char err[128];
	size_t len;
	char *text;
	(void)state;

	text = file_of(MQ_STATE_MAX_NICS, nic_line, &len);
	assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, MQ_STATE_MAX_NICS);
	state_free(&st);
	free(text);
	text = file_of(MQ_STATE_MAX_NICS + 1, nic_line, &len);
	assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 1026: too many NICs");
	free(text);

	text = file_of(1 + MQ_STATE_MAX_ITEMS, irq_line, &len);
	assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), 0);
	assert_int_equal(st.nics[0].nirqs, MQ_STATE_MAX_ITEMS);
	state_free(&st);
	free(text);
	text = file_of(2 + MQ_STATE_MAX_ITEMS, irq_line, &len);
	assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), -E2BIG);
	assert_string_equal(err, "line 65539: too many IRQs");
	free(text);
	/* out of memory on the way: -ENOMEM, not a limit */
	text = file_of(3, irq_line, &len);
	for (unsigned n = 1; n < 20; n++) {
		int r;

		mem_fail_in = n;
		r = state_parse(text, len, &st, err, sizeof(err));
		if (mem_fail_in) { /* every allocation went through */
			mem_fail_in = 0;
			assert_int_equal(r, 0);
			assert_int_equal(st.nics[0].nirqs, 2);
			state_free(&st);
			break;
		}
		assert_int_equal(r, -ENOMEM);
	}
	free(text);
}

/* An RSS table of 1024 entries is recorded whole; 1025 is -E2BIG, in its own words. */
static void test_rss_limit(void **state)
{
	static char text[32 + 4 * (MQ_STATE_RSS_MAX + 1)];
	struct mq_state st;
	char err[128];
	size_t len;
	(void)state;

	for (unsigned n = MQ_STATE_RSS_MAX; n <= MQ_STATE_RSS_MAX + 1; n++) {
		len = (size_t)snprintf(text, sizeof(text), "mqbalance-state 1\nnic eth0 2 1\nrss eth0");
		for (unsigned i = 0; i < n; i++)
			len += (size_t)snprintf(text + len, sizeof(text) - len, " %u", i % 4);
		len += (size_t)snprintf(text + len, sizeof(text) - len, "\n");
		assert_true(len < sizeof(text) - 1);
		if (n == MQ_STATE_RSS_MAX) {
			assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), 0);
			assert_true(st.nics[0].has_rss);
			assert_int_equal(st.nics[0].rss_n, MQ_STATE_RSS_MAX);
			assert_int_equal(st.nics[0].rss[MQ_STATE_RSS_MAX - 1], (MQ_STATE_RSS_MAX - 1) % 4);
			state_free(&st);
		} else {
			assert_int_equal(state_parse(text, len, &st, err, sizeof(err)), -E2BIG);
			assert_string_equal(err, "line 3: rss table longer than 1024 entries");
		}
	}
}

/* eth0 and eth1, 4 queues each, a non-default RSS table, a plan that changes both. */
static void machine(struct mq_snapshot *s, struct mq_plan *p)
{
	struct mq_nic *n;

	snap_init(s, 4, 1, 1);
	for (unsigned k = 0; k < 2; k++) {
		n = add_nic(s, k ? "eth1" : "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
		nic_rss(n, 8, 2);
		assert_int_equal(plan_push_item(p, &(struct plan_item){.kind = PLAN_XPS, .ifindex = n->ifindex,
								 .queue = 0, .irq = -1, .change = true}), 0);
	}
}

/* A full state records nothing more; one place left takes the first NIC. */
static void test_record_full(void **state)
{
	struct mq_snapshot s;
	struct mq_state st = {0};
	struct mq_plan p = {0};
	(void)state;

	machine(&s, &p);
	st.nics = calloc(MQ_STATE_MAX_NICS, sizeof(*st.nics));
	assert_non_null(st.nics);
	for (unsigned i = 0; i < MQ_STATE_MAX_NICS; i++)
		snprintf(st.nics[i].ifname, sizeof(st.nics[i].ifname), "n%u", i);
	st.n = MQ_STATE_MAX_NICS;
	assert_int_equal(state_record(&st, &s, &p, 100), 0);
	assert_int_equal(st.n, MQ_STATE_MAX_NICS);
	st.n = MQ_STATE_MAX_NICS - 1;
	assert_int_equal(state_record(&st, &s, &p, 100), 1);
	assert_int_equal(st.n, MQ_STATE_MAX_NICS);
	assert_string_equal(st.nics[MQ_STATE_MAX_NICS - 1].ifname, "eth0");
	state_free(&st);
	plan_free(&p);
	snap_free(&s);
}

/*
 * Each allocation of state_record() failing in turn: -ENOMEM with the NICs
 * recorded before, or both NICs with all they hold (the RSS table too);
 * state_free() gives every byte back either way.
 */
static void test_record_allocation_fails(void **state)
{
	struct mq_snapshot s;
	struct mq_plan p = {0};
	unsigned n;
	(void)state;

	machine(&s, &p);
	for (n = 1; n < 100; n++) {
		struct mq_state st = {0};
		size_t before = mem_live;
		int r;

		mem_fail_in = n;
		r = state_record(&st, &s, &p, 100);
		if (r >= 0) {
			assert_int_equal(r, 2);
			for (unsigned i = 0; i < 2; i++) {
				assert_int_equal(st.nics[i].nirqs, 8);
				assert_int_equal(st.nics[i].nqueues, 4);
				assert_true(st.nics[i].has_rss);
				assert_int_equal(st.nics[i].rss_n, 8);
			}
		} else {
			assert_int_equal(r, -ENOMEM);
			assert_true(st.n < 2);
		}
		state_free(&st);
		assert_int_equal(mem_live, before);
		if (mem_fail_in) { /* nothing failed: every allocation has had its turn */
			mem_fail_in = 0;
			break;
		}
	}
	assert_true(n > 5 && n < 100);
	plan_free(&p);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_limits),
		cmocka_unit_test(test_rss_limit),
		cmocka_unit_test(test_record_full),
		cmocka_unit_test(test_record_allocation_fails),
	};
	return cmocka_run_group_tests_name("state_bounds", tests, NULL, NULL);
}
