#!/bin/bash
# guest: smp=4 mem=2048 nics=virtio:4 append=possible_cpus=1920 kernels=6.1 timeout=300
# A kernel that allows 1,920 CPUs with 4 present (possible_cpus=, as
# hypervisors that offer hot-pluggable CPUs do): /proc/softirqs has 1,920
# columns, XPS masks are 60 groups wide. mqbalance reports, applies (one CPU
# per queue IRQ, XPS masks written at nr_cpu_ids), and a second --apply has
# nothing to do. Before sets of 8,192 CPUs every probe failed (ERANGE).
# 6.1 only: 6.12's x86 topology code ignores possible_cpus= (possible stays
# 0-3); 2 GB because the per-CPU areas of 1,920 CPUs do not fit in 512 MB.
. /mq/guestlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }
possible=$(cat /sys/devices/system/cpu/possible)
[ "$possible" = 0-1919 ] || skip_all "possible CPUs are $possible: the kernel ignored possible_cpus=1920"
ok "possible CPUs 0-1919, online $(cat /sys/devices/system/cpu/online)"
mapfile -t virtio < <(nics_by_driver virtio_net)
[ "${#virtio[@]}" = 1 ] || skip_all "needs one virtio_net NIC (have ${virtio[*]:-none})"
a=${virtio[0]}
xps=/sys/class/net/$a/queues/tx-0/xps_cpus
check_eq "$a: xps_cpus is nr_cpu_ids wide (60 groups)" 539 "$(tr -d '\n' <"$xps" | wc -c)"

$MQ --report --json > /tmp/r.json 2>/tmp/r.err
rc=$?
cat /tmp/r.err
check "--report --json exit status 0 or 1 (got $rc)" test "$rc" -le 1
check_eq "--report --json: usable CPUs" 0,1,2,3 "$(jqr /tmp/r.json '.cpus.usable | map(tostring) | join(",")')"
irq=$(irq_by_name "virtio$(virtio_index "$a")-input.1")
check_eq "--report --json: IRQ $irq affinity_cpus as /proc/irq says" \
	"$(irq_affinity "$irq" | tr ' ' '\n' | wc -l)" \
	"$(jqr /tmp/r.json '[.interfaces[] | select(.ifname == $n) | .queues[].irqs[] |
		select(.irq == '"$irq"') | .affinity_cpus | length] | first' --arg n "$a")"

$MQ --apply --json > /tmp/a1.json 2>/tmp/a1.err
rc=$?
cat /tmp/a1.err
check_eq "--apply exit status" 0 "$rc"
check_eq "--apply: nr_cpu_ids" 1920 "$(jqr /tmp/a1.json '.cpus.nr_cpu_ids')"
check_eq "--apply: failed or skipped items" 0 "$(jqr /tmp/a1.json '.summary.failed + .summary.skipped')"
for q in 0 1 2 3; do
	i=$(irq_by_name "virtio$(virtio_index "$a")-input.$q")
	check_eq "$a queue $q: input IRQ $i on one CPU" 1 "$(irq_affinity "$i" | wc -w)"
done
check_eq "$a: xps_cpus still 60 groups after the write" 539 "$(tr -d '\n' <"$xps" | wc -c)"

$MQ --apply > /tmp/a2.txt 2>&1
rc=$?
cat /tmp/a2.txt
check_eq "second --apply exit status" 0 "$rc"
check "second --apply says nothing to do" grep -q "^nothing to do" /tmp/a2.txt
finish
