// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/textfile.h"

static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* err = "<fmt>: strerror(-r)"; returns r. */
static int fail(char *err, size_t errlen, int r, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (!err || !errlen)
		return r;
	va_start(ap, fmt);
	n = vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < errlen)
		snprintf(err + n, errlen - (size_t)n, ": %s", strerror(-r));
	return r;
}

/* write(2) all of buf, across short writes and signals. */
static int write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return -EIO;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

/*
 * Open the directory part of path (dirlen bytes; 0: the current directory)
 * one component at a time, never following a symbolic link: in a directory
 * another user can write, a link would put the file elsewhere. Returns an
 * fd for fsync(2) and *at() calls, or -errno with err set.
 */
static int open_dir(const char *path, size_t dirlen, char *err, size_t errlen)
{
	const int flags = O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC;
	size_t i = 0;
	int fd, r;

	fd = open(dirlen && path[0] == '/' ? "/" : ".", flags);
	if (fd < 0)
		return fail(err, errlen, -errno, "%s: cannot open directory %s", path,
			    path[0] == '/' ? "/" : ".");
	while (i < dirlen) {
		char name[NAME_MAX + 1];
		size_t n = strcspn(path + i, "/");
		struct stat st;
		int next;

		if (n > dirlen - i)
			n = dirlen - i;
		if (n == 0 || (n == 1 && path[i] == '.')) {
			i += n + 1;
			continue;
		}
		if (n > NAME_MAX) {
			close(fd);
			return fail(err, errlen, -ENAMETOOLONG, "%s", path);
		}
		memcpy(name, path + i, n);
		name[n] = '\0';
		next = openat(fd, name, flags);
		if (next < 0) {
			r = -errno;
			if ((r == -ENOTDIR || r == -ELOOP) &&
			    fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISLNK(st.st_mode))
				r = fail(err, errlen, -ELOOP,
					 "%s: %.*s is a symbolic link, not followed (name the directory "
					 "it points to)", path, (int)(i + n), path);
			else
				fail(err, errlen, r, "%s: cannot open directory %.*s", path, (int)(i + n),
				     path);
			close(fd);
			return r;
		}
		close(fd);
		fd = next;
		i += n + 1;
	}
	/* O_PATH cannot be fsync'd: the directory itself, reached without a name. */
	r = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r < 0)
		r = fail(err, errlen, -errno, "%s: cannot open directory %.*s", path,
			 (int)(dirlen ? dirlen : 1), dirlen ? path : ".");
	close(fd);
	return r;
}

/* ".NAME.XXXXXX": not *.prom, so node_exporter never reads it half-written. */
static int create_temp(int dfd, const char *base, char *tmp, size_t len)
{
	for (int tries = 0; tries < 100; tries++) {
		uint32_t v;
		int fd;

		if (getrandom(&v, sizeof(v), GRND_NONBLOCK) != sizeof(v))
			v = (uint32_t)getpid() * 2654435761u + (uint32_t)tries;
		if ((size_t)snprintf(tmp, len, ".%s.%06x", base, v & 0xffffff) >= len)
			return -ENAMETOOLONG;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd >= 0 || errno != EEXIST)
			return fd >= 0 ? fd : -errno;
	}
	return -EEXIST;
}

int textfile_write(const char *path, int (*render)(FILE *f, void *arg), void *arg, char *err,
		   size_t errlen)
{
	char tmp[NAME_MAX + 1];
	const char *slash, *base;
	char *buf = NULL;
	size_t len = 0, dirlen;
	FILE *mem;
	int dfd = -1, fd = -1, r;

	if (err && errlen)
		err[0] = '\0';
	if (!path || !*path || !render)
		return fail(err, errlen, -EINVAL, "textfile: no path");
	slash = strrchr(path, '/');
	base = slash ? slash + 1 : path;
	if (!*base || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return fail(err, errlen, -EISDIR, "%s", path);
	if (strlen(base) > NAME_MAX)
		return fail(err, errlen, -ENAMETOOLONG, "%s", path);
	/* "/x.prom": the directory part is "/", length 1 */
	dirlen = !slash ? 0 : slash == path ? 1 : (size_t)(slash - path);

	/*
	 * Render into memory first: a renderer that fails never touches the
	 * directory, and a write error (ENOSPC) is write(2)'s own errno rather
	 * than a stdio error flag raised somewhere inside the renderer.
	 */
	mem = open_memstream(&buf, &len);
	if (!mem)
		return fail(err, errlen, -errno, "%s: rendering", path);
	r = render(mem, arg);
	if (r >= 0 && ferror(mem))
		r = -ENOMEM;
	if (fclose(mem) != 0 && r >= 0)
		r = -ENOMEM;
	if (r < 0) {
		fail(err, errlen, r, "%s: rendering failed", path);
		goto out;
	}

	dfd = open_dir(path, dirlen, err, errlen);
	if (dfd < 0) {
		r = dfd;
		goto out;
	}
	fd = create_temp(dfd, base, tmp, sizeof(tmp));
	if (fd < 0) {
		r = fail(err, errlen, fd, "%s: cannot create a temporary file beside it", path);
		goto out;
	}
	/* readable by node_exporter whatever our umask */
	if (fchmod(fd, 0644) < 0) {
		r = fail(err, errlen, -errno, "%s: chmod of %s", path, tmp);
		goto fail_unlink;
	}
	r = write_all(fd, buf, len);
	if (r < 0) {
		fail(err, errlen, r, "%s: write of %s", path, tmp);
		goto fail_unlink;
	}
	if (fsync(fd) < 0) {
		r = fail(err, errlen, -errno, "%s: fsync of %s", path, tmp);
		goto fail_unlink;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = fail(err, errlen, -errno, "%s: close of %s", path, tmp);
		goto fail_unlink;
	}
	/* Within the directory opened above: a link put in place meanwhile is replaced, not followed. */
	if (renameat(dfd, tmp, dfd, base) < 0) {
		r = fail(err, errlen, -errno, "%s: rename", path);
		goto fail_unlink;
	}
	/* The rename is visible now; this makes it survive a crash. Some
	 * filesystems cannot fsync a directory (EINVAL): nothing to make durable. */
	if (fsync(dfd) < 0 && errno != EINVAL) {
		r = fail(err, errlen, -errno, "%s: fsync of its directory", path);
		goto out;
	}
	r = 0;
	goto out;

fail_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlinkat(dfd, tmp, 0);
out:
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return r;
}
