/* SPDX-License-Identifier: MIT */
#pragma once

#include <limits.h>
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

/*
 * A textfile's directory kept open by a writer that replaces the file every
 * interval (the daemon): opened as above (no symlink followed) at the first
 * write, kept for the next ones, opened again when a write through it fails
 * (the directory was removed or replaced: that write is retried once), when
 * the path's directory changes, and after textfile_dir_close() (a reload).
 */
struct textfile_dir {
	int fd;              /* -1: not open */
	char path[PATH_MAX]; /* the directory part of the path it was opened for */
};
void textfile_dir_init(struct textfile_dir *d);
void textfile_dir_close(struct textfile_dir *d);

enum {
	/*
	 * No fsync of the file or of its directory, and the new file swapped
	 * with the old one (renameat2 RENAME_EXCHANGE, then the old unlinked)
	 * rather than renamed over it, which ext4 answers with a flush of the
	 * new data. For a file rewritten every interval: every reader still
	 * gets a whole file, old or new; only after a crash may the last one
	 * be lost (or empty), and the next interval writes it again. One-shot
	 * writes keep both fsyncs and rename(2).
	 */
	TEXTFILE_NO_SYNC = 1 << 0,
};

/* textfile_write() through d (NULL: open the directory for this write only), with flags. */
int textfile_write_at(struct textfile_dir *d, unsigned flags, const char *path,
		      int (*render)(FILE *f, void *arg), void *arg, char *err, size_t errlen);
