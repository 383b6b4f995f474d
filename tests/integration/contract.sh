#!/usr/bin/env bash
# The user's contract, as a user sees it: exit statuses, options refused where
# they do not apply, one instance, privileges, and the way back (--revert),
# on a veth pair in a private network namespace. Values are read back with
# ethtool and sysfs, never from mqbalance itself.
. "$(dirname "$0")/../lib.sh"
need_root "contract"
need_tools contract ip ethtool setpriv timeout
make_netns || { fail "contract: cannot create a network namespace"; finish; }
tmp=$(mktemp -d)
trap 'kill "$dpid" 2>/dev/null; ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"' EXIT
dpid=

in_ns ip link add ca numtxqueues 4 numrxqueues 4 type veth peer cb numtxqueues 4 numrxqueues 4
in_ns ip link set ca up
in_ns ip link set cb up
in_ns ethtool -L ca rx 1 tx 1
printf '[ca]\n[cb]\n' >"$tmp/c.conf"
sysq=/sys/class/net/ca/queues

# run NAME WANT_STATUS GREP_STDERR command...: the status, and the message on stderr
run() {
	local name=$1 want=$2 grep=$3 rc
	shift 3
	"$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ "$rc" = "$want" ] && { [ -z "$grep" ] || grep -q -- "$grep" "$tmp/err"; }; then
		ok "contract: $name (exit $rc)"
	else
		sed 's/^/#   /' "$tmp/err" | head -5
		fail "contract: $name: exit $rc, want $want${grep:+ and stderr with '$grep'}"
	fi
}

# --- exit statuses --------------------------------------------------------------------
run "--report exits 0 with a pending change" 0 "" in_ns "$MQ" --report --interval 0 --config "$tmp/c.conf" ca
run "--check exits 1 with a pending change" 1 "" in_ns "$MQ" --check --interval 0 --config "$tmp/c.conf" ca
run "--check --json exits 1 too" 1 "" in_ns "$MQ" --check --json --interval 0 --config "$tmp/c.conf" ca
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); sys.exit(0 if d["pending_changes"] > 0 else 1)' \
	"$tmp/out" && ok "contract: --check --json: pending_changes > 0" ||
	fail "contract: --check --json: pending_changes"
printf 'queues = lots\n' >"$tmp/bad.conf"
run "--check with a bad config exits 2" 2 "bad value" in_ns "$MQ" --check --config "$tmp/bad.conf" ca
run "--check with a FIFO as config exits 2 at once" 2 "not a regular file" \
	timeout 10 "$MQ" --check --config <(printf 'queues = 2\n') ca
run "--check on a missing interface exits 2" 2 "nosuch0: no such interface" in_ns "$MQ" --check nosuch0

# --- options refused where they do not apply ----------------------------------------------
run "--daemon --json refused" 2 "--json does not apply to --daemon" "$MQ" --daemon --json
run "--apply --interval refused" 2 "--interval does not apply to --apply" "$MQ" --apply --interval 5
run "--apply --prom-file refused" 2 "--prom-file does not apply to --apply" "$MQ" --apply --prom-file /tmp/x.prom
run "--interval nan refused" 2 "not a decimal number" "$MQ" --interval nan
run "--interval 0x10 refused" 2 "not a decimal number" "$MQ" --interval 0x10
run "--prom-file '' refused at once" 2 "empty path" "$MQ" --prom-file ''
run "--root with --apply refused" 2 "--root does not apply to --apply" "$MQ" --apply --root /tmp
run "MQBALANCE_ROOT with --daemon refused" 2 "MQBALANCE_ROOT does not apply" env MQBALANCE_ROOT=/tmp "$MQ" --daemon
run "--pretty without --json refused" 2 "--pretty goes with --json" "$MQ" --pretty

# --- privileges --------------------------------------------------------------------------
nocap="setpriv --reuid=65534 --regid=65534 --clear-groups --inh-caps=-all"
run "--apply without CAP_NET_ADMIN stops at once" 3 "needs CAP_NET_ADMIN" in_ns $nocap "$MQ" --apply ca
run "--daemon without CAP_NET_ADMIN stops at once" 3 "needs CAP_NET_ADMIN" in_ns $nocap "$MQ" --daemon
run "--report as nobody works" 0 "" in_ns $nocap "$MQ" --report --interval 0 ca
check "contract: --report as nobody says it read without privilege" grep -q "read-only (no CAP_NET_ADMIN)" "$tmp/out"
check "contract: channels still untouched (ethtool -l)" test "$(in_ns ethtool -l ca | awk '/^Current/ {c=1} c && /^RX:/ {print $2; exit}')" = 1

