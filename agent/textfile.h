/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdio.h>

/*
 * Replace path atomically with what render writes: a temporary file in the
 * same directory (so rename(2) cannot cross filesystems), mode 0644 whatever
 * the umask, flushed, fsync'd, renamed over path, then the directory fsync'd.
 * node_exporter's textfile collector only reads *.prom, so the temporary
 * ".NAME.XXXXXX" is never collected half-written.
 *
 * render returns >= 0 or -errno. On any failure the temporary file is removed,
 * the previous file stays as it was, err holds "PATH: what failed: strerror"
 * and the -errno is returned.
 */
int textfile_write(const char *path, int (*render)(FILE *f, void *arg), void *arg, char *err,
		   size_t errlen);
