/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * Shared by the daemon's tests: fake hooks that record what the daemon asks
 * for, socketpairs as its rtnetlink, ethtool netlink and uevent sources
 * (monitor_adopt), and senders of canned kernel messages. One copy per test
 * program (static state).
 */
#include <errno.h>
#include <limits.h>
#include <linux/ethtool_netlink.h>
#include <linux/genetlink.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>

#include "agent/daemon.h"
#include "probes/monitor.h"
#include "probes/sysfs.h"

#define FAMILY 42

/* ---- fakes ------------------------------------------------------------------- */

static struct {
	unsigned calls;
	char causes[8][512];
	char cfg_path[8][PATH_MAX];
	unsigned changed_first;  /* tune result of the startup pass */
	int own_ifindex;         /* the startup pass set this link's channels */
	unsigned own_count;      /* to this count */
	bool own_many;           /* and more links' than the result holds */
	int err_first;           /* return value of the startup pass */
	unsigned stop_after;     /* SIGTERM ourselves after this many calls */
	void (*hook)(unsigned call);
	unsigned loads;
	int fail_load_call;      /* this load (1-based) fails */
	struct mq_section sections[3];
	unsigned nsections;
	double interval;
	double drift_check[4];   /* drift_check of the config of each load (1-based - 1) */
	unsigned err_all;        /* the first this many passes fail (-ENODEV) */
	unsigned failed;         /* failed steps the passes after err_all report, */
	unsigned failed_until;   /* up to this pass */
	unsigned samples;
	void (*sample_hook)(unsigned n);
	unsigned checks;
	unsigned checks_quiet;   /* the drift check finds nothing moved this many times, then drift */
	void (*check_hook)(unsigned n);
	bool reopen;             /* monitor_open() hands over a new socketpair (test_daemon.mk) */
} f;

static inline int fake_tune(void *ctx, const struct mq_config *cfg, const char *cause,
		     struct tune_result *ret)
{
	unsigned i = f.calls++;

	assert_ptr_equal(ctx, &f); /* every hook gets the context it was given */
	if (i < 8) {
		snprintf(f.causes[i], sizeof(f.causes[i]), "%s", cause);
		snprintf(f.cfg_path[i], sizeof(f.cfg_path[i]), "%s", cfg->path);
	}
	ret->changed = i == 0 ? f.changed_first : 0;
	ret->nchannels = i == 0 && f.own_ifindex ? (f.own_many ? EV_MAX_SUPPRESS + 1 : 1) : 0;
	for (unsigned k = 0; k < EV_MAX_SUPPRESS; k++) {
		ret->channels[k].ifindex = f.own_ifindex + (int)k; /* the ones that fit: 5, 6, ... */
		ret->channels[k].count = f.own_count;
	}
	ret->failed = f.calls > f.err_all && f.calls <= f.failed_until ? f.failed : 0;
	snprintf(ret->summary, sizeof(ret->summary), "summary %u", i + 1);
	if (f.hook)
		f.hook(f.calls);
	if (f.calls >= f.stop_after)
		kill(getpid(), SIGTERM);
	if (f.err_all && f.calls <= f.err_all)
		return -ENODEV;
	return i == 0 ? f.err_first : 0;
}

/* The next section of the fake config, by pattern and match; the keys it sets follow. */
static inline struct mq_section *fake_section(const char *pattern, enum mq_match match)
{
	struct mq_section *s;

	assert_true(f.nsections < sizeof(f.sections) / sizeof(f.sections[0]));
	s = &f.sections[f.nsections++];
	snprintf(s->pattern, sizeof(s->pattern), "%s", pattern);
	s->match = match;
	return s;
}

static inline void section_queues(struct mq_section *s, enum queues_mode mode, unsigned n)
{
	s->keys |= MQ_KEY_QUEUES;
	s->v.queues_mode = mode;
	s->v.queues = n;
}

static inline void section_exclude(struct mq_section *s, bool on)
{
	s->keys |= MQ_KEY_EXCLUDE;
	s->v.exclude = on;
}

/* veth* are veths, the rest devices. */
static inline bool fake_has_device(void *ctx, const char *ifname)
{
	assert_ptr_equal(ctx, &f);
	return strncmp(ifname, "veth", 4) != 0;
}

static inline int fake_load(void *ctx, const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	assert_ptr_equal(ctx, &f);
	f.loads++;
	if ((int)f.loads == f.fail_load_call) {
		snprintf(err, errlen, "%s:3: bad value 'x' for queues", path);
		return -EINVAL;
	}
	memset(ret, 0, sizeof(*ret));
	snprintf(ret->path, sizeof(ret->path), "%s#%u", path, f.loads);
	ret->interval = f.interval;
	if (f.loads <= 4)
		ret->drift_check = f.drift_check[f.loads - 1];
	if (f.nsections) {
		ret->sections = calloc(f.nsections, sizeof(*ret->sections));
		memcpy(ret->sections, f.sections, f.nsections * sizeof(*ret->sections));
		ret->nsections = f.nsections;
	}
	return 0;
}

