#!/bin/sh
# scenarios.sh — the local 6.18 capture as auditd's log (no EOE) and as
# netlink datagrams (fed by tests/tools/nlfeed to aw_pipeline_datagram):
# same events, and the events each scenario phase must produce
# (scenarios.py).
. "${top_srcdir:-.}/tests/corpus/common.sh"
need_corpus local
nlfeed="$top_builddir/tests/tools/nlfeed"
[ -x "$nlfeed" ] || fail_setup "$nlfeed not built (make check builds it)"
exec python3 "$top_srcdir/tests/corpus/scenarios.py" "$shared" \
    "$AUDITWATCH" "$nlfeed"
