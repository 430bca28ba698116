# lib.sh — helpers for the alert integration tests (sourced).
#
# Each test gets a private directory $T (removed on exit unless KEEP=1),
# starts receivers with start_receiver, and cleans up every process it
# started by pid. Exit codes follow automake: 0 pass, 77 skip, 99 error.

set -u
: "${top_builddir:?}" "${top_srcdir:?}"
GEN="$top_builddir/tests/alerts/aw_alertgen"
RECEIVER="$top_srcdir/tests/alerts/receiver.py"
T=$(mktemp -d /tmp/aw-alerts-test.XXXXXX)
PIDS=""
CLEANUP_EXTRA=""

cleanup() {
	for p in $PIDS; do kill "$p" 2>/dev/null; done
	for p in $PIDS; do wait "$p" 2>/dev/null; done
	if [ -n "$CLEANUP_EXTRA" ]; then eval "$CLEANUP_EXTRA"; fi
	if [ "${KEEP:-0}" = 1 ]; then echo "kept $T"; else rm -rf "$T"; fi
}
trap cleanup EXIT
trap 'echo "interrupted or timed out" >&2; exit 99' INT TERM
# A watchdog, so that a hung test fails instead of hanging make check.
( sleep "${TEST_TIMEOUT:-300}"; kill -TERM $$ ) 2>/dev/null &
PIDS="$PIDS $!"

fail() { echo "FAIL: $*" >&2; exit 1; }
note() { echo "--- $*"; }

need() {
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 && continue
		if [ "${CI:-}" = true ]; then fail "$c is required"; fi
		echo "SKIP: $c not found"; exit 77
	done
}
need python3 sqlite3
[ -x "$GEN" ] || fail "$GEN not built (make check builds it)"

# A free TCP port on 127.0.0.1 (for a receiver started later).
free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# start_receiver NAME [receiver.py options...]: sets PORT_NAME.
start_receiver() {
	name=$1; shift
	rm -f "$T/$name.port"
	python3 "$RECEIVER" --log "$T/$name.log" --port-file "$T/$name.port" \
	    "$@" &
	eval "RPID_$name=$!"
	PIDS="$PIDS $!"
	i=0
	while [ ! -s "$T/$name.port" ]; do
		i=$((i + 1)); [ $i -gt 100 ] && fail "receiver $name did not start"
		sleep 0.05
	done
	eval "PORT_$name=$(cat "$T/$name.port")"
}

stop_receiver() {
	eval "p=\$RPID_$1"
	kill "$p" 2>/dev/null; wait "$p" 2>/dev/null
}

# wait_for SECONDS 'shell condition'
wait_for() {
	deadline=$(( $(date +%s) + $1 ))
	while ! eval "$2"; do
		[ "$(date +%s)" -ge "$deadline" ] && return 1
		sleep 0.1
	done
	return 0
}

# json FILE 'python expression over d' — read a stats file.
json() {
	python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"
}

lines() { [ -f "$1" ] && wc -l < "$1" || echo 0; }
