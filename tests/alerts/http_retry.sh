#!/bin/sh
# http_retry.sh — the webhook against a real receiver: the body is Falco's
# JSON alert (what falcosidekick accepts), custom headers and the
# idempotency key are sent; 429 with Retry-After: 2 makes the next attempt
# wait 2 s; 500 then 200 is retried with the same body; 400 is
# dead-lettered with the receiver's answer and never retried.
. "$top_srcdir/tests/alerts/lib.sh"

run() { # run NAME DB [aw_alertgen options]
	n=$1; db=$2; shift 2
	"$GEN" -o sqlite.path="$db" -o stdout_output.enabled=false \
	    -o webhook.url="http://127.0.0.1:$(eval echo \$PORT_$n)/falco" \
	    -o webhook.headers.Authorization="Bearer t0ken" \
	    -o webhook.headers.X-Team=secops \
	    -o webhook.backoff.initial=200ms "$@" 2> "$T/$n.err" ||
	    fail "aw_alertgen ($n): $(cat "$T/$n.err")"
}

note "429 Retry-After: 2, then 200"
start_receiver r429 --script "429:2,200"
run r429 "$T/a.db" --count 1 --flush 20 --stats "$T/a.json"
python3 - "$T/r429.log" <<'PY' || fail "429 handling"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["status"] for x in r] == [429, 200], [x["status"] for x in r]
gap = r[1]["t"] - r[0]["t"]
assert 1.95 <= gap < 4.0, gap
assert r[0]["body"] == r[1]["body"]
h = r[1]["headers"]
assert h["idempotency-key"] == r[0]["headers"]["idempotency-key"]
assert h["idempotency-key"].startswith("aw-") and h["idempotency-key"].endswith("-1")
assert h["authorization"] == "Bearer t0ken" and h["x-team"] == "secops"
assert h["content-type"] == "application/json"
d = json.loads(r[1]["body"])
# Falco's JSON alert, as falcosidekick's Check() wants it.
assert list(d) == ["hostname", "output", "output_fields", "priority", "rule",
                   "source", "tags", "time"], list(d)
assert d["priority"] == "Warning" and d["rule"] and d["output_fields"]
assert d["time"].endswith("Z") and len(d["time"]) == 30
PY
[ "$(json "$T/a.json" 'd["destinations"]["webhook"]["rate_limited"]')" -eq 1 ] || fail "rate_limited counter"
if grep -q "t0ken" "$T/r429.err"; then fail "secret header logged"; fi

note "500 then 200: retried"
start_receiver r500 --script "500,503,200"
run r500 "$T/b.db" --count 2 --flush 20 --stats "$T/b.json"
python3 - "$T/r500.log" <<'PY' || fail "5xx retry"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert [x["status"] for x in r] == [500, 503, 200, 200], [x["status"] for x in r]
seq = [json.loads(x["body"])["output_fields"]["aw.seq"] for x in r]
assert seq == [1, 1, 1, 2], seq   # in order: the head is retried first
PY
[ "$(json "$T/b.json" 'd["destinations"]["webhook"]["failures"]')" -eq 2 ] || fail "failures counter"
[ "$(sqlite3 "$T/b.db" "SELECT attempts FROM outbox WHERE alert_id = 1")" -eq 3 ] || fail "attempts not recorded"

note "400: dead letter, not retried, the others delivered"
start_receiver r400 --rule-status "Synthetic rule 1=400"
run r400 "$T/c.db" --count 6 --rules 3 --flush 20 --stats "$T/c.json"
python3 - "$T/r400.log" <<'PY' || fail "400 handling"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
seq = [json.loads(x["body"])["output_fields"]["aw.seq"] for x in r]
assert seq == [1, 2, 3, 4, 5, 6], seq      # 1 and 4 refused once each
assert [x["status"] for x in r] == [400, 200, 200, 400, 200, 200]
PY
[ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM dead_letters WHERE last_error = 'HTTP 400: error_400'")" -eq 2 ] ||
    fail "dead letters: $(sqlite3 "$T/c.db" 'SELECT * FROM outbox')"
[ "$(sqlite3 "$T/c.db" "SELECT count(*) FROM outbox WHERE state = 'sent'")" -eq 4 ] || fail "sent rows"
[ "$(json "$T/c.json" 'd["destinations"]["webhook"]["dead"]')" -eq 2 ] || fail "dead counter"
grep -q "dead-lettered" "$T/r400.err" || fail "dead letter not logged"
echo PASS
