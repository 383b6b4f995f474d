// SPDX-License-Identifier: MIT
/* The link-name table: renames told by a new name alone, a full table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "core/linknames.h"

static struct mq_event link_ev(enum ev_type t, int ifindex, const char *name)
{
	struct mq_event e = {.type = t, .ifindex = ifindex, .cpu = -1, .t_ms = 77};

	snprintf(e.ifname, sizeof(e.ifname), "%s", name);
	return e;
}

static bool track(struct link_names *t, struct mq_event e, struct mq_event *r)
{
	return link_names_track(t, &e, r);
}

static void test_rename(void **state)
{
	static struct link_names t;
	struct mq_event r;
	(void)state;

	memset(&t, 0, sizeof(t));
	assert_false(track(&t, link_ev(EV_LINK_NEW, 7, "eth7"), &r));
	assert_string_equal(link_names_get(&t, 7), "eth7");
	assert_false(track(&t, link_ev(EV_LINK_UP, 7, "eth7"), &r));
	assert_true(track(&t, link_ev(EV_LINK_CHANGE, 7, "wan7"), &r));
	assert_int_equal(r.type, EV_LINK_RENAME);
	assert_int_equal(r.ifindex, 7);
	assert_int_equal(r.t_ms, 77);
	assert_string_equal(r.ifname, "wan7");
	assert_string_equal(r.oldname, "eth7");
	assert_false(track(&t, link_ev(EV_LINK_CHANGE, 7, "wan7"), &r)); /* once */
	/* A link first seen without NEWLINK (it predates us, unseeded): remembered, no rename. */
	assert_false(track(&t, link_ev(EV_LINK_DOWN, 8, "eth8"), &r));
	assert_string_equal(link_names_get(&t, 8), "eth8");
	assert_true(track(&t, link_ev(EV_LINK_UP, 8, "lan8"), &r));
	assert_string_equal(r.oldname, "eth8");
	/* Gone: forgotten, so an ifindex reused later is no rename. */
	assert_false(track(&t, link_ev(EV_LINK_DEL, 8, "lan8"), &r));
	assert_null(link_names_get(&t, 8));
	assert_false(track(&t, link_ev(EV_LINK_UP, 8, "eth9"), &r));
	/* Other events, bad ifindex: nothing. */
	assert_false(track(&t, link_ev(EV_CHANNELS_CHANGED, 7, "x"), &r));
	assert_string_equal(link_names_get(&t, 7), "wan7");
	link_names_set(&t, 0, "zero");
	link_names_set(&t, -3, "neg");
	assert_null(link_names_get(&t, 0));
	assert_null(link_names_get(&t, -3));
}

static void test_full_table(void **state)
{
	static struct link_names t;
	char name[IF_NAMESIZE];
	(void)state;

	memset(&t, 0, sizeof(t));
	for (int i = 1; i <= LINK_NAMES_MAX + 10; i++) {
		snprintf(name, sizeof(name), "veth%d", i);
		link_names_set(&t, i, name);
	}
	/* The oldest were overwritten, the newest are there; nothing grew. */
	assert_null(link_names_get(&t, 1));
	assert_null(link_names_get(&t, 10));
	assert_string_equal(link_names_get(&t, 11), "veth11");
	assert_string_equal(link_names_get(&t, LINK_NAMES_MAX + 10), "veth266");
	/* Full, and no ifindex (0 or below): nothing is pushed out for it. */
	link_names_set(&t, 0, "zero");
	link_names_set(&t, -1, "neg");
	assert_string_equal(link_names_get(&t, 11), "veth11");
	assert_string_equal(link_names_get(&t, 12), "veth12");
	/* A freed slot is taken before an old one is overwritten. */
	struct mq_event r, del = link_ev(EV_LINK_DEL, 100, "veth100");
	assert_false(link_names_track(&t, &del, &r));
	link_names_set(&t, 5000, "new");
	assert_string_equal(link_names_get(&t, 11), "veth11");
	assert_string_equal(link_names_get(&t, 5000), "new");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rename),
		cmocka_unit_test(test_full_table),
	};

	return cmocka_run_group_tests_name("linknames", tests, NULL, NULL);
}
