/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The names of the links the daemon has seen, by ifindex. The kernel tells
 * of a rename only by sending the new name: this table turns that into an
 * EV_LINK_RENAME with the old one. Fixed size: when full, the oldest entry
 * is overwritten (its link's rename would then show as a plain change).
 */

#include <net/if.h>
#include <stdbool.h>

#include "core/events.h"

#define LINK_NAMES_MAX 256

struct link_names {
	struct {
		int ifindex; /* 0: free */
		char name[IF_NAMESIZE];
	} e[LINK_NAMES_MAX];
	unsigned next; /* slot to overwrite when the table is full */
};

void link_names_set(struct link_names *t, int ifindex, const char *name);
/* The name ifindex had when last seen, or NULL. */
const char *link_names_get(const struct link_names *t, int ifindex);
/*
 * Keep the table in step with one event (others are ignored). Returns true
 * with ret_rename (EV_LINK_RENAME, the old name in oldname) when a link we
 * knew now has another name.
 */
bool link_names_track(struct link_names *t, const struct mq_event *e, struct mq_event *ret_rename);
