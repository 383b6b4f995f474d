#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4,e1000 timeout=200
# `mqbalance --report --interval 1 --prom-file` under real traffic: the
# per-queue counters and IRQ counts in the textfile lie between independent
# readings taken just before and after (ethtool -S per queue on 6.1; on 6.12,
# where ethtool -S has no per-queue packets, the sysfs totals and
# /proc/interrupts), and the file is well-formed (checked here with awk, and
# on the host with promtool: the file is exported to the host).
. /mq/guestlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }

mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
[ "${#virtio[@]}" = 2 ] && [ "${#e1000[@]}" = 1 ] ||
	skip_all "needs two virtio_net NICs and one e1000 (have ${virtio[*]:-none} / ${e1000[*]:-none})"
a=${virtio[0]} b=${virtio[1]} c=${e1000[0]}
k=$(virtio_index "$a")
P=/tmp/mq.prom
case $MQ_LABEL in
6.1) src=ethtool ;;	# virtio_net <= 6.9: ethtool -S rx_queue_N_packets
*) src=qstats ;;	# >= 6.10: netdev qstats, nothing per queue in ethtool -S
esac

# value METRIC LABELS: the sample's value ("" if absent), labels exactly as written.
value() { awk -v s="$1{$2}" '$1 == s { print $2; exit }' "$P"; }
# ethtool -S IF as "key value" lines.
estats() { $ETHTOOL -S "$1" | awk -F': ' 'NF == 2 { gsub(/^ +/, "", $1); print $1, $2 }'; }
# between LO V HI: LO <= V <= HI (V non-empty).
between() { [ -n "$2" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }

nq=$(ls -d /sys/class/net/"$a"/queues/rx-* | wc -l)
if ! traffic_setup "$a" "$b"; then
	fail "traffic setup between $a and $b"
	finish
fi
traffic_start 8 8
sleep 2
# --- readings just before --------------------------------------------------
declare -A e0 e1 i0 i1
while read -r key v; do e0[$key]=$v; done < <(estats "$a")
for ((q = 0; q < nq; q++)); do
	for d in input output; do
		irq=$(irq_by_name "virtio$k-$d.$q")
		i0[$irq]=$(irq_count "$irq")
	done
done
rx0=$(nic_stat "$a" rx_packets) tx0=$(nic_stat "$a" tx_packets)
rxb0=$(nic_stat "$a" rx_bytes) txb0=$(nic_stat "$a" tx_bytes)
# --- the textfile ----------------------------------------------------------
$MQ --report --interval 1 --prom-file $P > /tmp/report.txt 2>/tmp/report.err
rc=$?
# --- readings just after ---------------------------------------------------
rx1=$(nic_stat "$a" rx_packets) tx1=$(nic_stat "$a" tx_packets)
rxb1=$(nic_stat "$a" rx_bytes) txb1=$(nic_stat "$a" tx_bytes)
for irq in "${!i0[@]}"; do i1[$irq]=$(irq_count "$irq"); done
while read -r key v; do e1[$key]=$v; done < <(estats "$a")
check "iperf3 ran to the end" traffic_wait
traffic_teardown "$b"
cat /tmp/report.err
check_eq "--report --interval 1 --prom-file: exit status 0" 0 "$rc"
check "textfile $P written" test -s $P
export_file $P mq.prom

# --- format ------------------------------------------------------------------
check_eq "final newline" "" "$(tail -c1 $P | tr -d '\n')"
bad=$(awk '
	/^# HELP / { if (help[$3]++) print "duplicate HELP " $3; next }
	/^# TYPE / { if (type[$3]++) print "duplicate TYPE " $3
		if ($3 in seen) print "TYPE after samples " $3
		if ($3 ~ /_total$/ && $4 != "counter") print "_total not a counter " $3
		if ($4 == "counter" && $3 !~ /_total$/) print "counter without _total " $3
		cur = $3; next }
	/^#/ { next }
	/^$/ { print "empty line " NR; next }
	{ name = $1; sub(/\{.*/, "", name)
	  if (!(name in type)) print "sample without TYPE " name
	  else if (name != cur) print "sample not right after its TYPE " name
	  if (name in done) print "family not contiguous " name
	  if (last != "" && last != name) done[last] = 1
	  last = name; seen[name] = 1
	  if (name !~ /^mqbalance_/) print "prefix " name
	  if (NF != 2) print "not name+value (timestamp?) line " NR
	  if ($2 !~ /^-?[0-9]+(\.[0-9]+)?(e[-+]?[0-9]+)?$|^[-+]?Inf$|^NaN$/) print "bad value line " NR }
	END { for (t in type) if (!(t in help)) print "TYPE without HELP " t }' $P | head -5)
check_eq "HELP and TYPE once per family before its samples, families contiguous, no timestamps" "" "$bad"
check_eq "every series unique" "" "$(grep -v '^#' $P | awk '{ print $1 }' | sort | uniq -d | head -3)"
check_eq "$a: device_info stats_source" 1 \
	"$(grep -c "^mqbalance_device_info{device=\"$a\",.*stats_source=\"$src\"" $P)"
check_eq "$a: mqbalance_channels combined = ethtool -l" "$(channels_combined "$a")" \
	"$(value mqbalance_channels "device=\"$a\",type=\"combined\"")"
check_eq "$c: no mqbalance_channels (no channel support)" 0 "$(grep -c "^mqbalance_channels{device=\"$c\"" $P)"
check_eq "$b (in the peer netns while sampled) absent" 0 "$(grep -c "device=\"$b\"" $P)"

