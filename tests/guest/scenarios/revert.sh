#!/bin/bash
# guest: smp=4 nics=virtio:4:rss,virtio:4 timeout=240
# The way back (issue 12): a guest set up by hand the way an admin might
# (channels cut, a hand-set RSS table, queue IRQs pinned, XPS/RPS masks),
# `mqbalance --apply` tunes it, `--revert IFACE` puts one NIC back and leaves
# the other tuned, `--revert` the rest. "Back" is read with independent tools:
# ethtool -l, ethtool -x, /proc/irq/N/smp_affinity_list, sysfs xps_cpus and
# rps_cpus, compared line by line with a dump taken before --apply.
. /mq/guestlib.sh

mapfile -t virtio < <(nics_by_driver virtio_net)
[ "${#virtio[@]}" -ge 2 ] || skip_all "needs two virtio_net NICs"
a=${virtio[0]} b=${virtio[1]} # a: rss=on (first in the header)
STATE=/var/lib/mqbalance/state

# Every queue IRQ (all allocated pairs, active or not) of a virtio NIC.
queue_irqs() {
	local k
	k=$(virtio_index "$1")
	awk -v re="^virtio$k-(input|output)\\\\.[0-9]+\$" '$NF ~ re { sub(":", "", $1); print $1 }' \
		/proc/interrupts
}
xtable() { $ETHTOOL -x "$1" 2>/dev/null | awk '/^ *[0-9]+:/ { for (i = 2; i <= NF; i++) printf " %s", $i } END { print "" }'; }
# What --revert must put back, one fact per line.
dump() {
	local irq f
	echo "channels $(channels_combined "$1")"
	echo "rss$(xtable "$1")"
	for irq in $(queue_irqs "$1"); do echo "irq $irq $(cat /proc/irq/"$irq"/smp_affinity_list)"; done
	for f in /sys/class/net/"$1"/queues/tx-*/xps_cpus /sys/class/net/"$1"/queues/rx-*/rps_cpus; do
		echo "${f#/sys/class/net/}" "$(cat "$f" 2>/dev/null)"
	done
}
same() { # LABEL BEFORE_FILE IF
	dump "$3" > /tmp/rv.now
	if cmp -s "$2" /tmp/rv.now; then
		ok "$1: ethtool -l, ethtool -x, /proc/irq and sysfs as before ($(wc -l < "$2") lines)"
	else
		fail "$1: differs from before: $({ grep -vxF -f /tmp/rv.now "$2" | sed 's/^/was: /'
			grep -vxF -f "$2" /tmp/rv.now | sed 's/^/now: /'; } | head -n 6 | tr '\n' ';')"
	fi
}

# --- a hand-made starting point ----------------------------------------------
$ETHTOOL -L "$a" combined 3 || fail "$a: ethtool -L combined 3"
$ETHTOOL -L "$b" combined 2 || fail "$b: ethtool -L combined 2"
if [ -n "$(xtable "$a" | tr -d ' ')" ]; then
	$ETHTOOL -X "$a" equal 2 || fail "$a: ethtool -X equal 2"
	have_rss=1
else
	skip "$a: no RSS table in this guest (qemu without rss=on): the table is not compared"
	have_rss=0
fi
for irq in $(queue_irqs "$a"); do echo 0 > /proc/irq/"$irq"/smp_affinity_list; done
for irq in $(queue_irqs "$b"); do echo 1-2 > /proc/irq/"$irq"/smp_affinity_list; done
echo 1 > /sys/class/net/"$a"/queues/tx-0/xps_cpus
echo 6 > /sys/class/net/"$b"/queues/rx-1/rps_cpus
mkdir -p /var/lib # the initramfs has none; mqbalance makes /var/lib/mqbalance
rm -f "$STATE"
dump "$a" > /tmp/rv.a0
dump "$b" > /tmp/rv.b0
cat /tmp/rv.a0 /tmp/rv.b0

# --- tune ----------------------------------------------------------------------
$MQ --apply > /tmp/rv.apply 2>&1
rc=$?
cat /tmp/rv.apply
check_eq "--apply exit status" 0 "$rc"
check_eq "$a: tuned to 4 channels (ethtool -l)" 4 "$(channels_combined "$a")"
check_eq "$b: tuned to 4 channels (ethtool -l)" 4 "$(channels_combined "$b")"
dump "$a" > /tmp/rv.a1
check "$a: tuned state differs from the hand-made one" sh -c "! cmp -s /tmp/rv.a0 /tmp/rv.a1"
check "the state file records both NICs" grep -q "^nic $b " "$STATE"
check "the state file has what $a's channels were" grep -qx "channels $a 0 0 0 3" "$STATE"
if [ "$have_rss" = 1 ]; then
	check "the state file records $a's hand-set RSS table" grep -qE "^rss $a 0 1 0 1( 0 1)*\$" "$STATE"
	check_eq "$a: --apply spread the RSS table over 4 queues (ethtool -x, first entries)" \
		" 0 1 2 3" "$(xtable "$a" | cut -d' ' -f1-5)"
fi
$MQ --report > /tmp/rv.report 2>&1
check "--report: $a tuned by mqbalance since ..." grep -q "^$a: .*tuned by mqbalance since" /tmp/rv.report

# --- one NIC back ------------------------------------------------------------
$MQ --revert "$b" > /tmp/rv.revb 2>&1
rc=$?
cat /tmp/rv.revb
check_eq "--revert $b exit status" 0 "$rc"
same "--revert $b" /tmp/rv.b0 "$b"
check_eq "$a still tuned after --revert $b (ethtool -l)" 4 "$(channels_combined "$a")"
check "the state file forgot $b, kept $a" sh -c "! grep -q '^nic $b ' $STATE && grep -q '^nic $a ' $STATE"

# --- the rest ------------------------------------------------------------------
$MQ --revert --json > /tmp/rv.reva 2>&1
rc=$?
cat /tmp/rv.reva
check_eq "--revert exit status" 0 "$rc"
same "--revert" /tmp/rv.a0 "$a"
[ "$have_rss" = 1 ] &&
	check_eq "--revert --json: $a's RSS item writes the recorded table" "recorded ok" \
		"$($JQ -r --arg i "$a" '[.. | objects | select(.kind? == "rss" and .ifname? == $i)][0] | "\(.target) \(.status)"' /tmp/rv.reva)"
check "the state file holds no NIC" sh -c "! grep -q '^nic ' $STATE 2>/dev/null"
$MQ --revert > /tmp/rv.again 2>&1
rc=$?
check_eq "--revert with nothing recorded: exit status" 0 "$rc"
check "--revert with nothing recorded says so" grep -q "nothing to revert" /tmp/rv.again
$MQ --report > /tmp/rv.report2 2>&1
check "--report: no NIC tuned by mqbalance any more" sh -c "! grep -q 'tuned by mqbalance since' /tmp/rv.report2"
finish
