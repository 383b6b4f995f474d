#!/usr/bin/env bash
# A short libFuzzer run of every harness (make fuzz-short, bounded for CI:
# FUZZ_SECONDS each, two at a time). One "ok"/"not ok" line per harness.
source "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1

cc=${FUZZ_CC:-clang-14}
if ! command -v "$cc" >/dev/null; then
	skip "fuzz-short: $cc not installed (scripts/deps.sh test)"
	exit 0
fi
if ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
	"$cc" -x c -fsanitize=fuzzer -o /dev/null - 2>/dev/null; then
	skip "fuzz-short: $cc cannot link -fsanitize=fuzzer (libclang-rt-14-dev)"
	exit 0
fi
if make --no-print-directory FUZZ_CC="$cc" fuzz >/tmp/mq-fuzz-build.$$ 2>&1; then
	ok "make fuzz builds every harness"
else
	sed 's/^/#   /' /tmp/mq-fuzz-build.$$ | tail -20
	fail "make fuzz builds every harness"
fi
rm -f /tmp/mq-fuzz-build.$$
# Every harness in fuzz/ (15 today), 15 s each, two at a time: about 2 minutes.
FUZZ_SECONDS=${FUZZ_SECONDS:-15} FUZZ_JOBS=${FUZZ_JOBS:-2} fuzz/run.sh || _failed=1
finish
