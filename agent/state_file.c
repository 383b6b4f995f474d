// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/state_file.h"
#include "agent/textfile.h"
#include "output/state.h"
#include "probes/sysfs.h"

#define STATE_FILE_MAX (8 << 20)

static void say(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void say(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

static const char *state_dir(void)
{
	const char *d = getenv("MQBALANCE_STATE_DIR");

	return d && *d ? d : MQ_STATE_DIR;
}

void state_file_path(char *buf, size_t len)
{
	snprintf(buf, len, "%s/state", state_dir());
}

static void boot_id(char *buf, size_t len)
{
	if (sysfs_read(buf, len, "/proc/sys/kernel/random/boot_id") < 0)
		snprintf(buf, len, "-");
}

/* The whole file, a regular one of at most STATE_FILE_MAX bytes. */
static int slurp(const char *path, char **ret, size_t *ret_len)
{
	struct stat st;
	char *buf;
	size_t n = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else if (!S_ISREG(st.st_mode))
		r = -EINVAL;
	else if (st.st_size > STATE_FILE_MAX)
		r = -EFBIG;
	if (r < 0) {
		close(fd);
		return r;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (n < (size_t)st.st_size) {
		ssize_t k = read(fd, buf + n, (size_t)st.st_size - n);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) {
			r = k < 0 ? -errno : 0;
			break;
		}
		n += (size_t)k;
	}
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	*ret = buf;
	*ret_len = n;
	return 0;
}

int state_file_load(struct mq_state *ret, char *err, size_t errlen)
{
	struct mq_state st = {0};
	char path[4096], why[200], id[MQ_STATE_BOOT_ID_MAX];
	char *text = NULL;
	size_t len = 0;
	int r;

	boot_id(id, sizeof(id));
	state_file_path(path, sizeof(path));
	r = slurp(path, &text, &len);
	if (r == -ENOENT) {
		*ret = (struct mq_state){0};
		snprintf(ret->boot_id, sizeof(ret->boot_id), "%s", id);
		return 0;
	}
	if (r < 0) {
		say(err, errlen, "%s: %s", path, r == -EINVAL ? "not a regular file" : strerror(-r));
		return r;
	}
	r = state_parse(text, len, &st, why, sizeof(why));
	free(text);
	if (r < 0) {
		say(err, errlen, "%s: %s", path, why);
		return r;
	}
	if (strcmp(st.boot_id, id) != 0) {
		/* an earlier boot: what it recorded is gone with it */
		state_free(&st);
		snprintf(st.boot_id, sizeof(st.boot_id), "%s", id);
	}
	*ret = st;
	return 0;
}

int state_file_save(const struct mq_state *st, char *err, size_t errlen)
{
	char path[4096];

	state_file_path(path, sizeof(path));
	if (st->n == 0) {
		if (unlink(path) < 0 && errno != ENOENT) {
			int r = -errno;

			say(err, errlen, "%s: %s", path, strerror(-r));
			return r;
		}
		return 0;
	}
	if (mkdir(state_dir(), 0755) < 0 && errno != EEXIST) {
		int r = -errno;

		say(err, errlen, "%s: %s", state_dir(), strerror(-r));
		return r;
	}
	return textfile_write(path, state_render_cb, (void *)st, err, errlen);
}
