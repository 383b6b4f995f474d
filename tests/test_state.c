// SPDX-License-Identifier: MIT
/* The way back: record before an apply, the text form both ways, the revert plan. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/state_file.h"
#include "output/state.h"
#include "tests/snapbuild.h"

/* Reads of the state file itself fail with these errnos, one per read, while any are left. */
static int read_faults[4];
static unsigned nread_faults;

ssize_t __real_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len);
ssize_t __wrap_read(int fd, void *buf, size_t len)
{
	char link[64], target[4096];
	ssize_t n;

	if (nread_faults) {
		snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
		n = readlink(link, target, sizeof(target) - 1);
		if (n > 6 && memcmp(target + n - 6, "/state", 6) == 0) {
			int e = read_faults[0];

			memmove(read_faults, read_faults + 1, --nread_faults * sizeof(read_faults[0]));
			if (e < 0) /* a short read */
				return __real_read(fd, buf, len < 5 ? len : 5);
			errno = e ? e : EAGAIN; /* 0: end of file (it shrank), errno left stale */
			return e ? -1 : 0;
		}
	}
	return __real_read(fd, buf, len);
}

static char *render(const struct mq_state *st, size_t *ret_len)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	assert_non_null(f);
	assert_int_equal(state_render(f, st), 0);
	assert_int_equal(fclose(f), 0);
	*ret_len = len;
	return buf;
}

/* 4 CPUs; eth0 virtio 1 of 4 with its IRQs on CPU 0, XPS and RPS set by hand; eth1 an e1000. */
static void machine(struct mq_snapshot *s)
{
	snap_init(s, 4, 1, 1);
	add_nic(s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 1, -1});
	add_nic(s, "eth1", &(struct nic_spec){ST_SINGLE, 0, 0, -1});
	s->nics[0].queues[0].xps = fx_set(&s->nics[0].sets, "0-3");
	s->nics[0].queues[0].rps = fx_set(&s->nics[0].sets, "1");
	s->nics[0].irqs[0].affinity = fx_set(&s->nics[0].sets, "0-3");
	s->nics[1].irqs[0].affinity = fx_set(&s->nics[1].sets, "1");
}

static void test_record_render_parse(void **state)
{
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_state st = {0}, back;
	char *text, err[128];
	size_t len;
	(void)state;

	machine(&s);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	snprintf(st.boot_id, sizeof(st.boot_id), "0b7c3f1e-aa");
	assert_int_equal(state_record(&st, &s, &a.plan, 1764470000), 2);
	/* a second apply records nothing new: the first values stay */
	assert_int_equal(state_record(&st, &s, &a.plan, 1764470999), 0);
	assert_int_equal(st.nics[0].since, 1764470000);
	text = render(&st, &len);
	assert_non_null(strstr(text, "mqbalance-state 1\nboot 0b7c3f1e-aa\nnic eth0 2 1764470000\n"
				     "channels eth0 0 0 0 1\nirq eth0 24 0-3\nirq eth0 25 0\n"));
	assert_non_null(strstr(text, "xps eth0 0 0-3\nrps eth0 0 1\n"));
	snprintf(err, sizeof(err), "nic eth1 3 1764470000\nirq eth1 %u 1\n", s.nics[1].irqs[0].irq);
	assert_non_null(strstr(text, err));
	assert_null(strstr(text, "channels eth1")); /* no channel control: nothing to put back */
	assert_int_equal(state_parse(text, len, &back, err, sizeof(err)), 0);
	assert_string_equal(back.boot_id, "0b7c3f1e-aa");
	assert_int_equal(back.n, 2);
	assert_int_equal(back.nics[0].nirqs, st.nics[0].nirqs);
	assert_true(cpuset_equal(back.nics[0].irqs[0].cpus, st.nics[0].irqs[0].cpus));
	assert_true(back.nics[0].queues[0].has_rps && cpuset_count(back.nics[0].queues[0].rps) == 1);
	assert_true(back.nics[0].queues[0].has_xps && cpuset_count(back.nics[0].queues[0].xps) == 4);
	assert_int_equal(back.nics[0].channels.combined, 1);
	free(text);
	/* forgetting a NIC */
	assert_true(state_forget(&back, "eth0"));
	assert_false(state_forget(&back, "eth0"));
	assert_int_equal(back.n, 1);
	assert_string_equal(back.nics[0].ifname, "eth1");
	state_free(&back);
	state_free(&st);
	assessment_free(&a);
	snap_free(&s);
}

