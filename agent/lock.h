/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * One instance: the daemon, --apply and --revert take an exclusive lock on
 * /run/mqbalance/lock (the unit's RuntimeDirectory; MQBALANCE_RUN_DIR for
 * tests) and write their pid and mode into it, so a second one can say who
 * holds it. The lock lives as long as the process (the fd is kept open).
 */

#include <stddef.h>
#include <sys/types.h>

#define MQ_RUN_DIR "/run/mqbalance"

/* The runtime directory (created 0755 when missing). */
const char *run_dir(void);

/*
 * Take the lock for mode ("daemon", "apply", "revert"). Returns the fd (keep
 * it open) or -EWOULDBLOCK with the holder's pid and mode in ret_pid and
 * holder (0 / "" if unknown), or another -errno with the path in err.
 */
int lock_take(const char *mode, pid_t *ret_pid, char *holder, size_t holderlen, char *err,
	      size_t errlen);
