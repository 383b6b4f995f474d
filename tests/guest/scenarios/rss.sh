#!/bin/bash
# guest: smp=4 nics=virtio:4:rss,virtio:4 timeout=360
# mqbalance issue 11: a hand-set RSS indirection table (`ethtool -X eth0
# equal 2`) on a 4-queue NIC whose device does RSS (qemu rss=on) leaves RX
# queues 2-3 without a packet. The probe (probes/rss.c) must see the table,
# the analysis (core/rss.c) 2 of 4 queues covered, the setter (agent/rss.c)
# put back the even spread, checked with ethtool -x and per-queue RX IRQ
# counts under traffic. The probe through tests/tools/rss-probe too (its
# reading of the raw table), the rest as a user runs it: `mqbalance --report
# --json`, `--check`, `--dry-run`, `--apply`.
. /mq/guestlib.sh

PROBE=/mq/tools/rss-probe
[ -x $PROBE ] || skip_all "no /mq/tools/rss-probe in the guest (make tests)"
mapfile -t virtio < <(nics_by_driver virtio_net)
check_eq "two virtio_net NICs" 2 "${#virtio[@]}"
[ "${#virtio[@]}" -ge 2 ] || skip_all "needs two virtio_net NICs"
a=${virtio[0]} b=${virtio[1]} # a: rss=on (first in the header), b: without RSS
check_eq "$a: ethtool -l combined current" 4 "$(channels_combined "$a")"

# ethtool -x as the independent reading: the table as one line, ring count, key bytes, function.
xtable() { $ETHTOOL -x "$1" | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) { printf "%s%s", s, $i; s = " " } }'; }
xrings() { $ETHTOOL -x "$1" | sed -nE 's/.* with ([0-9]+) RX ring.*/\1/p'; }
xkey() { $ETHTOOL -x "$1" | awk 'k { print split($0, b, ":"); exit } /^RSS hash key:/ { k = 1 }'; }
xfunc() { $ETHTOOL -x "$1" | awk '$2 == "on" { sub(":", "", $1); print $1 }'; }
spread() { local i s=; for ((i = 0; i < $2; i++)); do s+="${s:+ }$((i % $1))"; done; echo "$s"; }
# rss-probe's key=value line into P[...], its table into PT.
declare -A P
probe() {
	local out line kv
	out=$($PROBE "$@")
	PRC=$?
	P=()
	PT=
	while read -r line; do
		case $line in
		indir=*) PT=${line#indir=} ;;
		*) for kv in $line; do P[${kv%%=*}]=${kv#*=}; done ;;
		esac
	done <<<"$out"
	echo "rss-probe $*: rc $PRC: $(head -n1 <<<"$out")"
}
# Per RX queue of $1: input IRQ count (both kernels) and ethtool -S rx_queue_N_packets (6.1).
declare -A IRQ0 PKT0
rx_mark() {
	local q irq k
	k=$(virtio_index "$1")
	for q in 0 1 2 3; do
		irq=$(irq_by_name "virtio$k-input.$q")
		IRQ0[$q]=$(irq_count "$irq")
		PKT0[$q]=$($ETHTOOL -S "$1" | awk -v n="rx_queue_${q}_packets:" '$1 == n { print $2 }')
	done
}
# RXD[q]: IRQs on queue q since rx_mark; RXP[q]: packets (empty without the counter).
declare -A RXD RXP
rx_delta() {
	local q irq k p
	k=$(virtio_index "$1")
	for q in 0 1 2 3; do
		irq=$(irq_by_name "virtio$k-input.$q")
		RXD[$q]=$(( $(irq_count "$irq") - IRQ0[$q] ))
		p=$($ETHTOOL -S "$1" | awk -v n="rx_queue_${q}_packets:" '$1 == n { print $2 }')
		RXP[$q]=${p:+$((p - PKT0[$q]))}
	done
	echo "$1 RX since mark: irqs q0..3 ${RXD[0]} ${RXD[1]} ${RXD[2]} ${RXD[3]}; packets ${RXP[0]:--} ${RXP[1]:--} ${RXP[2]:--} ${RXP[3]:--}"
}
# 16 streams both ways = 32 TCP flows hashed onto 4 queues: the chance that
# hashing alone leaves a queue without a flow is 4 * (3/4)^32 < 0.1 %
# (with -P 8 it would be ~4 %). STALLED=1 when iperf3 had not ended 25 s
# after its 3 s run (then it is killed): qemu 7.2's software RSS can strand
# flows for good whatever the table, the driver's own included, the more
# often the slower the guest (docs/guest-harness.md). So whether iperf3 ends
# is qemu's business, not a check; what the device did until then is: the
# RX interrupts per queue, counted from the caller's rx_mark.
run_traffic() {
	local i
	STALLED=0
	traffic_setup "$a" "$b" || fail "traffic between $a and $b: no connection"
	traffic_start 3 16
	for ((i = 0; i < 125; i++)); do
		kill -0 "$_traffic_pid" 2>/dev/null || break
		sleep 0.2
	done
	if kill -0 "$_traffic_pid" 2>/dev/null; then
		STALLED=1
		echo "iperf3 still running 25 s after a 3 s run: stalled (qemu software RSS, docs/guest-harness.md), killed; the IRQ counts stand"
		kill "$_traffic_pid"
		wait "$_traffic_pid"
	elif ! traffic_wait; then
		fail "iperf3 -P 16 --bidir between $a and $b"
	fi
	grep -E 'SUM.*receiver' /run/iperf3.out
	traffic_teardown "$b"
	rx_delta "$a"
}
# judged_traffic "QUEUES" CMD...: rx_mark and run_traffic; when iperf3
# stalled before every queue in QUEUES had an RX interrupt, run CMD (the same
# table sent again: an RSS command makes qemu flush the packets it holds
# back) and the traffic once more, counting both runs (no new mark).
judged_traffic() {
	local want=$1 q short=
	shift
	rx_mark "$a"
	run_traffic
	[ $STALLED = 1 ] || return 0
	for q in $want; do
		[ "${RXD[$q]}" -gt 0 ] || short+=" $q"
	done
	[ -n "$short" ] || return 0
	echo "iperf3 stalled before queue(s)$short had an RX IRQ: $* and once more"
	"$@"
	run_traffic
}

