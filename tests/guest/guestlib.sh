# Helpers for guest scenarios (tests/guest/scenarios/*.sh), sourced inside the
# guest. Tools are called by full path: Debian's static busybox would answer
# with its own applets (its ip has no -d, -j or netns).
# Each check prints one TAP-like line, "ok - <scenario>: ...", to the console
# and to fd $MQ_TAP_FD (ttyS1), which the host relays with the kernel prefixed.
set -u
IP=/usr/sbin/ip
ETHTOOL=/usr/sbin/ethtool
IPERF=/usr/bin/iperf3
JQ=/usr/bin/jq
MQ=${MQ:-/mq/mqbalance}
MQ_SCENARIO=${MQ_SCENARIO:-$(basename "$0" .sh)}
MQ_TAP_FD=${MQ_TAP_FD:-}	# fd open on the results port (set by /init)
PEER_NS=peer			# the guest netns that holds traffic's far end
NET_A=10.99.0.1 NET_B=10.99.0.2	# private test subnet, only on the qemu bridge
_failed=0

_tap() {
	local up
	read -r up _ </proc/uptime
	echo "[$up] $*"	# console copy: seconds since boot, for timing
	if [ -n "$MQ_TAP_FD" ]; then echo "$*" >&"$MQ_TAP_FD"; fi
}
ok() { _tap "ok - $MQ_SCENARIO: $*"; }
fail() { _tap "not ok - $MQ_SCENARIO: $*"; _failed=1; }
skip() { _tap "skip - $MQ_SCENARIO: $*"; }
# check "description" command... : ok if the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# check_eq "description" EXPECTED ACTUAL
check_eq() {
	if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi
}
finish() { exit $_failed; }
# Skip the rest of the scenario with a reason (exit status 0).
skip_all() { skip "$*"; exit $_failed; }

# export_file PATH NAME: copy a file to the host, base64 over the results
# port; run-guest.sh decodes it to build/guest-logs/<series>-<scenario>.files/NAME
# and checks a NAME ending in .prom with `promtool check metrics` there.
# NAME: letters, digits, ".", "_", "-".
export_file() {
	[ -n "$MQ_TAP_FD" ] || return 0
	{ echo "MQ-FILE-BEGIN $2"; base64 "$1"; echo "MQ-FILE-END $2"; } >&"$MQ_TAP_FD"
}

# wait_for TIMEOUT_SECONDS command... : poll every 0.2 s until it succeeds.
wait_for() {
	local end=$(( $(date +%s) + $1 ))
	shift
	until "$@"; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.2
	done
}

# --- NICs, IRQs ------------------------------------------------------------

