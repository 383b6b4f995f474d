# Host-side helpers, sourced by run-guest.sh, systemd-guest.sh and mkinitramfs.sh.
# run_qemu INTERACTIVE TIMEOUT OUTFILE CMD...: run the qemu command line CMD,
# in the background with its output in OUTFILE unless INTERACTIVE is 1, and
# kill it after TIMEOUT seconds. Sets rc (its exit status, or "timeout") and
# secs; qpid holds its pid while it runs, for the caller's cleanup trap.
run_qemu() {
	local interactive=$1 timeout=$2 out=$3 start
	shift 3
	start=$(date +%s)
	rc=0
	if [ "$interactive" = 1 ]; then
		"$@" || rc=$?
	else
		"$@" </dev/null >"$out" 2>&1 &
		qpid=$!
	fi
	while [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; do
		if [ $(($(date +%s) - start)) -ge "$timeout" ]; then
			kill -9 "$qpid" 2>/dev/null
			wait "$qpid" 2>/dev/null || true
			qpid=
			rc=timeout
			break
		fi
		sleep 0.5
	done
	if [ -n "$qpid" ]; then
		wait "$qpid" || rc=$?
		qpid=
	fi
	secs=$(($(date +%s) - start))
}

# boot_guest INTERACTIVE TIMEOUT OUTFILE CMD...: run_qemu, and once more when
# the guest kernel died of qemu's TCG emulation, not of anything under test:
# a panic before any check ran (seen: 6.12 in run_timer_softirq at 1.2 s),
# or, at any point, a panic from an "int3" oops: a breakpoint the kernel put
# in its own text while live patching it (static keys, text_poke_bp), still
# seen by another vCPU after the patch was done, which multi-threaded TCG's
# handling of cross-modifying code allows (on 6.12 about once a CI run,
# mostly in boot at 1.4-2.0 s, once at 7.4 s in inet_ehashfn,
# net_get_random_once's static key, receiving a TCP packet). Said on
# stderr, the first console log kept as $log.panic; any other panic after
# the first check is the test's result.
boot_guest() {
	local why
	run_qemu "$@"
	[ "$1" != 1 ] && [ "$rc" != timeout ] || return 0
	grep -q 'Kernel panic' "$log" 2>/dev/null || return 0
	if grep -qE 'int3: [0-9a-f]{4} \[#[0-9]+\]' "$log"; then
		why="on an int3 oops (qemu TCG: a live-patching breakpoint seen after the patch)"
	elif ! tr -d '\r' <"$tmp/tap" | grep -qE '^(ok|not ok|skip) - '; then
		why="before any check ran (qemu TCG)"
	else
		return 0
	fi
	echo "# [$label] the guest kernel panicked $why; log $log.panic: booting it again, once" >&2
	cp "$log" "$log.panic"
	: >"$tmp/tap"
	run_qemu "$@"
}

# guest_verdict WHAT LINES: after run_qemu, read the guest's results
# ($tmp/tap) into end (the MQ-END status) and nfail ("not ok" lines), and
# exit 1 with a "not ok" line (the caller's say) when the guest timed out,
# stopped before MQ-END, or WHAT exited non-zero without a "not ok" of its
# own; the last LINES of $log go to stderr.
guest_verdict() {
	local what=$1 lines=$2
	end=$(tr -d '\r' <"$tmp/tap" | sed -nE 's/^MQ-END rc=([0-9]+).*/\1/p' | tail -n1)
	nfail=$(tr -d '\r' <"$tmp/tap" | grep -c '^not ok - ' || true)
	if [ "$rc" = timeout ]; then
		say "not ok" "timed out after ${timeout}s (log: $log)"
		tail -n "$lines" "$log" | sed 's/^/#   /' >&2
		exit 1
	fi
	if [ -z "$end" ]; then
		say "not ok" "guest stopped without finishing the $what (qemu status $rc; log: $log)"
		sed 's/^/#   qemu: /' "$tmp/qemu.out" >&2
		tail -n "$lines" "$log" | sed 's/^/#   /' >&2
		exit 1
	fi
	if [ "$end" != 0 ] && [ "$nfail" = 0 ]; then
		say "not ok" "$what exited with status $end (log: $log)"
		exit 1
	fi
}

# stage_modules KDIR KVER STAGE MODULE...: copy the modules and their
# dependencies from the extracted kernel package KDIR into STAGE's
# /lib/modules/KVER, decompressed (busybox insmod may lack xz), depmod them,
# and write STAGE/etc/mq-modules: the ones /init loads, in order (built-in
# ones left out: busybox modprobe does not know modules.builtin).
stage_modules() {
	local kdir=$1 kver=$2 stage=$3 mdst ko rel dst m
	shift 3
	mdst=$stage/lib/modules/$kver
	mkdir -p "$mdst"
	modprobe -d "$kdir" -S "$kver" --show-depends -a "$@" |
		awk '$1 == "insmod" {print $2}' | sort -u | while read -r ko; do
		rel=${ko#"$kdir/lib/modules/$kver/"}
		dst=$mdst/${rel%.xz}
		mkdir -p "$(dirname "$dst")"
		case $ko in
		*.xz) xz -dc "$ko" >"$dst" ;;
		*.zst) zstd -qdc "$ko" >"$dst" ;;
		*) cp "$ko" "$dst" ;;
		esac
	done
	cp "$kdir/lib/modules/$kver/"modules.{builtin,builtin.modinfo,order} "$mdst/" 2>/dev/null || true
	depmod -b "$stage" "$kver"
	for m in "$@"; do
		modprobe -d "$kdir" -S "$kver" --show-depends "$m" 2>/dev/null | tail -n1 |
			grep -q '^builtin' || echo "$m"
	done >"$stage/etc/mq-modules"
}
