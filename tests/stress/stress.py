#!/usr/bin/env python3
"""stress.py — bounded memory under hostile load (issue 8, part 3).

    stress.py reasm|procs|containers|alerts

Each mode feeds generated audit.log text to the real daemon code,
`auditwatch replay --stats -` on standard input, and checks three things:

  (a) peak memory: the daemon's peak RSS (VmHWM, polled) stays under
      a bound computed from the configured limits on top of a baseline run
      of the same configuration without the flood; and RSS, sampled from
      /proc/<pid>/status at each quarter of the input, stops growing once
      the bound is reached (the last sample is within a small margin of
      the first);
  (b) evictions are counted: the counters `replay --stats` prints
      (reassembler evictions, process table and container metadata
      evictions, alert store drops and undelivered rows trimmed) match
      what the flood must have caused;
  (c) detection continues: a `touch /etc/passwd` event written AFTER the
      flood raises "Write below etc" from the default rules.

  reasm       one million events that never complete (SYSCALL records
              announcing a PATH that never comes, no EOE, distinct
              serials, one timestamp so that nothing times out)
  procs       one million distinct short-lived processes (execve, then
              exit_group, each with its own pid)
  containers  one million distinct container ids: a fake /proc
              (enrich.host_proc) whose cgroup files the generator rewrites
              for each exec, and a container metadata endpoint (Docker API
              socket) that accepts and never answers
  alerts      alerts faster than delivery: distinct alerts to a webhook
              receiver that never answers, into a small store queue and a
              small outbox (sqlite.retention.max_rows)

Environment: AUDITWATCH (the binary), AW_STRESS_N (flood size; default
1,000,000, or 100,000 in a sanitizer build, where RSS is not measured: the
sanitizer's shadow memory and quarantine are not ours), KEEP=1 keeps the
work directory. Exit codes as automake: 0 pass, 1 fail, 99 hard error.
"""

import json
import os
import re
import resource
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

AW = os.environ.get("AUDITWATCH")
MODE = sys.argv[1] if len(sys.argv) > 1 else ""
KIB = 1024
MIB = 1024 * 1024


def fail(msg):
    print("FAIL: " + msg, flush=True)
    sys.exit(1)


def note(msg):
    print("--- " + msg, flush=True)


