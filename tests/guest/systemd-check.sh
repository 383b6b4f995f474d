#!/bin/bash
# Runs inside the systemd guest (tests/guest/systemd-guest.sh) as
# mq-test.service, ordered after mqbalance.service: the shipped, hardened unit
# is active and READY, its sandbox is really in force on the process, and it
# tunes the NICs and keeps them tuned through a channel change and CPU
# hotplug. TAP lines and the end marker go to ttyS1, like the harness's guests.
set -u
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
export PATH=/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin
. /mq/daemonlib.sh
failed=0
_tap() { echo "$*"; echo "$*" >&3; }
ok() { _tap "ok - systemd: $*"; }
fail() { _tap "not ok - systemd: $*"; failed=1; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi; }
prop() { systemctl show -p "$1" --value mqbalance.service; }
journal() { journalctl -q -b -u mqbalance.service -o cat --no-pager "$@"; }
end() {
	echo "MQ-END rc=$failed" >&3
	exec 3>&-	# the last close waits until the UART has sent everything
	exit "$failed"
}

echo "systemd-check: $(systemctl --version | head -n1), kernel $(uname -r), $(nproc) CPUs"
check_eq "systemctl is-active mqbalance" active "$(systemctl is-active mqbalance.service)"
check_eq "Type (unit as installed by make install)" notify "$(prop Type)"
# Type=notify: the unit becomes active only when READY=1 arrives.
check_eq "ActiveState/SubState (READY=1 received)" active/running "$(prop ActiveState)/$(prop SubState)"
check_eq "NRestarts" 0 "$(prop NRestarts)"
status=$(prop StatusText)
if [ -n "$status" ] && [[ $status != *"could not"* ]]; then
	ok "StatusText from STATUS=: $status"
else
	fail "StatusText: '$status'"
fi
# make install's unit directory is one systemd reads (Debian 12 searches
# /usr/local/lib/systemd/system), and the condition holds in this VM.
check_eq "unit loaded from /usr/local" /usr/local/lib/systemd/system/mqbalance.service "$(prop FragmentPath)"
check_eq "ConditionVirtualization=vm met ($(systemd-detect-virt))" yes "$(prop ConditionResult)"
check_eq "ExecStart is the installed binary" /usr/local/sbin/mqbalance \
	"$(prop ExecStart | sed -n 's/.*path=\([^ ;]*\).*/\1/p')"
# systemd logs "Started" for a Type=notify unit only once READY=1 arrived.
if journal | grep -q '^Started mqbalance.service'; then
	ok "journal: $(journal | grep -m1 '^Started mqbalance.service')"
else
	fail "journal has no 'Started mqbalance.service'"
fi
if journal | grep -q 'daemon started'; then
	ok "journal: $(journal | grep -m1 'daemon started')"
else
	fail "journal has no 'daemon started': $(journal | tail -n 5 | tr '\n' '|')"
fi
# Lines carry journal priorities (<6> etc. on a JOURNAL_STREAM stderr).
n=$(journal -p info | wc -l) nall=$(journal | wc -l) nerr=$(journal -p err | wc -l)
if [ "$nall" -gt 0 ] && [ "$n" = "$nall" ] && [ "$(journal -p notice | wc -l)" -lt "$nall" ]; then
	ok "journal priorities: $nall lines at info or above, $nerr at err or above"
else
	fail "journal priorities: $nall lines, $n at info or above, $(journal -p notice | wc -l) at notice or above"
fi
check_eq "journal: no errors from mqbalance" 0 "$nerr"
[ "$nerr" = 0 ] || journal -p err | sed 's/^/#   /'
if journal | grep -q 'failed'; then
	fail "journal has failed steps: $(journal | grep -m3 failed | tr '\n' '|')"
else
	ok "journal: no failed steps"
fi

