// SPDX-License-Identifier: MIT
/*
 * The generic netlink reply walk (mqnl_reply_feed) fed crafted datagrams:
 * lengths of 2^31 and more, truncated headers, unpadded messages, attributes
 * running past their message, the kernel's errors and extack, DUMP_INTR.
 * Every datagram sits in an exactly-sized heap buffer so that under
 * `make asan` a read past its end is an error, not luck.
 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "probes/nl.h"
#include "probes/probe.h"

#define SEQ 7
#define PORT 4242

static _Alignas(8) char dgram[4096];
static size_t dlen;

/* Append a message to dgram: nlmsghdr (+ genlmsghdr for data) and room for attributes. */
static struct nlmsghdr *put(uint16_t type, uint16_t flags, uint32_t seq)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(dgram + dlen);

	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = flags;
	nlh->nlmsg_seq = seq;
	nlh->nlmsg_pid = PORT;
	if (type >= NLMSG_MIN_TYPE) {
		struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

		g->cmd = ETHTOOL_MSG_CHANNELS_GET_REPLY;
		g->version = 1;
	}
	return nlh;
}

static void end(struct nlmsghdr *nlh)
{
	dlen += MNL_ALIGN(nlh->nlmsg_len);
}

static struct nlmsghdr *channels(uint32_t seq, uint32_t combined)
{
	struct nlmsghdr *nlh = put(0x15, NLM_F_MULTI, seq);

	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined);
	return nlh;
}

static void done_msg(int32_t err)
{
	struct nlmsghdr *nlh = put(NLMSG_DONE, NLM_F_MULTI, SEQ);

	memcpy(mnl_nlmsg_put_extra_header(nlh, sizeof(err)), &err, sizeof(err));
	end(nlh);
}

/* An NLMSG_ERROR, capped (request header only), with NLMSGERR_ATTR_MSG when msg. */
static void error_msg(int32_t error, const char *msg)
{
	struct nlmsghdr *nlh = put(NLMSG_ERROR, NLM_F_CAPPED | (msg ? NLM_F_ACK_TLVS : 0), SEQ);
	struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));

	e->error = error;
	e->msg.nlmsg_len = 100; /* the request was longer: capped, only its header is echoed */
	e->msg.nlmsg_seq = SEQ;
	if (msg)
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, msg);
	end(nlh);
}

struct seen {
	unsigned calls;
	struct mq_channels ch;
	int fail_with;
};

static int cb(const struct nlmsghdr *nlh, void *data)
{
	struct seen *s = data;

	s->calls++;
	if (ethtool_channels_parse(nlh, &s->ch) < 0)
		s->ch.combined = 999;
	if (s->fail_with) {
		errno = s->fail_with;
		return MNL_CB_ERROR;
	}
	return MNL_CB_OK;
}

static char extack[64];

static struct mqnl_reply reply(struct seen *s)
{
	memset(s, 0, sizeof(*s));
	extack[0] = '\0';
	return (struct mqnl_reply){.cb = cb, .data = s, .seq = SEQ, .portid = PORT,
				   .extack = extack, .extack_len = sizeof(extack)};
}

/* Feed bytes from an exactly-sized heap copy, as recv(2) would leave them. */
static int feed(struct mqnl_reply *r, const void *bytes, size_t len)
{
	void *copy = malloc(len ? len : 1);
	int k;

	assert_non_null(copy);
	memcpy(copy, bytes, len);
	k = mqnl_reply_feed(r, copy, len);
	free(copy);
	return k;
}

static void reset(void)
{
	memset(dgram, 0, sizeof(dgram));
	dlen = 0;
}

static void test_dump_across_datagrams(void **state)
{
	struct seen s;
	struct mqnl_reply r = reply(&s);
	struct nlmsghdr *nlh;
	(void)state;
	reset();
	end(channels(SEQ, 3));
	end(channels(SEQ, 4));
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_false(r.done);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.ch.combined, 4);
	reset();
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_true(r.done);
	assert_int_equal(mqnl_reply_result(&r), 0);
	/* A notification (seq 0) is not a reply: the callback never sees it. */
	r = reply(&s);
	reset();
	end(channels(0, 5));
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(s.calls, 0);
	assert_true(r.done);
	/* NOOP and the types reserved below NLMSG_MIN_TYPE carry no data; NLMSG_MIN_TYPE does. */
	r = reply(&s);
	reset();
	end(put(NLMSG_NOOP, 0, SEQ));
	end(put(NLMSG_MIN_TYPE - 1, 0, SEQ));
	nlh = channels(SEQ, 6);
	nlh->nlmsg_type = NLMSG_MIN_TYPE;
	end(nlh);
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.ch.combined, 6);
}

