/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>

/*
 * What changing NICs needs: CAP_NET_ADMIN (channels, XPS/RPS) and write
 * access to /proc/irq (root). Returns true, or false with what is missing
 * ("CAP_NET_ADMIN", "root (uid 0) to write /proc/irq") in why.
 */
bool privs_can_tune(char *why, unsigned len);
/* Running without CAP_NET_ADMIN (what --report says, read-only). */
bool privs_unprivileged(void);
