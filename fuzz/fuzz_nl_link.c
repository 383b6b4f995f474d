// SPDX-License-Identifier: MIT
/*
 * rtnetlink RTM_NEWLINK messages as a link dump delivers them: link_parse();
 * and RTM_NEWSTATS of a stats dump: link_stats_parse().
 */
#include "fuzz/fuzz.h"
#include "probes/probe.h"

static void one(const struct nlmsghdr *nlh)
{
	struct mq_nic nic;

	if (link_parse(nlh, &nic) == 0) {
		FUZZ_CHECK(memchr(nic.name, '\0', sizeof(nic.name)));
		FUZZ_CHECK(memchr(nic.kind, '\0', sizeof(nic.kind)));
		FUZZ_CHECK(memchr(nic.operstate, '\0', sizeof(nic.operstate)));
		FUZZ_CHECK(nic.queues == NULL && nic.irqs == NULL);
	}
	memset(&nic, 0, sizeof(nic));
	if (link_stats_parse(nlh, &nic) == 0)
		FUZZ_CHECK(nic.ifindex > 0 && nic.rx_packets != MQ_NA && nic.queues == NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	fuzz_nl_walk(data, size, one);
	return 0;
}
