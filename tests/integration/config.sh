#!/usr/bin/env bash
# The configuration through the real binary: what is refused at once (a FIFO,
# a directory, a device, a bad value: exit 2, the path named), what only warns
# (an unknown key), drop-ins read in C-locale order over the main file, and a
# section that matches nothing reported as a finding. --report only reads; the
# section matching by name, glob and driver runs on a veth pair in a private
# namespace (root). Exit status 2 is asserted only for configuration errors:
# the report's own status depends on the machine's findings.
. "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1
need_tools config python3 timeout mkfifo
[ -x "$MQ" ] || make --no-print-directory all >/dev/null || { fail "config: build"; finish; }

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# report CONF [ARGS...]: runs a report; sets rc, out and err ($tmp/out, $tmp/err).
report() {
	local conf=$1
	shift
	timeout 5 "$MQ" --report --interval 0 --config "$conf" "$@" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	out=$(cat "$tmp/out")
	err=$(cat "$tmp/err")
}
# refused NAME CONF WORDS: exit 2 within the timeout, WORDS on stderr.
refused() {
	report "$2"
	if [ "$rc" = 2 ] && grep -qF -- "$3" "$tmp/err"; then
		ok "config: $1 refused at once (exit 2: $err)"
	else
		fail "config: $1: exit $rc (124 = hung), stderr: $err"
	fi
}

mkfifo "$tmp/fifo.conf"
refused "a FIFO as --config" "$tmp/fifo.conf" "$tmp/fifo.conf: is a FIFO, not a regular file"
refused "a directory as --config" "$tmp" "$tmp: is a directory, not a regular file"
refused "/dev/null as --config" /dev/null "/dev/null: is a character device, not a regular file"
refused "a missing --config" "$tmp/none.conf" "$tmp/none.conf: No such file or directory"
printf '# x\nqueues = lots\n' >"$tmp/bad.conf"
refused "a bad value" "$tmp/bad.conf" \
	"$tmp/bad.conf:2: bad value 'lots' for queues: expected auto, max or a number 1..4096"
printf 'queues = 1\nqueues = 2\n' >"$tmp/dup.conf"
refused "a repeated key" "$tmp/dup.conf" "$tmp/dup.conf:2: duplicate key 'queues' (first on line 1)"
printf 'queues = 2\n' >"$tmp/f.conf"
mkdir "$tmp/f.conf.d"
mkfifo "$tmp/f.conf.d/10-fifo.conf"
refused "a FIFO among the drop-ins" "$tmp/f.conf" "$tmp/f.conf.d/10-fifo.conf: is a FIFO"

# An unknown key: a warning with file:line, and the report runs.
printf 'queues = auto\n[eth0]\nfuture_key = 1\n' >"$tmp/warn.conf"
report "$tmp/warn.conf" --json
if [ "$rc" != 2 ] && [ "$rc" != 3 ] && grep -qF "$tmp/warn.conf:3: unknown key 'future_key', ignored" "$tmp/err" &&
	python3 -c 'import json,sys; json.load(open(sys.argv[1]))' "$tmp/out"; then
	ok "config: an unknown key warns with file:line and the report runs (exit $rc)"
else
	fail "config: unknown key: exit $rc, stderr: $err"
fi

# Drop-ins over the main file, in C-locale order (10-a, B, a; en_US would sort a before B).
printf 'banned_cpus = 0\n' >"$tmp/main.conf"
mkdir "$tmp/main.conf.d"
printf 'banned_cpus = 1\n' >"$tmp/main.conf.d/10-a.conf"
printf 'banned_cpus = 2\nnewer = yes\n' >"$tmp/main.conf.d/B.conf"
printf 'banned_cpus = 3\n' >"$tmp/main.conf.d/a.conf"
printf 'banned_cpus = x\n' >"$tmp/main.conf.d/a.conf.dpkg-old"
LC_ALL=en_US.UTF-8 report "$tmp/main.conf" --json
banned=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpus"]["banned"])' "$tmp/out" 2>&1)
check "config: the last drop-in in C order wins (cpus.banned $banned, want [3])" test "$banned" = "[3]"
check "config: a drop-in's warning names the drop-in" grep -qF "$tmp/main.conf.d/B.conf:2: unknown key 'newer'" "$tmp/err"
rm "$tmp/main.conf.d/a.conf"
report "$tmp/main.conf" --json
banned=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["cpus"]["banned"])' "$tmp/out" 2>&1)
check "config: without it the one before wins (cpus.banned $banned, want [2])" test "$banned" = "[2]"