# --- inside a container: refused (the test's own netns and mount namespace) -----------------
run "--apply inside a container is refused" 3 "docker container (/run/systemd/container says so)" \
	in_ns unshare --mount sh -c 'mount -t tmpfs none /run/systemd && echo docker > /run/systemd/container &&
		exec "$0" --apply ca' "$MQ"
check "contract: ... and left the channels alone (ethtool -l)" test "$(in_ns ethtool -l ca | awk '/^Current/ {c=1} c && /^RX:/ {print $2; exit}')" = 1

# --- the way back: --apply records, --revert restores ---------------------------------------
in_ns sh -c "echo 2 > $sysq/rx-0/rps_cpus"
xps0=$(in_ns cat $sysq/tx-0/xps_cpus) rps0=$(in_ns cat $sysq/rx-0/rps_cpus)
run "--apply tunes" 0 "" in_ns "$MQ" --apply --config "$tmp/c.conf" ca
want=$(($(nproc) < 4 ? $(nproc) : 4))
check "contract: --apply set rx $want (ethtool -l)" test "$(in_ns ethtool -l ca | awk '/^Current/ {c=1} c && /^RX:/ {print $2; exit}')" = "$want"
check "contract: the state file records ca" grep -q '^nic ca ' "$MQBALANCE_STATE_DIR/state"
run "--report says since when ca is tuned" 0 "" in_ns "$MQ" --report --interval 0 --config "$tmp/c.conf" ca
check "contract: --report: 'tuned by mqbalance since'" grep -q "tuned by mqbalance since" "$tmp/out"
run "--check after --apply exits 0" 0 "" in_ns "$MQ" --check --interval 0 --config "$tmp/c.conf" ca
run "--revert ca" 0 "" in_ns "$MQ" --revert ca
check "contract: --revert: rx 1 tx 1 again (ethtool -l)" test \
	"$(in_ns ethtool -l ca | awk '/^Current/ {c=1} c && /^(RX|TX):/ {printf "%s ", $2} /^TX:/ && c {exit}')" = "1 1 "
check "contract: --revert: tx-0 xps_cpus $xps0 again (sysfs)" test "$(in_ns cat $sysq/tx-0/xps_cpus)" = "$xps0"
check "contract: --revert: rx-0 rps_cpus $rps0 again (sysfs)" test "$(in_ns cat $sysq/rx-0/rps_cpus)" = "$rps0"
check "contract: --revert forgot ca's record" test ! -e "$MQBALANCE_STATE_DIR/state"
run "a second --revert has nothing to do" 0 "" in_ns "$MQ" --revert ca
check "contract: ... and says so" grep -q "nothing to revert" "$tmp/out"

# --- one instance ------------------------------------------------------------------------
ip netns exec "$NS" "$MQ" --daemon --config "$tmp/c.conf" >"$tmp/daemon.log" 2>&1 &
dpid=$!
for _ in $(seq 100); do grep -q "^$dpid daemon" "$MQBALANCE_RUN_DIR/lock" 2>/dev/null && break; sleep 0.1; done
run "a second daemon exits 3 naming the first" 3 "pid $dpid" timeout 10 ip netns exec "$NS" "$MQ" --daemon --config "$tmp/c.conf"
run "--apply while the daemon runs is refused" 3 "mqbalance --daemon (pid $dpid) keeps the NICs tuned" \
	in_ns "$MQ" --apply --config "$tmp/c.conf" ca
run "--revert while the daemon runs is refused" 3 "stop it first" in_ns "$MQ" --revert ca
run "--dry-run while the daemon runs is fine" 0 "" in_ns "$MQ" --dry-run --config "$tmp/c.conf" ca
kill "$dpid"
wait "$dpid"
check "contract: the daemon exits 0 on SIGTERM" test $? = 0
finish
