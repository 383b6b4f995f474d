/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"

#define CONFIG_FILE_MAX (1024 * 1024) /* bytes per file */
#define CONFIG_DROPINS_MAX 64         /* files in PATH.d */

/*
 * Read path, then PATH.d/ *.conf in C-locale order on top of it (later
 * files win; see mqbalance.conf(5)). Only regular files are read (a FIFO,
 * device or directory is refused at once, -EINVAL). A missing main file is
 * -ENOENT, or with missing_ok the built-in defaults under the drop-ins
 * (ret->path ""). On error "path[:line]: problem" is in err.
 */
int config_load(const char *path, bool missing_ok, struct mq_config *ret, char *err, size_t errlen);
/*
 * The CLI's rule: path NULL reads MQ_DEFAULT_CONFIG, which may be missing
 * (built-in defaults and its drop-ins); an explicit path must exist (-ENOENT
 * with "path: No such file or directory" in err).
 */
int config_open(const char *path, struct mq_config *ret, char *err, size_t errlen);
/* Log the parser's warnings, once per load. */
void config_log_warnings(const struct mq_config *c);
