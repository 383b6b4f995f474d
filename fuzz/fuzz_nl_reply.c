// SPDX-License-Identifier: MIT
/*
 * Generic netlink replies as the socket reader takes them: mqnl_reply_feed()
 * over datagrams of any length and content, with a callback that walks every
 * attribute (nested one level) and parses the message as a channels reply.
 * Input: records of [length, 2 bytes LE][datagram], each datagram in an
 * exactly-sized heap buffer as recv(2) leaves it; the records are one
 * request's replies (sequence 1, port 0x1234) until one ends it.
 */
#include <errno.h>
#include <linux/genetlink.h>

#include "fuzz/fuzz.h"
#include "probes/nl.h"
#include "probes/probe.h"

struct ctx {
	const char *lo, *hi; /* the datagram being fed */
	unsigned calls;
};

static int cb(const struct nlmsghdr *nlh, void *data)
{
	struct ctx *c = data;
	const struct nlattr *a, *n;
	struct mq_channels ch;
	unsigned sum = 0;

	/* The walk hands over only messages that lie inside the datagram, padding included. */
	FUZZ_CHECK((const char *)nlh >= c->lo && nlh->nlmsg_len >= sizeof(*nlh));
	FUZZ_CHECK((size_t)(c->hi - (const char *)nlh) >= MNL_ALIGN((size_t)nlh->nlmsg_len));
	c->calls++;
	mnl_attr_for_each(a, nlh, sizeof(struct genlmsghdr)) {
		const unsigned char *p = mnl_attr_get_payload(a);

		for (uint16_t i = 0; i < mnl_attr_get_payload_len(a); i++)
			sum += p[i];
		if (mnl_attr_validate(a, MNL_TYPE_NESTED) == 0)
			mnl_attr_for_each_nested(n, a)
				sum += mnl_attr_get_type(n);
	}
	(void)sum;
	if (ethtool_channels_parse(nlh, &ch) == 0)
		FUZZ_CHECK(ch.source == CHANNELS_NETLINK);
	return MNL_CB_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char extack[64] = "";
	struct ctx c = {0};
	struct mqnl_reply r = {.cb = cb, .data = &c, .seq = 1, .portid = 0x1234,
			       .extack = extack, .extack_len = sizeof(extack)};

	while (size >= 2 && !r.done) {
		size_t len;
		char *copy = fuzz_record(&data, &size, &len);
		int k;

		if (!copy)
			return 0;
		c.lo = copy;
		c.hi = copy + len;
		k = mqnl_reply_feed(&r, copy, len);
		free(copy);
		FUZZ_CHECK(k == 0 || k == -EBADMSG || k == -EPROTO || k == -ESRCH);
		if (k < 0)
			return 0;
	}
	FUZZ_CHECK(memchr(extack, '\0', sizeof(extack)));
	if (r.done) {
		int res = mqnl_reply_result(&r);

		FUZZ_CHECK(res <= 0 && res >= -4095);
	}
	return 0;
}
