# Helpers for watching mqbalance --daemon keep a guest tuned, sourced by
# tests/guest/scenarios/daemon.sh and by the systemd guest's check script
# (tests/guest/systemd-guest.sh). Standalone: needs bash, and ethtool only in
# dl_setup and dl_confirm.
#
# The tuned state is checked from the kernel's own files, never from
# mqbalance: for every NIC given to dl_setup
#   - channels (queues/rx-* in sysfs; ethtool -l in dl_confirm) =
#     min(device maximum, online CPUs);
#   - each active queue's IRQs (virtio: input.Q and output.Q) have
#     smp_affinity_list = one online CPU, the same for RX and TX; different
#     queues of a NIC on different CPUs (effective_affinity_list: see
#     dl_irq_cpu and dl_effective);
#   - over all NICs, the number of queues per CPU differs by at most one
#     (NICs continue the CPU sequence);
#   - XPS: the tx-Q masks of a multiqueue NIC are disjoint, cover exactly the
#     online CPUs, and tx-Q holds the CPU of queue Q's IRQs;
#   - a single-queue NIC's IRQ is on one online CPU.
# dl_tuned is fork-free (bash builtins on /proc and /sys only) so that it can
# be polled every few tens of milliseconds even under TCG.

DL_ETHTOOL=${ETHTOOL:-/usr/sbin/ethtool}
declare -ga DL_NICS=()
declare -gA DL_MAX=() DL_IRQ=()	# DL_IRQ[eth0.2.in], DL_IRQ[eth0.2.out], DL_IRQ[eth3.0.in]
DL_WHY= DL_MS= DL_CHECK_US= DL_LAG=0

# Microseconds now (bash 5's EPOCHREALTIME, no fork).
dl_now() { printf -v "$1" '%s' "${EPOCHREALTIME/./}"; }

# Sleep without forking: read with a timeout on a FIFO nobody writes.
dl_sleep() {
	if [ -z "${_dl_sleep_fd:-}" ]; then
		local f=/tmp/.dl-sleep.$$
		mkfifo "$f" && exec {_dl_sleep_fd}<>"$f" && rm -f "$f"
	fi
	read -r -t "$1" -u "$_dl_sleep_fd" _ 2>/dev/null || :
}

