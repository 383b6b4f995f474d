// SPDX-License-Identifier: MIT
/* The owned-IRQ set (core/assess.c) and its file for irqbalance's policy script (agent/owned.c). */
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/owned.h"
#include "tests/fixture_snapshot.h"

/* tests/test_owned.mk: the code under test allocates through here; the Nth allocation fails on cue. */
void *__real_malloc(size_t n);
void *__wrap_malloc(size_t n);
static unsigned alloc_fail_at, allocs; /* 1-based, 0: off */

void *__wrap_malloc(size_t n)
{
	if (alloc_fail_at && ++allocs == alloc_fail_at)
		return NULL;
	return __real_malloc(n);
}

struct env {
	struct mq_snapshot s;
	struct mq_config cfg;
	struct mq_section ifs[2];
	char dir[64], path[128];
};

/*
 * eth0: virtio, 2 of 4 queue pairs active, the vectors of all 4 there
 * (40 config, 41-48); eth1: one RX/TX vector per queue, 2 queues, IRQs 25
 * and 26 plus a mgmt vector 24; eth2: every queue on one "virtqueues" vector.
 */
static void machine(struct env *e)
{
	struct mq_nic *n;

	fx_init(&e->s, 4);
	n = fx_nic(&e->s, "eth0", "virtio_net", 2, 4);
	fx_irq(n, 40, "virtio0-config", IRQ_ROLE_CONFIG, -1, 0);
	for (unsigned q = 0; q < 4; q++) {
		char name[32];

		snprintf(name, sizeof(name), "virtio0-input.%u", q);
		fx_irq(n, 41 + 2 * q, name, IRQ_ROLE_RX, (int)q, (int)q);
		snprintf(name, sizeof(name), "virtio0-output.%u", q);
		fx_irq(n, 42 + 2 * q, name, IRQ_ROLE_TX, (int)q, (int)q);
	}
	n = fx_nic(&e->s, "ens5", "ena", 2, 2);
	fx_irq(n, 24, "ena-mgmnt", IRQ_ROLE_CONFIG, -1, 0);
	fx_irq(n, 26, "ens5-Tx-Rx-1", IRQ_ROLE_RXTX, 1, 3);
	fx_irq(n, 25, "ens5-Tx-Rx-0", IRQ_ROLE_RXTX, 0, 2);
	n = fx_nic(&e->s, "eth2", "virtio_net", 2, 2);
	fx_irq(n, 60, "virtio2-config", IRQ_ROLE_CONFIG, -1, 0);
	fx_irq(n, 61, "virtio2-virtqueues", IRQ_ROLE_SHARED, -1, 0);
	fx_config(&e->cfg);
}

static int setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (!e)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/mq-owned-XXXXXX");
	if (!mkdtemp(e->dir))
		return -1;
	snprintf(e->path, sizeof(e->path), "%s/run/irqs", e->dir);
	machine(e);
	*state = e;
	return 0;
}

static int teardown(void **state)
{
	struct env *e = *state;
	char p[160];

	unlink(e->path);
	snprintf(p, sizeof(p), "%s/run", e->dir);
	rmdir(p);
	rmdir(e->dir);
	fx_free(&e->s); /* cfg.sections points into e->ifs: no config_free() */
	free(e);
	return 0;
}

/* An [IFNAME] section setting exclude or irq_affinity, as the parser would leave it. */
static struct mq_if_config *iface(struct env *e, const char *name, unsigned key)
{
	struct mq_section *c = &e->ifs[e->cfg.nsections];

	memset(c, 0, sizeof(*c));
	c->v = e->cfg.defaults;
	c->match = MATCH_NAME;
	c->keys = key;
	snprintf(c->pattern, sizeof(c->pattern), "%s", name);
	e->cfg.sections = e->ifs;
	e->cfg.nsections++;
	return &c->v;
}

static char *owned_str(struct env *e, char *buf, size_t len)
{
	struct mq_assessment a;
	unsigned *v;
	size_t o = 0;
	int n;

	fx_assess(&a, &e->s, NULL, &e->cfg);
	n = assess_owned_irqs(&a, &v);
	assert_true(n >= 0);
	assert_true((n == 0) == (v == NULL));
	buf[0] = '\0';
	for (int i = 0; i < n && o < len; i++)
		o += (size_t)snprintf(buf + o, len - o, "%s%u", i ? "," : "", v[i]);
	free(v);
	assessment_free(&a);
	return buf;
}

