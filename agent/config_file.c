// SPDX-License-Identifier: MIT
/* Reading the configuration file; the parser (core/config.c) takes the text. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config_file.h"

#define CONFIG_FILE_MAX (1024 * 1024)

int config_load(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f;
	int r = 0;

	if (err && errlen)
		err[0] = '\0';
	f = fopen(path, "re");
	if (!f) {
		r = -errno;
		if (err && errlen)
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		goto out;
	}
	n = fread(buf, 1, CONFIG_FILE_MAX + 1, f);
	if (ferror(f)) {
		r = -EIO;
		if (err && errlen)
			snprintf(err, errlen, "%s: read error", path);
		goto out;
	}
	if (n > CONFIG_FILE_MAX) {
		r = -EFBIG;
		if (err && errlen)
			snprintf(err, errlen, "%s: larger than %d bytes, not a config file", path,
				 CONFIG_FILE_MAX);
		goto out;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		unsigned line = 1;

		for (const char *c = buf; *c; c++)
			line += *c == '\n';
		r = -EINVAL;
		if (err && errlen)
			snprintf(err, errlen, "%s:%u: NUL byte: not a text file", path, line);
		goto out;
	}
	r = config_parse(buf, path, ret, err, errlen);
out:
	free(buf);
	fclose(f);
	return r;
}

int config_open(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	int r = config_load(path ? path : MQ_DEFAULT_CONFIG, ret, err, errlen);

	if (r == -ENOENT && !path) {
		if (err && errlen)
			err[0] = '\0';
		config_init(ret);
		return 0;
	}
	return r;
}
