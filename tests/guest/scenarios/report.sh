#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4,e1000 timeout=300
# `mqbalance --report --json` against independent tools (ethtool, ip, /proc,
# /sys) while real multi-flow traffic runs, then with one NIC cut to one
# channel (channels_below_target), then with it down (why its per-queue
# counters are missing).
. /mq/guestlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }

mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
[ "${#virtio[@]}" = 2 ] && [ "${#e1000[@]}" = 1 ] ||
	skip_all "needs two virtio_net NICs and one e1000 (have ${virtio[*]:-none} / ${e1000[*]:-none})"
a=${virtio[0]} b=${virtio[1]} c=${e1000[0]}
# Where each per-queue column of a virtio NIC comes from (rx/tx packets,
# bytes, drops), and the text report's "sources:" words for it.
case $MQ_LABEL in
6.1)	# virtio_net <= 6.9: ethtool -S rx_queue_N_packets, no netdev qstats
	want_src=ethtool
	want_cols="ethtool ethtool ethtool ethtool ethtool null"
	want_text="counters ethtool -S," ;;
*)	# >= 6.10: packets and bytes in qstats only, drops in ethtool -S only (rxN_drops)
	want_src=qstats
	want_cols="qstats qstats ethtool qstats qstats null"
	want_text="counters qstats (packets, bytes), ethtool -S (rx drops)," ;;
esac
COLS="rx_packets rx_bytes rx_drops tx_packets tx_bytes tx_drops"

# ethtool -S per-queue RX drops of IF as "Q value" lines: rxN_drops (6.10+), rx_queue_N_drops.
ethtool_rx_drops() {
	$ETHTOOL -S "$1" | sed -nE 's/^ *rx_queue_([0-9]+)_drops: ([0-9]+)$/\1 \2/p
		s/^ *rx([0-9]+)_drops: ([0-9]+)$/\1 \2/p'
}
# The loaded report's counter_sources of IF in COLS order, "null" where none.
report_cols() {
	local c out=()
	for c in $COLS; do out+=("${R[if.$1.counter_sources.$c]:-unset}"); done
	echo "${out[*]}"
}

# ethtool -l as "key=value" lines named like the JSON; n/a -> null.
ethtool_channels() {
	$ETHTOOL -l "$1" 2>/dev/null | awk '
		/^Pre-set/ { s = "_max" } /^Current/ { s = "" }
		/^(RX|TX|Combined):/ { k = tolower($1); sub(":", "", k)
			v = ($2 == "n/a") ? "null" : $2; print k s "=" v }'
}
# ip -d -j link of all interfaces in the root netns: "ifname tx rx" lines.
ip_queues() {
	$IP -d -j link show | $JQ -r '.[] | "\(.ifname) \(.num_tx_queues) \(.num_rx_queues)"'
}

