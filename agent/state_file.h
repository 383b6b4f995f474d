/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The state file: core/state.h's record on disk, in the unit's
 * StateDirectory (/var/lib/mqbalance; MQBALANCE_STATE_DIR for tests),
 * written atomically, keyed by boot id: a record from an earlier boot is
 * stale (the drivers started over) and is dropped.
 */

#include <stddef.h>

#include "core/state.h"

#define MQ_STATE_DIR "/var/lib/mqbalance"

/* "<dir>/state" into buf. */
void state_file_path(char *buf, size_t len);
/*
 * The record of this boot into ret (empty, with this boot's id, when there
 * is none or it is from an earlier boot). -errno with "path: why" in err
 * when the file exists but cannot be used.
 */
int state_file_load(struct mq_state *ret, char *err, size_t errlen);
/* Write st (or remove the file when st holds nothing). 0 or -errno with err. */
int state_file_save(const struct mq_state *st, char *err, size_t errlen);