static inline void fake_free(void *ctx, struct mq_config *c)
{
	assert_ptr_equal(ctx, &f);
	free(c->sections);
	c->sections = NULL;
}

static inline int fake_sample(void *ctx, const struct mq_config *cfg)
{
	assert_ptr_equal(ctx, &f);
	(void)cfg;
	f.samples++;
	if (f.sample_hook)
		f.sample_hook(f.samples);
	return 0;
}

static inline int fake_check(void *ctx, const struct mq_config *cfg)
{
	assert_ptr_equal(ctx, &f);
	(void)cfg;
	f.checks++;
	if (f.check_hook)
		f.check_hook(f.checks);
	return f.checks <= f.checks_quiet;
}

/* ---- fixtures ---------------------------------------------------------------- */

static int ours[3] = {-1, -1, -1};  /* our ends: rtnl, ethtool, uevent */
static struct daemon_opts opts;
static struct mq_monitor mon;
static struct mq_config cfg;

static inline int setup(void **state)
{
	int sp[3][2];
	(void)state;

	memset(&f, 0, sizeof(f));
	f.stop_after = 2;
	memset(&opts, 0, sizeof(opts));
	opts.config_path = "/etc/mqbalance.conf";
	opts.hooks = (struct daemon_hooks){.ctx = &f, .tune = fake_tune, .load_config = fake_load,
					   .free_config = fake_free, .has_device = fake_has_device};
	opts.cfg = &cfg;
	opts.mon = &mon;
	opts.ev.debounce_ms = 20;
	opts.ev.debounce_max_ms = 100;
	opts.drift_ms = 3600000;
	monitor_init(&mon, NULL);
	mon.ethtool_family = FAMILY;
	for (int i = 0; i < 3; i++) {
		if (socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp[i]) < 0)
			return -1;
		ours[i] = sp[i][0];
		monitor_adopt(&mon, (enum mon_src)i, sp[i][1]);
	}
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	sysfs_set_root("/nonexistent-mqbalance-root");
	return 0;
}

static inline int teardown(void **state)
{
	(void)state;
	for (int i = 0; i < 3; i++)
		close(ours[i]);
	monitor_close_all(&mon);
	sysfs_set_root("");
	return 0;
}

/* What main does: load the config once, then hand it to the daemon. */
static inline int run(void)
{
	char err[256];
	int r;

	memset(&cfg, 0, sizeof(cfg));
	assert_int_equal(fake_load(&f, opts.config_path, &cfg, err, sizeof(err)), 0);
	r = daemon_run(&opts);
	fake_free(&f, &cfg);
	return r;
}

static inline void send_bytes(int fd, const void *buf, size_t len)
{
	assert_int_equal(send(fd, buf, len, 0), (ssize_t)len);
}

static inline void send_uevent(const char *action, unsigned cpu)
{
	char buf[512];
	int n = snprintf(buf, sizeof(buf), "%s@/devices/system/cpu/cpu%u", action, cpu) + 1;

	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "ACTION=%s", action) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "DEVPATH=/devices/system/cpu/cpu%u", cpu) + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "SUBSYSTEM=cpu") + 1;
	n += snprintf(buf + n, sizeof(buf) - (size_t)n, "SEQNUM=1234") + 1;
	send_bytes(ours[2], buf, (size_t)n);
}

static inline void send_link(uint16_t type, int ifindex, const char *name, unsigned flags, unsigned change,
		      const char *kind)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct ifinfomsg *ifm;

	nlh->nlmsg_type = type;
	ifm = mnl_nlmsg_put_extra_header(nlh, sizeof(*ifm));
	ifm->ifi_family = AF_UNSPEC;
	ifm->ifi_index = ifindex;
	ifm->ifi_flags = flags;
	ifm->ifi_change = change;
	mnl_attr_put_strz(nlh, IFLA_IFNAME, name);
	if (kind) {
		struct nlattr *nest = mnl_attr_nest_start(nlh, IFLA_LINKINFO);

		mnl_attr_put_strz(nlh, IFLA_INFO_KIND, kind);
		mnl_attr_nest_end(nlh, nest);
	}
	send_bytes(ours[0], buf, nlh->nlmsg_len);
}

static inline void send_channels(int ifindex, const char *name, uint32_t combined)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g;
	struct nlattr *nest;

	nlh->nlmsg_type = FAMILY;
	g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));
	g->cmd = ETHTOOL_MSG_CHANNELS_NTF;
	g->version = 1;
	nest = mnl_attr_nest_start(nlh, ETHTOOL_A_CHANNELS_HEADER);
	mnl_attr_put_u32(nlh, ETHTOOL_A_HEADER_DEV_INDEX, (uint32_t)ifindex);
	if (name) /* NULL: a notification with the index only */
		mnl_attr_put_strz(nlh, ETHTOOL_A_HEADER_DEV_NAME, name);
	mnl_attr_nest_end(nlh, nest);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_MAX, 8);
	mnl_attr_put_u32(nlh, ETHTOOL_A_CHANNELS_COMBINED_COUNT, combined);
	send_bytes(ours[1], buf, nlh->nlmsg_len);
}
