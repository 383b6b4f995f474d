// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the config parser:
 *   clang -g -O1 -fsanitize=fuzzer,address,undefined -std=gnu11 -D_GNU_SOURCE -I. \
 *     fuzz/fuzz_config.c agent/config.c probes/cpuset.c -o build/fuzz_config
 *   build/fuzz_config -max_total_time=60
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "agent/config.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct mq_config c;
	char err[256];
	char *text = malloc(size + 1);

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0'; /* config_load refuses NUL bytes; the parser sees text */
	if (config_parse(text, "fuzz.conf", &c, err, sizeof(err)) == 0) {
		(void)config_for(&c, "eth0");
		config_free(&c);
	}
	free(text);
	return 0;
}
