/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

enum log_level { LOG_LVL_ERROR = 3, LOG_LVL_WARN = 4, LOG_LVL_INFO = 6, LOG_LVL_DEBUG = 7 };

void log_setup(enum log_level max, bool journal_prefix);
void log_msg(enum log_level lvl, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define log_error(...) log_msg(LOG_LVL_ERROR, __VA_ARGS__)
#define log_warn(...) log_msg(LOG_LVL_WARN, __VA_ARGS__)
#define log_info(...) log_msg(LOG_LVL_INFO, __VA_ARGS__)
#define log_debug(...) log_msg(LOG_LVL_DEBUG, __VA_ARGS__)

/*
 * A failure that may come back at every check (a pass that cannot probe, the
 * same steps failing, a textfile that cannot be written, an event source that
 * cannot be reopened): worth one log line when it starts or changes, and one
 * when it clears, not one per check. The caller logs; this only decides.
 */
struct log_lasting {
	bool failing;
	char what[256]; /* the failure last reported, cut to fit */
};

/* It failed again, with what: true when that is news (first, or different). */
bool log_lasting_fail(struct log_lasting *s, const char *what);
/* It worked: true when it had been failing (say "... works again"). */
bool log_lasting_ok(struct log_lasting *s);
