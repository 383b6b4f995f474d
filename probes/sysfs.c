// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/sysfs.h"

static char root[PATH_MAX];

void sysfs_set_root(const char *r)
{
	size_t n;

	snprintf(root, sizeof(root), "%s", r ? r : "");
	n = strlen(root);
	while (n > 0 && root[n - 1] == '/')
		root[--n] = '\0';
}

const char *sysfs_root(void) { return root; }

__attribute__((format(printf, 3, 0)))
static int vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	int a = snprintf(buf, len, "%s", root), b;

	if (a < 0 || (size_t)a >= len)
		return -ENAMETOOLONG;
	b = vsnprintf(buf + a, len - (size_t)a, fmt, ap);
	if (b < 0 || (size_t)b >= len - (size_t)a)
		return -ENAMETOOLONG;
	return a + b;
}

int sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(buf, len, fmt, ap);
	va_end(ap);
	return r;
}

#define VPATH_OR_RETURN(p, fmt)                                \
	do {                                                   \
		va_list ap_;                                   \
		int r_;                                        \
		va_start(ap_, fmt);                            \
		r_ = vpath(p, sizeof(p), fmt, ap_);            \
		va_end(ap_);                                   \
		if (r_ < 0)                                    \
			return r_;                             \
	} while (0)

int sysfs_read(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX];
	size_t n = 0;
	int fd, r = 0;

	if (!len)
		return -EINVAL;
	VPATH_OR_RETURN(p, fmt);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t k;

		if (n == len - 1) {
			char extra;

			k = read(fd, &extra, 1);
			if (k > 0)
				r = -EFBIG;
			else if (k < 0 && errno == EINTR)
				continue;
			else if (k < 0)
				r = -errno;
			break;
		}
		k = read(fd, buf + n, len - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			break;
		}
		if (k == 0)
			break;
		n += (size_t)k;
		/*
		 * sysfs and single-value procfs files come whole in the first
		 * read, ending in a newline: one read() a file. A read that
		 * stops short elsewhere is continued to EOF.
		 */
		if (n < len - 1 && buf[n - 1] == '\n')
			break;
	}
	close(fd);
	if (r < 0)
		return r;
	while (n > 0 && buf[n - 1] == '\n')
		n--;
	buf[n] = '\0';
	return (int)n;
}

int sysfs_read_long(long *ret, const char *fmt, ...)
{
	char p[PATH_MAX], buf[64], *end;
	size_t n;
	long v;
	int fd, r;
	ssize_t k = 0;

	VPATH_OR_RETURN(p, fmt);
	fd = open(p, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* Until EOF: a short read must not cut "1234" to "12". */
	for (n = 0; n < sizeof(buf) - 1;) {
		k = read(fd, buf + n, sizeof(buf) - 1 - n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		n += (size_t)k;
	}
	r = k < 0 ? -errno : 0;
	close(fd);
	if (r < 0)
		return r;
	buf[n] = '\0';
	errno = 0;
	v = strtol(buf, &end, 0);
	if (errno || end == buf || (*end && *end != '\n'))
		return -EINVAL;
	*ret = v;
	return 0;
}

int sysfs_write(const char *val, const char *fmt, ...)
{
	char p[PATH_MAX];
	size_t len = strlen(val);
	ssize_t k;
	int fd, r = 0;

	VPATH_OR_RETURN(p, fmt);
	fd = open(p, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* sysfs and procfs take a value in one write; a short write is an error. */
	do
		k = write(fd, val, len);
	while (k < 0 && errno == EINTR);
	if (k < 0)
		r = -errno;
	else if ((size_t)k != len)
		r = -EIO;
	if (close(fd) < 0 && r == 0 && errno != EINTR)
		r = -errno;
	return r;
}

int sysfs_exists(const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH_OR_RETURN(p, fmt);
	return access(p, F_OK) == 0;
}

static int do_readlink(const char *p, char *buf, size_t len)
{
	ssize_t k;

	if (!len)
		return -EINVAL;
	k = readlink(p, buf, len - 1);
	if (k < 0)
		return -errno;
	if ((size_t)k >= len - 1)
		return -ENAMETOOLONG;
	buf[k] = '\0';
	return (int)k;
}

int sysfs_readlink(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX];

	VPATH_OR_RETURN(p, fmt);
	return do_readlink(p, buf, len);
}

int sysfs_link_name(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX], t[PATH_MAX];
	const char *base;
	int r;

	VPATH_OR_RETURN(p, fmt);
	r = do_readlink(p, t, sizeof(t));
	if (r < 0)
		return r;
	base = strrchr(t, '/');
	base = base ? base + 1 : t;
	r = snprintf(buf, len, "%s", base);
	return r < 0 || (size_t)r >= len ? -ENAMETOOLONG : r;
}

FILE *sysfs_fopen(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	return fopen(p, "re");
}

DIR *sysfs_opendir(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = vpath(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (r < 0) {
		errno = -r;
		return NULL;
	}
	return opendir(p);
}
