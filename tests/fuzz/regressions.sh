#!/bin/sh
# regressions.sh — replay every file of tests/fuzz/regressions/<target>/
# through that fuzz target's entry point, without libFuzzer (the
# regress_<name> drivers: the target linked with replay_main.c), in every
# build of `make check`, gcc or clang, sanitizers or not. A file that
# crashed a target once keeps it fixed: see tests/fuzz/README.
set -u
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
status=0
for name in log wire rules reasm; do
	dir="$top_srcdir/tests/fuzz/regressions/fuzz_$name"
	bin="$top_builddir/tests/fuzz/regress_$name"
	if [ ! -x "$bin" ]; then
		echo "FAIL: $bin not built"
		status=1
		continue
	fi
	n=$(find "$dir" -maxdepth 1 -type f ! -name '.*' 2>/dev/null | wc -l)
	if [ "$n" -eq 0 ]; then
		echo "FAIL: no regression inputs in $dir"
		status=1
		continue
	fi
	if "$bin" "$dir" 2>"$top_builddir/tests/fuzz/regress_$name.log"; then
		echo "ok: fuzz_$name: $n inputs"
	else
		echo "FAIL: fuzz_$name (exit $?):"
		tail -n 30 "$top_builddir/tests/fuzz/regress_$name.log"
		status=1
	fi
done
exit $status