# dl_expand VAR "0-2,5" -> VAR=",0,1,2,5," (fork-free cpulist_expand).
dl_expand() {
	local -n _out=$1
	local part i a b
	local -a _parts
	_out=,
	IFS=, read -ra _parts <<<"$2"
	for part in "${_parts[@]}"; do
		part=${part//[[:space:]]/}
		[ -n "$part" ] || continue
		if [[ $part == *-* ]]; then
			a=${part%-*} b=${part#*-}
			for ((i = a; i <= b; i++)); do _out+="$i,"; done
		else
			_out+="$part,"
		fi
	done
}

# dl_mask VAR "00000000,0000000a" -> VAR=",1,3," (the kernel's hex masks).
dl_mask() {
	local -n _m=$1
	local hex=${2//,/} i d b cpu=0
	hex=${hex//[[:space:]]/}
	_m=,
	local -a bits=()
	for ((i = ${#hex} - 1; i >= 0; i--)); do
		d=$((16#${hex:i:1}))
		for b in 0 1 2 3; do
			((d >> b & 1)) && bits+=($((cpu + b)))
		done
		cpu=$((cpu + 4))
	done
	for i in "${bits[@]}"; do _m+="$i,"; done
}

# dl_setup IF...: learn the NICs' queue IRQs (by /proc/interrupts name) and
# channel maxima once; IRQ numbers of these drivers do not change afterwards.
dl_setup() {
	local dev drv k q irq name
	declare -A byname=()
	DL_NICS=("$@")
	DL_MAX=() DL_IRQ=()
	while read -r irq name; do
		byname[$name]=$irq
	done < <(awk '$1 ~ /^[0-9]+:$/ { sub(":", "", $1); print $1, $NF }' /proc/interrupts)
	for dev in "$@"; do
		drv=$(basename "$(readlink -f "/sys/class/net/$dev/device/driver")")
		if [ "$drv" = virtio_net ]; then
			k=$(basename "$(readlink -f "/sys/class/net/$dev/device")")
			k=${k#virtio}
			DL_MAX[$dev]=$($DL_ETHTOOL -l "$dev" | awk '/^Pre-set/ {s = 1} /^Current/ {s = 0}
				s && /^Combined:/ {print $2}')
			for ((q = 0; q < DL_MAX[$dev]; q++)); do
				DL_IRQ[$dev.$q.in]=${byname[virtio$k-input.$q]:-}
				DL_IRQ[$dev.$q.out]=${byname[virtio$k-output.$q]:-}
			done
		else
			DL_MAX[$dev]=1
			DL_IRQ[$dev.0.in]=${byname[$dev]:-}
		fi
	done
}

# dl_irq_cpu IRQ VAR: VAR=the one CPU of smp_affinity_list; else returns 1
# with DL_WHY. An effective_affinity_list that differs is counted in DL_LAG:
# on x86 a move is only finished by the IRQ's next interrupt (the vector
# stays "move in progress", a later change waits as "pending"), so an idle
# queue's effective CPU lags; dl_effective checks it after traffic.
dl_irq_cpu() {
	local -n _c=$2
	local aff eff
	read -r aff <"/proc/irq/$1/smp_affinity_list" || { DL_WHY="irq $1: no smp_affinity_list"; return 1; }
	if [[ ! $aff =~ ^[0-9]+$ ]]; then
		DL_WHY="irq $1: smp_affinity_list $aff (want one CPU)"
		return 1
	fi
	read -r eff <"/proc/irq/$1/effective_affinity_list" 2>/dev/null || eff=$aff
	[ "$eff" = "$aff" ] || DL_LAG=$((DL_LAG + 1))
	_c=$aff
}

# dl_tuned: 0 when every NIC is tuned as described at the top; else 1 and
# DL_WHY says the first thing found wrong. Sets DL_CHECK_US to its duration.
dl_tuned() {
	local t0 t1 online on n dev want have q c c2 x mask union= i
	local -a rxq
	local -A load=()
	dl_now t0
	DL_WHY= DL_LAG=0
	read -r online </sys/devices/system/cpu/online
	dl_expand on "$online"
	n=0
	for c in ${on//,/ }; do n=$((n + 1)); load[$c]=0; done
	_dl_tuned_nics || { dl_now t1; DL_CHECK_US=$((t1 - t0)); return 1; }
	local min=999 max=0
	for c in "${!load[@]}"; do
		((load[$c] < min)) && min=${load[$c]}
		((load[$c] > max)) && max=${load[$c]}
	done
	dl_now t1
	DL_CHECK_US=$((t1 - t0))
	if ((max - min > 1)); then
		DL_WHY="queues per CPU unbalanced:"
		for c in "${!load[@]}"; do DL_WHY+=" cpu$c=${load[$c]}"; done
		return 1
	fi
	return 0
}

_dl_tuned_nics() {
	for dev in "${DL_NICS[@]}"; do
		want=$((DL_MAX[$dev] < n ? DL_MAX[$dev] : n))
		rxq=(/sys/class/net/"$dev"/queues/rx-*)
		have=${#rxq[@]}
		if [ "${DL_MAX[$dev]}" -gt 1 ] && [ "$have" != "$want" ]; then
			DL_WHY="$dev: $have channels, want $want ($n CPUs online)"
			return 1
		fi
		local used=,
		union=,
		for ((q = 0; q < (DL_MAX[$dev] > 1 ? want : 1); q++)); do
			[ -n "${DL_IRQ[$dev.$q.in]}" ] || { DL_WHY="$dev: no IRQ for queue $q"; return 1; }
			dl_irq_cpu "${DL_IRQ[$dev.$q.in]}" c || { DL_WHY="$dev queue $q: $DL_WHY"; return 1; }
			if [[ $on != *,$c,* ]]; then
				DL_WHY="$dev queue $q: IRQ ${DL_IRQ[$dev.$q.in]} on cpu$c, not online ($online)"
				return 1
			fi
			if [ -n "${DL_IRQ[$dev.$q.out]:-}" ]; then
				dl_irq_cpu "${DL_IRQ[$dev.$q.out]}" c2 || { DL_WHY="$dev queue $q: $DL_WHY"; return 1; }
				if [ "$c" != "$c2" ]; then
					DL_WHY="$dev queue $q: RX IRQ on cpu$c, TX IRQ on cpu$c2"
					return 1
				fi
			fi
			if [[ $used == *,$c,* ]]; then
				DL_WHY="$dev queue $q: cpu$c already serves another queue of $dev"
				return 1
			fi
			used+="$c,"
			load[$c]=$((load[$c] + 1))
			[ "${DL_MAX[$dev]}" -gt 1 ] || continue
			read -r x <"/sys/class/net/$dev/queues/tx-$q/xps_cpus" 2>/dev/null || x=
			dl_mask mask "$x"
			if [[ $mask != *,$c,* ]]; then
				DL_WHY="$dev tx-$q: xps_cpus $x lacks cpu$c of its IRQ"
				return 1
			fi
			for i in ${mask//,/ }; do
				if [[ $union == *,$i,* ]]; then
					DL_WHY="$dev tx-$q: xps_cpus $x: cpu$i is in another tx queue too"
					return 1
				fi
				union+="$i,"
			done
		done
		if [ "${DL_MAX[$dev]}" -gt 1 ]; then
			for c in ${on//,/ }; do
				if [[ $union != *,$c,* ]]; then
					DL_WHY="$dev: online cpu$c in no tx queue's xps_cpus"
					return 1
				fi
			done
			for c in ${union//,/ }; do
				if [[ $on != *,$c,* ]]; then
					DL_WHY="$dev: offline cpu$c in xps_cpus"
					return 1
				fi
			done
		fi
	done
}

# dl_state VAR: the tuned state as one string (channels, every queue IRQ's
# smp_affinity_list, every multiqueue xps_cpus), to compare before and after
# an event. effective_affinity_list is left out: it lags on idle IRQs.
dl_state() {
	local -n _s=$1
	local dev q x a d rxq
	_s=
	for dev in "${DL_NICS[@]}"; do
		rxq=(/sys/class/net/"$dev"/queues/rx-*)
		_s+="$dev:${#rxq[@]}"
		for ((q = 0; q < DL_MAX[$dev]; q++)); do
			for d in in out; do
				[ -n "${DL_IRQ[$dev.$q.$d]:-}" ] || continue
				read -r a <"/proc/irq/${DL_IRQ[$dev.$q.$d]}/smp_affinity_list"
				_s+=" $q$d=$a"
			done
			if [ "${DL_MAX[$dev]}" -gt 1 ] && [ -e "/sys/class/net/$dev/queues/tx-$q/xps_cpus" ]; then
				read -r x <"/sys/class/net/$dev/queues/tx-$q/xps_cpus" || x='?'
				_s+=" xps$q=$x"
			fi
		done
		_s+="; "
	done
}

# dl_irqs: every queue IRQ of the NICs, one per line.
dl_irqs() {
	local k
	for k in "${!DL_IRQ[@]}"; do
		[ -n "${DL_IRQ[$k]}" ] && echo "${DL_IRQ[$k]}"
	done | sort -n
}

# dl_irq_counts: "IRQ count" lines for dl_irqs (total over all CPUs).
dl_irq_counts() {
	awk -v want=" $(dl_irqs | tr '\n' ' ')" '$1 ~ /^[0-9]+:$/ { i = $1; sub(":", "", i)
		if (index(want, " " i " ")) { s = 0
			for (f = 2; f <= NF && $f ~ /^[0-9]+$/; f++) s += $f
			print i, s } }' /proc/interrupts
}

# dl_effective BEFORE_FILE: for every queue IRQ that fired since BEFORE_FILE
# (dl_irq_counts output), effective_affinity_list must equal
# smp_affinity_list. Prints "fired/total"; returns 1 with DL_WHY on a mismatch.
dl_effective() {
	local irq cnt old aff eff fired=0 total=0
	declare -A before=()
	DL_WHY=
	while read -r irq cnt; do before[$irq]=$cnt; done <"$1"
	while read -r irq cnt; do
		total=$((total + 1))
		old=${before[$irq]:-0}
		[ "$cnt" -gt "$old" ] || continue
		fired=$((fired + 1))
		read -r aff <"/proc/irq/$irq/smp_affinity_list"
		read -r eff <"/proc/irq/$irq/effective_affinity_list"
		[ "$aff" = "$eff" ] || DL_WHY+=" irq $irq: affinity $aff, effective $eff;"
	done < <(dl_irq_counts)
	echo "$fired/$total"
	[ -z "$DL_WHY" ]
}

# dl_settle T0_US LIMIT_S [STABLE_MS]: poll dl_tuned every ~30 ms until it has
# held for STABLE_MS (default 1000) without a break. DL_MS = milliseconds from
# T0 to the first check of that stable stretch. Returns 1 after LIMIT_S
# seconds (DL_WHY says what was still wrong).
dl_settle() {
	local t0=$1 limit=$(($2 * 1000000)) stable=$((${3:-1000} * 1000)) now since=
	DL_MS=
	while :; do
		dl_now now
		if dl_tuned; then
			[ -n "$since" ] || since=$now
			if ((now - since >= stable)); then
				DL_MS=$(((since - t0) / 1000))
				return 0
			fi
		else
			since=
			((now - t0 > limit)) && return 1
		fi
		dl_sleep 0.03
	done
}

# dl_confirm: the same channel counts from ethtool -l (an independent tool;
# dl_tuned counts sysfs queue directories). Prints "eth0=4 eth1=2".
dl_confirm() {
	local dev cur out= online n
	read -r online </sys/devices/system/cpu/online
	dl_expand n "$online"
	n=${n//[^,]/}
	n=$((${#n} - 1))
	for dev in "${DL_NICS[@]}"; do
		[ "${DL_MAX[$dev]}" -gt 1 ] || continue
		cur=$($DL_ETHTOOL -l "$dev" | awk '/^Current/ {s = 1} s && /^Combined:/ {print $2}')
		out+=" $dev=$cur"
		if [ "$cur" != "$((DL_MAX[$dev] < n ? DL_MAX[$dev] : n))" ]; then
			DL_WHY="ethtool -l $dev: combined $cur, want min(${DL_MAX[$dev]}, $n CPUs)"
			echo "${out# }"
			return 1
		fi
	done
	echo "${out# }"
}
