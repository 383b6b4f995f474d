// SPDX-License-Identifier: MIT
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "core/assess.h"
#include "core/findings.h"
#include "tests/fixture_snapshot.h"

#define BIT(c) (1u << (c))

struct env {
	struct mq_snapshot now, before;
	bool has_before;
	struct mq_config cfg;
	struct mq_section ifs[2];
};

/* 4 CPUs, eth0 virtio_net with 4 of 4 queues, IRQs one queue per CPU, XPS to match. */
static struct mq_nic *healthy(struct env *e, unsigned ncpus, unsigned active, unsigned max)
{
	struct mq_nic *n;
	int cpus[64];

	fx_init(&e->now, ncpus);
	n = fx_nic(&e->now, "eth0", "virtio_net", active, max);
	for (unsigned q = 0; q < 64; q++)
		cpus[q] = (int)(q % ncpus);
	fx_virtio_irqs(n, 24, cpus);
	fx_xps_from_irqs(n);
	return n;
}

/* A second sample 1 s later with rx packets per queue added. */
static void traffic(struct env *e, const uint64_t *rx_per_queue)
{
	struct mq_nic *n;

	fx_copy(&e->before, &e->now);
	e->has_before = true;
	e->now.taken.tv_sec += 1;
	n = &e->now.nics[0];
	for (unsigned q = 0; q < n->nqueues; q++) {
		n->queues[q].rx_packets += rx_per_queue[q];
		n->queues[q].rx_bytes += rx_per_queue[q] * 1000;
	}
}

static void b_healthy(struct env *e) { healthy(e, 4, 4, 4); }
static void b_below(struct env *e) { healthy(e, 4, 1, 4); }
static void b_fewer(struct env *e) { healthy(e, 2, 1, 1); }
static void b_fewer_slightly(struct env *e) { healthy(e, 4, 3, 3); }

static void b_fewer_aws(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 8);
	snprintf(e->now.platform.cloud, sizeof(e->now.platform.cloud), "aws");
	n = fx_nic(&e->now, "ens5", "ena", 4, 4);
	for (unsigned q = 0; q < 4; q++) {
		char name[32];

		snprintf(name, sizeof(name), "ens5-Tx-Rx-%u", q);
		fx_irq(n, 30 + q, name, IRQ_ROLE_RXTX, (int)q, (int)q);
	}
	fx_xps_from_irqs(n);
}

/* Default affinity 0-3 on every IRQ, and all land on CPU 0. */
static void b_stacked(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	for (unsigned i = 0; i < n->nirqs; i++) {
		n->irqs[i].effective = fx_cpu(&n->sets, 0);
		n->irqs[i].affinity = fx_set(&n->sets, "0-3");
	}
	fx_xps_from_irqs(n);
}

/*
 * Right after --apply: requested one CPU per queue, effective still the old
 * CPU 0 (x86 moves an MSI at its next interrupt). Not stacked, XPS not wrong.
 */
static void b_move_pending(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	for (unsigned i = 0; i < n->nirqs; i++)
		n->irqs[i].effective = fx_cpu(&n->sets, 0);
}

static void b_stacked_managed(struct env *e)
{
	b_stacked(e);
	for (unsigned i = 0; i < e->now.nics[0].nirqs; i++)
		e->now.nics[0].irqs[i].managed = true;
}

/* Two queues on CPU 0 but every usable CPU has one: 6 queues on 4 CPUs is not stacking. */
static void b_more_queues_than_cpus(struct env *e) { healthy(e, 4, 6, 8); }

static void b_unknown_placement(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	/* Default affinity 0-3, no effective_affinity_list: where it lands is unknown. */
	for (unsigned i = 0; i < n->nirqs; i++) {
		n->irqs[i].has_effective = false;
		n->irqs[i].affinity = fx_set(&n->sets, "0-3");
	}
}

static void b_shared(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 4);
	n = fx_nic(&e->now, "eth0", "virtio_net", 4, 4);
	fx_irq(n, 24, "virtio0-config", IRQ_ROLE_CONFIG, -1, 0);
	fx_irq(n, 25, "virtio0-virtqueues", IRQ_ROLE_SHARED, -1, 0);
	n->irq_shared = true;
	for (unsigned q = 0; q < 4; q++) {
		n->queues[q].irq_rx = n->queues[q].irq_tx = 1;
		n->queues[q].xps = fx_with(&n->sets, n->queues[q].xps, q, true);
	}
}