/* Tune, then revert: every recorded value is back, checked field by field. */
static void test_revert_plan_restores(void **state)
{
	struct mq_snapshot s, orig;
	struct mq_assessment a;
	struct mq_state st = {0};
	struct mq_plan rp;
	(void)state;

	machine(&s);
	machine(&orig);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(state_record(&st, &s, &a.plan, 1), 2);
	simulate_apply(&s, &a.plan);
	assessment_free(&a);
	assert_int_equal(s.nics[0].ch.combined, 4);

	/* only eth1 named: eth0 stays tuned */
	assert_int_equal(state_revert_plan(&st, &s, (const char *[]){"eth1"}, 1, &rp), 0);
	assert_true(rp.n > 0);
	for (unsigned i = 0; i < rp.n; i++) {
		assert_string_equal(rp.items[i].ifname, "eth1");
		assert_int_not_equal(rp.items[i].kind, PLAN_CHANNELS); /* none recorded for it */
	}
	plan_free(&rp);
	/* XPS recorded, RPS not: an XPS step only; XPS not readable now: no step for it either */
	st.nics[0].queues[0].has_rps = false;
	assert_int_equal(state_revert_plan(&st, &s, (const char *[]){"eth0"}, 1, &rp), 0);
	{
		unsigned xps = 0, rps = 0;

		for (unsigned i = 0; i < rp.n; i++) {
			xps += rp.items[i].kind == PLAN_XPS && rp.items[i].queue == 0;
			rps += rp.items[i].kind == PLAN_RPS;
		}
		assert_int_equal(xps, 1);
		assert_int_equal(rps, 0);
	}
	plan_free(&rp);
	s.nics[0].queues[0].has_xps = false;
	assert_int_equal(state_revert_plan(&st, &s, (const char *[]){"eth0"}, 1, &rp), 0);
	for (unsigned i = 0; i < rp.n; i++)
		assert_true(rp.items[i].kind != PLAN_XPS && rp.items[i].kind != PLAN_RPS);
	plan_free(&rp);
	s.nics[0].queues[0].has_xps = true;
	st.nics[0].queues[0].has_rps = true;
	/* channels recorded, but not readable now: nothing to compare, no step */
	s.nics[0].ch.source = CHANNELS_NONE;
	assert_int_equal(state_revert_plan(&st, &s, (const char *[]){"eth0"}, 1, &rp), 0);
	for (unsigned i = 0; i < rp.n; i++)
		assert_int_not_equal(rp.items[i].kind, PLAN_CHANNELS);
	plan_free(&rp);
	s.nics[0].ch.source = CHANNELS_NETLINK;

	assert_int_equal(state_revert_plan(&st, &s, NULL, 0, &rp), 0);
	assert_true(plan_changes(&rp) > 0);
	simulate_apply(&s, &rp);
	plan_free(&rp);
	assert_int_equal(s.nics[0].ch.combined, 1);
	assert_int_equal(s.nics[0].nqueues, 1);
	for (unsigned i = 0; i < s.nics[0].nirqs; i++)
		assert_true(cpuset_equal(s.nics[0].irqs[i].affinity, orig.nics[0].irqs[i].affinity));
	/* XPS/RPS of queue 0 existed throughout: back too (simulate_apply recreated the queues) */
	assert_int_equal(state_revert_plan(&st, &s, NULL, 0, &rp), 0);
	simulate_apply(&s, &rp);
	plan_free(&rp);
	assert_true(cpuset_equal(s.nics[0].queues[0].xps, orig.nics[0].queues[0].xps));
	assert_true(cpuset_equal(s.nics[0].queues[0].rps, orig.nics[0].queues[0].rps));
	/* and now the revert plan has nothing left to do */
	assert_int_equal(state_revert_plan(&st, &s, NULL, 0, &rp), 0);
	assert_int_equal(plan_changes(&rp), 0);
	plan_free(&rp);
	state_free(&st);
	snap_free(&s);
	snap_free(&orig);
}


