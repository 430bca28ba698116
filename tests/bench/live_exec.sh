#!/bin/bash
# live_exec.sh — live benchmark of the netlink source (issue 2).
#
# 1. Exec rate with an execve-only audit rule set at the highest rate this
#    machine reaches (aw_execloop: posix_spawn + wait of a copy of
#    /bin/true, one loop per CPU), in three set-ups measured in the same
#    run, interleaved over several rounds (median):
#      off        audit disabled, no rules;
#      drain      aw_nlreader: registers as the daemon, installs the same
#                 rules as auditwatch, only drains its socket (the peer);
#      auditwatch `auditwatch run` (its output: alerts, none without rules);
#      aw+events  `auditwatch run --events` writing every event as JSON to a
#                 file (also counts events seen vs execs made).
#    Target: auditwatch's rate within 5 % of the drain-only reader's.
# 2. Stall: auditwatch with its processing thread stalled 3 s after the
#    first record (debug.stall_ms_after_first_event) while execs run at
#    1,000/s for 6 s. Target: every exec has its event (none lost).
#
# Run as root from the build directory (or set top_builddir/top_srcdir):
#   sh /path/to/tests/bench/live_exec.sh
# Env: DURATION (s per measurement, 4), ROUNDS (8), WORKERS (nproc),
# STALL_MS (3000), STALL_RATE (1000), STALL_SECONDS (6).
# It holds the live-test lock, and restores kernel audit state on exit.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
AUDITWATCH=${AUDITWATCH:-$top_builddir/auditwatch}
export top_srcdir top_builddir AUDITWATCH

# One kernel audit state per machine: never beside the live tests.
if [ -z "${AW_BENCH_LOCKED:-}" ]; then
	AW_BENCH_LOCKED=1 exec flock /run/lock/auditwatch-live-tests.lock \
	    bash "$0" "$@"
fi

make -C "$top_builddir" -s auditwatch tests/live/aw_nlreader \
    tests/bench/aw_execloop >/dev/null || { echo "build failed"; exit 1; }
EXECLOOP="$top_builddir/tests/bench/aw_execloop"

. "$top_srcdir/tests/live/lib.sh" || exit 99

DURATION=${DURATION:-4}
ROUNDS=${ROUNDS:-8}
WORKERS=${WORKERS:-$(nproc)}
STALL_MS=${STALL_MS:-3000}
STALL_RATE=${STALL_RATE:-1000}
STALL_SECONDS=${STALL_SECONDS:-6}
PROG=$(make_cmd awbenchtrue)

cpu_ns() {	# CPU time of all live threads of a pid so far, in ns
	# (se.sum_exec_runtime, ms with ns decimals; the threads live for
	# the whole measurement)
	cat /proc/"$1"/task/*/sched 2>/dev/null |
	    awk '/^se.sum_exec_runtime/ { s += $3 } END { printf "%d\n", s * 1000000 }'
}

# cpu_figures FILE T0 T1: the reader's CPU share (%) and its CPU cost per
# exec (us), appended to the loop's output FILE.
cpu_figures() {
	local execs
	execs=$(sed -n 's/.*execs=\([0-9]*\).*/\1/p' "$1")
	echo "cpu=$(( ($3 - $2) / 10000000 / DURATION ))" >>"$1"
	echo "us_per_exec=$(( ($3 - $2) / 1000 / (execs > 0 ? execs : 1) ))" >>"$1"
}

rate_of() {	# rate_of FILE: the rate= figure of aw_execloop's output
	sed -n 's/.*rate=\([0-9]*\).*/\1/p' "$1"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

run_off() {
	auditctl -e 0 >/dev/null
	"$EXECLOOP" "$DURATION" 0 "$PROG" "$WORKERS" >"$TMP/off.$1"
	auditctl -e "$ORIG_ENABLED" >/dev/null
}

run_drain() {
	local t0 t1
	"$NLREADER" --mode unicast --rules "$KEY" --match 'comm="awbenchtrue"' \
	    >"$TMP/drain.out.$1" 2>"$TMP/drain.log" &
	local pid=$!
	STARTED="$STARTED $pid"
	for i in $(seq 50); do
		grep -q ready "$TMP/drain.out.$1" && break
		sleep 0.1
	done
	t0=$(cpu_ns "$pid")
	"$EXECLOOP" "$DURATION" 0 "$PROG" "$WORKERS" >"$TMP/drain.$1"
	t1=$(cpu_ns "$pid")
	sleep 0.5
	stop_pid "$pid"
	wait "$pid"
	cpu_figures "$TMP/drain.$1" "$t0" "$t1"
}

run_aw() {	# run_aw ROUND [--events]
	local t0 t1 ev=${2:-} name="aw${2:-}$1" out="$TMP/aw${2:-}.$1"
	start_aw "$name" run $ev
	wait_ready "$name"
	t0=$(cpu_ns "$AWPID")
	"$EXECLOOP" "$DURATION" 0 "$PROG" "$WORKERS" >"$out"
	t1=$(cpu_ns "$AWPID")
	sleep 0.5
	stop_pid "$AWPID"
	wait_exit "$AWPID" 30
	cpu_figures "$out" "$t0" "$t1"
	if [ -n "$ev" ]; then
		echo "events=$(grep -cF "\"exe\":\"$PROG\"" "$TMP/$name.events")" >>"$out"
	fi
}