static void b_imbalance(struct env *e)
{
	healthy(e, 4, 4, 4);
	traffic(e, (uint64_t[]){97000, 1000, 1000, 1000});
}

static void b_imbalance_mild(struct env *e)
{
	healthy(e, 4, 4, 4);
	traffic(e, (uint64_t[]){7000, 1000, 1000, 1000});
}

static void b_idle(struct env *e)
{
	healthy(e, 4, 4, 4);
	traffic(e, (uint64_t[]){500, 0, 0, 0});
}

static void b_balanced(struct env *e)
{
	healthy(e, 4, 4, 4);
	traffic(e, (uint64_t[]){25000, 24000, 26000, 25000});
}

static void b_two_queues_70(struct env *e)
{
	healthy(e, 2, 2, 2);
	traffic(e, (uint64_t[]){70000, 30000});
}

static void b_counter_reset(struct env *e)
{
	healthy(e, 4, 4, 4);
	for (unsigned q = 0; q < 4; q++)
		e->now.nics[0].queues[q].rx_packets = 1000000;
	traffic(e, (uint64_t[]){0, 0, 0, 0});
	/* q0 went backwards (driver reset): no delta, not "all traffic on q1". */
	e->now.nics[0].queues[0].rx_packets = 5;
	e->now.nics[0].queues[1].rx_packets += 500000;
	e->now.nics[0].queues[2].rx_packets += 400000;
	e->now.nics[0].queues[3].rx_packets += 400000;
}

static void b_no_counters(struct env *e)
{
	healthy(e, 4, 4, 4);
	fx_no_counters(&e->now.nics[0]);
	fx_copy(&e->before, &e->now);
	e->has_before = true;
	e->now.taken.tv_sec += 1;
}

static void b_irqbalance(struct env *e)
{
	healthy(e, 4, 4, 4);
	e->now.platform.irqbalance_pid = 812;
}

static void b_xdp(struct env *e)
{
	healthy(e, 4, 1, 4);
	e->now.nics[0].xdp = true;
}

static void b_xdp_at_target(struct env *e)
{
	healthy(e, 4, 4, 4);
	e->now.nics[0].xdp = true;
}

static void b_xps_empty(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	for (unsigned q = 0; q < 4; q++)
		n->queues[q].xps = NULL;
}

static void b_xps_wrong(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	n->queues[2].xps = fx_cpu(&n->sets, 3);
}

/* More CPUs than queues: XPS may list extra CPUs besides the IRQ's. */
static void b_xps_superset(struct env *e)
{
	struct mq_nic *n = healthy(e, 8, 4, 4);

	n->real_tx_queues = 4;
	for (unsigned q = 0; q < 4; q++)
		n->queues[q].xps = fx_with(&n->sets, n->queues[q].xps, q + 4, true);
}

static void b_unknown_channels(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
}

static void b_unknown_channels_msg(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 1, 4);

	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EINVAL};
	snprintf(n->ch.errmsg, sizeof(n->ch.errmsg), "odd reply from \"driver\"");
}

static void b_isolated(struct env *e)
{
	healthy(e, 4, 2, 4);
	e->now.cpus.isolated = fx_set(&e->now.cpus.sets, "2");
	e->now.cpus.nohz_full = fx_set(&e->now.cpus.sets, "3");
}

static void b_banned(struct env *e)
{
	healthy(e, 4, 2, 4);
	cpuset_parse_list("2-3", cpuset_buf(&e->cfg.banned_cpus));
}

static void b_offline(struct env *e)
{
	healthy(e, 4, 2, 4);
	fx_cpu_offline(&e->now, 2);
	fx_cpu_offline(&e->now, 3);
}

static void b_excluded(struct env *e)
{
	healthy(e, 4, 1, 4);
	e->ifs[0] = (struct mq_section){.match = MATCH_NAME, .pattern = "eth0", .keys = MQ_KEY_EXCLUDE,
					.v.exclude = true};
	e->cfg.sections = e->ifs;
	e->cfg.nsections = 1;
}

