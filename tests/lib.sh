# Shared helpers for tests/integration/*.sh. Source it; use ok/fail/skip/check.
# Every check prints one line the runner counts: "ok - ...", "not ok - ...",
# "skip - ...: reason".
MQ_ROOT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MQ=${MQ:-$MQ_ROOT_DIR/mqbalance}
# The lock and the state file of this test run, never the machine's own
# /run/mqbalance and /var/lib/mqbalance (tests/run makes and removes them).
if [ -z "${MQBALANCE_RUN_DIR:-}" ]; then
	MQBALANCE_RUN_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mqbalance-run.XXXXXX")
	MQBALANCE_STATE_DIR=$MQBALANCE_RUN_DIR/state
	export MQBALANCE_RUN_DIR MQBALANCE_STATE_DIR
fi
_failed=0

ok() { echo "ok - $*"; }
fail() { echo "not ok - $*"; _failed=1; }
skip() { echo "skip - $*"; }
# check "description" command...  : ok if the command succeeds.
check() {
	local d=$1
	shift
	if "$@"; then ok "$d"; else fail "$d"; fi
}
# Exit with the right status at the end of a script.
finish() { exit $_failed; }
# Skip the whole script (with a reason) unless running as root.
need_root() {
	if [ "$(id -u)" != 0 ]; then
		skip "$1: needs root (network namespaces)"
		exit 0
	fi
}
# A private network namespace, deleted on exit. Sets NS.
make_netns() {
	NS=mqt-$$-$RANDOM
	ip netns add "$NS" || return 1
	trap 'ip netns del "$NS" 2>/dev/null' EXIT
	ip -n "$NS" link set lo up
}
in_ns() { ip netns exec "$NS" "$@"; }
# need_tools NAME TOOL...: skip the whole script (with what is missing) unless
# every tool is on PATH (a TOOL starting with / is a file that must exist,
# under /dev a character device).
need_tools() {
	local name=$1 t missing=
	shift
	for t in "$@"; do
		case $t in
		/dev/*) [ -c "$t" ] || missing="$missing $t" ;;
		/*) [ -e "$t" ] || missing="$missing $t" ;;
		*) command -v "$t" >/dev/null || missing="$missing $t" ;;
		esac
	done
	if [ -n "$missing" ]; then
		skip "$name: missing$missing (scripts/deps.sh test)"
		exit 0
	fi
}
# fetch_guest_kernels NAME: sets kernels ("series version dir" lines) from
# tests/guest/fetch-kernels.sh, or ends the script: a developer offline gets a
# skip, CI (CI=true) a failure, since it must really run the guests.
fetch_guest_kernels() {
	local name=$1 err="${TMPDIR:-/tmp}/mq-fetch.$$" why
	if ! kernels=$("$MQ_ROOT_DIR/tests/guest/fetch-kernels.sh" 2>"$err"); then
		why=$(tail -n1 "$err")
		rm -f "$err"
		if [ "${CI:-}" = true ]; then
			fail "$name: cannot fetch guest kernels: $why"
		else
			skip "$name: cannot fetch guest kernels: $why"
		fi
		finish
	fi
	rm -f "$err"
}
