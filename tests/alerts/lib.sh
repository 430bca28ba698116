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
# Killing it also ends its sleep (no stray sleeps once the test is over).
( trap 'kill $s 2>/dev/null; exit 0' TERM
  sleep "${TEST_TIMEOUT:-300}" & s=$!
  wait $s && kill -TERM $$ ) 2>/dev/null &
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

# devlog_run SOCK CMD...: run CMD with the unix socket SOCK standing in
# for /dev/log, bind-mounted over it in a private mount namespace, so that
# neither the host's logging nor another test's messages mix with this
# test's. When the host has no /dev/log, an empty file is made for the
# mount point (other processes' syslog(3) then fails to connect, as it
# did without it) and removed afterwards; a lock keeps two tests from
# sharing or removing it under each other.
devlog_run() {
	_sock=$1; shift
	command -v unshare >/dev/null && command -v flock >/dev/null ||
	    fail "needs unshare and flock to stand in for /dev/log"
	(
		flock 8 || exit 99
		made=
		if [ ! -e /dev/log ] && [ ! -L /dev/log ]; then
			: > /dev/log && made=1
		fi
		unshare -m sh -c 'mount --bind "$1" /dev/log && shift &&
		    exec "$@"' _ "$_sock" "$@"
		rc=$?
		[ -n "$made" ] && [ -f /dev/log ] && [ ! -s /dev/log ] &&
		    rm -f /dev/log
		exit $rc
	) 8> /run/lock/auditwatch-test-devlog.lock
}

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
