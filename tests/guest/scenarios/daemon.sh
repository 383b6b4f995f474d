#!/bin/bash
# guest: smp=4 nics=virtio:4,virtio:4,virtio:2,e1000 timeout=300
# mqbalance --daemon keeps a real guest tuned while things change under it:
# a vCPU goes offline and comes back, channels are changed by hand, a NIC
# goes down and up, an IRQ is moved by hand; SIGHUP reloads (a broken file
# keeps the old config), SIGTERM exits 0. After each event the tuned state is
# checked from /proc/irq and sysfs (tests/guest/daemonlib.sh) and ethtool -l,
# and the time from the event to a tuned state that holds for 1 s is printed.
# The third NIC has 2 queues on 4 CPUs: virtio_net's own striping (2 CPUs per
# queue) differs from the daemon's plan (one CPU per queue), so what the
# driver re-does on hotplug shows.
# With mq.bench=K on the kernel command line (bench/latency-guest.sh) it only
# repeats the hotplug and channel events K times and prints latency stats.
. /mq/guestlib.sh
. /mq/daemonlib.sh

[ -x "$MQ" ] || { fail "no ./mqbalance in the guest (the harness copies the built one)"; finish; }
mapfile -t virtio < <(nics_by_driver virtio_net)
mapfile -t e1000 < <(nics_by_driver e1000)
[ "${#virtio[@]}" = 3 ] && [ "${#e1000[@]}" = 1 ] ||
	skip_all "needs three virtio_net NICs and one e1000 (have ${virtio[*]:-none} / ${e1000[*]:-none})"
