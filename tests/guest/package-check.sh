#!/bin/bash
# Runs inside the systemd guest (tests/guest/systemd-guest.sh -p) as
# mq-test.service: the Debian package's life on a Debian 12 VM with two
# multiqueue virtio NICs, each step checked with apt/dpkg, systemd, ethtool,
# /proc/irq and sysfs rather than by asking mqbalance:
#   1. a bad state made by hand (one NIC cut to one channel, the other's
#      queue IRQs stacked on CPU 0 and its XPS cleared) is recorded;
#   2. apt install ./<release>.deb: the service is enabled, active, and tunes
#      the NICs;
#   3. /etc/mqbalance.conf edited, apt install ./<newer>.deb: the edit stays,
#      the daemon restarts (MainPID changes) and runs the new version;
#   4. apt remove: the service stops and the NICs are exactly as recorded in
#      1 (prerm's mqbalance --revert);
#   5. apt purge: nothing of ours is left: no path from `dpkg -L` that was
#      not there before, no new file anywhere on / or /run but apt's, dpkg's
#      and systemd's own bookkeeping;
#   6. with irqbalance running: install restarts it with mqbalance's policy
#      script, remove restarts it without.
# irqbalance is stopped first: it would move IRQs on its own every 10 s and
# make the before/after comparison meaningless (the other boot of this root
# tests it next to mqbalance).
set -u
exec 3>/dev/ttyS1
stty -F /dev/ttyS1 raw -echo 2>/dev/null
export PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive
. /mq/daemonlib.sh
failed=0
_tap() { echo "$*"; echo "$*" >&3; }
ok() { _tap "ok - package: $*"; }
fail() { _tap "not ok - package: $*"; failed=1; }
check_eq() { if [ "$2" = "$3" ]; then ok "$1"; else fail "$1 (expected '$2', got '$3')"; fi; }
check() { local d=$1; shift; if "$@"; then ok "$d"; else fail "$d"; fi; }
prop() { systemctl show -p "$1" --value mqbalance.service; }
status() { dpkg-query -W -f='${Status} ${Version}' mqbalance 2>/dev/null || echo "not known to dpkg"; }
end() {
	echo "MQ-END rc=$failed" >&3
	exec 3>&-	# the last close waits until the UART has sent everything
	exit "$failed"
}
# apt STEP ARGS...: apt-get with its output in the console log.
apt() {
	local t0=$SECONDS rc
	apt-get -y -q -o Dpkg::Use-Pty=0 "${@:2}" >/tmp/apt.log 2>&1
	rc=$?
	sed 's/^/#   apt: /' /tmp/apt.log
	if [ $rc = 0 ]; then
		ok "$1: apt-get ${*:2} ($((SECONDS - t0)) s)"
	else
		fail "$1: apt-get ${*:2} exited $rc: $(grep -E '^(E|W):' /tmp/apt.log | tail -n1)"
	fi
	return $rc
}
# The NICs as the kernel has them: channels (ethtool -l), every IRQ's
# requested CPUs, XPS and RPS masks of every queue.
nic_state() {
	local dev f
	for dev in "${virtio[@]}"; do
		echo "$dev combined $(ethtool -l "$dev" | awk '/^Current/ {s = 1} s && /^Combined:/ {print $2}')"
		for f in /sys/class/net/"$dev"/queues/*/[xr]ps_cpus; do echo "$f $(<"$f")"; done
	done
	for f in /proc/irq/[0-9]*/smp_affinity_list; do echo "$f $(<"$f")"; done
}
# Every path on the root file system and /run, but the API file systems,
# this test's own files and the journal.
fs_list() {
	{
		find / -xdev \( -path /mq -o -path /tmp -o -path /var/log/journal \) -prune -o -print
		find /run -xdev \( -path /run/log/journal \) -prune -o -print
	} 2>/dev/null | LC_ALL=C sort -u
}
running() { grep -lx mqbalance /proc/[0-9]*/comm 2>/dev/null | wc -l; }

