#!/bin/sh
# enrich.sh — benchmark of the enrichment stage (issue 5): per-event cost
# with and without enrichment over the captured scenario log (replayed,
# same run, interleaved rounds), cgroup reads per process, and process
# table memory for 100,000 processes. See enrich_bench.c for what is
# measured. Run from the build directory:
#   sh /path/to/tests/bench/enrich.sh [ROUNDS] [REPEAT]
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
AW_SHARED=${AW_SHARED:-$top_srcdir/../shared}
LOG=$AW_SHARED/fixtures/audit/local/scenarios.audit.log
[ -r "$LOG" ] || { echo "enrich.sh: no $LOG" >&2; exit 1; }
exec "$top_builddir/tests/bench/enrich_bench" "$LOG" "${1:-7}" "${2:-20}"