# The sandbox, as the kernel sees it on the running process.
pid=$(prop MainPID)
if [ -n "$pid" ] && [ "$pid" != 0 ] && [ -r "/proc/$pid/status" ]; then
	st=/proc/$pid/status
	check_eq "process: CapBnd = CAP_NET_ADMIN only" 0000000000001000 "$(awk '/^CapBnd:/ {print $2}' $st)"
	check_eq "process: CapEff = CAP_NET_ADMIN only" 0000000000001000 "$(awk '/^CapEff:/ {print $2}' $st)"
	check_eq "process: NoNewPrivs" 1 "$(awk '/^NoNewPrivs:/ {print $2}' $st)"
	check_eq "process: Seccomp (filter mode)" 2 "$(awk '/^Seccomp:/ {print $2}' $st)"
	check_eq "process: uid" 0 "$(awk '/^Uid:/ {print $2}' $st)"
	# mountinfo: mount point is field 5, per-mount options field 6.
	mi=/proc/$pid/mountinfo
	check_eq "process: / read-only (ProtectSystem=strict)" ro \
		"$(awk '$5 == "/" {split($6, o, ","); r = o[1]} END {print r}' $mi)"
	check_eq "process: /sys read-only" ro "$(awk '$5 == "/sys" {split($6, o, ","); r = o[1]} END {print r}' $mi)"
	check_eq "process: /sys/devices writable (ReadWritePaths)" rw \
		"$(awk '$5 == "/sys/devices" {split($6, o, ","); r = o[1]} END {print r}' $mi)"
	check_eq "process: /proc/sys read-only" ro "$(awk '$5 == "/proc/sys" {split($6, o, ","); r = o[1]} END {print r}' $mi)"
	check_eq "process: /home inaccessible (ProtectHome)" yes \
		"$(awk '$5 == "/home" {f = "yes"} END {print f ? f : "no"}' $mi)"
else
	fail "no MainPID for mqbalance ($pid)"
fi

# The NICs are tuned (checked from /proc/irq and sysfs, not by mqbalance).
virtio=()
for d in /sys/class/net/*; do
	[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = virtio_net ] && virtio+=("${d##*/}")
done
check_eq "two virtio_net NICs" 2 "${#virtio[@]}"
dl_setup "${virtio[@]}"
dl_now t0
if dl_settle "$t0" 30; then
	ok "NICs tuned by the service: IRQs one per CPU, XPS spread (${virtio[*]}; effective CPU awaiting an interrupt on $DL_LAG IRQs)"
else
	fail "NICs not tuned: $DL_WHY"
fi
if r=$(dl_confirm); then ok "ethtool -l: $r"; else fail "$DL_WHY"; fi
# The 2-queue NIC proves the sandbox lets it write: virtio_net striped it
# over 2 CPUs per queue, the plan wants one.
if journal | grep -qE "${virtio[1]} queue 0 irq [0-9]+ cpus .* -> [0-9]+: ok \(startup\)"; then
	ok "journal: $(journal | grep -m1 -E "${virtio[1]} queue 0 irq [0-9]+ cpus")"
else
	fail "journal: no IRQ move of ${virtio[1]} at startup"
fi
if journal | grep -qE "${virtio[1]} tx-0 xps .*: ok \(startup\)"; then
	ok "journal: $(journal | grep -m1 -E "${virtio[1]} tx-0 xps")"
else
	fail "journal: no XPS write for ${virtio[1]} at startup"
fi

