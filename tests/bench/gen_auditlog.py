#!/usr/bin/env python3
"""gen_auditlog.py — write a large, realistic audit.log for the replay benchmark.

    gen_auditlog.py --records N [--seed S] [--out FILE]

The output looks like auditd's log on a busy x86_64 host (the record
shapes are those of ../shared/fixtures/audit/local/scenarios.audit.log,
a 6.18 kernel with auditd 3.0.9): no EOE records, events of neighbouring
syscalls interleaved, and a record mix of about

    27 % PATH, 18.5 % SYSCALL, 18.5 % PROCTITLE, 15.5 % CWD, 9 % EXECVE,
    8 % BPRM_FCAPS, 2.5 % SOCKADDR, <1 % user-space records (USER_*, CRED_*)

Execs carry BPRM_FCAPS (root gaining capabilities), EXECVE, CWD, the
binary's and the loader's PATH, and PROCTITLE; about one event in 150 is
an exec with long arguments that the kernel splits into aN_len / aN[i]
hex chunks over several ~7.5 KB EXECVE records, laid out the way
audit_log_execve_info() does it. Values (binaries, argv, paths, inodes,
addresses, pids) vary; strings the kernel would hex-encode are
hex-encoded.

Speed: a few thousand distinct events are built up front; the main loop
only stamps time and serial on them and interleaves, so ~2 M records take
a few seconds. Deterministic for a given seed. The mix actually written is
printed on stderr.
"""

import argparse
import random
import sys

MAX_EXECVE_AUDIT_LEN = 7500     # kernel: bytes of EXECVE text per record

BINARIES = [
    # exe, comm, typical argvs
    ("/usr/bin/ls", "ls", [["ls", "-la", "/var/log"], ["ls", "/root"],
                           ["ls", "--color=auto", "-1"]]),
    ("/usr/bin/cat", "cat", [["cat", "/etc/os-release"],
                             ["cat", "/proc/self/cgroup"]]),
    ("/usr/bin/grep", "grep", [["grep", "-i", "-E", "error|warn",
                                "/var/log/syslog"], ["grep", "-c", "processor",
                                                     "/proc/cpuinfo"]]),
    ("/usr/bin/bash", "bash", [["bash", "-c", "sleep 1; echo done"],
                               ["bash", "/usr/local/bin/healthcheck.sh"],
                               ["bash", "-c",
                                "curl -s http://127.0.0.1:8080/healthz"]]),
    ("/usr/bin/dash", "sh", [["sh", "-c", "exec /usr/bin/date +%s"],
                             ["/bin/sh", "/etc/cron.daily/logrotate"]]),
    ("/usr/bin/python3.11", "python3",
     [["/usr/bin/python3", "-m", "http.server", "8000"],
      ["python3", "/opt/app/worker.py", "--queue", "default"]]),
    ("/usr/bin/git", "git", [["git", "status", "--porcelain"],
                             ["git", "rev-parse", "HEAD"]]),
    ("/usr/bin/sleep", "sleep", [["sleep", "0.5"], ["sleep", "30"]]),
    ("/usr/bin/date", "date", [["date", "+%s.%N"]]),
    ("/usr/sbin/iptables", "iptables",
     [["iptables", "-w", "-t", "nat", "-L", "-n"]]),
    ("/usr/bin/curl", "curl", [["curl", "-s", "-o", "/dev/null", "-w",
                                "%{http_code}", "http://10.0.0.7/metrics"]]),
    ("/usr/bin/containerd-shim-runc-v2", "containerd-shim",
     [["/usr/bin/containerd-shim-runc-v2", "-namespace", "k8s.io", "-id",
       "0d5ee5d79ae4fd1feb5bfb91bd07f86b28393717edf30bc672fe78991c862ca5",
       "-address", "/run/containerd/containerd.sock"]]),
    ("/usr/bin/runc", "runc", [["runc", "--root", "/run/containerd/runc/k8s.io",
                                "--log-format", "json", "state",
                                "4f1c2e8a9b7d"]]),
    ("/usr/bin/ps", "ps", [["ps", "-eo", "pid,ppid,comm,args"]]),
    ("/usr/bin/awk", "awk", [["awk", "{print $1}", "/proc/loadavg"]]),
]

CWDS = ["/", "/root", "/home/deploy", "/srv/app", "/var/lib/kubelet",
        "/tmp", "/home/deploy/my project", "/opt/app"]
