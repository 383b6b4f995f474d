#!/usr/bin/env bash
# Build the seed corpora in build/fuzz/corpus/NAME from the committed seeds
# (fuzz/seeds/NAME, from fuzz/mkseeds.py) and the test fixtures in tests/data.
# Files are named by content hash, so running it again adds nothing twice.
set -eu
cd "$(dirname "$0")/.."
out=${1:-build/fuzz/corpus}

add() { # add NAME FILE...
	local name=$1 f h
	shift
	mkdir -p "$out/$name"
	for f in "$@"; do
		[ -f "$f" ] || continue
		h=$(sha1sum <"$f" | cut -c1-16)
		[ -e "$out/$name/$h" ] || cp "$f" "$out/$name/$h"
	done
}

for d in fuzz/seeds/*/; do
	add "$(basename "$d")" "$d"*
done
add fuzz_interrupts tests/data/interrupts/*.txt
mapfile -t f < <(find tests/data -path '*/proc/interrupts' -type f)
add fuzz_interrupts "${f[@]}"
# CPU lists and masks as sysfs and procfs write them.
mapfile -t f < <(find tests/data -type f \( -name online -o -name possible -o -name present \
	-o -name '*_list' -o -name cpulist -o -name xps_cpus -o -name rps_cpus -o -name 'smp_affinity*' \
	-o -name 'effective_affinity*' -o -name '*_cpus' -o -name isolated -o -name nohz_full \) \
	-size -8k | sort | head -400)
add fuzz_cpuset "${f[@]}"
add fuzz_config mqbalance.conf.example
add fuzz_softirqs tests/data/cpustat/*/proc/softirqs
add fuzz_stat tests/data/cpustat/*/proc/stat
add fuzz_softnet tests/data/cpustat/*/proc/net/softnet_stat
add fuzz_nl_ethtool tests/data/netlink/*.bin

add fuzz_nl_rss tests/data/netlink/rss-*.bin
for n in fuzz/fuzz_*.c; do
	n=$(basename "$n" .c)
	mkdir -p "$out/$n"
done
