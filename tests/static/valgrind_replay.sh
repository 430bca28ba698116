#!/bin/sh
# valgrind_replay.sh — the replay path under valgrind's memcheck: every
# invalid read or write, use of uninitialised memory, bad free, and every
# definite or indirect leak fails the run (--error-exitcode).
#
# Replays fixture logs from $AW_SHARED/fixtures (the shared test data):
#   * with the rules (rules/auditwatch_rules.yaml, what ships as default),
#     alerts on stdout: the whole pipeline, record parser to JSON output;
#   * with --events: reassembled events as JSON (no rules);
#   * with --store: alerts stored in a fresh SQLite file (store thread,
#     checkpointer, retention), then the file checked with sqlite3.
#
# Usage: valgrind_replay.sh [AUDITWATCH]   (default: $AUDITWATCH)
# Environment: top_srcdir (default: this script's tree), AW_SHARED.
# Exit: 0 clean, 1 a finding or a failed run, 77 valgrind or the fixtures
# missing outside CI (in CI, CI=true, that is a failure too).
set -u
here=$(cd "$(dirname "$0")" && pwd)
top_srcdir=${top_srcdir:-$(cd "$here/../.." && pwd)}
aw=${1:-${AUDITWATCH:-}}
shared=${AW_SHARED:-$top_srcdir/../shared}
fx=$shared/fixtures/audit
rules=$top_srcdir/rules/auditwatch_rules.yaml

missing() {
	echo "valgrind_replay: $*"
	[ "${CI:-}" = true ] && exit 1
	exit 77
}
[ -n "$aw" ] && [ -x "$aw" ] || { echo "valgrind_replay: no auditwatch binary"; exit 1; }
command -v valgrind >/dev/null 2>&1 || missing "valgrind is not installed"
command -v sqlite3 >/dev/null 2>&1 || missing "sqlite3 is not installed"
[ -r "$fx/local/scenarios.audit.log" ] || missing "no fixtures in $fx (set AW_SHARED)"

T=$(mktemp -d /tmp/aw-valgrind.XXXXXX)
trap 'rm -rf "$T"' EXIT INT TERM
fails=0
runs=0

# The logs: the scenario log (1,900 events of every kind the rules look at)
# and the public ones from other audit tools (RHEL, Ubuntu, reordered
# records, auditd's own parser tests).
big=$fx/local/scenarios.audit.log
set -- "$fx/public/go-libaudit/auparse__testdata__audit-rhel7.log" \
    "$fx/public/audit-userspace/auparse__test__test4.log" \
    "$fx/public/audit-userspace/auparse__test__test3.log" \
    "$fx/public/laurel/src__testdata__shell-proc-trace-reordered.txt" \
    "$fx/public/beats/filebeat__module__auditd__log__test__audit-cent7-node.log"
small="$*"

# vg NAME ARGS...: run auditwatch ARGS under memcheck, output in $T/NAME.*
vg() {
	name=$1; shift
	runs=$((runs + 1))
	t0=$(date +%s)
	valgrind --tool=memcheck --error-exitcode=97 --leak-check=full \
	    --show-leak-kinds=definite,indirect \
	    --errors-for-leak-kinds=definite,indirect \
	    --num-callers=30 \
	    --log-file="$T/$name.vg" \
	    "$aw" -o hostname=valgrind-host "$@" \
	    > "$T/$name.out" 2> "$T/$name.err"
	rc=$?
	t1=$(date +%s)
	errs=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$T/$name.vg" |
	    tail -1)
	if [ "$rc" -ne 0 ] || [ "${errs:-x}" != 0 ]; then
		echo "FAIL $name: exit $rc, valgrind errors: ${errs:-none reported}"
		sed -n '/^==[0-9]*== [A-Z]/,$p' "$T/$name.vg" | head -80
		tail -5 "$T/$name.err"
		fails=$((fails + 1))
		return 1
	fi
	echo "ok   $name ($((t1 - t0)) s, $(wc -l < "$T/$name.out") lines out)"
	return 0
}

# shellcheck disable=SC2086 # $small is a list of paths without spaces
vg rules-big -r "$rules" replay --stats "$big"
grep -q '"rule":' "$T/rules-big.out" ||
    { echo "FAIL rules-big: no alert on stdout"; fails=$((fails + 1)); }
vg rules-small -r "$rules" replay --stats $small
vg events-big replay --events --stats "$big"
[ "$(wc -l < "$T/events-big.out")" -gt 1000 ] ||
    { echo "FAIL events-big: too few events"; fails=$((fails + 1)); }
vg events-small replay --events $small
vg store -r "$rules" -o sqlite.path="$T/alerts.db" \
    -o stdout_output.enabled=false replay --store "$big"
n=$(sqlite3 -readonly "$T/alerts.db" 'SELECT count(*) FROM alerts' 2>&1)
nout=$(grep -c '"rule":' "$T/rules-big.out")
if [ "$n" != "$nout" ]; then
	echo "FAIL store: $n alerts in the database, $nout on stdout without --store"
	fails=$((fails + 1))
fi

echo "valgrind_replay: $runs runs, $fails problem(s)"
[ "$fails" -eq 0 ]
