#!/usr/bin/env bash
# --watch through a real terminal (tmux): it fits 80x24, redraws at once on a
# resize, `q` quits with status 0 and gives the terminal back; without a
# terminal it prints one block per interval; between events an interval
# reads counters only, and a channel change shows in the next block.
# Read-only but for one `ethtool -L` on a veth pair in a private namespace.
. "$(dirname "$0")/../lib.sh"
need_root "watch"
need_tools watch ip tmux strace ethtool
make_netns || { fail "watch: cannot create a network namespace"; finish; }
tmp=$(mktemp -d)
sock="$tmp/tmux"
trap 'tmux -S "$sock" kill-server 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"' EXIT
in_ns ip link add wa numtxqueues 4 numrxqueues 4 type veth peer wb
in_ns ip link set wa up
in_ns ip link set wb up

# the pane's text, its widest line and its line count
pane() { tmux -S "$sock" capture-pane -t w -p > "$tmp/pane"; }
widest() { awk '{ if (length($0) > w) w = length($0) } END { print w + 0 }' "$tmp/pane"; }
wait_pane() { # PATTERN: up to 10 s
	for _ in $(seq 100); do pane; grep -q -- "$1" "$tmp/pane" && return 0; sleep 0.1; done
	return 1
}

tmux -S "$sock" new-session -d -s w -x 80 -y 24 \
	"ip netns exec $NS $MQ --watch --interval 0.3 wa; echo \"EXIT \$?\" > $tmp/status; sleep 30"
if wait_pane "per CPU over"; then
	ok "watch: the live view draws, with rates after an interval"
else
	sed 's/^/#   /' "$tmp/pane"
	fail "watch: no frame with rates in 10 s"
fi
check "watch: 80x24 in the header" grep -q " 80x24 " "$tmp/pane"
check "watch: no line wider than 80 columns (widest $(widest))" test "$(widest)" -le 80
check "watch: the veth's queues are shown" grep -qE "^wa veth: 4 queues" "$tmp/pane"
check "watch: a row per queue" test "$(grep -cE '^ +[0-3] +- ' "$tmp/pane")" = 4

tmux -S "$sock" resize-window -t w -x 60 -y 12
if wait_pane " 60x12 "; then
	ok "watch: a resize redraws at once (60x12 in the header)"
else
	fail "watch: no redraw after the resize"
fi
check "watch: after the resize no line wider than 60 (widest $(widest))" test "$(widest)" -le 60
check "watch: after the resize at most 12 lines" test "$(grep -c '' "$tmp/pane")" -le 12
check "watch: what does not fit is said" grep -q "more queues than fit" "$tmp/pane"

tmux -S "$sock" send-keys -t w q
for _ in $(seq 50); do [ -s "$tmp/status" ] && break; sleep 0.1; done
check "watch: q quits with status 0" grep -qx "EXIT 0" "$tmp/status"
pane
check "watch: the terminal is given back (no frame left on screen)" test "$(grep -c 'mqbalance --watch' "$tmp/pane")" = 0

# Without a terminal: a block per interval, until SIGINT, which exits 0.
timeout -s INT --preserve-status 2 ip netns exec "$NS" "$MQ" --watch --interval 0.5 wa > "$tmp/blocks" 2>&1
rc=$?
n=$(grep -c '^mqbalance --watch' "$tmp/blocks")
check "watch: without a terminal, one block per interval ($n in 2 s)" test "$n" -ge 3 -a "$n" -le 5
check "watch: SIGINT ends it with status 0 (got $rc)" test "$rc" = 0
check "watch: no terminal control codes without a terminal" test "$(grep -c $'\033' "$tmp/blocks")" = 0

# A state file that does not parse: the view goes on without "tuned since" marks.
mkdir -p "$MQBALANCE_STATE_DIR"
printf 'not a state file\n' > "$MQBALANCE_STATE_DIR/state"
timeout -s INT --preserve-status 2 ip netns exec "$NS" "$MQ" --watch --interval 0.5 wa > "$tmp/blocks" 2>&1
rc=$?
n=$(grep -c '^mqbalance --watch' "$tmp/blocks")
rm -f "$MQBALANCE_STATE_DIR/state"
check "watch: a broken state file changes nothing ($n blocks in 2 s, status $rc)" test "$n" -ge 3 -a "$rc" = 0

# Between events an interval refreshes counters, not the machine: over seven
# intervals the queues' XPS files are read by two probes only, the first and
# the one the channel change (an ethtool netlink event) brought.
in_ns ethtool -L wa rx 4 tx 4
timeout -s INT --preserve-status 2.2 ip netns exec "$NS" strace -f -e trace=openat -o "$tmp/strace" \
	"$MQ" --watch --interval 0.3 wa >"$tmp/blocks" 2>&1 &
sleep 1
in_ns ethtool -L wa rx 2 tx 2
wait
n=$(grep -c '^mqbalance --watch' "$tmp/blocks")
xps=$(grep -c '/xps_cpus"' "$tmp/strace")
check "watch: $n blocks, the queues' XPS read $xps times: two probes (4 + 2 queues), not one per block" \
	test "$n" -ge 5 -a "$xps" = 6
check "watch: the channel change shows in the next blocks (4 queues, then 2)" \
	test "$(grep '^wa veth' "$tmp/blocks" | uniq | awk '{print $3}' | tr '\n' ' ')" = "4 2 "
finish
