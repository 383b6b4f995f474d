#!/usr/bin/env bash
# make bench: mqbalance's own cost, measured in private network namespaces
# full of veth (never the host's interfaces), next to what users run instead
# (ethtool -S per NIC, node_exporter's ethtool collector, irqbalance).
# Prints a table and writes bench/results-<date>.md. Needs root.
#
# Knobs (environment): MQ_BENCH_SIZES="1x4 8x8 32x16 64x16" (NICS x QUEUES),
# MQ_BENCH_ITERS=200 (sample loops), MQ_BENCH_SCRAPES=40, MQ_BENCH_ROUNDS=5
# (ethtool -S loops), MQ_BENCH_EVENTS=10 (channel changes for the latency),
# MQ_BENCH_SAMPLING=0 / MQ_BENCH_STEADY=0 / MQ_BENCH_GUEST=0 skip a section;
# the "between events" section's own knobs are in bench/steady.sh (before
# and after: MQ_BENCH_BEFORE=BINARY or MQ_BENCH_BEFORE_REV=REV).
set -u
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT" || exit 1
. bench/lib.sh
. bench/steady.sh
BUILD=${BUILD:-build}
MQ=${MQ:-./mqbalance}
SIZES=${MQ_BENCH_SIZES:-"1x4 8x8 32x16 64x16"}
ITERS=${MQ_BENCH_ITERS:-200}
SCRAPES=${MQ_BENCH_SCRAPES:-40}
ROUNDS=${MQ_BENCH_ROUNDS:-5}
EVENTS=${MQ_BENCH_EVENTS:-10}
DEBOUNCE_MS=200 # core/events.c default
HZ=$(getconf CLK_TCK)
TMP=$(mktemp -d /tmp/mqbench.XXXXXX)
OUT=bench/results-$(date -u +%Y%m%d-%H%M).md
PIDS=()

cleanup() {
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	bench_ns_down
	rm -rf "$TMP" ${PROM_TMP:+"$PROM_TMP"}
}
trap cleanup EXIT
trap 'exit 130' INT TERM

[ "$(id -u)" = 0 ] || { echo "bench: needs root (network namespaces)" >&2; exit 1; }
for t in ip ethtool curl /usr/bin/time strace; do
	command -v $t >/dev/null || { echo "bench: $t not installed" >&2; exit 1; }
done
NE=$(command -v prometheus-node-exporter || command -v node_exporter || true)

# ---- helpers ---------------------------------------------------------------

now_ms() { echo $((${EPOCHREALTIME/./} / 1000)); }

