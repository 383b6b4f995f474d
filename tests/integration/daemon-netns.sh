#!/usr/bin/env bash
# The daemon keeps a veth tuned in a private namespace: start-up tuning, a
# channel change by hand is undone (auto and a pinned count), a link flap and
# a new NIC are handled, the textfile is rewritten, SIGHUP with a broken
# config keeps the old one, SIGTERM exits 0. Checked with ethtool, sysfs and promtool.
. "$(dirname "$0")/../lib.sh"
need_root "daemon-netns"
make_netns || { fail "daemon-netns: cannot create a network namespace"; finish; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"' EXIT

ip -n "$NS" link add va numtxqueues 4 numrxqueues 4 type veth peer vb numtxqueues 4 numrxqueues 4
ip -n "$NS" link set va up
ip -n "$NS" link set vb up
ncpu=$(nproc)
want=$((ncpu < 4 ? ncpu : 4))
cat >"$tmp/c.conf" <<CONF
interval = 0.5
prom_file = $tmp/prom/mqbalance.prom
[va]
[vb]
CONF
mkdir "$tmp/prom"

channels() { in_ns ethtool -l "$1" | awk '/^Current/ {c=1} c && /^RX:/ {print $2; exit}'; }
# wait_for SECONDS command...: poll every 50 ms; prints the time it took.
wait_for() {
	local limit=$1 start=$(date +%s%N) now
	shift
	while :; do
		"$@" && break
		now=$(date +%s%N)
		[ $(((now - start) / 1000000)) -gt $((limit * 1000)) ] && return 1
		sleep 0.05
	done
	echo $((($(date +%s%N) - start) / 1000000))
}
is_rx() { [ "$(channels "$1")" = "$2" ]; }

# Not through in_ns: a shell function in the background is a subshell, and
# signals must reach mqbalance itself (ip netns exec execs in place).
ip netns exec "$NS" "$MQ" -v --daemon --config "$tmp/c.conf" >"$tmp/log" 2>&1 &
pid=$!
if ms=$(wait_for 10 is_rx va "$want"); then
	ok "daemon-netns: start-up sets va channels to $want (ethtool -l, ${ms} ms)"
else
	fail "daemon-netns: start-up left va at rx $(channels va), want $want"
fi

# Right after our own change, someone else's change looks like our echo: it
# must still be undone (by a quiet verification pass).
in_ns ethtool -L va rx 1 tx 1
if ms=$(wait_for 10 is_rx va "$want"); then
	ok "daemon-netns: channel change right after ours undone in ${ms} ms (ethtool -l)"
else
	fail "daemon-netns: va stayed at rx $(channels va) after ethtool -L"
fi
sleep 1.2 # past the echo window: now it is someone else's, by name
in_ns ethtool -L va rx 1 tx 1
if ms=$(wait_for 10 is_rx va "$want"); then
	ok "daemon-netns: channel change by hand undone in ${ms} ms (ethtool -l)"
else
	fail "daemon-netns: va stayed at rx $(channels va) after the second ethtool -L"
fi
check "daemon-netns: the log names the cause and how to pin it" \
	grep -q 'va channels changed by someone else.*set queues = 1 in \[va\]' "$tmp/log"

in_ns ip link set va down
in_ns ip link set va up
in_ns ethtool -L vb rx 1 tx 1
if ms=$(wait_for 10 is_rx vb "$want"); then
	ok "daemon-netns: after a link flap, vb restored too in ${ms} ms"
else
	fail "daemon-netns: vb stayed at rx $(channels vb)"
fi

if wait_for 10 test -s "$tmp/prom/mqbalance.prom" >/dev/null; then
	ok "daemon-netns: textfile written"
	if command -v promtool >/dev/null; then
		check "daemon-netns: promtool check metrics" promtool check metrics <"$tmp/prom/mqbalance.prom"
	fi
	# The textfile is rewritten every 0.5 s: give it a few rounds under load.
	if wait_for 10 awk '/^mqbalance_drift_corrections_total / {f = $2 >= 2} END {exit !f}' \
		"$tmp/prom/mqbalance.prom" >/dev/null; then
		ok "daemon-netns: drift corrections counted"
	else
		fail "daemon-netns: drift corrections counted: $(grep drift_corrections_total "$tmp/prom/mqbalance.prom")"
	fi
else
	fail "daemon-netns: no textfile after 10 s"
fi

cp "$tmp/c.conf" "$tmp/good.conf"
echo "rps = sometimes" >>"$tmp/c.conf"
kill -HUP "$pid"
sleep 0.5
check "daemon-netns: a broken config on SIGHUP is reported with file:line, old one kept" \
	grep -q "c.conf:5: bad value 'sometimes' for rps" "$tmp/log"
check "daemon-netns: still running after the broken reload" kill -0 "$pid"

# A count the config pins is restored as well, and the log names the setting.
sed 's/^\[va\]$/[va]\nqueues = 1/' "$tmp/good.conf" >"$tmp/c.conf"
kill -HUP "$pid"
if ms=$(wait_for 10 is_rx va 1); then
	ok "daemon-netns: [va] queues = 1 applied on SIGHUP in ${ms} ms (ethtool -l)"
else
	fail "daemon-netns: [va] queues = 1: va at rx $(channels va) after SIGHUP"
fi
sleep 1.2 # past the echo window
in_ns ethtool -L va rx 2 tx 2
if ms=$(wait_for 10 is_rx va 1); then
	ok "daemon-netns: pinned va changed by hand restored to 1 in ${ms} ms (ethtool -l)"
else
	fail "daemon-netns: pinned va stayed at rx $(channels va) after ethtool -L"
fi
check "daemon-netns: the log names the pinned count" \
	grep -q 'va channels changed by someone else (now 2), restoring queues = 1 of .*c.conf' "$tmp/log"
# A pass opens files for a moment, a reload or a textfile write closes one for
# a moment: the count moves by one or two while idle. A leak grows with every
# flap: every look after the flaps above every look before.
fd_looks() {
	for _ in 1 2 3 4 5 6; do
		ls /proc/$pid/fd | wc -l
		sleep 0.3
	done
}
fds_before=$(fd_looks | sort -n | tail -1)
for i in $(seq 20); do in_ns ip link set va down; in_ns ip link set va up; done
sleep 1
fds_after=$(fd_looks | sort -n | head -1)
check "daemon-netns: no fd growth over 20 link flaps (at most $fds_before before, at least $fds_after after)" \
	test "$fds_after" -le "$fds_before"

# A veth the config does not name (a container's) is not ours: its channel
# change is neither undone nor logged.
in_ns ip link add vc numtxqueues 4 numrxqueues 4 type veth peer vd numtxqueues 4 numrxqueues 4
in_ns ethtool -L vc rx 3 tx 3
sleep 1
check "daemon-netns: an unconfigured veth's channels are left as set (rx $(channels vc))" is_rx vc 3
if grep -q 'vc channels changed' "$tmp/log"; then
	fail "daemon-netns: the log mentions the unconfigured veth: $(grep -m1 'vc channels changed' "$tmp/log")"
else
	ok "daemon-netns: the unconfigured veth's channel change is not logged"
fi

kill -TERM "$pid"
wait "$pid"
rc=$?
check "daemon-netns: SIGTERM exits 0 (got $rc)" test "$rc" -eq 0
[ $_failed -ne 0 ] && sed "s/^/  log: /" "$tmp/log"
finish
