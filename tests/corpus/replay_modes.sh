#!/bin/sh
# replay_modes.sh — the text source's other ways in: standard input ('-')
# gives the same events as the file, and --follow (audisp plugin use)
# picks up lines appended after start, closes them by wall-clock timeout
# while waiting, and stops cleanly on SIGTERM.
. "$top_srcdir/tests/corpus/common.sh"
need_corpus local
LOG="$shared/fixtures/audit/local/scenarios.audit.log"
T=$(mktemp -d /tmp/aw-replay-modes.XXXXXX)
FPID=
trap '[ -n "$FPID" ] && kill "$FPID" 2>/dev/null; rm -rf "$T"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

# 1. stdin == file
"$AUDITWATCH" replay --events "$LOG" > "$T/file.json" || fail "replay FILE"
"$AUDITWATCH" replay --events - < "$LOG" > "$T/stdin.json" || fail "replay -"
[ -s "$T/file.json" ] || fail "no events"
cmp -s "$T/file.json" "$T/stdin.json" || fail "stdin and file differ"

# 2. --follow: half the log now, half later
n=$(wc -l < "$LOG")
head -n $((n / 2)) "$LOG" > "$T/grow.log"
"$AUDITWATCH" -o reassembly.timeout=500ms replay --events --follow \
    "$T/grow.log" > "$T/follow.json" 2> "$T/follow.err" &
FPID=$!
sleep 1
tail -n +$((n / 2 + 1)) "$LOG" >> "$T/grow.log"
# every event of the whole log arrives while replay keeps running
want=$(wc -l < "$T/file.json")
i=0
while [ "$(wc -l < "$T/follow.json")" -lt "$want" ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 "$FPID" 2>/dev/null || fail "--follow exited before SIGTERM"
got=$(wc -l < "$T/follow.json")
[ "$got" -eq "$want" ] || fail "--follow: $got events, want $want"
kill -TERM "$FPID"
wait "$FPID"; rc=$?
FPID=
[ "$rc" -eq 0 ] || fail "--follow exit status $rc after SIGTERM"
python3 - "$T/file.json" "$T/follow.json" <<'PY' || fail "--follow events differ"
import json, sys
key = lambda e: (e["serial"], e["time"])
a = sorted((json.loads(l) for l in open(sys.argv[1])), key=key)
b = sorted((json.loads(l) for l in open(sys.argv[2])), key=key)
strip = lambda e: {k: v for k, v in e.items() if k != "closed_by"}
assert [strip(e) for e in a] == [strip(e) for e in b]
PY
echo "ok: stdin equals file; --follow picked up $got events"