nic_driver() { basename "$(readlink -f "/sys/class/net/$1/device/driver")"; }
# NICs (root netns) bound to a driver, in name order.
nics_by_driver() {
	local d
	for d in /sys/class/net/*; do
		[ -e "$d/device" ] || continue
		[ "$(nic_driver "${d##*/}")" = "$1" ] && echo "${d##*/}"
	done
}
# The K of virtio<K>-input.Q for a virtio_net NIC.
virtio_index() {
	local v
	v=$(basename "$(readlink -f "/sys/class/net/$1/device")")
	echo "${v#virtio}"
}
# IRQ number whose /proc/interrupts name (last field) is exactly NAME.
irq_by_name() {
	awk -v n="$1" '$NF == n { sub(":", "", $1); print $1; exit }' /proc/interrupts
}
# Total count of an IRQ over all CPUs.
irq_count() {
	awk -v i="$1:" '$1 == i { s = 0; for (f = 2; f <= NF && $f ~ /^[0-9]+$/; f++) s += $f; print s; exit }' \
		/proc/interrupts
}
# "Q=count ..." of the input (RX) IRQs of a virtio NIC.
rx_irq_counts() {
	local k q irq
	k=$(virtio_index "$1")
	for q in $(seq 0 $(( $(ls -d /sys/class/net/"$1"/queues/rx-* | wc -l) - 1 ))); do
		irq=$(irq_by_name "virtio$k-input.$q")
		echo "$q=$([ -n "$irq" ] && irq_count "$irq" || echo 0)"
	done
}
# "Q input-IRQ output-IRQ" per active queue of a virtio NIC ("-" if absent).
virtio_queue_irqs() {
	local k q n
	k=$(virtio_index "$1")
	n=$(ls -d /sys/class/net/"$1"/queues/rx-* | wc -l)
	for ((q = 0; q < n; q++)); do
		echo "$q $(irq_by_name "virtio$k-input.$q" | grep . || echo -)" \
			"$(irq_by_name "virtio$k-output.$q" | grep . || echo -)"
	done
}
# Where an IRQ really lands / was asked to land, as "0,1,3".
irq_effective() { cpulist_expand "$(cat /proc/irq/"$1"/effective_affinity_list)"; }
irq_affinity() { cpulist_expand "$(cat /proc/irq/"$1"/smp_affinity_list)"; }
# Channel counts from ethtool -l: channels_combined IF [max|current].
channels_combined() {
	$ETHTOOL -l "$1" 2>/dev/null | awk -v w="${2:-current}" '
		/^Pre-set/ { s = "max" } /^Current/ { s = "current" }
		/^Combined:/ && s == w { print $2 }'
}
# CPU hotplug: cpu_online CPU 0|1 (cpu0 usually cannot go offline).
cpu_online() { echo "$2" > "/sys/devices/system/cpu/cpu$1/online"; }
online_cpus() { cpulist_expand "$(cat /sys/devices/system/cpu/online)"; }
# Sysfs counter of an interface: nic_stat IF rx_packets.
nic_stat() { cat "/sys/class/net/$1/statistics/$2"; }

# --- traffic ---------------------------------------------------------------
# NIC A stays in the root netns with $NET_A, NIC B moves into netns $PEER_NS
# with $NET_B; both sit on the same bridge in the host's test namespace, so
# traffic really crosses both NICs' queues.

traffic_setup() {	# A B
	local a=$1 b=$2
	[ -e /run/netns/$PEER_NS ] || $IP netns add $PEER_NS || return 1
	$IP link set "$b" netns $PEER_NS || return 1
	$IP -n $PEER_NS link set lo up
	$IP -n $PEER_NS addr add $NET_B/24 dev "$b"
	$IP -n $PEER_NS link set "$b" up
	$IP addr add $NET_A/24 dev "$a" 2>/dev/null
	$IP link set "$a" up
	wait_for 10 ping -c1 -W1 $NET_B >/dev/null 2>&1 || { echo "traffic: $NET_B unreachable"; return 1; }
	$IP netns exec $PEER_NS $IPERF -s -D -B $NET_B -I /run/iperf3.pid || return 1
	wait_for 5 test -s /run/iperf3.pid
	sleep 0.5
}
# traffic_start SECONDS [STREAMS]: both directions, in the background.
traffic_start() {
	$IPERF -c $NET_B -t "$1" -P "${2:-8}" --bidir -i 0 > /run/iperf3.out 2>&1 &
	_traffic_pid=$!
}
traffic_wait() {
	wait "$_traffic_pid"
	local rc=$?
	[ $rc = 0 ] || cat /run/iperf3.out
	return $rc
}
# traffic A B [SECONDS] [STREAMS]: setup, run to the end.
traffic() {
	traffic_setup "$1" "$2" || return 1
	traffic_start "${3:-3}" "${4:-8}"
	traffic_wait
}
# Bring B back into the root netns (down, no address) and stop the server.
traffic_teardown() {	# B
	[ -s /run/iperf3.pid ] && kill "$(cat /run/iperf3.pid)" 2>/dev/null
	rm -f /run/iperf3.pid
	$IP -n $PEER_NS link set "$1" netns 1 2>/dev/null
	$IP link set "$1" up 2>/dev/null
}
# Run a command in the peer netns (sees NIC B; /proc/interrupts is global).
in_peer() { $IP netns exec $PEER_NS "$@"; }

