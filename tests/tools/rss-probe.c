// SPDX-License-Identifier: MIT
/*
 * rss-probe IFACE [--reset] [--dump FILE]: print what probes/rss.c reads and
 * core/rss.c makes of it, one key=value line (then "indir=" with the table),
 * for tests/guest/scenarios/rss.sh until `mqbalance --report --json` carries
 * it. --reset calls the setter (agent/rss.c) first; --dump writes the raw
 * RSS_GET reply (whole netlink message) to FILE, to capture unit test fixtures.
 * Exit 0 read, 3 the device has no RSS (EOPNOTSUPP), 1 any other error.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agent/rss.h"
#include "core/rss.h"
#include "probes/probe.h"
#include "probes/uapi.h"

static int cb_dump(const struct nlmsghdr *nlh, void *data)
{
	FILE *f = data;

	fwrite(nlh, 1, nlh->nlmsg_len, f);
	return MNL_CB_OK;
}

static int dump(struct mq_nl *nl, int ifindex, const char *path)
{
	char buf[256];
	struct nlmsghdr *nlh;
	struct nlattr *nest;
	FILE *f;
	int r;

	if (!nl->ethtool_id)
		return -EOPNOTSUPP;
	f = fopen(path, "wb");
	if (!f)
		return -errno;
	nlh = mqnl_genl_put(nl, buf, nl->ethtool_id, MQ_ETHTOOL_MSG_RSS_GET, ETHTOOL_GENL_VERSION, 0);
	nest = mnl_attr_nest_start(nlh, MQ_ETHTOOL_A_RSS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	mnl_attr_nest_end(nlh, nest);
	r = mqnl_genl_transact(nl, nlh, cb_dump, f);
	if (fclose(f) != 0 && r == 0)
		r = -errno;
	return r;
}

int main(int argc, char **argv)
{
	struct mq_nic nic = {0};
	struct rss_spread s;
	struct mq_nl nl;
	const char *dump_path = NULL;
	bool reset = false;
	char msg[256], left[256] = "";
	int r, rc = 0;

	for (int i = 2; i < argc; i++) {
		if (strcmp(argv[i], "--reset") == 0)
			reset = true;
		else if (strcmp(argv[i], "--dump") == 0 && i + 1 < argc)
			dump_path = argv[++i];
		else
			argc = 0;
	}
	if (argc < 2) {
		fprintf(stderr, "usage: rss-probe IFACE [--reset] [--dump FILE]\n");
		return 2;
	}
	r = mqnl_open(&nl);
	if (r < 0) {
		fprintf(stderr, "netlink: %s\n", strerror(-r));
		return 1;
	}
	r = link_get(&nl, argv[1], &nic);
	if (r < 0) {
		fprintf(stderr, "%s: %s\n", argv[1], strerror(-r));
		rc = 1;
		goto out;
	}
	if (reset) {
		r = rss_table_reset(&nl, &nic, msg, sizeof(msg));
		printf("reset=%d%s%s\n", r, msg[0] ? " msg=" : "", msg);
		if (r < 0) {
			rc = 1;
			goto out;
		}
	}
	if (dump_path) {
		r = dump(&nl, nic.ifindex, dump_path);
		printf("dump=%d\n", r);
	}
	r = ethtool_rss_get(&nl, &nic, &nic.rss);
	if (r < 0) {
		printf("source=none err=%d errmsg=%s\n", r, nic.rss.errmsg);
		rc = r == -EOPNOTSUPP ? 3 : 1;
		goto out;
	}
	printf("source=%s n=%u key_size=%u hfunc=%s nqueues=%u", rss_source_to_string(nic.rss.source),
	       nic.rss.n, nic.rss.key_size, rss_hfunc_to_string(nic.rss.hfunc), nic.real_rx_queues);
	r = rss_nic_analyse(&nic, &s);
	if (r == 0) {
		cpuset_format_list(cpuset_buf(&s.left_out_set), left, sizeof(left));
		printf(" covered=%u left_out=%u left_out_queues=%s first_left_out=%d beyond=%u"
		       " busiest=%u max_weight=%u min_weight=%u max_share=%.3f even=%d default=%d"
		       " target_max_weight=%u reset_helps=%d",
		       s.covered, s.left_out, left[0] ? left : "-", s.first_left_out, s.beyond, s.busiest,
		       s.max_weight, s.min_weight, s.max_share, s.even, s.is_default,
		       s.target_max_weight, s.reset_helps);
	} else {
		printf(" analysis=%d", r);
	}
	printf("\nindir=");
	for (uint32_t i = 0; i < nic.rss.n; i++)
		printf("%s%u", i ? " " : "", nic.rss.indir[i]);
	printf("\n");
out:
	nic_free(&nic);
	mqnl_close(&nl);
	return rc;
}