# Checks that hold for any interface of the loaded report (R).
check_static() {	# IF
	local dev=$1 k v got want bad eff aff q irq name p
	if [ -z "${R[if.$dev.ifname]:-}" ]; then
		fail "$dev: missing from the report"
		return
	fi
	p=if.$dev
	check_eq "$dev: ifindex" "$(cat /sys/class/net/"$dev"/ifindex)" "${R[$p.ifindex]:-}"
	check_eq "$dev: driver" "$(nic_driver "$dev")" "${R[$p.driver]:-}"
	read -r _ tx rx < <(ip_queues | grep "^$dev ")
	check_eq "$dev: num_tx_queues = ip -d -j link" "$tx" "${R[$p.num_tx_queues]:-}"
	check_eq "$dev: num_rx_queues = ip -d -j link" "$rx" "${R[$p.num_rx_queues]:-}"

	if $ETHTOOL -l "$dev" >/dev/null 2>&1; then
		bad=
		while IFS='=' read -r k want; do
			got=${R[$p.channels.$k]:-}
			[ "$got" = "$want" ] || bad="$bad $k=$got(ethtool $want)"
		done < <(ethtool_channels "$dev")
		if [ -z "$bad" ]; then
			ok "$dev: channels = ethtool -l ($(ethtool_channels "$dev" | grep combined | tr '\n' ' '))"
		else
			fail "$dev: channels differ from ethtool -l:$bad"
		fi
		check_eq "$dev: one queue entry per active channel" \
			"$(ls -d /sys/class/net/"$dev"/queues/rx-* | wc -l)" "$(report_queues "$dev" | wc -l)"
	else
		bad=
		for k in "${!R[@]}"; do
			[[ $k == "$p.channels" || $k == "$p.channels."* ]] && [ "${R[$k]}" != null ] &&
				bad="$bad $k=${R[$k]}"
		done
		if [ -z "$bad" ]; then
			ok "$dev: channels null (ethtool -l unsupported)"
		else
			fail "$dev: ethtool -l unsupported but channels say:$bad"
		fi
	fi

	# Every IRQ the report names: same name in /proc/interrupts, same
	# effective and requested CPUs as /proc/irq/N.
	bad= eff= aff=
	for q in $(report_queues "$dev"); do
		local i=0
		while [ -n "${R[$p.queues.$q.irqs.$i.irq]:-}" ]; do
			local j=$p.queues.$q.irqs.$i
			irq=${R[$j.irq]}
			want=$(awk -v i="$irq:" '$1 == i { print $NF }' /proc/interrupts)
			[ "$want" = "${R[$j.name]:-}" ] || bad="$bad irq$irq:'${R[$j.name]:-}'(proc '$want')"
			want=$(cpulist_expand "$(cat /proc/irq/"$irq"/effective_affinity_list 2>/dev/null)")
			[ "$want" = "${R[$j.effective_cpus]:-}" ] ||
				eff="$eff irq$irq:[${R[$j.effective_cpus]:-}](proc [$want])"
			want=$(cpulist_expand "$(cat /proc/irq/"$irq"/smp_affinity_list 2>/dev/null)")
			[ "$want" = "${R[$j.affinity_cpus]:-}" ] ||
				aff="$aff irq$irq:[${R[$j.affinity_cpus]:-}](proc [$want])"
			i=$((i + 1))
		done
	done
	if [ -z "$bad" ]; then ok "$dev: IRQ names = /proc/interrupts"; else fail "$dev: IRQ names:$bad"; fi
	if [ -z "$eff" ]; then ok "$dev: effective_cpus = effective_affinity_list"; else fail "$dev: effective_cpus:$eff"; fi
	if [ -z "$aff" ]; then ok "$dev: affinity_cpus = smp_affinity_list"; else fail "$dev: affinity_cpus:$aff"; fi

	if [ "$(nic_driver "$dev")" = virtio_net ]; then
		local kk
		kk=$(virtio_index "$dev")
		bad=
		for q in $(report_queues "$dev"); do
			report_irqs "$dev" "$q" | grep -q " virtio$kk-input.$q\$" || bad="$bad $q"
		done
		if [ -z "$bad" ]; then
			ok "$dev: queue Q has IRQ virtio$kk-input.Q"
		else
			fail "$dev: queues without their virtio$kk-input.Q IRQ:$bad"
		fi
		bad=
		for q in $(report_queues "$dev"); do
			want=$(cpumask_to_list "$(cat /sys/class/net/"$dev"/queues/tx-"$q"/xps_cpus)")
			got=${R[$p.queues.$q.xps_cpus]:-}
			[ "$want" = "$got" ] || bad="$bad tx-$q:[$got](sysfs [$want])"
		done
		if [ -z "$bad" ]; then ok "$dev: xps_cpus = sysfs xps_cpus"; else fail "$dev: xps_cpus:$bad"; fi
	fi
}

# Per-queue counters against the device totals read just before and after.
check_stats() {	# IF BEFORE_RX AFTER_RX BEFORE_TX AFTER_TX
	local dev=$1 dir lo hi sum nulls q v
	[ -n "${R[if.$dev.ifname]:-}" ] || return	# check_static said so
	for dir in rx tx; do
		if [ $dir = rx ]; then lo=$2 hi=$3; else lo=$4 hi=$5; fi
		sum=0 nulls=0
		for q in $(report_queues "$dev"); do
			v=${R[if.$dev.queues.$q.${dir}_packets]:-null}
			if [ "$v" = null ]; then nulls=$((nulls + 1)); else sum=$((sum + v)); fi
		done
		if [ "$nulls" != 0 ]; then
			if [ "$(nic_driver "$dev")" = virtio_net ]; then
				fail "$dev: $nulls queues without ${dir}_packets"
			else
				ok "$dev: ${dir}_packets null where the driver has no per-queue counter"
			fi
			continue
		fi
		# 1% slack: the report samples between our two sysfs reads.
		if [ "$sum" -ge $((lo - lo / 100)) ] && [ "$sum" -le $((hi + hi / 100)) ]; then
			ok "$dev: sum of per-queue ${dir}_packets $sum within sysfs $lo..$hi"
		else
			fail "$dev: sum of per-queue ${dir}_packets $sum outside sysfs $lo..$hi"
		fi
	done
}

