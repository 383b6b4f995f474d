#!/usr/bin/env bash
# Boot one scenario on one guest kernel and relay its TAP lines:
#   tests/guest/run-guest.sh [-k KERNEL_VERSION] SCENARIO.sh
# The scenario's header says what machine it needs:
#   # guest: smp=4 nics=virtio:4,virtio:4,e1000 timeout=120 mem=512 kernels=6.1,6.12
# nics: virtio:N  virtio-net-pci, N queue pairs (mq=on, vectors=2N+2)
#       virtio:N:V  same with V MSI-X vectors (V < N+1 forces shared IRQs)
#       virtio:N:rss, virtio:N:V:rss  with RSS done by qemu (rss=on,hash=on)
#       e1000       single-queue, non-virtio
# Everything network-side lives in a namespace of this script's own (a bridge
# and one tap per NIC), so the host's network is never touched. The guest
# console goes to build/guest-logs/<kernel>-<scenario>.log.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu-run.sh"
repo=$(cd "$here/../.." && pwd)
cache=${MQ_GUEST_CACHE:-/var/cache/mqbalance-test}
logs=${MQ_GUEST_LOGS:-$repo/build/guest-logs}
bin=${MQ_BIN:-$repo/mqbalance}

usage="usage: run-guest.sh [-i] [-k KERNEL_VERSION] SCENARIO.sh"
kver= interactive=0
while getopts ik: o; do
	case $o in
	i) interactive=1 ;;	# console on this terminal, a shell after the scenario
	k) kver=$OPTARG ;;
	*) echo "$usage" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
file=${1:?$usage}
name=$(basename "$file" .sh)
if [ -z "$kver" ]; then
	kver=$(ls -1 "$cache/kernels" | sort -V | tail -n1)
fi
label=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$kver")
kernel=$cache/kernels/$kver/boot/vmlinuz-$kver
say() { echo "$1 - [$label] $name: $2"; }

# Header (defaults for anything it leaves out).
smp=4 mem=512 timeout=180 nics=virtio:4,virtio:4,e1000 kernels= append=
header=$(sed -n 's/^# guest:[[:space:]]*//p' "$file" | head -n1)
for kv in $header; do
	case $kv in
	smp=* | mem=* | timeout=* | nics=* | kernels=*) eval "${kv%%=*}=\${kv#*=}" ;;
	append=*) append=${kv#append=}; append=${append//,/ } ;;
	*) say "not ok" "bad header field '$kv'"; exit 1 ;;
	esac
done
timeout=${MQ_GUEST_TIMEOUT:-$timeout}
if [ -n "$kernels" ] && [[ ",$kernels," != *",$label,"* ]]; then
	say skip "only for kernels $kernels"
	exit 0
fi
[ -f "$kernel" ] || { say "not ok" "no kernel $kernel (run fetch-kernels.sh)"; exit 1; }

