// SPDX-License-Identifier: MIT
/*
 * Which NICs an apply records (core/state.c state_record()): those the plan
 * changes, and no other; and state_mark() naming each NIC's first change.
 * tests/test_state.c has the text form and the revert plan.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/state.h"
#include "tests/snapbuild.h"

/* An item of NIC ifindex, changing or not. */
static void push(struct mq_plan *p, int ifindex, bool change)
{
	struct plan_item it = {.kind = PLAN_XPS, .ifindex = ifindex, .queue = 0, .irq = -1,
			       .change = change};

	assert_int_equal(plan_push_item(p, &it), 0);
}

/* Only a NIC with an item that changes something is recorded; an unchanged item is not one. */
static void test_record_touched_only(void **state)
{
	struct mq_snapshot s;
	struct mq_state st = {0};
	struct mq_plan p = {0};
	(void)state;

	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth2", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	/* nothing changes: nothing to record */
	push(&p, s.nics[0].ifindex, false);
	push(&p, s.nics[1].ifindex, false);
	assert_int_equal(state_record(&st, &s, &p, 100), 0);
	assert_int_equal(st.n, 0);
	/* eth1 changes (its second item); eth0 and eth2 do not */
	push(&p, s.nics[1].ifindex, true);
	push(&p, 99, true); /* a NIC the snapshot does not have */
	assert_int_equal(state_record(&st, &s, &p, 100), 1);
	assert_int_equal(st.n, 1);
	assert_string_equal(st.nics[0].ifname, "eth1");
	assert_int_equal(st.nics[0].since, 100);
	/* the last NIC's item, the plan's last */
	push(&p, s.nics[2].ifindex, true);
	assert_int_equal(state_record(&st, &s, &p, 200), 1);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.nics[1].ifname, "eth2");
	assert_int_equal(st.nics[0].since, 100); /* the first record stays */
	state_free(&st);
	plan_free(&p);
	snap_free(&s);
}

/* state_mark: a recorded NIC gets its time, every other NIC 0 (whatever it held). */
static void test_mark(void **state)
{
	struct mq_snapshot s;
	struct mq_state st = {0};
	struct mq_plan p = {0};
	(void)state;

	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(&s, "eth1", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	push(&p, s.nics[1].ifindex, true);
	assert_int_equal(state_record(&st, &s, &p, 1764470000), 1);
	s.nics[0].tuned_since = 7; /* stale: eth0 is not recorded */
	s.nics[1].tuned_since = 0;
	state_mark(&st, &s);
	assert_int_equal(s.nics[0].tuned_since, 0);
	assert_int_equal(s.nics[1].tuned_since, 1764470000);
	/* forgotten (reverted): no longer tuned */
	assert_true(state_forget(&st, "eth1"));
	state_mark(&st, &s);
	assert_int_equal(s.nics[1].tuned_since, 0);
	state_free(&st);
	plan_free(&p);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_touched_only),
		cmocka_unit_test(test_mark),
	};
	return cmocka_run_group_tests_name("state_record", tests, NULL, NULL);
}
