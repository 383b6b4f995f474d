# Between events: the daemon's steady state, its drift check, the one-shot
# report, next to node_exporter's ethtool scrape and the bare system calls,
# for the "before" binary and this one, in the same namespace and run.
# Sourced by bench/run.sh (uses its helpers, TMP, BUILD, MQ, NE, HZ, OUT).
#
# Knobs: MQ_BENCH_BEFORE=BINARY, or MQ_BENCH_BEFORE_REV=REV (built from
# `git archive REV` in a temporary directory); MQ_BENCH_DAEMON_SIZES="32x16
# 64x8 64x16"; MQ_BENCH_DAEMON_SECONDS=15 (per measurement);
# MQ_BENCH_DAEMON_ROUNDS=2 (before/after alternated); MQ_BENCH_REPORT_RUNS=20;
# MQ_BENCH_PROM_DIR (where the daemon writes its textfile; default a
# directory on the disk /var/lib is on, like node_exporter's textfile directory).

D_SIZES=${MQ_BENCH_DAEMON_SIZES:-"32x16 64x8 64x16"}
D_SECS=${MQ_BENCH_DAEMON_SECONDS:-15}
D_ROUNDS=${MQ_BENCH_DAEMON_ROUNDS:-2}
R_RUNS=${MQ_BENCH_REPORT_RUNS:-20}
PROM_DIR=${MQ_BENCH_PROM_DIR:-}
# The same daemon with its textfile on tmpfs too: what the fsyncs to a disk cost.
SHM_DIR=
[ "$(stat -f -c %T /dev/shm 2>/dev/null)" = tmpfs ] && SHM_DIR=/dev/shm

# The binary to compare with: a path, or a revision built on the side.
before_binary() {
	if [ -n "${MQ_BENCH_BEFORE:-}" ]; then
		echo "$MQ_BENCH_BEFORE"
	elif [ -n "${MQ_BENCH_BEFORE_REV:-}" ]; then
		mkdir -p "$TMP/before" &&
			git archive "$MQ_BENCH_BEFORE_REV" | tar -x -C "$TMP/before" &&
			make -s -C "$TMP/before" VERSION="$(git rev-parse --short "$MQ_BENCH_BEFORE_REV")" \
				mqbalance >&2 && echo "$TMP/before/mqbalance"
	fi
}

# CPU nanoseconds of a single-threaded process: schedstat (exact), else ticks.
proc_ns() {
	if [ -r "/proc/$1/schedstat" ]; then
		awk '{print $1}' "/proc/$1/schedstat"
	else
		echo $(($(proc_ticks "$1") * 1000000000 / HZ))
	fi
}

# "median mean" of the microseconds a process spends per second, from one
# reading a second over SECONDS (the median ignores the second a neighbour
# thrashed the caches).
per_second_us() {
	local pid=$1 n=$2 a b i
	a=$(proc_ns "$pid")
	for ((i = 0; i < n; i++)); do
		sleep 1
		b=$(proc_ns "$pid")
		echo $(((b - a) / 1000))
		a=$b
	done | sort -n | awk '{v[NR] = $1; s += $1} END {
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; printf "%.0f %.0f\n", m, s / NR}'
}

# start_daemon BIN CONF: in the namespace, until its start-up pass is over
# (the log quiet for a second). Sets DPID.
start_daemon() {
	local size=-1 quiet=0 i
	bg_in_ns "$1" --daemon --all --config "$2" >"$TMP/d.log" 2>&1
	DPID=$BG
	PIDS+=("$DPID")
	for ((i = 0; i < 300 && quiet < 10; i++)); do
		sleep 0.1
		if [ "$(stat -c %s "$TMP/d.log")" = "$size" ]; then quiet=$((quiet + 1)); else quiet=0; fi
		size=$(stat -c %s "$TMP/d.log")
	done
}

stop_daemon() {
	kill "$DPID" 2>/dev/null
	wait "$DPID" 2>/dev/null
}

# daemon_steady BIN [DIR]: "median mean VmHWM" of one run, textfile every second (in DIR).
daemon_steady() {
	local r
	printf 'prom_file = %s/mq.prom\ninterval = 1\ndrift_check = 3600\n' "${2:-$PROM_DIR}" >"$TMP/s.conf"
	start_daemon "$1" "$TMP/s.conf"
	sleep 3 # past the first samples (the full probe after start-up)
	r=$(per_second_us "$DPID" "$D_SECS")
	echo "$r $(proc_kb "$DPID" VmHWM)"
	stop_daemon
}

# daemon_drift BIN: "median mean" per second with a drift check every second, no textfile.
daemon_drift() {
	local r
	printf 'prom_file = off\ndrift_check = 1\n' >"$TMP/d.conf"
	start_daemon "$1" "$TMP/d.conf"
	sleep 2 # the first check after start-up probes everything (the start-up pass changed things)
	r=$(per_second_us "$DPID" "$D_SECS")
	echo "$r"
	stop_daemon
}

