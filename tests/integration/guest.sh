#!/usr/bin/env bash
# End-to-end tests in real guests: every tests/guest/scenarios/*.sh on the
# newest Debian 6.1 and 6.12 kernels under qemu (TCG), each guest with
# multiqueue virtio-net NICs in a network namespace of its own.
#   MQ_GUEST_KERNELS="6.12"   only these kernel series
#   MQ_GUEST_SCENARIOS="boot" only these scenarios
# Kernels and initramfs bases are cached in $MQ_GUEST_CACHE
# (default /var/cache/mqbalance-test); console logs go to build/guest-logs/.
. "$(dirname "$0")/../lib.sh"
guest=$MQ_ROOT_DIR/tests/guest

need_root guest
need_tools guest qemu-system-x86_64 busybox cpio gzip xz depmod modprobe ip ethtool iperf3 jq apt-get dpkg-deb /dev/net/tun

start=$(date +%s)
fetch_guest_kernels guest
echo "# guest kernels ready in $(( $(date +%s) - start ))s"

while read -r series kver _; do
	if [ -n "${MQ_GUEST_KERNELS:-}" ] && [[ " $MQ_GUEST_KERNELS " != *" $series "* ]]; then
		continue
	fi
	if ! "$guest/mkinitramfs.sh" "$kver" >/dev/null; then
		fail "guest: [$series] initramfs build failed"
		continue
	fi
	for s in "$guest"/scenarios/*.sh; do
		name=$(basename "$s" .sh)
		if [ -n "${MQ_GUEST_SCENARIOS:-}" ] && [[ " $MQ_GUEST_SCENARIOS " != *" $name "* ]]; then
			continue
		fi
		"$guest/run-guest.sh" -k "$kver" "$s" || _failed=1
	done
done <<<"$kernels"
echo "# guest suite: $(( $(date +%s) - start ))s"
finish
