#!/bin/sh
# alerts_bench.sh — benchmark of the alert stage (issue 6), each figure
# with a peer measured in the same run on the same machine:
#
#  1. alerts/s stored, flood (as fast as the producer can submit) and
#     sustained at 50,000/s; peer: Python's sqlite3 executemany() of the
#     same rows into the same schema, 1000 rows per transaction, WAL +
#     synchronous=NORMAL (no JSON, no queue: a floor for "just SQLite").
#  2. latency submit -> committed row at 10,000/s (p50/p99/max).
#  3. webhook delivery throughput to a local receiver; peer: Python
#     http.client POSTing the same bodies over one keep-alive connection
#     to the same receiver (one request in flight, like us).
#  4. latency event -> accepted by the local webhook at 200 alerts/s.
#
# Usage: tests/bench/alerts_bench.sh [BUILDDIR]  (default: .)
set -eu
B=$(cd "${1:-.}" && pwd)
S=$(cd "$(dirname "$0")/../.." && pwd)
GEN="$B/tests/alerts/aw_alertgen"
T=$(mktemp -d /tmp/aw-bench.XXXXXX)
RPID=""
trap '[ -n "$RPID" ] && kill $RPID 2>/dev/null; rm -rf "$T"' EXIT
j() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' "$1" "$2"; }

echo "== 1. alerts/s stored"
"$GEN" -o sqlite.path="$T/flood.db" -o stdout_output.enabled=false \
    -o sqlite.queue.max_alerts=10000000 -o sqlite.queue.max_bytes=8G \
    --count 200000 --commit 120 --stats "$T/flood.json"
ours=$(j "$T/flood.json" 'round(d["store"]["stored"] / d["elapsed_ms"] * 1000)')
"$GEN" -o sqlite.path="$T/sus.db" -o stdout_output.enabled=false \
    --count 200000 --rate 50000 --commit 120 --stats "$T/sus.json"
sus=$(j "$T/sus.json" 'round(d["store"]["stored"] / d["elapsed_ms"] * 1000)')
sus_lost=$(j "$T/sus.json" 'd["store"]["lost"]')
sus_p99=$(j "$T/sus.json" 'd["store"]["commit_latency"]["p99_us"]')
sus_peak=$(j "$T/sus.json" 'd["store"]["queue_peak"]')
peer=$(python3 - "$T/flood.db" "$T/peer.db" <<'PY'
import sqlite3, sys, time
src = sqlite3.connect(sys.argv[1])
cols = [r[1] for r in src.execute("PRAGMA table_info(alerts)") if r[1] != "id"]
rows = src.execute("SELECT %s FROM alerts" % ",".join(cols)).fetchall()
schema = [r[0] for r in src.execute("SELECT sql FROM sqlite_master WHERE sql NOT NULL AND name NOT LIKE 'sqlite_%'")]
dst = sqlite3.connect(sys.argv[2], isolation_level=None)
dst.execute("PRAGMA journal_mode=WAL"); dst.execute("PRAGMA synchronous=NORMAL")
for s in schema:
    dst.execute(s)
ins = "INSERT INTO alerts(%s) VALUES (%s)" % (",".join(cols), ",".join("?" * len(cols)))
t = time.perf_counter()
for i in range(0, len(rows), 1000):
    dst.execute("BEGIN IMMEDIATE"); dst.executemany(ins, rows[i:i + 1000]); dst.execute("COMMIT")
print(round(len(rows) / (time.perf_counter() - t)))
PY
)
echo "flood:     $ours alerts/s stored (200000 alerts, $(j "$T/flood.json" 'd["store"]["batches"]') transactions)"
echo "sustained: $sus alerts/s at an offered 50000/s (lost $sus_lost, queue peak $sus_peak, commit p99 ${sus_p99} us)"
echo "peer (python executemany, same rows/schema): $peer rows/s; ratio flood/peer = $(python3 -c "print(round($ours/$peer, 2))")"

echo "== 2. latency submit -> committed row at 10000/s"
"$GEN" -o sqlite.path="$T/lat.db" -o stdout_output.enabled=false \
    --count 50000 --rate 10000 --commit 60 --stats "$T/lat.json"
echo "commit latency: $(j "$T/lat.json" '"p50 %d us, p99 %d us, max %d us (%d transactions for %d alerts)" % (d["store"]["commit_latency"]["p50_us"], d["store"]["commit_latency"]["p99_us"], d["store"]["commit_latency"]["max_us"], d["store"]["batches"], d["store"]["stored"])')"

echo "== 3. webhook delivery throughput (local python receiver)"
python3 "$S/tests/alerts/receiver.py" --log "$T/r.log" --port-file "$T/r.port" &
RPID=$!
while [ ! -s "$T/r.port" ]; do sleep 0.05; done
PORT=$(cat "$T/r.port")
"$GEN" -o sqlite.path="$T/wh.db" -o stdout_output.enabled=false \
    -o webhook.url="http://127.0.0.1:$PORT/" --count 5000 --flush 300 \
    --stats "$T/wh.json"
wh=$(j "$T/wh.json" 'round(d["destinations"]["webhook"]["sent"] / d["elapsed_ms"] * 1000)')
whpeer=$(python3 - "$T/wh.db" "$PORT" <<'PY'
import http.client, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1])
import json
rows = db.execute("SELECT hostname, output, output_fields, priority, rule, "
                  "source, tags, time FROM alerts LIMIT 5000")
bodies = [json.dumps({"hostname": h, "output": o,
                      "output_fields": json.loads(f), "priority": p,
                      "rule": r, "source": s, "tags": json.loads(t),
                      "time": tm}, separators=(",", ":")).encode()
          for h, o, f, p, r, s, t, tm in rows]
c = http.client.HTTPConnection("127.0.0.1", int(sys.argv[2]))
t = time.perf_counter()
for b in bodies:
    c.request("POST", "/", body=b, headers={"Content-Type": "application/json"})
    c.getresponse().read()
print(round(len(bodies) / (time.perf_counter() - t)))
PY
)
echo "webhook: $wh alerts/s delivered (5000, committed first); peer (python keep-alive POST loop): $whpeer req/s; ratio $(python3 -c "print(round($wh/$whpeer, 2))")"

echo "== 4. latency event -> local webhook at 200 alerts/s"
"$GEN" -o sqlite.path="$T/whl.db" -o stdout_output.enabled=false \
    -o webhook.url="http://127.0.0.1:$PORT/" --count 2000 --rate 200 \
    --flush 60 --stats "$T/whl.json"
echo "webhook latency: $(j "$T/whl.json" '"p50 %d us, p99 %d us, max %d us over %d alerts" % (d["destinations"]["webhook"]["latency"]["p50_us"], d["destinations"]["webhook"]["latency"]["p99_us"], d["destinations"]["webhook"]["latency"]["max_us"], d["destinations"]["webhook"]["sent"])')"