/* nlmsg_len of 2^31 and more: libmnl compares it as an int, so it passed and the walk left the buffer. */
static void test_huge_lengths(void **state)
{
	static const uint32_t lens[] = {0x80000000u, 0x80000010u, 0xfffffff0u, 0xffffffffu, 4097};
	struct seen s;
	(void)state;
	for (size_t i = 0; i < sizeof(lens) / sizeof(lens[0]); i++) {
		struct mqnl_reply r = reply(&s);
		struct nlmsghdr *nlh;

		reset();
		nlh = channels(SEQ, 2);
		end(nlh);
		nlh->nlmsg_len = lens[i];
		done_msg(0);
		assert_int_equal(feed(&r, dgram, dlen), -EBADMSG);
		assert_int_equal(s.calls, 0);
		assert_false(r.done);
		/* The same length on a second message: the first was handled, then the walk stops. */
		r = reply(&s);
		reset();
		end(channels(SEQ, 2));
		nlh = channels(SEQ, 3);
		end(nlh);
		nlh->nlmsg_len = lens[i];
		assert_int_equal(feed(&r, dgram, dlen), -EBADMSG);
		assert_int_equal(s.calls, 1);
		assert_int_equal(s.ch.combined, 2);
	}
}

static void test_truncated_headers(void **state)
{
	struct seen s;
	struct mqnl_reply r = reply(&s);
	struct nlmsghdr *nlh;
	(void)state;
	reset();
	end(channels(SEQ, 2));
	/* Every cut of a message, from nothing to one byte short. */
	for (size_t n = 0; n < dlen; n++) {
		r = reply(&s);
		assert_int_equal(feed(&r, dgram, n), -EBADMSG);
		assert_int_equal(s.calls, 0);
	}
	/* A whole message, then 8 bytes: not a header. */
	r = reply(&s);
	assert_int_equal(feed(&r, dgram, dlen + 8), -EBADMSG);
	assert_int_equal(s.calls, 1);
	/* A length shorter than its own header. */
	for (uint32_t len = 0; len < sizeof(struct nlmsghdr); len++) {
		r = reply(&s);
		nlh = (struct nlmsghdr *)dgram;
		nlh->nlmsg_len = len;
		assert_int_equal(feed(&r, dgram, dlen), -EBADMSG);
		assert_int_equal(s.calls, 0);
	}
	/* Unpadded at the end of the datagram: attribute walkers read to the padded end. */
	reset();
	nlh = channels(SEQ, 2);
	mnl_attr_put(nlh, 200, 2, "ab");
	nlh->nlmsg_len -= 2; /* the attribute's padding is not part of the message */
	r = reply(&s);
	assert_int_equal(feed(&r, dgram, nlh->nlmsg_len), -EBADMSG);
	assert_int_equal(s.calls, 0);
	/* The same message with its padding in the datagram is fine. */
	r = reply(&s);
	assert_int_equal(feed(&r, dgram, MNL_ALIGN(nlh->nlmsg_len)), 0);
	assert_int_equal(s.calls, 1);
	/* An unpadded one in the middle (a one-byte attribute): the next starts at its padded end. */
	reset();
	nlh = channels(SEQ, 2);
	mnl_attr_put(nlh, 200, 1, "a");
	nlh->nlmsg_len -= 3;
	end(nlh);
	end(channels(SEQ, 6));
	done_msg(0);
	r = reply(&s);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(s.calls, 2);
	assert_int_equal(s.ch.combined, 6);
	assert_true(r.done);
}

/* An attribute whose length runs past its message into the next one: not read. */
static void test_attr_overruns_message(void **state)
{
	struct seen s;
	struct mqnl_reply r = reply(&s);
	struct nlmsghdr *nlh;
	struct nlattr *a;
	(void)state;
	reset();
	nlh = channels(SEQ, 2);
	a = (struct nlattr *)((char *)nlh + nlh->nlmsg_len - MNL_ATTR_HDRLEN - sizeof(uint32_t));
	a->nla_len = MNL_ATTR_HDRLEN + sizeof(uint32_t) + 16; /* count + the next header */
	end(nlh);
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.ch.combined_max, 8);
	assert_int_equal(s.ch.combined, 0); /* the overrunning count is not taken */
	assert_true(r.done);
	assert_int_equal(mqnl_reply_result(&r), 0);
}

