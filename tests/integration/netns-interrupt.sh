#!/usr/bin/env bash
# SIGTERM (and one real SIGINT) during --apply and --revert, on a veth pair (8/8 queues, set to
# rx 1 tx 1) in a private network namespace. MQBALANCE_TEST_SIGTERM_AFTER=N
# makes the pass send itself SIGTERM after N changes: it must finish that
# change, make no other, list each change done and not done, exit 143, and
# leave the state file so that --revert puts everything back. What it
# printed is checked against ethtool -l and the XPS files. (A veth has no
# IRQs: /proc/irq is covered by the applier's unit test, tests/test_apply.c.)
. "$(dirname "$0")/../lib.sh"
need_root "netns-interrupt"
need_tools netns-interrupt ip ethtool python3
cd "$MQ_ROOT_DIR" || exit 1
MQ=$MQ_ROOT_DIR/${MQ_BUILD:-.}/mqbalance
[ -x "$MQ" ] || MQ=$MQ_ROOT_DIR/mqbalance

make_netns || { fail "netns-interrupt: create namespace"; finish; }
IF=mqi0
if ! in_ns ip link add $IF numtxqueues 8 numrxqueues 8 type veth peer name mqi1 \
	numtxqueues 8 numrxqueues 8; then
	skip "netns-interrupt: cannot create a veth (no veth module?)"
	finish
fi
in_ns ip link set $IF up
in_ns ip link set mqi1 up
tmp=$(mktemp -d /tmp/mq-intr-XXXXXX)
trap 'rm -rf "$tmp"; ip netns del "$NS" 2>/dev/null' EXIT
cfg=$tmp/conf
printf 'queues = 4\n' >"$cfg" # 4 queues whatever the machine: enough steps to stop between

chan() { in_ns ethtool -l $IF | awk '/^Current/ {s = 1} s && $1 == "RX:" {r = $2} s && $1 == "TX:" {t = $2} END {print r, t}'; }
reset() {
	in_ns ethtool -L $IF rx 1 tx 1 >/dev/null
	for q in 0 1 2 3 4 5 6 7; do
		in_ns sh -c "echo 0 > /sys/class/net/$IF/queues/tx-$q/xps_cpus" 2>/dev/null
	done
}
xps() { in_ns sh -c "cat /sys/class/net/$IF/queues/tx-$1/xps_cpus 2>/dev/null || echo absent"; }
# tx-Q has no XPS CPUs (or no longer exists)
xps_empty() { local m; m=$(xps "$1"); [ "$m" = absent ] || [ $((16#$(tr -d , <<<"$m"))) = 0 ]; }

# The printed plan against the machine: every "tx-Q xps A -> B" line is B in
# sysfs when ": ok", A when not done; the channel line likewise for ethtool -l.
matches() { # matches OUTPUT
	local line q cur tgt want got
	while IFS= read -r line; do
		if [[ $line =~ ^$IF\ tx-([0-9]+)\ xps\ ([^ ]+)\ -\>\ ([^:]+):\ (.*)$ ]]; then
			q=${BASH_REMATCH[1]} cur=${BASH_REMATCH[2]} tgt=${BASH_REMATCH[3]}
			case ${BASH_REMATCH[4]} in
			ok*) want=$tgt ;;
			*"not done: interrupted by SIG"*) want=$cur ;;
			*) echo "unexpected: $line" >&2; return 1 ;;
			esac
			got=$(xps "$q")
			if ! python3 - "$want" "$got" <<'EOF'; then
import sys
want, got = sys.argv[1], sys.argv[2]
m = 0
for part in ([] if want == "-" else want.split(",")):
    a, _, b = part.partition("-")
    for c in range(int(a), int(b or a) + 1):
        m |= 1 << c
sys.exit(0 if got != "absent" and int(got.replace(",", ""), 16) == m else 1)
EOF
				echo "tx-$q: printed ${BASH_REMATCH[4]} for $cur -> $tgt, sysfs has $got" >&2
				return 1
			fi
		elif [[ $line =~ ^$IF\ channels\ rx\ ([0-9]+)\ -\>\ ([0-9]+)\ tx\ ([0-9]+)\ -\>\ ([0-9]+):\ (.*)$ ]]; then
			case ${BASH_REMATCH[5]} in
			ok*) want="${BASH_REMATCH[2]} ${BASH_REMATCH[4]}" ;;
			*) want="${BASH_REMATCH[1]} ${BASH_REMATCH[3]}" ;;
			esac
			got=$(chan)
			[ "$got" = "$want" ] || { echo "channels: printed $line, ethtool -l has $got" >&2; return 1; }
		fi
	done <<<"$1"
}

