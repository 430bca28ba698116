#!/bin/bash
# krules_bench.sh — kernel rule pushdown on a file-heavy workload (issue 4).
#
# The workload (aw_filework): read BENCH_FILES files under /usr, write
# BENCH_FILES files under /tmp, and, spread among them, BENCH_ETC files
# below /etc: the alert-relevant events, since the one rule watches writes
# below /etc. Set-ups, measured in the same run, interleaved over
# BENCH_ROUNDS rounds (medians):
#   off       audit disabled, no rules (the baseline);
#   enabled   audit enabled, a reader registered, no rules: the entry and
#             exit hooks alone (their context is a "dummy" while no rule
#             exists, so nothing is collected);
#   pushdown  auditwatch run, rule "write below /etc" for host processes
#             (container.id = host): dir=/etc perm=w success=1 in the
#             kernel;
#   ctr-rule  the same rule without container.id = host: it can match in
#             containers, so its path is not pushed down (perm=w and
#             success=1 only; audit.pushdown_paths: host, the default);
#   no-push   auditwatch run -o audit.pushdown=false: plain syscall rules;
#   floor     audit enabled with one exit rule for a syscall nobody makes
#             (read by aw_nlreader): once any exit rule exists, the kernel
#             collects names and inodes for every system call of every
#             process; no rule set costs less than this;
#   auditd    auditd-style hand-written rules through auditctl (execve and
#             execveat for b64 and b32, -w /etc -p wa) read by auditd
#             itself (its log in a temporary directory), or by the minimal
#             reader aw_nlreader when auditd is not installed or
#             BENCH_AUDITD=0.
# Reported per set-up: workload wall and CPU seconds and slowdown against
# "off" (the target is on CPU time: the kernel charges audit's work on a
# call to the caller, and wall time on a busy machine is mostly noise);
# records delivered to user space per second (everything, the machine's
# other activity included, counted by a multicast reader); the workload's
# own events (SYSCALL records) per alert-relevant event; the reader's CPU
# use while the workload ran; and the alerts raised (auditwatch set-ups).
# Targets: pushdown <= 2 events per alert-relevant event and <= 5 %
# slowdown; no-push >= 50x the events of pushdown.
#
# Noise, and where the cost is. On the shared 2-core VM this was written
# on, the file workload's CPU time varies by +-15 % or more between
# adjacent runs of one set-up (the writes' journal and page-cache work is
# charged to the writer, and other jobs share the disk and memory): the
# "paired [q1,q3]" column (each round against "off" of the same round)
# shows that spread, and a 5 % target cannot be told apart from it there.
# Session 1's "pushdown 12.4 %, auditd 8.3 %, any single rule ~14 %" were
# single medians inside that spread, not differences. Two later 7- and
# 9-round runs: pushdown 4.8 % then 19.2 % by medians, paired medians
# -0.8 % and 8.0 % with quartiles [-9, +23] and [-8, +30]; "enabled"
# -8.9 % and -2.2 %. So each set-up also runs a read-only pass
# (BENCH_MICRO times, least CPU kept): the same files read 10 times,
# nothing written, 600,000 open/read/close calls where audit's per-call
# cost is a large, stable share (paired quartiles ~+-2 %). Measured there
# (6.18 kernel, interleaved 5-round runs, paired medians against off):
#   enabled (hooks, no rule)                      -1 .. +1 %
#   floor (one exit rule, kexec_load)             +11 .. +13 %
#   nine exit rules for unused syscalls           +14 %  (~0.3 % a rule)
#   auditd's set (execve b64/b32, -w /etc -p wa)  +12 .. +16 %
#   auditwatch pushdown set (9 rules)             +16 .. +19 %
#   same without the self-exclusion -S all rule   same as with it
#   -a never,exit -S read,close,openat first      +19 %  (no help: names
#       and inodes are collected during the call, before exit filtering)
#   -a never,task (processes started after it)    -4 %   (= off)
# The floor is the per-task syscall context the kernel fills once any
# syscall rule exists (getname and inode copies, a pwd reference, the
# exit-list walk), ~100 ns a call here, on every call of every audited
# process whatever the rules say; only excluding whole tasks at fork
# (never,task) avoids it, which would blind detection. A rule set adds to
# it: each rule a little on every call, rules whose syscalls match (open
# here) their fields, dir= the tree walk; ours adds 3-5 % of a syscall-
# bound loop over the floor, as much as auditd's within the spread. The
# file workload makes ~40,000 opens and 80,000 other calls in ~1 s of
# CPU, so floor + rules there should be ~2-3 % on a quiet machine; on
# this VM that is below what the main table can resolve. A 7-round run
# on the quiet VM (2026-12-05): file workload, pushdown 5.4 % by medians
# (paired median 1.7 %, quartiles [-0.7, 13.5]), floor 11.9 %, auditd
# 18.9 %; read-only pass floor 14.5 %, pushdown 17.9 %, auditd 15.6 %.
# BENCH_STRICT=1 makes missed targets an exit status of 1.
#
# Run as root: make bench-krules, or from the build directory
#   sh /path/to/tests/bench/krules_bench.sh
# It holds the live-test lock and restores kernel audit state on exit.