# daemon_latency BIN: "median p95 VmHWM" of EVENTS channel changes by hand.
daemon_latency() {
	local want i t0 t1 lat=()
	printf 'prom_file = %s/mq.prom\ninterval = 1\n' "$PROM_DIR" >"$TMP/l.conf"
	start_daemon "$1" "$TMP/l.conf"
	want=$(cur_rx b0)
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
	echo "$(printf '%s\n' "${lat[@]}" | med_p95) $(proc_kb "$DPID" VmHWM)"
	stop_daemon
}

# report_cost BIN: "median_us openat xps_rps_openat" of --report --interval 0 --all.
report_cost() {
	local c o x
	c=$(in_ns "$BUILD/bench/cputime" "$R_RUNS" "$1" --report --interval 0 --all | awk '{print $2}')
	in_ns strace -f -e trace=openat -o "$TMP/open.tr" "$1" --report --interval 0 --all >/dev/null 2>&1
	o=$(grep -c 'openat(' "$TMP/open.tr")
	x=$(grep -cE 'xps_cpus|rps_cpus' "$TMP/open.tr")
	echo "$c $o $x"
}

median_of() { sort -n | awk '{v[NR] = $1} END {if (!NR) print "-"; else printf "%.0f\n", NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b + 0 > 0 && a ~ /^[0-9.]+$/) printf "%.1f", a / b; else print "-" }'; }
yes_no() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN { if (v !~ /^[0-9.]+$/) print "-"; else if (op == ">=" ? v >= t : v < t) print "**yes**"; else print "**no**" }'; }

