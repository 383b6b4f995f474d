// SPDX-License-Identifier: MIT
/*
 * The parsed configuration, read: built-in defaults, an interface's
 * effective settings (global < [driver=] < [glob] < [name], each section
 * overriding only the keys it sets), and the sections nothing matches.
 */
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/config.h"
#include "core/snapshot.h"

void config_init(struct mq_config *c)
{
	memset(c, 0, sizeof(*c));
	c->defaults.queues_mode = QUEUES_AUTO;
	c->defaults.irq_affinity = true;
	c->defaults.xps = true;
	c->defaults.rss = true;
	c->interval = 10.0;
	c->drift_check = 30.0;
	snprintf(c->prom_file, sizeof(c->prom_file), "%s", MQ_DEFAULT_PROM_FILE);
}

void config_free(struct mq_config *c)
{
	if (!c)
		return;
	free(c->sections);
	c->sections = NULL;
	c->nsections = 0;
	for (unsigned i = 0; i < c->nfiles && i < MQ_FILES_MAX; i++) {
		free(c->files[i]);
		c->files[i] = NULL;
	}
	c->nfiles = 0;
}

static bool excluded_by_list(const struct mq_config *c, const char *ifname)
{
	for (unsigned i = 0; i < c->nexclude && i < MQ_EXCLUDE_MAX; i++)
		if (fnmatch(c->exclude[i], ifname, 0) == 0)
			return true;
	return false;
}

bool config_section_matches(const struct mq_section *s, const char *ifname, const char *driver)
{
	switch (s->match) {
	case MATCH_NAME:
		return ifname && strcmp(s->pattern, ifname) == 0;
	case MATCH_GLOB:
		return ifname && fnmatch(s->pattern, ifname, 0) == 0;
	case MATCH_DRIVER:
		return driver && *driver && strcmp(s->pattern, driver) == 0;
	case _MATCH_MAX:
		break;
	}
	return false;
}

static void overlay(struct mq_if_config *r, const struct mq_section *s)
{
	if (s->keys & MQ_KEY_QUEUES) {
		r->queues_mode = s->v.queues_mode;
		r->queues = s->v.queues;
	}
	if (s->keys & MQ_KEY_EXCLUDE)
		r->exclude = s->v.exclude;
	if (s->keys & MQ_KEY_IRQ_AFFINITY)
		r->irq_affinity = s->v.irq_affinity;
	if (s->keys & MQ_KEY_XPS)
		r->xps = s->v.xps;
	if (s->keys & MQ_KEY_RPS)
		r->rps = s->v.rps;
	if (s->keys & MQ_KEY_RSS)
		r->rss = s->v.rss;
}

struct mq_if_config config_for(const struct mq_config *c, const char *ifname, const char *driver)
{
	struct mq_if_config r = c->defaults;

	r.exclude = ifname && excluded_by_list(c, ifname);
	/* Weakest match first; among sections of one kind, the later one wins. */
	for (int m = 0; m < _MATCH_MAX; m++)
		for (unsigned i = 0; c->sections && i < c->nsections; i++)
			if ((int)c->sections[i].match == m &&
			    config_section_matches(&c->sections[i], ifname, driver))
				overlay(&r, &c->sections[i]);
	r.pinned = r.queues_mode != QUEUES_AUTO;
	return r;
}

const struct mq_section *config_section(const struct mq_config *c, enum mq_match m, const char *pattern)
{
	for (unsigned i = 0; pattern && c->sections && i < c->nsections; i++)
		if (c->sections[i].match == m && strcmp(c->sections[i].pattern, pattern) == 0)
			return &c->sections[i];
	return NULL;
}

const char *config_section_str(const struct mq_section *s, char *buf, size_t len)
{
	snprintf(buf, len, "[%s%s]", s->match == MATCH_DRIVER ? "driver=" : "", s->pattern);
	return buf;
}

const char *config_section_file(const struct mq_config *c, const struct mq_section *s)
{
	if (s->file < c->nfiles && s->file < MQ_FILES_MAX && c->files[s->file])
		return c->files[s->file];
	return c->path[0] ? c->path : "(config)";
}

unsigned config_unmatched(const struct mq_config *c, const struct mq_snapshot *s, unsigned *ret,
			  unsigned max)
{
	unsigned n = 0;

	for (unsigned i = 0; c->sections && i < c->nsections; i++) {
		const struct mq_section *sec = &c->sections[i];
		bool used = false;

		for (unsigned k = 0; s && s->nics && k < s->nnics && !used; k++)
			used = config_section_matches(sec, s->nics[k].name, s->nics[k].driver);
		for (unsigned k = 0; s && s->links && k < s->nlinks && !used; k++)
			used = config_section_matches(sec, s->links[k].name, s->links[k].driver);
		if (used)
			continue;
		if (ret && n < max)
			ret[n] = i;
		n++;
	}
	return n;
}