top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$(pwd)}
AUDITWATCH=${AUDITWATCH:-$top_builddir/auditwatch}
export top_srcdir top_builddir AUDITWATCH

if [ -z "${AW_BENCH_LOCKED:-}" ]; then
	AW_BENCH_LOCKED=1 exec flock /run/lock/auditwatch-live-tests.lock \
	    bash "$0" "$@"
fi

make -C "$top_builddir" -s auditwatch tests/live/aw_nlreader \
    tests/bench/aw_filework >/dev/null || { echo "build failed"; exit 1; }
WORK="$top_builddir/tests/bench/aw_filework"
NLREADER="$top_builddir/tests/live/aw_nlreader"

. "$top_srcdir/tests/live/lib.sh" || exit 99

FILES=${BENCH_FILES:-20000}
NETC=${BENCH_ETC:-100}
ROUNDS=${BENCH_ROUNDS:-5}
ETCDIR=/etc/awbench.$$
WDIR="$TMP/writes"
mkdir -p "$ETCDIR" "$WDIR" || fail "cannot create $ETCDIR"
trap 'rc=$?; rm -rf "$ETCDIR"; (exit $rc); restore_all' EXIT

# FILES readable files under /usr (repeated if there are fewer).
find /usr -xdev -type f -size -64k -readable 2>/dev/null | head -n "$FILES" \
    >"$TMP/list1"
[ -s "$TMP/list1" ] || fail "no files under /usr"
: >"$TMP/list"
while [ "$(wc -l <"$TMP/list")" -lt "$FILES" ]; do
	cat "$TMP/list1" >>"$TMP/list"
done
head -n "$FILES" "$TMP/list" >"$TMP/list.n" && mv "$TMP/list.n" "$TMP/list"
# The read-only pass: the same files read 10 times, nothing written. Its
# CPU time is path lookups and the syscalls themselves, where the audit
# hooks' cost lands, without the journal and writeback noise of the writes.
for _ in 1 2 3 4 5 6 7 8 9 10; do cat "$TMP/list"; done >"$TMP/list10"
MICRO=${BENCH_MICRO:-3}

rule() {	# rule FILE EXTRA-CONDITION
	cat >"$1" <<EOF
- rule: Write below etc
  desc: a file below /etc opened for writing
  condition: >
    evt.type in (open, openat, openat2, creat) and evt.is_open_write = true
    and fd.typechar = f and fd.num >= 0 and fd.name startswith /etc/ $2
  output: write below etc (file=%fd.name proc=%proc.name)
  priority: ERROR
EOF
}
rule "$TMP/host.yaml" "and container.id = host"
rule "$TMP/ctr.yaml" ""
AWOPTS=(-o json_output=true -o syslog_output.enabled=false
    -o "sqlite.path=$TMP/alerts.db" -o noise_control.enabled=false)

USE_AUDITD=0
if [ "${BENCH_AUDITD:-1}" = 1 ] && command -v auditd >/dev/null; then
	USE_AUDITD=1
	mkdir -p "$TMP/auditd/plugins.d"
	sed -e "s|^log_file *=.*|log_file = $TMP/auditd/audit.log|" \
	    -e "s|^plugin_dir *=.*|plugin_dir = $TMP/auditd/plugins.d|" \
	    -e 's|^\(space_left_action\|admin_space_left_action\|disk_full_action\|disk_error_action\) *=.*|\1 = IGNORE|' \
	    -e 's|^verify_email *=.*|verify_email = no|' \
	    /etc/audit/auditd.conf >"$TMP/auditd/auditd.conf" 2>/dev/null ||
	    USE_AUDITD=0
	chmod 600 "$TMP/auditd/auditd.conf" 2>/dev/null
