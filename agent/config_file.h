/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>

#include "core/config.h"

/* Read and parse a file. A missing file is -ENOENT (callers decide). */
int config_load(const char *path, struct mq_config *ret, char *err, size_t errlen);
/*
 * The CLI's rule: path NULL reads MQ_DEFAULT_CONFIG, and a missing default
 * file means built-in defaults (returns 0, ret->path ""); an explicit path
 * must exist (-ENOENT with "path: No such file or directory" in err).
 */
int config_open(const char *path, struct mq_config *ret, char *err, size_t errlen);
