#!/usr/bin/env bash
# The layers stay as docs/hacking.md "Source layout" draws them: core/ (data model and
# pure decisions) includes only core/ and makes no system calls; probes/
# reads into core types; output/ renders core types; neither includes agent/.
# Checked on the sources and on the built objects (nm).
source "$(dirname "$0")/../lib.sh"
cd "$MQ_ROOT_DIR" || exit 1
B=${BUILD:-build}

# includes of "dir/x.h" that name a layer the directory may not use
bad_includes() {
	local dir=$1 allowed=$2
	grep -HnE '^#include "' "$dir"/*.[ch] | grep -vE "#include \"($allowed)/"
}
for rule in "core:core" "probes:core|probes" "output:core|output" "agent:core|probes|output|agent"; do
	dir=${rule%%:*} allowed=${rule#*:}
	out=$(bad_includes "$dir" "$allowed")
	if [ -z "$out" ]; then
		ok "layers: $dir/ includes only $allowed"
	else
		sed 's/^/#   /' <<<"$out"
		fail "layers: $dir/ includes only $allowed"
	fi
done

# core/ objects call nothing but pure libc and core itself: no I/O, no clock, no sockets.
pure='^(malloc|calloc|realloc|free|mem(cpy|move|set|cmp|chr)|str(len|nlen|cmp|ncmp|chr|rchr|str|casecmp|ncasecmp|casestr|cspn|spn|error|tod|tol|toul|toull|dup|ndup)|v?snprintf|qsort|bsearch|fnmatch|abort|__assert_fail|__popcountdi2|__ctype_b_loc|__errno_location|__stack_chk_fail|__(v?snprintf|memcpy|memset|strcpy)_chk)$'
if ls "$B"/core/*.o >/dev/null 2>&1; then
	own=$(nm --defined-only "$B"/core/*.o | awk 'NF == 3 && $2 ~ /[TDRB]/ {print $3}' | sort -u)
	calls=$(nm -u "$B"/core/*.o | awk 'NF == 2 {print $2}' | sort -u)
	foreign=$(comm -23 <(echo "$calls") <(echo "$own") | grep -vE "$pure")
	check "layers: core/ makes no system calls${foreign:+ (calls: $(echo $foreign))}" test -z "$foreign"
elif [ "${CI:-}" = true ]; then
	fail "layers: $B/core/*.o not built"
else
	skip "layers: core objects: $B/core/*.o not built (make)"
fi

# No file-scope mutable state: every handler gets its context. Two exceptions,
# set once at start: the log level (agent/log.c) and the root prefix for
# /proc and /sys (probes/sysfs.c).
if ls "$B"/agent/*.o >/dev/null 2>&1; then
	state=$(for o in "$B"/core/*.o "$B"/probes/*.o "$B"/output/*.o "$B"/agent/*.o; do
		objdump -t "$o" | awk -v f="${o#"$B"/}" '$0 ~ / \.(data|bss)[ \t]/ && $NF !~ /^\./ {print f ":" $NF}'
	done | grep -vxE 'agent/log\.o:(max_level|journal)|probes/sysfs\.o:root')
	check "layers: no file-scope mutable state beyond the log level and the root prefix${state:+ ($(echo $state))}" \
		test -z "$state"
else
	skip "layers: file-scope state: $B/agent/*.o not built (make)"
fi
finish
