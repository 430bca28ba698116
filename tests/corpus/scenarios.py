#!/usr/bin/env python3
"""scenarios.py — the local 6.18 capture, as a log and as netlink datagrams.

Run by scenarios.sh as: scenarios.py SHARED_DIR AUDITWATCH NLFEED

SHARED/fixtures/audit/local holds the same audit events twice: as auditd
wrote them (scenarios.audit.log: no EOE records, so auditwatch must close
events by their shape) and as they came off the netlink socket
(scenarios.netlink.txt, fed by tests/tools/nlfeed to
aw_pipeline_datagram(): the wire parser, closed by EOE). Checks:

 1. no parse errors, nothing late, evicted or timed out, in either form;
 2. both forms agree with the independent reference reader (grouping,
    argv, paths, cwd, proctitle, sockaddr, SYSCALL fields);
 3. both forms give the same events: the same count over the window both
    cover, and per serial the same records and decoded fields (only
    closed_by differs);
 4. each phase of scenarios.index.txt yields the events its commands
    must produce (the counts and keys the index lists, the phase's shell
    command, and per phase the syscalls, paths and addresses).
"""

import collections
import os
import re
import sys

sys.dont_write_bytecode = True	# keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import awcorpus as A  # noqa: E402


def unescape_py(s):
    """Payload of the capture: a Python bytes literal body."""
    out, i = bytearray(), 0
    simple = {ord("n"): 10, ord("t"): 9, ord("r"): 13, ord("\\"): 92,
              ord("'"): 39, ord('"'): 34}
    while i < len(s):
        c = s[i]
        if c != 0x5C:
            out.append(c)
            i += 1
        elif s[i + 1] == ord("x"):
            out.append(int(s[i + 2:i + 4], 16))
            i += 4
        else:
            out.append(simple[s[i + 1]])
            i += 2
    return bytes(out)


def read_capture(path, type_names):
    recs, bad_len = [], 0
    with open(path, "rb") as f:
        for line in f:
            t, nl, dl, payload = line.rstrip(b"\n").split(b"\t", 3)
            p = unescape_py(payload)
            if int(nl) not in (len(p) + 16, len(p)) or int(dl) != int(nl):
                bad_len += 1
            recs.append(A.parse_wire(type_names.get(int(t), str(int(t))), p))
    return recs, bad_len


def read_index(path):
    phases = []
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            c = line.rstrip("\n").split("\t")
            keys = dict((m[1], int(m[2])) for m in
                        re.finditer(r"(\w+)\((\d+)\)", c[6]))
            phases.append({"name": c[0], "begin": int(c[1]),
                           "end": int(c[2]), "kernel_events": int(c[5]),
                           "keys": keys, "command": c[7]})
    return phases


def same_event(a, b):
    """Fields that must agree between the log and the netlink form."""
    skip = {"closed_by"}
    return {k: v for k, v in a.items() if k not in skip} == \
        {k: v for k, v in b.items() if k not in skip}


# ------------------------------------------------------------ phases


def argv_is(*args):
    want = [x.encode() if isinstance(x, str) else x for x in args]
    return lambda e: e["argv"] is not None and \
        [A.b(a) for a in e["argv"]] == want


def paths_are(*pairs):
    want = [(n.encode(), t) for n, t in pairs]
    return lambda e: [(A.b(p["name"]), p["nametype"])
                      for p in e["paths"]] == want


def sock_is(**kw):
    return lambda e: e["sockaddr"] is not None and all(
        (A.b(e["sockaddr"].get(k)) if k == "path" else e["sockaddr"].get(k))
        == (v.encode() if k == "path" else v) for k, v in kw.items())


def fields(**kw):
    return lambda e: all(e.get(k) == v for k, v in kw.items())


def all_of(*preds):
    return lambda e: all(p(e) for p in preds)


# The long-argument exec of long_args_exec (tools/longargs.py): argv[1] is
# 10000 'A's and argv[2] 3000 times "é " (two 7.5 KB EXECVE records each,
# split into aN[i] hex chunks), then quoting/whitespace/UTF-8/invalid-UTF-8
# /empty arguments, then 1500 numbered ones.
LONG_ARGV = ([b"true", b"A" * 10000, "é ".encode() * 3000, b"has space",
              b'double"quote', b"single'quote", b"new\nline", b"tab\there",
              "utf8-é-日本".encode(), b"\xff\xfe\x80-invalid-utf8", b"",
              b"x=y", b"percent%+plus"] +
             [b"arg%04d" % i for i in range(1500)])

