#!/usr/bin/env bash
# Hostile interface names, made in a private network namespace (veth): an
# ANSI escape sequence, a C1 control, bytes that are not UTF-8, a quote and a
# backslash (the kernel refuses only '/', ':', whitespace and 0xa0). The
# report, the plan, the log and JSON carry no control byte and no invalid
# UTF-8 to the terminal; the textfile passes `promtool check metrics` and
# names each NIC as the report does.
. "$(dirname "$0")/../lib.sh"
need_root "netns-names"
need_tools netns-names ip promtool python3
cd "$MQ_ROOT_DIR" || exit 1
MQ=$MQ_ROOT_DIR/${MQ_BUILD:-.}/mqbalance
[ -x "$MQ" ] || MQ=$MQ_ROOT_DIR/mqbalance

make_netns || { fail "netns-names: create namespace"; finish; }
tmp=$(mktemp -d /tmp/mq-names-XXXXXX)
trap 'rm -rf "$tmp"; ip netns del "$NS" 2>/dev/null' EXIT

red=$'\e[31mred' ff=$'a\xff' c1=$'\xc2\x9bt' quote='b"\q'
if ! in_ns ip link add "$red" type veth peer name "$ff" ||
	! in_ns ip link add "$c1" type veth peer name "$quote"; then
	skip "netns-names: the kernel refused the names (no veth module?)"
	finish
fi

# Valid UTF-8, no control byte but newline, no DEL, no C1 (U+0080..U+009F).
clean() {
	python3 -c '
import sys
b = open(sys.argv[1], "rb").read()
try:
    t = b.decode("utf-8")
except UnicodeDecodeError as e:
    sys.exit("not UTF-8: %s" % e)
bad = [hex(ord(c)) for c in t if (ord(c) < 32 and c != "\n") or 127 <= ord(c) < 160]
sys.exit("control characters: %s" % bad[:5] if bad else 0)' "$1"
}

prom=$tmp/mq.prom
in_ns "$MQ" --report --all --interval 0 --prom-file "$prom" >"$tmp/report" 2>"$tmp/err"
check "netns-names: --report exits 0 (got $?)" test $? = 0
check "netns-names: the text report is clean UTF-8" clean "$tmp/report"
check "netns-names: the report shows the names escaped" \
	grep -qF -e '\x1b[31mred: veth' "$tmp/report"
check "netns-names: ... a byte that is not UTF-8 as \\xff" grep -qF -e 'a\xff: veth' "$tmp/report"
check "netns-names: ... a C1 control as \\xc2\\x9b, a backslash doubled" \
	sh -c "grep -qF -e '\\xc2\\x9bt: veth' '$tmp/report' && grep -qF -e 'b\"\\\\q: veth' '$tmp/report'"

out=$(promtool check metrics <"$prom" 2>&1)
rc=$?
check "netns-names: promtool check metrics passes (${out:-no complaint})" test $rc = 0 -a -z "$out"
check "netns-names: the textfile is clean UTF-8" clean "$prom"
# The label value is the name as the report shows it (one backslash, doubled by the format).
for want in 'device="\\x1b[31mred"' 'device="a\\xff"' 'device="\\xc2\\x9bt"' 'device="b\"\\q"'; do
	check "netns-names: textfile has $want" grep -qF -e "mqbalance_device_info{$want" "$prom"
done

in_ns "$MQ" --report --json --all --interval 0 >"$tmp/json" 2>>"$tmp/err"
check "netns-names: JSON is clean" clean "$tmp/json"
names=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(" ".join(ascii(i["ifname"]) for i in sorted(d["interfaces"], key=lambda i: i["ifname"])))' "$tmp/json")
check "netns-names: JSON names: the real ones, U+FFFD for the byte that is not UTF-8 ($names)" \
	test "$names" = "'\\x1b[31mred' 'a\\ufffd' 'b\"\\\\q' '\\x9bt'"

in_ns "$MQ" --dry-run "$red" "$ff" >"$tmp/plan" 2>>"$tmp/err"
check "netns-names: the plan is clean" clean "$tmp/plan"
check "netns-names: the plan shows the names escaped" grep -qF -e '\x1b[31mred channels' "$tmp/plan"

# The log: a name from the command line that does not exist, with an ESC in it.
in_ns "$MQ" --report $'zz\e[2J' 2>"$tmp/log" >/dev/null
check "netns-names: an unknown interface exits 2 (got $?)" test $? = 2
check "netns-names: the log line is clean" clean "$tmp/log"
check "netns-names: the log names it escaped" grep -qF -e 'zz\x1b[2J: no such interface' "$tmp/log"
check "netns-names: every log line so far is clean" clean "$tmp/err"
finish