# ---- the device's own table -------------------------------------------------
if $ETHTOOL -x "$a" >/dev/null 2>&1; then
	ok "$a: ethtool -x works (rss=on)"
else
	fail "$a: ethtool -x: $($ETHTOOL -x "$a" 2>&1 | head -n1)"
	finish
fi
$ETHTOOL -x "$a"
t=$(xtable "$a")
n=$(wc -w <<<"$t")
check_eq "$a: ethtool -x: 128 entries" 128 "$n"
check_eq "$a: ethtool -x: 4 RX rings" 4 "$(xrings "$a")"
check_eq "$a: ethtool -x: 40-byte key" 40 "$(xkey "$a")"
check_eq "$a: ethtool -x: hash function" toeplitz "$(xfunc "$a")"
check_eq "$a: the driver's table is the even spread over 4" "$(spread 4 128)" "$t"
if [ "$MQ_LABEL" = 6.1 ]; then src=ioctl; else src=netlink; fi
probe "$a"
check_eq "$a: rss-probe reads the table" 0 "$PRC"
check_eq "$a: rss-probe source (RSS_GET from 6.2 on)" "$src" "${P[source]}"
check_eq "$a: rss-probe n, key_size, hfunc" "128 40 toeplitz" "${P[n]} ${P[key_size]} ${P[hfunc]}"
check_eq "$a: rss-probe table = ethtool -x" "$t" "$PT"
check_eq "$a: analysis: 4 of 4 covered, default, nothing to reset" "4 0 1 0" \
	"${P[covered]} ${P[left_out]} ${P[default]} ${P[reset_helps]}"