# --- JSON ------------------------------------------------------------------

# jqr FILE FILTER [jq args...]: raw output of one jq filter.
jqr() { local f=$1 q=$2; shift 2; $JQ -r "$@" "$q" "$f"; }
# json_valid FILE
json_valid() { $JQ -e . "$1" >/dev/null 2>&1; }
# report_load FILE: flatten an `mqbalance --report --json` document into the
# associative array R with one jq call (jq costs ~0.3 s a start under TCG):
#   R[if.eth0.driver]=virtio_net   R[if.eth0.channels.rx_max]=null
#   R[if.eth0.queues.2.irqs.0.effective_cpus]=0,1   (number arrays joined)
#   R[findings.0.code]=channels_below_target
# Interfaces are keyed by ifname, queues by queue number. Missing key: unset.
declare -gA R
report_load() {
	local k v
	R=()
	while IFS= read -r k && IFS= read -r v; do
		R[$k]=$v
	done < <($JQ -r '
		def nums: if type == "array" and all(type == "number") then map(tostring) | join(",") else . end;
		{if: ((.interfaces // []) | map({key: (.ifname | tostring),
			value: (.queues |= ((. // []) | map({key: (.queue | tostring), value: .}) | from_entries))})
			| from_entries),
		 findings: (.findings // []), pending_changes: (.pending_changes // 0)}
		| walk(nums)
		| paths(type != "object" and type != "array") as $p
		| ($p | map(tostring) | join(".")),
		  (getpath($p) | if . == null then "null" else tostring | gsub("\n"; " ") end)' "$1")
}
# report_queues IF: the queue numbers the loaded report has for IF.
report_queues() {
	local k
	for k in "${!R[@]}"; do
		[[ $k =~ ^if\.$1\.queues\.([0-9]+)\.queue$ ]] && echo "${BASH_REMATCH[1]}"
	done | sort -n
}
# report_irqs IF Q: "irq name" lines of one queue.
report_irqs() {
	local i=0
	while [ -n "${R[if.$1.queues.$2.irqs.$i.irq]:-}" ]; do
		echo "${R[if.$1.queues.$2.irqs.$i.irq]} ${R[if.$1.queues.$2.irqs.$i.name]:-}"
		i=$((i + 1))
	done
}
# report_findings CODE IF: how many findings of that code name IF.
report_findings() {
	local i=0 n=0
	while [ -n "${R[findings.$i.code]:-}" ]; do
		[ "${R[findings.$i.code]}" = "$1" ] && [ "${R[findings.$i.interface]:-}" = "$2" ] && n=$((n + 1))
		i=$((i + 1))
	done
	echo $n
}

# --- CPU lists -------------------------------------------------------------

# cpulist_expand "0-2,5" -> "0,1,2,5" (the kernel's *_list format).
cpulist_expand() {
	local part out=() i
	IFS=, read -ra parts <<<"$1"
	for part in "${parts[@]}"; do
		[ -n "$part" ] || continue
		if [[ $part == *-* ]]; then
			for ((i = ${part%-*}; i <= ${part#*-}; i++)); do out+=("$i"); done
		else
			out+=("$part")
		fi
	done
	local IFS=,
	echo "${out[*]}"
}
# cpumask_to_list "00000000,0000000a" -> "1,3" (the kernel's hex mask format).
cpumask_to_list() {
	local hex=${1//,/} out=() n=${#1} i d b cpu=0
	n=${#hex}
	for ((i = n - 1; i >= 0; i--)); do
		d=$((16#${hex:i:1}))
		for b in 0 1 2 3; do
			(( d >> b & 1 )) && out+=("$((cpu + b))")
		done
		cpu=$((cpu + 4))
	done
	local IFS=,
	echo "${out[*]}"
}