# Sections that match nothing here: info findings naming the section and file:line.
printf 'queues = auto\n\n[mqnosuch0]\n[driver=mq_no_drv]\nqueues = 2\n' >"$tmp/u.conf"
report "$tmp/u.conf" --json
got=$(python3 - "$tmp/out" <<'EOF'
import json, sys
r = json.load(open(sys.argv[1]))
for f in r["findings"]:
    if f["code"] == "config_unmatched":
        print(f["severity"], f["fix_kind"], f["message"])
EOF
)
if grep -qxF "info admin section [mqnosuch0] ($tmp/u.conf:3) matches no interface on this machine" <<<"$got" &&
	grep -qxF "info admin section [driver=mq_no_drv] ($tmp/u.conf:4) matches no interface on this machine" <<<"$got"; then
	ok "config: unmatched sections are info findings with file:line"
else
	fail "config: unmatched sections: exit $rc, findings: $got, stderr: $err"
fi
report "$tmp/u.conf"
# The text report wraps long lines at spaces (a long TMPDIR makes this one wrap): joined again.
check "config: and in the text report" grep -qF "section [mqnosuch0] ($tmp/u.conf:3) matches no interface" \
	<(tr -s ' \n' '  ' <"$tmp/out")

# ---- matching by name, glob and driver, on a veth pair (root) ----------------
if [ "$(id -u)" != 0 ] || ! command -v ip >/dev/null; then
	skip "config: section matching on veth: needs root and ip (network namespaces)"
	finish
fi
make_netns || { fail "config: create namespace"; finish; }
trap 'ip netns del "$NS" 2>/dev/null; rm -rf "$tmp"' EXIT
if ! in_ns ip link add mqc0 numtxqueues 4 numrxqueues 4 type veth peer name mqc1 \
	numtxqueues 4 numrxqueues 4; then
	skip "config: section matching on veth: cannot create a veth"
	finish
fi
printf '[driver=veth]\nqueues = 3\n[mqc1]\nqueues = 2\n' >"$tmp/v.conf"
mkdir "$tmp/v.conf.d"
printf '[mqc*]\nqueues = 1\n' >"$tmp/v.conf.d/50-glob.conf"
# wanted (before clamping) per interface, or "excluded"
wanted() {
	in_ns timeout 5 "$MQ" --report --interval 0 --json --all --config "$tmp/v.conf" 2>"$tmp/err" |
		python3 -c '
import json, sys
r = json.load(sys.stdin)
for i in sorted(r["interfaces"], key=lambda i: i["ifname"]):
    t = i["target"]
    w = "excluded" if t and t["hold"] == "excluded" else (t["queues_wanted"] if t else None)
    print("%s=%s" % (i["ifname"], w), end=" ")
codes = [f["message"] for f in r["findings"] if f["code"] == "config_unmatched"]
print("unmatched=%d" % len(codes))'
}
got=$(wanted)
check "config: [mqc1] over the drop-in's [mqc*] over [driver=veth] ($got)" \
	test "$got" = "mqc0=1 mqc1=2 unmatched=0"
rm "$tmp/v.conf.d/50-glob.conf"
got=$(wanted)
check "config: without the glob, [driver=veth] applies to mqc0 ($got)" \
	test "$got" = "mqc0=3 mqc1=2 unmatched=0"
printf '[mqc0]\nexclude = yes\n' >"$tmp/v.conf.d/60-excl.conf"
got=$(wanted)
check "config: a drop-in's [mqc0] excludes it ($got)" test "$got" = "mqc0=excluded mqc1=2 unmatched=0"
finish