echo "live exec benchmark: $WORKERS exec loops, $DURATION s per run, $ROUNDS rounds (median); kernel $(uname -r)"
# Rotate the order each round, so slow drifts in background load do not
# always favour the same set-up; ratios are taken within a round.
SETUPS="off drain aw aw--events"
for r in $(seq "$ROUNDS"); do
	order=$(echo $SETUPS $SETUPS | cut -d' ' -f$(( (r - 1) % 4 + 1 ))-$(( (r - 1) % 4 + 4 )))
	for s in $order; do
		case $s in
		off) run_off "$r" ;;
		drain) run_drain "$r" ;;
		aw) run_aw "$r" ;;
		aw--events) run_aw "$r" --events ;;
		esac
	done
	printf '  round %d: off %s/s, drain %s/s, auditwatch %s/s, auditwatch --events %s/s\n' \
	    "$r" "$(rate_of "$TMP/off.$r")" "$(rate_of "$TMP/drain.$r")" \
	    "$(rate_of "$TMP/aw.$r")" "$(rate_of "$TMP/aw--events.$r")"
done

med() {	# med PREFIX: median rate over the rounds
	for r in $(seq "$ROUNDS"); do rate_of "$TMP/$1.$r"; done | median
}
medcpu() {
	for r in $(seq "$ROUNDS"); do sed -n 's/^cpu=//p' "$TMP/$1.$r"; done | median
}
medus() {
	for r in $(seq "$ROUNDS"); do sed -n 's/^us_per_exec=//p' "$TMP/$1.$r"; done | median
}
medratio() {	# medratio A B: median over rounds of 1000 * A/B (per mille)
	for r in $(seq "$ROUNDS"); do
		echo $(( $(rate_of "$TMP/$1.$r") * 1000 / $(rate_of "$TMP/$2.$r") ))
	done | median
}
OFF=$(med off)
DRAIN=$(med drain)
AW=$(med aw)
AWE=$(med aw--events)
# Completeness in the last round: events seen / execs made.
E_EXECS=$(sed -n 's/.*execs=\([0-9]*\).*/\1/p' "$TMP/aw--events.$ROUNDS")
E_EVENTS=$(sed -n 's/^events=//p' "$TMP/aw--events.$ROUNDS")
D_EXECS=$(sed -n 's/.*execs=\([0-9]*\).*/\1/p' "$TMP/drain.$ROUNDS")
D_MATCHED=$(sed -n 's/.*matched=\([0-9]*\).*/\1/p' "$TMP/drain.out.$ROUNDS")

permille() { awk -v p="$1" 'BEGIN { printf "%.1f", p / 10 }'; }
R_DRAIN=$(medratio drain off)
R_AW=$(medratio aw drain)
R_AWE=$(medratio aw--events drain)

echo
echo "  medians over $ROUNDS rounds (ratios: median of the per-round ratios)"
printf '  %-24s %6s execs/s\n' "audit off" "$OFF"
printf '  %-24s %6s execs/s  %5s%% of off; reader %s%% CPU; %s us CPU/exec; last round %s/%s execs seen\n' \
    "drain-only reader" "$DRAIN" "$(permille "$R_DRAIN")" "$(medcpu drain)" "$(medus drain)" "$D_MATCHED" "$D_EXECS"
printf '  %-24s %6s execs/s  %5s%% of drain-only; auditwatch %s%% CPU, %s us CPU/exec\n' \
    "auditwatch run" "$AW" "$(permille "$R_AW")" "$(medcpu aw)" "$(medus aw)"
printf '  %-24s %6s execs/s  %5s%% of drain-only; auditwatch %s%% CPU, %s us CPU/exec; last round %s/%s execs seen\n' \
    "auditwatch run --events" "$AWE" "$(permille "$R_AWE")" "$(medcpu aw--events)" "$(medus aw--events)" "$E_EVENTS" "$E_EXECS"
if [ "$R_AW" -ge 950 ]; then
	echo "  target (auditwatch run >= 95% of drain-only): met"
else
	echo "  target (auditwatch run >= 95% of drain-only): MISSED"
fi

# ---------------------------------------------------------------- stall
echo
echo "stall: processing stalled ${STALL_MS} ms after the first record, ${STALL_RATE} execs/s for ${STALL_SECONDS} s"
LOST0=$(field lost)
start_aw stall -o "debug.stall_ms_after_first_event=$STALL_MS" run --events
wait_ready stall
"$EXECLOOP" "$STALL_SECONDS" "$STALL_RATE" "$PROG" 1 >"$TMP/stall.loop"
sleep 1
stop_pid "$AWPID"
wait_exit "$AWPID" 30
LOST1=$(field lost)
S_EXECS=$(sed -n 's/.*execs=\([0-9]*\).*/\1/p' "$TMP/stall.loop")
S_EVENTS=$(grep -cF "\"exe\":\"$PROG\"" "$TMP/stall.events")
grep -q "debug: stalling" "$TMP/stall.log" || echo "  (warning: the stall did not happen)"
SUMMARY=$(sed -n 's/.*info: stopped: //p' "$TMP/stall.log")
printf '  execs %s, events %s, lost %s; kernel lost +%s; %s\n' "$S_EXECS" \
    "$S_EVENTS" "$((S_EXECS - S_EVENTS))" "$((LOST1 - LOST0))" "$SUMMARY"
if [ "$S_EXECS" = "$S_EVENTS" ]; then
	echo "  target (no event lost): met"
else
	echo "  target (no event lost): MISSED"
fi
