# Sourced by run-guest.sh and systemd-guest.sh (host side).
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