echo "package-check: $(systemctl --version | head -n1), kernel $(uname -r), $(nproc) CPUs, virt $(systemd-detect-virt)"
old= new=
for f in /mq/debs/*.deb; do
	v=$(dpkg-deb -f "$f" Version)
	if [ -z "$old" ]; then old=$f ov=$v; elif dpkg --compare-versions "$v" gt "$ov"; then new=$f nv=$v; else new=$old nv=$ov old=$f ov=$v; fi
done
[ -n "$old" ] && [ -n "$new" ] || { fail "want two packages of different versions in /mq/debs: $(ls /mq/debs)"; end; }
echo "# release $ov ($old), newer build $nv ($new)"
check_eq "mqbalance not installed before" "not known to dpkg" "$(status)"

# --- 1. the state before ------------------------------------------------------
systemctl disable --now irqbalance.service >/dev/null 2>&1
check_eq "irqbalance stopped for the comparison" inactive "$(systemctl is-active irqbalance.service)"
virtio=()
for d in /sys/class/net/*; do
	[ "$(basename "$(readlink -f "$d/device/driver" 2>/dev/null)")" = virtio_net ] && virtio+=("${d##*/}")
done
check_eq "two virtio_net NICs" 2 "${#virtio[@]}"
a=${virtio[0]} b=${virtio[1]}
ethtool -L "$a" combined 1 || fail "ethtool -L $a combined 1"
kb=$(basename "$(readlink -f "/sys/class/net/$b/device")")
for irq in $(awk -v p="$kb-" 'index($NF, p) == 1 { sub(":", "", $1); print $1 }' /proc/interrupts); do
	echo 0 >"/proc/irq/$irq/smp_affinity_list" || fail "IRQ $irq to CPU 0"
done
for f in /sys/class/net/"$b"/queues/tx-*/xps_cpus; do echo 0 >"$f"; done
nic_state >/tmp/before.state
dl_setup "${virtio[@]}"
if dl_tuned; then fail "the bad state is not bad: dl_tuned holds"; else ok "bad state made: $DL_WHY"; fi
fs_list >/tmp/before.files

# --- 2. install ---------------------------------------------------------------
cd /mq/debs || end
dl_now t0
apt install install "./${old##*/}"
check_eq "dpkg: installed" "install ok installed $ov" "$(status)"
check_eq "conffile" /etc/mqbalance.conf "$(dpkg-query -W -f='${Conffiles}' mqbalance | awk 'NF {print $1}')"
check_eq "/etc/mqbalance.conf sets nothing (every line a comment or empty)" "" \
	"$(grep -nE '^[[:space:]]*[^#;[:space:]]' /etc/mqbalance.conf)"
check_eq "systemctl is-enabled mqbalance" enabled "$(systemctl is-enabled mqbalance.service)"
check_eq "systemctl is-active mqbalance" active "$(systemctl is-active mqbalance.service)"
check_eq "ConditionVirtualization=vm met ($(systemd-detect-virt))" yes "$(prop ConditionResult)"
check_eq "unit from the package" /lib/systemd/system/mqbalance.service "$(prop FragmentPath)"
check_eq "ExecStart" /usr/sbin/mqbalance "$(prop ExecStart | sed -n 's/.*path=\([^ ;]*\).*/\1/p')"
if systemctl show -p DropInPaths --value irqbalance.service | grep -q /lib/systemd/system/irqbalance.service.d/mqbalance.conf; then
	ok "irqbalance.service has the package's drop-in"
else
	fail "irqbalance.service drop-ins: $(systemctl show -p DropInPaths --value irqbalance.service)"
fi
check_eq "mqbalance --version" "mqbalance $ov" "$(mqbalance --version)"
if dl_settle "$t0" 60; then
	ok "NICs tuned by the installed service $DL_MS ms after apt started"
else
	fail "NICs not tuned after install: $DL_WHY"
fi
if r=$(dl_confirm); then ok "ethtool -l after install: $r"; else fail "$DL_WHY"; fi
pid1=$(prop MainPID)

# --- 3. upgrade with an edited conffile ---------------------------------------
sed -i 's/^#drift_check = 30$/drift_check = 20/' /etc/mqbalance.conf
check "local edit: drift_check = 20" grep -qx 'drift_check = 20' /etc/mqbalance.conf
dl_now t0
apt upgrade install "./${new##*/}"
check_eq "dpkg: upgraded" "install ok installed $nv" "$(status)"
check "the edited conffile is kept" grep -qx 'drift_check = 20' /etc/mqbalance.conf
check_eq "no .dpkg-dist/.dpkg-new/.dpkg-old beside it" "" "$(ls /etc/mqbalance.conf.* 2>/dev/null)"
check_eq "active after the upgrade" active "$(systemctl is-active mqbalance.service)"
pid2=$(prop MainPID)
if [ -n "$pid2" ] && [ "$pid2" != 0 ] && [ "$pid2" != "$pid1" ]; then
	ok "the daemon restarted: MainPID $pid1 -> $pid2"