# ethtool -S of every NIC, ROUNDS times, in one shell: CPU of the children per round.
ethtool_loop() {
	in_ns bash -c '
		s=$EPOCHREALTIME
		for ((r = 0; r < '"$ROUNDS"'; r++)); do
			for d in /sys/class/net/b*; do ethtool -S ${d##*/} >/dev/null; done
		done
		e=$EPOCHREALTIME
		echo "wall $s $e"; times' | awk -v R="$ROUNDS" '
		function sec(x) { split(x, a, "m"); sub("s", "", a[2]); return a[1] * 60 + a[2] }
		/^wall/ { w = ($3 - $2) / R * 1e6; next }
		{ line++ } line == 2 { c = (sec($1) + sec($2)) / R * 1e6 }
		END { printf "%.0f %.0f\n", w, c }'
}

# node_exporter --collector.ethtool in the namespace: wall and CPU per scrape, VmHWM.
node_exporter_scrapes() {
	local port=$((20000 + RANDOM % 20000)) pid t0 t1 w0 w1 i
	bg_in_ns "$NE" --collector.disable-defaults --collector.ethtool \
		--web.listen-address=127.0.0.1:$port >"$TMP/ne.log" 2>&1
	pid=$BG
	PIDS+=("$pid")
	for ((i = 0; i < 50; i++)); do
		in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/metrics" && break
		sleep 0.1
	done
	in_ns curl -sf "http://127.0.0.1:$port/metrics" >"$TMP/ne.txt" || { echo "- - - -"; kill "$pid"; return; }
	t0=$(proc_ticks "$pid")
	w0=$(now_ms)
	for ((i = 0; i < SCRAPES; i++)); do
		in_ns curl -sf -o /dev/null "http://127.0.0.1:$port/metrics"
	done
	w1=$(now_ms)
	t1=$(proc_ticks "$pid")
	echo "$(((w1 - w0) * 1000 / SCRAPES)) $(((t1 - t0) * 1000000 / HZ / SCRAPES)) $(proc_kb "$pid" VmHWM) $(grep -c '^node_ethtool' "$TMP/ne.txt")"
	kill "$pid"
	wait "$pid" 2>/dev/null
}

cur_rx() { in_ns ethtool -l "$1" | awk '/^Current/ {s = 1} s && $1 == "RX:" {print $2; exit}'; }

# The daemon over every veth: VmHWM after start-up, then EVENTS channel changes
# by hand on b0, each timed until ethtool -l shows it restored.
daemon_run() {
	local n=$1 pid want i t0 t1 lat=() ticks0 ticks1
	# the sampler on (textfile every second) so its peak is in the figures
	printf 'prom_file = %s/mq.prom\ninterval = 1\n' "$TMP" >"$TMP/mq.conf"
	bg_in_ns "$MQ" --daemon --all --config "$TMP/mq.conf" >"$TMP/daemon.log" 2>&1
	pid=$BG
	PIDS+=("$pid")
	# start-up tuning is over when the log has been quiet for a second
	local size=-1 quiet=0
	for ((i = 0; i < 300 && quiet < 10; i++)); do
		sleep 0.1
		if [ "$(stat -c %s "$TMP/daemon.log")" = "$size" ]; then quiet=$((quiet + 1)); else quiet=0; fi
		size=$(stat -c %s "$TMP/daemon.log")
	done
	want=$(cur_rx b0)
	D_HWM=$(proc_kb "$pid" VmHWM)
	D_RSS=$(proc_kb "$pid" VmRSS)
	ticks0=$(proc_ticks "$pid")
	for ((i = 0; i < EVENTS; i++)); do
		in_ns ethtool -L b0 rx 1 tx 1 || break
		t0=$(now_ms)
		while [ "$(cur_rx b0)" != "$want" ] && [ $(($(now_ms) - t0)) -lt 5000 ]; do
			sleep 0.005
		done
		t1=$(now_ms)
		lat+=($((t1 - t0 - DEBOUNCE_MS)))
		sleep 0.3
	done
	ticks1=$(proc_ticks "$pid")
	sleep 2 # a sample or two more
	D_PROM=$(grep -c '^mqbalance_' "$TMP/mq.prom" 2>/dev/null)
	D_LAT=$(printf '%s\n' "${lat[@]}" | med_p95)
	D_RETUNE_CPU=$(((ticks1 - ticks0) * 1000 / HZ / EVENTS))
	D_HWM2=$(proc_kb "$pid" VmHWM)
	kill "$pid"
	wait "$pid"
	D_EXIT=$?
}

# "wall_ms user_s sys_s maxrss_KiB" of one --apply --all
timed_apply() {
	local t0 t1 r
	t0=$(now_ms)
	r=$(in_ns /usr/bin/time -f "%U %S %M" "$MQ" --apply --all -q 2>&1 >/dev/null | tail -1)
	t1=$(now_ms)
	echo "$((t1 - t0)) $r"
}

# --apply over every veth set to one channel; then the no-op second run.
apply_run() {
	local d q=$1
	for d in $(in_ns ls /sys/class/net | grep '^b'); do in_ns ethtool -L "$d" rx 1 tx 1; done
	A1=$(timed_apply)
	A2=$(timed_apply)
	for d in $(in_ns ls /sys/class/net | grep '^b'); do in_ns ethtool -L "$d" rx "$q" tx "$q"; done
}

# irqbalance --oneshot, contained: a private mount namespace where /proc/irq is
# read-only (its writes fail) and every CPU banned. Fetched with apt-get
# download, never installed (installing would start it on the host).
irqbalance_hwm() {
	local bin=${IRQBALANCE:-}
	if [ -z "$bin" ]; then
		bin=$BUILD/bench/irqbalance
		if [ ! -x "$bin" ]; then
			(cd "$TMP" && apt-get download irqbalance >/dev/null 2>&1) &&
				dpkg-deb --fsys-tarfile "$TMP"/irqbalance_*.deb |
				tar -xO ./usr/sbin/irqbalance >"$bin" && chmod +x "$bin" ||
				{ rm -f "$bin"; echo "-"; return; }
		fi
	fi
	in_ns timeout 60 unshare -m --propagation private sh -c '
		mount --bind /proc/irq /proc/irq && mount -o remount,bind,ro /proc/irq &&
		mount -t tmpfs none /run || exit 99
		IRQBALANCE_BANNED_CPULIST=0-'"$(($(nproc) - 1))"' exec /usr/bin/time -f "%M" '"$bin"' --oneshot --foreground' \
		2>&1 >/dev/null | tail -1
}

# ---- run -------------------------------------------------------------------

MACHINE="$(nproc) CPUs, $(awk -F': ' '/model name/ {print $2; exit}' /proc/cpuinfo), kernel $(uname -r)"
{
	echo "# mqbalance bench, $(date -u '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "Machine: $MACHINE; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)."
	echo "mqbalance $(git describe --always --dirty 2>/dev/null); node_exporter: ${NE:-absent}."
	echo "Per sample / scrape / round; microseconds unless stated. CPU = user + system."
} >"$OUT"
[ "${MQ_BENCH_SAMPLING:-1}" = 0 ] && SIZES=
[ -n "$SIZES" ] && {
	echo
	echo "## Sampling cost"
	echo
	echo "| NICs x queues | mq take CPU | mq sample wall | mq sample CPU | bare sample CPU | mq/bare sample | mq counters CPU | bare counters CPU | mq/bare counters | ethtool -S loop CPU | node_exporter scrape CPU | node_exporter/mq counters | ethtool counters | mq refresh CPU | bare refresh CPU |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|"
} >>"$OUT"
MEM_ROWS=()
for size in $SIZES; do
	n=${size%x*}
	q=${size#*x}
	echo "== $n NICs x $q queues" >&2
	bench_ns_up "$n" "$q" || { echo "bench: cannot build the namespace" >&2; exit 1; }
	read -r _ _ _ _ tw tc _ _ < <(in_ns "$BUILD/bench/bench_sample" take $((ITERS / 10 + 1)))
	read -r _ _ _ _ sw sc _ _ < <(in_ns "$BUILD/bench/bench_sample" sample "$ITERS")
	read -r _ _ _ _ _ cc _ _ < <(in_ns "$BUILD/bench/bench_sample" counters "$ITERS")
	read -r _ _ _ _ _ bsc _ _ < <(in_ns "$BUILD/bench/bare_sample" sample "$ITERS" 2>/dev/null)
	read -r _ _ nctr _ _ bcc _ _ < <(in_ns "$BUILD/bench/bare_sample" counters "$ITERS" 2>/dev/null)
	read -r _ _ _ _ _ rc _ _ < <(in_ns "$BUILD/bench/bench_sample" refresh "$ITERS")
	read -r _ _ _ _ _ brc _ _ < <(in_ns "$BUILD/bench/bare_sample" refresh "$ITERS" 2>/dev/null)
	read -r ew ec < <(ethtool_loop)
	if [ -n "$NE" ]; then
		read -r nw ncpu nhwm nser < <(node_exporter_scrapes)
	else
		nw=- ncpu=- nhwm=- nser=-
	fi
	echo "| ${n}x$q | $tc | $sw | $sc | $bsc | $(ratio "$sc" "$bsc") | $cc | $bcc | $(ratio "$cc" "$bcc") | $ec | $ncpu | $(ratio "$ncpu" "$cc") | $nctr | $rc | $brc |" >>"$OUT"
	daemon_run "$n"
	apply_run "$q"
	MEM_ROWS+=("| ${n}x$q | $D_HWM | $D_RSS | $D_HWM2 | ${D_PROM:-0} | ${nhwm} | ${D_LAT% *} | ${D_LAT#* } | $D_RETUNE_CPU | ${A1:-} | ${A2:-} | $D_EXIT |")
	bench_ns_down
done
[ -n "$SIZES" ] && {
	echo
	echo "mq = bench/bench_sample (libmq.a): \"take\" is snapshot_take(), the whole probe (the"
	echo "daemon runs one only on an event, a reload or a drift check that found drift);"
	echo "\"sample\" is snapshot_sample() (counters only: qstats dump, ethtool -S ioctls where no"
	echo "qstats, device totals, /proc/interrupts when the NICs have IRQs, the per-CPU load);"
	echo "\"counters\" is the per-queue counter part only (qstats dump +"
	echo "ETHTOOL_GSSET_INFO/GSTRINGS/GSTATS per NIC); \"refresh\" is what the daemon does each"
	echo "interval before rendering (snapshot_sample() with the real drivers + assess_counters()),"
	echo "in a hot loop. bare = bench/bare_sample, the same reads"
	echo "with nothing else (device totals from one RTM_GETLINK dump; bare refresh: the daemon's"
	echo "own system calls, RTM_GETSTATS). ethtool -S loop: one"
	echo "\`ethtool -S\` process per NIC (fork+exec included). node_exporter: CPU of the"
	echo "exporter process per scrape of --collector.ethtool (from /proc/PID/stat, ${HZ} Hz"
	echo "ticks over $SCRAPES scrapes). veth has no qstats; its ethtool -S counters (\"ethtool"
	echo "counters\" = values per sample over all NICs) are XDP-path only, so the bench points"
	echo "the product's name table at them as if they were a real driver's."
	echo
	echo "## Daemon memory, event-to-retuned latency, --apply"
	echo
	echo "| NICs x queues | daemon VmHWM after start (KiB) | VmRSS (KiB) | VmHWM after events + samples (KiB) | prom series | node_exporter VmHWM (KiB) | latency median (ms, minus ${DEBOUNCE_MS} ms debounce) | latency p95 | daemon CPU per retune (ms) | --apply: wall ms, user s, sys s, maxrss KiB | no-op --apply | daemon exit |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	printf '%s\n' "${MEM_ROWS[@]}"
	echo
	echo "Latency: \`ethtool -L b0 rx 1 tx 1\` by hand, then \`ethtool -l b0\` polled every ~5 ms"
	echo "(each poll forks ethtool: a few ms of resolution) until the daemon restored it; $EVENTS"
	echo "times, 0.3 s apart. --apply: every veth set to rx 1 tx 1 first (channels + XPS to do; veth have no IRQs)."
} >>"$OUT"
if [ -n "$SIZES" ]; then
	bench_ns_up 64 16 && IRQB=$(irqbalance_hwm)
	bench_ns_down
	{
		echo
		echo "irqbalance 1.9 --oneshot (every CPU banned, /proc/irq read-only in its own mount"
		echo "namespace), 64 veth: maxrss ${IRQB:--} KiB."
	} >>"$OUT"
fi
[ "${MQ_BENCH_STEADY:-1}" != 0 ] && steady_section
# The same latency on a real (TCG) guest with virtio-net IRQs and CPU hotplug.
if [ "${MQ_BENCH_GUEST:-1}" != 0 ]; then
	{
		echo
		echo "## Event-to-retuned latency in a qemu TCG guest (bench/latency-guest.sh -n ${MQ_BENCH_GUEST_N:-10})"
		echo
		echo '```'
		bench/latency-guest.sh -n "${MQ_BENCH_GUEST_N:-10}" 2>&1 | grep -vE '^(ok|not ok) ' || true
		echo '```'
		echo
		echo "## Sampling cost in a qemu TCG guest, 2 virtio-net NICs (bench/sample-guest.sh)"
		echo
		echo '```'
		BUILD=$BUILD bench/sample-guest.sh 2>&1 | grep -vE '^# ' || true
		echo '```'
	} >>"$OUT"
fi
cat "$OUT"
echo "bench: wrote $OUT" >&2
