#!/usr/bin/env bash
# Between events the daemon reads counters, not the machine: strace on the
# running daemon in a private namespace sees no queue or IRQ file opened
# between drift checks while the textfile is rewritten; an event still brings
# a full probe and a re-tune; the drift check opens only the XPS/RPS files of
# active queues (no queue directory listing: not a probe) and undoes an XPS
# mask written by hand, which raises no event.
. "$(dirname "$0")/../lib.sh"
need_root "daemon-steady"
need_tools "daemon-steady" strace ethtool
make_netns || { fail "daemon-steady: cannot create a network namespace"; finish; }
tmp=$(mktemp -d)
pid=
trap 'kill "$pid" "$spid" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"' EXIT

for i in 0 1 2 3; do
	ip -n "$NS" link add s$i numtxqueues 4 numrxqueues 4 type veth peer t$i numtxqueues 4 numrxqueues 4
	ip -n "$NS" link set s$i up
	ip -n "$NS" link set t$i up
done
ncpu=$(nproc)
want=$((ncpu < 4 ? ncpu : 4))
prom=$tmp/prom/mqbalance.prom
mkdir "$tmp/prom"

channels() { in_ns ethtool -l "$1" | awk '/^Current/ {c=1} c && /^RX:/ {print $2; exit}'; }
# wait_for SECONDS command...: poll every 50 ms.
wait_for() {
	local end=$((SECONDS + $1))
	shift
	until "$@"; do
		[ $SECONDS -ge $end ] && return 1
		sleep 0.05
	done
}
is_rx() { [ "$(channels "$1")" = "$2" ]; }
# start DRIFT_CHECK: the daemon over s0..s3, textfile every 0.25 s.
start() {
	printf 'interval = 0.25\nprom_file = %s\ndrift_check = %s\n[s0]\n[s1]\n[s2]\n[s3]\n' \
		"$prom" "$1" >"$tmp/c.conf"
	ip netns exec "$NS" "$MQ" -v --daemon --config "$tmp/c.conf" >"$tmp/log" 2>&1 &
	pid=$!
	wait_for 10 is_rx s3 "$want" && wait_for 10 test -s "$prom" &&
		wait_for 10 grep -q "^mqbalance_build_info" "$prom"
}
stop() {
	kill -TERM "$pid"
	wait "$pid"
}
# trace SECONDS OUT: openat, rename and fsync of the daemon for a while.
trace() {
	strace -qq -f -e trace=openat,rename,renameat,renameat2,fsync -p "$pid" -o "$2" &
	spid=$!
	sleep "$1"
	kill -INT "$spid"
	wait "$spid" 2>/dev/null
}
queue_files() { grep -cE '/queues/|/proc/irq/|xps_cpus|rps_cpus|smp_affinity' "$1"; }

start 3600 || fail "daemon-steady: start-up tuning (channels $(channels s3), want $want)"
sleep 1 # past the echo of our own channel change (its quiet verification pass)
trace 2 "$tmp/steady.tr"
renames=$(grep -cE "rename(at2?)?\(.*mqbalance\.prom" "$tmp/steady.tr")
check "daemon-steady: textfile rewritten between drift checks ($renames times in 2 s)" test "$renames" -ge 4
# the periodic textfile: no flush to disk, its directory kept open (no openat of it)
n=$(grep -c '^[0-9]* *fsync(' "$tmp/steady.tr")
check "daemon-steady: the periodic textfile is not fsync'd ($n fsync in 2 s)" test "$n" -eq 0
n=$(grep -cE "openat\(.*\"$(basename "$tmp")\"|openat\([^)]*\"prom\"" "$tmp/steady.tr")
check "daemon-steady: the textfile's directory stays open ($n opens of it in 2 s)" test "$n" -eq 0
n=$(queue_files "$tmp/steady.tr")
check "daemon-steady: no queue or IRQ file opened between drift checks ($n opens)" test "$n" -eq 0
[ "$n" -eq 0 ] || grep -E '/queues/|/proc/irq/' "$tmp/steady.tr" | head -5 | sed 's/^/  strace: /'
check "daemon-steady: the textfile's device totals are fresh" \
	grep -q '^mqbalance_device_info{device="s0"' "$prom"

# An event: a full probe (queue files) and the channels restored.
strace -qq -f -e trace=openat -p "$pid" -o "$tmp/event.tr" &
spid=$!
sleep 0.3
in_ns ethtool -L s1 rx 1 tx 1
if wait_for 10 is_rx s1 "$want"; then
	ok "daemon-steady: a channel change by hand is undone"
else
	fail "daemon-steady: s1 stayed at rx $(channels s1)"
fi
sleep 0.5
kill -INT "$spid"
wait "$spid" 2>/dev/null
n=$(grep -c 'xps_cpus' "$tmp/event.tr")
check "daemon-steady: the event brought a full probe ($n xps_cpus opens)" test "$n" -ge 4
stop

# Drift checks every second: only the masks of active queues, never a listing.
start 1 || fail "daemon-steady: second start"
sleep 1.5
trace 2.6 "$tmp/drift.tr"
x=$(grep -c 'xps_cpus' "$tmp/drift.tr")
d=$(grep -cE '/queues", ' "$tmp/drift.tr")
active=$((4 * want))
check "daemon-steady: drift checks read XPS of the active queues ($x opens, $active a check)" \
	test "$x" -ge "$active" -a $((x % active)) -eq 0
check "daemon-steady: drift checks list no queue directory ($d listings)" test "$d" -eq 0
# XPS written by hand raises no event: the drift check must find it.
if [ "$want" -ge 2 ]; then
	before=$(in_ns cat /sys/class/net/s2/queues/tx-1/xps_cpus)
	in_ns sh -c 'echo 0 > /sys/class/net/s2/queues/tx-1/xps_cpus'
	xps_is() { [ "$(in_ns cat /sys/class/net/s2/queues/tx-1/xps_cpus)" = "$1" ]; }
	if wait_for 5 xps_is "$before"; then
		ok "daemon-steady: an XPS mask changed by hand is restored by the drift check"
	else
		fail "daemon-steady: s2 tx-1 xps_cpus stayed $(in_ns cat /sys/class/net/s2/queues/tx-1/xps_cpus), want $before"
	fi
else
	skip "daemon-steady: one CPU: no XPS is planned"
fi
stop
rc=$?
check "daemon-steady: SIGTERM exits 0 (got $rc)" test "$rc" -eq 0
[ $_failed -ne 0 ] && sed "s/^/  log: /" "$tmp/log"
finish
