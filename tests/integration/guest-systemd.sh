#!/usr/bin/env bash
# The shipped unit under a real systemd as PID 1: a debootstrapped Debian 12
# root (cached in $MQ_GUEST_CACHE, default /var/cache/mqbalance-test), booted
# on the newest cached 6.12 guest kernel with two multiqueue virtio NICs,
# twice:
#   1. `make install`ed into (PREFIX=/usr/local): tests/guest/systemd-check.sh
#      checks inside that mqbalance.service is READY, sandboxed and tunes the
#      NICs, next to irqbalance;
#   2. the Debian package, built here twice (the release and a newer build of
#      it): tests/guest/package-check.sh takes it through apt install,
#      upgrade, remove and purge.
#   MQ_GUEST_SYSTEMD=0  skip it (with a reason)
#   MQ_GUEST_PACKAGE=0  skip only the package's boot
. "$(dirname "$0")/../lib.sh"
guest=$MQ_ROOT_DIR/tests/guest

need_root guest-systemd
if [ "${MQ_GUEST_SYSTEMD:-1}" = 0 ]; then
	skip "guest-systemd: MQ_GUEST_SYSTEMD=0"
	exit 0
fi
if [ -n "${MQ_GUEST_KERNELS:-}" ] && [[ " $MQ_GUEST_KERNELS " != *" 6.12 "* ]]; then
	skip "guest-systemd: runs on 6.12 only, MQ_GUEST_KERNELS=$MQ_GUEST_KERNELS"
	exit 0
fi
need_tools guest-systemd qemu-system-x86_64 busybox cpio gzip xz depmod modprobe ip debootstrap mke2fs curl make \
	dpkg-buildpackage dh /dev/net/tun

start=$(date +%s)
fetch_guest_kernels guest-systemd
kver=$(awk '$1 == "6.12" {print $2}' <<<"$kernels")
if [ -z "$kver" ]; then
	fail "guest-systemd: fetch-kernels.sh gave no 6.12 kernel"
	finish
fi

# boot ARGS...: one systemd-guest.sh run, its TAP lines relayed.
boot() {
	local out rc
	out=$("$guest/systemd-guest.sh" -k "$kver" "$@")
	rc=$?
	if [ $rc = 3 ]; then
		# The Debian mirror is unreachable: a developer offline gets a skip, CI must run it.
		if [ "${CI:-}" = true ]; then
			sed 's/^skip - /not ok - /' <<<"$out"
			_failed=1
		else
			echo "$out"
		fi
	else
		echo "$out"
		[ $rc = 0 ] || _failed=1
	fi
}
boot
echo "# guest-systemd: $(( $(date +%s) - start ))s"

# The packages: the release as `make deb` builds it, and a newer build of the
# same tree (VERSION and debian/changelog bumped in a copy), unit tests off
# (make check-unit runs them).
if [ "${MQ_GUEST_PACKAGE:-1}" = 0 ]; then
	skip "guest-systemd: package lifecycle: MQ_GUEST_PACKAGE=0"
	finish
fi
t0=$(date +%s)
pkg=$MQ_ROOT_DIR/build/lifecycle
rel=$(cat "$MQ_ROOT_DIR/VERSION")
newer=$rel+lifecycle1
rm -rf "$pkg" && mkdir -p "$pkg/debs"
build_deb() { # DIR VERSION
	mkdir -p "$pkg/$1"
	tar -C "$MQ_ROOT_DIR" --exclude=./build --exclude=./.git --exclude='./mqbalance_*' -cf - . |
		tar -C "$pkg/$1" -xf -
	if [ "$2" != "$rel" ]; then
		echo "$2" >"$pkg/$1/VERSION"
		{
			printf 'mqbalance (%s) unstable; urgency=medium\n\n  * A newer build for the upgrade test.\n\n' "$2"
			printf ' -- %s  %s\n\n' "$(sed -n 's/^Maintainer: //p' "$pkg/$1/debian/control")" "$(date -R)"
			cat "$pkg/$1/debian/changelog"
		} >"$pkg/$1/debian/changelog.new"
		mv "$pkg/$1/debian/changelog.new" "$pkg/$1/debian/changelog"
	fi
	(cd "$pkg/$1" && unset MAKEFLAGS MFLAGS MAKELEVEL && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -us -uc -b) >"$pkg/$1.log" 2>&1
}
if build_deb rel "$rel" && build_deb new "$newer"; then
	cp "$pkg/mqbalance_${rel}_"*.deb "$pkg/mqbalance_${newer}_"*.deb "$pkg/debs/"
	ok "guest-systemd: built mqbalance $rel and $newer ($(( $(date +%s) - t0 ))s)"
	boot -p "$pkg/debs"
else
	fail "guest-systemd: dpkg-buildpackage failed: $(tail -n 3 "$pkg"/*.log | tr '\n' '|')"
fi
echo "# guest-systemd: $(( $(date +%s) - start ))s in all"
finish