static void test_kernel_errors(void **state)
{
	struct seen s;
	struct mqnl_reply r = reply(&s);
	(void)state;
	/* The ACK. */
	reset();
	error_msg(0, NULL);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_true(r.done);
	assert_int_equal(mqnl_reply_result(&r), 0);
	/* An error with the kernel's words. */
	r = reply(&s);
	reset();
	error_msg(-EINVAL, "requested channel count exceeds maximum \n ");
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(mqnl_reply_result(&r), -EINVAL);
	assert_string_equal(extack, "requested channel count exceeds maximum");
	/* Trailing blanks go, down to nothing; one character is kept. */
	static const struct {
		const char *msg, *want;
	} words[] = {{"\n", ""}, {" ", ""}, {" \n \n", ""}, {"", ""}, {"x\n", "x"}, {" x", " x"}};
	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		r = reply(&s);
		reset();
		error_msg(-EINVAL, words[i].msg);
		assert_int_equal(feed(&r, dgram, dlen), 0);
		assert_int_equal(mqnl_reply_result(&r), -EINVAL);
		assert_string_equal(extack, words[i].want);
	}
	/* Not capped: the whole request is echoed (genl header, one attribute), the TLVs after it. */
	r = reply(&s);
	reset();
	{
		struct nlmsghdr *nlh = put(NLMSG_ERROR, NLM_F_ACK_TLVS, SEQ);
		struct nlmsgerr *e = mnl_nlmsg_put_extra_header(nlh, sizeof(*e));
		uint8_t *body = mnl_nlmsg_put_extra_header(nlh, 12);
		struct nlattr a = {.nla_len = 8, .nla_type = ETHTOOL_A_CHANNELS_COMBINED_COUNT};

		e->error = -EINVAL;
		e->msg.nlmsg_len = sizeof(struct nlmsghdr) + 12;
		e->msg.nlmsg_seq = SEQ;
		body[0] = ETHTOOL_MSG_CHANNELS_SET;
		body[1] = 1;
		memcpy(body + 4, &a, sizeof(a));
		body[8] = 64;
		mnl_attr_put_strz(nlh, NLMSGERR_ATTR_MSG, "past the request");
		end(nlh);
	}
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(mqnl_reply_result(&r), -EINVAL);
	assert_string_equal(extack, "past the request");
	/* Not errnos: INT_MIN (whose negation overflows), positive, beyond -4095. */
	static const int32_t odd[] = {INT_MIN, 5, -4096};
	for (size_t i = 0; i < sizeof(odd) / sizeof(odd[0]); i++) {
		r = reply(&s);
		reset();
		error_msg(odd[i], NULL);
		assert_int_equal(feed(&r, dgram, dlen), 0);
		assert_int_equal(mqnl_reply_result(&r), -EPROTO);
	}
	/* A dump that fails: NLMSG_DONE carries the error. */
	r = reply(&s);
	reset();
	end(channels(SEQ, 1));
	done_msg(-ENODEV);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(mqnl_reply_result(&r), -ENODEV);
	done_msg(INT_MIN);
	r = reply(&s);
	assert_int_equal(feed(&r, dgram + dlen - 20, 20), 0);
	assert_int_equal(mqnl_reply_result(&r), -EPROTO);
	/* An NLMSG_ERROR too short for its struct. */
	r = reply(&s);
	reset();
	end(put(NLMSG_ERROR, 0, SEQ));
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(mqnl_reply_result(&r), -EBADMSG);
	/* The callback's own failure, after which it is not called again. */
	r = reply(&s);
	s.fail_with = ENOMEM;
	reset();
	end(channels(SEQ, 1));
	end(channels(SEQ, 2));
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_int_equal(s.calls, 1);
	assert_int_equal(mqnl_reply_result(&r), -ENOMEM);
}

static void test_foreign_and_interrupted(void **state)
{
	struct seen s;
	struct mqnl_reply r = reply(&s);
	struct nlmsghdr *nlh;
	(void)state;
	/* Another request's reply, another port's. */
	reset();
	end(channels(SEQ + 1, 1));
	assert_int_equal(feed(&r, dgram, dlen), -EPROTO);
	reset();
	nlh = channels(SEQ, 1);
	nlh->nlmsg_pid = PORT + 1;
	end(nlh);
	r = reply(&s);
	assert_int_equal(feed(&r, dgram, dlen), -ESRCH);
	assert_int_equal(s.calls, 0);
	/* NLM_F_DUMP_INTR: read to the end, no message from the flagged one on, then -EAGAIN. */
	r = reply(&s);
	reset();
	end(channels(SEQ, 1));
	nlh = channels(SEQ, 2);
	nlh->nlmsg_flags |= NLM_F_DUMP_INTR;
	end(nlh);
	end(channels(SEQ, 3));
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_false(r.done);
	reset();
	done_msg(0);
	assert_int_equal(feed(&r, dgram, dlen), 0);
	assert_true(r.done);
	assert_int_equal(s.calls, 1);
	assert_int_equal(mqnl_reply_result(&r), -EAGAIN);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dump_across_datagrams),
		cmocka_unit_test(test_huge_lengths),
		cmocka_unit_test(test_truncated_headers),
		cmocka_unit_test(test_attr_overruns_message),
		cmocka_unit_test(test_kernel_errors),
		cmocka_unit_test(test_foreign_and_interrupted),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
