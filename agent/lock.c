// SPDX-License-Identifier: MIT
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "agent/lock.h"

const char *run_dir(void)
{
	const char *d = getenv("MQBALANCE_RUN_DIR");

	return d && *d ? d : MQ_RUN_DIR;
}

/* "1234 daemon" from the lock file, best effort. */
static void holder_of(int fd, pid_t *ret_pid, char *holder, size_t len)
{
	char buf[64] = "", mode[32] = "";
	ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
	long pid = 0;

	if (n > 0) {
		buf[n] = '\0';
		if (sscanf(buf, "%ld %31s", &pid, mode) < 1)
			pid = 0;
	}
	*ret_pid = pid > 0 && (pid_t)pid == pid ? (pid_t)pid : 0;
	snprintf(holder, len, "%s", mode);
}

int lock_take(const char *mode, pid_t *ret_pid, char *holder, size_t holderlen, char *err,
	      size_t errlen)
{
	char path[4096], line[64];
	int fd, r, n;

	*ret_pid = 0;
	if (holderlen)
		holder[0] = '\0';
	if (mkdir(run_dir(), 0755) < 0 && errno != EEXIST) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", run_dir(), strerror(-r));
		return r;
	}
	snprintf(path, sizeof(path), "%s/lock", run_dir());
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY, 0644);
	if (fd < 0) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		return r;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
		r = -errno;
		if (r == -EWOULDBLOCK)
			holder_of(fd, ret_pid, holder, holderlen);
		else
			snprintf(err, errlen, "%s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	n = snprintf(line, sizeof(line), "%ld %s\n", (long)getpid(), mode);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, line, (size_t)n, 0) != n) {
		r = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(-r));
		close(fd);
		return r;
	}
	return fd;
}
