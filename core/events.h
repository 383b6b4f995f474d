/* SPDX-License-Identifier: MIT */
#pragma once

/*
 * The daemon's event logic, pure: no I/O, no clock. The event loop stamps
 * events with CLOCK_MONOTONIC milliseconds and pushes them; events_poll()
 * says what to do now. Bursts are coalesced (debounce after the last event,
 * capped from the first) into one retune whose cause names what happened
 * ("cpu3 went offline, eth0 link up"). Fixed-size state: nothing grows with
 * uptime; more distinct causes than fit collapse into "many events (N)".
 */

#include <net/if.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/cpuset.h"

enum ev_type {
	EV_LINK_NEW,
	EV_LINK_DEL,
	EV_LINK_UP,          /* administratively up: drivers re-request IRQs on open */
	EV_LINK_DOWN,        /* nothing to do until it comes back up: not a cause */
	EV_LINK_CHANGE,      /* any other link notification (carrier, MTU, a new name...): not a cause */
	EV_LINK_RENAME,
	EV_CHANNELS_CHANGED, /* an ethtool CHANNELS_NTF not caused by us */
	EV_CPU_ONLINE,
	EV_CPU_OFFLINE,
	EV_TIMER_DRIFT_CHECK,
	EV_TIMER_SAMPLE,
	EV_SIGHUP,
	EV_SIGTERM,
	EV_CONFIG_RELOADED,  /* pushed by the loop after a successful reload */
	EV_OVERRUN,          /* ENOBUFS on a monitor socket: events were lost */
	_EV_TYPE_MAX,
};
const char *ev_type_to_string(enum ev_type t); /* snake_case, for debug logs */

struct mq_event {
	enum ev_type type;
	uint64_t t_ms;                 /* monotonic milliseconds */
	int ifindex;                   /* link and channel events, 0 otherwise */
	char ifname[IF_NAMESIZE];      /* current name */
	char oldname[IF_NAMESIZE];     /* EV_LINK_RENAME: the name before */
	char kind[16];                 /* link events: IFLA_INFO_KIND ("veth"...), "" for a device */
	int cpu;                       /* CPU events, -1 otherwise */
	unsigned count;                /* EV_CHANNELS_CHANGED: ev_channel_count(), 0 unknown */
};

struct ev_params {
	unsigned debounce_ms;     /* quiet time after the last event (200) */
	unsigned debounce_max_ms; /* never wait longer than this after the first (2000) */
	unsigned suppress_ms;     /* channel notifications this long after our own apply are ours (1000) */
};

#define EV_MAX_CAUSES 8
#define EV_MAX_SUPPRESS 16

struct ev_cause {
	enum ev_type type;
	int ifindex;
	char ifname[IF_NAMESIZE];
	char oldname[IF_NAMESIZE];
	unsigned count; /* channel count of the latest notification */
	unsigned n;     /* events folded into this cause */
};

struct ev_state {
	struct ev_params p;
	bool pending;             /* a retune is due at events_deadline() */
	uint64_t first_ms, last_ms;
	struct ev_cause causes[EV_MAX_CAUSES];
	unsigned ncauses;
	unsigned nevents;         /* retune-causing events in this burst */
	bool overflow;            /* a distinct cause did not fit */
	struct mq_cpuset_buf cpus_on, cpus_off;
	bool want_exit, want_reload, want_sample;
	struct {
		int ifindex;
		unsigned count;           /* the count we set, 0 any */
		uint64_t until_ms;
	} suppress[EV_MAX_SUPPRESS];
	uint64_t suppress_all_until;
	unsigned suppressed;      /* channel notifications recognised as ours, ever */
};

/* What events_poll() asks for, a bit set. */
enum {
	EV_ACT_EXIT = 1 << 0,
	EV_ACT_RELOAD = 1 << 1,
	EV_ACT_SAMPLE = 1 << 2,
	EV_ACT_RETUNE = 1 << 3,
	EV_ACT_QUIET = 1 << 4, /* with RETUNE: only the drift check, log quietly */
};

/* p NULL or zero fields: the defaults above. */
void events_init(struct ev_state *s, const struct ev_params *p);
/*
 * Take one event. Returns true if it asks for something, false if it is
 * ignored (a link going down, our own channel change, bad subject).
 */
bool events_push(struct ev_state *s, const struct mq_event *e);
/*
 * We just set ifindex's channels to count (ev_channel_count(); 0 not
 * known), or ifindex 0: maybe any interface's.
 * A notification for it until now + suppress_ms that carries that count is
 * our own echo; one with another count is someone else's, even inside the
 * window (a drift check that read their change before their notification).
 * Fixed table; when full, the suppression widens to every interface.
 */
void events_own_change(struct ev_state *s, int ifindex, unsigned count, uint64_t now_ms);
/* The one count a channel notification is known by: combined channels, else rx. */
unsigned ev_channel_count(uint32_t combined, uint32_t rx);
/* Would a channel notification for ifindex, saying count (0 not known), at t_ms be our own? */
bool events_is_own(const struct ev_state *s, int ifindex, unsigned count, uint64_t t_ms);
/* When events_poll() next has something to do: 0 = now, UINT64_MAX = nothing pending. */
uint64_t events_deadline(const struct ev_state *s);
/*
 * What to do at now_ms (EV_ACT_* bits). With EV_ACT_RETUNE the cause is written
 * to cause (always NUL-terminated, "..." when cut) and the burst is cleared.
 */
unsigned events_poll(struct ev_state *s, uint64_t now_ms, char *cause, size_t len);