/* Every queue IRQ of a NIC whose IRQs the plan places, active queue or not; sorted, unique. */
static void test_owned_set(void **state)
{
	struct env *e = *state;
	char buf[256];

	assert_string_equal(owned_str(e, buf, sizeof(buf)), "25,26,41,42,43,44,45,46,47,48");
	/* excluded, or irq_affinity = off: the plan places none of its IRQs */
	iface(e, "ens5", MQ_KEY_EXCLUDE)->exclude = true;
	iface(e, "eth0", MQ_KEY_IRQ_AFFINITY)->irq_affinity = false;
	assert_string_equal(owned_str(e, buf, sizeof(buf)), "");
	/* the same IRQ twice (a shared INTx line) is listed once */
	e->cfg.nsections = 0;
	fx_irq(&e->s.nics[1], 41, "shared", IRQ_ROLE_RXTX, 1, 3);
	assert_string_equal(owned_str(e, buf, sizeof(buf)), "25,26,41,42,43,44,45,46,47,48");
}

static void read_file(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, len - 1, f);
	buf[n] = '\0';
	fclose(f);
}

static int write_owned(struct env *e, struct owned_irqs *last, char *err, size_t errlen)
{
	struct mq_assessment a;
	int r;

	fx_assess(&a, &e->s, NULL, &e->cfg);
	err[0] = '\0';
	r = owned_irqs_write(e->path, &a, last, err, errlen);
	assessment_free(&a);
	return r;
}

static void test_write(void **state)
{
	struct env *e = *state;
	struct owned_irqs last = {0}, fresh = {0};
	char buf[256], err[256];
	struct stat st, st2;

	/* first: the directory made, the file written */
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 1);
	read_file(e->path, buf, sizeof(buf));
	assert_string_equal(buf, "25\n26\n41\n42\n43\n44\n45\n46\n47\n48\n");
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_true(last.known);
	assert_int_equal(last.n, 10);
	/* the same set: not written again (a file removed behind its back stays away) */
	assert_int_equal(unlink(e->path), 0);
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 0);
	assert_int_equal(access(e->path, F_OK), -1);
	/* a changed set: written */
	iface(e, "eth0", MQ_KEY_EXCLUDE)->exclude = true;
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 1);
	read_file(e->path, buf, sizeof(buf));
	assert_string_equal(buf, "25\n26\n");
	assert_int_equal(last.n, 2);
	/* a new process finding its own words already there (a restart): left as it is */
	assert_int_equal(stat(e->path, &st), 0);
	assert_int_equal(write_owned(e, &fresh, err, sizeof(err)), 0);
	assert_int_equal(stat(e->path, &st2), 0);
	assert_int_equal(st.st_ino, st2.st_ino);
	assert_true(fresh.known);
	assert_int_equal(fresh.n, 2);
	owned_irqs_free(&fresh);
	/* ... our words and more after them: rewritten */
	{
		FILE *fp = fopen(e->path, "w");

		assert_non_null(fp);
		fputs("25\n26\n27\n", fp);
		fclose(fp);
	}
	assert_int_equal(write_owned(e, &fresh, err, sizeof(err)), 1);
	read_file(e->path, buf, sizeof(buf));
	assert_string_equal(buf, "25\n26\n");
	owned_irqs_free(&fresh);
	/* ... or something else there: rewritten */
	e->cfg.nsections = 0;
	assert_int_equal(write_owned(e, &fresh, err, sizeof(err)), 1);
	read_file(e->path, buf, sizeof(buf));
	assert_string_equal(buf, "25\n26\n41\n42\n43\n44\n45\n46\n47\n48\n");
	owned_irqs_free(&fresh);
	/* none owned: an empty file, then nothing to do */
	iface(e, "eth0", MQ_KEY_EXCLUDE)->exclude = true;
	iface(e, "ens5", MQ_KEY_EXCLUDE)->exclude = true;
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 1);
	read_file(e->path, buf, sizeof(buf));
	assert_string_equal(buf, "");
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 0);
	assert_int_equal(last.n, 0);
	assert_null(last.irqs);
	owned_irqs_free(&last);
	assert_false(last.known);
}

