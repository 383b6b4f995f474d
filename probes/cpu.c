// SPDX-License-Identifier: MIT
#include <stdlib.h>
#include <string.h>

#include "probes/probe.h"

void cpu_free(struct mq_cpus *c)
{
	if (!c)
		return;
	free(c->cpu);
	c->cpu = NULL;
	c->n = 0;
}