else
	fail "MainPID $pid1 -> $pid2: not restarted"
fi
check_eq "the running daemon is the new build" "mqbalance $nv" "$(/proc/"$pid2"/exe --version 2>&1)"
if dl_settle "$t0" 60; then ok "NICs tuned after the upgrade"; else fail "NICs after the upgrade: $DL_WHY"; fi
# Canonical paths (/lib is /usr/lib on Debian 12), as find lists them.
dpkg -L mqbalance | grep -vx '/\.' | xargs -d '\n' realpath -m | LC_ALL=C sort -u >/tmp/dpkg-L
echo "# dpkg -L mqbalance: $(tr '\n' ' ' </tmp/dpkg-L)"

# --- 4. remove ----------------------------------------------------------------
apt remove remove mqbalance
check_eq "dpkg: removed, config kept" "deinstall ok config-files $nv" "$(status)"
check_eq "service gone" inactive "$(systemctl is-active mqbalance.service)"
check_eq "no mqbalance process" 0 "$(running)"
nic_state >/tmp/after.state
d=$(diff /tmp/before.state /tmp/after.state)
if [ -z "$d" ]; then
	ok "NICs back as before install: channels, $(grep -c smp_affinity /tmp/before.state) IRQ affinities, $(grep -c _cpus /tmp/before.state) XPS/RPS masks equal"
else
	fail "NICs not as before install: $(echo "$d" | grep '^[<>]' | head -n 8 | tr '\n' '|')"
fi
check "the edited conffile stays until purge" grep -qx 'drift_check = 20' /etc/mqbalance.conf
check "/run/mqbalance removed" test ! -e /run/mqbalance
if systemctl show -p DropInPaths --value irqbalance.service | grep -q mqbalance; then
	fail "irqbalance.service still has a mqbalance drop-in"
else
	ok "irqbalance.service without the drop-in"
fi

# --- 5. purge -----------------------------------------------------------------
apt purge purge mqbalance
check_eq "dpkg: purged" "not known to dpkg" "$(status)"
fs_list >/tmp/after.files
left=$(LC_ALL=C comm -23 /tmp/dpkg-L /tmp/before.files | while read -r f; do [ -e "$f" ] && echo "$f"; done)
check_eq "every path of dpkg -L that install added is gone" "" "$left"
for f in /etc/mqbalance.conf /var/lib/mqbalance /run/mqbalance /usr/share/doc/mqbalance; do
	check "$f gone" test ! -e "$f"
done
added=$(LC_ALL=C comm -13 /tmp/before.files /tmp/after.files)
ours=$(grep -i mqbalance <<<"$added")
check_eq "no new path named mqbalance anywhere" "" "$ours"
# What apt, dpkg, ldconfig and systemd keep for themselves.
other=$(grep -vE '^/(var/lib/(dpkg|apt|systemd)|var/cache/(apt|debconf|ldconfig)|var/log|run/systemd)(/|$)' <<<"$added")
check_eq "no new file outside apt's, dpkg's and systemd's own" "" "$other"
echo "# new paths after purge ($(grep -c . <<<"$added")), all bookkeeping: $(head -n 20 <<<"$added" | tr '\n' ' ')"

# --- 6. irqbalance running: the maintainer scripts restart it -----------------
ib_cmd() { tr '\0' ' ' <"/proc/$(systemctl show -p MainPID --value irqbalance.service)/cmdline" 2>/dev/null; }
systemctl start irqbalance.service
check_eq "irqbalance started again" active "$(systemctl is-active irqbalance.service)"
apt reinstall install "./${new##*/}"
if [[ $(ib_cmd) == *"--policyscript=/usr/lib/mqbalance/irqbalance-policy "* ]]; then
	ok "postinst restarted irqbalance with the policy script: $(ib_cmd)"
else
	fail "irqbalance after install: '$(ib_cmd)'"
fi
apt "remove again" purge mqbalance
if [ "$(systemctl is-active irqbalance.service)" = active ] && [[ $(ib_cmd) != *policyscript* ]]; then
	ok "postrm restarted irqbalance without it: $(ib_cmd)"
else
	fail "irqbalance after remove: $(systemctl is-active irqbalance.service) '$(ib_cmd)'"
fi
end