# Per phase: (description, predicate, how many events must match).
PHASES = {
    "touch_etc_passwd": [
        ("exec touch /etc/passwd", argv_is("touch", "/etc/passwd"), 1),
        ("openat of /etc/passwd by touch, key fs_write_etc",
         all_of(fields(syscall="openat", comm="touch", key="fs_write_etc",
                       success=True), paths_are(("/etc/passwd", "NORMAL"))),
         1)],
    "cat_etc_shadow": [
        ("exec cat /etc/shadow", argv_is("cat", "/etc/shadow"), 1),
        ("openat of /etc/shadow by cat, key shadow_read",
         all_of(fields(syscall="openat", comm="cat", key="shadow_read"),
                paths_are(("/etc/shadow", "NORMAL"))), 1)],
    "ls_root": [("exec ls /root", argv_is("ls", "/root"), 1)],
    "nc_listen_8080": [
        ("exec nc -l 8080", argv_is("nc", "-l", "8080"), 1),
        ("bind 0.0.0.0:8080",
         all_of(fields(syscall="bind", comm="nc", success=True),
                sock_is(family="inet", addr="0.0.0.0", port=8080)), 1),
        ("listen", fields(syscall="listen", comm="nc"), 1),
        ("accept4 interrupted by kill (EINTR)",
         fields(syscall="accept4", comm="nc", success=False, exit=-4,
                errno="EINTR"), 1)],
    "write_below_binary_dir": [
        ("cp creates /usr/local/bin/ls-test",
         all_of(fields(syscall="openat", comm="cp", key="fs_write_bin"),
                paths_are(("/usr/local/bin/", "PARENT"),
                          ("/usr/local/bin/ls-test", "CREATE"))), 1),
        ("cp creates /usr/bin/ls-test",
         all_of(fields(syscall="openat", comm="cp", key="fs_write_bin"),
                paths_are(("/usr/bin/", "PARENT"),
                          ("/usr/bin/ls-test", "CREATE"))), 1),
        ("rm deletes both",
         all_of(fields(syscall="unlinkat", comm="rm", key="fs_write_bin"),
                lambda e: e["paths"][1]["nametype"] == "DELETE"), 2)],
    "chmod_x_tmp_script": [
        ("exec chmod +x", argv_is("chmod", "+x", "/tmp/suspicious-script"), 1),
        ("fchmodat, key perm_mod",
         all_of(fields(syscall="fchmodat", key="perm_mod"),
                paths_are(("/tmp/suspicious-script", "NORMAL"))), 1)],
    "exec_script": [
        ("script run through its #! interpreter",
         all_of(argv_is("/bin/sh", "/tmp/suspicious-script"),
                fields(exe="/usr/bin/dash"),
                lambda e: A.b(e["paths"][0]["name"]) ==
                b"/tmp/suspicious-script"), 1)],
    "unshare_pidns": [
        ("exec unshare", argv_is("unshare", "-fp", "--mount-proc", "sh", "-c",
                                 "id"), 1),
        ("unshare syscall, key ns_mount",
         fields(syscall="unshare", key="ns_mount", success=True), 1),
        ("mount of /proc", all_of(fields(syscall="mount"),
                                  paths_are(("/proc", "NORMAL"))), 1)],
    "docker_cgroup": [
        ("cat /etc/shadow from the cgroup'd shell",
         all_of(fields(syscall="openat", key="shadow_read", comm="cat"),
                paths_are(("/etc/shadow", "NORMAL"))), 1)],
    "docker_cgroup_plus_ns": [
        ("unshare -fpmu", fields(syscall="unshare", key="ns_mount"), 1),
        ("hostname ctr-<id>", argv_is(
            "hostname", "ctr-0d5ee5d79ae4fd1feb5bfb91bd07f86b28393717edf30b"
            "c672fe78991c862ca5"), 1),
        ("shadow read", fields(syscall="openat", key="shadow_read"), 1)],
    "tcp_connect_loopback": [
        ("python3 binds 127.0.0.1:18080",
         all_of(fields(syscall="bind", comm="python3"),
                sock_is(family="inet", addr="127.0.0.1", port=18080)), 1),
        ("curl connects to 127.0.0.1:18080 (EINPROGRESS)",
         all_of(fields(syscall="connect", comm="curl", exit=-115,
                       errno="EINPROGRESS"),
                sock_is(family="inet", addr="127.0.0.1", port=18080)), 1),
        ("accept4 returns the client address",
         all_of(fields(syscall="accept4", success=True),
                sock_is(family="inet", addr="127.0.0.1")), 1)],
    "socket_variants": [
        ("bind [::1]:18081",
         all_of(fields(syscall="bind"),
                sock_is(family="inet6", addr="::1", port=18081)), 1),
        ("connect [::1]:18081",
         all_of(fields(syscall="connect", success=True),
                sock_is(family="inet6", addr="::1", port=18081)), 1),
        ("UDP connect 127.0.0.1:53",
         all_of(fields(syscall="connect", comm="python3"),
                sock_is(family="inet", addr="127.0.0.1", port=53)), 1),
        ("unix path socket, ENOENT",
         all_of(fields(syscall="connect", errno="ENOENT"),
                sock_is(family="unix", path="/run/peers-nonexistent.sock")),
         1),
        ("abstract unix socket, ECONNREFUSED",
         all_of(fields(syscall="connect", errno="ECONNREFUSED"),
                sock_is(family="unix", path="@peers-abstract")), 1)],
    "long_args_exec": [
        ("1513 arguments reassembled exactly from split EXECVE records",
         all_of(argv_is(*LONG_ARGV), lambda e: not e.get("argv_incomplete"),
                lambda e: e["types"].count("EXECVE") == 9), 1)],
    "execveat_fexecve": [
        ("execveat with an empty path (fexecve)",
         all_of(fields(syscall="execveat", success=True),
                argv_is("true", "via-execveat"),
                lambda e: A.b(e["paths"][0]["name"]) == b""), 1)],
    "failed_exec": [
        ("exec of a missing binary: ENOENT, no EXECVE record",
         all_of(fields(syscall="execve", success=False, errno="ENOENT",
                       argv=None),
                paths_are(("/nonexistent/binary", "UNKNOWN"))), 1),
        ("exec of /etc/passwd: EACCES",
         all_of(fields(syscall="execve", success=False, errno="EACCES"),
                paths_are(("/etc/passwd", "NORMAL"))), 1)],
    "setuid_drop": [
        ("exec setpriv", argv_is("setpriv", "--reuid=65534", "--regid=65534",
                                 "--clear-groups", "id"), 1),
        ("setresuid and setresgid, key setid",
         lambda e: e["syscall"] in ("setresuid", "setresgid") and
         e["key"] == "setid" and e["comm"] == "setpriv", 2)],
    "ptrace_attach": [
        ("two ptrace calls, key ptrace",
         fields(syscall="ptrace", key="ptrace", success=True), 2)],
    "etc_file_lifecycle": [
        ("create /etc/peers-probe.tmp",
         all_of(fields(syscall="openat"),
                paths_are(("/etc/", "PARENT"),
                          ("/etc/peers-probe.tmp", "CREATE"))), 1),
        ("rename to peers-probe2.tmp",
         all_of(fields(syscall="renameat2"),
                paths_are(("/etc/", "PARENT"), ("/etc/", "PARENT"),
                          ("/etc/peers-probe.tmp", "DELETE"),
                          ("/etc/peers-probe2.tmp", "CREATE"))), 1),
        ("chmod", all_of(fields(syscall="fchmodat", key="fs_write_etc"),
                         paths_are(("/etc/peers-probe2.tmp", "NORMAL"))), 1),
        ("chown", all_of(fields(syscall="fchownat", key="fs_write_etc"),
                         paths_are(("/etc/peers-probe2.tmp", "NORMAL"))), 1),
        ("symlink", all_of(fields(syscall="symlinkat"),
                           lambda e: e["paths"][-1]["name"] ==
                           "/etc/peers-probe3.tmp"), 1),
        ("unlink both", all_of(fields(syscall="unlinkat",
                                      key="fs_write_etc")), 2)],
}


