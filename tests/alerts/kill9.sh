#!/bin/sh
# kill9.sh — kill -9 during delivery, then restart: the rest is delivered
# from the outbox, every alert arrives (at least once, repeats carry the
# same Idempotency-Key), and the database passes PRAGMA integrity_check.
. "$top_srcdir/tests/alerts/lib.sh"

start_receiver hook --delay-ms 5
URL="http://127.0.0.1:$PORT_hook/"
gen() { "$GEN" -o sqlite.path="$T/a.db" -o stdout_output.enabled=false \
    -o webhook.url="$URL" "$@"; }

note "1000 alerts committed, delivery running, then kill -9"
# Started directly, not through gen(): $! must be aw_alertgen itself.
"$GEN" -o sqlite.path="$T/a.db" -o stdout_output.enabled=false \
    -o webhook.url="$URL" --count 1000 --commit 30 --hold 120 \
    --progress "$T/p.json" 2> "$T/gen1.err" &
G=$!; PIDS="$PIDS $G"
wait_for 60 '[ "$(lines "$T/hook.log")" -ge 300 ]' || fail "delivery did not start"
[ "$(json "$T/p.json" 'd["store"]["stored"]')" -eq 1000 ] || fail "not all committed before the kill"
kill -KILL $G; wait $G 2>/dev/null
before=$(lines "$T/hook.log")
[ "$before" -lt 1000 ] || fail "delivery finished before the kill; nothing to test"
note "killed after $before requests"
[ "$(sqlite3 "$T/a.db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check after kill -9"

note "restart: the remainder is delivered"
gen --count 0 --flush 120 --stats "$T/s.json" 2> "$T/gen2.err" ||
    fail "restart did not deliver: $(tail -3 "$T/gen2.err")"
python3 - "$T/hook.log" <<'PY' || fail "after restart"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
seq = [json.loads(r["body"])["output_fields"]["aw.seq"] for r in recs]
keys = {}
for r, s in zip(recs, seq):
    k = r["headers"]["idempotency-key"]
    assert keys.setdefault(s, k) == k, "a repeat with another key"
assert sorted(set(seq)) == list(range(1, 1001)), "missing alerts"
first = []
for s in seq:
    if s not in first:
        first.append(s)
assert first == list(range(1, 1001)), "order"
dups = len(seq) - 1000
# Only what was sent but not yet recorded when the process died repeats.
assert dups <= 50, dups
print("duplicates after kill -9:", dups)
PY
[ "$(sqlite3 "$T/a.db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
[ "$(sqlite3 "$T/a.db" "SELECT count(*) FROM outbox WHERE state = 'sent'")" -eq 1000 ] || fail "outbox"
echo PASS
