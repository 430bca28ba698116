#!/bin/sh
# syslog.sh — the syslog output: each alert is one message on /dev/log
# with the alert's priority as severity and the configured facility, the
# text escaped (no raw control characters or newlines from event data),
# and the per-output minimum priority applied.
#
# A test receiver stands in for /dev/log in a private mount namespace
# (devlog_run in lib.sh), so the host's logging is not disturbed and no
# other process's messages reach the receiver.
. "$top_srcdir/tests/alerts/lib.sh"

[ "$(id -u)" = 0 ] || { [ "${CI:-}" = true ] && fail "needs root"; echo "SKIP: needs root"; exit 77; }

# receiver: a unix datagram socket; every message is written as one line
# of JSON (the raw bytes, latin-1 decoded) to $T/syslog.out.
cat > "$T/rx.py" <<'PY'
import json, os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(path)
os.chmod(path, 0o666)
print("ready", flush=True)
with open(out, "w") as f:
    while True:
        m = s.recv(65536)
        f.write(json.dumps(m.decode("latin-1")) + "\n")
        f.flush()
PY

sock="$T/log.sock"
python3 "$T/rx.py" "$sock" "$T/syslog.out" > "$T/rx.ready" 2>&1 &
PIDS="$PIDS $!"
wait_for 10 'grep -q ready "$T/rx.ready"' || fail "receiver did not start"
devlog_run "$sock" "$GEN" -o sqlite.enabled=false -o stdout_output.enabled=false \
    -o syslog_output.enabled=true -o syslog_output.facility=local3 \
    -o syslog_output.min_priority=warning \
    --count 3 --priority warning --hostile --flush 10 ||
    fail "aw_alertgen failed"
devlog_run "$sock" "$GEN" -o sqlite.enabled=false -o stdout_output.enabled=false \
    -o syslog_output.enabled=true -o syslog_output.min_priority=warning \
    --count 2 --priority notice --seq-start 4 --flush 10 ||
    fail "aw_alertgen failed"
wait_for 10 '[ "$(lines "$T/syslog.out")" -ge 3 ]' || fail "no syslog messages"
sleep 0.5
python3 - "$T/syslog.out" <<'PY' || fail "syslog messages"
import json, re, sys
msgs = [json.loads(l) for l in open(sys.argv[1])]
# 3 warnings; the 2 notices are below syslog_output.min_priority
assert len(msgs) == 3, msgs
for m in msgs:
    mo = re.match(r"^<(\d+)>", m)
    assert mo, m
    pri = int(mo.group(1))
    # facility local3 (19) * 8 + severity warning (4)
    assert pri == 19 * 8 + 4, (pri, m)
    body = m[mo.end():]
    assert "Synthetic alert seq=" in body, m
    # event data is escaped: no raw newline, escape or other control
    assert not any(ord(c) < 0x20 for c in body), repr(m)
    assert "\\n" in body, m
PY
note "ok: 3 messages, facility local3, severity warning, escaped"
exit 0
