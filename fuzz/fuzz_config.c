// SPDX-License-Identifier: MIT
/* The config file: config_parse() on any text, then every section looked up. */
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
		FUZZ_CHECK(c.nifs <= MQ_IFS_MAX && c.nexclude <= MQ_EXCLUDE_MAX);
		for (unsigned i = 0; i < c.nifs; i++) {
			FUZZ_CHECK(memchr(c.ifs[i].name, '\0', sizeof(c.ifs[i].name)));
			FUZZ_CHECK(config_for(&c, c.ifs[i].name) != NULL);
			FUZZ_CHECK(c.ifs[i].queues_mode < _QUEUES_MODE_MAX);
			FUZZ_CHECK(c.ifs[i].queues <= MQ_QUEUES_LIMIT);
		}
		FUZZ_CHECK(config_for(&c, "eth0") != NULL);
		FUZZ_CHECK(c.interval > 0);
		config_free(&c);
	} else {
		FUZZ_CHECK(r == -EINVAL || r == -ENOMEM);
		FUZZ_CHECK(err[0] != '\0');
	}
	free(text);
	return 0;
}
