#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4,e1000 timeout=240
# `mqbalance --report --json` against independent tools (ethtool, ip, /proc,
# /sys) while real multi-flow traffic runs, then with one NIC cut to one
# channel (channels_below_target).
. /mq/guestlib.sh

[ -x "$MQ" ] || skip_all "no ./mqbalance in the guest (run make first)"
err=$($MQ --report --json 2>&1 >/tmp/probe.json)
rc=$?
if [ $rc = 3 ] && grep -q "not yet" <<<"$err"; then
	skip_all "mqbalance --report --json is not implemented yet ($err)"
fi

mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
[ "${#virtio[@]}" = 2 ] && [ "${#e1000[@]}" = 1 ] ||
	skip_all "needs two virtio_net NICs and one e1000 (have ${virtio[*]:-none} / ${e1000[*]:-none})"
a=${virtio[0]} b=${virtio[1]} c=${e1000[0]}
case $MQ_LABEL in
6.1) want_src=ethtool ;;	# virtio_net <= 6.9: ethtool -S rx_queue_N_packets
*) want_src=qstats ;;		# >= 6.10: netdev qstats, nothing per queue in ethtool -S
esac

# ethtool -l as six "key=value" words; n/a -> null.
ethtool_channels() {
	$ETHTOOL -l "$1" 2>/dev/null | awk '
		/^Pre-set/ { s = "_max" } /^Current/ { s = "" }
		/^(RX|TX|Combined):/ { k = tolower($1); sub(":", "", k)
			v = ($2 == "n/a") ? "null" : $2; print k s "=" v }'
}

