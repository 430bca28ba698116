#!/bin/sh
# disk_full.sh — the database lives on a 1 MiB tmpfs that fills up while
# 20,000 alerts are produced: stdout keeps every alert, the store fails,
# keeps up to sqlite.queue.max_alerts in memory and counts every alert it
# had to drop; when space returns (remount bigger) the store resumes by
# itself, and stored + lost = produced exactly. Needs root (mount).
. "$top_srcdir/tests/alerts/lib.sh"

if [ "$(id -u)" != 0 ] || ! command -v mount >/dev/null; then
	[ "${CI:-}" = true ] && fail "needs root to mount a tmpfs"
	echo "SKIP: needs root"; exit 77
fi
mkdir "$T/mnt"
mount -t tmpfs -o size=1m,mode=0700 tmpfs "$T/mnt" || {
	[ "${CI:-}" = true ] && fail "cannot mount a tmpfs"
	echo "SKIP: cannot mount a tmpfs"; exit 77
}
CLEANUP_EXTRA='umount "$T/mnt" 2>/dev/null || umount -l "$T/mnt"'

N=20000
note "producing $N alerts onto a 1 MiB filesystem"
"$GEN" -o sqlite.path="$T/mnt/a.db" -o sqlite.queue.max_alerts=3000 \
    -o sqlite.retry.max_backoff=300ms \
    --count $N --rate 4000 --hold 60 --progress "$T/p.json" \
    --stats "$T/s.json" > "$T/stdout" 2> "$T/gen.err" &
G=$!; PIDS="$PIDS $G"
wait_for 30 '[ -s "$T/p.json" ] && [ "$(json "$T/p.json" "d[\"generated\"]")" -eq $N ]' ||
    fail "generation stalled"
wait_for 10 '[ "$(json "$T/p.json" "d[\"store\"][\"failing\"]")" = True ]' ||
    fail "the store never failed: the filesystem did not fill"
# Detection and stdout went on regardless.
[ "$(grep -c 'Synthetic alert seq=' "$T/stdout")" -eq $N ] || fail "stdout lost alerts"
grep -q "Error Alert store writes are failing" "$T/stdout" ||
    fail "no internal alert on stdout"
lost=$(json "$T/p.json" 'd["store"]["lost"]')
[ "$lost" -gt 0 ] || fail "expected losses beyond the 3000-alert bound"
note "full: $(json "$T/p.json" 'd["store"]["stored"]') stored, $(json "$T/p.json" 'd["store"]["queued"]') queued, $lost lost"

note "space returns"
mount -o remount,size=64m "$T/mnt" || fail "remount"
wait_for 30 '[ "$(json "$T/p.json" "d[\"store\"][\"failing\"]")" = False ] && [ "$(json "$T/p.json" "d[\"store\"][\"queued\"]")" -eq 0 ]' ||
    fail "the store did not resume: $(cat "$T/p.json")"
kill -TERM $G; wait $G
stored=$(sqlite3 "$T/mnt/a.db" "SELECT count(*) FROM alerts WHERE source = 'syscall'")
lost=$(json "$T/s.json" 'd["store"]["lost"]')
[ $((stored + lost)) -eq $N ] || fail "stored $stored + lost $lost != $N"
# Nothing between the last row stored and the first dropped is missing:
# the queue keeps the oldest alerts, so the stored ones are 1..stored.
[ "$(sqlite3 "$T/mnt/a.db" "SELECT max(json_extract(output_fields, '\$.\"aw.seq\"')) FROM alerts WHERE source = 'syscall'")" -eq "$stored" ] ||
    fail "stored alerts are not a prefix"
[ "$(sqlite3 "$T/mnt/a.db" "SELECT json_extract(output_fields, '\$.\"store.lost\"') FROM alerts WHERE rule = 'auditwatch internal: alert store recovered'")" -eq "$lost" ] ||
    fail "the recovery alert does not report the loss"
[ "$(sqlite3 "$T/mnt/a.db" "SELECT count(*) FROM alerts WHERE rule = 'auditwatch internal: alert store failure'")" -ge 1 ] ||
    fail "the failure alert was not stored"
[ "$(sqlite3 "$T/mnt/a.db" "PRAGMA integrity_check")" = ok ] || fail "integrity_check"
note "stored $stored, lost $lost (exact)"
echo PASS
