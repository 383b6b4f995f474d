# Benchmark helpers: private network namespaces full of veth. Source it.
# Nothing here touches the host's interfaces: every device is created inside
# $NS (measured side) with its peer in $NS-p.

# bench_ns_up N Q: namespace $NS with N veth (b0..) of Q rx / Q tx queues,
# channels set with ethtool -L, all up. Peers live in $NS-p.
bench_ns_up() {
	local n=$1 q=$2 i
	NS=mqb-$$-$RANDOM
	ip netns add "$NS" || return 1
	ip netns add "$NS-p" || { ip netns del "$NS"; return 1; }
	ip -n "$NS" link set lo up
	for ((i = 0; i < n; i++)); do
		ip -n "$NS" link add b$i numtxqueues "$q" numrxqueues "$q" type veth \
			peer name p$i netns "$NS-p" numtxqueues "$q" numrxqueues "$q" || return 1
		ip netns exec "$NS" ethtool -L b$i rx "$q" tx "$q" 2>/dev/null
		ip -n "$NS" link set b$i up
		ip -n "$NS-p" link set p$i up
	done
}

bench_ns_down() {
	[ -n "${NS:-}" ] || return 0
	ip netns del "$NS" 2>/dev/null
	ip netns del "$NS-p" 2>/dev/null
	NS=
}

in_ns() { ip netns exec "$NS" "$@"; }
# Start a program in $NS in the background; BG is its pid (ip netns exec execs it).
bg_in_ns() {
	ip netns exec "$NS" "$@" &
	BG=$!
}

# CPU ticks (utime + stime) of a process, from /proc/PID/stat.
proc_ticks() {
	# the comm field may contain spaces: cut after the last ')'
	sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'
}

# kB value of a /proc/PID/status field (VmHWM, VmRSS).
proc_kb() { awk -v k="$2:" '$1 == k {print $2}' "/proc/$1/status"; }

# Median and 95th percentile of numbers on stdin: "median p95".
med_p95() {
	sort -n | awk '{v[NR] = $1} END {if (!NR) {print "- -"; exit}
		m = NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
		p = v[int(NR * 0.95 + 0.999)]; if (p == "") p = v[NR]
		printf "%g %g\n", m, p}'
}