def check_phases(rep, phases, events, form):
    by_serial = {}
    for e in events:
        by_serial.setdefault(e["serial"], []).append(e)
    rep.check(set(PHASES) == {p["name"] for p in phases},
              f"{form}: every phase of the index has expectations")
    for ph in phases:
        sel = [e for s in range(ph["begin"] + 1, ph["end"])
               for e in by_serial.get(s, [])]
        kern = [e for e in sel if e["syscall"] is not None]
        keys = collections.Counter(e["key"] for e in kern)
        rep.check(len(kern) == ph["kernel_events"] and
                  dict(keys) == ph["keys"],
                  f"{form}: {ph['name']}: {ph['kernel_events']} kernel "
                  f"events with keys {ph['keys']}",
                  f"{len(kern)} events, keys {dict(keys)}")
        marks = [A.b(e["argv"][2]) for e in kern if e["argv"] and
                 e["argv"][:2] == ["bash", "-c"]]
        rep.check(marks.count(ph["command"].encode()) == 1,
                  f"{form}: {ph['name']}: exec of bash -c with the phase's "
                  f"command", A.short(marks))
        for desc, pred, n in PHASES.get(ph["name"], []):
            hits = [e for e in kern if pred(e)]
            rep.check(len(hits) == n, f"{form}: {ph['name']}: {desc}",
                      f"{len(hits)} matching events, want {n}")


