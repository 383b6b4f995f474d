#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4 timeout=150
# Fixture capture, not a test of the suite (guest.sh does not run it):
#   tests/guest/run-guest.sh -k KVER tests/guest/capture/cpustat.sh
# exports /proc/softirqs, /proc/stat, /proc/net/softnet_stat and the CPU masks
# after real traffic, then again with CPU 2 offline, into
# build/guest-logs/<series>-cpustat.files/ (tests/data/cpustat/guest-*).
# It checks the kernel facts probes/cpustat.c relies on, and the platform
# probe's CPUID reading (TCG: "TCGTCGTCGTCG" -> qemu, over DMI's "QEMU").
. /mq/guestlib.sh

mapfile -t virtio < <(nics_by_driver virtio_net)
[ "${#virtio[@]}" -ge 2 ] || skip_all "needs two virtio_net NICs"

grab() { # grab PREFIX
	local f
	for f in softirqs stat net/softnet_stat interrupts; do
		cat "/proc/$f" > "/tmp/$1-${f##*/}"
		export_file "/tmp/$1-${f##*/}" "$1-${f##*/}"
	done
	for f in possible present online; do
		cat "/sys/devices/system/cpu/$f" > "/tmp/$1-$f"
		export_file "/tmp/$1-$f" "$1-$f"
	done
}

check "traffic between ${virtio[0]} and ${virtio[1]}" traffic "${virtio[0]}" "${virtio[1]}" 3 8
traffic_teardown "${virtio[1]}"
grab all
check_eq "softnet_stat: one row per online CPU" 4 "$(wc -l < /tmp/all-softnet_stat)"
cols=$(awk '{print NF; exit}' /tmp/all-softnet_stat)
case $(uname -r) in
6.1.*) check_eq "softnet_stat: 13 columns on 6.1" 13 "$cols" ;;
*) check_eq "softnet_stat: 15 columns on 6.9+" 15 "$cols" ;;
esac
rx=$(awk '/NET_RX:/ {s = 0; for (i = 2; i <= NF; i++) s += $i; print s}' /proc/softirqs)
check "NET_RX softirqs counted ($rx)" test "$rx" -gt 0

cpu_online 2 0
grab off2
check_eq "softnet_stat: CPU 2 offline, 3 rows" 3 "$(wc -l < /tmp/off2-softnet_stat)"
ids=
while read -ra col; do
	ids="$ids${ids:+ }$((16#${col[12]:-x}))"
done < /tmp/off2-softnet_stat
check_eq "softnet_stat: CPU ids of the rows" "0 1 3" "$ids"
check "/proc/stat: no cpu2 line" sh -c '! grep -q "^cpu2 " /proc/stat'
check_eq "/proc/softirqs: still every possible CPU" 4 "$(head -1 /proc/softirqs | wc -w)"
cpu_online 2 1

if [ -x "$MQ" ]; then
	$MQ --report --json --interval 0 > /tmp/report.json 2>/tmp/report.err
	hv=$(jqr /tmp/report.json .platform.hypervisor)
	check_eq "platform: CPUID says TCG (DMI says QEMU)" qemu "$hv"
else
	skip "no ./mqbalance in the guest: platform not checked"
fi
finish
