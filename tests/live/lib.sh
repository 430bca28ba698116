# lib.sh — sourced by tests/live/*.live (bash).
#
# Every live test changes the one kernel audit state of the machine, so:
# it snapshots that state first, and an EXIT trap stops whatever the test
# started and puts the state back (rules with the test's key deleted,
# enabled/rate_limit/backlog_limit/backlog_wait_time as found, a dead daemon pid
# cleared), on success and on failure alike. Kernel state is read with
# auditctl and with awctl.py (raw netlink in Python), never with
# auditwatch's own code.
#
# Tests fail (exit 1), or skip (77) when they cannot run, except with
# CI=true, where not being able to run is a failure too.

set -u

: "${AUDITWATCH:?set by make check}" "${top_srcdir:?}" "${top_builddir:?}"
AWCTL="python3 $top_srcdir/tests/live/awctl.py"
NLREADER="$top_builddir/tests/live/aw_nlreader"

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

cannot_run() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true, must not skip): $*" >&2
		exit 1
	fi
	echo "SKIP: $*" >&2
	exit 77
}

[ "$(id -u)" = 0 ] || cannot_run "needs root (CAP_AUDIT_CONTROL)"
command -v auditctl >/dev/null || cannot_run "needs auditctl (Debian package auditd)"
command -v python3 >/dev/null || cannot_run "needs python3"
[ -x "$AUDITWATCH" ] || cannot_run "no binary at $AUDITWATCH"
$AWCTL status >/dev/null 2>&1 || cannot_run "no kernel audit control here (AUDIT_GET failed)"

TMP=$(mktemp -d /tmp/awlive.XXXXXX) || fail "mktemp"
chmod 755 "$TMP"
KEY="awlive$$"
STATE_FILE="$TMP/run/state"
STARTED=""			# pids of processes this test started

# Kernel settings the tests compare, then the rule list.
snapshot() {
	$AWCTL status | grep -E '^(enabled|failure|pid|rate_limit|backlog_limit|backlog_wait_time)='
	auditctl -l
}

field() {	# field NAME: one value from AUDIT_GET
	$AWCTL status | sed -n "s/^$1=//p"
}

snapshot > "$TMP/original" || fail "cannot read kernel audit state"
ORIG_ENABLED=$(sed -n 's/^enabled=//p' "$TMP/original")
ORIG_BACKLOG=$(sed -n 's/^backlog_limit=//p' "$TMP/original")
ORIG_WAIT=$(sed -n 's/^backlog_wait_time=//p' "$TMP/original")
ORIG_PID=$(sed -n 's/^pid=//p' "$TMP/original")
ORIG_RATE=$(sed -n 's/^rate_limit=//p' "$TMP/original")
if [ "$ORIG_PID" != 0 ] && kill -0 "$ORIG_PID" 2>/dev/null; then
	cannot_run "an audit daemon (pid $ORIG_PID: $(cat /proc/$ORIG_PID/comm 2>/dev/null)) is running; stop it first"
fi
[ "$ORIG_ENABLED" = 2 ] && cannot_run "kernel audit is locked (enabled=2)"

stop_pid() {	# stop_pid PID: SIGTERM, then SIGKILL after 10 s
	local p=$1 i
	kill -TERM "$p" 2>/dev/null || return 0
	for i in $(seq 100); do
		kill -0 "$p" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$p" 2>/dev/null
}

restore_all() {
	local rc=$? p
	trap - EXIT
	for p in $STARTED; do
		stop_pid "$p"
	done
	wait 2>/dev/null
	# Rules with this test's keys (the test may use KEY and KEY-suffixes).
	auditctl -l 2>/dev/null | grep -o "key=$KEY[^ ]*" | sort -u |
	while read -r kv; do
		auditctl -D -k "${kv#key=}" >/dev/null 2>&1
	done
	$AWCTL clear-dead-pid >/dev/null 2>&1
	auditctl -r "$ORIG_RATE" >/dev/null 2>&1
	auditctl -b "$ORIG_BACKLOG" >/dev/null 2>&1
	auditctl --backlog_wait_time "$ORIG_WAIT" >/dev/null 2>&1
	auditctl -e "$ORIG_ENABLED" >/dev/null 2>&1
	snapshot > "$TMP/final" 2>&1
	if ! diff -u "$TMP/original" "$TMP/final" >&2; then
		echo "WARNING: kernel audit state differs from the original after cleanup" >&2
		[ "$rc" = 0 ] && rc=1
	fi
	if [ "$rc" != 0 ] && [ "$rc" != 77 ]; then
		for f in "$TMP"/*.log; do
			[ -f "$f" ] && { echo "--- $f"; tail -n 30 "$f"; } >&2
		done
	fi
	rm -rf "$TMP"
	exit "$rc"
}
trap restore_all EXIT
trap 'exit 1' INT TERM HUP

# start_aw NAME [auditwatch run options...]: start `auditwatch run
# --events` in the background with this test's key and state file;
# events in $TMP/NAME.events, log in $TMP/NAME.log, pid in $AWPID.
start_aw() {
	local name=$1
	shift
	"$AUDITWATCH" -o "audit.rule_key=$KEY" -o "audit.state_file=$STATE_FILE" \
	    "$@" >"$TMP/$name.events" 2>"$TMP/$name.log" &
	AWPID=$!
	STARTED="$STARTED $AWPID"
}

# wait_log NAME PATTERN [SECONDS]: until the log has a line matching.
wait_log() {
	local i
	for i in $(seq $((${3:-10} * 10))); do
		grep -q -- "$2" "$TMP/$1.log" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# wait_ready NAME: auditwatch installed its rules (or died).
wait_ready() {
	wait_log "$1" "installed .* kernel audit rules" 10 ||
	    fail "$1: auditwatch did not become ready: $(tail -n 5 "$TMP/$1.log")"
}

# wait_exit PID [SECONDS]: wait for a child to exit; its status in $EXIT.
wait_exit() {
	local i
	for i in $(seq $((${2:-10} * 10))); do
		if ! kill -0 "$1" 2>/dev/null; then
			wait "$1"
			EXIT=$?
			return 0
		fi
		sleep 0.1
	done
	fail "pid $1 did not exit"
}

# rules_with_key KEY: how many kernel rules carry key KEY.
rules_with_key() {
	auditctl -l | grep -c -- "key=$1\$" || true
}

# make_cmd NAME: a uniquely named copy of /bin/true in $TMP/bin.
make_cmd() {
	mkdir -p "$TMP/bin"
	cp /bin/true "$TMP/bin/$1"
	chmod 755 "$TMP/bin" "$TMP/bin/$1"
	echo "$TMP/bin/$1"
}

# wait_event NAME EXE [SECONDS]: until an event with that exe is printed.
wait_event() {
	local i
	for i in $(seq $((${3:-10} * 10))); do
		grep -qF "\"exe\":\"$2\"" "$TMP/$1.events" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}