# Checks that hold for any interface of a report.
check_static() {	# FILE IF
	local f=$1 dev=$2 k v got want bad q irq name eff aff
	if [ -z "$(jif "$f" "$dev" .ifname)" ]; then
		fail "$dev: missing from the report"
		return
	fi
	check_eq "$dev: ifindex" "$(cat /sys/class/net/$dev/ifindex)" "$(jif "$f" "$dev" .ifindex)"
	check_eq "$dev: driver" "$(nic_driver "$dev")" "$(jif "$f" "$dev" .driver)"
	for k in num_tx_queues num_rx_queues; do
		check_eq "$dev: $k = ip -d -j link" \
			"$($IP -d -j link show dev "$dev" | $JQ ".[0].$k")" "$(jif "$f" "$dev" ".$k")"
	done

	if $ETHTOOL -l "$dev" >/dev/null 2>&1; then
		bad=
		while IFS== read -r k want; do
			got=$(jif "$f" "$dev" ".channels.$k")
			[ "$got" = "$want" ] || bad="$bad $k=$got(ethtool $want)"
		done < <(ethtool_channels "$dev")
		if [ -z "$bad" ]; then
			ok "$dev: channels = ethtool -l ($(ethtool_channels "$dev" | grep combined | tr '\n' ' '))"
		else
			fail "$dev: channels differ from ethtool -l:$bad"
		fi
		check_eq "$dev: one queue entry per active channel" \
			"$(ls -d /sys/class/net/$dev/queues/rx-* | wc -l)" "$(jif "$f" "$dev" '.queues | length')"
	else
		check_eq "$dev: channels null (ethtool -l unsupported)" true \
			"$(jif "$f" "$dev" '.channels == null or ([.channels[]] | all(. == null))')"
	fi

	# Every IRQ the report names: same name in /proc/interrupts, same
	# effective and requested CPUs as /proc/irq/N.
	bad= eff= aff=
	while read -r q irq name got_eff got_aff; do
		[ -n "$irq" ] || continue
		want=$(awk -v i="$irq:" '$1 == i { print $NF }' /proc/interrupts)
		[ "$want" = "$name" ] || bad="$bad irq$irq:'$name'(proc '$want')"
		want=$(cpulist_expand "$(cat /proc/irq/$irq/effective_affinity_list)")
		[ "$want" = "$got_eff" ] || eff="$eff irq$irq:[$got_eff](proc [$want])"
		want=$(cpulist_expand "$(cat /proc/irq/$irq/smp_affinity_list)")
		[ "$want" = "$got_aff" ] || aff="$aff irq$irq:[$got_aff](proc [$want])"
	done < <(jif "$f" "$dev" '.queues[] | .queue as $q | .irqs[]? |
		"\($q) \(.irq) \(.name) \(.effective_cpus | join(",")) \(.affinity_cpus | join(","))"')
	if [ -z "$bad" ]; then ok "$dev: IRQ names = /proc/interrupts"; else fail "$dev: IRQ names:$bad"; fi
	if [ -z "$eff" ]; then ok "$dev: effective_cpus = effective_affinity_list"; else fail "$dev: effective_cpus:$eff"; fi
	if [ -z "$aff" ]; then ok "$dev: affinity_cpus = smp_affinity_list"; else fail "$dev: affinity_cpus:$aff"; fi

	if [ "$(nic_driver "$dev")" = virtio_net ]; then
		local kk
		kk=$(virtio_index "$dev")
		bad=
		for q in $(jif "$f" "$dev" '.queues[].queue'); do
			jif "$f" "$dev" ".queues[] | select(.queue == $q) | .irqs[]?.name" |
				grep -qx "virtio$kk-input.$q" || bad="$bad $q"
		done
		if [ -z "$bad" ]; then
			ok "$dev: queue Q has IRQ virtio$kk-input.Q"
		else
			fail "$dev: queues without their virtio$kk-input.Q IRQ:$bad"
		fi
		bad=
		for q in $(jif "$f" "$dev" '.queues[].queue'); do
			want=$(cpumask_to_list "$(cat /sys/class/net/$dev/queues/tx-$q/xps_cpus)")
			got=$(jif "$f" "$dev" ".queues[] | select(.queue == $q) | .xps_cpus | join(\",\")")
			[ "$want" = "$got" ] || bad="$bad tx-$q:[$got](sysfs [$want])"
		done
		if [ -z "$bad" ]; then ok "$dev: xps_cpus = sysfs xps_cpus"; else fail "$dev: xps_cpus:$bad"; fi
	fi
}

# Per-queue counters against the device totals read just before and after.
check_stats() {	# FILE IF BEFORE_RX AFTER_RX BEFORE_TX AFTER_TX
	local f=$1 dev=$2 dir lo hi sum nulls
	for dir in rx tx; do
		if [ $dir = rx ]; then lo=$3 hi=$4; else lo=$5 hi=$6; fi
		nulls=$(jif "$f" "$dev" "[.queues[].${dir}_packets | select(. == null)] | length")
		sum=$(jif "$f" "$dev" "[.queues[].${dir}_packets | select(. != null)] | add // 0")
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

# --- 1. under traffic ---------------------------------------------------
if ! traffic_setup "$a" "$b"; then
	fail "traffic setup between $a and $b"
	finish
fi
traffic_start 12 8
sleep 3
rx0=$(nic_stat "$a" rx_packets) tx0=$(nic_stat "$a" tx_packets)
rxc0=$(nic_stat "$c" rx_packets) txc0=$(nic_stat "$c" tx_packets)
$MQ --report --json --interval 1 > /tmp/r1.json 2>/tmp/r1.err
rc=$?
rx1=$(nic_stat "$a" rx_packets) tx1=$(nic_stat "$a" tx_packets)
rxc1=$(nic_stat "$c" rx_packets) txc1=$(nic_stat "$c" tx_packets)
check_eq "--report --json --interval 1 exit status" 0 "$rc"
cat /tmp/r1.err
check "valid JSON" json_valid /tmp/r1.json
check_eq "top level: interfaces and findings arrays" "array array" \
	"$(jqr /tmp/r1.json '"\(.interfaces | type) \(.findings | type)"')"
check_eq "findings carry severity, code, message, fix, interface" true \
	"$(jqr /tmp/r1.json '[.findings[] | has("severity") and has("code") and has("message") and has("fix") and has("interface")] | all')"
check_eq "$b (in another netns) not reported" "" "$(jif /tmp/r1.json "$b" .ifname)"
check_eq "$a: stats_source" "$want_src" "$(jif /tmp/r1.json "$a" .stats_source)"

check_static /tmp/r1.json "$a"
check_static /tmp/r1.json "$c"
check_stats /tmp/r1.json "$a" "$rx0" "$rx1" "$tx0" "$tx1"
check_stats /tmp/r1.json "$c" "$rxc0" "$rxc1" "$txc0" "$txc1"
busy=$(jif /tmp/r1.json "$a" '[.queues[] | select((.rx_packets // 0) > 100)] | length')
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
check_eq "--report --json exit status" 0 "$?"
cat /tmp/r2.err
check_static /tmp/r2.json "$b"
check_eq "$b: channels.combined" 1 "$(jif /tmp/r2.json "$b" .channels.combined)"
check_eq "$b: finding channels_below_target" 1 \
	"$(jqr /tmp/r2.json '[.findings[] | select(.code == "channels_below_target" and .interface == $i)] | length' --arg i "$b")"
check_eq "$a (4 of 4 channels): no channels_below_target" 0 \
	"$(jqr /tmp/r2.json '[.findings[] | select(.code == "channels_below_target" and .interface == $i)] | length' --arg i "$a")"
finish
