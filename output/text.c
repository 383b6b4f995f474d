// SPDX-License-Identifier: MIT
#include <math.h>
#include <stdio.h>

#include "output/text.h"

const char *text_num(double v, char *buf, size_t len)
{
	static const char suffix[] = "kMGTPE";

	if (isnan(v)) {
		snprintf(buf, len, "-");
	} else if (v < 100000) {
		if (v > 0 && v < 10 && v != floor(v))
			snprintf(buf, len, "%.1f", v);
		else
			snprintf(buf, len, "%.0f", v);
	} else {
		unsigned i = 0;

		v /= 1000;
		while (v >= 1000 && i + 1 < sizeof(suffix) - 1) {
			v /= 1000;
			i++;
		}
		snprintf(buf, len, "%.1f%c", v, suffix[i]);
	}
	return buf;
}
