#!/usr/bin/env bash
# The tuning pass (probe, plan, apply, re-probe, apply again) against a veth
# pair with 8/8 queues set to rx 1 tx 1, in a private network namespace; the
# result is read back with ethtool -l and sysfs. Never touches the host's own
# interfaces or IRQs (a veth has none).
. "$(dirname "$0")/../lib.sh"
need_root "netns-apply"
cd "$MQ_ROOT_DIR" || exit 1

BIN=${MQ_BUILD:-build}/tests/test_live_apply
if [ ! -x "$BIN" ]; then
	make --no-print-directory tests >/dev/null || { fail "netns-apply: build tests"; finish; }
fi
need_tools netns-apply ip ethtool

make_netns || { fail "netns-apply: create namespace"; finish; }
IF=mqa0
PEER=mqa1
if ! in_ns ip link add $IF numtxqueues 8 numrxqueues 8 type veth peer name $PEER \
	numtxqueues 8 numrxqueues 8; then
	skip "netns-apply: cannot create a veth (no veth module?)"
	exit 0
fi
check "netns-apply: ethtool -L $IF rx 1 tx 1" in_ns ethtool -L $IF rx 1 tx 1
in_ns ip link set $IF up
in_ns ip link set $PEER up

out=$(MQ_TEST_IFACE=$IF in_ns "$BIN" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && grep -q '^\[  PASSED  \] 1 test' <<<"$out"; then
	ok "netns-apply: dry run writes nothing, apply tunes, second apply is a no-op"
else
	fail "netns-apply: test_live_apply exited $rc"
fi

want=$(sed -n 's/^MQ_RESULT_CHANNELS=//p' <<<"$out")
chan=$(in_ns ethtool -l $IF)
cur() { awk -v key="$1" '/^Current hardware settings/ {s = 1} s && $1 == key":" {print $2; exit}' <<<"$chan"; }
if [ -n "$want" ] && [ "$(cur RX)" = "$want" ] && [ "$(cur TX)" = "$want" ]; then
	ok "netns-apply: ethtool -l shows rx $want tx $want"
else
	fail "netns-apply: ethtool -l: rx $(cur RX) tx $(cur TX), want ${want:-?}"
fi
# Every tx queue has an XPS mask, and no two share a CPU.
seen=0 dup=0 empty=0
for f in $(in_ns sh -c "ls /sys/class/net/$IF/queues/tx-*/xps_cpus"); do
	m=$(in_ns cat "$f" | tr -d ',' | sed 's/^0*//')
	# more than 60 CPUs do not fit bash arithmetic: compare the low 60 only
	[ ${#m} -gt 15 ] && m=${m: -15}
	v=$((16#${m:-0}))
	[ "$v" = 0 ] && empty=1
	[ $((seen & v)) != 0 ] && dup=1
	seen=$((seen | v))
done
if [ "${want:-0}" -gt 1 ]; then
	check "netns-apply: every tx queue has its own XPS CPUs" test "$empty$dup" = 00
else
	skip "netns-apply: XPS check: one queue only (one usable CPU)"
fi

# One truth, as a user sees it: under configs that clamp or skip things, the
# second --apply has nothing to do, and then the report recommends nothing
# --apply would not do (no finding with an apply fix, no pending change).
MQ=$MQ_ROOT_DIR/${MQ_BUILD:-.}/mqbalance
[ -x "$MQ" ] || MQ=$MQ_ROOT_DIR/mqbalance
cfg=$(mktemp)
trap 'rm -f "$cfg"; ip netns del "$NS" 2>/dev/null' EXIT
usable=$(nproc)
for conf in "queues = 8" "queues = max" "banned_cpus = 0" "xps = off" "rps = on" \
	"irq_affinity = off" "[$IF]\nqueues = 1\nrps = on" "queues = 3\nxps = off\nrps = on"; do
	printf "$conf\n" >"$cfg"
	name=$(printf '%s' "$conf" | sed 's/\\n/; /g')
	in_ns ethtool -L $IF rx 1 tx 1 >/dev/null 2>&1
	in_ns "$MQ" --apply --config "$cfg" $IF >/dev/null 2>&1
	second=$(in_ns "$MQ" --apply --config "$cfg" $IF 2>&1)
	check "netns-apply [$name]: a second --apply has nothing to do" \
		grep -q '^nothing to do: everything is already tuned' <<<"$second"
	json=$(in_ns "$MQ" --report --json --interval 0 --config "$cfg" $IF 2>/dev/null)
	verdict=$(python3 -c '
import json, sys
d = json.load(sys.stdin)
bad = [f["code"] for f in d["findings"] if f["fix_kind"] == "apply" or "--apply" in (f["fix"] or "")]
print("pending=%d bad=%s" % (d["pending_changes"], ",".join(bad)))' <<<"$json")
	check "netns-apply [$name]: the report then recommends nothing (${verdict:-no JSON})" \
		test "$verdict" = "pending=0 bad="
done
# queues = 8 on this machine: clamped to the usable CPUs, seen by ethtool -l
printf 'queues = 8\n' >"$cfg"
in_ns "$MQ" --apply --config "$cfg" $IF >/dev/null 2>&1
chan=$(in_ns ethtool -l $IF)
want=$((usable < 8 ? usable : 8))
check "netns-apply [queues = 8]: ethtool -l shows rx $want tx $want (clamped to $usable CPUs)" \
	test "$(cur RX) $(cur TX)" = "$want $want"
finish
