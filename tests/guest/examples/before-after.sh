#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4 timeout=300 mem=512
# The README's before/after, not a test (not in make check): one 4-queue
# virtio NIC with every queue IRQ and its config IRQ on CPU 0 and XPS
# cleared, `mqbalance --report` under iperf3 traffic, `--apply`, the report
# again. Run: tests/guest/run-guest.sh tests/guest/examples/before-after.sh;
# the reports are in build/guest-logs/<kernel>-before-after.log.
. /mq/guestlib.sh
mapfile -t virtio < <(nics_by_driver virtio_net)
a=${virtio[0]} b=${virtio[1]}
k=$(virtio_index "$a")
# The stacked state: every queue IRQ of $a and its config IRQ on CPU 0, XPS cleared.
for irq in $(awk -v re="^virtio$k-" '$NF ~ re { sub(":", "", $1); print $1 }' /proc/interrupts); do
	echo 0 > /proc/irq/$irq/smp_affinity_list
done
for f in /sys/class/net/$a/queues/tx-*/xps_cpus; do echo 0 > $f; done
traffic_setup "$a" "$b" || fail setup
traffic_start 8 8
sleep 2
echo "=====BEFORE"
NO_COLOR=1 $MQ --report --interval 2 "$a" 2>&1
echo "=====END"
traffic_wait
$MQ --apply "$a" 2>&1 | sed 's/^/APPLY: /'
traffic_start 8 8
sleep 2
echo "=====AFTER"
NO_COLOR=1 $MQ --report --interval 2 "$a" 2>&1
echo "=====END"
traffic_wait
traffic_teardown "$b"
ok "before/after reports in the console log"
finish
