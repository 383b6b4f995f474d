// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/openat2.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "probes/sysfs.h"

/* The root prefix, set once at start: the one file-scope state of the probes. */
static struct {
	char path[PATH_MAX];
	int fd;               /* O_PATH of the root: openat2() resolves beneath it; -1 none */
	char real[PATH_MAX];  /* its realpath, for kernels without openat2 */
	bool no_openat2;
} root = {.fd = -1};

void sysfs_set_root(const char *r)
{
	size_t n;

	snprintf(root.path, sizeof(root.path), "%s", r ? r : "");
	n = strlen(root.path);
	while (n > 0 && root.path[n - 1] == '/')
		root.path[--n] = '\0';
	if (root.fd >= 0)
		close(root.fd);
	root.fd = root.path[0] ? open(root.path, O_PATH | O_DIRECTORY | O_CLOEXEC) : -1;
	if (!root.path[0] || !realpath(root.path, root.real))
		root.real[0] = '\0';
}

const char *sysfs_root(void) { return root.path; }

__attribute__((format(printf, 3, 0)))
static int vpath(char *buf, size_t len, const char *fmt, va_list ap)
{
	int a = snprintf(buf, len, "%s", root.path), b;

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

/* The path as the caller named it, without the root: open_below() adds that. */
#define FMT_OR_RETURN(p, fmt)                                  \
	do {                                                   \
		va_list ap_;                                   \
		int r_;                                        \
		va_start(ap_, fmt);                            \
		r_ = vsnprintf(p, sizeof(p), fmt, ap_);        \
		va_end(ap_);                                   \
		if (r_ < 0 || (size_t)r_ >= sizeof(p))         \
			return -ENAMETOOLONG;                  \
	} while (0)

/* Is the resolved path p the root or below it? */
static bool below_root(const char *p)
{
	size_t n = strlen(root.real);

	return n && strncmp(p, root.real, n) == 0 && (p[n] == '\0' || p[n] == '/' || n == 1);
}

/*
 * Open path ("/proc/...") under the root. Without a root it is the real file.
 * With one, the path must resolve inside the tree: symlinks within it (sysfs
 * is full of them) are fine, one that leads out is refused with -EXDEV.
 * openat2(RESOLVE_BENEATH) does that atomically (Linux 5.6+); older kernels
 * get the resolved path checked first (racy, but the tree is a test fixture).
 */
static int open_below(const char *path, int flags)
{
	char full[PATH_MAX], real[PATH_MAX];
	int fd;

	if (!root.path[0]) {
		fd = open(path, flags);
		return fd < 0 ? -errno : fd;
	}
	if (root.fd >= 0 && !root.no_openat2) {
		struct open_how how = {.flags = (uint64_t)flags,
				       .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};

		while (*path == '/')
			path++;
		fd = (int)syscall(SYS_openat2, root.fd, *path ? path : ".", &how, sizeof(how));
		if (fd >= 0 || errno != ENOSYS)
			return fd < 0 ? -errno : fd;
		root.no_openat2 = true;
	}
	if (snprintf(full, sizeof(full), "%s/%s", root.path, path) >= (int)sizeof(full))
		return -ENAMETOOLONG;
	if (!realpath(full, real))
		return -errno;
	if (!below_root(real))
		return -EXDEV;
	fd = open(real, flags | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

/*
 * Open a file to read or write its value: only a regular file (every /proc
 * and /sys value is one). O_NONBLOCK so that a FIFO put in its place cannot
 * block the open; refused with -ENOTSUP once fstat says what it is.
 */
static int open_file(const char *path, int flags)
{
	struct stat st;
	int fd = open_below(path, flags | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		int r = S_ISDIR(st.st_mode) ? -EISDIR : -ENOTSUP;

		close(fd);
		return r;
	}
	return fd;
}

const char *sysfs_strerror(int err)
{
	switch (err) {
	case -EXDEV:
		return "leads out of the root directory, refused";
	case -ENOTSUP:
		return "not a regular file, refused";
	default:
		return strerror(err < 0 ? -err : err);
	}
}

int sysfs_read(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX];
	size_t n = 0;
	int fd, r = 0;

	if (!len)
		return -EINVAL;
	FMT_OR_RETURN(p, fmt);
	fd = open_file(p, O_RDONLY);
	if (fd < 0)
		return fd;
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

	FMT_OR_RETURN(p, fmt);
	fd = open_file(p, O_RDONLY);
	if (fd < 0)
		return fd;
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

	FMT_OR_RETURN(p, fmt);
	fd = open_file(p, O_WRONLY);
	if (fd < 0)
		return fd;
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
	int fd;

	FMT_OR_RETURN(p, fmt);
	fd = open_below(p, O_PATH | O_CLOEXEC);
	if (fd < 0)
		return 0;
	close(fd);
	return 1;
}

/* readlink(2) of p itself, its directory opened under the root. */
static int do_readlink(const char *p, char *buf, size_t len)
{
	char dir[PATH_MAX];
	const char *base = strrchr(p, '/');
	ssize_t k;
	int dfd;

	if (!len)
		return -EINVAL;
	if (!base || !base[1])
		return -EINVAL;
	snprintf(dir, sizeof(dir), "%.*s", (int)(base - p), p);
	dfd = open_below(dir[0] ? dir : "/", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return dfd;
	k = readlinkat(dfd, base + 1, buf, len - 1);
	if (k < 0)
		k = -errno;
	close(dfd);
	if (k < 0)
		return (int)k;
	if ((size_t)k >= len - 1)
		return -ENAMETOOLONG;
	buf[k] = '\0';
	return (int)k;
}

int sysfs_readlink(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX];

	FMT_OR_RETURN(p, fmt);
	return do_readlink(p, buf, len);
}

int sysfs_link_name(char *buf, size_t len, const char *fmt, ...)
{
	char p[PATH_MAX], t[PATH_MAX];
	const char *base;
	int r;

	FMT_OR_RETURN(p, fmt);
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
	FILE *f;
	int r, fd;

	va_start(ap, fmt);
	r = vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open_file(p, O_RDONLY);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	f = fdopen(fd, "r");
	if (!f) {
		r = errno;
		close(fd);
		errno = r;
	}
	return f;
}

DIR *sysfs_opendir(const char *fmt, ...)
{
	char p[PATH_MAX];
	va_list ap;
	DIR *d;
	int r, fd;

	va_start(ap, fmt);
	r = vsnprintf(p, sizeof(p), fmt, ap);
	va_end(ap);
	if (r < 0 || (size_t)r >= sizeof(p)) {
		errno = ENAMETOOLONG;
		return NULL;
	}
	fd = open_below(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		errno = -fd;
		return NULL;
	}
	d = fdopendir(fd);
	if (!d) {
		r = errno;
		close(fd);
		errno = r;
	}
	return d;
}
