// SPDX-License-Identifier: MIT
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/events.h"

/* A fake clock: tests move it by hand. */
static uint64_t now;

static struct mq_event ev(enum ev_type t)
{
	struct mq_event e = {.type = t, .t_ms = now, .cpu = -1};
	return e;
}

static struct mq_event ev_link(enum ev_type t, int ifindex, const char *name)
{
	struct mq_event e = ev(t);

	e.ifindex = ifindex;
	snprintf(e.ifname, sizeof(e.ifname), "%s", name);
	return e;
}

static struct mq_event ev_cpu(enum ev_type t, int cpu)
{
	struct mq_event e = ev(t);

	e.cpu = cpu;
	return e;
}

static void push(struct ev_state *s, struct mq_event e)
{
	events_push(s, &e);
}

static int setup(void **state)
{
	static struct ev_state s;

	now = 1000000;
	events_init(&s, NULL);
	*state = &s;
	return 0;
}

static void test_defaults(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	assert_int_equal(s->p.debounce_ms, 200);
	assert_int_equal(s->p.debounce_max_ms, 2000);
	assert_int_equal(s->p.suppress_ms, 1000);
	assert_true(events_deadline(s) == UINT64_MAX);
	assert_int_equal(events_poll(s, now, cause, sizeof(cause)), 0);
	assert_string_equal(cause, "");
}

static void test_debounce_single(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	push(s, ev_cpu(EV_CPU_OFFLINE, 3));
	assert_true(events_deadline(s) == now + 200);
	assert_int_equal(events_poll(s, now + 199, cause, sizeof(cause)), 0);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpu3 went offline");
	/* Cleared: nothing more to do. */
	assert_true(events_deadline(s) == UINT64_MAX);
	assert_int_equal(events_poll(s, now + 1000, cause, sizeof(cause)), 0);
}

static void test_debounce_extends_then_caps(void **state)
{
	struct ev_state *s = *state;
	uint64_t start = now;
	char cause[256];

	/* An event every 150 ms keeps the burst open, but never past 2 s. */
	for (int i = 0; i < 20; i++) {
		push(s, ev_cpu(EV_CPU_OFFLINE, i));
		if (i < 13)
			assert_true(events_deadline(s) == now + 200);
		now += 150;
		if (now >= start + 2000)
			break;
		assert_int_equal(events_poll(s, now, cause, sizeof(cause)), 0);
	}
	assert_true(events_deadline(s) == start + 2000);
	assert_int_equal(events_poll(s, start + 2000, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpus 0-13 went offline");
}

static void test_coalesce_causes(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	push(s, ev_cpu(EV_CPU_OFFLINE, 3));
	now += 10;
	push(s, ev_link(EV_LINK_UP, 2, "eth1"));
	push(s, ev_link(EV_LINK_DOWN, 2, "eth1")); /* not a cause */
	/* Carrier, MTU, a name the daemon checks itself: not a cause either. */
	assert_false(events_push(s, &(struct mq_event){.type = EV_LINK_CHANGE, .t_ms = now,
							.ifindex = 2, .ifname = "eth1"}));
	push(s, ev_link(EV_LINK_UP, 2, "eth1"));
	push(s, ev_cpu(EV_CPU_OFFLINE, 2));
	push(s, ev_cpu(EV_CPU_ONLINE, 7));
	struct mq_event ch = ev_link(EV_CHANNELS_CHANGED, 3, "eth0");
	ch.count = 2;
	push(s, ch);
	struct mq_event rn = ev_link(EV_LINK_RENAME, 4, "wan0");
	snprintf(rn.oldname, sizeof(rn.oldname), "eth2");
	push(s, rn);
	push(s, ev_link(EV_LINK_NEW, 5, "eth3"));
	push(s, ev_link(EV_LINK_DEL, 6, "eth4"));
	push(s, ev(EV_OVERRUN));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpus 2-3 went offline, eth1 link up (2 times), cpu7 came online, "
				   "eth0 channels changed by someone else (to 2), eth2 renamed to wan0, "
				   "eth3 appeared, eth4 went away, netlink events were lost");
	assert_false(s->overflow); /* exactly EV_MAX_CAUSES */
}

static void test_all_kinds_fit(void **state)
{
	struct ev_state *s = *state;
	char cause[512];

	push(s, ev_link(EV_LINK_NEW, 5, "eth3"));
	push(s, ev_link(EV_LINK_DEL, 6, "eth4"));
	push(s, ev(EV_OVERRUN));
	push(s, ev(EV_CONFIG_RELOADED));
	push(s, ev(EV_TIMER_DRIFT_CHECK));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "eth3 appeared, eth4 went away, netlink events were lost, "
				   "configuration reloaded, drift check");
}