steady_section() {
	local before size n q b bin rows=() t_rows=() s1 s2 d r l ne_u ne_t bare_r bare_i fs
	b=$(before_binary) || { echo "bench: cannot build $MQ_BENCH_BEFORE_REV" >&2; b=; }
	if [ -z "$PROM_DIR" ]; then
		PROM_DIR=$(mktemp -d /var/tmp/mqbench-prom.XXXXXX)
		PROM_TMP=$PROM_DIR # removed by run.sh's cleanup
	fi
	fs=$(findmnt -no FSTYPE -T "$PROM_DIR" 2>/dev/null | tail -n1)
	for size in $D_SIZES; do
		n=${size%x*}
		q=${size#*x}
		echo "== between events: $n NICs x $q queues" >&2
		bench_ns_up "$n" "$q" || { echo "bench: cannot build the namespace" >&2; return 1; }
		# untuned: every queue active, as the report finds a fresh machine
		ne_u=- ne_t=-
		[ -n "$NE" ] && ne_u=$(node_exporter_scrapes | awk '{print $2}')
		declare -A R=() S=() D=() L=() H=()
		for bin in ${b:+before} after; do
			[ $bin = before ] && B=$b || B=$MQ
			R[$bin]=$(report_cost "$B")
		done
		# steady state: rounds alternate the binaries (both tune the namespace alike)
		for ((i = 0; i < D_ROUNDS; i++)); do
			for bin in ${b:+before} after; do
				[ $bin = before ] && B=$b || B=$MQ
				read -r s1 _ h < <(daemon_steady "$B")
				S[$bin]="${S[$bin]:-} $s1"
				H[$bin]=$h
			done
		done
		[ -n "$NE" ] && ne_t=$(node_exporter_scrapes | awk '{print $2}')
		# bare: what the daemon reads for veth (no qstats, no IRQs, no ethtool -S keys: MQ_BARE_* unset)
		read -r _ _ _ _ _ _ _ _ bare_r < <(in_ns "$BUILD/bench/bare_sample" refresh "$D_SECS" 1000 2>/dev/null)
		read -r _ _ _ _ _ _ _ _ bare_i < <(MQ_BARE_PROM=$PROM_DIR/mq.prom in_ns "$BUILD/bench/bare_sample" interval "$D_SECS" 1000 2>/dev/null)
		shm=- bare_shm=-
		if [ -n "$SHM_DIR" ]; then
			mkdir -p "$SHM_DIR/mqbench.$$"
			read -r shm _ _ < <(daemon_steady "$MQ" "$SHM_DIR/mqbench.$$")
			read -r _ _ _ _ _ _ _ _ bare_shm < <(MQ_BARE_PROM=$SHM_DIR/mqbench.$$/mq.prom in_ns "$BUILD/bench/bare_sample" interval "$D_SECS" 1000 2>/dev/null)
			rm -rf "$SHM_DIR/mqbench.$$"
		fi
		for bin in ${b:+before} after; do
			[ $bin = before ] && B=$b || B=$MQ
			D[$bin]=$(daemon_drift "$B" | awk '{print $1}')
			L[$bin]=$(daemon_latency "$B")
		done
		for bin in ${b:+before} after; do
			s1=$(printf '%s\n' ${S[$bin]} | median_of)
			read -r r o x <<<"${R[$bin]}"
			read -r lm lp lh <<<"${L[$bin]}"
			rows+=("| ${n}x$q | $bin | $s1 | ${D[$bin]} | $r | $o ($x) | $lm / $lp | $(( ${H[$bin]} > lh ? ${H[$bin]} : lh )) |")
		done
		rows+=("| ${n}x$q | node_exporter scrape | untuned $ne_u, tuned $ne_t | | | | | |")
		rows+=("| ${n}x$q | bare (cold, 1/s) | refresh $bare_r, interval $bare_i | | | | | |")
		rows+=("| ${n}x$q | after, textfile on tmpfs | $shm (bare interval $bare_shm) | | | | | |")
		s2=$(printf '%s\n' ${S[after]} | median_of)
		read -r r _ _ <<<"${R[after]}"
		read -r lm lp lh <<<"${L[after]}"
		case $size in
		32x16)
			t_rows+=("| daemon at 32x16, interval 1 s: node_exporter scrape (tuned) / daemon per interval >= 20 | $ne_t / $s2 = $(ratio "$ne_t" "$s2") | $(yes_no "$(ratio "$ne_t" "$s2")" ">=" 20) |")
			t_rows+=("| ... daemon per interval / bare interval (the same system calls, textfile written alike) <= 2 | $s2 / $bare_i = $(ratio "$s2" "$bare_i") | $(yes_no "$(ratio "$s2" "$bare_i")" "<" 2.0001) |")
			t_rows+=("| ... daemon per interval / bare counter refresh (no textfile) <= 2 | $s2 / $bare_r = $(ratio "$s2" "$bare_r") | $(yes_no "$(ratio "$s2" "$bare_r")" "<" 2.0001) |")
			t_rows+=("| ... the same with the textfile on tmpfs (no disk flush): scrape / daemon >= 20 | $ne_t / $shm = $(ratio "$ne_t" "$shm") | $(yes_no "$(ratio "$ne_t" "$shm")" ">=" 20) |")
			t_rows+=("| ... on tmpfs: daemon / bare interval <= 2; daemon / bare refresh <= 2 | $(ratio "$shm" "$bare_shm"); $(ratio "$shm" "$bare_r") | $(yes_no "$(ratio "$shm" "$bare_shm")" "<" 2.0001); $(yes_no "$(ratio "$shm" "$bare_r")" "<" 2.0001) |")
			;;
		64x8)
			t_rows+=("| --report --interval 0 at 64x8: node_exporter scrape (untuned) / report >= 3 | $ne_u / $r = $(ratio "$ne_u" "$r") | $(yes_no "$(ratio "$ne_u" "$r")" ">=" 3) |")
			;;
		64x16)
			t_rows+=("| event to re-tuned at 64x16, p95 beyond the debounce < 100 ms | $lp | $(yes_no "$lp" "<" 100) |")
			;;
		esac
		PEAK=$(( ${PEAK:-0} > ${H[after]} ? ${PEAK:-0} : ${H[after]} ))
		PEAK=$(( PEAK > lh ? PEAK : lh ))
		bench_ns_down
	done
	t_rows+=("| daemon peak RSS (VmHWM, every size) < 4096 KiB | $PEAK KiB | $(yes_no "$PEAK" "<" 4096) |")
	{
		echo
		echo "## Between events: before and after (bench/steady.sh)"
		echo
		echo "before: ${b:-(none: MQ_BENCH_BEFORE or MQ_BENCH_BEFORE_REV)} ($(${b:-false} --version 2>/dev/null)); after: $($MQ --version)."
		echo "CPU in microseconds. The daemon's textfile in $PROM_DIR ($fs)."
		echo
		echo "| NICs x queues | binary | daemon CPU per interval (median of rounds of per-second medians) | drift check CPU per check | --report --interval 0 CPU (median of $R_RUNS) | its openat (xps/rps) | event to re-tuned median / p95 (ms beyond ${DEBOUNCE_MS} ms) | daemon VmHWM (KiB) |"
		echo "|---|---|---|---|---|---|---|---|"
		printf '%s\n' "${rows[@]}"
		echo
		echo "Daemon: \`--daemon --all\`, interval 1 s, drift check 3600 s, CPU from /proc/PID/schedstat read every"
		echo "second for $D_SECS s, once start-up and 3 s of samples are over; $D_ROUNDS rounds alternating the binaries."
		echo "Drift check: drift_check = 1, no textfile: CPU per second = one check (and the CPU poll)."
		echo "node_exporter: CPU per scrape of --collector.ethtool (${HZ} Hz ticks over $SCRAPES scrapes), untuned"
		echo "(every queue active, as the report met it) and tuned (as the daemon runs). Bare: bench/bare_sample"
		echo "refresh / interval once a second for $D_SECS s, median per iteration: the daemon's system calls"
		echo "without the daemon (interval: with the textfile written as agent/textfile.c writes it)."
		echo
		echo "| target | measured | met |"
		echo "|---|---|---|"
		printf '%s\n' "${t_rows[@]}"
	} >>"$OUT"
}