# --- irqbalance next to mqbalance ---------------------------------------------
# Debian's irqbalance.service, with mqbalance's drop-in, runs from boot.
# Checked from /proc: the NICs' queue IRQs stay where mqbalance put them over
# irqbalance's 10 s scans, a full rescan (SIGHUP) and a CPU hotplug each way
# (after mqbalance's own re-tune), while irqbalance goes on moving another
# IRQ: virtio-blk's config vector. irqbalance places it at its first scan (it
# starts on the kernel's default, all CPUs); before each later round it is
# pinned to all CPUs again, a mask irqbalance never picks for it (a storage
# IRQ goes on one core), and irqbalance moves it at the scan after its
# rescan. irqbalance's journal shows its rescans asking mqbalance's policy
# script again ("IRQ N: Override ban to true").
irq_named() { awk -v n="$1" '$NF == n {sub(":", "", $1); print $1; exit}' /proc/interrupts; }
aff() { local a; read -r a <"/proc/irq/$1/smp_affinity_list"; echo "$a"; }
# The queue IRQs' requested CPUs, "irq:cpus ...".
qstate() {
	local i a s=
	for i in "${queue[@]}"; do read -r a <"/proc/irq/$i/smp_affinity_list"; s+="$i:$a "; done
	echo "$s"
}
qdiff() {
	local -a x y
	local i d=
	read -ra x <<<"$1"; read -ra y <<<"$2"
	for i in "${!x[@]}"; do [ "${x[$i]}" = "${y[$i]:-}" ] || d+=" ${x[$i]} -> ${y[$i]#*:}"; done
	echo "${d# }"
}
# How often irqbalance's policy answered "ban" per IRQ: "IRQ=N ...".
bans() {
	journalctl -q -b -u irqbalance.service -o cat --no-pager |
		awk '$1 == "IRQ" && / Override ban to true/ {sub(":", "", $2); n[$2]++}
			END {for (i in n) print i "=" n[i]}' | sort -n | tr '\n' ' '
}
# The IRQs whose ban count did not grow from $1 to $2, and IRQs banned that are not ours.
bans_grew() {
	local -A was now
	local kv i bad=
	for kv in $1; do was[${kv%=*}]=${kv#*=}; done
	for kv in $2; do now[${kv%=*}]=${kv#*=}; done
	for i in "${queue[@]}"; do [ "${now[$i]:-0}" -gt "${was[$i]:-0}" ] || bad+=" $i"; done
	for i in "${!now[@]}"; do [[ " ${queue[*]} " == *" $i "* ]] || bad+=" not-ours:$i"; done
	echo "${bad# }"
}
# ib_window MAX: poll every 0.25 s, up to MAX s, that the queue IRQs keep
# $base, until $other has left $pinned (irqbalance placed it, IB_MOVED s in)
# and one more irqbalance scan (11 s) went by. IB_WHY says why not.
ib_window() {
	local t0=$SECONDS polls=0 cur el
	IB_MOVED='' IB_WHY=''
	while :; do
		cur=$(qstate) el=$((SECONDS - t0))
		if [ "$cur" != "$base" ]; then
			IB_WHY="queue IRQs moved after $el s: $(qdiff "$base" "$cur")"
			return 1
		fi
		[ -z "$IB_MOVED" ] && [ "$(aff "$other")" != "$pinned" ] && IB_MOVED=$el
		if [ -n "$IB_MOVED" ] && [ $((el - IB_MOVED)) -ge 11 ]; then
			IB_POLLS=$polls IB_SECS=$el
			return 0
		fi
		if [ "$el" -ge "$1" ]; then
			IB_WHY="irqbalance did not move $other_name (IRQ $other) off $pinned within $1 s"
			return 1
		fi
		polls=$((polls + 1))
		sleep 0.25
	done
}
# ib_round LABEL MAX RESCAN: one window; RESCAN=1: irqbalance must have asked
# the policy script again about every queue IRQ meanwhile.
ib_round() {
	local b0 b1 bad
	b0=$(bans)
	if ib_window "$2"; then
		ok "$1: irqbalance moved $other_name (IRQ $other) $pinned -> $(aff "$other") after $IB_MOVED s; the ${#queue[@]} NIC queue IRQs stayed where mqbalance put them for $IB_SECS s ($IB_POLLS polls)"
	else
		fail "$1: $IB_WHY"
	fi
	[ "$3" = 1 ] || return 0
	b1=$(bans) bad=$(bans_grew "$b0" "$b1")
	if [ -z "$bad" ]; then
		ok "$1: irqbalance asked the policy script again, ban=true for the queue IRQs only ($b1)"
	else
		fail "$1: policy bans did not follow: $bad (before: $b0; after: $b1)"
	fi
}

check_eq "systemctl is-active irqbalance" active "$(systemctl is-active irqbalance.service)"
ib_pid=$(systemctl show -p MainPID --value irqbalance.service)
ib_cmd=$(tr '\0' ' ' <"/proc/$ib_pid/cmdline" 2>/dev/null)
if [[ " $ib_cmd" == *" --policyscript=/usr/local/lib/mqbalance/irqbalance-policy "* ]]; then
	ok "irqbalance runs with mqbalance's policy script (drop-in): $ib_cmd"
else
	fail "irqbalance command line: '$ib_cmd'"
fi
queue=()
for n in "${virtio[@]}"; do
	k=$(basename "$(readlink -f "/sys/class/net/$n/device")")
	mapfile -t -O "${#queue[@]}" queue < <(awk -v p="$k-" 'index($NF, p) == 1 && $NF ~ /-(input|output)\.[0-9]+$/ {
		sub(":", "", $1); print $1 }' /proc/interrupts)
done
check_eq "/run/mqbalance/irqs = the NICs' queue IRQs in /proc/interrupts" \
	"$(printf '%s\n' "${queue[@]}" | sort -n | tr '\n' ' ')" "$(tr '\n' ' ' </run/mqbalance/irqs 2>/dev/null)"
# mqbalance was READY (list written) before irqbalance started (the drop-in's After=).
ready=$(systemctl show -p ActiveEnterTimestampMonotonic --value mqbalance.service)
ibstart=$(systemctl show -p ExecMainStartTimestampMonotonic --value irqbalance.service)
if [ "$ready" -gt 0 ] && [ "$ibstart" -ge "$ready" ]; then
	ok "irqbalance started $(( (ibstart - ready) / 1000 )) ms after mqbalance was READY"
else
	fail "irqbalance started at $ibstart us, mqbalance READY at $ready us"
fi
bad=$(bans_grew "" "$(bans)")
if [ -z "$bad" ]; then
	ok "irqbalance's start: ban=true from the policy script for every queue IRQ, no other ($(bans))"
else
	fail "irqbalance's start: policy bans: $bad ($(bans))"
fi
other_name=
for d in /sys/bus/virtio/drivers/virtio_blk/virtio*; do
	[ -e "$d" ] && other_name=${d##*/}-config && break
done
other=$(irq_named "$other_name")
if [ -z "$other" ]; then
	fail "no virtio_blk config IRQ in /proc/interrupts ('$other_name')"
else
	# The first scan comes 10 s after irqbalance's start (SIGHUP is ignored until
	# it did); the IRQ starts on the kernel's default: all 4 CPUs.
	pinned=0-3 base=$(qstate)
	ib_round "irqbalance's first scan, on its own" 40 0
	pinned=0-3
	echo $pinned >"/proc/irq/$other/smp_affinity_list"
	base=$(qstate)
	kill -HUP "$ib_pid"
	ib_round "irqbalance rescan (SIGHUP)" 45 1
	for st in 0 1; do
		echo 0-3 >"/proc/irq/$other/smp_affinity_list"
		dl_now t0
		echo $st >/sys/devices/system/cpu/cpu3/online
		if dl_settle "$t0" 20; then
			ok "cpu3 online=$st with irqbalance running: tuned again after $DL_MS ms ($(dl_confirm))"
		else
			fail "cpu3 online=$st with irqbalance running: $DL_WHY"
		fi
		pinned=$(aff "$other") base=$(qstate)
		ib_round "irqbalance rescan (cpu3 online=$st)" 45 1
	done
fi
check_eq "irqbalance still running, pid $ib_pid" "active $ib_pid" \
	"$(systemctl is-active irqbalance.service) $(systemctl show -p MainPID --value irqbalance.service)"
if journal | grep -q 'found by the drift check'; then
	fail "mqbalance's drift check found queue IRQs moved: $(journal | grep -m1 'found by the drift check')"
else
	ok "mqbalance's drift check found nothing moved behind its back"
fi
rep=$(mqbalance --report --interval 0 2>&1)
if grep -q "^irqbalance: running (pid $ib_pid) with mqbalance's policy script" <<<"$rep" &&
	! grep -q "policy script: every 10 s" <<<"$rep"; then
	ok "mqbalance --report: $(grep -m1 '^irqbalance:' <<<"$rep")"
else
	fail "mqbalance --report on irqbalance: $(grep -A1 -m2 'irqbalance' <<<"$rep" | tr '\n' '|')"
fi

# Events under the sandbox: netlink channel change, CPU hotplug uevents.
a=${virtio[0]}
dl_now t0
ethtool -L "$a" combined 1
if dl_settle "$t0" 20; then ok "ethtool -L $a combined 1: tuned again after $DL_MS ms"; else fail "after ethtool -L: $DL_WHY"; fi
check_eq "ethtool -l $a combined (restored)" "combined=4" \
	"combined=$(ethtool -l "$a" | awk '/^Current/ {s = 1} s && /^Combined:/ {print $2}')"
for st in 0 1; do
	dl_now t0
	echo $st >/sys/devices/system/cpu/cpu3/online
	if dl_settle "$t0" 20; then
		ok "cpu3 online=$st: tuned again after $DL_MS ms ($(dl_confirm))"
	else
		fail "cpu3 online=$st: $DL_WHY"
	fi
done
for want in "channels changed by someone else" "cpu3 went offline: re-tuning" "cpu3 came online: re-tuning"; do
	if journal | grep -q "$want"; then ok "journal: $(journal | grep -m1 "$want")"; else fail "journal lacks '$want'"; fi
done

# The textfile directory is writable through ReadWritePaths= (example config).
prom=/var/lib/prometheus/node-exporter/mqbalance.prom
i=0
while [ ! -s $prom ] && [ $i -lt 150 ]; do sleep 0.1; i=$((i + 1)); done
if [ -s $prom ] && grep -q '^mqbalance_' $prom; then
	ok "textfile $prom written ($(grep -c '^mqbalance_' $prom) samples)"
else
	fail "textfile $prom not written"
fi
# The daemon's own view, from inside its sandbox: irqbalance is no finding.
if grep -q 'code="irqbalance_running"' $prom; then
	fail "textfile: $(grep 'code="irqbalance_running"' $prom)"
else
	ok "textfile: no irqbalance_running finding while irqbalance runs with the policy script"
fi

if systemctl reload mqbalance.service; then ok "systemctl reload mqbalance"; else fail "systemctl reload mqbalance"; fi
end_s=$((SECONDS + 10))
until journal | grep -q 'configuration reloaded from' || [ $SECONDS -ge $end_s ]; do sleep 0.2; done
if journal | grep -q 'configuration reloaded from'; then
	ok "journal: $(journal | grep -m1 'configuration reloaded from')"
else
	fail "journal lacks 'configuration reloaded'"
fi
check_eq "active after reload" active "$(systemctl is-active mqbalance.service)"

sec=$(systemd-analyze security --no-pager mqbalance.service 2>&1)
score=$(sed -n 's/.*Overall exposure level for mqbalance.service: \([0-9.]*\) \([A-Z]*\).*/\1 \2/p' <<<"$sec")
echo "$sec" | tail -n 40
if [ -n "$score" ] && awk -v s="${score% *}" 'BEGIN {exit !(s <= 2.5)}'; then
	ok "systemd-analyze security mqbalance.service: $score (docs/daemon.md: 1.7 OK offline)"
else
	fail "systemd-analyze security mqbalance.service: '${score:-$(tail -n1 <<<"$sec")}'"
fi

systemctl stop mqbalance.service
check_eq "systemctl stop: inactive" inactive "$(systemctl is-active mqbalance.service)"
check_eq "systemctl stop: Result" success "$(prop Result)"
check_eq "systemctl stop: exit status" 0 "$(prop ExecMainStatus)"
if journal | grep -q '^stopping'; then ok "journal: stopping"; else fail "journal lacks 'stopping'"; fi
echo "# journal of mqbalance.service:"
journal -o short-monotonic | sed 's/^/#   /'
echo "# journal of irqbalance.service (the last 60 lines):"
journalctl -q -b -u irqbalance.service -o short-monotonic --no-pager | tail -n 60 | sed 's/^/#   /'
end
