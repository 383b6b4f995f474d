// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
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

int textfile_write(const char *path, int (*render)(FILE *f, void *arg), void *arg, char *err,
		   size_t errlen)
{
	char dir[PATH_MAX], tmp[PATH_MAX];
	const char *slash, *base;
	char *buf = NULL;
	size_t len = 0;
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
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else if ((size_t)(slash - path) >= sizeof(dir))
		return fail(err, errlen, -ENAMETOOLONG, "%s", path);
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	/* ".NAME.XXXXXX": not *.prom, so node_exporter never reads it half-written */
	r = snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base);
	if (r < 0 || (size_t)r >= sizeof(tmp))
		return fail(err, errlen, -ENAMETOOLONG, "%s", path);

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

	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		r = fail(err, errlen, -errno, "%s: cannot open directory %s", path, dir);
		goto out;
	}
	/* mkostemp: O_CREAT|O_EXCL, mode 0600 */
	fd = mkostemp(tmp, O_CLOEXEC);
	if (fd < 0) {
		r = fail(err, errlen, -errno, "%s: cannot create a temporary file in %s", path, dir);
		goto out;
	}
	/* readable by node_exporter whatever our umask */
	if (fchmod(fd, 0644) < 0) {
		r = fail(err, errlen, -errno, "%s: chmod", tmp);
		goto fail_unlink;
	}
	r = write_all(fd, buf, len);
	if (r < 0) {
		fail(err, errlen, r, "%s: write", tmp);
		goto fail_unlink;
	}
	if (fsync(fd) < 0) {
		r = fail(err, errlen, -errno, "%s: fsync", tmp);
		goto fail_unlink;
	}
	r = close(fd);
	fd = -1;
	if (r < 0) {
		r = fail(err, errlen, -errno, "%s: close", tmp);
		goto fail_unlink;
	}
	if (rename(tmp, path) < 0) {
		r = fail(err, errlen, -errno, "%s: rename", path);
		goto fail_unlink;
	}
	/* The rename is visible now; this makes it survive a crash. Some
	 * filesystems cannot fsync a directory (EINVAL): nothing to make durable. */
	if (fsync(dfd) < 0 && errno != EINVAL) {
		r = fail(err, errlen, -errno, "%s: fsync of directory %s", path, dir);
		goto out;
	}
	r = 0;
	goto out;

fail_unlink:
	if (fd >= 0)
		close(fd);
	fd = -1;
	unlink(tmp);
out:
	if (dfd >= 0)
		close(dfd);
	free(buf);
	return r;
}
