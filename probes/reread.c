// SPDX-License-Identifier: MIT
/*
 * The files a counter refresh reads every interval, kept open: /proc and
 * /sys generate their text at each read from offset 0, so pread(fd, 0)
 * gives fresh numbers without the path walk, open and close of every
 * interval. One buffer for all of them, grown to the largest and reused.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "probes/probe.h"
#include "probes/sysfs.h"

/* /proc/interrupts of thousands of IRQs on hundreds of CPUs is a few MiB: beyond, not kept. */
#define REREAD_MAX (8u << 20)

static const char *const paths[_PROBE_FILE_MAX] = {
	[PROBE_FILE_SOFTIRQS] = "/proc/softirqs",
	[PROBE_FILE_STAT] = "/proc/stat",
	[PROBE_FILE_SOFTNET] = "/proc/net/softnet_stat",
	[PROBE_FILE_INTERRUPTS] = "/proc/interrupts",
	[PROBE_FILE_CPU_ONLINE] = "/sys/devices/system/cpu/online",
};

void probe_files_init(struct probe_files *f)
{
	memset(f, 0, sizeof(*f));
	for (int i = 0; i < _PROBE_FILE_MAX; i++)
		f->fd[i] = -1;
}

void probe_files_close(struct probe_files *f)
{
	for (int i = 0; i < _PROBE_FILE_MAX; i++)
		if (f->fd[i] >= 0)
			close(f->fd[i]);
	free(f->buf);
	probe_files_init(f);
}

static int open_one(struct probe_files *f, enum probe_file which)
{
	/* under the root, regular files only: a FIFO would not start over at offset 0 */
	int fd = sysfs_open_read("%s", paths[which]);

	if (fd < 0)
		return fd;
	f->fd[which] = fd;
	return 0;
}

int probe_file_read(struct probe_files *f, enum probe_file which, const char **ret, size_t *ret_len)
{
	size_t n = 0;
	int r;

	if ((unsigned)which >= _PROBE_FILE_MAX)
		return -EINVAL;
	if (f->fd[which] < 0 && (r = open_one(f, which)) < 0)
		return r;
	for (;;) {
		ssize_t k;

		if (f->cap - n < 2) {
			size_t cap = f->cap ? f->cap * 2 : 16384;
			char *b;

			if (cap > REREAD_MAX) {
				r = -EFBIG;
				goto fail;
			}
			b = realloc(f->buf, cap);
			if (!b)
				return -ENOMEM;
			f->buf = b;
			f->cap = cap;
		}
		k = pread(f->fd[which], f->buf + n, f->cap - 1 - n, (off_t)n);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto fail;
		}
		if (k == 0)
			break;
		n += (size_t)k;
	}
	f->buf[n] = '\0';
	*ret = f->buf;
	*ret_len = n;
	return 0;
fail:
	/* opened again at the next call: a file that went away may be back */
	close(f->fd[which]);
	f->fd[which] = -1;
	return r;
}
