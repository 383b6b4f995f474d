/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdio.h>

#include "core/state.h"

/* The text form of a state record (core/state.h). Returns 0 or -EIO. */
int state_render(FILE *f, const struct mq_state *st);
/* state_render with the signature textfile_write() takes: arg is a struct mq_state. */
int state_render_cb(FILE *f, void *arg);
