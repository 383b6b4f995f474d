#!/bin/bash
# guest: smp=4 nics=virtio:8,virtio:8,e1000 timeout=300
# `mqbalance --dry-run` and `--apply` turn a badly set-up guest (8 queue pairs
# offered on 4 vCPUs, cut to one channel, every queue IRQ and the config IRQ
# on CPU 0, XPS cleared) into the state the rules demand, checked with
# independent tools (ethtool -l, /proc/irq, /proc/interrupts under iperf3
# traffic, sysfs xps_cpus); then again with CPU 3 offline and back, and with
# /etc/mqbalance.conf banning CPU 0 and capping one NIC at 2 queues.
. /mq/guestlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }

mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
[ "${#virtio[@]}" = 2 ] && [ "${#e1000[@]}" = 1 ] ||
	skip_all "needs two virtio_net NICs and one e1000 (have ${virtio[*]:-none} / ${e1000[*]:-none})"
a=${virtio[0]} b=${virtio[1]} c=${e1000[0]}
ka=$(virtio_index "$a") kb=$(virtio_index "$b")
MAXQ=8	# the header's virtio:8
CIRQ=$(awk -v n="$c" '$NF == n { sub(":", "", $1); print $1; exit }' /proc/interrupts)

# --- helpers -----------------------------------------------------------------

# All IRQs of a virtio NIC (queues of every allocated pair, and config).
virtio_all_irqs() {	# IF
	local k
	k=$(virtio_index "$1")
	awk -v re="^virtio$k-(input|output)\\\\.[0-9]+\$|^virtio$k-config\$" \
		'$NF ~ re { sub(":", "", $1); print $1 }' /proc/interrupts
}
active_queues() { ls -d /sys/class/net/"$1"/queues/tx-* | wc -l; }
xps_list() { cpumask_to_list "$(cat /sys/class/net/"$1"/queues/tx-"$2"/xps_cpus)"; }

# Everything --dry-run must leave alone, as text: channels, every IRQ's
# requested CPUs, XPS and RPS masks of every queue.
state_dump() {
	local dev irq f
	for dev in "$a" "$b"; do
		echo "$dev channels $(channels_combined "$dev")/$(channels_combined "$dev" max)"
		for irq in $(virtio_all_irqs "$dev"); do
			echo "$dev irq $irq $(cat /proc/irq/"$irq"/smp_affinity_list)"
		done
	done
	for dev in "$a" "$b" "$c"; do
		for f in /sys/class/net/"$dev"/queues/tx-*/xps_cpus /sys/class/net/"$dev"/queues/rx-*/rps_cpus; do
			echo "$f $(cat "$f" 2>/dev/null)"
		done
	done
}

# The bad state, made with ethtool and /proc alone.
make_bad_state() {
	local dev irq f
	for dev in "$a" "$b"; do
		$ETHTOOL -L "$dev" combined 1 || fail "$dev: ethtool -L combined 1"
	done
	for dev in "$a" "$b"; do
		for irq in $(virtio_all_irqs "$dev"); do
			echo 0 > /proc/irq/"$irq"/smp_affinity_list || fail "pin IRQ $irq to CPU 0"
		done
		for f in /sys/class/net/"$dev"/queues/tx-*/xps_cpus; do
			echo 0 > "$f" || fail "clear $f"
		done
	done
}

# Per-CPU load: declare -A LOAD, one count per queue IRQ pair.
declare -A LOAD QCPU

