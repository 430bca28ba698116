#!/bin/sh
# corpus.sh — replay the public audit-log corpus in ../shared and compare
# with the reference reader and upstream expected outputs (corpus.py).
#
# The corpus lives beside the checkout ($top_srcdir/../shared, or
# $AW_SHARED). Without it the test is skipped, except in CI (CI=true)
# where a missing corpus is a failure.
. "${top_srcdir:-.}/tests/corpus/common.sh"
need_corpus public
exec python3 "$top_srcdir/tests/corpus/corpus.py" "$shared" "$AUDITWATCH"
