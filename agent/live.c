// SPDX-License-Identifier: MIT
/*
 * mqbalance --watch: sample every interval, assess against the previous
 * sample, draw a frame (output/watch.c). On a terminal the frame is redrawn
 * in place on the alternate screen, fitted to the window (redrawn at once on
 * a resize), and `q` quits; without one, one block per interval until a
 * signal. The terminal is put back however it ends.
 *
 * Like the daemon between events (agent/steady.c), an interval re-reads
 * counters only, into a twin of the last probe. The whole machine is probed
 * again when the daemon's event sources (probes/monitor.h) say something
 * changed (a link, its channels, a CPU), and every LIVE_PROBE_MS for what
 * raises no event (an IRQ moved, XPS, RPS or the RSS table written by hand).
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "agent/live.h"
#include "agent/log.h"
#include "agent/state_file.h"
#include "core/assess.h"
#include "output/report.h"
#include "probes/monitor.h"

/* What raises no event shows within this long. */
#define LIVE_PROBE_MS 10000

struct live {
	bool tty, keys;
	struct termios saved;
	unsigned cols, rows;
	struct mq_snapshot prev, now;
	bool have_prev, have_now;
	bool twin;                /* prev is a copy of now's shape: refresh counters into it */
	bool stale;               /* an event: probe everything at the next interval */
	int64_t probed_ms;        /* when now was probed whole */
	struct probe_files files; /* the /proc files of every refresh, kept open */
	struct mq_monitor mon;
	union {
		struct nlmsghdr align;
		char b[65536];
	} buf;
};

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void window(struct live *l)
{
	struct winsize ws;

	l->cols = 200;
	l->rows = 10000; /* no terminal: the whole block */
	if (l->tty && ioctl(STDOUT_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col && ws.ws_row) {
		l->cols = ws.ws_col;
		l->rows = ws.ws_row;
	}
}

static void draw(struct live *l, const struct mq_config *cfg)
{
	struct mq_assessment a;
	char clock[48] = "";
	time_t t = time(NULL);
	struct tm tm;
	size_t n;

	if (!l->have_now || assess(&l->now, l->have_prev ? &l->prev : NULL, cfg, &a) < 0)
		return;
	n = localtime_r(&t, &tm) ? strftime(clock, sizeof(clock), "%H:%M:%S", &tm) : 0;
	if (l->tty)
		snprintf(clock + n, sizeof(clock) - n, "  %ux%u", l->cols, l->rows);
	if (l->tty)
		fputs("\033[H\033[2J", stdout);
	/* the last line stays free: the cursor sits there */
	watch_render(stdout, &a, l->cols, l->tty ? l->rows - 1 : l->rows, clock);
	if (!l->tty)
		fputc('\n', stdout);
	fflush(stdout);
	assessment_free(&a);
}

static int probe(struct live *l, struct mq_nl *nl, const struct probe_opts *po)
{
	struct mq_snapshot s;
	struct mq_state st;
	int r = snapshot_take(nl, po, &s);

	if (r < 0)
		return r;
	if (state_file_load(&st, NULL, 0) == 0) {
		state_mark(&st, &s);
		state_free(&st);
	}
	if (l->have_prev)
		snapshot_free(&l->prev);
	l->prev = l->now;
	l->have_prev = l->have_now;
	l->now = s;
	l->have_now = true;
	l->twin = l->stale = false;
	l->probed_ms = now_ms();
	return 0;
}

static int sample(struct live *l, struct mq_nl *nl, const struct probe_opts *po)
{
	struct mq_snapshot tmp;
	int r;

	if (!l->have_now || l->stale || now_ms() - l->probed_ms >= LIVE_PROBE_MS)
		return probe(l, nl, po);
	if (!l->twin) {
		if (l->have_prev)
			snapshot_free(&l->prev);
		l->have_prev = false;
		r = snapshot_copy(&l->now, &l->prev);
		if (r < 0)
			return r;
		l->have_prev = l->twin = true;
	}
	/* /proc/interrupts unreadable: the IRQ rates are unknown, the rest stands */
	(void)snapshot_sample_with(nl, &l->files, SAMPLE_ALL, &l->prev);
	tmp = l->now;
	l->now = l->prev;
	l->prev = tmp;
	return 0;
}

static void on_event(const struct mq_event *e, void *ctx)
{
	(void)e;
	*(bool *)ctx = true;
}

/* Everything waiting on source s; a broken source is closed (the periodic probe covers). */
static void drain(struct live *l, enum mon_src s)
{
	for (int i = 0; i < 64; i++) {
		ssize_t n = monitor_recv(&l->mon, s, l->buf.b, sizeof(l->buf.b));

		if (n == -EAGAIN)
			return;
		if (n == -ENOBUFS || n == -EMSGSIZE) {
			l->stale = true; /* events lost */
		} else if (n < 0) {
			monitor_close(&l->mon, s);
			return;
		} else if (n > 0) {
			(void)monitor_parse(s, l->mon.ethtool_family, l->buf.b, (size_t)n, on_event,
					    &l->stale);
		}
	}
}

static void terminal_on(struct live *l)
{
	struct termios raw;

	if (l->keys && tcgetattr(STDIN_FILENO, &l->saved) == 0) {
		raw = l->saved;
		raw.c_lflag &= (tcflag_t) ~(ICANON | ECHO);
		raw.c_cc[VMIN] = 1;
		raw.c_cc[VTIME] = 0;
		if (tcsetattr(STDIN_FILENO, TCSANOW, &raw) < 0)
			l->keys = false;
	} else {
		l->keys = false;
	}
	if (l->tty)
		fputs("\033[?1049h\033[?25l", stdout); /* alternate screen, no cursor */
}

static void terminal_off(struct live *l)
{
	if (l->tty)
		fputs("\033[?25h\033[?1049l", stdout);
	fflush(stdout);
	if (l->keys)
		tcsetattr(STDIN_FILENO, TCSANOW, &l->saved);
}

int live_run(struct mq_nl *nl, const struct mq_config *cfg, const struct probe_opts *po,
	     double interval)
{
	struct live l = {.tty = isatty(STDOUT_FILENO)};
	sigset_t mask, old;
	int64_t next;
	int sfd, r;

	l.keys = l.tty && isatty(STDIN_FILENO);
	sigemptyset(&mask);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGWINCH);
	sigaddset(&mask, SIGHUP);
	sigprocmask(SIG_BLOCK, &mask, &old);
	sfd = signalfd(-1, &mask, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		r = -errno;
		sigprocmask(SIG_SETMASK, &old, NULL);
		return r;
	}
	probe_files_init(&l.files);
	/* before the first probe: what changes after it raises an event */
	monitor_init(&l.mon, nl);
	for (int i = 0; i < _MON_SRC_MAX; i++)
		(void)monitor_open(&l.mon, (enum mon_src)i); /* without: the periodic probe */
	r = sample(&l, nl, po);
	if (r < 0)
		goto out;
	terminal_on(&l);
	window(&l);
	draw(&l, cfg);
	next = now_ms() + (int64_t)(interval * 1000);
	for (;;) {
		struct pollfd p[2 + _MON_SRC_MAX] = {
			{.fd = sfd, .events = POLLIN},
			{.fd = l.keys ? STDIN_FILENO : -1, .events = POLLIN},
		};
		int64_t wait = next - now_ms();
		int n;

		for (int i = 0; i < _MON_SRC_MAX; i++)
			p[2 + i] = (struct pollfd){.fd = l.mon.fd[i], .events = POLLIN};
		n = poll(p, 2 + _MON_SRC_MAX, wait > 0 ? (int)wait : 0);

		if (n < 0 && errno != EINTR) {
			r = -errno;
			break;
		}
		if (n > 0 && (p[0].revents & POLLIN)) {
			struct signalfd_siginfo si;

			if (read(sfd, &si, sizeof(si)) == (ssize_t)sizeof(si)) {
				if (si.ssi_signo != SIGWINCH)
					break;
				window(&l);
				draw(&l, cfg);
			}
		}
		if (n > 0 && (p[1].revents & (POLLIN | POLLHUP))) {
			char c = 0;

			if (read(STDIN_FILENO, &c, 1) <= 0 || c == 'q' || c == 'Q')
				break;
		}
		for (int i = 0; n > 0 && i < _MON_SRC_MAX; i++)
			if (p[2 + i].revents)
				drain(&l, (enum mon_src)i);
		if (now_ms() >= next) {
			r = sample(&l, nl, po);
			if (r < 0)
				break;
			draw(&l, cfg);
			next += (int64_t)(interval * 1000);
			if (next < now_ms())
				next = now_ms() + (int64_t)(interval * 1000);
		}
	}
	terminal_off(&l);
out:
	monitor_close_all(&l.mon);
	probe_files_close(&l.files);
	if (l.have_prev)
		snapshot_free(&l.prev);
	if (l.have_now)
		snapshot_free(&l.now);
	close(sfd);
	/*
	 * The signals stay blocked: the process ends next, and a second SIGINT
	 * (timeout(1) and a terminal's ^C reach the process and its group) must
	 * not turn the clean end of a watch into death by that signal.
	 */
	return r < 0 ? r : 0;
}
