/* SPDX-License-Identifier: MIT */
#pragma once

#include <dirent.h>
#include <stddef.h>
#include <stdio.h>

/*
 * Every read of /proc or /sys, and every write to them, goes through here so
 * that tests can point the whole program at a fixture tree ("--root DIR" or
 * MQBALANCE_ROOT). Paths passed in are absolute ("/proc/irq/%u/...").
 *
 * Values are read from and written to regular files only: anything else
 * (a FIFO, a device, a directory) is -ENOTSUP (-EISDIR), never opened in a
 * way that blocks. Under a root, a path must resolve inside the tree:
 * symlinks within it are followed, one leading out is -EXDEV.
 */
void sysfs_set_root(const char *root);
const char *sysfs_root(void);

/* What an error from here means, in words ("not a regular file, refused"). */
const char *sysfs_strerror(int err);

/* Build the real path. Returns length or -ENAMETOOLONG. */
int sysfs_path(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/*
 * Read a whole (small) file into buf, NUL-terminated, trailing newlines
 * stripped. Returns the length or -errno (-EFBIG if it does not fit).
 */
int sysfs_read(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Read an integer file. Returns 0 or -errno (-EINVAL if it is not a number). */
int sysfs_read_long(long *ret, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Write val with a single write(2). Returns 0 or -errno (the kernel's). */
int sysfs_write(const char *val, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Does the path exist? */
int sysfs_exists(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* readlink(2) + basename of the target ("../../bus/pci/drivers/virtio-pci" -> "virtio-pci"). */
int sysfs_link_name(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* readlink(2), whole target. */
int sysfs_readlink(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

FILE *sysfs_fopen(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
DIR *sysfs_opendir(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
