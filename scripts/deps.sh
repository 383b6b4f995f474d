#!/bin/sh
# Install the Debian packages a step needs, only if they are missing.
#   scripts/deps.sh build   compiler, pkg-config, libmnl, libnl-3
#   scripts/deps.sh deb     build + debian/control's Build-Depends, dpkg-dev (`make deb`)
#   scripts/deps.sh test    build + deb + cmocka, iproute2, ethtool, qemu, lintian, ... for `make check`
#   scripts/deps.sh mutate  build + cmocka, python3 for `make mutate`
set -eu
cd "$(dirname "$0")/.."

build="gcc make pkg-config libmnl-dev libnl-3-dev"
# Build-Depends, names only (no versions, no <!nocheck>); debhelper-compat is debhelper's.
deb="$build dpkg-dev $(sed -n '/^Build-Depends:/,/^[A-Z][A-Za-z-]*:/p' debian/control |
	sed -e '1s/^Build-Depends://' -e '/^[A-Z][A-Za-z-]*:/d' | tr ',' '\n' |
	sed -e 's/[(<[].*//' -e 's/[[:space:]]//g' -e 's/^debhelper-compat$/debhelper/')"
test="$deb lintian libcmocka-dev iproute2 ethtool kmod cpio busybox-static qemu-system-x86
      iperf3 prometheus prometheus-node-exporter clang libclang-rt-14-dev curl
      python3 jq xz-utils debootstrap e2fsprogs cppcheck clang-tools tmux strace"

case "${1:-build}" in
build) want=$build ;;
deb) want=$deb ;;
test) want=$test ;;
mutate) want="$build libcmocka-dev python3" ;;
*) echo "usage: $0 build|deb|test|mutate" >&2; exit 2 ;;
esac

missing=
for p in $want; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "mqbalance: installing missing Debian packages:$missing" >&2
if [ "$(id -u)" != 0 ]; then
	echo "mqbalance: run as root, or: sudo apt-get install$missing" >&2
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
# Services in these packages (prometheus, node_exporter) must not start on their own.
rc=/usr/sbin/policy-rc.d
if [ ! -e $rc ]; then
	printf '#!/bin/sh\nexit 101\n' > $rc && chmod +x $rc
	trap 'rm -f $rc' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends $missing >/dev/null
