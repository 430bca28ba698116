#!/bin/sh
# roundtrip_outputs.sh — 12,000 hostile byte strings (10,000 EXECVE
# arguments up to 8 KB, 2,000 file names; every byte value, invalid UTF-8,
# Slack control sequences, JSON and syslog look-alikes) through one
# `auditwatch replay` with every alert output on at once: Falco JSON on
# stdout, the SQLite store, a webhook and Slack (real HTTP receivers on
# 127.0.0.1) and syslog (a unix datagram receiver standing in for
# /dev/log). roundtrip_outputs.py parses each output back and compares
# every string with what the documented escaping says it must be; see
# its header for the rules.
. "$top_srcdir/tests/alerts/lib.sh"

PY="$top_srcdir/tests/alerts/roundtrip_outputs.py"
N=${RT_STRINGS:-10000}
python3 "$PY" gen "$T" "$N" || fail "generator"

start_receiver webhook
start_receiver slack

# syslog(3) always writes to /dev/log: the receiver's socket stands in
# for it in a private mount namespace (devlog_run in lib.sh).
cat > "$T/rx.py" <<'EOF'
import json, os, socket, sys
path, out = sys.argv[1], sys.argv[2]
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
s.bind(path)
os.chmod(path, 0o666)
print("ready", flush=True)
with open(out, "w") as f:
    while True:
        m = s.recv(1 << 20)
        f.write(json.dumps(m.decode("latin-1")) + "\n")
        f.flush()
EOF
WRAP=""
SYSLOG=false
if [ "$(id -u)" = 0 ] && command -v unshare >/dev/null; then
	SYSLOG=true
	WRAP=devlog_run
	sock="$T/log.sock"
	python3 "$T/rx.py" "$sock" "$T/syslog.out" > "$T/rx.ready" 2>&1 &
	PIDS="$PIDS $!"
	wait_for 10 'grep -q ready "$T/rx.ready"' ||
	    fail "syslog receiver did not start"
elif [ "${CI:-}" = true ]; then
	fail "the syslog part needs root and unshare"
else
	note "SKIP syslog part: needs root and unshare"
fi

# Slack: one message per alert (no pacing, no digest, no noise control),
# so that every string has its own message to check.
set -- -r "$T/rules.yaml" -o hostname=rt-host \
    -o append_output.0.suggested_output=false \
    -o sqlite.path="$T/alerts.db" -o sqlite.retention.max_age=0 \
    -o noise_control.enabled=false \
    -o syslog_output.enabled=$SYSLOG \
    -o webhook.url="http://127.0.0.1:$PORT_webhook/alerts" \
    -o slack.webhook_url="http://127.0.0.1:$PORT_slack/services/T0/B0/X" \
    -o slack.min_interval=0 -o slack.digest_max=1 \
    -o slack.noise_control=false \
    replay --store "$T/rt.log"
t0=$(date +%s)
if [ "$WRAP" = devlog_run ]; then
	devlog_run "$sock" "$AUDITWATCH" "$@" > "$T/stdout.json" 2> "$T/err" ||
	    fail "replay: $(tail -5 "$T/err")"
else
	"$AUDITWATCH" "$@" > "$T/stdout.json" 2> "$T/err" ||
	    fail "replay: $(tail -5 "$T/err")"
fi
note "replay with every output: $(( $(date +%s) - t0 )) s"
if [ -s "$T/err" ]; then cat "$T/err" >&2; fail "diagnostics on stderr"; fi
total=$((N + N / 5))
if $SYSLOG; then
	wait_for 20 '[ "$(lines "$T/syslog.out")" -ge '$total' ]' ||
	    fail "syslog: $(lines "$T/syslog.out") of $total datagrams"
fi
python3 "$PY" check "$T" || fail "round trip"
exit 0
