#!/bin/sh
# flood_reasm.sh — bounded memory under hostile load: one million events
# that never complete (no EOE, distinct serials).
# Peak RSS under a bound from the configured limits, evictions counted,
# an attack after the flood still detected. See stress.py.
: "${AUDITWATCH:?}" "${top_srcdir:?}"
command -v python3 >/dev/null 2>&1 || {
	[ "${CI:-}" = true ] && { echo "FAIL: python3 is required"; exit 1; }
	echo "SKIP: python3 not found"; exit 77
}
exec python3 "$top_srcdir/tests/stress/stress.py" reasm
