#!/bin/sh
# outputs.sh — stdout and file outputs: Falco's text line and JSON lines,
# per-output minimum priority, file mode 0600, SIGUSR1 reopening a rotated
# file, and stdout continuing with no store at all.
. "$top_srcdir/tests/alerts/lib.sh"

note "text line on stdout, JSON lines in a file, priorities per output"
"$GEN" -o sqlite.path="$T/a.db" -o file_output.enabled=true \
    -o file_output.filename="$T/events.json" -o file_output.format=json \
    -o file_output.min_priority=error -o stdout_output.min_priority=warning \
    --count 4 --priority warning --hostile --flush 10 > "$T/out1" ||
    fail "aw_alertgen failed"
"$GEN" -o sqlite.path="$T/a.db" -o file_output.enabled=true \
    -o file_output.filename="$T/events.json" -o file_output.format=json \
    -o file_output.min_priority=error -o stdout_output.min_priority=warning \
    --count 3 --priority error --seq-start 5 --flush 10 >> "$T/out1" ||
    fail "aw_alertgen failed"
"$GEN" -o sqlite.path="$T/a.db" -o stdout_output.min_priority=warning \
    --count 2 --priority notice --seq-start 8 --flush 10 >> "$T/out1" ||
    fail "aw_alertgen failed"
[ "$(lines "$T/out1")" -eq 7 ] || fail "stdout: expected 7 lines (notice filtered), got $(lines "$T/out1")"
[ "$(lines "$T/events.json")" -eq 3 ] || fail "file: expected the 3 error alerts"
[ "$(stat -c %a "$T/events.json")" = 600 ] || fail "file output mode is not 0600"
python3 - "$T/out1" "$T/events.json" <<'PY' || fail "output format"
import json, re, sys
out = open(sys.argv[1], "rb").read().decode("utf-8")   # valid UTF-8
lines = out.splitlines()
pat = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: (Warning|Error) Synthetic alert seq=\d+ ")
for l in lines:
    assert pat.match(l), l
    # Falco's text line: controls escaped, nothing raw.
    assert not any(ord(c) < 0x20 for c in l), repr(l)
assert "\\n" in lines[0] and "\\u001b[31m" in lines[0] and "\ufffd" in lines[0]
for l in open(sys.argv[2]):
    d = json.loads(l)
    assert list(d) == ["hostname", "output", "output_fields", "priority",
                       "rule", "source", "tags", "time"], list(d)
    assert d["priority"] == "Error" and d["source"] == "syscall"
    assert d["tags"] == sorted(set(d["tags"]))
    assert d["output"].split(": ", 1)[1].startswith("Error Synthetic alert")
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$", d["time"])
    assert d["output_fields"]["proc.tty"] is None
    assert isinstance(d["output_fields"]["aw.seq"], int)
PY

note "SIGUSR1 reopens a rotated file (keep_alive)"
"$GEN" -o sqlite.enabled=false -o stdout_output.enabled=false \
    -o file_output.enabled=true -o file_output.keep_alive=true \
    -o file_output.filename="$T/rot.log" --count 40 --rate 10 &
G=$!; PIDS="$PIDS $G"
wait_for 10 '[ "$(lines "$T/rot.log")" -ge 10 ]' || fail "file output not written"
mv "$T/rot.log" "$T/rot.log.1"
kill -USR1 $G
wait $G || fail "aw_alertgen failed"
a=$(lines "$T/rot.log.1"); b=$(lines "$T/rot.log")
[ "$b" -gt 0 ] || fail "no new file after SIGUSR1 (still writing the rotated one)"
[ $((a + b)) -eq 40 ] || fail "lines lost in rotation: $a + $b != 40"
[ "$(stat -c %a "$T/rot.log")" = 600 ] || fail "reopened file mode"

note "stdout without a store"
"$GEN" -o sqlite.enabled=false --count 5 > "$T/out2" || fail "no-store run failed"
[ "$(lines "$T/out2")" -eq 5 ] || fail "stdout without store"

note "webhook without the store is a configuration error"
if "$GEN" -o sqlite.enabled=false -o webhook.url=http://127.0.0.1:9/ \
    --count 1 > /dev/null 2> "$T/err"; then
	fail "accepted a webhook without the store"
fi
grep -q "sqlite.enabled" "$T/err" || fail "unclear error: $(cat "$T/err")"
echo PASS