# check_spread TAG USABLE WANT_A WANT_B [effective]: channels; one CPU per
# queue (its RX and TX IRQ together) in smp_affinity_list, different CPUs
# within a NIC, only usable CPUs; queues per CPU over both NICs even; XPS
# consistent; config IRQs left alone; e1000's IRQ on one usable CPU. With
# "effective" also effective_affinity_list = smp_affinity_list for every
# queue IRQ: only after traffic, because on x86 without interrupt remapping
# a new affinity takes effect at the IRQ's next interrupt (until then
# effective_affinity_list still shows the old CPU). Fills QCPU[IF.Q].
check_spread() {
	local tag=$1 usable=$2 wa=$3 wb=$4 eff=${5:-} dev want q n rx tx rxe txe rxi txi bad seen cpu x k cfg
	local nfired=0 idle=
	LOAD=() QCPU=()
	for cpu in ${usable//,/ }; do LOAD[$cpu]=0; done
	for dev in "$a" "$b"; do
		if [ "$dev" = "$a" ]; then want=$wa; else want=$wb; fi
		check_eq "$tag: $dev: ethtool -l combined" "$want" "$(channels_combined "$dev")"
		check_eq "$tag: $dev: active tx queues in sysfs" "$want" "$(active_queues "$dev")"
		n=$(active_queues "$dev")
		k=$(virtio_index "$dev")
		bad= seen=" "
		for ((q = 0; q < n; q++)); do
			rxi=$(irq_by_name "virtio$k-input.$q") txi=$(irq_by_name "virtio$k-output.$q")
			rxe=$(irq_effective "$rxi") txe=$(irq_effective "$txi")
			rx=$(irq_affinity "$rxi") tx=$(irq_affinity "$txi")
			if [ "$rx" != "$tx" ] || [[ $rx == *,* ]]; then
				bad="$bad q$q:rx[$rx]tx[$tx]"
				continue
			fi
			if [ -n "$eff" ]; then
				# Only an IRQ that fired since the change has moved.
				if [ -n "${FIRED[$rxi]:-}" ]; then
					[ "$rxe" = "$rx" ] || bad="$bad q$q:cpu$rx-but-rx-effective[$rxe]"
					nfired=$((nfired + 1))
				else
					idle="$idle $dev.rx$q"
				fi
				if [ -n "${FIRED[$txi]:-}" ]; then
					[ "$txe" = "$tx" ] || bad="$bad q$q:cpu$tx-but-tx-effective[$txe]"
					nfired=$((nfired + 1))
				else
					idle="$idle $dev.tx$q"
				fi
			fi
			if [ -z "${LOAD[$rx]:-}" ]; then
				bad="$bad q$q:cpu$rx-not-usable"
				continue
			fi
			[[ $seen == *" $rx "* ]] && bad="$bad q$q:cpu$rx-twice"
			seen="$seen$rx "
			LOAD[$rx]=$((LOAD[$rx] + 1))
			QCPU[$dev.$q]=$rx
		done
		if [ -z "$bad" ]; then
			ok "$tag: $dev: each queue's RX+TX IRQs on one usable CPU${eff:+ (requested = effective)}, distinct per queue (CPUs$seen)"
		else
			fail "$tag: $dev: queue IRQ placement:$bad"
		fi
		# XPS: every usable CPU in exactly one tx-N; queue N's CPU in tx-N.
		bad=
		declare -A cnt=()
		for ((q = 0; q < n; q++)); do
			x=$(xps_list "$dev" "$q")
			for cpu in ${x//,/ }; do cnt[$cpu]=$(( ${cnt[$cpu]:-0} + 1 )); done
			[ -n "${QCPU[$dev.$q]:-}" ] && [[ ",$x," != *",${QCPU[$dev.$q]},"* ]] &&
				bad="$bad tx-$q[$x]-lacks-cpu${QCPU[$dev.$q]}"
		done
		for cpu in ${usable//,/ }; do
			[ "${cnt[$cpu]:-0}" = 1 ] || bad="$bad cpu$cpu-in-${cnt[$cpu]:-0}-queues"
		done
		for cpu in "${!cnt[@]}"; do
			[ -n "${LOAD[$cpu]:-}" ] || bad="$bad unusable-cpu$cpu-in-xps"
		done
		unset cnt
		if [ -z "$bad" ]; then
			ok "$tag: $dev: XPS: every usable CPU in exactly one tx queue, queue N's CPU in tx-N"
		else
			fail "$tag: $dev: XPS:$bad"
		fi
		cfg=$(irq_by_name "virtio$k-config")
		check_eq "$tag: $dev: config IRQ $cfg left alone (CPU 0)" 0 "$(irq_affinity "$cfg")"
	done
	local min=999 max=0 l=
	for cpu in ${usable//,/ }; do
		l="$l $cpu:${LOAD[$cpu]}"
		[ "${LOAD[$cpu]}" -lt $min ] && min=${LOAD[$cpu]}
		[ "${LOAD[$cpu]}" -gt $max ] && max=${LOAD[$cpu]}
	done
	if [ $((max - min)) -le 1 ]; then
		ok "$tag: queues per CPU over both NICs differ by at most one ($l)"
	else
		fail "$tag: queues per CPU over both NICs uneven ($l)"
	fi
	if [ -n "$eff" ]; then
		# Which RX queue a flow hits is the host tap's choice: some may
		# stay idle, but most must fire or the check proves little.
		if [ $nfired -ge $(( wa + wb )) ]; then
			ok "$tag: $nfired queue IRQs fired under traffic, each effective = requested${idle:+ (idle, not checked:$idle)}"
		else
			fail "$tag: only $nfired of $(( (wa + wb) * 2 )) queue IRQs fired under traffic (idle:$idle)"
		fi
	fi
	x=$(irq_affinity "$CIRQ")
	if [[ $x != *,* ]] && [ -n "${LOAD[$x]:-}" ]; then
		ok "$tag: $c (IRQ $CIRQ): on one usable CPU ($x)"
	else
		fail "$tag: $c (IRQ $CIRQ): on CPUs [$x], want one of $usable"
	fi
}

# settle [SECONDS]: short two-way traffic (16 flows each way) so moved IRQs
# fire and their new affinity takes effect; B is back in the root netns
# afterwards. FIRED[IRQ]=1 for every virtio IRQ that fired meanwhile.
declare -A FIRED
settle() {
	local irq dev
	declare -A c0=()
	FIRED=()
	for dev in "$a" "$b"; do
		for irq in $(virtio_all_irqs "$dev"); do c0[$irq]=$(irq_count "$irq"); done
	done
	traffic "$a" "$b" "${1:-2}" 16 >/dev/null || fail "settle: iperf3 between $a and $b"
	traffic_teardown "$b"
	for irq in "${!c0[@]}"; do
		[ "$(irq_count "$irq")" -gt "${c0[$irq]}" ] && FIRED[$irq]=1
	done
}

# irq_percpu IRQ: the per-CPU counts of an IRQ as "c0 c1 ...".
irq_percpu() {
	awk -v i="$1:" '$1 == i { s = ""; for (f = 2; f <= NF && $f ~ /^[0-9]+$/; f++) s = s " " $f; print s; exit }' \
		/proc/interrupts
}

apply_json_summary() {	# FILE
	jqr "$1" '"\(.dry_run) \(.summary.failed) \(.summary.skipped) \(.summary.exit_status) \([.items[] | select(.change and .status != "ok")] | length)"'
}

# --- 0. what the driver does at probe ---------------------------------------
for dev in "$a" "$b"; do
	check_eq "$dev: probe: ethtool -l combined max = device's 8 pairs" $MAXQ "$(channels_combined "$dev" max)"
	check_eq "$dev: probe: combined current = min(8, 4 online CPUs)" 4 "$(channels_combined "$dev")"
done

# --- 1. bad state ------------------------------------------------------------
make_bad_state
bad=
for dev in "$a" "$b"; do
	[ "$(channels_combined "$dev")" = 1 ] || bad="$bad $dev:channels=$(channels_combined "$dev")"
	for irq in $(virtio_all_irqs "$dev"); do
		[ "$(irq_affinity "$irq")" = 0 ] || bad="$bad irq$irq:$(irq_affinity "$irq")"
	done
	[ "$(xps_list "$dev" 0)" = "" ] || bad="$bad $dev:xps=$(xps_list "$dev" 0)"
done
if [ -z "$bad" ]; then
	ok "bad state: 1 channel, all $(virtio_all_irqs "$a" | wc -l)+$(virtio_all_irqs "$b" | wc -l) virtio IRQs on CPU 0, XPS empty"
else
	fail "bad state not reached:$bad"
fi
$IP -br link

# --- 2. --dry-run writes nothing -------------------------------------------
before=$(state_dump)
$MQ --dry-run > /tmp/dry.txt 2>&1
rc=$?
cat /tmp/dry.txt
check_eq "--dry-run exit status" 0 "$rc"
check "--dry-run plans channels combined 1 -> 4 for $a" grep -q "^$a channels combined 1 -> 4" /tmp/dry.txt
check "--dry-run says nothing was written" grep -q "nothing written" /tmp/dry.txt
$MQ --dry-run --json > /tmp/dry.json 2>/tmp/dry.err
rc=$?
check_eq "--dry-run --json: dry_run, summary.exit_status, exit status" "true 0 0" \
	"$(jqr /tmp/dry.json '"\(.dry_run) \(.summary.exit_status)"') $rc"
after=$(state_dump)
if [ "$before" = "$after" ]; then
	ok "--dry-run and --dry-run --json changed nothing ($(wc -l <<<"$before") settings compared)"
else
	fail "--dry-run changed the system: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -5 | tr '\n' ' ')"
fi

# --- 3. --apply --json from the bad state -----------------------------------
$MQ --apply --json > /tmp/a1.json 2>/tmp/a1.err
rc=$?
cat /tmp/a1.err
jqr /tmp/a1.json '.items[] | select(.change) | "\(.ifname) \(.kind) \(.queue) \(.current_cpus // .current) -> \(.target_cpus // .target): \(.status) \(.effective_cpus) \(.message // "")"' -c
check_eq "--apply --json exit status" 0 "$rc"
check_eq "--apply --json: dry_run false, 0 failed, 0 skipped, exit_status 0, every change ok" \
	"false 0 0 0 0" "$(apply_json_summary /tmp/a1.json)"
check_eq "--apply --json: channels of $a and $b 1 -> 4 (max 8), ok" \
	"$a 1 4 8 ok,$b 1 4 8 ok," \
	"$(jqr /tmp/a1.json '.items[] | select(.kind == "channels") | "\(.ifname) \(.current.combined) \(.target.combined) \(.max.combined) \(.status)"' | tr '\n' ,)"
check_eq "--apply --json: re-probed after the channel change" true "$(jqr /tmp/a1.json .summary.reprobed)"
check_eq "--apply --json: $c has no channels item" 0 \
	"$(jqr /tmp/a1.json '[.items[] | select(.ifname == $c and .kind == "channels")] | length' --arg c "$c")"
check "--apply --json: a finding says $c has no channel control, and no fix in the guest" \
	grep -q "^channels_unknown none in the guest: driver e1000 has no channel control" \
	<(jqr /tmp/a1.json '.findings[] | select(.interface == $c) | "\(.code) \(.fix)"' --arg c "$c")
# Every IRQ the JSON says it wrote: target = /proc smp_affinity_list now.
bad= n=0
while read -r irq tgt; do
	n=$((n + 1))
	[ "$(irq_affinity "$irq")" = "$tgt" ] || bad="$bad irq$irq:target[$tgt]proc[$(irq_affinity "$irq")]"
done < <(jqr /tmp/a1.json '.items[] | select(.kind == "irq_affinity" and .change) | "\(.irq) \(.target_cpus | map(tostring) | join(","))"')
if [ -z "$bad" ] && [ $n -gt 0 ]; then
	ok "--apply --json: all $n IRQs written have target_cpus = smp_affinity_list"
else
	fail "--apply --json: IRQ targets vs /proc ($n):$bad"
fi
check_spread "after --apply" 0,1,2,3 4 4
# Right after --apply, before any traffic, the moved IRQs have not fired yet
# and effective_affinity_list still shows their old CPUs. The report must
# judge the placement mqbalance asked for, not call it stacked.
$MQ --report --json > /tmp/r1.json 2>/dev/null
report_load /tmp/r1.json
for dev in "$a" "$b"; do
	check_eq "right after --apply: --report has no irqs_stacked for $dev" 0 "$(report_findings irqs_stacked "$dev")"
	check_eq "right after --apply: --report has no xps_mismatch for $dev" 0 "$(report_findings xps_mismatch "$dev")"
done

# --- 4. under traffic: interrupts land on the CPUs planned ------------------
# A first short run lets every moved IRQ take its new affinity (x86 moves an
# MSI at its next interrupt); then, per CPU column of /proc/interrupts, each
# queue IRQ that fires in the second run fires only on its queue's CPU.
# (FIRED, for the effective check, comes from the first run.)
irqs=
for dev in "$a" "$b"; do
	k=$(virtio_index "$dev")
	for ((q = 0; q < 4; q++)); do
		for d in input output; do
			irqs="$irqs $dev:$q:$d:$(irq_by_name "virtio$k-$d.$q")"
		done
	done
done
declare -A cnt0
settle 2
for t in $irqs; do cnt0[${t##*:}]=$(irq_percpu "${t##*:}"); done
check "iperf3 -P 8 --bidir between $a and $b" traffic "$a" "$b" 3 8
grep -E 'SUM.*(sender|receiver)' /run/iperf3.out
traffic_teardown "$b"
bad= fired=0 rxfired=0
for t in $irqs; do
	IFS=: read -r dev q d irq <<<"$t"
	read -ra c0 <<<"${cnt0[$irq]:-}"
	read -ra c1 <<<"$(irq_percpu "$irq")"
	grew=
	for cpu in "${!c1[@]}"; do
		[ "${c1[$cpu]}" -gt "${c0[$cpu]:-0}" ] && grew="$grew,$cpu"
	done
	grew=${grew#,}
	[ -n "$grew" ] || continue
	FIRED[$irq]=1
	fired=$((fired + 1))
	[ "$d" = input ] && rxfired=$((rxfired + 1))
	[ "$grew" = "${QCPU[$dev.$q]:-}" ] || bad="$bad $dev.$q.$d(irq$irq):fired-on[$grew]planned[${QCPU[$dev.$q]:-}]"
done
if [ -z "$bad" ] && [ "$fired" -gt 0 ]; then
	ok "traffic: all $fired queue IRQs that fired ($rxfired RX) fired only on their queue's CPU"
else
	fail "traffic: IRQs fired elsewhere (of $fired):$bad"
fi
if [ "$rxfired" -ge 4 ]; then
	ok "traffic: $rxfired of 8 RX queue IRQs fired"
else
	fail "traffic: only $rxfired of 8 RX queue IRQs fired, want >= 4"
fi
check_spread "after traffic" 0,1,2,3 4 4 effective

# --- 5. a second --apply changes nothing ------------------------------------
before=$(state_dump)
$MQ --apply > /tmp/a2.txt 2>&1
rc=$?
cat /tmp/a2.txt
check_eq "second --apply exit status" 0 "$rc"
check "second --apply says nothing to do" grep -q "^nothing to do" /tmp/a2.txt
after=$(state_dump)
if [ "$before" = "$after" ]; then ok "second --apply changed nothing"; else
	fail "second --apply changed: $(diff <(echo "$before") <(echo "$after") | grep '^[<>]' | head -5 | tr '\n' ' ')"
fi

# --- 6. CPU 3 offline, then back ---------------------------------------------
if ! cpu_online 3 0; then
	fail "cpu3 offline"
else
	check_eq "cpu3 offline: online CPUs" 0,1,2 "$(online_cpus)"
	echo "state after cpu3 went offline, before --apply:"
	state_dump | grep -v rps_cpus
	$MQ --apply > /tmp/a3.txt 2>&1
	rc=$?
	cat /tmp/a3.txt
	check_eq "cpu3 offline: --apply exit status" 0 "$rc"
	check "cpu3 offline: --apply output has $a channels combined 4 -> 3: ok" \
		grep -q "^$a channels combined 4 -> 3: ok" /tmp/a3.txt
	settle
	check_spread "cpu3 offline" 0,1,2 3 3 effective
	bad=
	for dev in "$a" "$b"; do
		k=$(virtio_index "$dev")
		for ((q = 0; q < $(active_queues "$dev"); q++)); do
			for d in input output; do
				irq=$(irq_by_name "virtio$k-$d.$q")
				[[ ",$(irq_affinity "$irq")," == *,3,* ]] && bad="$bad irq$irq"
			done
		done
	done
	check_eq "cpu3 offline: no active queue IRQ asks for CPU 3" "" "$bad"

	cpu_online 3 1
	check_eq "cpu3 online again: online CPUs" 0,1,2,3 "$(online_cpus)"
	$MQ --apply > /tmp/a4.txt 2>&1
	rc=$?
	cat /tmp/a4.txt
	check_eq "cpu3 back: --apply exit status" 0 "$rc"
	check "cpu3 back: --apply output has $a channels combined 3 -> 4: ok" \
		grep -q "^$a channels combined 3 -> 4: ok" /tmp/a4.txt
	settle
	check_spread "cpu3 back" 0,1,2,3 4 4 effective
fi

# --- 7. /etc/mqbalance.conf: banned_cpus = 0, [A] queues = 2 ----------------
# A takes 2 queues on CPUs 1,2; B must continue on CPU 3 (then 1, 2), so the
# queues per CPU over both NICs stay even (2, 2, 1).
printf '# written by the apply guest scenario\nbanned_cpus = 0\n\n[%s]\nqueues = 2\n' "$a" \
	> /etc/mqbalance.conf
$MQ --apply > /tmp/a5.txt 2>&1
rc=$?
cat /tmp/a5.txt
check_eq "config: --apply exit status" 0 "$rc"
settle
check_spread "config banned_cpus=0, $a queues=2" 1,2,3 2 3 effective
# The second NIC continues the sequence: its queue 0 takes the CPU A left free.
free_cpu_first() {
	[ -n "${QCPU[$b.0]:-}" ] && [ "${QCPU[$b.0]}" != "${QCPU[$a.0]:-}" ] &&
		[ "${QCPU[$b.0]}" != "${QCPU[$a.1]:-}" ]
}
check "config: $b's queue 0 on the CPU $a left free (${QCPU[$b.0]:-?}; $a on ${QCPU[$a.0]:-?},${QCPU[$a.1]:-?})" \
	free_cpu_first
bad=
for dev in "$a" "$b"; do
	k=$(virtio_index "$dev")
	for ((q = 0; q < $(active_queues "$dev"); q++)); do
		for d in input output; do
			irq=$(irq_by_name "virtio$k-$d.$q")
			# x86 moves a non-remapped IRQ when it next fires: the
			# effective CPU counts only for IRQs that fired since --apply
			eff=
			[ -n "${FIRED[$irq]:-}" ] && eff=$(irq_effective "$irq")
			[[ ",$eff,$(irq_affinity "$irq")," == *,0,* ]] && bad="$bad irq$irq"
		done
	done
done
check_eq "config: no queue IRQ on banned CPU 0 (requested, or effective once fired)" "" "$bad"
$MQ --apply > /tmp/a6.txt 2>&1
rc=$?
check_eq "config: second --apply: exit 0, nothing to do" "0 yes" \
	"$rc $(grep -q '^nothing to do' /tmp/a6.txt && echo yes || echo no)"
finish
