#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4,e1000 timeout=150
# Sanity of the test machine itself: the NICs the header asks for exist,
# virtio-net has 4 channels with one MSI-X IRQ per virtqueue, and two-way
# multi-flow traffic lands on more than one RX queue of each virtio NIC.
. /mq/guestlib.sh

mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
check_eq "two virtio_net NICs" 2 "${#virtio[@]}"
check_eq "one e1000 NIC" 1 "${#e1000[@]}"
[ "${#virtio[@]}" -ge 2 ] || skip_all "traffic checks need two virtio_net NICs"

for dev in "${virtio[@]}"; do
	check_eq "$dev: ethtool -l combined max" 4 "$(channels_combined "$dev" max)"
	check_eq "$dev: ethtool -l combined current (= vCPUs)" 4 "$(channels_combined "$dev")"
	k=$(virtio_index "$dev")
	missing=
	for q in 0 1 2 3; do
		for dir in input output; do
			[ -n "$(irq_by_name "virtio$k-$dir.$q")" ] || missing="$missing virtio$k-$dir.$q"
		done
	done
	if [ -z "$missing" ]; then
		ok "$dev: /proc/interrupts has virtio$k-input.0..3 and output.0..3"
	else
		fail "$dev: /proc/interrupts lacks$missing"
	fi
done
if $ETHTOOL -l "${e1000[0]}" >/dev/null 2>&1; then
	fail "${e1000[0]}: e1000 unexpectedly supports ethtool -l"
else
	ok "${e1000[0]}: e1000 has no channels (single queue)"
fi

a=${virtio[0]} b=${virtio[1]}
declare -A before
for dev in "$a" "$b"; do
	before[$dev]=$(rx_irq_counts "$dev")
done
if traffic "$a" "$b" 4 8; then
	ok "iperf3 -P 8 --bidir between $a and $b"
else
	fail "iperf3 -P 8 --bidir between $a and $b"
fi
grep -E 'SUM.*(sender|receiver)' /run/iperf3.out
traffic_teardown "$b"

for dev in "$a" "$b"; do
	k=$(virtio_index "$dev")
	busy=0 detail=
	for q in 0 1 2 3; do
		irq=$(irq_by_name "virtio$k-input.$q")
		old=$(tr ' ' '\n' <<<"${before[$dev]}" | sed -n "s/^$q=//p")
		d=$(( $(irq_count "$irq") - ${old:-0} ))
		detail="$detail rx$q+$d"
		[ "$d" -ge 5 ] && busy=$((busy + 1))
	done
	if [ "$busy" -ge 2 ]; then
		ok "$dev: traffic on $busy of 4 RX queues (IRQs$detail)"
	else
		fail "$dev: traffic on $busy of 4 RX queues, want >= 2 (IRQs$detail)"
	fi
done

# CPU hotplug works in this guest (the hotplug scenarios rely on it).
irq=$(irq_by_name "virtio$(virtio_index "$a")-input.3")
if cpu_online 3 0; then
	check_eq "cpu3 offline" "0,1,2" "$(online_cpus)"
	eff=$(irq_effective "$irq")
	if [[ ",$eff," == *,3,* ]]; then
		fail "$a: input.3 IRQ $irq still on offline cpu3 ($eff)"
	else
		ok "$a: input.3 IRQ $irq moved off offline cpu3 (now $eff)"
	fi
	cpu_online 3 1
	check_eq "cpu3 back online" "0,1,2,3" "$(online_cpus)"
else
	fail "echo 0 > /sys/devices/system/cpu/cpu3/online"
fi
finish
