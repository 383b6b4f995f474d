#!/usr/bin/env bash
# Sampling cost on a real multiqueue guest (qemu TCG, 4 vCPUs, two virtio-net
# NICs with 8 queue pairs each), per kernel: libmq's counter path, a counter
# refresh, a whole probe, and a loop of `ethtool -S` per NIC for the same
# counters. TCG slows everything alike: compare columns, not with the host.
#   bench/sample-guest.sh [-k SERIES]...     (root; needs make tests)
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
guest=$repo/tests/guest
series=()
while getopts k: o; do
	case $o in
	k) series+=("$OPTARG") ;;
	*) echo "usage: $0 [-k 6.1|6.12]..." >&2; exit 2 ;;
	esac
done
[ "$(id -u)" = 0 ] || { echo "sample-guest: needs root (qemu in a network namespace)" >&2; exit 1; }
bin=${BUILD:-$repo/build}/bench/bench_sample
[ -x "$bin" ] && [ -x "$repo/mqbalance" ] || make -C "$repo" -s all tests
kernels=$("$guest/fetch-kernels.sh")
[ ${#series[@]} -gt 0 ] || series=($(awk '{print $1}' <<<"$kernels"))
for s in "${series[@]}"; do
	kver=$(awk -v s="$s" '$1 == s {print $2}' <<<"$kernels")
	[ -n "$kver" ] || { echo "sample-guest: no kernel for series $s" >&2; exit 1; }
	MQ_GUEST_EXTRA="$bin" "$guest/run-guest.sh" -k "$kver" "$repo/bench/sample-guest.scenario" |
		sed -nE 's/^ok - \[([0-9.]+)\] sample-guest\.scenario: bench /\1 /p; /^not ok/p'
done