static const struct plan_item *rss_item(const struct mq_plan *p)
{
	for (unsigned i = 0; i < p->n; i++)
		if (p->items[i].kind == PLAN_RSS)
			return &p->items[i];
	return NULL;
}

/*
 * The RSS table: a hand-set one is recorded entry by entry and written back
 * once it fits the active queues (the default first, while it does not); a
 * default one is recorded as "default" and reset to.
 */
static void test_rss_record_revert(void **state)
{
	static const uint32_t two[8] = {0, 1, 0, 1, 0, 1, 0, 1};
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_state st = {0}, back;
	const struct plan_item *it;
	struct mq_plan rp;
	char *text, err[128];
	size_t len;
	(void)state;

	snap_init(&s, 4, 1, 1);
	add_nic(&s, "eth0", &(struct nic_spec){ST_VIRTIO, 4, 4, -1});
	nic_rss(&s.nics[0], 8, 2); /* ethtool -X eth0 equal 2 on 4 queues */
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_true(rss_item(&a.plan) && rss_item(&a.plan)->change);
	assert_int_equal(state_record(&st, &s, &a.plan, 1), 1);
	assessment_free(&a);
	text = render(&st, &len);
	assert_non_null(strstr(text, "\nrss eth0 0 1 0 1 0 1 0 1\n"));
	assert_int_equal(state_parse(text, len, &back, err, sizeof(err)), 0);
	free(text);
	assert_true(back.nics[0].has_rss);
	assert_int_equal(back.nics[0].rss_n, 8);
	assert_memory_equal(back.nics[0].rss, two, sizeof(two));

	/* tuned: the default spread over 4 queues; the revert writes the entries back */
	nic_rss(&s.nics[0], 8, 4);
	assert_int_equal(state_revert_plan(&back, &s, NULL, 0, &rp), 0);
	it = rss_item(&rp);
	assert_non_null(it);
	assert_true(it->change && it->rss.restore);
	plan_free(&rp);
	/* one active queue: the entries do not fit yet, the default first */
	s.nics[0].real_rx_queues = 1;
	nic_rss(&s.nics[0], 8, 1);
	assert_int_equal(state_revert_plan(&back, &s, NULL, 0, &rp), 0);
	it = rss_item(&rp);
	assert_true(it && !it->rss.restore && !it->change); /* already the default over 1 */
	plan_free(&rp);
	s.nics[0].real_rx_queues = 4;
	/* back as recorded: nothing to do */
	nic_rss(&s.nics[0], 8, 2);
	assert_int_equal(state_revert_plan(&back, &s, NULL, 0, &rp), 0);
	assert_false(rss_item(&rp)->change);
	plan_free(&rp);
	state_free(&back);
	state_free(&st);

	/* a default table is recorded as such, and reset to */
	nic_rss(&s.nics[0], 8, 4);
	s.nics[0].ch.combined = 1; /* something else to change */
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(state_record(&st, &s, &a.plan, 1), 1);
	assessment_free(&a);
	text = render(&st, &len);
	assert_non_null(strstr(text, "\nrss eth0 default\n"));
	free(text);
	nic_rss(&s.nics[0], 8, 3);
	assert_int_equal(state_revert_plan(&st, &s, NULL, 0, &rp), 0);
	it = rss_item(&rp);
	assert_true(it && it->change && !it->rss.restore);
	plan_free(&rp);
	state_free(&st);
	snap_free(&s);
}

