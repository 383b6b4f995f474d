#!/usr/bin/env bash
# Static analysis: cppcheck over the product code (false positives live in
# tests/cppcheck.supp), the clang static analyzer (scan-build) over the
# program, and a clang -Werror build with the STYLE.md warnings.
source "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1

if command -v cppcheck >/dev/null; then
	out=$(cppcheck --enable=warning,portability,performance --std=c11 -D_GNU_SOURCE -I. \
		--inline-suppr --suppressions-list=tests/cppcheck.supp --error-exitcode=1 -q -j2 \
		core agent probes output 2>&1)
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "cppcheck core/ agent/ probes/ output/ is clean"
	else
		sed 's/^/#   /' <<<"$out" | head -40
		fail "cppcheck core/ agent/ probes/ output/ is clean (exit $rc)"
	fi
else
	skip "cppcheck: not installed (scripts/deps.sh test)"
fi

# A fresh build directory, so that every file is analyzed. deadcode.DeadStores
# is off: `o += snprintf(...)` at the end of a chain is a dead store by design.
scan=$(command -v scan-build || command -v scan-build-14)
if [ -n "$scan" ] && command -v clang >/dev/null; then
	rm -rf build/scan
	log=$(mktemp)
	"$scan" --status-bugs -o build/scan/report --use-cc="$(command -v clang)" \
		-disable-checker deadcode.DeadStores \
		make --no-print-directory -j2 BUILD=build/scan BIN=build/scan/mqbalance all >"$log" 2>&1
	rc=$?
	if [ $rc -eq 0 ]; then
		ok "scan-build (clang static analyzer) finds nothing in the program"
	else
		grep -E 'warning:|error:|bugs? found|scan-view' "$log" | head -40 | sed 's/^/#   /'
		fail "scan-build (clang static analyzer) finds nothing in the program (exit $rc)"
	fi
	rm -f "$log"
else
	skip "scan-build: clang-tools not installed (scripts/deps.sh test)"
fi

if command -v clang >/dev/null; then
	log=$(mktemp)
	if make --no-print-directory CC=clang CI=true BUILD=build/clang BIN=build/clang/mqbalance \
		all tests >"$log" 2>&1; then
		ok "clang -Werror build (program and unit tests)"
		# The same unit tests, compiled by the other compiler.
		if tests/run --unit build/clang >"$log" 2>&1; then
			ok "unit tests of the clang build: $(tail -1 "$log")"
		else
			grep -E 'FAILED|not ok' "$log" | head -20 | sed 's/^/#   /'
			fail "unit tests of the clang build: $(tail -1 "$log")"
		fi
	else
		grep -E 'error|warning' "$log" | head -30 | sed 's/^/#   /'
		fail "clang -Werror build (program and unit tests)"
	fi
	rm -f "$log"
else
	skip "clang build: clang not installed"
fi
finish