# ---- --apply stopped after N changes, N = 0, 1, 2 -------------------------------
for n in 0 1 2; do
	reset
	rm -rf "$MQBALANCE_STATE_DIR"
	out=$(MQBALANCE_TEST_SIGTERM_AFTER=$n in_ns "$MQ" --apply --config "$cfg" $IF 2>&1)
	rc=$?
	printf '%s\n' "$out" | sed 's/^/    /'
	check "netns-interrupt [after $n]: --apply exits 143 (got $rc)" test $rc = 143
	made=$(grep -c ': ok' <<<"$out")
	left=$(grep -c ': skipped: not done: interrupted by SIGTERM$' <<<"$out")
	check "netns-interrupt [after $n]: $n change(s) listed ok, the rest not done ($made ok, $left not done)" \
		test "$made" = "$n" -a "$left" -ge 1
	check "netns-interrupt [after $n]: the summary says so" \
		grep -q "^interrupted by SIGTERM: $n changes\? made, 0 failed, $left not done; the state file keeps the way back (mqbalance --revert)$" <<<"$out"
	check "netns-interrupt [after $n]: ethtool -l and XPS match what it printed" matches "$out"
	if [ "$n" -gt 0 ]; then
		check "netns-interrupt [after $n]: the state file records $IF" grep -q "^nic $IF " "$MQBALANCE_STATE_DIR/state"
		out=$(in_ns "$MQ" --revert $IF 2>&1)
		check "netns-interrupt [after $n]: --revert exits 0 (got $?)" test $? = 0
		check "netns-interrupt [after $n]: --revert puts rx 1 tx 1 back ($(chan))" test "$(chan)" = "1 1"
		check "netns-interrupt [after $n]: ... and tx-0's empty XPS ($(xps 0))" xps_empty 0
	fi
done

# JSON says the same: exit_status 143, the undone items skipped with EINTR.
reset
rm -rf "$MQBALANCE_STATE_DIR"
json=$(MQBALANCE_TEST_SIGTERM_AFTER=1 in_ns "$MQ" --apply --json --config "$cfg" $IF 2>/dev/null)
rc=$?
verdict=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
ok = sum(i["status"] == "ok" for i in d["items"])
nd = [i for i in d["items"] if i["message"] == "not done: interrupted by SIGTERM"]
good = all(i["status"] == "skipped" and i["errno"] == 4 and i["change"] for i in nd)
print("exit=%d ok=%d not_done=%s" % (d["summary"]["exit_status"], ok, "yes" if nd and good else "no"))' <<<"$json")
check "netns-interrupt [json]: exit 143, one ok, the rest skipped with EINTR ($verdict)" \
	test $rc = 143 -a "$verdict" = "exit=143 ok=1 not_done=yes"

# A real SIGINT, no test hook: it is pending when mqbalance starts (blocked
# and raised before exec, both kept across execve), so the pass sees it before
# its first change: nothing made, everything listed as not done, exit 130.
reset
rm -rf "$MQBALANCE_STATE_DIR"
out=$(in_ns python3 -c '
import os, signal, sys
signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
os.kill(os.getpid(), signal.SIGINT)
os.execv(sys.argv[1], sys.argv[1:])' "$MQ" --apply --config "$cfg" $IF 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
check "netns-interrupt [SIGINT]: --apply exits 130 (got $rc)" test $rc = 130
check "netns-interrupt [SIGINT]: the summary says so" \
	grep -q "^interrupted by SIGINT: 0 changes made, 0 failed, [1-9][0-9]* not done" <<<"$out"
check "netns-interrupt [SIGINT]: nothing changed (ethtool -l $(chan), tx-0 XPS $(xps 0))" \
	sh -c '[ "$1" = "1 1" ]' _ "$(chan)"
check "netns-interrupt [SIGINT]: tx-0's XPS still empty" xps_empty 0

# ---- --revert stopped after its first change, then run again ----------------------
in_ns "$MQ" --apply --config "$cfg" $IF >/dev/null 2>&1
tuned=$(chan)
out=$(MQBALANCE_TEST_SIGTERM_AFTER=1 in_ns "$MQ" --revert $IF 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
check "netns-interrupt [revert]: exits 143 (got $rc)" test $rc = 143
check "netns-interrupt [revert]: ethtool -l and XPS match what it printed" matches "$out"
check "netns-interrupt [revert]: the record stays for the rest" grep -q "^nic $IF " "$MQBALANCE_STATE_DIR/state"
out=$(in_ns "$MQ" --revert $IF 2>&1)
check "netns-interrupt [revert]: a second --revert finishes (exit $?)" test $? = 0
check "netns-interrupt [revert]: rx 1 tx 1 again (was $tuned, now $(chan))" test "$(chan)" = "1 1"
all_xps_empty() { for q in 0 1 2 3; do xps_empty $q || return 1; done; }
check "netns-interrupt [revert]: every XPS mask back to empty" all_xps_empty
check "netns-interrupt [revert]: then nothing is left to revert" \
	grep -q '^nothing to revert' <<<"$(in_ns "$MQ" --revert $IF 2>&1)"
finish
