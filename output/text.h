/* SPDX-License-Identifier: MIT */
#pragma once

/* What the text renderers (report, per-CPU view, --watch) share. */

#include <stddef.h>

#define ANSI_RESET "\033[0m"
#define ANSI_BOLD "\033[1m"
#define ANSI_DIM "\033[2m"
#define ANSI_RED "\033[31m"
#define ANSI_YELLOW "\033[33m"
#define ANSI_CYAN "\033[36m"

/* A number for a table cell: "-" for NAN, one decimal below 10, SI suffix past 99999. */
const char *text_num(double v, char *buf, size_t len);