# The exit status the loaded report should have: 1 when a finding is worse
# than info (agent/main.c: EXIT_WARN), else 0.
want_status() {
	local i=0 st=0
	while [ -n "${R[findings.$i.severity]:-}" ]; do
		[ "${R[findings.$i.severity]}" != info ] && st=1
		i=$((i + 1))
	done
	[ "${R[pending_changes]:-0}" != 0 ] && st=1
	echo $st
}

# Shape of the document, in one jq call.
check_shape() {	# FILE
	local want='array array true'
	check_eq "JSON: interfaces and findings arrays, findings complete" "$want" \
		"$($JQ -r '"\(.interfaces | type) \(.findings | type) \([.findings[]? |
			has("severity") and has("code") and has("message") and has("fix") and
			has("interface")] | all)"' "$1" 2>&1)"
}

# --- 1. under traffic ---------------------------------------------------
if ! traffic_setup "$a" "$b"; then
	fail "traffic setup between $a and $b"
	finish
fi
traffic_start 8 8
sleep 2
rx0=$(nic_stat "$a" rx_packets) tx0=$(nic_stat "$a" tx_packets)
rxc0=$(nic_stat "$c" rx_packets) txc0=$(nic_stat "$c" tx_packets)
ethtool_rx_drops "$a" > /tmp/drops0
$MQ --report --json --interval 1 > /tmp/r1.json 2>/tmp/r1.err
rc=$?
ethtool_rx_drops "$a" > /tmp/drops1
rx1=$(nic_stat "$a" rx_packets) tx1=$(nic_stat "$a" tx_packets)
rxc1=$(nic_stat "$c" rx_packets) txc1=$(nic_stat "$c" tx_packets)
cat /tmp/r1.err
check_shape /tmp/r1.json
report_load /tmp/r1.json
check_eq "--report --json --interval 1 exit status: 0 (it ran)" 0 "$rc"
$MQ --check --json --interval 0 > /tmp/c1.json 2>/dev/null
crc=$?
report_load /tmp/c1.json
check_eq "--check exit status (1 = a warning or a pending change)" "$(want_status)" "$crc"
report_load /tmp/r1.json
check_eq "$b (in another netns) not reported" "" "${R[if.$b.ifname]:-}"
check_eq "$a: stats_source" "$want_src" "${R[if.$a.stats_source]:-}"
check_eq "$a: counter_sources ($COLS)" "$want_cols" "$(report_cols "$a")"
check_eq "$a: counters_missing (up)" null "${R[if.$a.counters_missing]:-unset}"
# Per-queue drops: ethtool -S read just before and just after the report.
bad= n=0
for q in $(report_queues "$a"); do
	lo=$(awk -v q="$q" '$1 == q { print $2 }' /tmp/drops0)
	hi=$(awk -v q="$q" '$1 == q { print $2 }' /tmp/drops1)
	v=${R[if.$a.queues.$q.rx_drops]:-unset}
	if [ -z "$lo" ] || [ -z "$hi" ] || [ "$v" = null ] || [ "$v" = unset ] ||
		[ "$v" -lt "$lo" ] || [ "$v" -gt "$hi" ]; then
		bad="$bad q$q:$v(ethtool ${lo:-?}..${hi:-?})"
	fi
	n=$((n + 1))
done
if [ -z "$bad" ] && [ "$n" -gt 0 ]; then
	ok "$a: rx_drops of $n queues within ethtool -S before..after (after: $(awk '{ printf "q%s=%s ", $1, $2 }' /tmp/drops1))"
else
	fail "$a: rx_drops against ethtool -S:${bad:- no queues}"
fi
bad=
for q in $(report_queues "$a"); do
	[ "${R[if.$a.queues.$q.tx_drops]:-unset}" = null ] || bad="$bad q$q:${R[if.$a.queues.$q.tx_drops]:-unset}"
