// SPDX-License-Identifier: MIT
/*
 * The production wiring of the daemon, apart from daemon.c so that tests can
 * link the loop with fakes and without the planner, the applier or the
 * config parser.
 */
#include <errno.h>
#include <string.h>

#include "agent/config.h"
#include "agent/daemon.h"
#include "agent/log.h"
#include "agent/tune.h"

/* A missing config file means built-in defaults, as for --apply. */
static int load_or_defaults(const char *path, struct mq_config *ret, char *err, size_t errlen)
{
	int r = config_load(path, ret, err, errlen);

	if (r == -ENOENT) {
		log_info("%s not found, using built-in defaults", path);
		config_init(ret);
		return 0;
	}
	return r;
}

void daemon_opts_default(struct daemon_opts *o)
{
	memset(o, 0, sizeof(*o));
	o->tune = tune_once;
	o->load_config = load_or_defaults;
	o->free_config = config_free;
	o->rtnl_fd = o->ethtool_fd = o->uevent_fd = -1;
}