# ------------------------------------------------------------ main


def main():
    if len(sys.argv) != 4:
        A.die("usage: scenarios.py SHARED_DIR AUDITWATCH NLFEED")
    shared, aw, nlfeed = sys.argv[1:]
    local = os.path.join(shared, "fixtures", "audit", "local")
    log = os.path.join(local, "scenarios.audit.log")
    cap = os.path.join(local, "scenarios.netlink.txt")
    rep = A.Report()

    log_ev, log_st, _ = A.run_replay(aw, path=log)
    nl_ev, nl_st, nl_err = A.run_nlfeed(nlfeed, cap)

    # Reference reading of both forms. The capture's numeric types are
    # named through the log form's names for the same (time, serial).
    with open(log, "rb") as f:
        log_lines = [ln for ln in f.read().split(b"\n") if ln]
    log_recs = [A.parse_log_line(ln) for ln in log_lines]
    names = {1300: "SYSCALL", 1302: "PATH", 1305: "CONFIG_CHANGE",
             1306: "SOCKADDR", 1307: "CWD", 1309: "EXECVE", 1320: "EOE",
             1321: "BPRM_FCAPS", 1327: "PROCTITLE", 1005: "USER",
             1318: "OBJ_PID"}
    nl_recs, bad_len = read_capture(cap, names)

    # 1. counters
    n_eoe = sum(1 for r in nl_recs if r.type == "EOE")
    rep.check(all(log_recs) and log_st["parse_errors"] == 0 and
              log_st["records"] == len(log_lines),
              f"log form: {len(log_lines)} records, no parse errors",
              f"{log_st}")
    rep.check(nl_st["parse_errors"] == 0 and nl_st["datagrams"] ==
              len(nl_recs) and nl_st["len_mismatch"] == 0 and bad_len == 0,
              f"netlink form: {len(nl_recs)} datagrams through "
              f"aw_pipeline_datagram, no parse errors", f"{nl_st}")
    for form, st, events in (("log", log_st, log_ev),
                             ("netlink", nl_st, nl_ev)):
        rep.check(st["late_records"] == 0 and st["evicted"] == 0,
                  f"{form} form: nothing late or evicted", f"{st}")
        # Standalone CONFIG_CHANGE records are not whole events for the
        # reassembler (newer kernels emit CONFIG_CHANGE inside syscall
        # events), so they alone may wait for the timeout or end of input.
        odd = [(e["serial"], e["types"]) for e in events
               if e["closed_by"] in ("timeout", "flush") and
               e["types"] != ["CONFIG_CHANGE"]]
        rep.check(not odd, f"{form} form: only standalone CONFIG_CHANGE "
                  f"waits for a timeout or the end of input", f"{odd[:5]}")
    rep.check(log_st["eoe"] == 0 and
              {e["closed_by"] for e in log_ev if e["records"] > 1} ==
              {"shape"},
              "log form (no EOE): multi-record events closed by their shape",
              f"{log_st}")
    # Until the first EOE shows the stream carries EOE, the reassembler
    # closes by shape (the late EOE is then recognised, not counted late).
    first_eoe = next(i for i, r in enumerate(nl_recs) if r.type == "EOE")
    before = {r.key for r in nl_recs[:first_eoe]}
    by_shape = {A.ev_key(e) for e in nl_ev if e["closed_by"] == "shape"}
    rep.check(nl_st["eoe"] + nl_st["shape"] == n_eoe and by_shape <= before,
              f"netlink form: all {n_eoe} multi-record events closed by EOE "
              f"(by shape only before the first EOE: {len(by_shape)})",
              f"{nl_st}")

    # 2. reference reader
    for form, events, recs in (("log", log_ev, log_recs),
                               ("netlink", nl_ev, nl_recs)):
        groups = A.group(recs)
        problems, split = A.check_grouping(events, groups)
        rep.check(not problems and not split,
                  f"{form} form: grouping agrees with the reference "
                  f"({len(events)} events)", "\n".join(problems + split[:5]))
        diffs = []
        for k, pieces in A.merge_by_key(events).items():
            if k in groups and len(pieces) == 1:
                diffs += [f"{k}: {x}" for x in
                          A.compare_event(pieces[0], A.RefEvent(groups[k]))]
        rep.check(not diffs, f"{form} form: argv/paths/cwd/sockaddr/"
                  f"syscall fields agree with the reference decoding",
                  "\n".join(diffs))

    # 3. log form vs netlink form
    # The log covers less than the capture: auditd writes its own
    # DAEMON_START/END, and misses what the kernel sent before it
    # registered (serial 1, audit_pid set) and after it was told to stop
    # (serial 1926, `cat auditd.pid` of the stop script, and later). So
    # the forms are compared over the log's kernel serial range.
    lk, nk = A.merge_by_key(log_ev), A.merge_by_key(nl_ev)
    daemon = {k for k, v in lk.items()
              if all(t.startswith("DAEMON_") for e in v for t in e["types"])}
    lo = min(k[3] for k in set(lk) - daemon)
    hi = max(k[3] for k in set(lk) - daemon)
    outside = {k for k in nk if not lo <= k[3] <= hi}
    only_log = set(lk) - set(nk) - daemon
    only_nl = set(nk) - set(lk) - outside
    rep.check(len(daemon) == 2 and not only_log and not only_nl and
              len(outside) <= 8,
              "the two forms differ only by auditd's DAEMON_START/END and "
              f"the {len(outside)} events outside the log's serials "
              f"{lo}..{hi}",
              f"only in log {sorted(only_log)[:5]}, only in netlink "
              f"{sorted(only_nl)[:5]}")
    common = set(lk) & set(nk)
    n_log = sum(len(lk[k]) for k in set(lk) - daemon)
    n_nl = sum(len(nk[k]) for k in set(nk) - outside)
    rep.check(n_log == n_nl == len(common),
              f"same event count in both forms over the common window "
              f"({len(common)})", f"log {n_log}, netlink {n_nl}")
    diff = [k for k in sorted(common)
            if len(lk[k]) != 1 or len(nk[k]) != 1 or
            not same_event(lk[k][0], nk[k][0])]
    rep.check(not diff, "per serial, both forms give the same records, "
              "argv, paths, cwd, sockaddr and fields",
              "\n".join(f"{k}:\n log {A.short(lk[k], 600)}\n nl  "
                        f"{A.short(nk[k], 600)}" for k in diff[:3]))

    # 4. phases, in both forms
    phases = read_index(os.path.join(local, "scenarios.index.txt"))
    check_phases(rep, phases, log_ev, "log")
    check_phases(rep, phases, nl_ev, "netlink")
    return rep.finish()


if __name__ == "__main__":
    sys.exit(main())
