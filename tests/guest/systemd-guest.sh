#!/usr/bin/env bash
# The shipped unit under a real systemd: boot a Debian 12 root (debootstrap,
# cached outside the repository) with systemd as PID 1, `make install` the
# tree into it, and let tests/guest/systemd-check.sh (mq-test.service, after
# mqbalance.service) check that the hardened service is READY and tunes the
# NICs, with Debian's irqbalance running next to it (through mqbalance's
# drop-in). With -p DIR it boots the same root without mqbalance and lets
# tests/guest/package-check.sh take the Debian packages in DIR through apt
# install, upgrade, remove and purge instead. Relays its TAP lines like
# run-guest.sh:
#   tests/guest/systemd-guest.sh [-i] [-k KERNEL_VERSION] [-p DEB_DIR]
# Exit status: 0 all passed, 1 something failed, 3 the Debian mirror cannot
# be reached (the caller skips, or fails on CI).
#
# Cache ($MQ_GUEST_CACHE, default /var/cache/mqbalance-test):
#   rootfs/bookworm-<hash>.tar    the debootstrap tree (hash of suite + packages)
#   rootfs/bookworm-<hash>-<h2>.ext4  an ext4 image of it (h2: this script's
#                                 image preparation); qemu opens it with
#                                 snapshot=on, so it is never modified
#   initramfs/systemd-<kver>-<hash>.cpio.gz  busybox + virtio/ext4 modules
# Per run only a small cpio with `make install`'s output, the check script and
# the test unit is packed; the initramfs copies it into the root and
# switch_roots to systemd.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
. "$here/qemu-run.sh"
repo=$(cd "$here/../.." && pwd)
cache=${MQ_GUEST_CACHE:-/var/cache/mqbalance-test}
logs=${MQ_GUEST_LOGS:-$repo/build/guest-logs}
suite=bookworm
packages="systemd systemd-sysv iproute2 ethtool libmnl0 libnl-3-200 irqbalance"
nics=(4 2)	# two multiqueue virtio NICs: 4 and 2 queue pairs
smp=4 mem=768
timeout=${MQ_GUEST_TIMEOUT:-300}

kver= interactive=0 debs=
while getopts ik:p: o; do
	case $o in
	i) interactive=1 ;;
	k) kver=$OPTARG ;;
	p) debs=$(cd "$OPTARG" && pwd) ;;
	*) echo "usage: systemd-guest.sh [-i] [-k KERNEL_VERSION] [-p DEB_DIR]" >&2; exit 2 ;;
	esac
done
if [ -z "$kver" ]; then
	kver=$(ls -1 "$cache/kernels" 2>/dev/null | grep -E '^6\.12\.' | sort -V | tail -n1 || true)
fi
label=$(sed -E 's/^([0-9]+\.[0-9]+).*/\1/' <<<"$kver")
what=systemd
[ -z "$debs" ] || what=package
say() { echo "$1 - [$label] $what: $2"; }
kdir=$cache/kernels/$kver
[ -n "$kver" ] && [ -f "$kdir/.complete" ] ||
	{ say "not ok" "no guest kernel '$kver' in $cache/kernels (run fetch-kernels.sh)"; exit 1; }
for t in debootstrap mke2fs qemu-system-x86_64 busybox cpio make; do
	command -v "$t" >/dev/null || { say "not ok" "missing $t (scripts/deps.sh test)"; exit 1; }
done

# The Debian mirror this machine's apt uses (MQ_DEBIAN_MIRROR overrides):
# deb822 .sources paragraphs, then one-line sources.list entries.
mirror() {
	local f
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -r "$f" ] || continue
		awk -v s="$suite" 'BEGIN { RS = "" } {
			n = split($0, L, "\n"); uri = types = suites = ""; on = 1
			for (i = 1; i <= n; i++) {
				if (L[i] ~ /^URIs:/) { sub(/^URIs:[ \t]*/, "", L[i]); split(L[i], u, /[ \t]+/); uri = u[1] }
				if (L[i] ~ /^Suites:/) suites = " " substr(L[i], 8) " "
				if (L[i] ~ /^Types:/) types = " " substr(L[i], 7) " "
				if (L[i] ~ /^Enabled:[ \t]*no/) on = 0
			}
			gsub(/\t/, " ", suites); gsub(/\t/, " ", types)
			if (on && uri != "" && index(suites, " " s " ") && index(types, " deb ")) { print uri; exit }
		}' "$f"
	done | head -n1 | grep . && return
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		sed -E 's/\[[^]]*\]//' | awk -v s="$suite" '$1 == "deb" && $3 == s {print $2; exit}'
}

