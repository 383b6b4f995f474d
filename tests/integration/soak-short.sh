#!/usr/bin/env bash
# Soak: the daemon (ASan build if there is one) through thousands of events in
# a private network namespace: link flaps, channel changes by hand, veth pairs
# added and deleted. Asserts no fd growth, RSS growth under a small bound, no
# sanitizer report, and a daemon that still answers (restores channels changed
# by hand, exits 0 on SIGTERM). Never touches the host's interfaces.
#
# MQ_SOAK_SECONDS (default 45) bounds the churn; MQ_SOAK_WRAPPER runs the daemon
# under a tool, e.g. "valgrind --leak-check=full --errors-for-leak-kinds=definite
# --error-exitcode=99" (then the plain build is used and the exit status checked).
. "$(dirname "$0")/../lib.sh"
need_root "soak-short"
cd "$MQ_ROOT_DIR" || exit 1
need_tools soak-short ip ethtool

SECS=${MQ_SOAK_SECONDS:-45}
WRAP=${MQ_SOAK_WRAPPER:-}
if [ -z "$WRAP" ] && [ -x build/asan/mqbalance ]; then
	BIN=build/asan/mqbalance
	KIND=asan
	# A small quarantine: freed memory is reused soon, so RSS says something.
	export ASAN_OPTIONS=detect_leaks=1:quarantine_size_mb=1:abort_on_error=0
	RSS_BOUND=2048
else
	BIN=./mqbalance
	[ -x "$BIN" ] || make --no-print-directory all >/dev/null || { fail "soak-short: build"; finish; }
	KIND=${WRAP:+${WRAP%% *}}
	KIND=${KIND:-plain}
	RSS_BOUND=512
fi

make_netns || { fail "soak-short: create namespace"; finish; }
TMP=$(mktemp -d /tmp/mqsoak.XXXXXX)
PID=
cleanup() {
	[ -n "$PID" ] && kill -9 "$PID" 2>/dev/null
	ip netns del "$NS" 2>/dev/null
	[ -n "${MQ_SOAK_LOG:-}" ] && cp "$TMP/log" "$MQ_SOAK_LOG"
	rm -rf "$TMP"
}
trap cleanup EXIT

NPAIRS=4
add_pair() { in_ns ip link add "$1" numtxqueues 4 numrxqueues 4 type veth peer name "$1p" \
	numtxqueues 4 numrxqueues 4 && in_ns ip link set "$1" up && in_ns ip link set "$1p" up; }
for ((i = 0; i < NPAIRS; i++)); do
	add_pair s$i || { skip "soak-short: cannot create a veth (no veth module?)"; exit 0; }
done

printf 'prom_file = off\ninterval = 1\n' >"$TMP/mq.conf"
# shellcheck disable=SC2086 # WRAP is a command line
ip netns exec "$NS" $WRAP "$BIN" --daemon --all --config "$TMP/mq.conf" >"$TMP/log" 2>&1 &
PID=$!

# Wait until the log has been quiet for $1 tenths of a second (at most 60 s).
quiet() {
	local size=-1 q=0 i
	for ((i = 0; i < 600 && q < $1; i++)); do
		sleep 0.1
		kill -0 "$PID" 2>/dev/null || return 1
		if [ "$(stat -c %s "$TMP/log")" = "$size" ]; then q=$((q + 1)); else q=0; fi
		size=$(stat -c %s "$TMP/log")
	done
}
fds() { ls "/proc/$PID/fd" 2>/dev/null | wc -l; }
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$PID/status" 2>/dev/null; }
cur_rx() { in_ns ethtool -l "$1" | awk '/^Current/ {s = 1} s && $1 == "RX:" {print $2; exit}'; }

quiet 15 || { fail "soak-short: daemon ($KIND) died at start"; sed 's/^/    /' "$TMP/log"; finish; }
# One round of everything first: allocations that are made once are made now.
in_ns ip link set s0 down; in_ns ip link set s0 up; in_ns ethtool -L s1 rx 1 tx 1
add_pair x0 && in_ns ip link del x0
quiet 25
fd0=$(fds) rss0=$(rss)

events=0 end=$((SECONDS + SECS)) half=$((SECONDS + SECS / 2)) fd1= rss1= n=0
while [ $SECONDS -lt $end ]; do
	i=$((RANDOM % NPAIRS))
	case $((RANDOM % 4)) in
	0) in_ns ip link set s$i down && in_ns ip link set s$i up && events=$((events + 2)) ;;
	1) in_ns ethtool -L s$i rx $((RANDOM % 4 + 1)) tx $((RANDOM % 4 + 1)) 2>/dev/null &&
		events=$((events + 1)) ;;
	2) add_pair y$n && in_ns ip link del y$n && events=$((events + 2)) ;;
	3) in_ns ip -batch - <<-EOB && events=$((events + 8))
		link set s$i down
		link set s$i up
		link set s$i down
		link set s$i up
		link set s$i down
		link set s$i up
		link set s$i down
		link set s$i up
		EOB
		;;
	esac
	n=$((n + 1))
	if [ -z "$fd1" ] && [ $SECONDS -ge $half ]; then fd1=$(fds) rss1=$(rss); fi
done
quiet 25
fd2=$(fds) rss2=$(rss)
retunes=$(grep -c 're-tuning' "$TMP/log")
echo "    $KIND: $events events in ${SECS}s, $retunes retunes; fds $fd0/${fd1:-?}/$fd2," \
	"VmRSS $rss0/${rss1:-?}/$rss2 KiB (start/middle/end)"

check "soak-short: daemon ($KIND) alive after $events events" kill -0 "$PID"
check "soak-short: thousands of events ($events >= $((SECS * 20)))" test "$events" -ge $((SECS * 20))
check "soak-short: no fd growth ($fd0 -> $fd2)" test "${fd2:-999}" -le "${fd0:-0}"
if [ -n "$WRAP" ]; then
	skip "soak-short: RSS under $KIND: the tool's own memory, not the daemon's ($rss0 -> $rss2)"
else
	check "soak-short: RSS growth under $RSS_BOUND KiB ($rss0 -> $rss2)" \
		test $((${rss2:-999999} - ${rss0:-0})) -le "$RSS_BOUND"
fi

# Still answering: a channel change by hand is undone (not within 1 s of its own).
want=$(cur_rx s2)
new=$((want == 1 ? 2 : 1))
in_ns ethtool -L s2 rx $new tx $new
for ((i = 0; i < 100; i++)); do
	[ "$(cur_rx s2)" = "$want" ] && break
	sleep 0.05
done
check "soak-short: restores s2's channels changed by hand ($new -> $want)" test "$(cur_rx s2)" = "$want"

kill -TERM "$PID"
wait "$PID"
rc=$?
PID=
check "soak-short: SIGTERM exits 0 (got $rc)" test "$rc" = 0
if grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error:|Invalid (read|write)|definitely lost: [1-9]' "$TMP/log"; then
	fail "soak-short: sanitizer/valgrind report"
	grep -E -A20 'ERROR: |runtime error:|Invalid|definitely lost' "$TMP/log" | head -60 | sed 's/^/    /'
else
	ok "soak-short: no sanitizer or valgrind report"
fi
[ -n "$WRAP" ] && grep -E 'ERROR SUMMARY|definitely lost|indirectly lost|in use at exit' "$TMP/log" | sed 's/^/    /'
finish
