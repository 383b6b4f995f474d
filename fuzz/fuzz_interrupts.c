// SPDX-License-Identifier: MIT
/* /proc/interrupts: interrupts_parse() over fmemopen, then lookups. */
#include <stdio.h>

#include "fuzz/fuzz.h"
#include "probes/probe.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct irq_table t;
	FILE *f;

	if (!size)
		return 0; /* fmemopen(len 0) is EINVAL */
	f = fmemopen((void *)data, size, "r");
	if (!f)
		return 0;
	if (interrupts_parse(f, 0, &t) == 0) {
		uint64_t *per_cpu = malloc((t.ncpus ? t.ncpus : 1) * sizeof(*per_cpu));

		FUZZ_CHECK(t.n == 0 || t.lines);
		for (unsigned i = 0; i < t.n; i++) {
			const struct irq_line *l = &t.lines[i];

			FUZZ_CHECK(i == 0 || t.lines[i - 1].irq < l->irq || t.lines[i - 1].irq == l->irq);
			FUZZ_CHECK(memchr(l->name, '\0', sizeof(l->name)));
			FUZZ_CHECK(interrupts_find(&t, l->irq) != NULL);
			FUZZ_CHECK(l->ncounts <= t.ncols && l->first + l->ncounts <= t.ncounts);
			if (per_cpu) {
				interrupts_per_cpu(&t, l, per_cpu, t.ncpus);
				/* spot checks: the lookup of one CPU agrees with the whole row */
				for (unsigned c = i % 7; c < t.ncpus; c += 97)
					FUZZ_CHECK(interrupts_count(&t, l, c) == per_cpu[c]);
			}
		}
		for (unsigned c = 0; c < t.ncols; c++)
			/* -1: a CPU listed twice, its column is nobody's. */
			FUZZ_CHECK(t.col_cpu[c] == -1 || (t.col_cpu[c] >= 0 && (unsigned)t.col_cpu[c] < t.ncpus));
		(void)interrupts_find(&t, 0xffffffffu);
		free(per_cpu);
		interrupts_free(&t);
	}
	fclose(f);
	return 0;
}