if [ "$src" = netlink ]; then
	$PROBE "$a" --dump /tmp/rss-get-virtio-default.bin >/dev/null
	export_file /tmp/rss-get-virtio-default.bin "rss-get-virtio-default-$MQ_LABEL.bin"
fi

# The NIC without rss=on: virtio_net still answers, with no table and no key.
probe "$b"
$ETHTOOL -x "$b" 2>&1
check_eq "$b (no rss=on): rss-probe: read, no table, no key, nothing to analyse" "0 0 0 -61" \
	"$PRC ${P[n]:-} ${P[key_size]:-} ${P[analysis]:-}"
probe "$b" --reset
check_eq "$b (no rss=on): the setter fails with the kernel's EOPNOTSUPP" "-95" "${P[reset]:-}"

# ---- the issue: ethtool -X equal 2 with 4 active queues ---------------------
check "$a: ethtool -X equal 2" $ETHTOOL -X "$a" equal 2
t=$(xtable "$a")
check_eq "$a: ethtool -x: queues 0-1 only" "$(spread 2 128)" "$t"
probe "$a"
check_eq "$a: rss-probe table = ethtool -x" "$t" "$PT"
check_eq "$a: analysis: 2 of 4 covered, 2-3 left out, first 2" "2 2 2-3 2" \
	"${P[covered]} ${P[left_out]} ${P[left_out_queues]} ${P[first_left_out]}"
check_eq "$a: analysis: max share 0.5, uneven, not default, reset helps" "0.500 0 0 1" \
	"${P[max_share]} ${P[even]} ${P[default]} ${P[reset_helps]}"
if [ "$src" = netlink ]; then
	$PROBE "$a" --dump /tmp/rss-get-virtio-equal2.bin >/dev/null
	export_file /tmp/rss-get-virtio-equal2.bin "rss-get-virtio-equal2-$MQ_LABEL.bin"
fi
# What mqbalance says about it, and what it would do.
$MQ --report --json --interval 0 "$a" >/tmp/rss1.json 2>/tmp/rss1.err
check_eq "--report exits 0 with the hand-set table" 0 "$?"
report_load /tmp/rss1.json
check_eq "$a: --report: rss.queues_covered 2 of rx_queues 4" "2 4" \
	"${R[if.$a.rss.queues_covered]:-} ${R[if.$a.rss.rx_queues]:-}"
check_eq "$a: --report: rss.queues_left_out" "2,3" "${R[if.$a.rss.queues_left_out]:-}"
check_eq "$a: --report: finding rss_leaves_out" 1 "$(report_findings rss_leaves_out "$a")"
$MQ --check --interval 0 "$a" >/dev/null 2>&1
check_eq "$a: --check exits 1 (a warning --apply fixes)" 1 "$?"
dry=$($MQ --dry-run "$a" 2>&1)
grep "rss table" <<<"$dry"
check "$a: --dry-run plans the reset and says it replaces a table not the driver's" \
	grep -q "rss table: 2 of 4 RX queues -> even over the active queues (replaces a table that is not the driver's default)" <<<"$dry"
check_eq "$a: --dry-run changed nothing (ethtool -x)" "$(spread 2 128)" "$(xtable "$a")"

# The symptom, measured independently: queues 2-3 get no RX interrupt.
judged_traffic "0 1" $ETHTOOL -X "$a" equal 2
if [ $((RXD[2] + RXD[3])) -eq 0 ] && [ "${RXD[0]}" -gt 0 ] && [ "${RXD[1]}" -gt 0 ]; then
	ok "$a: with equal 2, RX IRQs on queues 0-1 only (${RXD[0]} ${RXD[1]} ${RXD[2]} ${RXD[3]})"
else
	fail "$a: with equal 2, RX IRQs per queue ${RXD[0]} ${RXD[1]} ${RXD[2]} ${RXD[3]} (want >0 >0 0 0)"
fi

# While the table is hand-set the kernel refuses fewer channels than it uses
# (the planner must reset it first).
if out=$($ETHTOOL -L "$a" combined 1 2>&1); then
	fail "$a: ethtool -L combined 1 accepted with equal 2"
