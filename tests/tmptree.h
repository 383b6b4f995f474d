/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Scratch trees of the unit tests (under /tmp): a file written with its
 * directories made on the way, and the whole tree removed again. For the
 * shapes the generated fixtures in tests/data do not have.
 */
#include <ftw.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

static inline int tmptree_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st, (void)flag, (void)ftw;
	return remove(path);
}

/* Remove path and everything below it, symlinks not followed. 0 or -1 (errno). */
static inline int tmptree_rm(const char *path)
{
	return nftw(path, tmptree_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* Write text to path, making its missing directories from after the first
 * from characters on (the tree's own root exists). 0, or -1 (errno). */
static inline int tmptree_put(const char *path, size_t from, const char *text)
{
	char dir[512];
	FILE *fp;

	if (strlen(path) >= sizeof(dir))
		return -1;
	strcpy(dir, path);
	for (char *p = dir + from; (p = strchr(p, '/')); p++) {
		*p = '\0';
		mkdir(dir, 0755);
		*p = '/';
	}
	fp = fopen(path, "w");
	if (!fp)
		return -1;
	fputs(text, fp);
	return fclose(fp);
}
