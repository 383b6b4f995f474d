// SPDX-License-Identifier: MIT
/*
 * Reading the configuration: the main file, then its drop-in directory; the
 * parser (core/config.c) takes the text. Only regular files: opening a FIFO
 * or a tty given by mistake must not hang the daemon or a report.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/config_file.h"
#include "agent/log.h"

static const char *file_kind(mode_t m)
{
	return S_ISDIR(m) ? "a directory" : S_ISFIFO(m) ? "a FIFO" : S_ISCHR(m) ? "a character device" :
	       S_ISBLK(m) ? "a block device" : S_ISSOCK(m) ? "a socket" : "not a regular file";
}

/* The whole file as a string (owned by the caller). */
static int read_text(const char *path, char **ret, char *err, size_t errlen)
{
	char *buf = NULL;
	size_t n = 0;
	struct stat st;
	int fd, r = 0;

	/* O_NONBLOCK: a FIFO without a writer must not block the open. */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		goto out;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		snprintf(err, errlen, "%s: is %s, not a regular file", path, file_kind(st.st_mode));
		goto out;
	}
	buf = malloc(CONFIG_FILE_MAX + 1);
	if (!buf) {
		r = -ENOMEM;
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	while (n <= CONFIG_FILE_MAX) {
		ssize_t k = read(fd, buf + n, CONFIG_FILE_MAX + 1 - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
			goto out;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	if (n > CONFIG_FILE_MAX) {
		r = -EFBIG;
		snprintf(err, errlen, "%s: larger than %d bytes, not a config file", path, CONFIG_FILE_MAX);
		goto out;
	}
	buf[n] = '\0';
	if (memchr(buf, '\0', n)) {
		unsigned line = 1;

		for (const char *c = buf; *c; c++)
			line += *c == '\n';
		r = -EINVAL;
		snprintf(err, errlen, "%s:%u: NUL byte: not a text file", path, line);
		goto out;
	}
	*ret = buf;
	buf = NULL;
out:
	free(buf);
	close(fd);
	return r;
}

static int merge_file(struct mq_config *c, const char *path, char *err, size_t errlen)
{
	char *text = NULL;
	int r = read_text(path, &text, err, errlen);

	if (r < 0)
		return r;
	r = config_merge(c, text, path, err, errlen);
	free(text);
	return r;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* PATH.d/ *.conf, sorted bytewise (the C locale's order), each merged in turn. */
static int merge_dropins(struct mq_config *c, const char *path, char *err, size_t errlen)
{
	char dir[PATH_MAX], file[PATH_MAX];
	char *names[CONFIG_DROPINS_MAX];
	unsigned n = 0;
	struct dirent *de;
	DIR *d;
	int r = 0;

	if ((size_t)snprintf(dir, sizeof(dir), "%s.d", path) >= sizeof(dir))
		return 0; /* no such directory can exist */
	d = opendir(dir);
	if (!d) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		return r;
	}
	while ((errno = 0, de = readdir(d))) {
		size_t len = strlen(de->d_name);

		/* editors' and dpkg's leftovers (.swp, .conf.dpkg-old, .#x.conf) are not *.conf */
		if (de->d_name[0] == '.' || len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
			continue;
		if (n == CONFIG_DROPINS_MAX) {
			r = -E2BIG;
			snprintf(err, errlen, "%s: more than %d *.conf files", dir, CONFIG_DROPINS_MAX);
			goto out;
		}
		names[n] = strdup(de->d_name);
		if (!names[n]) {
			r = -ENOMEM;
			snprintf(err, errlen, "%s: out of memory", dir);
			goto out;
		}
		n++;
	}
	if (errno) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", dir, strerror(-r));
		goto out;
	}
	qsort(names, n, sizeof(names[0]), cmp_names);
	for (unsigned i = 0; i < n && r == 0; i++) {
		if ((size_t)snprintf(file, sizeof(file), "%s/%s", dir, names[i]) >= sizeof(file)) {
			r = -ENAMETOOLONG;
			snprintf(err, errlen, "%s/%s: %s", dir, names[i], strerror(-r));
		} else {
			r = merge_file(c, file, err, errlen);
		}
	}
out:
	for (unsigned i = 0; i < n; i++)
		free(names[i]);
	closedir(d);
	return r;
}

int config_load(const char *path, bool missing_ok, struct mq_config *ret, char *err, size_t errlen)
{
	char ebuf[512];
	struct mq_config c;
	int r;

	if (!err || !errlen) {
		err = ebuf;
		errlen = sizeof(ebuf);
	}
	err[0] = '\0';
	config_init(&c);
	r = merge_file(&c, path, err, errlen);
	if (r == -ENOENT && missing_ok && c.nfiles == 0) {
		err[0] = '\0';
		r = 0;
	} else if (r == 0) {
		snprintf(c.path, sizeof(c.path), "%s", path);
	}
	if (r == 0)
		r = merge_dropins(&c, path, err, errlen);
	if (r < 0) {
		config_free(&c);
		return r;
	}
	*ret = c;
	return 0;
}

int config_open(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	return config_load(path ? path : MQ_DEFAULT_CONFIG, !path, ret, err, errlen);
}

void config_log_warnings(const struct mq_config *c)
{
	for (unsigned i = 0; i < c->nwarnings && i < MQ_WARNINGS_MAX; i++)
		log_warn("%s", c->warnings[i]);
	if (c->nwarnings > MQ_WARNINGS_MAX)
		log_warn("... and %u more configuration warnings", c->nwarnings - MQ_WARNINGS_MAX);
}
