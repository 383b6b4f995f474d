/* SPDX-License-Identifier: MIT */
#pragma once

#include "core/config.h"
#include "probes/nl.h"
#include "probes/probe.h"

/*
 * mqbalance --watch until `q`, SIGINT or SIGTERM (agent/live.c). Returns 0,
 * or -errno when the machine cannot be probed. SIGINT, SIGTERM, SIGHUP and
 * SIGWINCH are left blocked: the caller exits next.
 */
int live_run(struct mq_nl *nl, const struct mq_config *cfg, const struct probe_opts *po,
	     double interval);
