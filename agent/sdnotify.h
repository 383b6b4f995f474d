/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * sd_notify(3) without libsystemd: one datagram to $NOTIFY_SOCKET (a path,
 * or "@name" for the abstract namespace). Outside systemd it does nothing.
 */

#include <stdbool.h>
#include <stdint.h>

/* Send state ("READY=1", "STATUS=...", "WATCHDOG=1", "STOPPING=1").
 * Returns 1 sent, 0 no NOTIFY_SOCKET, -errno. */
int sdnotify_send(const char *state);
/* printf form of sdnotify_send(). */
int sdnotify_sendf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/*
 * The watchdog period systemd asks for ($WATCHDOG_USEC, for this process if
 * $WATCHDOG_PID is set). Returns 1 and *ret_usec when enabled, 0 when not.
 */
int sdnotify_watchdog_usec(uint64_t *ret_usec);
/*
 * Is stderr the journal? systemd sets $JOURNAL_STREAM to "DEV:INODE" of the
 * stream it connected; compare with fstat(2) so that a redirected stderr of a
 * child (or of a user's shell that inherited the variable) is not mistaken.
 * For log_setup(..., journal_prefix).
 */
bool sdnotify_stderr_is_journal(void);
