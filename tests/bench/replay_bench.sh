#!/bin/sh
# replay_bench.sh — replay throughput and memory of auditwatch next to
# ausearch and laurel, on the same generated audit.log, in one run.
#
#   make bench-replay            (or: tests/bench/replay_bench.sh)
#
# Environment (all optional):
#   AUDITWATCH      auditwatch binary            (default: ./auditwatch)
#   BENCH_RECORDS   records in the main file     (default: 2200000)
#   BENCH_RUNS      timed runs per tool, best kept (default: 3; laurel 1)
#   BENCH_CPU       CPU to pin every tool to     (default: 1, or 0 on 1 CPU)
#   BENCH_DIR       where the logs are generated (default: $TMPDIR/aw-bench.$$)
#   BENCH_KEEP=1    keep the generated logs (they are ~0.5 and ~1.1 GB)
#   BENCH_LAUREL=0  skip laurel (about 3 minutes on the main file)
#   BENCH_STRICT=1  exit 1 if a target is missed
#
# What it does: tests/bench/gen_auditlog.py writes FILE1 (BENCH_RECORDS
# records) and FILE2 (twice as many) with the record mix of a real host.
# Each tool reads FILE1 pinned to one CPU under /usr/bin/time -v:
#   auditwatch replay --events FILE1 > /dev/null
#   ausearch --format raw -if FILE1 > /dev/null
#   laurel -c CONF < FILE1   (CONF: output to stdout, which is /dev/null,
#                             no /proc enrichment: the pids are synthetic)
# and auditwatch also reads FILE2, to show that its peak RSS does not grow
# with the input. records/s = records / wall-clock seconds (the page cache
# is warmed first). Targets (issue 2): auditwatch >= 1,000,000 records/s,
# >= 6x ausearch raw, peak RSS <= 64 MiB for both sizes.
set -eu

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
AUDITWATCH=${AUDITWATCH:-./auditwatch}
RECORDS=${BENCH_RECORDS:-2200000}
RUNS=${BENCH_RUNS:-3}
KEEP=${BENCH_KEEP:-0}
LAUREL=${BENCH_LAUREL:-1}
STRICT=${BENCH_STRICT:-0}
if [ "$(nproc 2>/dev/null || echo 1)" -gt 1 ]; then cpu_default=1; else
	cpu_default=0; fi
CPU=${BENCH_CPU:-$cpu_default}
DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/aw-bench.$$}

die() { echo "replay_bench: $*" >&2; exit 2; }

[ -x "$AUDITWATCH" ] || die "$AUDITWATCH not built (run make first)"
[ -x /usr/bin/time ] || die "/usr/bin/time missing: apt-get install time"
command -v python3 >/dev/null || die "python3 missing"
command -v ausearch >/dev/null || die "ausearch missing: apt-get install auditd"
if [ "$LAUREL" = 1 ] && ! command -v laurel >/dev/null; then
	echo "replay_bench: laurel not installed (apt-get install laurel):" \
	    "skipped" >&2
	LAUREL=0
fi
pin=""
command -v taskset >/dev/null && pin="taskset -c $CPU"

mkdir -p "$DIR"
cleanup() {
	rm -rf "$DIR/laurel" "$DIR/time.out" "$DIR/stats.out" "$DIR/sample.log"
	if [ "$KEEP" != 1 ]; then
		rm -f "$DIR/file1.log" "$DIR/file2.log" "$DIR/sample.log" \
		    "$DIR/file1.log.records" "$DIR/file2.log.records"
		rmdir "$DIR" 2>/dev/null || :
	fi
}
trap cleanup EXIT INT TERM

# ---------------------------------------------------------------- inputs
gen() {		# gen FILE RECORDS SEED: reuse a kept file of that size
	if [ -s "$1" ] && [ "$(cat "$1.records" 2>/dev/null)" = "$2" ]; then
		echo "reusing $1"
		return 0
	fi
	python3 "$top_srcdir/tests/bench/gen_auditlog.py" --records "$2" \
	    --seed "$3" --out "$1"
	echo "$2" > "$1.records"
}
echo "generating $RECORDS and $((RECORDS * 2)) records in $DIR ..."
gen "$DIR/file1.log" "$RECORDS" 1
gen "$DIR/file2.log" "$((RECORDS * 2))" 2
n1=$(wc -l < "$DIR/file1.log")		# the generator may write a few more
n2=$(wc -l < "$DIR/file2.log")

mkdir -p "$DIR/laurel"
cat > "$DIR/laurel/config.toml" <<EOF
directory = "$DIR/laurel"
statusreport-period = 0
[auditlog]
file = "-"
[transform]
execve-argv = [ "array" ]
[translate]
universal = false
user-db = false
[enrich]
pid = true
execve-env = []
container = false
script = false
EOF

# ---------------------------------------------------------------- sanity
# Each tool must really process the input: on a sample, auditwatch reads
# every record without a parse error, ausearch prints every record, and
# laurel emits as many events as auditwatch.
head -n 100000 "$DIR/file1.log" > "$DIR/sample.log"
"$AUDITWATCH" replay --stats "$DIR/sample.log" 2> "$DIR/stats.out"
aw_ev=$(sed -n 's/.* events=\([0-9]*\).*/\1/p' "$DIR/stats.out")
grep -q "records=100000 parse_errors=0 " "$DIR/stats.out" ||
    die "auditwatch did not read the sample cleanly: $(cat "$DIR/stats.out")"