fi

cpu_ns() {	# CPU time of a process (all threads) so far, in ns
	cat /proc/"$1"/task/*/sched 2>/dev/null |
	    awk '/^se.sum_exec_runtime/ { s += $3 } END { printf "%d\n", s * 1000000 }'
}

READER=""	# the process that reads records for this set-up

start_reader() {	# the minimal reader as the audit daemon
	"$NLREADER" >"$TMP/nl.out" 2>&1 &
	READER=$!
	STARTED="$STARTED $READER"
	auditctl -e 1 >/dev/null
	for _ in $(seq 50); do
		grep -q ready "$TMP/nl.out" && return 0
		sleep 0.1
	done
	fail "aw_nlreader did not start"
}

setup() {	# setup NAME: start what the set-up needs; reader pid in READER
	local name=$1
	READER=""
	case $name in
	off)
		auditctl -e 0 >/dev/null
		return 0 ;;
	pushdown)
		start_aw "$name" -r "$TMP/host.yaml" "${AWOPTS[@]}" run ;;
	ctr-rule)
		start_aw "$name" -r "$TMP/ctr.yaml" "${AWOPTS[@]}" run ;;
	no-push)
		start_aw "$name" -r "$TMP/host.yaml" "${AWOPTS[@]}" \
		    -o audit.pushdown=false run ;;
	enabled)
		auditctl -b 8192 --backlog_wait_time 0 >/dev/null
		start_reader
		return 0 ;;
	floor)
		auditctl -b 8192 --backlog_wait_time 0 >/dev/null
		auditctl -a always,exit -F arch=b64 -S kexec_load -k "$KEY" ||
		    fail "auditctl refused the rule"
		start_reader
		return 0 ;;
	auditd)
		auditctl -b 8192 --backlog_wait_time 0 >/dev/null
		auditctl -a always,exit -F arch=b64 -S execve,execveat -k "$KEY" &&
		auditctl -a always,exit -F arch=b32 -S execve,execveat -k "$KEY" &&
		auditctl -w /etc -p wa -k "$KEY" || fail "auditctl refused the rules"
		if [ "$USE_AUDITD" = 1 ]; then
			auditd -f -n -s enable -c "$TMP/auditd" \
			    >"$TMP/auditd.out" 2>&1 &
			READER=$!
			STARTED="$STARTED $READER"
			for _ in $(seq 50); do
				[ "$(field pid)" = "$READER" ] && return 0
				sleep 0.1
			done
			fail "auditd did not register: $(tail -n 5 "$TMP/auditd.out")"
		fi
		start_reader
		return 0 ;;
	esac
	wait_ready "$name"
	READER=$AWPID
}

teardown() {	# teardown NAME: stop the reader, remove hand-written rules
	local name=$1
	if [ -n "$READER" ]; then
		stop_pid "$READER"
		wait "$READER" 2>/dev/null
	fi
	if [ "$name" = auditd ] || [ "$name" = floor ] ||
	    [ "$name" = enabled ]; then
		auditctl -D -k "$KEY" >/dev/null 2>&1
		$AWCTL clear-dead-pid >/dev/null 2>&1
		auditctl -e 0 >/dev/null
	fi
}

# Warm up: files created, caches filled, before anything is measured.
"$WORK" "$TMP/list" "$WDIR" "$ETCDIR" "$FILES" "$NETC" >/dev/null ||
    fail "workload failed"
SETUPS=${BENCH_SETUPS:-off enabled floor pushdown ctr-rule no-push auditd}
: >"$TMP/results"
for round in $(seq "$ROUNDS"); do
	# A different order each round: no set-up always runs first.
	order=$(echo $SETUPS | tr ' ' '\n' | awk -v r="$round" \
	    '{ a[NR] = $0 } END { for (i = 0; i < NR; i++) print a[(i + r) % NR + 1] }')
	for name in $order; do
		setup "$name"
		# Everything delivered to user space, and the workload's own
		# events, counted by a multicast reader beside the set-up.
		"$NLREADER" --mode multicast --match 'comm="aw_filework"' \
		    >"$TMP/mc.out" 2>&1 &
		MC=$!
		STARTED="$STARTED $MC"
		for _ in $(seq 50); do grep -q ready "$TMP/mc.out" && break; sleep 0.1; done
		sync
		c0=0
		[ -n "$READER" ] && c0=$(cpu_ns "$READER")
		t0=$(date +%s%N)
		out=$("$WORK" "$TMP/list" "$WDIR" "$ETCDIR" "$FILES" "$NETC") ||
		    fail "workload failed"
		t1=$(date +%s%N)
		c1=0
		[ -n "$READER" ] && c1=$(cpu_ns "$READER")
		sleep 0.5			# let the last records arrive
		kill -TERM "$MC"
		wait "$MC" 2>/dev/null
		# Read-only passes, same set-up: the least CPU of MICRO runs
		# (interference only ever adds time). Not for the set-ups that
		# audit every open: their records would swamp the reader.
		rcpu=-
		case $name in no-push|ctr-rule) ;; *)
			for _ in $(seq "$MICRO"); do
				c=$("$WORK" "$TMP/list10" "$WDIR" "$ETCDIR" 0 0 |
				    sed -n 's/.*cpu=\([0-9.]*\).*/\1/p')
				if [ "$rcpu" = - ] ||
				    awk -v a="$c" -v b="$rcpu" 'BEGIN { exit !(a < b) }'
				then rcpu=$c; fi
			done ;;
		esac
		secs=$(echo "$out" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
		wcpu=$(echo "$out" | sed -n 's/.*cpu=\([0-9.]*\).*/\1/p')
		recs=$(sed -n 's/.*datagrams=\([0-9]*\).*/\1/p' "$TMP/mc.out")
		evs=$(sed -n 's/.*matched=\([0-9]*\).*/\1/p' "$TMP/mc.out")
		teardown "$name"
		alerts=-
		if [ -f "$TMP/$name.events" ]; then
			# ours only: other processes may write below /etc too
			alerts=$(grep '"rule":"Write below etc"' "$TMP/$name.events" |
			    grep -c "$ETCDIR/")
			: >"$TMP/$name.events"
		fi
		echo "$name $secs ${recs:-0} ${evs:-0} $(( (c1 - c0) / 1000 )) $(( (t1 - t0) / 1000 )) $alerts $wcpu $rcpu" \
		    >>"$TMP/results"
	done
done

python3 - "$TMP/results" "$NETC" "$FILES" "$USE_AUDITD" "${BENCH_STRICT:-0}" \
    "${BENCH_VERBOSE:-0}" "$MICRO" <<'PY'
import statistics as st, sys
path, netc, files, use_auditd, strict = sys.argv[1], int(sys.argv[2]), \
    int(sys.argv[3]), sys.argv[4] == "1", sys.argv[5] == "1"
verbose = len(sys.argv) > 6 and sys.argv[6] == "1"
rows = {}
for line in open(path):
    n, secs, recs, evs, cpu_us, wall_us, alerts, wcpu, rcpu = line.split()
    rows.setdefault(n, []).append((float(secs), int(recs), int(evs),
                                   int(cpu_us), int(wall_us), alerts,
                                   float(wcpu),
                                   None if rcpu == "-" else float(rcpu)))
if verbose:
    for n, r in rows.items():
        print(n, "wall", " ".join("%.3f" % x[0] for x in r))
        print(n, "cpu ", " ".join("%.3f" % x[6] for x in r))
        if n != "off":
            print(n, "paired%", " ".join("%.1f" % (100.0 * (x[6] - o[6]) /
                  o[6]) for x, o in zip(r, rows["off"])))
base = st.median(r[0] for r in rows["off"])
cbase = st.median(r[6] for r in rows["off"])
print("workload: %d reads under /usr, %d writes under /tmp, %d writes "
      "below /etc (alert-relevant), %d rounds, medians"
      % (files, files, netc, len(rows["off"])))
print("%-9s %8s %8s %8s %8s %15s %11s %13s %8s %6s" % ("set-up", "wall s",
      "slower", "cpu s", "slower", "paired [q1,q3]", "records/s",
      "events/alert", "reader%", "alerts"))
def quart(xs):
    xs = sorted(xs)
    if len(xs) < 4:
        return xs[0], xs[-1]
    q = st.quantiles(xs, n=4)
    return q[0], q[2]
def paired(n):
    # Slowdown of each round against "off" measured in the same round
    # (adjacent runs), so slow drift of the machine cancels; the median
    # and quartiles of those show how much of a difference is noise.
    return [100.0 * (x[6] - o[6]) / o[6] for x, o in zip(rows[n], rows["off"])]
res = {}
for n in ("off", "enabled", "floor", "pushdown", "ctr-rule", "no-push",
          "auditd"):
    if n not in rows:
        continue
    r = rows[n]
    secs = st.median(x[0] for x in r)
    wcpu = st.median(x[6] for x in r)
    rps = st.median(x[1] / x[0] for x in r)
    epa = st.median(x[2] / netc for x in r)
    cpu = st.median(100.0 * x[3] / x[4] for x in r)
    alerts = ",".join(sorted(set(x[5] for x in r)))
    pr = paired(n)
    q1, q3 = quart(pr)
    res[n] = (wcpu, epa, st.median(pr), q1, q3)
    label = n if n != "auditd" else ("auditd" if use_auditd else "auditctl")
    print("%-9s %8.3f %7.1f%% %8.3f %7.1f%% %5.1f [%4.1f,%4.1f] %11.0f "
          "%13.2f %8.1f %6s" % (
          label, secs, 100.0 * (secs - base) / base, wcpu,
          100.0 * (wcpu - cbase) / cbase, st.median(pr), q1, q3, rps, epa,
          cpu, alerts))
# The read-only pass: the per-system-call cost of audit, measured where
# it is not drowned in the writes' journal and writeback noise.
ro = {n: [x[7] for x in r] for n, r in rows.items()
      if all(x[7] is not None for x in r)}
rores = {}
if "off" in ro:
    print("read-only pass (%d opens+reads+closes; least CPU of %s runs a "
          "round; paired = against off in the same round):"
          % (10 * files, sys.argv[7] if len(sys.argv) > 7 else "3"))
    print("%-9s %9s %8s %9s %8s %15s" % ("set-up", "min cpu s", "slower",
          "median s", "slower", "paired [q1,q3]"))
    rbase, rmed = min(ro["off"]), st.median(ro["off"])
    for n in ("off", "enabled", "floor", "pushdown", "auditd"):
        if n not in ro:
            continue
        pr = [100.0 * (a - b) / b for a, b in zip(ro[n], ro["off"])]
        q1, q3 = quart(pr)
        rores[n] = st.median(pr)
        print("%-9s %9.3f %7.1f%% %9.3f %7.1f%% %5.1f [%4.1f,%4.1f]" % (n,
              min(ro[n]), 100.0 * (min(ro[n]) - rbase) / rbase,
              st.median(ro[n]), 100.0 * (st.median(ro[n]) - rmed) / rmed,
              st.median(pr), q1, q3))
    if "floor" in rores and "pushdown" in rores:
        print("read-only: any exit rule at all costs %.1f %% (floor, the "
              "kernel's per-call collection); pushdown %.1f %%, %.1f %% "
              "over the floor%s" % (rores["floor"], rores["pushdown"],
              rores["pushdown"] - rores["floor"],
              "; auditd %.1f %%" % rores["auditd"] if "auditd" in rores
              else ""))
ok = True
if "pushdown" not in res or "no-push" not in res:
    sys.exit(0)
# Slowdown in the workload's CPU time (where the kernel charges audit's
# work on its calls): wall time on a shared machine is mostly noise.
slow = 100.0 * (res["pushdown"][0] - cbase) / cbase
ratio = res["no-push"][1] / max(res["pushdown"][1], 1e-9)
print("pushdown: %.2f events per alert-relevant event (target <= 2), "
      "slowdown %.1f %% (target <= 5 %%); no-push has %.0fx its events "
      "(target >= 50x)" % (res["pushdown"][1], slow, ratio))
if "floor" in res:
    print("file workload medians: the kernel's floor (any exit rule at "
          "all) is %.1f %%; pushdown adds %.1f %% to it (within the paired "
          "spread above; the read-only pass resolves it)" % (100.0 * (res["floor"][0] - cbase) / cbase,
          100.0 * (res["pushdown"][0] - res["floor"][0]) / cbase))
q1, q3 = res["pushdown"][3], res["pushdown"][4]
print("pushdown slowdown, paired against off in each round: median %.1f %%, "
      "quartiles [%.1f, %.1f] %%: %s" % (res["pushdown"][2], q1, q3,
      "the noise of this run spans the 5 % target" if q1 <= 5 <= q3 else
      ("below 5 % beyond this run's noise" if q3 < 5 else
       "above 5 % beyond this run's noise")))
if res["pushdown"][1] > 2 or slow > 5 or ratio < 50:
    print("TARGET MISSED")
    ok = False
sys.exit(0 if ok or not strict else 1)
PY
