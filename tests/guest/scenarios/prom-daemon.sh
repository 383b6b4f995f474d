#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4 timeout=200
# The daemon's textfile under real traffic. Between events the daemon
# refreshes only counters into its kept probe (agent/steady.c, the per-CPU
# files kept open): a rewrite's per-queue counters, IRQ totals and per-CPU
# queue interrupts must lie between independent readings taken before it
# started and after it was written (as prom.sh checks for --report).
. /mq/guestlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }
mapfile -t virtio < <(nics_by_driver virtio_net)
[ "${#virtio[@]}" -ge 2 ] || skip_all "needs two virtio_net NICs (have ${virtio[*]:-none})"
a=${virtio[0]} b=${virtio[1]}
k=$(virtio_index "$a")
D=/tmp/mqd
P=$D/mq.prom
mkdir -p $D
case $MQ_LABEL in
6.1) src=ethtool ;;	# virtio_net <= 6.9: ethtool -S rx_queue_N_packets
*) src=qstats ;;	# >= 6.10: netdev qstats
esac

value() { awk -v s="$1{$2}" '$1 == s { print $2; exit }' "$3"; }
estats() { $ETHTOOL -S "$1" | awk -F': ' 'NF == 2 { gsub(/^ +/, "", $1); print $1, $2 }'; }
between() { [ -n "$2" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }
inode() { stat -c %i "$P" 2>/dev/null; }
# per_cpu IRQ...: "cpu0 cpu1 ..." counts of these IRQs summed per CPU (/proc/interrupts).
per_cpu() {
	awk -v want=" $* " 'NR == 1 { n = NF; next }
		{ irq = $1; sub(":", "", irq); if (index(want, " " irq " ")) for (c = 0; c < n; c++) s[c] += $(c + 2) }
		END { for (c = 0; c < n; c++) printf "%d ", s[c] }' /proc/interrupts
}

if ! traffic_setup "$a" "$b"; then
	fail "traffic setup between $a and $b"
	finish
fi
printf 'prom_file = %s\ninterval = 0.5\n' "$P" >$D/mq.conf
$MQ --daemon --config $D/mq.conf >$D/log 2>&1 &
pid=$!
check "daemon writes its textfile" wait_for 20 test -s $P
sleep 2 # start-up tuned, its own echo verified: steady state
traffic_start 30 8 # long enough to outlast the readings under TCG
sleep 2
nq=$(ls -d /sys/class/net/"$a"/queues/rx-* | wc -l)
irqs=()
for ((q = 0; q < nq; q++)); do
	for d in input output; do irqs+=("$(irq_by_name "virtio$k-$d.$q")"); done
done
# --- readings just before ----------------------------------------------------
declare -A e0 e1 i0 i1
while read -r key v; do e0[$key]=$v; done < <(estats "$a")
for irq in "${irqs[@]}"; do i0[$irq]=$(irq_count "$irq"); done
read -ra c0 <<<"$(per_cpu "${irqs[@]}")"
rx0=$(nic_stat "$a" rx_packets) tx0=$(nic_stat "$a" tx_packets)
# --- two rewrites: the second one began after the readings above --------------
n0=$(inode)
wait_for 5 test "$(inode)" != "$n0"
n1=$(inode)
wait_for 5 test "$(inode)" != "$n1"
cp $P $D/snap.prom
# --- readings just after -----------------------------------------------------
rx1=$(nic_stat "$a" rx_packets) tx1=$(nic_stat "$a" tx_packets)
check "traffic still flowing when the textfile was written" kill -0 "$_traffic_pid"
for irq in "${irqs[@]}"; do i1[$irq]=$(irq_count "$irq"); done
read -ra c1 <<<"$(per_cpu "${irqs[@]}")"
while read -r key v; do e1[$key]=$v; done < <(estats "$a")
check "iperf3 ran to the end" traffic_wait
traffic_teardown "$b"
S=$D/snap.prom
check "two rewrites of the textfile during traffic" test "$n1" != "$n0" -a "$(stat -c %i $S)" != ""
export_file $S mq-daemon.prom

m=mqbalance_queue
if [ $src = ethtool ]; then
	bad= n=0
	for ((q = 0; q < nq; q++)); do
		for pair in receive_packets:rx_queue_${q}_packets transmit_packets:tx_queue_${q}_packets; do
			met=${pair%%:*} key=${pair#*:}
			v=$(value ${m}_${met}_total "device=\"$a\",queue=\"$q\"" $S)
			n=$((n + 1))
			between "${e0[$key]:-x}" "$v" "${e1[$key]:-x}" 2>/dev/null ||
				bad="$bad q$q.$met=$v(${e0[$key]:-?}..${e1[$key]:-?})"
		done
	done
	check_eq "$a: all $n per-queue packet counters of the daemon within ethtool -S before..after" "" "$bad"
fi
for pair in receive_packets:$rx0:$rx1 transmit_packets:$tx0:$tx1; do
	IFS=: read -r met lo hi <<<"$pair"
	sum=$(awk -v p="${m}_${met}_total{device=\"$a\"," 'index($1, p) == 1 { s += $2; n++ } END { print n + 0, s + 0 }' $S)
	if [ "${sum% *}" = "$nq" ] && between "$lo" "${sum#* }" "$hi"; then
		ok "$a: the daemon's sum of $nq queues' $met ${sum#* } within sysfs $lo..$hi"
	else
		fail "$a: the daemon's sum of $met over queues (n, sum) '$sum' not within sysfs $lo..$hi"
	fi
done
bad=
for irq in "${irqs[@]}"; do
	v=$(awk -v p="mqbalance_irq_interrupts_total{device=\"$a\",irq=\"$irq\"," 'index($1, p) == 1 { print $2; exit }' $S)
	between "${i0[$irq]}" "$v" "${i1[$irq]}" || bad="$bad irq$irq=$v(${i0[$irq]}..${i1[$irq]})"
done
check_eq "$a: each queue IRQ's interrupts_total within /proc/interrupts before..after" "" "$bad"
bad=
for ((c = 0; c < ${#c0[@]}; c++)); do
	v=$(value mqbalance_cpu_queue_interrupts_total "cpu=\"$c\"" $S)
	between "${c0[$c]}" "$v" "${c1[$c]}" || bad="$bad cpu$c=$v(${c0[$c]}..${c1[$c]})"
done
check_eq "per-CPU queue interrupts within /proc/interrupts before..after" "" "$bad"
kill -TERM $pid
wait $pid
check_eq "SIGTERM: exit status" 0 "$?"
grep -q "error" $D/log && sed 's/^/# log: /' $D/log
finish