mkdir -p "$logs"
log=$logs/$label-$name.log
tmp=$(mktemp -d /tmp/mq-guest.XXXXXX)
ns=mqg-$$-$RANDOM
qpid=
cleanup() {
	set +e
	trap - ERR
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null	# takes the bridge and taps with it
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'say "not ok" "harness error at run-guest.sh line $LINENO"' ERR
trap 'exit 130' INT TERM

# Initramfs = cached base + a small overlay with /init, the scenarios and ./mqbalance.
base=$("$here/mkinitramfs.sh" "$kver") || { say "not ok" "initramfs build failed"; exit 1; }
o=$tmp/overlay
mkdir -p "$o/mq/scenarios"
install -m 0755 "$here/init" "$o/init"
cp "$here"/*lib.sh "$o/mq/"	# guestlib.sh, daemonlib.sh
cp "$here"/scenarios/*.sh "$o/mq/scenarios/"
[ "$file" -ef "$o/mq/scenarios/$name.sh" ] || cp "$file" "$o/mq/scenarios/$name.sh"
# Debugging aid: extra files (tools, fakes) to drop into the guest's /mq/.
for extra in ${MQ_GUEST_EXTRA:-}; do
	cp "$extra" "$o/mq/"
done
# Test tools (build/tests/tools/*, e.g. rss-probe) go to /mq/tools/.
tools=()
for t in "${MQ_TOOLS_DIR:-$repo/build/tests/tools}"/*; do
	[[ -f $t && -x $t && $t != *.[od] ]] && tools+=("$t")
done
if [ ${#tools[@]} -gt 0 ]; then
	mkdir -p "$o/mq/tools"
	cp "${tools[@]}" "$o/mq/tools/"
fi
if [ -x "$bin" ]; then
	cp "$bin" "$o/mq/mqbalance"
fi
for b in "$bin" "${tools[@]}"; do
	[ -x "$b" ] || continue
	{ ldd "$b" 2>/dev/null || true; } | awk '/=> \// {print $3}' | while read -r lib; do
		mkdir -p "$o$(dirname "$lib")"
		cp -L "$lib" "$o$lib"
	done
done
(cd "$o" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) | gzip -1 > "$tmp/overlay.cpio.gz"
cat "$base" "$tmp/overlay.cpio.gz" > "$tmp/initrd"

if [ $interactive = 1 ]; then
	# Console (and qemu monitor: Ctrl-A c) on this terminal, still logged.
	console=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" -serial chardev:con -mon chardev=con)
	append="$append mq.shell=1"
	timeout=$((1 << 30))
else
	console=(-serial "file:$log" -monitor none)
fi

# The private network: bridge + one tap per NIC.
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge forward_delay 0
ip -n "$ns" link set br0 up
qargs=()
i=0
IFS=, read -ra nic_list <<<"$nics"
for nic in "${nic_list[@]}"; do
	mac=$(printf '52:54:00:99:00:%02x' $((i + 1)))
	IFS=: read -r model q v opt <<<"$nic"
	# RSS in qemu's own device model: needs vhost=off (as here), hash=on for the hash report.
	rss=
	[ "$v" = rss ] && v= opt=rss
	[ "$opt" = rss ] && rss=,rss=on,hash=on
	case $model in
	virtio)
		q=${q:-1} v=${v:-$((2 * q + 2))}
		if [ "$q" -gt 1 ]; then
			ip -n "$ns" tuntap add dev tap$i mode tap multi_queue
			qargs+=(-netdev "tap,id=n$i,ifname=tap$i,script=no,downscript=no,vhost=off,queues=$q"
				-device "virtio-net-pci,netdev=n$i,mac=$mac,mq=on,vectors=$v$rss,romfile=")
		else
			ip -n "$ns" tuntap add dev tap$i mode tap
			qargs+=(-netdev "tap,id=n$i,ifname=tap$i,script=no,downscript=no,vhost=off"
				-device "virtio-net-pci,netdev=n$i,mac=$mac,vectors=$v$rss,romfile=")
		fi
		;;
	e1000)
		ip -n "$ns" tuntap add dev tap$i mode tap
		qargs+=(-netdev "tap,id=n$i,ifname=tap$i,script=no,downscript=no"
			-device "e1000,netdev=n$i,mac=$mac,romfile=")
		;;
	*) say "not ok" "unknown NIC model '$model' in header"; exit 1 ;;
	esac
	ip -n "$ns" link set tap$i master br0
	ip -n "$ns" link set tap$i up
	i=$((i + 1))
done

: > "$tmp/tap"
: > "$tmp/qemu.out"
qemu=(ip netns exec "$ns" qemu-system-x86_64
	-accel tcg,thread=multi -cpu max -m "$mem" -smp "$smp"
	-nographic -no-reboot "${console[@]}" -serial "file:$tmp/tap"
	-kernel "$kernel" -initrd "$tmp/initrd"
	-append "console=ttyS0 panic=-1 quiet mq.scenario=$name mq.label=$label mq.nics=$i ${append} ${MQ_GUEST_APPEND:-}"
	"${qargs[@]}")
boot_guest "$interactive" "$timeout" "$tmp/qemu.out" "${qemu[@]}"

# Relay the guest's TAP lines with the kernel in front.
tr -d '\r' < "$tmp/tap" | sed -nE "s/^(ok|not ok|skip) - /\1 - [$label] /p"
# Files the scenario exported (guestlib export_file): decoded next to the
# log; a .prom file is linted with promtool here on the host.
files=$logs/$label-$name.files
rm -rf "$files"
hostfail=0
while read -r f; do
	mkdir -p "$files"
	tr -d '\r' < "$tmp/tap" |
		awk -v f="$f" '$0 == "MQ-FILE-END " f { p = 0 } p { print } $0 == "MQ-FILE-BEGIN " f { p = 1 }' |
		base64 -d > "$files/$f" 2>/dev/null || { say "not ok" "host: $f: bad copy from the guest"; hostfail=1; continue; }
	[[ $f == *.prom ]] || continue
	if ! command -v promtool >/dev/null; then
		say skip "host: promtool check metrics $f: no promtool (Debian package prometheus)"
	elif out=$(promtool check metrics < "$files/$f" 2>&1); then
		say ok "host: promtool check metrics $f ($(grep -vc '^#' "$files/$f") series)"
	else
		say "not ok" "host: promtool check metrics $f: $(tr '\n' ' ' <<<"$out" | cut -c1-300)"
		hostfail=1
	fi
done < <(tr -d '\r' < "$tmp/tap" | sed -nE 's/^MQ-FILE-BEGIN ([A-Za-z0-9._-]+)$/\1/p' | sort -u)
ntap=$(tr -d '\r' < "$tmp/tap" | grep -cE '^(ok|not ok|skip) - ' || true)
echo "# [$label] $name: ${secs}s, console log $log" >&2
guest_verdict scenario 20
if [ "$ntap" = 0 ]; then
	say "not ok" "scenario printed no results (log: $log)"
	exit 1
fi
if [ "$nfail" != 0 ] || [ "$hostfail" != 0 ]; then
	exit 1
fi
exit 0