done
if [ -z "$bad" ]; then ok "$a: tx_drops null (no source has them)"; else fail "$a: tx_drops:$bad"; fi
check_eq "$c (e1000): counter_sources" null "${R[if.$c.counter_sources]:-unset}"
$MQ --report --interval 0 "$a" > /tmp/t1.txt 2>&1
check_eq "$a: text sources line" 1 "$(grep -cF "  sources:  $want_text irq map " /tmp/t1.txt)"
check_static "$a"
check_static "$c"
check_stats "$a" "$rx0" "$rx1" "$tx0" "$tx1"
check_stats "$c" "$rxc0" "$rxc1" "$txc0" "$txc1"
busy=0
for q in $(report_queues "$a"); do
	v=${R[if.$a.queues.$q.rx_packets]:-null}
	[ "$v" != null ] && [ "$v" -gt 100 ] && busy=$((busy + 1))
done
if [ "$busy" -ge 2 ]; then
	ok "$a: report shows traffic on $busy RX queues"
else
	fail "$a: report shows traffic on $busy RX queues, want >= 2"
fi
check "iperf3 ran to the end" traffic_wait
traffic_teardown "$b"

# --- 2. one NIC below its channel target ---------------------------------
$ETHTOOL -L "$b" combined 1
check_eq "$b: ethtool -L combined 1" 1 "$(ethtool_channels "$b" | sed -n 's/^combined=//p')"
$MQ --report --json > /tmp/r2.json 2>/tmp/r2.err
rc=$?
cat /tmp/r2.err
report_load /tmp/r2.json
check_eq "--report --json exit status: 0 (it ran, warnings or not)" 0 "$rc"
$MQ --check --interval 0 "$b" >/dev/null 2>&1
check_eq "--check $b exit status: 1 (below its channel target)" 1 "$?"
check_static "$b"
check_eq "$b: channels.combined" 1 "${R[if.$b.channels.combined]:-}"
check_eq "$b: finding channels_below_target" 1 "$(report_findings channels_below_target "$b")"
check_eq "$a (4 of 4 channels): no channels_below_target" 0 "$(report_findings channels_below_target "$a")"

# --- 3. one NIC down: qstats leave it out, ethtool -S still has the drops ---
$IP link set "$b" down
ethtool_rx_drops "$b" > /tmp/drops2
$MQ --report --json --interval 0 "$b" > /tmp/r3.json 2>/tmp/r3.err
rc=$?
cat /tmp/r3.err
report_load /tmp/r3.json
check_eq "--report --json $b (down) exit status" 0 "$rc"
check_eq "$b: operstate" down "${R[if.$b.operstate]:-}"
check_eq "$b (down): queue 0 rx_drops = ethtool -S" "$(awk '$1 == 0 { print $2 }' /tmp/drops2)" \
	"${R[if.$b.queues.0.rx_drops]:-unset}"
check_eq "$b (down): counter_sources.rx_drops" ethtool "${R[if.$b.counter_sources.rx_drops]:-unset}"
$MQ --report --interval 0 "$b" > /tmp/t3.txt 2>&1
case $MQ_LABEL in
6.1)	# no qstats: ethtool -S has everything it ever had, nothing is missing for being down
	check_eq "$b (down): counter_sources" "$want_cols" "$(report_cols "$b")"
	check_eq "$b (down): counters_missing" null "${R[if.$b.counters_missing]:-unset}"
	check_eq "$b (down): no 'counters:' line" 0 "$(grep -c '^  counters: ' /tmp/t3.txt)" ;;
*)	check_eq "$b (down): counter_sources" "null null ethtool null null null" "$(report_cols "$b")"
	check_eq "$b (down): queue 0 rx_packets" null "${R[if.$b.queues.0.rx_packets]:-unset}"
	check_eq "$b (down): counters_missing" \
		"down: the kernel reports per-queue counters only for an interface that is up" \
		"${R[if.$b.counters_missing]:-unset}"
	check_eq "$b (down): text says why" 1 \
		"$(grep -c '^  counters: down: the kernel reports per-queue counters only for an' /tmp/t3.txt)" ;;
esac
grep -E '^  (sources|counters):' /tmp/t3.txt
$IP link set "$b" up
finish
