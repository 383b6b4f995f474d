// SPDX-License-Identifier: MIT
#include <stdio.h>

int main(void)
{
	fprintf(stderr, "mqbalance: not yet\n");
	return 3;
}
