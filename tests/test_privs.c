// SPDX-License-Identifier: MIT
/*
 * What tuning needs (agent/privs.c): CAP_NET_ADMIN, and uid 0 or
 * CAP_DAC_OVERRIDE for /proc/irq. Root has both; a forked child lowers its
 * effective set (capset) and its uid (keeping its permitted set) to reach
 * every combination and the words naming what is missing.
 */
#include <errno.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include "agent/privs.h"

#define NET (1u << CAP_NET_ADMIN)
#define DAC (1u << CAP_DAC_OVERRIDE)
#define SETUID (1u << CAP_SETUID)
#define IRQ_WHY "root (uid 0) to write /proc/irq/N/smp_affinity_list"

/* CapEff from /proc/self/status: the kernel's word, not capget(2)'s. */
static uint64_t cap_eff(void)
{
	FILE *f = fopen("/proc/self/status", "re");
	unsigned long long v = 0;
	char line[256];

	assert_non_null(f);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &v) == 1)
			break;
	fclose(f);
	return v;
}

/* Root with both capabilities, or a skip that says why not. */
static bool need_root(void)
{
	if (geteuid() != 0) {
		print_message("skip: needs root (CAP_NET_ADMIN, and uid 0 to drop to)\n");
		return false;
	}
	if ((cap_eff() & (NET | DAC)) != (NET | DAC)) {
		print_message("skip: root without CAP_NET_ADMIN or CAP_DAC_OVERRIDE (a container)\n");
		return false;
	}
	return true;
}

static void test_root(void **state)
{
	char why[128] = "untouched";
	(void)state;

	if (!need_root())
		skip();
	assert_false(privs_unprivileged());
	assert_true(privs_can_tune(why, sizeof(why)));
	assert_string_equal(why, "untouched");
}

/* In the child: effective set = the capabilities in eff (both kept permitted). */
static int set_effective(uint32_t eff)
{
	struct __user_cap_header_struct h = {.version = _LINUX_CAPABILITY_VERSION_3};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -1;
	d[0].effective = eff;
	d[1].effective = 0;
	return (int)syscall(SYS_capset, &h, d);
}

/* In the child: capget(2) fails with EPERM from now on (a seccomp filter). */
static int deny_capget(void)
{
	struct sock_filter code[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_capget, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = {.len = sizeof(code) / sizeof(code[0]), .filter = code};

	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return -1;
	return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0);
}

/* In the child: 0 if privs says ok (or not, and why); else prints what it said. */
static int expect(const char *what, bool ok, const char *want_why)
{
	char why[128] = "";
	bool r = privs_can_tune(why, sizeof(why));
	bool unpriv = privs_unprivileged();

	if (r == ok && strcmp(why, want_why) == 0 && unpriv == (strstr(want_why, "CAP_NET_ADMIN") != NULL))
		return 0;
	fprintf(stderr, "%s: can_tune %d, why \"%s\", unprivileged %d\n", what, r, why, unpriv);
	return 1;
}

static int child(void)
{
	int bad = 0;

	if (set_effective(DAC) < 0)
		return 100;
	bad += expect("uid 0 without CAP_NET_ADMIN", false, "CAP_NET_ADMIN");
	if (set_effective(NET | SETUID) < 0)
		return 101;
	bad += expect("uid 0 without CAP_DAC_OVERRIDE", true, "");
	/* Another uid, the permitted set kept (PR_SET_KEEPCAPS); the kernel empties the effective one. */
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(65534, 65534, 65534) < 0 ||
	    set_effective(NET) < 0)
		return 102;
	bad += expect("uid 65534 with CAP_NET_ADMIN", false, IRQ_WHY);
	if (set_effective(NET | DAC) < 0)
		return 103;
	bad += expect("uid 65534 with CAP_NET_ADMIN and CAP_DAC_OVERRIDE", true, "");
	if (set_effective(0) < 0)
		return 104;
	bad += expect("uid 65534 without capabilities", false, "CAP_NET_ADMIN and " IRQ_WHY);
	/* capget(2) refused (a sandbox): no capability is assumed */
	if (set_effective(NET | DAC) < 0 || deny_capget() < 0)
		return 105;
	bad += expect("capget refused", false, "CAP_NET_ADMIN and " IRQ_WHY);
	return bad;
}

static void test_dropped(void **state)
{
	int status;
	pid_t pid;
	(void)state;

	if (!need_root())
		skip();
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child());
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0); /* 1-6: checks failed (on stderr); >= 100: setup */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_root),
		cmocka_unit_test(test_dropped),
	};

	return cmocka_run_group_tests_name("privs", tests, NULL, NULL);
}
