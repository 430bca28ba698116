#!/bin/sh
# receiver_down.sh — the webhook receiver is down for 30 s while 1,000
# alerts are produced, then comes up: every alert arrives, in order, with
# no duplicate (there was no crash), and detection never waited.
. "$top_srcdir/tests/alerts/lib.sh"
DOWN=${DOWN_SECONDS:-30}

PORT=$(free_port)
note "receiver down for ${DOWN}s on port $PORT; 1000 alerts over ~$((DOWN - 5))s"
"$GEN" -o sqlite.path="$T/a.db" -o stdout_output.enabled=false \
    -o webhook.url="http://127.0.0.1:$PORT/" \
    -o webhook.backoff.initial=250ms -o webhook.backoff.max=4s \
    --count 1000 --rate $((1000 / (DOWN - 5))) --flush 120 \
    --progress "$T/p.json" --stats "$T/s.json" 2> "$T/gen.err" &
G=$!; PIDS="$PIDS $G"
sleep "$DOWN"
[ -s "$T/p.json" ] || fail "no progress"
gen=$(json "$T/p.json" 'd["generated"]')
[ "$gen" -ge 900 ] || fail "detection slowed down while the receiver was down ($gen)"
[ "$(json "$T/p.json" 'd["destinations"]["webhook"]["sent"]')" -eq 0 ] || fail "sent while down?"
start_receiver hook --port "$PORT"
wait $G || fail "aw_alertgen did not finish delivering: $(tail -3 "$T/gen.err")"
python3 - "$T/hook.log" <<'PY' || fail "delivery after the outage"
import json, sys
seq = [json.loads(json.loads(l)["body"])["output_fields"]["aw.seq"] for l in open(sys.argv[1])]
assert len(seq) == 1000, len(seq)
assert seq == list(range(1, 1001)), "out of order or duplicated"
PY
[ "$(json "$T/s.json" 'd["destinations"]["webhook"]["sent"]')" -eq 1000 ] || fail "sent counter"
[ "$(json "$T/s.json" 'd["store"]["lost"]')" -eq 0 ] || fail "alerts lost"
[ "$(sqlite3 "$T/a.db" "SELECT count(*) FROM outbox WHERE state = 'sent'")" -eq 1000 ] || fail "outbox"
echo PASS
