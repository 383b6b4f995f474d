// SPDX-License-Identifier: MIT
/* ethtool netlink CHANNELS_GET replies / CHANNELS_NTF: ethtool_channels_parse(). */
#include "fuzz/fuzz.h"
#include "probes/probe.h"

static void one(const struct nlmsghdr *nlh)
{
	struct mq_channels ch;

	if (ethtool_channels_parse(nlh, &ch) == 0)
		FUZZ_CHECK(ch.source == CHANNELS_NETLINK);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_nl_walk(data, size, one);
	return 0;
}
