// SPDX-License-Identifier: MIT
/* The config file: config_parse() on any text, every section looked up, then merged again. */
#include <errno.h>

#include "core/config.h"
#include "fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_config c;
	char err[256];
	char *text = fuzz_strdup(data, size);
	int r;

	if (!text)
		return 0;
	r = config_parse(text, "/fuzz.conf", &c, err, sizeof(err));
	FUZZ_CHECK(memchr(err, '\0', sizeof(err)));
	if (r == 0) {
		FUZZ_CHECK(c.nsections <= MQ_IFS_MAX && c.nexclude <= MQ_EXCLUDE_MAX);
		FUZZ_CHECK(c.nfiles == 1);
		for (unsigned i = 0; i < c.nwarnings && i < MQ_WARNINGS_MAX; i++)
			FUZZ_CHECK(strncmp(c.warnings[i], "/fuzz.conf:", 11) == 0);
		for (unsigned i = 0; i < c.nsections; i++) {
			const struct mq_section *s = &c.sections[i];
			struct mq_if_config ic;

			FUZZ_CHECK(memchr(s->pattern, '\0', sizeof(s->pattern)) && s->pattern[0]);
			FUZZ_CHECK(s->match < _MATCH_MAX && (s->keys & ~MQ_KEYS_ALL) == 0 && s->file == 0);
			FUZZ_CHECK(config_section(&c, s->match, s->pattern) == s);
			/* a section's own keys win over every weaker match */
			ic = config_for(&c, s->match == MATCH_DRIVER ? "x" : s->pattern, s->pattern);
			FUZZ_CHECK(ic.queues_mode < _QUEUES_MODE_MAX && ic.queues <= MQ_QUEUES_LIMIT);
			if (s->match == MATCH_NAME && (s->keys & MQ_KEY_QUEUES))
				FUZZ_CHECK(ic.queues_mode == s->v.queues_mode && ic.queues == s->v.queues);
		}
		FUZZ_CHECK(config_unmatched(&c, NULL, NULL, 0) == c.nsections);
		FUZZ_CHECK(c.interval > 0);
		/* the same text again as a drop-in: merges, never duplicates a section */
		{
			unsigned n = c.nsections;

			r = config_merge(&c, text, "/fuzz.conf.d/a.conf", err, sizeof(err));
			FUZZ_CHECK(r == 0 && c.nsections == n && c.nfiles == 2);
		}
		config_free(&c);
	} else {
		FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
		FUZZ_CHECK(err[0] != '\0');
	}
	free(text);
	return 0;
}
