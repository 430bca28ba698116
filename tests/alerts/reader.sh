#!/bin/sh
# reader.sh — `sqlite3 -readonly` runs long queries (each holding a read
# snapshot for seconds) while 10,000 alerts/s are written for 5 s: the
# writer never stalls beyond the batch interval (250 ms), nothing is lost,
# and the reader sees consistent data.
. "$top_srcdir/tests/alerts/lib.sh"
DB="$T/a.db"
LONG="SELECT (SELECT count(*) FROM alerts), (WITH RECURSIVE c(x) AS
  (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000)
  SELECT count(*) FROM c JOIN (SELECT 1) ON 1);"

# The database must exist before the reader starts.
"$GEN" -o sqlite.path="$DB" -o stdout_output.enabled=false --count 1 \
    --commit 5 || fail "aw_alertgen"

note "10,000 alerts/s for 5 s with a long-running reader"
"$GEN" -o sqlite.path="$DB" -o stdout_output.enabled=false \
    --count 50000 --rate 10000 --seq-start 2 --commit 30 \
    --stats "$T/s.json" 2> "$T/gen.err" &
G=$!; PIDS="$PIDS $G"
(
	while kill -0 $G 2>/dev/null; do
		start=$(date +%s.%N)
		sqlite3 -readonly "$DB" ".timeout 5000" "$LONG" >> "$T/reads" ||
		    echo "READ FAILED" >> "$T/reads"
		echo "$start $(date +%s.%N)" >> "$T/read_times"
	done
) &
R=$!; PIDS="$PIDS $R"
wait $G || fail "aw_alertgen: $(cat "$T/gen.err")"
wait $R
if grep -q "READ FAILED" "$T/reads"; then fail "a read failed"; fi
python3 - "$T/s.json" "$T/read_times" <<'PY' || fail "writer stalled"
import json, sys
d = json.load(open(sys.argv[1]))
s = d["store"]
times = [tuple(map(float, l.split())) for l in open(sys.argv[2])]
longest = max(b - a for a, b in times)
print("reads: %d, longest %.2f s; commits: %d, latency p50 %d us, p99 %d us, max %d us"
      % (len(times), longest, s["batches"], s["commit_latency"]["p50_us"],
         s["commit_latency"]["p99_us"], s["commit_latency"]["max_us"]))
assert longest >= 0.5, "the reader was not long-running"
assert s["stored"] == 50000 and s["lost"] == 0 and s["write_errors"] == 0, s
assert s["commit_latency"]["max_us"] <= 250000, "stall beyond the batch interval"
PY
# The reader saw a growing, consistent table.
awk -F'|' 'NR > 1 && $1 < prev { exit 1 } { prev = $1 }' "$T/reads" ||
    fail "the reader saw the table shrink"
[ "$(sqlite3 "$DB" "SELECT count(*) FROM alerts")" -eq 50001 ] || fail "row count"
echo PASS
