// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <string.h>

#include "core/linknames.h"

static int slot(const struct link_names *t, int ifindex)
{
	for (int i = 0; i < LINK_NAMES_MAX; i++)
		if (t->e[i].ifindex == ifindex)
			return i;
	return -1;
}

void link_names_set(struct link_names *t, int ifindex, const char *name)
{
	int i = slot(t, ifindex);

	if (ifindex <= 0)
		return;
	if (i < 0)
		i = slot(t, 0);
	if (i < 0) {
		i = (int)t->next;
		t->next = (t->next + 1) % LINK_NAMES_MAX;
	}
	t->e[i].ifindex = ifindex;
	snprintf(t->e[i].name, sizeof(t->e[i].name), "%s", name);
}

const char *link_names_get(const struct link_names *t, int ifindex)
{
	int i = ifindex > 0 ? slot(t, ifindex) : -1;

	return i < 0 ? NULL : t->e[i].name;
}

bool link_names_track(struct link_names *t, const struct mq_event *e, struct mq_event *ret_rename)
{
	/* By slot, not by link_names_get()'s pointer: the analyzer took a NULL name for a NULL t. */
	int i = e->ifindex > 0 ? slot(t, e->ifindex) : -1;
	struct mq_event r;

	switch (e->type) {
	case EV_LINK_DEL:
		if (i >= 0)
			memset(&t->e[i], 0, sizeof(t->e[0]));
		return false;
	case EV_LINK_NEW:
		link_names_set(t, e->ifindex, e->ifname);
		return false;
	case EV_LINK_UP:
	case EV_LINK_DOWN:
	case EV_LINK_CHANGE:
		break;
	default:
		return false;
	}
	if (i >= 0 && strcmp(t->e[i].name, e->ifname) == 0)
		return false;
	if (i < 0) {
		link_names_set(t, e->ifindex, e->ifname);
		return false;
	}
	r = *e;
	r.type = EV_LINK_RENAME;
	snprintf(r.oldname, sizeof(r.oldname), "%s", t->e[i].name);
	link_names_set(t, e->ifindex, e->ifname);
	*ret_rename = r;
	return true;
}