FILES_READ = ["/etc/passwd", "/etc/ld.so.cache", "/etc/nsswitch.conf",
              "/proc/self/status", "/var/lib/dpkg/status", "/etc/shadow",
              "/usr/lib/x86_64-linux-gnu/libc.so.6", "config.yaml",
              "/etc/resolv.conf", "/var/log/app/current.log"]
FILES_WRITE = ["/etc/hosts", "/var/log/app/current.log", "/tmp/tmp.Xk3v9",
               "/etc/cron.d/backup", "/usr/local/bin/tool", "out file.txt"]
USERS = [(0, 4294967295, 4294967295, "(none)"), (1000, 1000, 3, "pts0"),
         (33, 4294967295, 4294967295, "(none)"), (1001, 1001, 7, "pts1")]


def needs_hex(b):
    """The kernel's audit_string_contains_control() plus '"' and space."""
    return any(c <= 0x20 or c >= 0x7F or c == 0x22 for c in b)


def enc(s):
    b = s if isinstance(s, bytes) else s.encode()
    return b.hex().upper() if needs_hex(b) else '"' + b.decode() + '"'


def proctitle(argv):
    b = b"\0".join(a.encode() if isinstance(a, str) else a for a in argv)
    return b[:128].hex().upper()


class Gen:
    def __init__(self, seed):
        self.r = random.Random(seed)
        self.pid = 20000

    def ids(self):
        uid, auid, ses, tty = self.r.choice(USERS)
        return (f"auid={auid} uid={uid} gid={uid} euid={uid} suid={uid} "
                f"fsuid={uid} egid={uid} sgid={uid} fsgid={uid} tty={tty} "
                f"ses={ses}")

    def syscall(self, nr, ok, exit_, items, comm, exe, key, ppid, pid):
        r = self.r
        return ("SYSCALL",
                f"arch=c000003e syscall={nr} success={'yes' if ok else 'no'} "
                f"exit={exit_} a0={r.getrandbits(44):x} a1={r.getrandbits(44):x}"
                f" a2={r.getrandbits(44):x} a3={r.randrange(16):x} "
                f"items={items} ppid={ppid} pid={pid} {self.ids()} "
                f"comm={enc(comm)} exe={enc(exe)} subj=unconfined key={key}")

    def path(self, item, name, nametype, mode="0100755", inode=None):
        if nametype == "UNKNOWN":
            return ("PATH", f"item={item} name={enc(name)} nametype=UNKNOWN "
                    "cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 cap_frootid=0")
        return ("PATH",
                f"item={item} name={enc(name)} inode={inode or self.r.randrange(1000, 2000000)} "
                f"dev=fe:00 mode={mode} ouid=0 ogid=0 rdev=00:00 "
                f"nametype={nametype} cap_fp=0 cap_fi=0 cap_fe=0 cap_fver=0 "
                f"cap_frootid=0")

    def execve_records(self, argv):
        """EXECVE records as audit_log_execve_info() lays them out."""
        recs, cur = [], f"argc={len(argv)}"
        for i, a in enumerate(argv):
            b = a.encode() if isinstance(a, str) else a
            tok = f" a{i}={enc(b)}"
            if len(b) * 2 + 32 <= MAX_EXECVE_AUDIT_LEN:
                if len(cur) + len(tok) > MAX_EXECVE_AUDIT_LEN:
                    recs.append(cur)
                    cur = ""
                cur += tok
                continue
            # long argument: hex, announced length, chunks filling records
            h = b.hex().upper()
            cur += f" a{i}_len={len(h)}"
            n = 0
            while h:
                room = MAX_EXECVE_AUDIT_LEN - len(cur) - len(f" a{i}[{n}]=")
                if room < 64:
                    recs.append(cur)
                    cur = ""
                    continue
                cur += f" a{i}[{n}]={h[:room]}"
                h = h[room:]
                n += 1
        recs.append(cur)
        return [("EXECVE", x) for x in recs]

    def exec_event(self, split=False):
        r = self.r
        exe, comm, argvs = r.choice(BINARIES)
        argv = list(r.choice(argvs))
        if split:
            # e.g. a compiler or a shell one-liner with a huge argument
            argv = argv[:1] + ["-c", "A" * r.randrange(9000, 16000),
                               "é ".join(["x"] * r.randrange(1500, 3000))]
        self.pid += 1
        ppid, pid = r.randrange(1, 20000), self.pid
        cwd = r.choice(CWDS)
        recs = [self.syscall(59, True, 0, 2, comm, exe, '"exec"', ppid, pid),
                ("BPRM_FCAPS", "fver=0 fp=0 fi=0 fe=0 old_pp=000001fffeffffff "
                 "old_pi=0 old_pe=000001fffeffffff old_pa=0 "
                 "pp=000001fffeffffff pi=0 pe=000001fffeffffff pa=0 frootid=0")]
        recs += self.execve_records(argv)
        recs += [("CWD", f"cwd={enc(cwd)}"),
                 self.path(0, exe, "NORMAL"),
                 self.path(1, "/lib64/ld-linux-x86-64.so.2", "NORMAL",
                           inode=332383),
                 ("PROCTITLE", f"proctitle={proctitle(argv)}")]
        return recs

    def failed_exec_event(self):
        r = self.r
        exe, comm, argvs = r.choice(BINARIES)
        argv = r.choice(argvs)
        name = r.choice(["/root/.local/bin/", "/usr/local/sbin/",
                         "/snap/bin/"]) + argv[0].rsplit("/", 1)[-1]
        return [self.syscall(59, False, -2, 1, "bash", "/usr/bin/bash",
                             '"exec"', r.randrange(1, 20000), self.pid),
                ("CWD", f"cwd={enc(r.choice(CWDS))}"),
                self.path(0, name, "UNKNOWN"),
                ("PROCTITLE", f"proctitle={proctitle(['bash', '-c', ' '.join(argv)])}")]

    def file_event(self):
        r = self.r
        exe, comm, argvs = r.choice(BINARIES)
        pid = r.randrange(1000, 30000)
        pt = ("PROCTITLE", f"proctitle={proctitle(r.choice(argvs))}")
        cwd = ("CWD", f"cwd={enc(r.choice(CWDS))}")
        k = r.random()
        if k < 0.55:      # openat read
            f = r.choice(FILES_READ)
            return [self.syscall(257, True, 3, 1, comm, exe, '"file_read"',
                                 1, pid), cwd,
                    self.path(0, f, "NORMAL", "0100644"), pt]
        if k < 0.80:      # openat O_CREAT
            f = r.choice(FILES_WRITE)
            d = f.rsplit("/", 1)[0] + "/" if "/" in f else "./"
            return [self.syscall(257, True, 4, 2, comm, exe, '"fs_write"', 1,
                                 pid), cwd,
                    self.path(0, d, "PARENT", "040755"),
                    self.path(1, f, "CREATE", "0100644"), pt]
        if k < 0.92:      # unlinkat
            f = r.choice(FILES_WRITE)
            d = f.rsplit("/", 1)[0] + "/" if "/" in f else "./"
            return [self.syscall(263, True, 0, 2, "rm", "/usr/bin/rm",
                                 '"fs_write"', 1, pid), cwd,
                    self.path(0, d, "PARENT", "040755"),
                    self.path(1, f, "DELETE", "0100644"), pt]
        # renameat2
        f = r.choice(FILES_WRITE)
        d = f.rsplit("/", 1)[0] + "/" if "/" in f else "./"
        return [self.syscall(316, True, 0, 4, "mv", "/usr/bin/mv",
                             '"fs_write"', 1, pid), cwd,
                self.path(0, d, "PARENT", "040755"),
                self.path(1, d, "PARENT", "040755"),
                self.path(2, f + ".tmp", "DELETE", "0100644"),
                self.path(3, f, "CREATE", "0100644"), pt]

    def net_event(self):
        r = self.r
        exe, comm, argvs = r.choice(BINARIES[3:6] + BINARIES[10:11])
        pid = r.randrange(1000, 30000)
        pt = ("PROCTITLE", f"proctitle={proctitle(r.choice(argvs))}")
        k = r.random()
        if k < 0.5:       # connect inet
            port = r.choice([53, 80, 443, 5432, 6379, 8080])
            ip = bytes([10, r.randrange(256), r.randrange(256),
                        r.randrange(1, 255)])
            sa = (b"\x02\x00" + port.to_bytes(2, "big") + ip + b"\0" * 8)
            return [self.syscall(42, port != 5432, 0 if port != 5432 else -115,
                                 0, comm, exe, '"net"', 1, pid),
                    ("SOCKADDR", f"saddr={sa.hex().upper()}"), pt]
        if k < 0.7:       # bind inet6
            port = r.choice([8000, 8080, 9090])
            sa = (b"\x0a\x00" + port.to_bytes(2, "big") + b"\0" * 4 +
                  b"\0" * 15 + b"\x01" + b"\0" * 4)
            return [self.syscall(49, True, 0, 0, comm, exe, '"net"', 1, pid),
                    ("SOCKADDR", f"saddr={sa.hex().upper()}"), pt]
        # connect AF_UNIX (nscd / systemd): CWD + PATH as the kernel logs
        path = r.choice([b"/var/run/nscd/socket", b"/run/systemd/journal/stdout",
                         b"/run/containerd/containerd.sock"])
        sa = b"\x01\x00" + path + b"\0" * (108 - len(path))
        return [self.syscall(42, False, -2, 1, comm, exe, '"net"', 1, pid),
                ("SOCKADDR", f"saddr={sa.hex().upper()}"),
                ("CWD", f"cwd={enc(r.choice(CWDS))}"),
                self.path(0, path, "UNKNOWN"), pt]

    def other_event(self):
        r = self.r
        pid = r.randrange(1000, 30000)
        nr, comm, exe = r.choice([(117, "sudo", "/usr/bin/sudo"),
                                  (101, "gdb", "/usr/bin/gdb"),
                                  (272, "unshare", "/usr/bin/unshare")])
        return [self.syscall(nr, True, 0, 0, comm, exe, '"priv"', 1, pid),
                ("PROCTITLE", f"proctitle={proctitle([comm])}")]

    def user_event(self):
        r = self.r
        t = r.choice(["USER_ACCT", "CRED_ACQ", "USER_START", "USER_END",
                      "CRED_DISP"])
        op = {"USER_ACCT": "PAM:accounting", "CRED_ACQ": "PAM:setcred",
              "USER_START": "PAM:session_open", "USER_END":
              "PAM:session_close", "CRED_DISP": "PAM:setcred"}[t]
        return [(t, f"pid={r.randrange(1000, 30000)} uid=0 auid=4294967295 "
                 f"ses=4294967295 subj=unconfined msg='op={op} "
                 f"grantors=pam_permit acct=\"root\" exe=\"/usr/sbin/cron\" "
                 f"hostname=? addr=? terminal=cron res=success'")]

    def event(self):
        k = self.r.random()
        if k < 0.006:
            return self.exec_event(split=True)
        if k < 0.45:
            return self.exec_event()
        if k < 0.47:
            return self.failed_exec_event()
        if k < 0.78:
            return self.file_event()
        if k < 0.93:
            return self.net_event()
        if k < 0.99:
            return self.other_event()
        return self.user_event()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--records", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default="-")
    ap.add_argument("--pool", type=int, default=6000,
                    help="distinct events built up front")
    a = ap.parse_args()

    g = Gen(a.seed)
    pool = [[(t, body) for t, body in g.event()] for _ in range(a.pool)]
    rnd = random.Random(a.seed + 1)
    out = sys.stdout.buffer if a.out == "-" else open(a.out, "wb")

    counts, nbytes, written = {}, 0, 0
    sec, msec, serial = 1796500000, 0, 100000
    active = []         # [(stamp, records, next index)]
    buf = []
    while written < a.records or active:
        # keep 1-3 events in flight, like syscalls exiting on other CPUs
        while written + sum(len(e[1]) - e[2] for e in active) < a.records \
                and len(active) < rnd.choice((1, 2, 2, 3)):
            msec += rnd.choice((0, 0, 1, 1, 2))
            if msec >= 1000:
                sec, msec = sec + 1, msec - 1000
            serial += 1
            active.append([f"{sec}.{msec:03d}:{serial}",
                           pool[rnd.randrange(len(pool))], 0])
        if not active:
            break
        e = active[0] if rnd.random() < 0.75 else rnd.choice(active)
        t, body = e[1][e[2]]
        line = f"type={t} msg=audit({e[0]}): {body}\n"
        buf.append(line)
        e[2] += 1
        if e[2] == len(e[1]):
            active.remove(e)
        counts[t] = counts.get(t, 0) + 1
        written += 1
        if len(buf) >= 4096:
            data = "".join(buf).encode()
            nbytes += len(data)
            out.write(data)
            buf = []
    data = "".join(buf).encode()
    nbytes += len(data)
    out.write(data)
    if out is not sys.stdout.buffer:
        out.close()
    mix = ", ".join(f"{t} {100.0 * n / written:.1f}%" for t, n in
                    sorted(counts.items(), key=lambda x: -x[1]))
    print(f"gen_auditlog: {written} records, {nbytes} bytes, "
          f"{serial - 100000} events; {mix}", file=sys.stderr)


if __name__ == "__main__":
    main()