static void test_write_fails(void **state)
{
	struct env *e = *state;
	struct owned_irqs last = {0};
	char err[256];

	/* the parent is a file: no directory can be made, nothing written, last untouched */
	snprintf(e->path, sizeof(e->path), "%s/run", e->dir);
	assert_int_equal(write_owned(e, &last, err, sizeof(err)), 1);
	owned_irqs_free(&last);
	snprintf(e->path, sizeof(e->path), "%s/run/irqs", e->dir);
	assert_true(write_owned(e, &last, err, sizeof(err)) < 0);
	assert_non_null(strstr(err, e->path));
	assert_non_null(strstr(err, "Not a directory"));
	assert_false(last.known);
	assert_null(last.irqs);
	/* so the next pass tries again */
	assert_true(write_owned(e, &last, err, sizeof(err)) < 0);
	snprintf(e->path, sizeof(e->path), "%s/run", e->dir);
	unlink(e->path);
	snprintf(e->path, sizeof(e->path), "%s/run/irqs", e->dir);

	/* A directory part of PATH_MAX bytes: too long to make, refused, nothing overrun (ASan) */
	{
		char *p = malloc(PATH_MAX + 8);
		struct mq_assessment a;

		assert_non_null(p);
		memset(p, 'a', PATH_MAX + 7);
		p[0] = '/';
		p[PATH_MAX] = '/';
		p[PATH_MAX + 7] = '\0';
		fx_assess(&a, &e->s, NULL, &e->cfg);
		assert_int_equal(owned_irqs_write(p, &a, &last, err, sizeof(err)), -ENAMETOOLONG);
		assert_false(last.known);
		assessment_free(&a);
		free(p);
	}
}

/* Each allocation failing in turn: -ENOMEM said and last untouched, or the file written anyway. */
static void test_write_enomem(void **state)
{
	struct env *e = *state;
	struct owned_irqs last = {0};
	struct mq_assessment a;
	char buf[256], err[256];
	unsigned enomem = 0;
	int r;

	fx_assess(&a, &e->s, NULL, &e->cfg);
	for (unsigned k = 1;; k++) {
		allocs = 0;
		alloc_fail_at = k;
		r = owned_irqs_write(e->path, &a, &last, err, sizeof(err));
		alloc_fail_at = 0;
		if (allocs < k) { /* none failed: done */
			assert_int_equal(r, 1);
			break;
		}
		if (r < 0) {
			assert_int_equal(r, -ENOMEM);
			assert_non_null(strstr(err, e->path));
			assert_non_null(strstr(err, strerror(ENOMEM)));
			assert_false(last.known);
			enomem++;
			continue;
		}
		/* only the comparison with the file there could not be made: written */
		assert_int_equal(r, 1);
		read_file(e->path, buf, sizeof(buf));
		assert_string_equal(buf, "25\n26\n41\n42\n43\n44\n45\n46\n47\n48\n");
		owned_irqs_free(&last);
		unlink(e->path);
	}
	assert_true(enomem >= 2); /* the set, and the text of the file */
	owned_irqs_free(&last);
	assessment_free(&a);
}

/* SIGHUP only to an irqbalance that runs our policy script. */
static void test_tell_irqbalance(void **state)
{
	struct mq_platform p = {0};
	int status;
	pid_t child;
	(void)state;

	assert_int_equal(owned_irqs_tell_irqbalance(&p), 0);
	child = fork();
	assert_true(child >= 0);
	if (child == 0) {
		pause();
		_exit(0);
	}
	p.irqbalance_pid = child;
	assert_int_equal(owned_irqs_tell_irqbalance(&p), 0); /* no policy of ours: leave it be */
	p.irqbalance_policy_ours = true;
	assert_int_equal(owned_irqs_tell_irqbalance(&p), 1);
	assert_int_equal(waitpid(child, &status, 0), child);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGHUP);
	/* gone: kill(2)'s own answer */
	assert_int_equal(owned_irqs_tell_irqbalance(&p), -ESRCH);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_owned_set, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_fails, setup, teardown),
		cmocka_unit_test_setup_teardown(test_write_enomem, setup, teardown),
		cmocka_unit_test(test_tell_irqbalance),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
