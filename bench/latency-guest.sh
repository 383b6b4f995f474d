#!/usr/bin/env bash
# Event-to-retuned latency of mqbalance --daemon in a real guest (a benchmark,
# not a test: nothing here fails on a slow number).
#   bench/latency-guest.sh [-n K] [-k SERIES]...
# Boots tests/guest/scenarios/daemon.sh with mq.bench=K on the kernel command
# line: after start-up it repeats K times "cpu3 offline", "cpu3 online" and
# "ethtool -L eth0 combined 1", and for each measures the time from the event
# to a tuned state (checked from /proc/irq and sysfs every ~30 ms) that then
# holds for 1 s. Prints median and p95, also minus the 200 ms debounce.
# Needs root and the guest harness's tools (tests/guest, scripts/deps.sh test).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
guest=$repo/tests/guest
k=20 series=()
while getopts n:k: o; do
	case $o in
	n) k=$OPTARG ;;
	k) series+=("$OPTARG") ;;
	*) echo "usage: $0 [-n K] [-k 6.1|6.12]..." >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "latency-guest: needs root (qemu in a network namespace)" >&2; exit 1; }
[ -x "$repo/mqbalance" ] || make -C "$repo" -s
kernels=$("$guest/fetch-kernels.sh")
[ ${#series[@]} -gt 0 ] || series=($(awk '{print $1}' <<<"$kernels"))
echo "# mqbalance daemon latency, $k rounds per event, TCG guest (smp=4), host $(nproc) CPUs," \
	"load $(cut -d' ' -f1-3 /proc/loadavg)"
for s in "${series[@]}"; do
	kver=$(awk -v s="$s" '$1 == s {print $2}' <<<"$kernels")
	[ -n "$kver" ] || { echo "latency-guest: no kernel for series $s" >&2; exit 1; }
	# ~6 s per round under TCG, plus boot.
	MQ_GUEST_APPEND="mq.bench=$k" MQ_GUEST_TIMEOUT=$((120 + 10 * k)) \
		"$guest/run-guest.sh" -k "$kver" "$guest/scenarios/daemon.sh" |
		sed -nE 's/^ok - \[([0-9.]+)\] daemon: bench ([a-z ]+): /\1 \2: /p; /^not ok/p'
done
