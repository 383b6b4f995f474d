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
missing=
for t in qemu-system-x86_64 busybox cpio gzip xz depmod modprobe ip ethtool iperf3 jq apt-get dpkg-deb; do
	command -v "$t" >/dev/null || missing="$missing $t"
done
[ -c /dev/net/tun ] || missing="$missing /dev/net/tun"
if [ -n "$missing" ]; then
	skip "guest: missing$missing (scripts/deps.sh test)"
	exit 0
fi

start=$(date +%s)
if ! kernels=$("$guest/fetch-kernels.sh" 2>"${TMPDIR:-/tmp}/mq-fetch.$$"); then
	why=$(tail -n1 "${TMPDIR:-/tmp}/mq-fetch.$$")
	rm -f "${TMPDIR:-/tmp}/mq-fetch.$$"
	# A developer offline gets a skip; CI must really run the guests.
	if [ "${CI:-}" = true ]; then
		fail "guest: cannot fetch guest kernels: $why"
	else
		skip "guest: cannot fetch guest kernels: $why"
	fi
	finish
fi
rm -f "${TMPDIR:-/tmp}/mq-fetch.$$"
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
