#!/usr/bin/env bash
# Prometheus export end to end: the textfile passes `promtool check metrics`,
# the alert rules pass their promtool unit tests, a real node_exporter (on
# loopback, textfile directory in a temp dir) serves the series with
# node_textfile_scrape_error 0, a full filesystem keeps the old file, and a
# reader hammering the file while it is rewritten never sees a partial one.
. "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1

BUILD=${BUILD:-build}
FIXTURE=$BUILD/tests/tools/prom-fixture
NODE_EXPORTER=${NODE_EXPORTER:-$(command -v prometheus-node-exporter || command -v node_exporter)}
tmp=$(mktemp -d /tmp/mq-prom-XXXXXX)
ne_pid=
cleanup() {
	if [ -n "$ne_pid" ]; then
		kill "$ne_pid" 2>/dev/null
		wait "$ne_pid" 2>/dev/null
	fi
	rm -rf "$tmp"
}
trap cleanup EXIT
tf=$tmp/textfile
mkdir -p "$tf"
prom=$tf/mqbalance.prom

if ! [ -x "$FIXTURE" ] && ! make -s --no-print-directory "$FIXTURE" >/dev/null; then
	fail "build $FIXTURE"
	finish
fi
have_promtool=1
command -v promtool >/dev/null || have_promtool=

# promtool check metrics prints nothing and exits 0 for a clean file.
lint() {
	local out
	out=$(promtool check metrics <"$1" 2>&1) && [ -z "$out" ] && return 0
	printf '%s\n' "$out" | head -5 >&2
	return 1
}

# ---- 1. the files we write pass promtool -------------------------------------
check "prom-fixture writes $prom" "$FIXTURE" "$prom"
check "textfile ends with a newline" test "$(tail -c1 "$prom" | od -An -c | tr -d ' ')" = '\n'
check "textfile mode is 0644" test "$(stat -c %a "$prom")" = 644
if [ -n "$have_promtool" ]; then
	check "promtool check metrics: fixture (all families)" lint "$prom"
else
	skip "promtool check metrics: promtool not installed (Debian package prometheus)"
fi

