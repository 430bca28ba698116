# enrich_lib.sh — sourced by tests/live/enrich_*.live after lib.sh.
#
# Creates cgroups named the way container runtimes name them, runs
# processes in them, and removes both on exit (before lib.sh's own
# cleanup of kernel audit state, which runs either way).

PROBE="$top_builddir/tests/live/enrich_probe"
[ -x "$PROBE" ] || cannot_run "no $PROBE (make check builds it)"
CGROUPS=""			# created by us, deepest last
CG_PIDS=""			# processes we started in them

hex64() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; }

# mk_cgroup PATH: mkdir -p, remembering every level we created.
mk_cgroup() {
	local p=$1 missing="" d
	d=$p
	while [ ! -d "$d" ]; do
		missing="$d $missing"
		d=$(dirname "$d")
	done
	mkdir -p "$p" 2>/dev/null || return 1
	CGROUPS="$CGROUPS $missing"
}

# run_in_cgroup CGDIR CMD...: start CMD moved into CGDIR; pid in $CG_PID.
# The shell moves itself, then execs CMD, as runc moves then execs.
run_in_cgroup() {
	local cg=$1
	shift
	sh -c 'echo $$ > "$0/cgroup.procs" && exec "$@"' "$cg" "$@" &
	CG_PID=$!
	CG_PIDS="$CG_PIDS $CG_PID"
	STARTED="$STARTED $CG_PID"
	# wait until it is in the cgroup and has exec'd
	for _ in $(seq 50); do
		grep -q "${cg#/sys/fs/cgroup/*/}" "/proc/$CG_PID/cgroup" 2>/dev/null &&
		    [ "$(cat /proc/$CG_PID/comm 2>/dev/null)" != sh ] && return 0
		sleep 0.1
	done
	fail "process $CG_PID did not enter $cg"
}

enrich_cleanup() {
	local rc=$? p cg list=""
	{
		for p in $CG_PIDS; do
			kill -KILL "$p"
		done
		for p in $CG_PIDS; do
			wait "$p"
		done
	} 2>/dev/null
	for cg in $CGROUPS; do	# deepest first
		list="$cg $list"
	done
	for cg in $list; do
		rmdir "$cg" 2>/dev/null || { sleep 0.2; rmdir "$cg" 2>/dev/null; }
	done
	for cg in $list; do
		[ -d "$cg" ] && echo "WARNING: could not remove $cg" >&2
	done
	(exit "$rc")
	restore_all
}
trap enrich_cleanup EXIT

for h in pids systemd unified; do
	[ -w "/sys/fs/cgroup/$h" ] ||
	    cannot_run "needs a writable /sys/fs/cgroup/$h (cgroup v1 hybrid layout)"
done

# json_check FILE PYTHON: run PYTHON with `lines` = the JSON objects of FILE.
json_check() {
	python3 - "$1" "$2" <<'PY'
import json, sys
import time
# The daemon may be writing a line right now: wait (up to 5 s) until the
# file ends with a newline, so that every line read is whole.
for _ in range(25):
    text = open(sys.argv[1]).read()
    if not text or text.endswith("\n"):
        break
    time.sleep(0.2)
lines = [json.loads(l) for l in text.split("\n") if l.strip()]
try:
    exec(sys.argv[2])
except AssertionError as e:
    print("assertion failed:", e)
    for l in lines:
        print(json.dumps(l, sort_keys=True))
    sys.exit(1)
PY
}