/* [eth0] matches, [eth9] and [driver=e1000] do not: each of those is a finding. */
static void b_unmatched(struct env *e)
{
	healthy(e, 4, 4, 4);
	snprintf(e->cfg.path, sizeof(e->cfg.path), "/etc/mqbalance.conf");
	e->ifs[0] = (struct mq_section){.match = MATCH_NAME, .pattern = "eth9", .line = 7};
	e->ifs[1] = (struct mq_section){.match = MATCH_DRIVER, .pattern = "virtio_net", .line = 9};
	e->cfg.sections = e->ifs;
	e->cfg.nsections = 2;
}

static void b_unmatched_driver(struct env *e)
{
	b_unmatched(e);
	snprintf(e->ifs[0].pattern, sizeof(e->ifs[0].pattern), "eth0");
	snprintf(e->ifs[1].pattern, sizeof(e->ifs[1].pattern), "e1000");
}

static void b_queues_n(struct env *e)
{
	healthy(e, 4, 2, 4);
	e->cfg.defaults.queues_mode = QUEUES_N;
	e->cfg.defaults.queues = 2;
}

static void b_queues_n_below(struct env *e)
{
	b_queues_n(e);
	e->now.nics[0].ch.combined = 1;
}

static void b_veth(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 4);
	n = fx_nic(&e->now, "veth0", "veth", 1, 1);
	n->has_device = false;
	snprintf(n->kind, sizeof(n->kind), "veth");
}

static void b_gve(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 32);
	n = fx_nic(&e->now, "ens4", "gve", 16, 16);
	n->ch = (struct mq_channels){.source = CHANNELS_NETLINK, .rx = 16, .tx = 16, .rx_max = 16, .tx_max = 16};
	for (unsigned q = 0; q < 16; q++) {
		char name[48];

		snprintf(name, sizeof(name), "gve-ntfy-blk%u@pci:0000:00:04.0", q);
		fx_irq(n, 40 + q, name, IRQ_ROLE_RXTX, (int)q, (int)q);
	}
	fx_xps_from_irqs(n);
}

static void b_gve8(struct env *e)
{
	b_gve(e);
	e->now.nics[0].ch.rx_max = e->now.nics[0].ch.tx_max = 8;
	e->now.nics[0].ch.rx = e->now.nics[0].ch.tx = 8;
}

static void b_gve_rx_below(struct env *e)
{
	b_gve(e);
	e->now.nics[0].ch.rx = 4;
}

static void b_loopback(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 4);
	n = fx_nic(&e->now, "lo", "", 1, 1);
	n->has_device = false;
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
}

static void b_unknown_channels_same_words(struct env *e)
{
	struct mq_nic *n = healthy(e, 4, 4, 4);

	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	snprintf(n->ch.errmsg, sizeof(n->ch.errmsg), "%s", strerror(EOPNOTSUPP));
}

/* A veth: 4 TX queues, XPS empty, no IRQs: nothing for XPS to follow. */
static void b_veth_xps(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 4);
	n = fx_nic(&e->now, "veth0", "veth", 4, 4);
	n->has_device = false;
	snprintf(n->kind, sizeof(n->kind), "veth");
}

static void b_e1000(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->now, 4);
	snprintf(e->now.platform.hypervisor, sizeof(e->now.platform.hypervisor), "kvm");
	n = fx_nic(&e->now, "ens5", "e1000", 1, 1);
	n->ch = (struct mq_channels){.source = CHANNELS_NONE, .err = -EOPNOTSUPP};
	fx_irq(n, 11, "ens5", IRQ_ROLE_RXTX, 0, 0);
}

static void b_azure(struct env *e)
{
	healthy(e, 8, 4, 4);
	snprintf(e->now.nics[0].driver, sizeof(e->now.nics[0].driver), "hv_netvsc");
	snprintf(e->now.platform.cloud, sizeof(e->now.platform.cloud), "azure");
}