def sanitized(path):
    """A sanitizer build: RSS then measures ASan, not us."""
    with open(path, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__msan_init" in data


# ------------------------------------------------------------ records

TS = "1796412499.817"   # one timestamp: flood events never time out
UIDS = ("auid=4294967295 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 "
        "fsgid=0 tty=(none) ses=4294967295")
PATH_TAIL = ("dev=fe:00 mode=0100644 ouid=0 ogid=0 rdev=00:00 "
             "nametype=NORMAL cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
             "cap_frootid=0")
# proctitle "bash -c touch /etc/passwd"
TOUCH_TITLE = "62617368002D6300746F756368202F6574632F706173737764"


def touch_etc(ts, serial, pid, ppid, name="/etc/passwd"):
    """`touch /etc/passwd` as a 6.18 kernel logs it (no EOE, as auditd's
    log): openat(O_WRONLY|O_CREAT|O_NOCTTY|O_NONBLOCK) of a file below
    /etc. The default rule "Write below etc" must fire on it."""
    m = f"msg=audit({ts}:{serial}):"
    return (
        f"type=SYSCALL {m} arch=c000003e syscall=257 success=yes exit=3 "
        f"a0=ffffff9c a1=7fff9a2c19b0 a2=941 a3=1b6 items=1 ppid={ppid} "
        f"pid={pid} {UIDS} comm=\"touch\" exe=\"/usr/bin/touch\" "
        f"key=\"fs_write_etc\"\n"
        f"type=CWD {m} cwd=\"/tmp/scenario-files\"\n"
        f"type=PATH {m} item=0 name=\"{name}\" inode=409604 {PATH_TAIL}\n"
        f"type=PROCTITLE {m} proctitle={TOUCH_TITLE}\n")


def exec_event(ts, serial, pid, ppid, arg):
    """execve of /usr/bin/worker ARG: SYSCALL, EXECVE, PROCTITLE."""
    m = f"msg=audit({ts}:{serial}):"
    title = ("worker\0" + arg).encode().hex().upper()
    return (
        f"type=SYSCALL {m} arch=c000003e syscall=59 success=yes exit=0 "
        f"a0=55d0c1a2b3c0 a1=55d0c1a2b400 a2=55d0c1a2b500 a3=8 items=0 "
        f"ppid={ppid} pid={pid} {UIDS} comm=\"worker\" "
        f"exe=\"/usr/bin/worker\" key=\"exec\"\n"
        f"type=EXECVE {m} argc=2 a0=\"worker\" a1=\"{arg}\"\n"
        f"type=PROCTITLE {m} proctitle={title}\n")


def exit_event(ts, serial, pid, ppid, arg):
    m = f"msg=audit({ts}:{serial}):"
    title = ("worker\0" + arg).encode().hex().upper()
    return (
        f"type=SYSCALL {m} arch=c000003e syscall=231 success=yes exit=0 "
        f"a0=0 a1=0 a2=0 a3=0 items=0 ppid={ppid} pid={pid} {UIDS} "
        f"comm=\"worker\" exe=\"/usr/bin/worker\" key=\"exit\"\n"
        f"type=PROCTITLE {m} proctitle={title}\n")


# ------------------------------------------------------------ running

def status_kib(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


class Replay:
    """`auditwatch -o ... replay --stats [--store] -`, fed by the caller;
    RSS sampled on request; peak RSS from VmHWM."""

    def __init__(self, work, name, opts, extra=()):
        self.out_path = os.path.join(work, name + ".out")
        self.err_path = os.path.join(work, name + ".err")
        args = [AW]
        for o in opts:
            args += ["-o", o]
        args += ["replay", "--stats", *extra, "-"]
        self.out = open(self.out_path, "wb")
        self.err = open(self.err_path, "wb")
        self.p = subprocess.Popen(args, stdin=subprocess.PIPE,
                                  stdout=self.out, stderr=self.err)
        self.samples = []
        self.peak_kib = 0
        self.buf = []
        self.buflen = 0

    def write(self, text):
        self.buf.append(text)
        self.buflen += len(text)
        if self.buflen >= 1 << 20:
            self.flush()

    def flush(self):
        if self.buf:
            self.p.stdin.write("".join(self.buf).encode())
            self.p.stdin.flush()
            self.buf = []
            self.buflen = 0

    def sample(self, label):
        """RSS now; the pipe holds at most 64 KiB, so the daemon is at
        most that far behind what was written."""
        self.flush()
        self.samples.append((label, status_kib(self.p.pid, "VmRSS")))
        self.poll_hwm()
        if os.environ.get("AW_STRESS_DEBUG"):
            keys = ("RssAnon", "RssFile", "RssShmem")
            note(f"{time.strftime('%T')} {label}: " + " ".join(
                f"{k}={status_kib(self.p.pid, k)}" for k in keys))

    def poll_hwm(self):
        """Peak RSS: the process's VmHWM (its own address space's high
        water mark, unlike ru_maxrss, which for a child forked from this
        Python process starts at Python's RSS), polled until it exits."""
        v = status_kib(self.p.pid, "VmHWM")
        if v is not None and v > self.peak_kib:
            self.peak_kib = v

    def finish(self, timeout=120):
        self.flush()
        # let it read what is in the pipe and wait for more (peak of the
        # steady state, before the end-of-input flush)
        for _ in range(40):
            self.poll_hwm()
            time.sleep(0.005)
        self.p.stdin.close()
        deadline = time.time() + timeout
        while True:
            self.poll_hwm()
            pid, status = os.waitpid(self.p.pid, os.WNOHANG)
            if pid:
                break
            if time.time() > deadline:
                self.p.kill()
                os.waitpid(self.p.pid, 0)
                fail(f"replay did not finish within {timeout} s")
            time.sleep(0.005)
        self.p.returncode = os.waitstatus_to_exitcode(status)
        self.out.close()
        self.err.close()
        if self.peak_kib == 0:
            fail("could not read VmHWM of the replay process")
        with open(self.err_path, errors="replace") as f:
            err = f.read()
        if self.p.returncode != 0:
            fail(f"replay exited {self.p.returncode}: {err[-2000:]}")
        stats = None
        for line in err.splitlines():
            if line.startswith("lines="):
                stats = dict(kv.split("=", 1) for kv in line.split())
        if stats is None:
            fail("no --stats line: " + err[-2000:])
        self.stats = {k: int(v) for k, v in stats.items()}
        self.alerts = []
        with open(self.out_path, errors="surrogateescape") as f:
            for line in f:
                if line.startswith("{"):
                    self.alerts.append(json.loads(line))
        return self


def stats_str(st, keys):
    return " ".join(f"{k}={st[k]}" for k in keys if k in st)


def check_detected(r, pid, what="after the flood", **fields):
    """The attack event's alert: rule, pid, and any further fields."""
    for a in r.alerts:
        of = a.get("output_fields", {})
        if a.get("rule") == "Write below etc" and of.get("proc.pid") == pid:
            for k, v in fields.items():
                k = k.replace("__", ".")
                if of.get(k) != v:
                    fail(f"attack alert {what}: {k}={of.get(k)!r}, "
                         f"expected {v!r}")
            return a
    fail(f"no 'Write below etc' alert for pid {pid} {what} "
         f"({len(r.alerts)} alerts on stdout)")


def check_memory(asan, base, r, allowance, plateau, why):
    """Peak RSS of the flood run <= baseline peak + allowance, and RSS
    flat over the flood (last sample - first sample <= plateau)."""
    samples = ", ".join(f"{lab} {kib // 1024} MiB" for lab, kib in r.samples
                        if kib is not None)
    note(f"peak RSS {r.peak_kib // 1024} MiB (baseline "
         f"{base.peak_kib // 1024} MiB, bound baseline + "
         f"{allowance // MIB} MiB: {why}); RSS during the flood: {samples}")
    if asan:
        note("sanitizer build: RSS bounds not asserted")
        return
    if r.peak_kib * KIB > base.peak_kib * KIB + allowance:
        fail(f"peak RSS {r.peak_kib} KiB > baseline {base.peak_kib} KiB "
             f"+ {allowance // KIB} KiB")
    vals = [kib for _, kib in r.samples if kib is not None]
    if len(vals) >= 2 and (vals[-1] - vals[0]) * KIB > plateau:
        fail(f"RSS still growing during the flood: {samples} "
             f"(allowed {plateau // MIB} MiB)")


def quarters(n):
    return {max(1, n * q // 4): f"{q * 25}%" for q in (1, 2, 3, 4)}


# ------------------------------------------------------------ reasm

def mode_reasm(work, n, asan):
    max_events = 4096
    max_bytes = 16 * MIB
    opts = [f"reassembly.max_events={max_events}",
            f"reassembly.max_bytes={max_bytes}"]
    attack_pid = 4242001

    def run(name, count):
        r = Replay(work, name, opts)
        marks = quarters(count) if count else {}
        for i in range(count):
            # openat with items=2 and no PATH, no PROCTITLE, no EOE: never
            # complete by shape, same timestamp: never timed out
            r.write(f"type=SYSCALL msg=audit({TS}:{1000 + i}): arch=c000003e"
                    f" syscall=257 success=yes exit=3 a0=ffffff9c "
                    f"a1=7fff9a2c19b0 a2=941 a3=1b6 items=2 ppid=10562 "
                    f"pid=20000 {UIDS} comm=\"touch\" "
                    f"exe=\"/usr/bin/touch\" key=(null)\n")
            if i + 1 in marks:
                r.sample(marks[i + 1])
        r.write(touch_etc(TS, 1000 + count, attack_pid, 10562))
        return r.finish()

    base = run("baseline", 0)
    r = run("flood", n)
    st = r.stats
    note(stats_str(st, ("records", "events", "evicted", "flush", "shape",
                        "max_inflight")))
    # every flood event beyond the bound, plus the one the attack's first
    # record pushed out, was closed early and counted; the newest stayed
    want = n + 1 - max_events
    if st["evicted"] != want:
        fail(f"evicted={st['evicted']}, expected {want}")
    if st["max_inflight"] > max_events + 1:
        fail(f"max_inflight={st['max_inflight']} > {max_events} + 1")
    if st["events"] != n + 1:
        fail(f"events={st['events']}, expected {n + 1}")
    check_detected(r, attack_pid, fd__name="/etc/passwd")
    # in flight: max_events entries of ~200 B + a 1 KiB record buffer
    # (grown by doubling from 1 KiB; a flood record is ~330 B) + 8 record
    # slots, and the free list keeps at most max_events + 1 of them
    per = 2 * KIB
    allowance = (max_events + 1) * per + 4 * MIB
    check_memory(asan, base, r, allowance, 4 * MIB,
                 f"({max_events} + 1) x {per // KIB} KiB + 4 MiB")
    summary = (f"reasm: {n} incomplete events, evicted {st['evicted']}, "
               f"peak {r.peak_kib // 1024} MiB (baseline "
               f"{base.peak_kib // 1024} MiB), detected")
    return summary + "; " + reasm_big_buffers(work, asan)


def reasm_big_buffers(work, asan):
    """Buffers outliving their events: each round grows one event to
    almost max_bytes (7 PATH records of 512 KiB), closes it with its EOE,
    and starts a one-record event that takes the closed event's entry and
    stays in flight. The byte bound counts what in-flight events hold, so
    before reasm.c dropped oversized buffers on close, every round kept
    another 4 MiB buffer alive: 64 rounds, 196 MiB peak with
    max_bytes = 4 MiB and nothing evicted."""
    max_bytes = 4 * MIB
    rounds = 16 if asan else 64
    rec = 512 * KIB
    opts = [f"reassembly.max_bytes={max_bytes}"]
    body = "a" * rec
    attack_pid = 4242003

    def run(name, count):
        r = Replay(work, name, opts)
        marks = quarters(count) if count else {}
        serial = 1
        for k in range(count):
            big = serial
            for j in range(7):
                r.write(f"type=PATH msg=audit({TS}:{big}): item={j} "
                        f"name=\"{body}\"\n")
            r.write(f"type=EOE msg=audit({TS}:{big}): \n")
            r.write(f"type=PATH msg=audit({TS}:{big + 1}): item=0 "
                    f"name=\"/held/{k}\"\n")
            serial += 2
            if k + 1 in marks:
                r.sample(marks[k + 1])
        r.write(touch_etc(TS, serial, attack_pid, 10562))
        r.write(f"type=EOE msg=audit({TS}:{serial}): \n")
        return r.finish()

    base = run("big-baseline", 0)
    r = run("big", rounds)
    st = r.stats
    note("held buffers: " + stats_str(st, ("records", "events", "eoe",
                                          "evicted", "flush")))
    if st["flush"] != rounds or st["eoe"] != rounds + 1:
        fail(f"expected {rounds} events held to the end and {rounds + 1} "
             f"closed by EOE: {stats_str(st, ('eoe', 'flush'))}")
    check_detected(r, attack_pid, "after the held buffers",
                   fd__name="/etc/passwd")
    # the one big event in flight (its buffer grows by doubling: 2 x
    # max_bytes), its decoding and evaluation (again 2 x max_bytes at
    # most), the text source's line buffer (2 MiB) and 4 MiB slack; the
    # held one-record events are ~1 KiB each
    allowance = 4 * max_bytes + 6 * MIB + rounds * 2 * KIB
    check_memory(asan, base, r, allowance, 4 * MIB,
                 f"4 x max_bytes {max_bytes // MIB} MiB + 6 MiB")
    return (f"{rounds} buffers of {max_bytes // MIB} MiB held: peak "
            f"{r.peak_kib // 1024} MiB")


# ------------------------------------------------------------ procs

def mode_procs(work, n, asan):
    table_max = 65536
    opts = [f"enrich.proc_table_max={table_max}"]
    shell = 5000
    first = 100000
    a_recent, a_old = 4242001, 4242002

    def run(name, count):
        r = Replay(work, name, opts)
        marks = quarters(count) if count else {}
        serial = 1
        sec = 1796412499
        for i in range(count):
            pid = first + i
            ts = f"{sec + i // 1000}.{i % 1000:03d}"
            arg = f"job-{i}"
            r.write(exec_event(ts, serial, pid, shell, arg))
            r.write(exit_event(ts, serial + 1, pid, shell, arg))
            serial += 2
            if i + 1 in marks:
                r.sample(marks[i + 1])
        ts = f"{sec + count // 1000 + 1}.000"
        last = first + count - 1 if count else shell
        # a child of the newest process (kept) and of the oldest (evicted)
        r.write(touch_etc(ts, serial, a_recent, last))
        r.write(touch_etc(ts, serial + 1, a_old, first))
        return r.finish()

    base = run("baseline", 0)
    r = run("flood", n)
    st = r.stats
    note(stats_str(st, ("records", "events", "procs", "proc_evictions",
                        "proc_table_bytes")))
    # trimmed at the start of each event, so the entry of the event being
    # evaluated never goes away under the rule engine: max + 1 at most
    if st["procs"] > table_max + 1:
        fail(f"procs={st['procs']} > proc_table_max {table_max} + 1")
    # every process entered the table once (flood + the two attackers);
    # what is not there any more was evicted, and counted
    if st["procs"] + st["proc_evictions"] != n + 2:
        fail(f"procs {st['procs']} + evictions {st['proc_evictions']} "
             f"!= {n + 2} processes seen")
    if n > table_max and st["proc_evictions"] < n + 1 - table_max:
        fail(f"proc_evictions={st['proc_evictions']}")
    # LRU: the newest flood process is still known (its child's alert
    # names it), the oldest was evicted
    check_detected(r, a_recent, "after the flood (parent kept)",
                   proc__pname="worker")
    check_detected(r, a_old, "after the flood (parent evicted)",
                   proc__pname=None)
    # an entry: struct aw_pentry and hash handle (~300 B) + its strings
    # (argv pointers, exe, comm, tty, "job-N": ~80 B) + two malloc
    # headers; 1 KiB each is generous
    per = KIB
    allowance = table_max * per + 8 * MIB
    check_memory(asan, base, r, allowance, 8 * MIB,
                 f"{table_max} x {per // KIB} KiB + 8 MiB")
    return (f"procs: {n} processes, table {st['procs']}, evicted "
            f"{st['proc_evictions']}, peak {r.peak_kib // 1024} MiB "
            f"(baseline {base.peak_kib // 1024} MiB), detected")


# ------------------------------------------------------------ containers

class StalledDocker:
    """A Docker API socket that accepts connections and never answers."""

    def __init__(self, path):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.bind(path)
        self.s.listen(64)
        self.conns = []
        self.t = threading.Thread(target=self.loop, daemon=True)
        self.t.start()

    def loop(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            self.conns.append(c)


def container_id(i):
    return f"{i:012x}" + "c0ffee" * 8 + "0000"


def mode_containers(work, n, asan):
    # Pids are reused (exit, then exec again), so the fake /proc needs only
    # `slots` directories; the generator rewrites a slot's cgroup file just
    # before the exec that reads it, after checking (atime) that the
    # daemon has read the previous content.
    slots = 8192
    meta_max = 4096
    root = os.path.join(work, "proc")
    os.mkdir(root)
    sock = os.path.join(work, "docker.sock")
    StalledDocker(sock)
    opts = ["enrich.host_proc=" + root, "enrich.scan_proc=false",
            "enrich.metadata=true", "enrich.docker_socket=" + sock,
            "enrich.podman_socket=", f"enrich.metadata_max={meta_max}",
            "enrich.metadata_timeout=500ms", "enrich.metadata_wait=100ms"]
    first = 300000
    attack_pid = 4242001
    # keep the slots' files open if the fd limit allows
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    want = slots + 256
    if soft < want and (hard == resource.RLIM_INFINITY or hard >= want):
        resource.setrlimit(resource.RLIMIT_NOFILE, (want, hard))
        soft = want
    fd_budget = max(0, soft - 256)
    attack_cid = "a77ac4" * 10 + "dead"

    def make_slot(pid, cid):
        d = os.path.join(root, str(pid))
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "stat"), "w") as f:
            f.write(f"{pid} (worker) S 5000 {pid} {pid} 0 -1 4194304 0 0 0 0 "
                    "0 0 0 0 20 0 1 0 100 1000000 100 18446744073709551615 "
                    "0 0 0 0 0 0 0 0 0 0 0 0 17 1 0 0 0 0 0\n")
        write_cgroup(pid, cid)

    fds = {}

    def write_cgroup(pid, cid):
        # same length every time: overwrite in place (mtime moves)
        fd = fds.get(pid)
        if fd is None:
            fd = os.open(f"{root}/{pid}/cgroup", os.O_WRONLY | os.O_CREAT,
                         0o644)
            if len(fds) < fd_budget:
                fds[pid] = fd
        os.pwrite(fd, f"0::/system.slice/docker-{cid}.scope\n".encode(), 0)
        if fds.get(pid) != fd:
            os.close(fd)

    def read_since_written(pid):
        # tmpfs times are coarse (a tick): >=, and the slot was written
        # `slots` execs ago, many ticks back
        fd = fds.get(pid)
        st = os.fstat(fd) if fd is not None else \
            os.stat(f"{root}/{pid}/cgroup")
        return st.st_atime_ns >= st.st_mtime_ns

    # the events as templates: a million of them in Python
    exec_c = exec_event("{ts}", "{s}", "{pid}", 5000, "c")
    exit_c = exit_event("{ts}", "{s}", "{pid}", 5000, "c")

    def run(name, count):
        r = Replay(work, name, opts)
        marks = quarters(count) if count else {}
        t0 = int(time.time()) + 1   # event times: now (so /proc is used)
        serial = 1
        waits = 0
        for i in range(count):
            pid = first + i % slots
            if i < slots:
                if name == "flood" or i == 0:
                    make_slot(pid, container_id(i))
            else:
                # the previous content of this slot must have been read
                # (bounded wait: the counters below catch a miss)
                give_up = time.time() + 5
                while not read_since_written(pid) and time.time() < give_up:
                    r.flush()
                    waits += 1
                    time.sleep(0.0005)
                write_cgroup(pid, container_id(i))
            # exec, exit: the next exec of this pid is a new process
            ts = f"{t0 + i // 1000}.{i % 1000:03d}"
            r.write(exec_c.format(ts=ts, s=serial, pid=pid) +
                    exit_c.format(ts=ts, s=serial + 1, pid=pid))
            serial += 2
            if i + 1 in marks:
                r.sample(marks[i + 1])
        make_slot(attack_pid, attack_cid)
        ts = f"{t0 + count // 1000 + 1}.000"
        r.write(exec_event(ts, serial, attack_pid, 5000, "sh"))
        r.write(touch_etc(ts, serial + 1, attack_pid, 5000))
        r = r.finish()
        r.waits = waits
        return r

    base = run("baseline", 0)
    r = run("flood", n)
    st = r.stats
    note(stats_str(st, ("records", "events", "procs", "containers",
                        "cgroup_reads", "meta_entries", "meta_evictions",
                        "meta_dropped")) + f" (generator waited {r.waits}x)")
    # each exec read its own cgroup file once: every id was seen
    if st["cgroup_reads"] != n + 1:
        fail(f"cgroup_reads={st['cgroup_reads']}, expected {n + 1}")
    # identities live only while a process entry points at them
    if st["containers"] > min(slots + 1, st["procs"]):
        fail(f"containers={st['containers']} > live entries")
    if st["meta_entries"] > meta_max:
        fail(f"meta_entries={st['meta_entries']} > {meta_max}")
    if st["meta_entries"] + st["meta_evictions"] != n + 1:
        fail(f"meta_entries {st['meta_entries']} + evictions "
             f"{st['meta_evictions']} != {n + 1} distinct ids")
    if n > 1000 and st["meta_dropped"] == 0:
        fail("the stalled endpoint never filled the request ring")
    check_detected(r, attack_pid, container__id=attack_cid[:12])
    # process entries (<= slots + 2, 1 KiB each), container identities
    # (struct aw_cinfo ~ 400 B + key, <= live entries), the metadata cache
    # (meta_max x struct mentry ~ 400 B) and its 256-slot request ring
    allowance = (slots + 2) * KIB + (slots + 2) * KIB + meta_max * KIB \
        + 8 * MIB
    check_memory(asan, base, r, allowance, 4 * MIB,
                 f"{slots} x 2 KiB + {meta_max} x 1 KiB + 8 MiB")
    return (f"containers: {n} ids, containers held {st['containers']}, "
            f"meta evicted {st['meta_evictions']} dropped "
            f"{st['meta_dropped']}, peak {r.peak_kib // 1024} MiB "
            f"(baseline {base.peak_kib // 1024} MiB), detected")


# ------------------------------------------------------------ alerts

class StalledWebhook:
    """HTTP receiver on 127.0.0.1 that reads requests and does not answer
    until released; then answers 204 to every request and logs bodies."""

    def __init__(self):
        self.s = socket.socket()
        self.s.bind(("127.0.0.1", 0))
        self.s.listen(128)
        self.port = self.s.getsockname()[1]
        self.released = threading.Event()
        self.requests = 0
        self.bodies = []
        self.lock = threading.Lock()
        threading.Thread(target=self.loop, daemon=True).start()

    def loop(self):
        while True:
            try:
                c, _ = self.s.accept()
            except OSError:
                return
            threading.Thread(target=self.serve, args=(c,), daemon=True).start()

    def serve(self, c):
        f = c.makefile("rb")
        try:
            while True:
                line = f.readline()
                if not line:
                    return
                n = 0
                while True:
                    h = f.readline()
                    if h in (b"\r\n", b"\n", b""):
                        break
                    k, _, v = h.decode("latin-1").partition(":")
                    if k.strip().lower() == "content-length":
                        n = int(v)
                body = f.read(n)
                with self.lock:
                    self.requests += 1
                self.released.wait()
                with self.lock:
                    self.bodies.append(body)
                c.sendall(b"HTTP/1.1 204 No Content\r\n"
                          b"Content-Length: 0\r\n\r\n")
        except OSError:
            return
        finally:
            c.close()


def mode_alerts(work, n, asan):
    qmax, qbytes, rows = 2000, 8 * MIB, 2000
    hook = StalledWebhook()
    db = os.path.join(work, "alerts.db")
    opts = ["sqlite.path=" + db,
            f"sqlite.queue.max_alerts={qmax}",
            f"sqlite.queue.max_bytes={qbytes}",
            f"sqlite.retention.max_rows={rows}",
            "sqlite.retention.interval=100ms",
            f"webhook.url=http://127.0.0.1:{hook.port}/alerts",
            "webhook.timeout=120s",
            "noise_control.enabled=false"]
    attack_pid = 4242001

    def db_count(sql):
        try:
            con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=5)
            try:
                return con.execute(sql).fetchone()[0]
            finally:
                con.close()
        except sqlite3.Error:
            return None

    def run(name, count):
        if os.path.exists(db):
            os.unlink(db)
        hook.released.clear()
        requests0 = hook.requests
        r = Replay(work, name, opts, extra=("--store",))
        marks = quarters(count) if count else {}
        for i in range(count):
            # a distinct file below /etc for each: distinct alerts
            r.write(touch_etc(f"{1796412499 + i // 1000}.{i % 1000:03d}",
                              i + 1, 500000 + i % 64, 10562,
                              name=f"/etc/flood/f{i}"))
            if i + 1 in marks:
                r.sample(marks[i + 1])
        r.flush()
        # the flood is processed and committed: wait until the store is
        # idle, then the attack
        deadline = time.time() + 60
        last = -1
        while time.time() < deadline:
            c = db_count("SELECT count(*) + coalesce(max(id), 0) FROM alerts")
            if c is not None and c == last:
                break
            last = c
            time.sleep(0.3)
        r.write(touch_etc("1796413999.000", count + 10, attack_pid, 10562))
        r.flush()
        deadline = time.time() + 30
        while time.time() < deadline:
            if db_count("SELECT count(*) FROM alerts WHERE output LIKE "
                        f"'%pid={attack_pid} %'"):
                break
            time.sleep(0.1)
        else:
            fail("the attack alert after the flood was not stored")
        r.sample("attack stored")
        r.requests_stalled = hook.requests - requests0
        try:
            r.wal = os.path.getsize(db + "-wal")
        except OSError:
            r.wal = 0
        r.outbox = db_count("SELECT count(*) FROM outbox")
        # delivery resumes: what is left in the outbox (bounded by
        # retention) goes out, and replay ends
        hook.released.set()
        return r.finish(timeout=60)

    base = run("baseline", 0)
    r = run("flood", n)
    st = r.stats
    note(stats_str(st, ("records", "events", "alerts_submitted",
                        "store_stored", "store_lost", "store_queue_peak",
                        "outbox_rows", "expired_undelivered"))
         + f" outbox_at_attack={r.outbox} requests_while_stalled="
         f"{r.requests_stalled} wal_bytes={r.wal}")
    produced = sum(1 for a in r.alerts if a.get("rule") == "Write below etc")
    if produced != n + 1:
        fail(f"{produced} alerts on stdout, expected {n + 1}")
    if st["store_queue_peak"] > qmax:
        fail(f"store queue peak {st['store_queue_peak']} > {qmax}")
    # every alert submitted was stored or dropped at the queue bound, and
    # each drop was counted
    if st["store_stored"] + st["store_lost"] + st["store_queued"] \
            != st["alerts_submitted"]:
        fail("alerts neither stored nor counted lost: " + stats_str(
            st, ("alerts_submitted", "store_stored", "store_lost",
                 "store_queued")))
    if r.outbox is None or r.outbox > rows + 1000:
        fail(f"outbox rows {r.outbox} not bounded by retention ({rows})")
    if n > 2 * rows and st["expired_undelivered"] == 0:
        fail("undelivered rows trimmed by retention were not counted")
    if r.requests_stalled > 1:
        fail(f"{r.requests_stalled} requests in flight to a stalled "
             "receiver (one per destination expected)")
    # the WAL is checkpointed while alerts pour in (every 1,000 pages) and
    # kept to PRAGMA journal_size_limit (64 MiB); before store.c read
    # once on its checkpointer connection, no checkpoint ever ran (SQLite
    # 3.40) and the WAL held every row: 293 MiB at this point
    if r.wal > 64 * MIB:
        fail(f"the WAL grew to {r.wal // MIB} MiB (> 64 MiB): no checkpoint")
    check_detected(r, attack_pid, fd__name="/etc/passwd")
    # the attack alert was delivered once delivery resumed
    if not any(f"pid={attack_pid} ".encode() in b for b in hook.bodies):
        fail("the attack alert was not delivered after the receiver "
             "came back")
    # the store queue (<= sqlite.queue.max_bytes), the delivery buffer
    # (256 notices of ~2 KiB) and SQLite's page caches (2 MiB per
    # connection, 3 connections)
    allowance = qbytes + 256 * 2 * KIB + 3 * 2 * MIB + 8 * MIB
    check_memory(asan, base, r, allowance, 8 * MIB,
                 f"queue {qbytes // MIB} MiB + 0.5 MiB + 6 MiB SQLite + 8 MiB")
    return (f"alerts: {n} alerts, store lost {st['store_lost']}, "
            f"undelivered trimmed {st['expired_undelivered']}, peak "
            f"{r.peak_kib // 1024} MiB (baseline {base.peak_kib // 1024} "
            f"MiB), detected and delivered")


MODES = {"reasm": mode_reasm, "procs": mode_procs,
         "containers": mode_containers, "alerts": mode_alerts}


def main():
    if MODE not in MODES:
        print(__doc__)
        return 99
    if not AW or not os.access(AW, os.X_OK):
        print("AUDITWATCH not set or not executable")
        return 99
    asan = sanitized(AW)
    default_n = {"alerts": 200000}.get(MODE, 1000000)
    n = int(os.environ.get("AW_STRESS_N",
                           default_n // 10 if asan else default_n))
    # tmpfs when there is one: the fake /proc is rewritten a million times
    shm = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None
    work = tempfile.mkdtemp(prefix=f"aw-stress-{MODE}.", dir=shm)
    t0 = time.time()
    try:
        summary = MODES[MODE](work, n, asan)
    finally:
        if os.environ.get("KEEP") == "1":
            print("kept " + work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(f"PASS {summary} ({time.time() - t0:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