static void test_parse_errors(void **state)
{
	static const struct {
		const char *text, *err;
	} bad[] = {
		{"", "empty file"},
		{"mqbalance-state 2\n", "line 1: not a mqbalance state file"},
		{"mqbalance-state 1\nirq eth0 3 1\n", "line 2: eth0: no 'nic' line before it"},
		{"mqbalance-state 1\nnic eth0 2\n", "line 2: expected 'nic NAME IFINDEX SINCE'"},
		{"mqbalance-state 1\nnic eth0 2 1\nnic eth0 2 1\n", "line 3: eth0 recorded twice"},
		{"mqbalance-state 1\nnic eth0 2 1\nrss eth0\n", "line 3: expected 'rss NAME default' or"},
		{"mqbalance-state 1\nnic eth0 2 1\nrss eth0 0 x\n", "line 3: expected 'rss NAME default' or"},
		{"mqbalance-state 1\nnic eth0 2 1\nrss eth0 70000\n", "line 3: expected 'rss NAME default' or"},
		{"mqbalance-state 1\nnic eth0 2 1\nrss eth0 default\nrss eth0 0\n", "line 4: eth0: rss recorded twice"},
		{"mqbalance-state 1\nnic eth0 2 1\nirq eth0 3 99999\n", "line 3: expected 'irq NAME IRQ CPUS'"},
		{"mqbalance-state 1\nnic eth0 2 1\nchannels eth0 1 1 1 99999999999\n",
		 "line 3: expected 'channels NAME RX TX OTHER COMBINED'"},
		{"mqbalance-state 1\nnic a/b 2 1\n", "line 2: bad interface name"},
		{"mqbalance-state 1\nnic 0123456789abcdef 2 1\n", "line 2: bad interface name"},
		{"mqbalance-state 1\nfrob eth0\n", "line 2: unknown record 'frob'"},
		{"mqbalance-state 1\nnic eth0 2 18446744073709551616\n", "line 2: expected"},
	};
	struct mq_state st;
	char err[128];
	(void)state;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_not_equal(state_parse(bad[i].text, strlen(bad[i].text), &st, err, sizeof(err)), 0);
		if (strncmp(err, bad[i].err, strlen(bad[i].err)) != 0)
			fail_msg("%zu: '%s', want '%s'", i, err, bad[i].err);
	}
	/* a NUL byte, a line past the limit */
	assert_int_equal(state_parse("mqbalance-state 1\nboot a\0b\n", 26, &st, err, sizeof(err)), -EINVAL);
	assert_string_equal(err, "line 2: NUL byte");
	{
		size_t n = 40000;
		char *big = malloc(n);

		assert_non_null(big);
		memcpy(big, "mqbalance-state 1\n", 18);
		memset(big + 18, 'x', n - 18);
		assert_int_equal(state_parse(big, n, &st, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "line 2: line longer than"));
		free(big);
	}
	/* comments and a missing final newline are fine */
	{
		const char *ok = "mqbalance-state 1\n# x\nnic eth0 2 1";

		assert_int_equal(state_parse(ok, strlen(ok), &st, err, sizeof(err)), 0);
	}
	assert_int_equal(st.n, 1);
	state_free(&st);
	/* A line of the longest length kept: a comment of MQ_CPULIST_MAX + 127 bytes; one more is not. */
	{
		size_t n = 18 + MQ_CPULIST_MAX + 127 + 1;
		char *big = malloc(n + 1), want[64];

		assert_non_null(big);
		memcpy(big, "mqbalance-state 1\n", 18);
		memset(big + 18, '#', n - 19);
		big[n - 1] = '\n';
		assert_int_equal(state_parse(big, n, &st, err, sizeof(err)), 0);
		state_free(&st);
		big[n - 1] = '#';
		big[n] = '\n';
		assert_int_equal(state_parse(big, n + 1, &st, err, sizeof(err)), -EINVAL);
		snprintf(want, sizeof(want), "line 2: line longer than %d bytes", MQ_CPULIST_MAX + 127);
		assert_string_equal(err, want); /* the longest it takes */
		free(big);
	}
}