# --- counters against independent readings ---------------------------------
m=mqbalance_queue
if [ $src = ethtool ]; then
	# 6.1: ethtool -S rx_queue_N_packets/bytes, tx_queue_N_packets/bytes.
	bad= n=0
	for ((q = 0; q < nq; q++)); do
		for pair in receive_packets:rx_queue_${q}_packets receive_bytes:rx_queue_${q}_bytes \
			transmit_packets:tx_queue_${q}_packets transmit_bytes:tx_queue_${q}_bytes; do
			met=${pair%%:*} key=${pair#*:}
			v=$(value ${m}_${met}_total "device=\"$a\",queue=\"$q\"")
			n=$((n + 1))
			between "${e0[$key]:-x}" "$v" "${e1[$key]:-x}" 2>/dev/null ||
				bad="$bad q$q.$met=$v(ethtool $key ${e0[$key]:-?}..${e1[$key]:-?})"
		done
	done
	if [ -z "$bad" ]; then
		ok "$a: all $n per-queue packet/byte counters within ethtool -S before..after"
	else
		fail "$a: per-queue counters outside ethtool -S:$bad"
	fi
fi
# Both kernels: sums over queues within the sysfs totals before..after.
for pair in receive_packets:$rx0:$rx1 transmit_packets:$tx0:$tx1 receive_bytes:$rxb0:$rxb1 \
	transmit_bytes:$txb0:$txb1; do
	IFS=: read -r met lo hi <<<"$pair"
	sum=$(awk -v p="${m}_${met}_total{device=\"$a\"," 'index($1, p) == 1 { s += $2; n++ } END { print n + 0, s + 0 }' $P)
	if [ "${sum% *}" = "$nq" ] && between "$lo" "${sum#* }" "$hi"; then
		ok "$a: sum of $nq queues' $met ${sum#* } within sysfs $lo..$hi"
	else
		fail "$a: sum of $met over queues (n, sum) '$sum' not within sysfs $lo..$hi"
	fi
done
# Per queue: traffic on the RX queue (its input IRQ count grew) <=> packets
# counted; each IRQ's interrupts_total within /proc/interrupts before..after.
bad= busy=0 ibad=
for ((q = 0; q < nq; q++)); do
	for d in input output; do
		irq=$(irq_by_name "virtio$k-$d.$q")
		[ $d = input ] && role=rx || role=tx
		v=$(value mqbalance_irq_interrupts_total "device=\"$a\",irq=\"$irq\",queue=\"$q\",role=\"$role\"")
		between "${i0[$irq]}" "$v" "${i1[$irq]}" || ibad="$ibad irq$irq=$v(${i0[$irq]}..${i1[$irq]})"
	done
	irq=$(irq_by_name "virtio$k-input.$q")
	v=$(value ${m}_receive_packets_total "device=\"$a\",queue=\"$q\"")
	if [ "${i1[$irq]}" -gt "${i0[$irq]}" ]; then
		busy=$((busy + 1))
		[ -n "$v" ] && [ "$v" -gt 0 ] || bad="$bad q$q:irq-grew-but-packets=$v"
	fi
done
check_eq "$a: each IRQ's interrupts_total within /proc/interrupts before..after" "" "$ibad"
if [ -z "$bad" ] && [ $busy -ge 2 ]; then
	ok "$a: $busy RX queues whose IRQ count grew have receive_packets > 0"
else
	fail "$a: RX queues with traffic ($busy, want >= 2):$bad"
fi
finish
