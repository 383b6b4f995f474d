#!/usr/bin/env bash
# Run every harness in build/fuzz/ (make fuzz) for FUZZ_SECONDS each,
# FUZZ_JOBS at a time, from the seed corpora (fuzz/seeds.sh). Prints
# "ok - NAME: N execs" or "not ok - NAME ..." per harness (tests/lib.sh style)
# and exits non-zero if any harness crashed, leaked or timed out.
#   FUZZ_SECONDS=20 FUZZ_JOBS=2 fuzz/run.sh [NAME...]
# Before fuzzing, each harness runs the inputs of fuzz/regress.sh whole (inputs
# that once broke a parser's memory bounds), under the same -rss_limit_mb.
# Logs: build/fuzz/logs/NAME.log (FUZZ_LOGS=DIR); crashing inputs: build/fuzz/artifacts/NAME/.
set -u
cd "$(dirname "$0")/.."
secs=${FUZZ_SECONDS:-20}
jobs=${FUZZ_JOBS:-2}
bin=build/fuzz
corpus=$bin/corpus
logs=${FUZZ_LOGS:-$bin/logs}
fuzz/seeds.sh "$corpus" || exit 1
fuzz/regress.sh "$bin/regress" || exit 1
mkdir -p "$logs"

names=("$@")
if [ ${#names[@]} -eq 0 ]; then
	for f in fuzz/fuzz_*.c; do
		names+=("$(basename "$f" .c)")
	done
fi

one() {
	local n=$1 log=$logs/$1.log
	mkdir -p "$bin/artifacts/$n"
	# The inputs that once broke the bounds, whole (fuzzing cuts inputs at 1 MB).
	if [ -d "$bin/regress/$n" ]; then
		"$bin/$n" -timeout=10 -rss_limit_mb=1024 "$bin/regress/$n"/* >"$log" 2>&1 || return 1
	fi
	# -timeout: one input taking this long is a hang; LSan is on (ASan default).
	"$bin/$n" -max_total_time="$secs" -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$bin/artifacts/$n/" "$corpus/$n" >"$log" 2>&1
}

rc=0
pids=() running=()
report() { # report NAME STATUS
	local n=$1 st=$2 log=$logs/$1.log execs
	execs=$(sed -nE 's/^stat::number_of_executed_units: *([0-9]+)/\1/p' "$log" | tail -1)
	if [ "$st" -eq 0 ] && [ -n "$execs" ]; then
		echo "ok - fuzz $n: ${execs} execs in ${secs}s, corpus $(ls "$corpus/$n" | wc -l)"
	else
		echo "not ok - fuzz $n: exit $st (log $log, inputs in $bin/artifacts/$n/)"
		grep -m5 -E 'ERROR:|SUMMARY:|runtime error' "$log" | sed 's/^/#   /'
		rc=1
	fi
}
for n in "${names[@]}"; do
	if [ ! -x "$bin/$n" ]; then
		echo "not ok - fuzz $n: $bin/$n not built (make fuzz)"
		rc=1
		continue
	fi
	while [ ${#pids[@]} -ge "$jobs" ]; do
		wait "${pids[0]}"
		report "${running[0]}" $?
		pids=("${pids[@]:1}") running=("${running[@]:1}")
	done
	one "$n" &
	pids+=($!) running+=("$n")
done
for i in "${!pids[@]}"; do
	wait "${pids[$i]}"
	report "${running[$i]}" $?
done
exit $rc