static const struct fcase {
	const char *name;
	void (*build)(struct env *e);
	unsigned expect;                 /* exactly these codes */
	enum finding_code check;         /* and this one (if in expect) has: */
	enum finding_severity severity;
	const char *msg, *fix;           /* substrings, NULL = any */
} cases[] = {
	{"healthy", b_healthy, 0},
	{"below target", b_below, BIT(FIND_CHANNELS_BELOW_TARGET), FIND_CHANNELS_BELOW_TARGET,
	 SEV_WARNING, "eth0 uses 1 of 4 queues; target 4 (4 vCPUs usable)", "mqbalance --apply"},
	{"device fewer queues", b_fewer, BIT(FIND_DEVICE_FEWER_QUEUES), FIND_DEVICE_FEWER_QUEUES,
	 SEV_WARNING, "at most 1 queue", "-netdev tap,queues=2 -device virtio-net-pci,mq=on,vectors=6"},
	{"device slightly fewer", b_fewer_slightly, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_XPS_MISMATCH),
	 FIND_DEVICE_FEWER_QUEUES, SEV_INFO, "3 queues", "iface_queues"},
	{"aws fewer", b_fewer_aws, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_XPS_MISMATCH), FIND_DEVICE_FEWER_QUEUES,
	 SEV_WARNING, "8 vCPUs usable", "larger instance type"},
	{"stacked", b_stacked, BIT(FIND_IRQS_STACKED) | BIT(FIND_XPS_MISMATCH), FIND_IRQS_STACKED,
	 SEV_WARNING, "IRQs of 4 queues land on CPU 0 while usable CPUs 1-3 have none", "--apply"},
	{"stacked managed", b_stacked_managed, BIT(FIND_IRQS_STACKED) | BIT(FIND_XPS_MISMATCH),
	 FIND_IRQS_STACKED, SEV_INFO, NULL, "kernel-managed"},
	{"move pending after apply", b_move_pending, 0},
	{"6 queues on 4 cpus", b_more_queues_than_cpus, BIT(FIND_CHANNELS_ABOVE_TARGET),
	 FIND_CHANNELS_ABOVE_TARGET, SEV_INFO, "eth0 uses 6 of 8 queues; target 4", "sets 4 channels"},
	{"placement unknown", b_unknown_placement, BIT(FIND_IRQS_PENDING), FIND_IRQS_PENDING, SEV_INFO,
	 "8 queue IRQs are not on the CPU the plan gives them", "mqbalance --apply"},
	{"shared vector", b_shared, BIT(FIND_IRQ_SHARED_VECTOR), FIND_IRQ_SHARED_VECTOR, SEV_WARNING,
	 "IRQ 25 virtio0-virtqueues", "vectors=10"},
	{"rx imbalance", b_imbalance, BIT(FIND_RX_IMBALANCE), FIND_RX_IMBALANCE, SEV_WARNING,
	 "rx-0 carries 97% of 100000 RX packets/s", "ethtool -x eth0"},
	{"rx imbalance mild", b_imbalance_mild, BIT(FIND_RX_IMBALANCE), FIND_RX_IMBALANCE, SEV_INFO,
	 "70%", NULL},
	{"idle", b_idle, 0},
	{"balanced", b_balanced, 0},
	{"two queues 70/30", b_two_queues_70, 0},
	{"counter reset", b_counter_reset, 0},
	{"no per-queue counters", b_no_counters, 0},
	/* more irqbalance cases: tests/test_findings_irqbalance.c */
	{"irqbalance", b_irqbalance, BIT(FIND_IRQBALANCE_RUNNING), FIND_IRQBALANCE_RUNNING, SEV_WARNING,
	 "(pid 812) runs without mqbalance's policy script: every 10 s it may move the 8 queue IRQs",
	 "mqbalance.conf (`make install`), then `systemctl daemon-reload && systemctl restart irqbalance`"},
	{"xdp below target", b_xdp, BIT(FIND_XDP_BLOCKS_CHANNELS),
	 FIND_XDP_BLOCKS_CHANNELS, SEV_INFO, "virtio_net refuses channel changes", "xdp off"},
	{"xdp at target", b_xdp_at_target, 0},
	{"xps empty", b_xps_empty, BIT(FIND_XPS_MISMATCH), FIND_XPS_MISMATCH, SEV_INFO,
	 "empty on all 4 TX queues", "xps = yes"},
	{"xps wrong", b_xps_wrong, BIT(FIND_XPS_MISMATCH), FIND_XPS_MISMATCH, SEV_INFO, "tx-2", NULL},
	{"xps superset", b_xps_superset, BIT(FIND_DEVICE_FEWER_QUEUES), FIND_DEVICE_FEWER_QUEUES,
	 SEV_WARNING, NULL, NULL},
	{"channels unknown", b_unknown_channels, BIT(FIND_CHANNELS_UNKNOWN), FIND_CHANNELS_UNKNOWN,
	 SEV_INFO, "Operation not supported", "no channel control"},
	{"channels unknown, kernel words", b_unknown_channels_msg, BIT(FIND_CHANNELS_UNKNOWN),
	 FIND_CHANNELS_UNKNOWN, SEV_INFO, "odd reply from \"driver\"", "ethtool -l eth0"},
	{"isolated + nohz_full", b_isolated, 0},
	{"banned", b_banned, 0},
	{"offline", b_offline, 0},
	{"excluded", b_excluded, 0},
	{"section for no interface", b_unmatched, BIT(FIND_CONFIG_UNMATCHED), FIND_CONFIG_UNMATCHED, SEV_INFO,
	 "section [eth9] (/etc/mqbalance.conf:7) matches no interface on this machine", "ethtool -i"},
	{"driver section for no interface", b_unmatched_driver, BIT(FIND_CONFIG_UNMATCHED),
	 FIND_CONFIG_UNMATCHED, SEV_INFO, "section [driver=e1000] (/etc/mqbalance.conf:9)", NULL},
	/* 2 queues on 4 CPUs: XPS gives CPUs 2 and 3 to the queues too */
	{"queues = 2", b_queues_n, BIT(FIND_XPS_MISMATCH), FIND_XPS_MISMATCH, SEV_INFO, "tx-0", NULL},
	{"queues = 2, below", b_queues_n_below, BIT(FIND_CHANNELS_BELOW_TARGET) | BIT(FIND_XPS_MISMATCH),
	 FIND_CHANNELS_BELOW_TARGET, SEV_WARNING, "uses 1 of 4", "sets 2 channels"},
	{"veth", b_veth, 0},
	{"veth xps empty", b_veth_xps, BIT(FIND_XPS_MISMATCH), FIND_XPS_MISMATCH, SEV_INFO,
	 "empty on all 4 TX queues", "mqbalance --apply"},
	{"e1000", b_e1000, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_CHANNELS_UNKNOWN),
	 FIND_DEVICE_FEWER_QUEUES, SEV_WARNING, "at most 1 queue (allocated)",
	 "e1000 is a single-queue NIC model"},
	{"azure", b_azure, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_XPS_MISMATCH), FIND_DEVICE_FEWER_QUEUES, SEV_WARNING,
	 NULL, "resize the VM"},
	{"loopback", b_loopback, 0},
	{"channels unknown, strerror words", b_unknown_channels_same_words, BIT(FIND_CHANNELS_UNKNOWN),
	 FIND_CHANNELS_UNKNOWN, SEV_INFO, "unknown: Operation not supported", NULL},
	{"gve rx/tx channels", b_gve, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_XPS_MISMATCH), FIND_DEVICE_FEWER_QUEUES,
	 SEV_INFO, "at most 16 queues", "none: GCE gVNIC allows at most 16"},
	{"gve 8 of 8", b_gve8, BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_XPS_MISMATCH), FIND_DEVICE_FEWER_QUEUES,
	 SEV_WARNING, "at most 8 queues", "queue-count=16"},
	{"gve rx below", b_gve_rx_below,
	 BIT(FIND_DEVICE_FEWER_QUEUES) | BIT(FIND_CHANNELS_BELOW_TARGET) | BIT(FIND_XPS_MISMATCH),
	 FIND_CHANNELS_BELOW_TARGET, SEV_WARNING, "uses rx 4, tx 16 of 16 channels; target 16", NULL},
};