/* Records of two NICs interleaved: each lands with the NIC it names. */
static void test_parse_interleaved(void **state)
{
	static const char text[] = "mqbalance-state 1\nnic eth0 2 1\nnic eth1 3 1\n"
				   "irq eth0 24 0-3\nchannels eth0 0 0 0 1\nxps eth0 0 1\nirq eth1 30 2\n";
	struct mq_state st;
	char err[128];
	(void)state;

	assert_int_equal(state_parse(text, sizeof(text) - 1, &st, err, sizeof(err)), 0);
	assert_int_equal(st.n, 2);
	assert_string_equal(st.nics[0].ifname, "eth0");
	assert_int_equal(st.nics[0].nirqs, 1);
	assert_int_equal(st.nics[0].irqs[0].irq, 24);
	assert_true(st.nics[0].has_channels && st.nics[0].channels.combined == 1);
	assert_int_equal(st.nics[0].nqueues, 1);
	assert_int_equal(st.nics[1].nirqs, 1);
	assert_int_equal(st.nics[1].irqs[0].irq, 30);
	assert_false(st.nics[1].has_channels);
	assert_int_equal(st.nics[1].nqueues, 0);
	state_free(&st);
}

/* No state file yet: an empty record, every field of it (its set pool too) safe to free. */
static void test_load_missing(void **state)
{
	char dir[] = "/tmp/mq-state.XXXXXX", *old = getenv("MQBALANCE_STATE_DIR");
	struct mq_state st;
	(void)state;

	assert_non_null(mkdtemp(dir));
	old = old ? strdup(old) : NULL;
	setenv("MQBALANCE_STATE_DIR", dir, 1);
	memset(&st, 0xa5, sizeof(st)); /* what a caller's stack may hold */
	assert_int_equal(state_file_load(&st, NULL, 0), 0);
	assert_int_equal(st.n, 0);
	assert_null(st.nics);
	assert_int_equal(st.sets.n, 0);
	state_free(&st); /* was a free() of the garbage pool */
	if (old)
		setenv("MQBALANCE_STATE_DIR", old, 1);
	else
		unsetenv("MQBALANCE_STATE_DIR");
	free(old);
	rmdir(dir);
}

/* A read of the state file interrupted by a signal is retried; a failing one is the error. */
static void test_load_read_faults(void **state)
{
	char dir[] = "/tmp/mq-state.XXXXXX", path[64], err[256], *old = getenv("MQBALANCE_STATE_DIR");
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_state st = {0}, back;
	(void)state;

	assert_non_null(mkdtemp(dir));
	old = old ? strdup(old) : NULL;
	setenv("MQBALANCE_STATE_DIR", dir, 1);
	assert_int_equal(state_file_load(&st, err, sizeof(err)), 0); /* none yet: this boot's id */
	machine(&s);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(state_record(&st, &s, &a.plan, 1), 2);
	assert_int_equal(state_file_save(&st, err, sizeof(err)), 0);

	read_faults[0] = EINTR;
	read_faults[1] = -1;
	read_faults[2] = EINTR;
	read_faults[3] = -1;
	nread_faults = 4;
	assert_int_equal(state_file_load(&back, err, sizeof(err)), 0);
	assert_int_equal(nread_faults, 0);
	assert_int_equal(back.n, 2);
	state_free(&back);

	read_faults[0] = EIO;
	nread_faults = 1;
	err[0] = '\0';
	assert_int_equal(state_file_load(&back, err, sizeof(err)), -EIO);
	snprintf(path, sizeof(path), "%s/state: %s", dir, strerror(EIO));
	assert_string_equal(err, path);

	/* shorter than fstat() said: what was read, here nothing */
	read_faults[0] = 0;
	nread_faults = 1;
	assert_int_equal(state_file_load(&back, err, sizeof(err)), -EINVAL);
	snprintf(path, sizeof(path), "%s/state: empty file", dir);
	assert_string_equal(err, path);

	nread_faults = 0;
	unlink(strcat(strcpy(path, dir), "/state"));
	rmdir(dir);
	if (old)
		setenv("MQBALANCE_STATE_DIR", old, 1);
	else
		unsetenv("MQBALANCE_STATE_DIR");
	free(old);
	state_free(&st);
	assessment_free(&a);
	snap_free(&s);
}

