// SPDX-License-Identifier: MIT
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "agent/log.h"
#include "core/escape.h"

static enum log_level max_level = LOG_LVL_INFO;
static bool journal;

void log_setup(enum log_level max, bool journal_prefix)
{
	max_level = max;
	journal = journal_prefix;
}

void log_msg(enum log_level lvl, const char *fmt, ...)
{
	static const char *const tag[] = {
		[LOG_LVL_ERROR] = "error: ",
		[LOG_LVL_WARN] = "warning: ",
		[LOG_LVL_INFO] = "",
		[LOG_LVL_DEBUG] = "debug: ",
	};
	char line[1024], esc[4 * sizeof(line)];
	va_list ap;

	if (lvl > max_level)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	/*
	 * Names and the kernel's words reach the terminal and the journal as
	 * text: control characters and bytes that are not UTF-8 as \xNN. A
	 * backslash stays one, so text a renderer escaped already (plan lines)
	 * passes unchanged.
	 */
	escape_text(esc, sizeof(esc), line, false);
	/* Under systemd, stderr goes to the journal: "<N>" sets the priority. */
	if (journal)
		fprintf(stderr, "<%d>%s\n", lvl, esc);
	else
		fprintf(stderr, "mqbalance: %s%s\n", tag[lvl], esc);
}

bool log_lasting_fail(struct log_lasting *s, const char *what)
{
	char cut[sizeof(s->what)];

	/* Compare as stored: a long message cut the same way is the same failure. */
	snprintf(cut, sizeof(cut), "%s", what ? what : "");
	if (s->failing && strcmp(cut, s->what) == 0)
		return false;
	s->failing = true;
	memcpy(s->what, cut, sizeof(cut));
	return true;
}

bool log_lasting_ok(struct log_lasting *s)
{
	bool was = s->failing;

	s->failing = false;
	s->what[0] = '\0';
	return was;
}