else
	ok "$a: ethtool -L combined 1 refused with equal 2 ($(tr "\n" " " <<<"$out"))"
fi
# A hand-set table survives channel changes (FIELD-NOTES): 4 -> 2 -> 4.
check "$a: ethtool -L combined 2" $ETHTOOL -L "$a" combined 2
check "$a: ethtool -L combined 4" $ETHTOOL -L "$a" combined 4
check_eq "$a: hand-set table kept across ethtool -L 2 / 4" "$(spread 2 128)" "$(xtable "$a")"

# ---- mqbalance --apply: back to the driver's default -------------------------
out=$($MQ --apply "$a" 2>&1)
rc=$?
echo "$out"
check_eq "$a: --apply exits 0" 0 "$rc"
check "$a: --apply reset the table (its output says so)" grep -q "rss table: 2 of 4 RX queues.*: ok" <<<"$out"
t=$(xtable "$a")
probe "$a"
check_eq "$a: ethtool -x after the reset: even spread over 4" "$(spread 4 128)" "$t"
check_eq "$a: rss-probe after the reset: 4 covered, default" "4 0 1 0.250" \
	"${P[covered]} ${P[left_out]} ${P[default]} ${P[max_share]}"

judged_traffic "0 1 2 3" $ETHTOOL -X "$a" default
busy=0
for q in 0 1 2 3; do
	[ "${RXD[$q]}" -gt 0 ] && busy=$((busy + 1))
done
check_eq "$a: after the reset, RX IRQs on every queue (${RXD[0]} ${RXD[1]} ${RXD[2]} ${RXD[3]})" 4 "$busy"
if [ -n "${RXP[0]}" ]; then
	busy=0
	for q in 0 1 2 3; do
		[ "${RXP[$q]}" -gt 0 ] && busy=$((busy + 1))
	done
	check_eq "$a: after the reset, ethtool -S rx_queue_N_packets grew on every queue" 4 "$busy"
fi

# The reset also cleared the kernel's "user configured" flag: on 6.12 the
# driver re-spreads its own table on a channel change again. 6.1's
# virtio_net never re-spreads: after -L 2 half the entries name queues 2-3,
# which are no longer active (the analysis counts them as "beyond").
check "$a: ethtool -L combined 2" $ETHTOOL -L "$a" combined 2
x2=$(xtable "$a")
probe "$a"
if [ "$MQ_LABEL" = 6.1 ]; then
	check_eq "$a: 6.1: -L 2 leaves the table over 4 (no re-spread)" "$(spread 4 128)" "$x2"
	check_eq "$a: 6.1: analysis: 2 queues, 64 entries beyond, reset helps" "2 2 64 1" \
		"${P[nqueues]} ${P[covered]} ${P[beyond]} ${P[reset_helps]}"
else
	check_eq "$a: after the reset, -L 2 re-spreads the table over 2" "$(spread 2 128)" "$x2"
	check_eq "$a: analysis: 2 queues, default" "2 1 0" "${P[nqueues]} ${P[default]} ${P[beyond]}"
fi
check "$a: ethtool -L combined 4" $ETHTOOL -L "$a" combined 4
check_eq "$a: after -L 4 the table is over 4 again" "$(spread 4 128)" "$(xtable "$a")"

# A channel change someone made: --apply brings 4 channels back and a table
# over all 4 (on 6.1, whose driver does not re-spread, by resetting it after
# the channel change too).
check "$a: ethtool -L combined 2" $ETHTOOL -L "$a" combined 2
$MQ --apply "$a" >/tmp/rss-apply2.out 2>&1
cat /tmp/rss-apply2.out
check_eq "$a: --apply: 4 channels again (ethtool -l)" 4 "$(channels_combined "$a")"
check_eq "$a: --apply: the table over all 4 (ethtool -x)" "$(spread 4 128)" "$(xtable "$a")"
second=$($MQ --apply "$a" 2>&1)
check "$a: a second --apply has nothing to do" grep -q "^nothing to do" <<<"$second"
finish