static void test_rename_chain(void **state)
{
	struct ev_state *s = *state;
	char cause[256];
	struct mq_event rn = ev_link(EV_LINK_RENAME, 4, "tmp0");

	snprintf(rn.oldname, sizeof(rn.oldname), "eth2");
	push(s, rn);
	rn = ev_link(EV_LINK_RENAME, 4, "wan0");
	snprintf(rn.oldname, sizeof(rn.oldname), "tmp0");
	push(s, rn);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "eth2 renamed to wan0 (2 times)");
}

static void test_overflow(void **state)
{
	struct ev_state *s = *state;
	char cause[1024];

	for (int i = 1; i <= 40; i++) {
		char name[IF_NAMESIZE];

		snprintf(name, sizeof(name), "veth%d", i);
		push(s, ev_link(EV_LINK_NEW, i, name));
	}
	assert_int_equal(s->ncauses, EV_MAX_CAUSES);
	assert_true(s->overflow);
	/* one more with no room for its cause still asks for a retune */
	assert_true(events_push(s, &(struct mq_event){.type = EV_LINK_NEW, .t_ms = now, .ifindex = 41,
						       .ifname = "veth41", .cpu = -1}));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "many events (41): veth1 appeared, veth2 appeared, veth3 appeared, "
				   "veth4 appeared, veth5 appeared, veth6 appeared, veth7 appeared, "
				   "veth8 appeared, ...");
	/* The next burst starts clean. */
	push(s, ev_cpu(EV_CPU_ONLINE, 1));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpu1 came online");
}

/* The count of a burst stops at its maximum: it never wraps back to a small number. */
static void test_count_saturates(void **state)
{
	struct ev_state *s = *state;
	char cause[1024];

	for (int i = 1; i <= 9; i++)
		push(s, ev_link(EV_LINK_NEW, i, "veth"));
	s->nevents = UINT32_MAX - 1; /* a burst of four billion, as if pushed one by one */
	push(s, ev_link(EV_LINK_NEW, 10, "veth"));
	push(s, ev_link(EV_LINK_NEW, 11, "veth"));
	assert_int_equal(s->nevents, UINT32_MAX);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_non_null(strstr(cause, "many events (4294967295): "));
}

static void test_cause_truncated(void **state)
{
	struct ev_state *s = *state;
	char cause[24];

	push(s, ev_link(EV_LINK_UP, 2, "eth1"));
	push(s, ev_link(EV_LINK_UP, 3, "eth2"));
	push(s, ev_link(EV_LINK_UP, 4, "eth3"));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_int_equal(strlen(cause), sizeof(cause) - 1);
	assert_string_equal(cause, "eth1 link up, eth2 l...");
	/* too small for "...": cut short, nothing written before the buffer */
	push(s, ev_link(EV_LINK_UP, 2, "eth1"));
	cause[0] = 'x';
	assert_int_equal(events_poll(s, now + 200, cause + 1, 3), EV_ACT_RETUNE);
	assert_string_equal(cause, "xet");
	/* nothing due: no cause, not the last one's text; no buffer at all is fine */
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), 0);
	assert_string_equal(cause, "");
	assert_int_equal(events_poll(s, now + 200, NULL, 0), 0);
	/* due with no buffer: the causes are dropped, not written anywhere */
	push(s, ev_link(EV_LINK_UP, 2, "eth1"));
	push(s, ev_link(EV_LINK_UP, 3, "eth2"));
	assert_int_equal(events_poll(s, now + 200, NULL, 0), EV_ACT_RETUNE);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), 0);
}