a=${virtio[0]} b=${virtio[1]} c=${virtio[2]} e=${e1000[0]}
bench=0
for arg in $(</proc/cmdline); do
	case $arg in mq.bench=*) bench=${arg#mq.bench=} ;; esac
done

CONF=/etc/mqbalance.conf	# the default path: the log's pinning hint names it
LOG=/tmp/mqbalance.log
DEBOUNCE_MS=200
printf 'prom_file = off\n' >"$CONF"
dl_setup "$a" "$b" "$c" "$e"
check_eq "channel maxima (ethtool -l)" "4 4 2" "${DL_MAX[$a]} ${DL_MAX[$b]} ${DL_MAX[$c]}"

# Lines the daemon logged since mark_log.
mark_log() { _mark=$(wc -l <"$LOG"); }
new_log() { tail -n +$((_mark + 1)) "$LOG"; }
logged() { new_log | grep -qE -- "$1"; }
# check_log DESC REGEX: the daemon logged a matching line since mark_log.
check_log() {
	local l
	if l=$(new_log | grep -E -m1 -- "$2"); then
		ok "$1: log: ${l#mqbalance: }"
	else
		fail "$1: no log line matching '$2'; since the event:$(new_log | sed 's/^/ | /' | tr '\n' ' ')"
	fi
}
# settled DESC [LIMIT_S]: wait until tuned (t0 set by the caller), report ms.
settled() {
	if dl_settle "$t0" "${2:-20}" "${stable_ms:-1000}"; then
		ok "$1: tuned after $DL_MS ms (debounce $DEBOUNCE_MS ms; one check ${DL_CHECK_US} us; $DL_LAG IRQs' effective CPU awaiting an interrupt)"
		return 0
	fi
	fail "$1: not tuned after ${2:-20} s: $DL_WHY"
	return 1
}
confirm() {	# DESC: ethtool -l agrees
	local got
	if got=$(dl_confirm); then ok "$1: ethtool -l: $got"; else fail "$1: $DL_WHY"; fi
}
same_state() {	# DESC: everything exactly as after the first tune
	local now
	dl_state now
	if [ "$now" = "$S0" ]; then
		ok "$1: channels, IRQ CPUs and XPS exactly as after start-up"
	else
		fail "$1: state differs from start-up: now '$now', then '$S0'"
	fi
}
show() { local s; dl_state s; echo "# state: $s"; }
# Real traffic between $a and $c (moved into netns peer and back): every IRQ
# that fires must then be effective on the CPU the daemon asked for. $c's
# return is a new link to the daemon ("appeared"), re-tuned like any other.
traffic_round() {	# DESC
	local r
	mark_log
	if ! traffic_setup "$a" "$c"; then
		fail "$1: traffic setup between $a and $c"
		return
	fi
	# $c leaving is an event too ("went away"; the e1000's IRQ moves): the
	# counts start after that pass, so every IRQ counted fired after it.
	wait_for 10 logged "$c went away: re-tuning" && sleep 1
	dl_irq_counts >/tmp/irqs.before
	traffic_start 3 8
	if traffic_wait; then
		if r=$(dl_effective /tmp/irqs.before); then
			ok "$1: after traffic, effective_affinity_list = smp_affinity_list for every queue IRQ that fired ($r)"
		else
			fail "$1: after traffic ($r fired):$DL_WHY"
		fi
		[ "${r%/*}" -ge 6 ] || fail "$1: only ${r%/*} queue IRQs fired under traffic"
	else
		fail "$1: iperf3 between $a and $c"
	fi
	mark_log
	dl_now t0
	traffic_teardown "$c"
	settled "$1: $c back from netns $PEER_NS"
	check_log "$1: $c back" "$c appeared"
	same_state "$1: $c back"
}

echo "# before the daemon:"; show
if dl_tuned; then
	fail "the guest is already tuned before the daemon runs: the test would prove nothing"
else
	ok "not tuned before the daemon ($DL_WHY)"
fi
dl_now t0
$MQ --daemon >"$LOG" 2>&1 &
pid=$!
_mark=0
settled "start-up" 60 || { cat "$LOG"; finish; }
confirm "start-up"
check_log "start-up" 'startup: re-tuning'
dl_state S0
show

# --- bench mode: K times (a) and (b), latency stats -------------------------
if [ "$bench" -gt 0 ]; then
	# Each event after the last one's state held for 1 s and 0.3 s more: past
	# the daemon's 1 s window for the echoes of its own channel changes.
	declare -a off=() on=() chn=()
	for ((i = 1; i <= bench; i++)); do
		dl_now t0; cpu_online 3 0; settled "bench $i cpu3 offline" && off+=("$DL_MS")
		dl_sleep 0.3
		dl_now t0; cpu_online 3 1; settled "bench $i cpu3 online" && on+=("$DL_MS")
		dl_sleep 0.3
		dl_now t0; $ETHTOOL -L "$a" combined 1; settled "bench $i ethtool -L combined 1" && chn+=("$DL_MS")
		dl_sleep 0.3
	done
	stats() {	# NAME MS...
		local name=$1 n med p95
		shift
		n=$#
		[ "$n" -gt 0 ] || { fail "bench $name: no samples"; return; }
		mapfile -t s < <(printf '%s\n' "$@" | sort -n)
		med=${s[$(((n - 1) / 2))]}
		p95=${s[$(((n * 95 + 99) / 100 - 1))]}
		ok "bench $name: n=$n median=${med} ms p95=${p95} ms; minus debounce: median=$((med - DEBOUNCE_MS)) ms p95=$((p95 - DEBOUNCE_MS)) ms; all: ${s[*]}"
	}
	stats "cpu offline" "${off[@]}"
	stats "cpu online" "${on[@]}"
	stats "channels by hand" "${chn[@]}"
	kill -TERM "$pid"
	wait "$pid"
	check_eq "SIGTERM: exit status" 0 "$?"
	finish
fi

traffic_round "start-up"

# --- (a) a vCPU goes offline and comes back --------------------------------
mark_log
dl_now t0
cpu_online 3 0
if dl_tuned; then r=tuned; else r="not tuned: $DL_WHY"; fi
echo "# right after cpu3 went offline: $r"
settled "cpu3 offline"
confirm "cpu3 offline"
check_log "cpu3 offline" 'cpu3 went offline: re-tuning'
check_log "cpu3 offline" "$a channels.*4 -> 3.*cpu3 went offline"
show

mark_log
dl_now t0
cpu_online 3 1
if dl_tuned; then r=tuned; else r="not tuned: $DL_WHY"; fi
echo "# right after cpu3 came online: $r"
settled "cpu3 online"
confirm "cpu3 online"
check_log "cpu3 online" 'cpu3 came online: re-tuning'
check_log "cpu3 online" "$a channels.*3 -> 4.*cpu3 came online"
# virtio_net re-striped $c's 2 queues over 2 CPUs each when cpu3 came back.
check_log "cpu3 online: virtio_net's striping undone" "$c queue [01] irq [0-9]+ cpus [0-9]+-[0-9]+ -> [0-9]+: ok \\(cpu3 came online\\)"
same_state "cpu3 online"

# --- (b) channels changed by hand ------------------------------------------
mark_log
dl_now t0
$ETHTOOL -L "$a" combined 1
settled "ethtool -L $a combined 1"
confirm "ethtool -L $a combined 1"
check_log "ethtool -L" "$a channels changed by someone else \\(now 1\\), restoring them; set queues = 1 in \\[$a\\] of $CONF to keep it"
check_log "ethtool -L" "$a channels.*1 -> 4"
same_state "ethtool -L $a combined 1"

# --- (c) a NIC goes down and up ---------------------------------------------
for dev in "$c" "$a"; do
	mark_log
	dl_now t0
	$IP link set "$dev" down
	$IP link set "$dev" up
	if dl_tuned; then r=tuned; else r="not tuned: $DL_WHY"; fi
	echo "# right after $dev down/up: $r"
	settled "$dev down/up"
	check_log "$dev down/up" "$dev link up"
	same_state "$dev down/up"
done

# --- (e) SIGHUP: a new config (drift check every 2 s) -----------------------
mark_log
printf 'prom_file = off\ndrift_check = 2\n' >"$CONF"
kill -HUP "$pid"
wait_for 10 logged 'configuration reloaded: re-tuning'
check_log "SIGHUP" "configuration reloaded from $CONF"
dl_now t0
settled "SIGHUP"

# --- (d) an IRQ moved by hand: the drift check puts it back -----------------
# A queue IRQ the plan keeps off cpu0.
irq= q=
for ((i = 0; i < 4; i++)); do
	x=${DL_IRQ[$a.$i.in]}
	[ "$(cat /proc/irq/"$x"/smp_affinity_list)" != 0 ] && { irq=$x q=$i; break; }
done
if [ -z "$irq" ]; then
	fail "no queue IRQ of $a off cpu0 to move"
else
	mark_log
	dl_now t0
	echo 0 >/proc/irq/"$irq"/smp_affinity_list
	check_eq "moved $a queue $q IRQ $irq by hand (smp_affinity_list)" 0 \
		"$(cat /proc/irq/"$irq"/smp_affinity_list)"
	if dl_tuned; then fail "moving IRQ $irq left the state tuned?"; fi
	settled "IRQ $irq moved to cpu0 (drift check every 2 s)" 10
	check_log "IRQ moved" 'drift check: [0-9]+ setting\(s\) had been changed behind our back, restored'
	check_log "IRQ moved" "irq $irq|IRQ $irq"
	same_state "IRQ $irq moved by hand"
fi

# --- (e) SIGHUP with a broken file keeps the old config; SIGTERM ------------
mark_log
printf 'queues = lots\n' >"$CONF"
kill -HUP "$pid"
wait_for 10 logged 'reload failed'
check_log "broken config" "reload failed: $CONF:1: bad value 'lots' for queues: expected auto, max or a number 1..4096; keeping the old configuration"
check "daemon still running after the broken reload" kill -0 "$pid"
# The old config (drift check every 2 s) is still in force.
if [ -n "$irq" ]; then
	dl_now t0
	echo 0 >/proc/irq/"$irq"/smp_affinity_list
	settled "old config kept: IRQ $irq moved again" 10
fi

traffic_round "after the events"

mark_log
kill -TERM "$pid"
wait "$pid"
check_eq "SIGTERM: exit status" 0 "$?"
check_log "SIGTERM" 'stopping'
if dl_tuned; then ok "still tuned after the daemon stopped"; else fail "after stop: $DL_WHY"; fi

echo "# the daemon's log:"
sed 's/^/#   /' "$LOG"
finish
