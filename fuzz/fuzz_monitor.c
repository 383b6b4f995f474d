// SPDX-License-Identifier: MIT
/*
 * The daemon's event parsers as its sources deliver bytes to them:
 * monitor_parse() over rtnetlink, ethtool monitor and uevent datagrams (the
 * netlink walk, link_parse, ethtool_channels_parse and its header, the
 * uevent parser). Input: records of [source byte][length, 2 bytes LE]
 * [datagram]; each datagram in an exactly-sized heap buffer, as recvmsg
 * leaves it, so a read past its end hits ASan.
 */
#include <errno.h>
#include <linux/netlink.h>

#include "fuzz/fuzz.h"
#include "probes/monitor.h"

#define FAMILY 0x14

static void check(const struct mq_event *e, void *ctx)
{
	enum mon_src s = *(const enum mon_src *)ctx;

	FUZZ_CHECK(memchr(e->ifname, '\0', sizeof(e->ifname)));
	FUZZ_CHECK(memchr(e->kind, '\0', sizeof(e->kind)));
	FUZZ_CHECK(e->t_ms == 0);
	switch (e->type) {
	case EV_LINK_NEW:
	case EV_LINK_DEL:
	case EV_LINK_UP:
	case EV_LINK_DOWN:
	case EV_LINK_CHANGE:
		FUZZ_CHECK(s == MON_RTNL && e->ifindex > 0 && e->ifname[0] && e->cpu == -1);
		break;
	case EV_CHANNELS_CHANGED:
		FUZZ_CHECK(s == MON_ETHTOOL && e->ifindex > 0 && e->cpu == -1);
		break;
	case EV_CPU_ONLINE:
	case EV_CPU_OFFLINE:
		FUZZ_CHECK(s == MON_UEVENT && e->cpu >= 0 && e->cpu < MQ_MAX_CPUS);
		break;
	default:
		FUZZ_CHECK(0);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	while (size >= 3) {
		enum mon_src s = (enum mon_src)(data[0] % _MON_SRC_MAX);
		size_t len;
		void *copy;
		int bad;

		data++;
		size--;
		copy = fuzz_record(&data, &size, &len);
		if (!copy)
			return 0;
		bad = monitor_parse(s, FAMILY, copy, len, check, &s);
		FUZZ_CHECK(bad >= 0 && (size_t)bad <= len / sizeof(struct nlmsghdr) + 1);
		free(copy);
	}
	return 0;
}