static void run_case(const struct fcase *c)
{
	struct env e;
	struct mq_assessment a;
	struct mq_finding *f;
	unsigned n, got = 0;
	bool checked = false;

	memset(&e, 0, sizeof(e));
	fx_config(&e.cfg);
	c->build(&e);
	assert_int_equal(assess(&e.now, e.has_before ? &e.before : NULL, &e.cfg, &a), 0);
	f = a.findings;
	n = a.nfindings;
	for (unsigned i = 0; i < n; i++) {
		if (getenv("MQ_TEST_VERBOSE"))
			print_message("  %s: [%s] %s %s | fix: %s\n", c->name, severity_to_string(f[i].severity),
				      finding_code_to_string(f[i].code), f[i].message, f[i].fix);
		assert_true(f[i].message[0] && f[i].fix[0]);
		/* Not cut off by the fixed-size fields. */
		assert_true(strlen(f[i].message) < sizeof(f[i].message) - 1);
		assert_true(strlen(f[i].fix) < sizeof(f[i].fix) - 1);
		got |= BIT(f[i].code);
		if (f[i].code != c->check || !c->expect)
			continue;
		checked = true;
		assert_int_equal(f[i].severity, c->severity);
		if (c->msg && !strstr(f[i].message, c->msg))
			fail_msg("%s: message \"%s\" lacks \"%s\"", c->name, f[i].message, c->msg);
		if (c->fix && !strstr(f[i].fix, c->fix))
			fail_msg("%s: fix \"%s\" lacks \"%s\"", c->name, f[i].fix, c->fix);
		if (c->check == FIND_IRQBALANCE_RUNNING || c->check == FIND_CONFIG_UNMATCHED)
			assert_string_equal(f[i].ifname, "");
		else
			assert_string_equal(f[i].ifname, e.now.nics[0].name);
		if (c->check == FIND_CONFIG_UNMATCHED)
			assert_int_equal(f[i].fix_kind, FIX_ADMIN);
	}
	if (got != c->expect)
		fail_msg("%s: got findings 0x%x, want 0x%x", c->name, got, c->expect);
	assert_true(checked || !c->expect);
	assessment_free(&a);
	fx_free(&e.now);
	if (e.has_before)
		fx_free(&e.before);
}