static void test_own_change_suppressed(void **state)
{
	struct ev_state *s = *state;
	uint64_t t0 = now;
	char cause[256];

	events_own_change(s, 3, 4, now);
	now += 5;
	/*
	 * Our own change's notification: not blamed on anyone, but verified by
	 * a quiet pass, since someone else's change right after ours looks the same.
	 */
	assert_true(events_push(s, &(struct mq_event){.type = EV_CHANNELS_CHANGED, .t_ms = now,
						       .ifindex = 3, .ifname = "eth0", .count = 4, .cpu = -1}));
	assert_int_equal(s->suppressed, 1);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)),
			 EV_ACT_RETUNE | EV_ACT_QUIET);
	assert_string_equal(cause, "drift check");
	/* Another interface is not covered. */
	assert_true(events_push(s, &(struct mq_event){.type = EV_CHANNELS_CHANGED, .t_ms = now,
						       .ifindex = 4, .ifname = "eth1", .cpu = -1}));
	assert_int_equal(events_poll(s, now + 400, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "eth1 channels changed by someone else");
	/* After the window, eth0 changes are someone else's again. */
	assert_true(events_is_own(s, 3, 0, t0 + 1000));
	assert_false(events_is_own(s, 3, 0, t0 + 1001));
	now = t0 + 1001;
	assert_true(events_push(s, &(struct mq_event){.type = EV_CHANNELS_CHANGED, .t_ms = now,
						       .ifindex = 3, .ifname = "eth0", .cpu = -1}));
}

static void test_own_change_all_and_table_full(void **state)
{
	struct ev_state *s = *state;

	events_own_change(s, 0, 0, now);
	assert_true(events_is_own(s, 77, 0, now + 1000));
	assert_false(events_is_own(s, 77, 0, now + 1001));

	now += 5000;
	for (int i = 1; i <= EV_MAX_SUPPRESS; i++)
		events_own_change(s, i, 0, now);
	assert_true(events_is_own(s, 1, 0, now));
	assert_false(events_is_own(s, 1000, 0, now));
	/* Full: the next one widens to every interface. */
	events_own_change(s, 1000, 0, now);
	assert_true(events_is_own(s, 1000, 0, now));
	assert_true(events_is_own(s, 2000, 0, now));
	/* Expired slots are reused. */
	now += 5000;
	events_own_change(s, 3000, 0, now);
	assert_true(events_is_own(s, 3000, 0, now));
	assert_false(events_is_own(s, 1, 0, now));
}

/*
 * Inside the window, a notification with another count than the one we set
 * is not our echo: someone else changed it (our pass read their change
 * before their notification came). One without a count could be either.
 */
static void test_own_change_count(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	events_own_change(s, 3, 4, now);
	assert_true(events_is_own(s, 3, 4, now + 5));
	assert_true(events_is_own(s, 3, 0, now + 5));
	assert_false(events_is_own(s, 3, 1, now + 5));
	assert_true(events_push(s, &(struct mq_event){.type = EV_CHANNELS_CHANGED, .t_ms = now + 5,
						       .ifindex = 3, .ifname = "eth0", .count = 1, .cpu = -1}));
	assert_int_equal(s->suppressed, 0);
	assert_int_equal(events_poll(s, now + 205, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "eth0 channels changed by someone else (to 1)");
	/* A later pass sets another count: that one is ours now. */
	events_own_change(s, 3, 2, now + 300);
	assert_true(events_is_own(s, 3, 2, now + 305));
	assert_false(events_is_own(s, 3, 4, now + 305));
	/* Count 0 (not known, or every interface): any count is ours. */
	events_own_change(s, 5, 0, now + 300);
	assert_true(events_is_own(s, 5, 7, now + 305));
}

static void test_signals_and_sample(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	push(s, ev_cpu(EV_CPU_ONLINE, 1));
	push(s, ev(EV_SIGHUP));
	push(s, ev(EV_TIMER_SAMPLE));
	/* Immediate, while the retune still waits for its debounce. */
	assert_true(events_deadline(s) == 0);
	assert_int_equal(events_poll(s, now, cause, sizeof(cause)), EV_ACT_RELOAD | EV_ACT_SAMPLE);
	assert_true(events_deadline(s) == now + 200);
	/* each alone is immediate too */
	push(s, ev(EV_SIGHUP));
	assert_true(events_deadline(s) == 0);
	assert_int_equal(events_poll(s, now, cause, sizeof(cause)), EV_ACT_RELOAD);
	push(s, ev(EV_TIMER_SAMPLE));
	assert_true(events_deadline(s) == 0);
	assert_int_equal(events_poll(s, now, cause, sizeof(cause)), EV_ACT_SAMPLE);
	push(s, ev(EV_SIGTERM));
	assert_int_equal(events_poll(s, now, cause, sizeof(cause)), EV_ACT_EXIT);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpu1 came online");
}

static void test_quiet_drift(void **state)
{
	struct ev_state *s = *state;
	char cause[256];

	push(s, ev(EV_TIMER_DRIFT_CHECK));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)),
			 EV_ACT_RETUNE | EV_ACT_QUIET);
	assert_string_equal(cause, "drift check");
	push(s, ev(EV_TIMER_DRIFT_CHECK));
	push(s, ev_cpu(EV_CPU_OFFLINE, 0));
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
}

