#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4 timeout=200
# Where the packets go, per CPU: under real multi-flow traffic,
# `mqbalance --report --json --interval 2` reports per CPU the NET_RX and
# NET_TX softirq rates and the rate of the NIC queue IRQs it serves. Each is
# checked against independent readings of /proc/softirqs and /proc/interrupts
# taken just before and just after the report: the report's count over its
# interval lies inside the outer window's count on every CPU, and, summed
# over the CPUs, is not far below its share of it (traffic under TCG comes
# in bursts, so one CPU's share of a window is not steady; the sum is).
. /mq/guestlib.sh

mapfile -t virtio < <(nics_by_driver virtio_net)
[ "${#virtio[@]}" -ge 2 ] || skip_all "needs two virtio_net NICs"
a=${virtio[0]} b=${virtio[1]}
ncpu=$(nproc)

# softirq COLUMN_NAME: per-CPU counts on one line ("NET_RX" -> "c0 c1 ...")
softirq() { awk -v k="$1:" '$1 == k { $1 = ""; print }' /proc/softirqs; }
# qirqs: per-CPU sums of $a's queue IRQs (input.N, output.N): the NIC the report sees
qirqs() {
	local k
	k=$(virtio_index "$a")
	awk -v p="virtio$k-(input|output)\\\\." -v n="$ncpu" '
		$NF ~ "^" p { for (c = 0; c < n; c++) s[c] += $(c + 2) }
		END { for (c = 0; c < n; c++) printf "%d ", s[c]; print "" }' /proc/interrupts
}
now() { cut -d" " -f1 /proc/uptime; }

if ! traffic_setup "$a" "$b"; then
	fail "traffic setup between $a and $b"
	finish
fi
traffic_start 10 8
sleep 2
t0=$(now) rx0=($(softirq NET_RX)) tx0=($(softirq NET_TX)) q0=($(qirqs))
$MQ --report --json --interval 2 "$a" > /tmp/cl.json 2>/tmp/cl.err
rc=$?
t1=$(now) rx1=($(softirq NET_RX)) tx1=($(softirq NET_TX)) q1=($(qirqs))
traffic_wait || fail "iperf3 between $a and $b"
traffic_teardown "$b"
cat /tmp/cl.err
check_eq "--report --json --interval 2 exit status" 0 "$rc"
secs=$($JQ -r .interval /tmp/cl.json)
outer=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", b - a }')
echo "report interval $secs s inside an outer window of $outer s"
check_eq "cpu_load has a row per usable CPU" "$ncpu" "$($JQ '.cpu_load | length' /tmp/cl.json)"

# per CPU: report count (rate x interval) <= the outer delta D (+1 for
# rounding). Summed per counter over the CPUs: >= sum(D) * interval/outer * 0.4
# when the sum is large enough to be steady (> 200 in the window).
declare -A got_sum outer_sum
judge() { # NAME CPU RATE OUTER_DELTA
	local v
	v=$(awk -v r="$3" -v s="$secs" -v d="$4" -v w="$outer" -v name="$1" -v c="$2" 'BEGIN {
		if (r == "null") { print "fail|0|cpu " c " " name ": null"; exit }
		got = r * s
		printf "%s|%.0f|cpu %d %s: %.0f over %.2f s <= outer %d over %.2f s\n",
			got <= d + 1 ? "ok" : "fail", got, c, name, got, s, d, w }')
	got_sum[$1]=$(( ${got_sum[$1]:-0} + $(cut -d'|' -f2 <<<"$v") ))
	outer_sum[$1]=$(( ${outer_sum[$1]:-0} + $4 ))
	if [ "${v%%|*}" = ok ]; then ok "${v#*|*|}"; else fail "${v#*|*|}"; fi
}
busy=0
for ((c = 0; c < ncpu; c++)); do
	row=$($JQ -c ".cpu_load[] | select(.cpu == $c)" /tmp/cl.json)
	judge "NET_RX softirqs" $c "$($JQ -r .net_rx_softirqs_per_sec <<<"$row")" $((rx1[c] - rx0[c]))
	judge "NET_TX softirqs" $c "$($JQ -r .net_tx_softirqs_per_sec <<<"$row")" $((tx1[c] - tx0[c]))
	judge "$a queue IRQs" $c "$($JQ -r .queue_irqs_per_sec <<<"$row")" $((q1[c] - q0[c]))
	[ $((q1[c] - q0[c])) -gt 200 ] && busy=$((busy + 1))
	# the CPUs a queue IRQ of $a landed on are the ones the report lists for it
	for q in $($JQ -r '.irqs[] | select(.per_sec > 0) | .queue' <<<"$row" | sort -u); do
		check "cpu $c serves a queue of $a that fired there (queue $q)" \
			test "$($JQ -r ".irqs[] | select(.queue == $q) | .interface" <<<"$row" | head -n1)" = "$a"
	done
done
check "traffic reached queue IRQs on at least 2 CPUs ($busy)" test "$busy" -ge 2
for name in "${!got_sum[@]}"; do
	lo=$(awk -v d="${outer_sum[$name]}" -v s="$secs" -v w="$outer" \
		'BEGIN { printf "%.0f", (d > 200 ? d * s / w * 0.4 : 0) }')
	check "all CPUs $name: ${got_sum[$name]} over $secs s >= $lo (outer ${outer_sum[$name]} over $outer s)" \
		test "${got_sum[$name]}" -ge "$lo"
done
# the text report's per-CPU section, a bar each, within 80 columns
$MQ --report --interval 1 "$a" > /tmp/cl.txt 2>/dev/null
check "text: the per-CPU section" grep -qE '^per CPU over [0-9.]+ s' /tmp/cl.txt
check_eq "text: a row per CPU" "$ncpu" \
	"$(awk '/^per CPU over/ { c = 1; next } c && /^ +[0-9]+ +[0-9-]+%? / { n++ } /^findings/ { c = 0 } END { print n + 0 }' /tmp/cl.txt)"
check "text: per-CPU rows fit 80 columns" \
	awk '/^per CPU/ { c = 1 } /^findings/ { c = 0 } c && length($0) > 80 { exit 1 }' /tmp/cl.txt
finish
