#!/bin/sh
# slack.sh — the Slack notifier against a real HTTP receiver: payload shape
# and escaping of hostile event strings (<!channel>, <http://x|y>,
# newlines, quotes, invalid UTF-8, bidi overrides), pacing to one message
# per second with a digest for bursts (every alert covered once), and noise
# control folding repeats of one fingerprint.
. "$top_srcdir/tests/alerts/lib.sh"

start_receiver slack
URL="http://127.0.0.1:$PORT_slack/services/T000/B000/XXXX"

note "hostile strings: escaped, and paced into a message and a digest"
AUDITWATCH_SLACK_WEBHOOK_URL="$URL" "$GEN" -o sqlite.path="$T/a.db" \
    -o stdout_output.enabled=false -o slack.min_priority=notice \
    -o noise_control.enabled=false \
    --count 20 --rate 20 --hostile --rules 3 --priority error --flush 30 \
    --stats "$T/s1.json" 2> "$T/err1" || fail "aw_alertgen: $(cat "$T/err1")"
python3 "$top_srcdir/tests/alerts/check_slack.py" "$T/slack.log" > "$T/kinds" ||
    fail "Slack payload check"
# The secret URL path must not appear in any diagnostic.
if grep -q "XXXX" "$T/err1"; then fail "webhook URL logged"; fi
python3 - "$T/slack.log" "$T/kinds" <<'PY' || fail "pacing"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
kinds = open(sys.argv[2]).read().split("\n")
# 20 alerts over 1 s: the first at once, then at most one message a second.
ts = [r["t"] for r in recs]
assert len(recs) >= 2, len(recs)
assert all(b - a >= 0.95 for a, b in zip(ts, ts[1:])), ts
covered = sum(1 if k == "single" else int(k.split()[1]) for k in kinds if k)
assert covered == 20, (covered, kinds)
first = json.loads(recs[0]["body"])["attachments"][0]
assert "&lt;!channel&gt;" in first["text"] and "&lt;http://evil.example|click here&gt;" in first["text"]
assert "\\n" in first["text"] and "\ufffd" in first["text"] and "\\u{202e}" in first["text"]
f = {x["title"]: x["value"] for x in first["fields"]}
assert f["priority"] == "Error" and f["user"] == "root&lt;!here&gt;", f
assert f["container"].startswith("&lt;!channel&gt;\\nweb"), f["container"]
assert f["pod"] == "ns&amp;\"quoted\"/pod&lt;http://x|y&gt;", f["pod"]
assert first["color"] == "#e20b0b"
PY
[ "$(json "$T/s1.json" 'd["destinations"]["slack"]["sent"]')" -eq 20 ] || fail "sent != 20"
[ "$(sqlite3 "$T/a.db" "SELECT count(*) FROM outbox WHERE destination='slack' AND state='sent'")" -eq 20 ] ||
    fail "outbox not all sent"

note "noise control: 10 identical alerts, one notification"
: > "$T/slack.log"
AUDITWATCH_SLACK_WEBHOOK_URL="$URL" "$GEN" -o sqlite.path="$T/b.db" \
    -o stdout_output.enabled=false -o slack.min_interval=100ms \
    --count 10 --rate 50 --same --priority warning --flush 30 \
    --stats "$T/s2.json" || fail "aw_alertgen"
[ "$(lines "$T/slack.log")" -eq 1 ] || fail "expected 1 message, got $(lines "$T/slack.log")"
[ "$(json "$T/s2.json" 'd["store"]["suppressed"]')" -eq 9 ] || fail "suppressed != 9"
[ "$(sqlite3 "$T/b.db" "SELECT count(*) FROM alerts")" -eq 10 ] || fail "repeats not stored"

note "below slack.min_priority: stored, not sent"
: > "$T/slack.log"
AUDITWATCH_SLACK_WEBHOOK_URL="$URL" "$GEN" -o sqlite.path="$T/c.db" \
    -o stdout_output.enabled=false --count 3 --priority notice --flush 10 ||
    fail "aw_alertgen"
[ "$(lines "$T/slack.log")" -eq 0 ] || fail "notice sent to Slack (default min warning)"
[ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM alerts")" -eq 3 ] || fail "not stored"
echo PASS
