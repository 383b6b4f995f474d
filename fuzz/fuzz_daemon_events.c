// SPDX-License-Identifier: MIT
/*
 * The daemon's event sources, end to end: rtnetlink link messages, ethtool
 * monitor notifications and kernel uevents, as datagrams on the injected test
 * sockets (daemon_opts.inject), through recvmsg, dispatch and the handlers.
 * Input: records of [source byte][length, 2 bytes LE][payload]. The startup
 * retune queues a SIGTERM, so one loop pass drains everything, then stops.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <sys/socket.h>
#include <unistd.h>

#include "agent/daemon.h"
#include "agent/log.h"
#include "fuzz/fuzz.h"
#include "probes/sysfs.h"

#define FAMILY 0x14

static unsigned calls;

static int fake_tune(struct mq_nl *nl, const struct mq_config *cfg, const char *cause, bool dry_run,
		     struct tune_result *ret)
{
	(void)nl;
	(void)cfg;
	(void)cause;
	(void)dry_run;
	memset(ret, 0, sizeof(*ret));
	if (calls++ == 0)
		raise(SIGTERM); /* this thread: libFuzzer has others */
	return 0;
}

/* Two sections, one pinned, so rename and "configured virtual link" paths run. */
static int fake_load(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	(void)path;
	(void)err;
	(void)errlen;
	memset(ret, 0, sizeof(*ret));
	ret->interval = 3600;
	ret->sections = calloc(2, sizeof(*ret->sections));
	if (!ret->sections)
		return -ENOMEM;
	ret->sections[0].match = ret->sections[1].match = MATCH_NAME;
	snprintf(ret->sections[0].pattern, sizeof(ret->sections[0].pattern), "veth0");
	snprintf(ret->sections[1].pattern, sizeof(ret->sections[1].pattern), "eth1");
	ret->sections[1].keys = MQ_KEY_QUEUES;
	ret->sections[1].v.queues_mode = QUEUES_MAX;
	ret->nsections = 2;
	return 0;
}

static void fake_free(struct mq_config *c)
{
	free(c->sections);
	c->sections = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	log_setup(getenv("FUZZ_DEBUG") ? LOG_LVL_DEBUG : LOG_LVL_ERROR, false);
	unsetenv("NOTIFY_SOCKET");
	unsetenv("WATCHDOG_USEC");
	sysfs_set_root("/nonexistent-mqbalance-fuzz-root");
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct daemon_opts o;
	int sp[3][2], n = 0;

	/* Failing here after many runs would mean the daemon leaks descriptors. */
	for (; n < 3; n++)
		FUZZ_CHECK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, sp[n]) == 0);
	while (size >= 3) {
		unsigned s = data[0] % 3;
		size_t len = (size_t)data[1] | (size_t)data[2] << 8;

		data += 3;
		size -= 3;
		if (len > size)
			len = size;
		/* Empty datagrams read as end of stream: the source closes, also fine. */
		if (send(sp[s][0], data, len, MSG_DONTWAIT) < 0)
			break;
		data += len;
		size -= len;
	}
	memset(&o, 0, sizeof(o));
	o.config_path = "/fuzz.conf";
	o.tune = fake_tune;
	o.load_config = fake_load;
	o.free_config = fake_free;
	o.ev.debounce_ms = 1;
	o.ev.debounce_max_ms = 1;
	o.drift_ms = 3600000;
	o.inject = true;
	o.ethtool_family = FAMILY;
	o.rtnl_fd = sp[0][1];
	o.ethtool_fd = sp[1][1];
	o.uevent_fd = sp[2][1];
	calls = 0;
	FUZZ_CHECK(daemon_run(&o) == 0); /* closes the daemon's ends */
	for (int i = 0; i < 3; i++)
		close(sp[i][0]);
	return 0;
}