static void test_cases(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
}

static void test_usable(void **state)
{
	struct mq_snapshot s;
	struct mq_config cfg;
	CPUSET_DEFINE(u);
	char buf[64];
	(void)state;

	fx_init(&s, 8);
	fx_config(&cfg);
	fx_cpu_offline(&s, 7);
	cpuset_parse_list("1", cpuset_buf(&cfg.banned_cpus));
	s.cpus.isolated = fx_set(&s.cpus.sets, "2-3");
	s.cpus.nohz_full = fx_set(&s.cpus.sets, "4");
	cpus_usable(&s.cpus, &cfg, u);
	cpuset_format_list(u, buf, sizeof(buf));
	assert_string_equal(buf, "0,5-6");
	cpus_usable(&s.cpus, NULL, u);
	cpuset_format_list(u, buf, sizeof(buf));
	assert_string_equal(buf, "0-1,5-6");

	/* Everything excluded: fall back rather than leave NICs nowhere to interrupt. */
	s.cpus.isolated = fx_set(&s.cpus.sets, "0-6");
	cpus_usable(&s.cpus, &cfg, u);
	cpuset_format_list(u, buf, sizeof(buf));
	assert_string_equal(buf, "0,2-6");
	cpuset_parse_list("0-7", cpuset_buf(&cfg.banned_cpus));
	cpus_usable(&s.cpus, &cfg, u);
	cpuset_format_list(u, buf, sizeof(buf));
	assert_string_equal(buf, "0-6");
	fx_free(&s);
}

static void test_strings(void **state)
{
	(void)state;
	for (int c = 0; c < _FIND_CODE_MAX; c++) {
		const char *s = finding_code_to_string((enum finding_code)c);

		assert_string_not_equal(s, "invalid");
		for (const char *p = s; *p; p++)
			assert_true((*p >= 'a' && *p <= 'z') || *p == '_');
	}
	assert_string_equal(finding_code_to_string(_FIND_CODE_MAX), "invalid");
	assert_string_equal(severity_to_string(SEV_WARNING), "warning");
	assert_string_equal(severity_to_string((enum finding_severity)-1), "invalid");
}

static void test_no_nics(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	(void)state;

	fx_init(&s, 1);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(a.nfindings, 0);
	assessment_free(&a);
	assert_int_equal(assess(NULL, NULL, NULL, &a), -EINVAL);
	fx_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cases),
		cmocka_unit_test(test_usable),
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_no_nics),
	};

	return cmocka_run_group_tests_name("findings", tests, NULL, NULL);
}