n=$(ausearch --format raw -if "$DIR/sample.log" | grep -c '^type=' || :)
[ "$n" = 100000 ] || die "ausearch printed $n of 100000 sample records"
if [ "$LAUREL" = 1 ]; then
	n=$(laurel -c "$DIR/laurel/config.toml" < "$DIR/sample.log" \
	    2>/dev/null | grep -c '"ID"' || :)
	[ "$n" = "$aw_ev" ] ||
	    die "laurel emitted $n events, auditwatch $aw_ev, on the sample"
fi

# ---------------------------------------------------------------- timing
# measure LABEL RECORDS RUNS STDIN-FILE CMD...: best wall time of RUNS,
# with that run's CPU time; peak RSS is the maximum over the runs.
results=""
measure() {
	label=$1 nrec=$2 runs=$3 input=$4
	shift 4
	best="" cpu="" rss=0 i=0
	while [ "$i" -lt "$runs" ]; do
		# shellcheck disable=SC2086
		/usr/bin/time -v -o "$DIR/time.out" $pin "$@" \
		    < "$input" > /dev/null 2>&1 ||
		    die "$label failed: $(tail -5 "$DIR/time.out")"
		w=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":");
		    s = 0; for (j = 1; j <= n; j++) s = s * 60 + t[j]; print s }' \
		    "$DIR/time.out")
		c=$(awk -F': ' '/User time|System time/ { s += $2 } END {
		    print s }' "$DIR/time.out")
		r=$(awk -F': ' '/Maximum resident set size/ { print $2 }' \
		    "$DIR/time.out")
		if [ -z "$best" ] || awk "BEGIN { exit !($w < $best) }"; then
			best=$w cpu=$c
		fi
		[ "$r" -gt "$rss" ] && rss=$r
		i=$((i + 1))
	done
	results="$results$label|$nrec|$best|$cpu|$rss
"
	printf '  %-34s %8.2f s wall  %8.2f s cpu  %8.1f MiB\n' "$label" \
	    "$best" "$cpu" "$(awk "BEGIN { print $rss / 1024 }")"
}

cat "$DIR/file1.log" "$DIR/file2.log" > /dev/null	# warm the page cache
echo "timing (pinned to CPU $CPU, best of $RUNS; laurel 1 run):"
measure "auditwatch replay --events" "$n1" "$RUNS" /dev/null \
    "$AUDITWATCH" replay --events "$DIR/file1.log"
measure "ausearch --format raw" "$n1" "$RUNS" /dev/null \
    ausearch --format raw -if "$DIR/file1.log"
if [ "$LAUREL" = 1 ]; then
	measure "laurel $(laurel --version 2>/dev/null | head -1)" \
	    "$n1" 1 "$DIR/file1.log" laurel -c "$DIR/laurel/config.toml"
fi
measure "auditwatch replay --events (x2)" "$n2" "$RUNS" \
    /dev/null "$AUDITWATCH" replay --events "$DIR/file2.log"

# ---------------------------------------------------------------- report
awk -F'|' -v strict="$STRICT" -v s1="$(wc -c < "$DIR/file1.log")" \
    -v s2="$(wc -c < "$DIR/file2.log")" '
NF < 5 { next }
{
	k++
	lab[k] = $1; n[k] = $2; rps[k] = $2 / $3; crps[k] = $2 / $4
	rss[k] = $5 / 1024
	if ($1 ~ /^auditwatch/ && $1 !~ /x2/) aw = k
	if ($1 ~ /x2/) aw2 = k
	if ($1 ~ /^ausearch/) au = k
	if ($1 ~ /^laurel/) la = k
}
END {
	printf "\nreplay benchmark: FILE1 %d records (%.0f MB), FILE2 %d records (%.0f MB)\n",
	    n[aw], s1 / 1e6, n[aw2], s2 / 1e6
	printf "%-34s %14s %14s %12s\n", "tool", "records/s", "rec/cpu-s", "peak RSS"
	for (i = 1; i <= k; i++)
		printf "%-34s %14.0f %14.0f %8.1f MiB\n", lab[i], rps[i], crps[i], rss[i]
	printf "\nratios (same file, same run):\n"
	printf "  auditwatch / ausearch raw : %6.2fx records/s, %7.3fx RSS\n",
	    rps[aw] / rps[au], rss[aw] / rss[au]
	if (la)
		printf "  auditwatch / laurel       : %6.2fx records/s, %7.3fx RSS\n",
		    rps[aw] / rps[la], rss[aw] / rss[la]
	printf "  auditwatch RSS FILE2/FILE1: %6.2fx (input 2x)\n", rss[aw2] / rss[aw]
	fail = 0
	printf "\ntargets:\n"
	t1 = rps[aw] >= 1000000; t2 = rps[aw] / rps[au] >= 6
	t3 = rss[aw] <= 64 && rss[aw2] <= 64
	printf "  >= 1,000,000 records/s on one core : %s (%.0f)\n",
	    t1 ? "met" : "MISSED", rps[aw]
	printf "  >= 6x ausearch --format raw        : %s (%.2fx)\n",
	    t2 ? "met" : "MISSED", rps[aw] / rps[au]
	printf "  peak RSS <= 64 MiB at both sizes   : %s (%.1f / %.1f MiB)\n",
	    t3 ? "met" : "MISSED", rss[aw], rss[aw2]
	if (strict && !(t1 && t2 && t3)) exit 1
}' <<EOF
$results
EOF
