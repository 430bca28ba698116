#!/bin/sh
# cli.sh — `auditwatch alerts` against a real database: every filter, the
# table (hostile text escaped for the terminal), --json (Falco's JSON, the
# same bytes the webhook gets), --limit, --follow and --deliveries.
. "$top_srcdir/tests/alerts/lib.sh"
: "${AUDITWATCH:?}"
DB="$T/a.db"
gen() { "$GEN" -o sqlite.path="$DB" -o stdout_output.enabled=false "$@" \
    --commit 10 || fail "aw_alertgen $*"; }
aw() { "$AUDITWATCH" -o sqlite.path="$DB" alerts "$@"; }

gen --count 10 --rules 2 --priority warning            # seq 1-10
gen --count 5 --priority critical --seq-start 11        # seq 11-15
gen --count 3 --priority notice --same --seq-start 16   # container web
gen --count 2 --priority error --hostile --seq-start 19 # seq 19-20
# Two alerts from yesterday, through the database, as a reader would see.
sqlite3 "$DB" "UPDATE alerts SET time_ns = time_ns - 86400000000000 WHERE id <= 2"

count() { aw --json "$@" | wc -l; }
[ "$(count --limit 0)" -eq 20 ] || fail "all alerts"
[ "$(count)" -eq 20 ] || fail "default limit covers 20"
[ "$(count --limit 5)" -eq 5 ] || fail "--limit"
[ "$(count --since 1h)" -eq 18 ] || fail "--since 1h"
[ "$(count --until 1h)" -eq 2 ] || fail "--until 1h"
[ "$(count --since 2d --until 12h)" -eq 2 ] || fail "--since/--until"
[ "$(count --since "$(date -u +%Y-%m-%dT00:00:00Z -d tomorrow)")" -eq 0 ] || fail "--since TIME"
[ "$(count --since @0)" -eq 20 ] || fail "--since @epoch"
[ "$(count --rule 'Synthetic rule 1')" -eq 5 ] || fail "--rule exact"
[ "$(count --rule 'Synthetic*')" -eq 20 ] || fail "--rule glob"
[ "$(count --rule 'synthetic*')" -eq 0 ] || fail "--rule is case-sensitive"
[ "$(count --priority error)" -eq 7 ] || fail "--priority error (5 critical + 2 error)"
[ "$(count --priority WARNING)" -eq 17 ] || fail "--priority warning"
[ "$(count --container web)" -eq 3 ] || fail "--container name"
[ "$(count --container 3f1c2b)" -eq 3 ] || fail "--container id prefix"
[ "$(count --container c0000000001)" -eq 7 ] || fail "--container prefix (10-15, 19; 16-18 are web)"

note "newest --limit, printed oldest first"
aw --json --limit 3 > "$T/l.json"
python3 - "$T/l.json" <<'PY' || fail "--limit order"
import json, sys
seqs = [json.loads(l)["output_fields"]["aw.seq"] for l in open(sys.argv[1])]
assert seqs == [18, 19, 20], seqs
PY

note "--json is Falco's JSON, byte for byte what the store keeps"
aw --json --limit 0 --rule 'Synthetic rule 0' --priority critical > "$T/j.json"
python3 - "$T/j.json" <<'PY' || fail "--json shape"
import json, sys
for l in open(sys.argv[1]):
    d = json.loads(l)
    assert list(d) == ["hostname", "output", "output_fields", "priority",
                       "rule", "source", "tags", "time"]
    assert d["priority"] == "Critical"
    assert json.dumps(d, separators=(",", ":"), ensure_ascii=False) == l.rstrip("\n")
PY

note "table: hostile strings are escaped for the terminal"
aw --priority error --limit 2 > "$T/table" || fail "table"
head -1 "$T/table" | grep -q "^TIME *PRIORITY *RULE *CONTAINER *OUTPUT" || fail "table header"
if LC_ALL=C grep -q "$(printf '\033')" "$T/table"; then fail "raw ESC in the table"; fi
python3 - "$T/table" <<'PY' || fail "table escaping"
import sys
t = open(sys.argv[1], "rb").read().decode("utf-8")
rows = t.splitlines()
assert len(rows) == 3, rows
for r in rows:
    assert not any(ord(c) < 0x20 or 0x80 <= ord(c) < 0xa0 or c in "\u202e\u2028" for c in r), repr(r)
assert "\\u{202e}" in rows[1] or "\\u{202e}" in t
PY

note "bad arguments"
aw --since yesterdayish > /dev/null 2>&1 && fail "accepted a bad --since"
aw --priority loud > /dev/null 2>&1 && fail "accepted a bad --priority"
"$AUDITWATCH" alerts --db "$T/missing.db" > /dev/null 2> "$T/err" && fail "missing db"
grep -q "missing.db" "$T/err" || fail "error does not name the file"

note "--follow prints new alerts as they are stored"
# Not through the aw function: $! must be auditwatch itself.
"$AUDITWATCH" -o sqlite.path="$DB" alerts --follow --json --limit 1 \
    > "$T/follow" &
F=$!; PIDS="$PIDS $F"
wait_for 5 '[ "$(lines "$T/follow")" -eq 1 ]' || fail "--follow initial"
gen --count 4 --seq-start 100
wait_for 5 '[ "$(lines "$T/follow")" -eq 5 ]' || fail "--follow did not show new alerts ($(lines "$T/follow"))"
kill -INT $F; wait $F
tail -1 "$T/follow" | grep -q '"aw.seq":103' || fail "--follow order"

note "--deliveries"
sqlite3 "$DB" "INSERT INTO outbox(alert_id, destination, state, attempts, last_error, updated_ns) VALUES (3, 'webhook', 'dead', 1, 'HTTP 400: '||char(27)||'[31mbad', 0), (4, 'webhook', 'pending', 0, NULL, NULL)"
aw --deliveries > "$T/deliv" || fail "--deliveries"
grep -q "^webhook  *1 " "$T/deliv" || fail "pending count: $(cat "$T/deliv")"
grep -q "alert 3" "$T/deliv" || fail "dead letter not listed"
grep -q 'HTTP 400: \\x1b\[31mbad' "$T/deliv" || fail "dead letter error not escaped"
note "every example query in schema/README.md runs"
python3 - "$top_srcdir/schema/README.md" "$T/q" <<'PY' || fail "extracting queries"
import re, sys
blocks = re.findall(r"```sql\n(.*?)```", open(sys.argv[1]).read(), re.S)
assert len(blocks) >= 10, len(blocks)
for i, b in enumerate(blocks):
    open("%s.%02d.sql" % (sys.argv[2], i), "w").write(b)
PY
for q in "$T"/q.*.sql; do
	sqlite3 -readonly -bail "$DB" < "$q" > /dev/null 2> "$T/qerr" ||
	    fail "$(basename "$q"): $(cat "$T/qerr")"
done
sqlite3 -readonly -json "$DB" < "$T/q.00.sql" |
    python3 -c 'import json, sys; assert len(json.load(sys.stdin)) == 20' ||
    fail "recent_alerts example"
echo PASS