real=$tmp/real.prom
# Independent readings of this machine's counters (read only): sysfs device
# totals and /proc/interrupts, taken before and after mqbalance reads them.
read_counters() { # DIR
	mkdir -p "$1"
	cp /proc/interrupts "$1/interrupts"
	for d in /sys/class/net/*/statistics/rx_packets; do
		[ -r "$d" ] && cat "$d" >"$1/$(basename "$(dirname "$(dirname "$d")")").rx_packets"
	done
}
irq_sum() { # FILE IRQ
	awk -v n="$2:" '$1 == n { s = 0; for (i = 2; i <= NF && $i ~ /^[0-9]+$/; i++) s += $i; print s }' "$1"
}
between() { [ -n "$1" ] && [ -n "$2" ] && [ -n "$3" ] && [ "$1" -le "$2" ] && [ "$2" -le "$3" ]; }
if "$MQ" --help 2>&1 | grep -q -- '--prom-file'; then
	read_counters "$tmp/before"
	"$MQ" --report --interval 0 --prom-file "$real" >"$tmp/report.out" 2>&1
	rc=$?
	read_counters "$tmp/after"
	# exit status 1 = the report has warnings; the file is written all the same
	if [ $rc -le 1 ] && [ -s "$real" ]; then
		ok "mqbalance --report --prom-file writes a textfile of this machine (exit $rc)"
		if [ -n "$have_promtool" ]; then
			check "promtool check metrics: this machine" lint "$real"
		fi
		check "this machine: build_info present" grep -q '^mqbalance_build_info{' "$real"
		check "this machine: mqbalance_cpus_online matches getconf" \
			test "$(awk '/^mqbalance_cpus_online /{print $2}' "$real")" = "$(getconf _NPROCESSORS_ONLN)"
		check "this machine: textfile mode 0644" test "$(stat -c %a "$real")" = 644
		# Every queue IRQ counter lies between /proc/interrupts before and after.
		n=0 bad=0
		while read -r irq val; do
			n=$((n + 1))
			between "$(irq_sum "$tmp/before/interrupts" "$irq")" "$val" \
				"$(irq_sum "$tmp/after/interrupts" "$irq")" || { bad=$((bad + 1)); echo "# irq $irq: $val" >&2; }
		done < <(sed -nE 's/^mqbalance_irq_interrupts_total\{.*irq="([0-9]+)".*\} ([0-9]+)$/\1 \2/p' "$real")
		if [ $n -gt 0 ]; then
			check "this machine: $n IRQ counters match /proc/interrupts" test $bad = 0
		else
			skip "this machine: no NIC IRQs to compare"
		fi
		# virtio_net with qstats: the queues' RX packets add up to the device's.
		n=0 bad=0
		for dev in $(sed -nE 's/^mqbalance_device_info\{device="([^"]+)",driver="virtio_net",.*stats_source="qstats".*/\1/p' "$real"); do
			n=$((n + 1))
			sum=$(awk -v d="device=\"$dev\"," 'index($0, "mqbalance_queue_receive_packets_total{" d) == 1 { s += $2 } END { print s + 0 }' "$real")
			between "$(cat "$tmp/before/$dev.rx_packets")" "$sum" "$(cat "$tmp/after/$dev.rx_packets")" ||
				{ bad=$((bad + 1)); echo "# $dev: queues sum $sum" >&2; }
		done
		if [ $n -gt 0 ]; then
			check "this machine: per-queue RX packets of $n virtio NIC(s) add up to sysfs rx_packets" test $bad = 0
		else
			skip "this machine: no virtio_net NIC with qstats to compare per-queue counters"
		fi
	else
		fail "mqbalance --report --prom-file: exit $rc"
		tail -5 "$tmp/report.out"
	fi
else
	skip "textfile of this machine: $MQ has no --prom-file yet (fixture used instead)"
fi

# ---- 2. alert rules -------------------------------------------------------
if [ -n "$have_promtool" ]; then
	check "promtool check rules prometheus/alerts.yml" promtool check rules prometheus/alerts.yml
	check "promtool test rules prometheus/alerts_test.yml" promtool test rules prometheus/alerts_test.yml
else
	skip "alert rules: promtool not installed"
fi

# ---- 3. a real node_exporter on loopback ------------------------------------
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
scrape() { curl -fsS --max-time 5 "http://127.0.0.1:$port/metrics"; }
# query EXPR: the JSON answer of an instant query.
query() { curl -fsS --max-time 5 "http://127.0.0.1:$pport/api/v1/query" --data-urlencode "query=$1"; }
# A Prometheus server on loopback scraping node_exporter every second, with
# our alert rules: every queue can be graphed, the rules load, and every
# dashboard query parses and returns data.
prometheus_server() {
	local ne_port=$1 p_pid n want expr bad=0 nq=0
	if ! command -v prometheus >/dev/null || ! command -v jq >/dev/null; then
		skip "prometheus server: prometheus or jq not installed"
		return
	fi
	pport=$(free_port)
	mkdir -p "$tmp/prom-data"
	cp prometheus/alerts.yml "$tmp/alerts.yml"
	cat >"$tmp/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
rule_files: [$tmp/alerts.yml]
scrape_configs:
  - job_name: node
    static_configs: [{targets: ["127.0.0.1:$ne_port"]}]
EOF
	prometheus --config.file="$tmp/prometheus.yml" --storage.tsdb.path="$tmp/prom-data" \
		--web.listen-address="127.0.0.1:$pport" >"$tmp/prometheus.log" 2>&1 &
	p_pid=$!
	want=$(grep -c '^mqbalance_queue_receive_packets_total{' "$prom")
	for _ in $(seq 150); do
		n=$(query 'count(mqbalance_queue_receive_packets_total)' 2>/dev/null |
			jq -r '.data.result[0].value[1] // 0' 2>/dev/null)
		[ "${n:-0}" = "$want" ] && break
		sleep 0.2
	done
	check "prometheus server graphs every queue ($n of $want RX queue series)" test "${n:-0}" = "$want"
	check "prometheus loads the alert rules" test "$(curl -fsS --max-time 5 \
		"http://127.0.0.1:$pport/api/v1/rules" | jq '[.data.groups[].rules[] | select(.health != "err")] | length')" = \
		"$(grep -c -- '- alert:' prometheus/alerts.yml)"
	# Rewrite the file a few times so rate() has points, then run every dashboard query.
	for i in $(seq 2 6); do
		"$FIXTURE" "$prom" "$i" && sleep 1.2
	done
	while IFS= read -r expr; do
		expr=${expr//\$__rate_interval/30s}
		expr=${expr//\$instance/.*}
		expr=${expr//\$device/.*}
		nq=$((nq + 1))
		if [ "$(query "$expr" | jq -r '.status + " " + (.data.result | length | tostring)')" = "success 0" ] ||
			! query "$expr" >/dev/null; then
			echo "# no data or error: $expr" >&2
			bad=$((bad + 1))
		fi
	done < <(jq -r '.panels[].targets[].expr' prometheus/grafana-dashboard.json)
	check "all $nq dashboard queries run and return data" test "$nq" -gt 0 -a "$bad" = 0
	kill "$p_pid" 2>/dev/null
	wait "$p_pid" 2>/dev/null
}
if [ -z "$NODE_EXPORTER" ] || ! command -v curl >/dev/null; then
	skip "node_exporter scrape: prometheus-node-exporter or curl not installed"
else
	port=$(free_port)
	"$NODE_EXPORTER" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
		--collector.textfile --collector.textfile.directory="$tf" >"$tmp/ne.log" 2>&1 &
	ne_pid=$!
	for _ in $(seq 50); do
		scrape >/dev/null 2>&1 && break
		sleep 0.1
	done
	if scrape >"$tmp/scrape" 2>/dev/null; then
		ok "node_exporter serves 127.0.0.1:$port"
		check "node_textfile_scrape_error 0" grep -qx 'node_textfile_scrape_error 0' "$tmp/scrape"
		check "scrape has mqbalance_build_info" grep -q '^mqbalance_build_info{' "$tmp/scrape"
		want=$(grep -c '^mqbalance_' "$prom")
		got=$(grep -c '^mqbalance_' "$tmp/scrape")
		check "every mqbalance series arrives ($got of $want)" test "$got" = "$want"
		check "per-queue counters arrive with device and queue labels" \
			grep -q '^mqbalance_queue_receive_packets_total{device="fx0",queue="15"} ' "$tmp/scrape"
		check "node_textfile_mtime_seconds covers mqbalance.prom" \
			grep -q '^node_textfile_mtime_seconds{file="[^"]*mqbalance.prom"}' "$tmp/scrape"
		# Control: the check above can fail. A file without its final newline is dropped.
		printf 'mqbalance_control 1' >"$tf/zz-control.prom"
		scrape >"$tmp/scrape2" 2>/dev/null
		check "control: a file without final newline gives node_textfile_scrape_error 1" \
			grep -qx 'node_textfile_scrape_error 1' "$tmp/scrape2"
		rm -f "$tf/zz-control.prom"
		prometheus_server "$port"
	else
		fail "node_exporter did not answer on 127.0.0.1:$port"
		tail -5 "$tmp/ne.log"
	fi
	kill "$ne_pid" 2>/dev/null
	wait "$ne_pid" 2>/dev/null
	ne_pid=
fi

# ---- 4. a full filesystem keeps the old file -------------------------------
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	mkdir -p "$tmp/full"
	# A private mount namespace: the 8 KiB tmpfs is invisible to everyone else.
	out=$(unshare -m --propagation private bash -c '
		set -u
		d=$1 fixture=$2
		mount -t tmpfs -o size=8k tmpfs "$d" || exit 77
		printf "mqbalance_old 1\n" >"$d/mqbalance.prom"
		head -c 1M /dev/zero >"$d/filler" 2>/dev/null
		if "$fixture" "$d/mqbalance.prom" 2>"$d/../err"; then echo "write succeeded"; exit 1; fi
		grep -q "No space left on device" "$d/../err" || { cat "$d/../err"; exit 1; }
		grep -q "$d/" "$d/../err" || { cat "$d/../err"; exit 1; }
		[ "$(cat "$d/mqbalance.prom")" = "mqbalance_old 1" ] || { echo "old file changed"; exit 1; }
		[ "$(ls -A "$d" | wc -l)" = 2 ] || { ls -A "$d"; exit 1; }
		mount -o remount,ro "$d" || exit 77
		rm -f "$d/../err"
		if "$fixture" "$d/mqbalance.prom" 2>"$d/../err"; then echo "write succeeded"; exit 1; fi
		grep -q "Read-only file system" "$d/../err" || { cat "$d/../err"; exit 1; }
		[ "$(cat "$d/mqbalance.prom")" = "mqbalance_old 1" ] || exit 1
	' _ "$tmp/full" "$PWD/$FIXTURE" 2>&1 </dev/null; echo "rc=$?") || true
	case "$out" in
	*rc=0) ok "full and read-only tmpfs: error with path and reason, old file kept, no temp file" ;;
	*rc=77) skip "full tmpfs: cannot mount tmpfs in a private mount namespace" ;;
	*) fail "full and read-only tmpfs: $out" ;;
	esac
else
	skip "full tmpfs: needs root and unshare"
fi

# ---- 5. atomicity: a reader hammering the file while it is rewritten --------
# reader.py PATH LINES SAMPLEDIR: reads until the writer is gone (bounded),
# every read must be a whole file; keeps a few reads for promtool.
cat >"$tmp/reader.py" <<'EOF'
import os, sys, time
path, lines, sampledir, writer = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
reads = bad = 0
deadline = time.monotonic() + 60
def alive(pid):
    # a zombie (exited, not yet reaped) is gone as far as we care
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return False
while time.monotonic() < deadline and reads < 200000:
    running = alive(writer)
    with open(path, "rb") as f:
        data = f.read()
    reads += 1
    ok = (data.endswith(b"\n") and data.count(b"\n") == lines
          and b"\nmqbalance_build_info{" in data and b"\nmqbalance_drift_corrections_total " in data)
    if not ok:
        bad += 1
        if bad <= 3:
            open(os.path.join(sampledir, f"bad{bad}.prom"), "wb").write(data)
    elif reads % 500 == 1:
        open(os.path.join(sampledir, f"ok{reads}.prom"), "wb").write(data)
    if not running:
        break
print(reads, bad)
EOF
atom() {
	# atom WRITER-COMMAND...: run the writer, hammer the file, print "reads bad"
	"$@" &
	local wpid=$!
	python3 "$tmp/reader.py" "$prom" "$lines" "$tmp/samples" "$wpid"
	wait "$wpid"
}
if command -v python3 >/dev/null; then
	mkdir -p "$tmp/samples"
	"$FIXTURE" "$prom"
	lines=$(wc -l <"$prom")
	read -r reads bad < <(atom "$FIXTURE" "$prom" 1500)
	check "atomic rewrites: $reads reads during 1500 rewrites, none partial ($bad bad)" \
		test "${reads:-0}" -gt 100 -a "${bad:-1}" = 0
	if [ -n "$have_promtool" ]; then
		n=0 badlint=0
		for f in "$tmp"/samples/ok*.prom; do
			[ -e "$f" ] || continue
			n=$((n + 1))
			lint "$f" || badlint=$((badlint + 1))
		done
		check "promtool check metrics on $n files read mid-rewrite" test "$n" -gt 0 -a "$badlint" = 0
	fi
	# Control: an in-place writer (truncate, write in two parts) is caught by the same reader.
	rm -f "$tmp"/samples/*
	naive() {
		local i half
		half=$(head -c 4000 "$prom.orig")
		for i in $(seq 300); do
			{ printf '%s' "$half"; sleep 0.002; tail -c +4001 "$prom.orig"; } >"$prom"
		done
	}
	cp "$prom" "$prom.orig"
	read -r reads bad < <(atom naive)
	check "control: an in-place writer is caught ($bad of $reads reads partial)" test "${bad:-0}" -gt 0
	rm -f "$prom.orig"
else
	skip "atomicity: python3 not installed"
fi

# Per-queue counters under real multi-queue traffic: tests/guest/scenarios/prom.sh.
finish