/* A state file that is no regular file, or larger than 8 MiB, is refused before it is read. */
static void test_load_not_usable(void **state)
{
	char dir[] = "/tmp/mq-state.XXXXXX", path[64], want[128], err[256];
	char *old = getenv("MQBALANCE_STATE_DIR");
	struct mq_state st;
	int fd;
	(void)state;

	assert_non_null(mkdtemp(dir));
	old = old ? strdup(old) : NULL;
	setenv("MQBALANCE_STATE_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(mkdir(path, 0755), 0);
	assert_int_equal(state_file_load(&st, err, sizeof(err)), -EINVAL);
	snprintf(want, sizeof(want), "%s: not a regular file", path);
	assert_string_equal(err, want);
	assert_int_equal(rmdir(path), 0);

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	assert_true(fd >= 0);
	assert_int_equal(ftruncate(fd, 8 << 20), 0); /* sparse: no 8 MiB written */
	assert_int_equal(state_file_load(&st, err, sizeof(err)), -EINVAL); /* read: the parser refuses */
	assert_null(strstr(err, strerror(EFBIG)));
	assert_int_equal(ftruncate(fd, (8 << 20) + 1), 0);
	close(fd);
	assert_int_equal(state_file_load(&st, err, sizeof(err)), -EFBIG);
	snprintf(want, sizeof(want), "%s: %s", path, strerror(EFBIG));
	assert_string_equal(err, want);
	unlink(path);
	rmdir(dir);
	if (old)
		setenv("MQBALANCE_STATE_DIR", old, 1);
	else
		unsetenv("MQBALANCE_STATE_DIR");
	free(old);
}

/*
 * What an earlier boot recorded is dropped on load (its IRQ numbers and
 * devices are gone); saving an empty record removes the file.
 */
static void test_file_other_boot(void **state)
{
	char dir[] = "/tmp/mq-state.XXXXXX", path[64], id[MQ_STATE_BOOT_ID_MAX], err[256];
	char *old = getenv("MQBALANCE_STATE_DIR");
	struct mq_snapshot s;
	struct mq_assessment a;
	struct mq_state st = {0}, back;
	struct stat sb;
	(void)state;

	assert_non_null(mkdtemp(dir));
	old = old ? strdup(old) : NULL;
	setenv("MQBALANCE_STATE_DIR", dir, 1);
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(state_file_load(&st, err, sizeof(err)), 0);
	snprintf(id, sizeof(id), "%s", st.boot_id);
	assert_true(strlen(id) > 1);
	machine(&s);
	assert_int_equal(assess(&s, NULL, NULL, &a), 0);
	assert_int_equal(state_record(&st, &s, &a.plan, 1), 2);
	assert_int_equal(state_file_save(&st, err, sizeof(err)), 0);
	assert_int_equal(state_file_load(&back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 2); /* this boot: kept */
	state_free(&back);

	snprintf(st.boot_id, sizeof(st.boot_id), "an-earlier-boot");
	assert_int_equal(state_file_save(&st, err, sizeof(err)), 0);
	assert_int_equal(state_file_load(&back, err, sizeof(err)), 0);
	assert_int_equal(back.n, 0);
	assert_null(back.nics);
	assert_string_equal(back.boot_id, id);
	assert_int_equal(stat(path, &sb), 0);

	assert_int_equal(state_file_save(&back, err, sizeof(err)), 0);
	assert_int_equal(stat(path, &sb), -1);
	assert_int_equal(errno, ENOENT);
	assert_int_equal(state_file_save(&back, err, sizeof(err)), 0); /* nothing to remove: fine */
	state_free(&back);

	rmdir(dir);
	if (old)
		setenv("MQBALANCE_STATE_DIR", old, 1);
	else
		unsetenv("MQBALANCE_STATE_DIR");
	free(old);
	state_free(&st);
	assessment_free(&a);
	snap_free(&s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_record_render_parse),
		cmocka_unit_test(test_revert_plan_restores),
		cmocka_unit_test(test_rss_record_revert),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_parse_interleaved),
		cmocka_unit_test(test_load_missing),
		cmocka_unit_test(test_load_read_faults),
		cmocka_unit_test(test_load_not_usable),
		cmocka_unit_test(test_file_other_boot),
	};
	return cmocka_run_group_tests_name("state", tests, NULL, NULL);
}