static void test_bad_subjects(void **state)
{
	struct ev_state *s = *state;

	assert_false(events_push(s, &(struct mq_event){.type = EV_CPU_OFFLINE, .cpu = -1}));
	assert_false(events_push(s, &(struct mq_event){.type = EV_CPU_OFFLINE, .cpu = MQ_MAX_CPUS}));
	assert_false(events_push(s, &(struct mq_event){.type = EV_LINK_UP, .cpu = -1}));
	assert_false(events_push(s, &(struct mq_event){.type = _EV_TYPE_MAX}));
	assert_false(events_push(s, &(struct mq_event){.type = (enum ev_type)-5}));
	assert_true(events_deadline(s) == UINT64_MAX);
	assert_string_equal(ev_type_to_string(EV_CPU_OFFLINE), "cpu_offline");
	assert_string_equal(ev_type_to_string(_EV_TYPE_MAX), "unknown");
	for (int t = 0; t < _EV_TYPE_MAX; t++)
		assert_non_null(ev_type_to_string((enum ev_type)t));
}

/*
 * The quiet period runs from the latest stamp, not from the event pushed
 * last; a new burst runs from its own first event, however the last one
 * ended.
 */
static void test_deadline_from_latest_stamp(void **state)
{
	struct ev_state *s = *state;
	struct mq_event e = ev_cpu(EV_CPU_OFFLINE, 2);
	char cause[64];

	push(s, ev_cpu(EV_CPU_OFFLINE, 1));
	e.t_ms = now - 50; /* stamped before the one pushed first */
	push(s, e);
	assert_true(events_deadline(s) == now + 200);
	assert_int_equal(events_poll(s, now + 199, cause, sizeof(cause)), 0);
	assert_int_equal(events_poll(s, now + 200, cause, sizeof(cause)), EV_ACT_RETUNE);
	assert_string_equal(cause, "cpus 1-2 went offline");

	e.t_ms = now - 10;
	push(s, e);
	assert_true(events_deadline(s) == now + 190);
}

static void test_custom_params(void **state)
{
	struct ev_state s;
	struct ev_params p = {.debounce_ms = 50, .debounce_max_ms = 10, .suppress_ms = 7};
	char cause[64];
	(void)state;

	events_init(&s, &p);
	assert_int_equal(s.p.debounce_max_ms, 50); /* never below the debounce */
	push(&s, ev_cpu(EV_CPU_OFFLINE, 1));
	assert_true(events_deadline(&s) == now + 50);
	assert_int_equal(events_poll(&s, now + 50, cause, sizeof(cause)), EV_ACT_RETUNE);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_defaults, setup),
		cmocka_unit_test_setup(test_debounce_single, setup),
		cmocka_unit_test_setup(test_debounce_extends_then_caps, setup),
		cmocka_unit_test_setup(test_coalesce_causes, setup),
		cmocka_unit_test_setup(test_all_kinds_fit, setup),
		cmocka_unit_test_setup(test_rename_chain, setup),
		cmocka_unit_test_setup(test_overflow, setup),
		cmocka_unit_test_setup(test_count_saturates, setup),
		cmocka_unit_test_setup(test_cause_truncated, setup),
		cmocka_unit_test_setup(test_own_change_suppressed, setup),
		cmocka_unit_test_setup(test_own_change_count, setup),
		cmocka_unit_test_setup(test_own_change_all_and_table_full, setup),
		cmocka_unit_test_setup(test_signals_and_sample, setup),
		cmocka_unit_test_setup(test_quiet_drift, setup),
		cmocka_unit_test_setup(test_bad_subjects, setup),
		cmocka_unit_test_setup(test_deadline_from_latest_stamp, setup),
		cmocka_unit_test_setup(test_custom_params, setup),
	};
	return cmocka_run_group_tests_name("events", tests, NULL, NULL);
}