mkdir -p "$cache/rootfs" "$cache/initramfs" "$logs"
hash=$(echo "$suite $packages" | sha256sum | cut -c1-12)
tarball=$cache/rootfs/$suite-$hash.tar

# --- 1. the debootstrap tree (minutes, once) ---------------------------------
build_tree() {
	local m stage
	m=${MQ_DEBIAN_MIRROR:-$(mirror)}
	[ -n "$m" ] || { say skip "no Debian $suite mirror in /etc/apt/sources.list*"; exit 3; }
	if ! curl -fsS -o /dev/null --max-time 20 "$m/dists/$suite/Release" 2>"$cache/rootfs/curl.err"; then
		say skip "cannot reach the Debian mirror $m: $(tail -n1 "$cache/rootfs/curl.err")"
		exit 3
	fi
	stage=$(mktemp -d "$cache/rootfs/stage.XXXXXX")
	echo "# debootstrap $suite from $m (once; cached as $tarball)" >&2
	local t0=$SECONDS
	if ! debootstrap --variant=minbase --include="${packages// /,}" "$suite" "$stage" "$m" \
		>"$cache/rootfs/debootstrap.log" 2>&1; then
		say "not ok" "debootstrap failed: $(grep -E '^[EW]:' "$cache/rootfs/debootstrap.log" | tail -n1)" \
			"(log: $cache/rootfs/debootstrap.log)"
		rm -rf "$stage"
		exit 1
	fi
	rm -rf "$stage"/var/cache/apt/archives/*.deb "$stage"/var/lib/apt/lists/*_Packages
	tar -C "$stage" --numeric-owner -cf "$tarball.tmp" .
	mv "$tarball.tmp" "$tarball"
	rm -rf "$stage"
	echo "# debootstrap + tar: $((SECONDS - t0)) s, $(du -h "$tarball" | cut -f1)" >&2
	for old in "$cache/rootfs/$suite-"*.tar; do
		[ "$old" = "$tarball" ] || rm -f "$old"
	done
}

# --- 2. an ext4 image of it, prepared to boot fast (seconds, once) -----------
# Prepared: a fixed machine-id (no first-boot), no gettys (no udev in this
# root: device units never appear, a getty would wait for its tty for 90 s),
# the textfile directory node_exporter would own, and irqbalance enabled as
# its package does on a real install (the postinst's enable may not have run
# in the debootstrap chroot).
prep_version=1
imghash=$( { echo $prep_version; sed -n '/^prep_tree()/,/^}/p' "$0"; } | sha256sum | cut -c1-8)
image=$cache/rootfs/$suite-$hash-$imghash.ext4
prep_tree() {
	local r=$1
	echo 6d71626c616e63652d746573742d3031 >"$r/etc/machine-id"
	echo mqguest >"$r/etc/hostname"
	for u in getty@tty1.service serial-getty@ttyS0.service getty.target \
		apt-daily.timer apt-daily-upgrade.timer e2scrub_all.timer e2scrub_reap.service \
		systemd-timesyncd.service fstrim.timer; do
		ln -sf /dev/null "$r/etc/systemd/system/$u"
	done
	mkdir -p "$r/var/lib/prometheus/node-exporter" "$r/etc/systemd/system/multi-user.target.wants"
	ln -sf /lib/systemd/system/irqbalance.service \
		"$r/etc/systemd/system/multi-user.target.wants/irqbalance.service"
	: >"$r/etc/fstab"
}
build_image() {
	local tree size
	tree=$(mktemp -d "$cache/rootfs/tree.XXXXXX")
	tar -C "$tree" --numeric-owner -xf "$tarball"
	prep_tree "$tree"
	size=$(( $(du -sm "$tree" | cut -f1) * 13 / 10 + 128 ))
	mke2fs -q -t ext4 -L mqroot -d "$tree" -F "$image.tmp" "${size}M"
	mv "$image.tmp" "$image"
	rm -rf "$tree"
	for old in "$cache/rootfs/$suite-"*.ext4; do
		[ "$old" = "$image" ] || rm -f "$old"
	done
}

# --- 3. the initramfs: busybox, virtio/ext4 modules, /init (once per kernel) -
modules="virtio_pci virtio_net virtio_blk crc32c_generic ext4"
init_script='#!/bin/sh
# /init of the systemd guest: load the modules, mount the ext4 root, copy
# the payload (make install output, the checks) into it, hand over to systemd.
export PATH=/bin:/sbin
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
/bin/busybox --install -s /bin
die() {
	stty -F /dev/ttyS1 raw -echo 2>/dev/null
	{ echo "not ok - systemd: initramfs: $*"; echo "MQ-END rc=1"; } >/dev/ttyS1
	sleep 1
	poweroff -f
}
for m in $(cat /etc/mq-modules); do modprobe "$m" || echo "mq-init: modprobe $m failed"; done
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
mount -t ext4 -o rw /dev/vda /newroot || die "cannot mount /dev/vda"
cp -a /payload/. /newroot/ || die "cannot copy the payload"
umount /sys /proc
mount --move /dev /newroot/dev
exec switch_root /newroot /lib/systemd/systemd
'
build_initramfs() {
	local h out stage
	h=$( { echo "$modules"; echo "$init_script"; sha256sum "$(readlink -f /bin/busybox)"; } | sha256sum | cut -c1-12)
	out=$cache/initramfs/systemd-$kver-$h.cpio.gz
	if [ ! -s "$out" ]; then
		stage=$(mktemp -d "$cache/initramfs/stage.XXXXXX")
		mkdir -p "$stage"/{bin,sbin,etc,proc,sys,dev,newroot,payload}
		cp /bin/busybox "$stage/bin/busybox"
		ln -s busybox "$stage/bin/sh"
		printf '%s' "$init_script" >"$stage/init"
		chmod 0755 "$stage/init"
		# shellcheck disable=SC2086
		stage_modules "$kdir" "$kver" "$stage" $modules
		(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
			gzip -1 >"$out.tmp"
		mv "$out.tmp" "$out"
		rm -rf "$stage"
		for old in "$cache/initramfs/systemd-$kver-"*.cpio.gz; do
			[ "$old" = "$out" ] || rm -f "$old"
		done
	fi
	echo "$out"
}

exec 9>"$cache/rootfs/.lock"
flock 9
[ -s "$tarball" ] || build_tree
[ -s "$image" ] || build_image
base=$(build_initramfs)
flock -u 9

# --- 4. this run: make install into a payload ---------------------------------
tmp=$(mktemp -d /tmp/mq-sdguest.XXXXXX)
ns=mqs-$$-$RANDOM
qpid=
cleanup() {
	set +e
	[ -n "$qpid" ] && kill -9 "$qpid" 2>/dev/null && wait "$qpid" 2>/dev/null
	ip netns del "$ns" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
p=$tmp/payload/payload
wants=$p/etc/systemd/system/multi-user.target.wants
mkdir -p "$p/mq" "$wants"
if [ -n "$debs" ]; then
	# The packages and the lifecycle check; apt installs them in the guest.
	mkdir -p "$p/mq/debs"
	cp "$debs"/*.deb "$p/mq/debs/"
	cp "$here/daemonlib.sh" "$here/package-check.sh" "$p/mq/"
	check=package-check.sh after=
	ok_install="packages for the guest: $(cd "$debs" && echo *.deb)"
else
	if ! make -C "$repo" -s install DESTDIR="$p" PREFIX=/usr/local >"$tmp/install.log" 2>&1; then
		say "not ok" "make install DESTDIR=... PREFIX=/usr/local failed: $(tail -n1 "$tmp/install.log")"
		exit 1
	fi
	# Everything under /usr/local (systemd reads its units from
	# /usr/local/lib/systemd/system), but the config.
	for f in usr/local/sbin/mqbalance usr/local/lib/systemd/system/mqbalance.service \
		usr/local/share/man/man8/mqbalance.8 etc/mqbalance.conf \
		usr/local/lib/systemd/system/irqbalance.service.d/mqbalance.conf \
		usr/local/lib/mqbalance/irqbalance-policy; do
		[ -e "$p/$f" ] || { say "not ok" "make install did not install /$f"; exit 1; }
	done
	outside=$(cd "$p" && find . -type f ! -path './usr/local/*' ! -path ./etc/mqbalance.conf)
	[ -z "$outside" ] || { say "not ok" "make install wrote outside /usr/local: $outside"; exit 1; }
	ok_install="make install DESTDIR=<root> PREFIX=/usr/local: $(cd "$p" && find . -type f | sed 's|^\.||' | sort | tr '\n' ' ')"
	ln -s /usr/local/lib/systemd/system/mqbalance.service "$wants/mqbalance.service"	# systemctl enable
	cp "$here/daemonlib.sh" "$here/systemd-check.sh" "$p/mq/"
	check=systemd-check.sh after=mqbalance.service
fi
cat >"$p/etc/systemd/system/mq-test.service" <<UNIT
[Unit]
Description=mqbalance systemd guest checks
After=$after irqbalance.service
SuccessAction=poweroff-force
FailureAction=poweroff-force

[Service]
Type=oneshot
ExecStart=/bin/bash /mq/$check
StandardOutput=journal+console
UNIT
ln -s /etc/systemd/system/mq-test.service "$wants/mq-test.service"
(cd "$tmp/payload" && find . -mindepth 1 | LC_ALL=C sort | cpio -o -H newc --quiet -R 0:0) |
	gzip -1 >"$tmp/payload.cpio.gz"
cat "$base" "$tmp/payload.cpio.gz" >"$tmp/initrd"

# --- 5. boot -------------------------------------------------------------------
log=$logs/$label-$what.log
if [ $interactive = 1 ]; then
	console=(-chardev "stdio,id=con,mux=on,signal=off,logfile=$log" -serial chardev:con -mon chardev=con)
	timeout=$((1 << 30))
else
	console=(-serial "file:$log" -monitor none)
fi
ip netns add "$ns"
ip -n "$ns" link set lo up
ip -n "$ns" link add br0 type bridge forward_delay 0
ip -n "$ns" link set br0 up
qargs=()
for i in "${!nics[@]}"; do
	q=${nics[$i]}
	ip -n "$ns" tuntap add dev tap$i mode tap multi_queue
	ip -n "$ns" link set tap$i master br0
	ip -n "$ns" link set tap$i up
	qargs+=(-netdev "tap,id=n$i,ifname=tap$i,script=no,downscript=no,vhost=off,queues=$q"
		-device "virtio-net-pci,netdev=n$i,mac=52:54:00:98:00:0$((i + 1)),mq=on,vectors=$((2 * q + 2)),romfile=")
done
: >"$tmp/tap"
qemu=(ip netns exec "$ns" qemu-system-x86_64
	-accel tcg,thread=multi -cpu max -m "$mem" -smp "$smp"
	-nographic -no-reboot "${console[@]}" -serial "file:$tmp/tap"
	-kernel "$kdir/boot/vmlinuz-$kver" -initrd "$tmp/initrd"
	-drive "file=$image,if=virtio,format=raw,snapshot=on,cache=unsafe"
	-append "console=ttyS0 panic=-1 quiet systemd.firstboot=off systemd.show_status=1 net.ifnames=0"
	"${qargs[@]}")
boot_guest "$interactive" "$timeout" "$tmp/qemu.out" "${qemu[@]}"

say ok "$ok_install"
tr -d '\r' <"$tmp/tap" | sed -nE "s/^(ok|not ok|skip) - /\1 - [$label] /p"
echo "# [$label] $what: ${secs}s in the guest, console log $log" >&2
guest_verdict checks 30
[ "$nfail" = 0 ]
