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
end
