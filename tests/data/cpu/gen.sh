#!/usr/bin/env bash
# Regenerates the synthetic CPU sysfs fixtures (tests/data/cpu/<case>/sys/...).
# The generated trees are committed; rerun after changing this script:
#   tests/data/cpu/gen.sh
# "host2" is a copy of a real 2-vCPU KVM guest (kernel 6.18): `gen.sh --capture host2`
# copies the files cpu_probe() reads from this machine's /sys instead.
set -eu
cd "$(dirname "$0")"

# gen NAME NCPUS THREADS LAYOUT NODES [OFFLINE] [ISOLATED] [NOHZ] [POSSIBLE]
#   THREADS  1 or 2 threads per core
#   LAYOUT   adj: siblings are neighbours (qemu -smp ...,threads=2: 0,1 | 2,3)
#            split: siblings are N/2 apart (bare metal, big cloud VMs: 0,48 | 1,49)
#   NODES    NUMA nodes = sockets = L3 groups, cores split evenly
#   OFFLINE  cpu list taken offline (no topology/, cache/; not in node cpulist)
#   ISOLATED / NOHZ   file contents; "-" = file absent
#   POSSIBLE          possible mask if wider than the present CPUs (hotplug slots)
gen() {
	local name=$1 n=$2 thr=$3 layout=$4 nodes=$5 offline=${6:-} iso=${7:-} nohz=${8:--}
	local possible=${9:-0-$(($2 - 1))}
	local d=$name/sys/devices/system
	local ncores=$((n / thr)) cpn=$((n / thr / nodes))
	local -a core pkg online
	rm -rf "$name"
	mkdir -p "$d/cpu" "$d/node"
	local i
	for ((i = 0; i < n; i++)); do
		local c
		if [ "$layout" = adj ]; then c=$((i / thr)); else c=$((i % ncores)); fi
		core[i]=$c
		pkg[i]=$((c / cpn))
		online[i]=1
	done
	for i in $(expand "$offline"); do online[i]=0; done
	local onl="" j
	for ((i = 0; i < n; i++)); do [ "${online[i]}" = 1 ] && onl+="$i,"; done
	echo "$possible" >"$d/cpu/possible"
	echo "0-$((n - 1))" >"$d/cpu/present"
	compress "${onl%,}" >"$d/cpu/online"
	compress "$(expand "$offline" | tr ' ' ',')" >"$d/cpu/offline"
	[ "$iso" = - ] || echo "$iso" >"$d/cpu/isolated"
	[ "$nohz" = - ] || echo "$nohz" >"$d/cpu/nohz_full"
	echo 1023 >"$d/cpu/kernel_max"
	local node
	for ((node = 0; node < nodes; node++)); do
		local l=""
		for ((i = 0; i < n; i++)); do
			[ "${pkg[i]}" = "$node" ] && [ "${online[i]}" = 1 ] && l+="$i,"
		done
		mkdir -p "$d/node/node$node"
		compress "${l%,}" >"$d/node/node$node/cpulist"
	done
	range 0 $((nodes - 1)) >"$d/node/online"
	for ((i = 0; i < n; i++)); do
		local cd=$d/cpu/cpu$i
		mkdir -p "$cd"
		ln -s "../../node/node${pkg[i]}" "$cd/node${pkg[i]}"
		[ "$i" = 0 ] || echo "${online[i]}" >"$cd/online"
		[ "${online[i]}" = 1 ] || continue
		local sib="" l3=""
		for ((j = 0; j < n; j++)); do
			[ "${online[j]}" = 1 ] || continue
			[ "${core[j]}" = "${core[i]}" ] && sib+="$j,"
			[ "${pkg[j]}" = "${pkg[i]}" ] && l3+="$j,"
		done
		mkdir -p "$cd/topology"
		echo $((core[i] % cpn)) >"$cd/topology/core_id"
		echo "${pkg[i]}" >"$cd/topology/physical_package_id"
		compress "${sib%,}" >"$cd/topology/thread_siblings_list"
		compress "${sib%,}" >"$cd/topology/core_cpus_list"
		local x lvl typ shared
		for x in 0 1 2 3; do
			case $x in
			0) lvl=1 typ=Data shared=${sib%,} ;;
			1) lvl=1 typ=Instruction shared=${sib%,} ;;
			2) lvl=2 typ=Unified shared=${sib%,} ;;
			3) lvl=3 typ=Unified shared=${l3%,} ;;
			esac
			mkdir -p "$cd/cache/index$x"
			echo $lvl >"$cd/cache/index$x/level"
			echo $typ >"$cd/cache/index$x/type"
			compress "$shared" >"$cd/cache/index$x/shared_cpu_list"
		done
	done
}

# "0-2,5" -> "0 1 2 5"
expand() {
	local part
	local IFS=,
	for part in $1; do
		case $part in
		*-*) seq "${part%-*}" "${part#*-}" ;;
		*) echo "$part" ;;
		esac
	done | tr '\n' ' '
}

# "0,1,2,5" -> "0-2,5" (the kernel's %*pbl)
compress() {
	local IFS=, out="" start="" prev="" x
	for x in $1; do
		if [ -n "$prev" ] && [ "$x" = $((prev + 1)) ]; then
			prev=$x
			continue
		fi
		[ -z "$start" ] || out+=$(range "$start" "$prev"),
		start=$x prev=$x
	done
	[ -z "$start" ] || out+=$(range "$start" "$prev")
	echo "$out"
}
range() { if [ "$1" = "$2" ]; then echo "$1"; else echo "$1-$2"; fi; }

capture() {
	local name=$1 src=${2:-}
	local f
	rm -rf "$name"
	for f in possible present online offline isolated nohz_full kernel_max; do
		[ -e "$src/sys/devices/system/cpu/$f" ] || continue
		mkdir -p "$name/sys/devices/system/cpu"
		cat "$src/sys/devices/system/cpu/$f" >"$name/sys/devices/system/cpu/$f"
	done
	(cd "$src/" && find sys/devices/system/cpu/cpu[0-9]* sys/devices/system/node/node[0-9]* \
		-maxdepth 3 \( -path '*/topology/*' -o -path '*/cache/index*/level' \
		-o -path '*/cache/index*/type' -o -path '*/cache/index*/shared_cpu_list' \
		-o -name online -o -name cpulist -o -name 'node[0-9]*' \) 2>/dev/null) |
		while read -r f; do
			if [ -L "$src/$f" ]; then
				mkdir -p "$name/$(dirname "$f")"
				ln -s "$(readlink "$src/$f")" "$name/$f"
			elif [ -f "$src/$f" ]; then
				mkdir -p "$name/$(dirname "$f")"
				cat "$src/$f" >"$name/$f"
			fi
		done
}

if [ "${1:-}" = --capture ]; then
	capture "$2" "${3:-}"
	exit 0
fi

#   name     n  thr layout nodes offline isolated nohz  possible
gen smt8     8  2   adj    1     ""      ""       -
gen numa2x4  8  2   adj    2     ""      ""       -
gen isolated 8  1   adj    1     ""      "6-7"    "5-7"
gen nohznull 4  1   adj    1     ""      ""       "(null)"
gen offline  4  2   adj    1     "3"     ""       -     0-7
gen big96    96 2   split  2     ""      ""       -
