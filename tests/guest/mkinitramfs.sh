#!/usr/bin/env bash
# Build (or reuse) the base initramfs of one guest kernel and print its path:
#   tests/guest/mkinitramfs.sh KERNEL_VERSION
# The base holds what rarely changes: static busybox, the guest kernel's
# network modules (decompressed, with modules.dep), and bash, ethtool, ip,
# iperf3, jq with their shared libraries. It is cached as
#   $MQ_GUEST_CACHE/initramfs/base-<version>-<hash>.cpio.gz
# keyed by a hash of this script and qemu-run.sh, the module list and the tool binaries.
# /init, ./mqbalance and the scenarios travel in a small overlay cpio that
# run-guest.sh concatenates per run, so rebuilding mqbalance rebuilds nothing
# here. Needs fetch-kernels.sh to have run first.
set -euo pipefail
. "$(cd "$(dirname "$0")" && pwd)/qemu-run.sh"

kver=${1:?usage: mkinitramfs.sh KERNEL_VERSION}
cache=${MQ_GUEST_CACHE:-/var/cache/mqbalance-test}
kdir=$cache/kernels/$kver
[ -f "$kdir/.complete" ] || { echo "mkinitramfs: $kdir missing: run fetch-kernels.sh" >&2; exit 1; }

# Modules the guest loads, in /init's order (dependencies come from modules.dep).
modules="virtio_pci virtio_net e1000"
# Tools the scenarios call by full path; busybox provides the rest.
tools="/bin/bash /usr/sbin/ethtool /usr/sbin/ip /usr/bin/iperf3 /usr/bin/jq"
busybox=/bin/busybox

for t in $busybox $tools; do
	[ -x "$t" ] || { echo "mkinitramfs: $t missing (scripts/deps.sh test)" >&2; exit 1; }
done
if ldd $busybox >/dev/null 2>&1; then
	echo "mkinitramfs: $busybox is not static (install busybox-static)" >&2
	exit 1
fi

# shellcheck disable=SC2086
hash=$({ cat "$0" "$(dirname "$0")/qemu-run.sh"; echo "$kver $modules"; sha256sum $(readlink -f $busybox $tools); } |
	sha256sum | cut -c1-16)
out=$cache/initramfs/base-$kver-$hash.cpio.gz
if [ -s "$out" ]; then
	echo "$out"
	exit 0
fi

mkdir -p "$cache/initramfs"
exec 9>"$cache/initramfs/.lock"
flock 9
if [ -s "$out" ]; then	# built by a concurrent run meanwhile
	echo "$out"
	exit 0
fi
stage=$(mktemp -d "$cache/initramfs/stage.XXXXXX")
trap 'rm -rf "$stage"' EXIT

mkdir -p "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,proc,sys,dev,run,tmp,mq,etc}
cp "$busybox" "$stage/bin/busybox"
ln -s busybox "$stage/bin/sh"

# Tools and every shared library they need (cp -L: /usr/sbin/ip is a symlink).
for t in $tools; do
	mkdir -p "$stage$(dirname "$t")"
	cp -L "$t" "$stage$t"
	ldd "$t" | awk '/=> \// {print $3} /^\t\/[^ ]+ \(/ {print $1}'
done | sort -u | while read -r lib; do
	mkdir -p "$stage$(dirname "$lib")"
	cp -L "$lib" "$stage$lib"
done
# Debian merged /usr: libraries may resolve under /lib or /usr/lib.
[ -e "$stage/lib64/ld-linux-x86-64.so.2" ] || cp -L /lib64/ld-linux-x86-64.so.2 "$stage/lib64/"

# shellcheck disable=SC2086
stage_modules "$kdir" "$kver" "$stage" $modules

echo "root:x:0:0:root:/:/bin/bash" > "$stage/etc/passwd"
echo "root:x:0:" > "$stage/etc/group"
printf '127.0.0.1 localhost\n' > "$stage/etc/hosts"

(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 > "$out.tmp"
mv "$out.tmp" "$out"
# Old bases of this kernel are dead weight.
for old in "$cache/initramfs/base-$kver-"*.cpio.gz; do
	[ "$old" = "$out" ] || rm -f "$old"
done
echo "$out"
