// SPDX-License-Identifier: MIT
/* ethtool netlink RSS_GET replies: ethtool_rss_parse() (u32-array table from the kernel). */
#include "fuzz/fuzz.h"
#include "probes/probe.h"

static void one(const struct nlmsghdr *nlh)
{
	struct mq_rss r;

	if (ethtool_rss_parse(nlh, &r) != 0)
		return;
	FUZZ_CHECK(r.source == RSS_NETLINK);
	FUZZ_CHECK(r.n <= MQ_RSS_INDIR_MAX);
	FUZZ_CHECK((r.n == 0) == (r.indir == NULL));
	/* The whole table is readable (ASan) and lies inside the message. */
	uint64_t sum = 0;
	for (uint32_t i = 0; i < r.n; i++)
		sum += r.indir[i];
	FUZZ_CHECK((size_t)r.n * 4 < nlh->nlmsg_len);
	(void)sum;
	rss_free(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_nl_walk(data, size, one);
	return 0;
}
