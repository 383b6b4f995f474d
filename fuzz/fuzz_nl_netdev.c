// SPDX-License-Identifier: MIT
/*
 * netdev generic netlink replies: qstats-get, queue-get and napi-get. Every
 * message goes to all three parsers; each must refuse the others' commands.
 */
#include "fuzz/fuzz.h"
#include "probes/probe.h"

static void one(const struct nlmsghdr *nlh)
{
	struct netdev_qstat q;
	struct netdev_queue_info qi;
	struct netdev_napi_info n;
	int a, b, c;

	a = netdev_qstats_parse(nlh, &q);
	b = netdev_queue_parse(nlh, &qi);
	c = netdev_napi_parse(nlh, &n);
	FUZZ_CHECK((a == 0) + (b == 0) + (c == 0) <= 1);
	if (a == 0)
		FUZZ_CHECK(q.ifindex >= 0 && q.type >= 0);
	if (b == 0)
		FUZZ_CHECK(qi.ifindex > 0 && qi.type >= 0);
	if (c == 0)
		FUZZ_CHECK(n.ifindex > 0 && n.id >= 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_nl_walk(data, size, one);
	return 0;
}
