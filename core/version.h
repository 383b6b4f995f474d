/* SPDX-License-Identifier: MIT */
#pragma once

/* `git describe` of the build, from the generated $(BUILD)/version.c. */
extern const char mq_version[];
