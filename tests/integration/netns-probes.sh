#!/usr/bin/env bash
# Netlink/ioctl probes and channels_set against a veth pair with 8/8 queues in
# a private network namespace. Expected values come from independent tools
# (ip -d -j link, ethtool -l) and the result of channels_set is checked with
# `ethtool -l`. Never touches the host's own interfaces.
. "$(dirname "$0")/../lib.sh"
need_root "netns-probes"
cd "$MQ_ROOT_DIR" || exit 1

BIN=${MQ_BUILD:-build}/tests/test_live_nl
if [ ! -x "$BIN" ]; then
	make --no-print-directory tests >/dev/null || { fail "netns-probes: build tests"; finish; }
fi
need_tools netns-probes ip ethtool jq

make_netns || { fail "netns-probes: create namespace"; finish; }
IF=mqv0
PEER=mqv1
if ! in_ns ip link add $IF numtxqueues 8 numrxqueues 8 type veth peer name $PEER \
	numtxqueues 8 numrxqueues 8; then
	skip "netns-probes: cannot create a veth (no veth module?)"
	exit 0
fi
check "netns-probes: ethtool -L $IF rx 3 tx 4" in_ns ethtool -L $IF rx 3 tx 4
in_ns ip link set $IF up
in_ns ip link set $PEER up
# A known XPS mask on tx-1 (CPU 0 exists everywhere).
in_ns sh -c "echo 1 > /sys/class/net/$IF/queues/tx-1/xps_cpus" || fail "netns-probes: write xps"

json=$(in_ns ip -d -j link show $IF)
chan=$(in_ns ethtool -l $IF)
# `ethtool -l` prints maxima first, then current settings.
ethl() { awk -v sect="$1" -v key="$2" '
	/^Pre-set maximums/ {s = "max"} /^Current hardware settings/ {s = "cur"}
	s == sect && $1 == key":" {print $2; exit}' <<<"$chan"; }

export MQ_TEST_IFACE=$IF
export MQ_TEST_IFINDEX=$(jq -r '.[0].ifindex' <<<"$json")
export MQ_TEST_MTU=$(jq -r '.[0].mtu' <<<"$json")
export MQ_TEST_NUMTXQ=$(jq -r '.[0].num_tx_queues' <<<"$json")
export MQ_TEST_NUMRXQ=$(jq -r '.[0].num_rx_queues' <<<"$json")
export MQ_TEST_KIND=$(jq -r '.[0].linkinfo.info_kind' <<<"$json")
export MQ_TEST_OPERSTATE=$(jq -r '.[0].operstate | ascii_downcase' <<<"$json")
export MQ_TEST_RX=$(ethl cur RX) MQ_TEST_TX=$(ethl cur TX)
export MQ_TEST_RX_MAX=$(ethl max RX) MQ_TEST_TX_MAX=$(ethl max TX)
export MQ_TEST_XPS1=0
export MQ_TEST_SET_RX=6 MQ_TEST_SET_TX=5

if [ "$MQ_TEST_RX" = 3 ] && [ "$MQ_TEST_TX" = 4 ] && [ "$MQ_TEST_NUMTXQ" = 8 ]; then
	ok "netns-probes: independent tools agree on the setup"
else
	fail "netns-probes: setup (rx=$MQ_TEST_RX tx=$MQ_TEST_TX numtxq=$MQ_TEST_NUMTXQ)"
fi

out=$(in_ns "$BIN" 2>&1)
rc=$?
printf '%s\n' "$out" | sed 's/^/    /'
if [ $rc -eq 0 ] && grep -q '^\[  PASSED  \] 10 test' <<<"$out"; then
	ok "netns-probes: test_live_nl (link, channels, rss, queues, XPS, counters, device totals, channels_set)"
else
	fail "netns-probes: test_live_nl exited $rc"
fi

# channels_set's result, read back with an independent tool.
chan=$(in_ns ethtool -l $IF)
if [ "$(ethl cur RX)" = "$MQ_TEST_SET_RX" ] && [ "$(ethl cur TX)" = "$MQ_TEST_SET_TX" ]; then
	ok "netns-probes: ethtool -l shows rx $MQ_TEST_SET_RX tx $MQ_TEST_SET_TX after channels_set"
else
	fail "netns-probes: ethtool -l after channels_set: rx $(ethl cur RX) tx $(ethl cur TX)"
fi
n=$(in_ns sh -c "ls -d /sys/class/net/$IF/queues/rx-* | wc -l")
check "netns-probes: sysfs has $MQ_TEST_SET_RX rx queues" test "$n" = "$MQ_TEST_SET_RX"
finish
