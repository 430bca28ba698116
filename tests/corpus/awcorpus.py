"""awcorpus.py — shared helpers of the corpus tests.

What it owns:
  * running `auditwatch replay --events --stats` (and tests/tools/nlfeed)
    and reading their JSON events back, strings as exact bytes;
  * an independent reference reader of audit record text, written from
    the kernel's record format rather than from auditwatch's C code: it
    groups records into events by (node, timestamp, serial) and decodes
    EXECVE argv (with aN_len / aN[i] chunks), PATH, CWD, PROCTITLE,
    SOCKADDR and SYSCALL fields. The corpus tests compare auditwatch's
    output with it on every file, and with upstream expected outputs where
    those exist;
  * a small TAP-style reporter.

Kept deliberately simple: the reference reader only has to be right on
kernel records (which never nest quotes: the kernel hex-encodes any value
that would need escaping), not fast.
"""

import ipaddress
import json
import os
import re
import socket
import subprocess
import sys

# ------------------------------------------------------------ reporting


class Report:
    """Collects ok / not ok lines; exit status 1 if anything failed."""

    def __init__(self):
        self.n = 0
        self.failed = []

    def check(self, cond, name, detail=None):
        self.n += 1
        if cond:
            print(f"ok {self.n} - {name}")
        else:
            print(f"not ok {self.n} - {name}")
            if detail:
                for line in str(detail).splitlines()[:40]:
                    print(f"#   {line}")
            self.failed.append(name)
        return cond

    def note(self, text):
        for line in str(text).splitlines():
            print(f"# {line}")

    def finish(self):
        print(f"1..{self.n}")
        if self.failed:
            print(f"# {len(self.failed)} of {self.n} checks failed")
            return 1
        print(f"# all {self.n} checks passed")
        return 0


def short(v, n=160):
    s = repr(v)
    return s if len(s) <= n else s[:n] + "..."


# ------------------------------------------------------------ running auditwatch


def _stats(stderr):
    """Last 'k=v k=v' line of stderr as a dict of ints."""
    for line in reversed(stderr.decode("utf-8", "replace").splitlines()):
        pairs = re.findall(r"(\w+)=(\d+)", line)
        if len(pairs) >= 5 and pairs[0][0] == "lines":
            return {k: int(v) for k, v in pairs}
    return None


def _events(stdout):
    return [json.loads(line, parse_float=str)
            for line in stdout.decode("utf-8").splitlines() if line]


def run_replay(auditwatch, data=None, path=None):
    """Replay text (bytes on stdin, or a file). Returns (events, stats, stderr)."""
    args = [auditwatch, "replay", "--events", "--stats", path or "-"]
    p = subprocess.run(args, input=data if path is None else None,
                       capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {p.returncode}: "
                           f"{p.stderr.decode('utf-8', 'replace')[-2000:]}")
    return _events(p.stdout), _stats(p.stderr), p.stderr


def run_nlfeed(nlfeed, path):
    args = [nlfeed, "--events", "--stats", path]
    p = subprocess.run(args, capture_output=True, timeout=600)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} exited {p.returncode}: "
                           f"{p.stderr.decode('utf-8', 'replace')[-2000:]}")
    return _events(p.stdout), _stats(p.stderr), p.stderr


def b(s):
    """A string of auditwatch's JSON back to the exact bytes (\\udcXX)."""
    return None if s is None else s.encode("utf-8", "surrogateescape")


def ev_key(e):
    sec, msec = e["time"].split(".")
    return (e.get("node"), int(sec), int(msec), e["serial"])


def merge_by_key(events):
    """Events of one key, in output order: {key: [event, ...]}."""
    out = {}
    for e in events:
        out.setdefault(ev_key(e), []).append(e)
    return out


# ------------------------------------------------------------ reference reader

LINE_RE = re.compile(
    rb"^(?:node=(\S+) )?type=(\S+) msg=audit\((\d+)\.(\d+):(\d+)\):? ?(.*)$",
    re.S)
WIRE_RE = re.compile(rb"^audit\((\d+)\.(\d+):(\d+)\):? ?(.*)$", re.S)
KV_RE = re.compile(rb"""(?:^|\s)([^\s=]+)=("[^"]*"|'[^']*'|\S*)""")
HEX_RE = re.compile(rb"^(?:[0-9A-Fa-f]{2})+$")


class Rec:
    __slots__ = ("node", "type", "sec", "msec", "serial", "body", "line")

    def __init__(self, node, rtype, sec, msec, serial, body, line):
        self.node, self.type = node, rtype
        self.sec, self.msec, self.serial = sec, msec, serial
        self.body, self.line = body, line

    @property
    def key(self):
        return (self.node, self.sec, self.msec, self.serial)


def _strip_body(body):
    body = body.rstrip(b"\r\n\x00")
    gs = body.find(b"\x1d")
    return body if gs < 0 else body[:gs]


def parse_log_line(line):
    """One audit.log line -> Rec, or None if it is not a record."""
    m = LINE_RE.match(line.rstrip(b"\r\n"))
    if not m:
        return None
    node = m.group(1).decode() if m.group(1) else None
    return Rec(node, m.group(2).decode(), int(m.group(3)), int(m.group(4)),
               int(m.group(5)), _strip_body(m.group(6)), line)


def parse_wire(type_name, payload):
    m = WIRE_RE.match(payload)
    if not m:
        return None
    return Rec(None, type_name, int(m.group(1)), int(m.group(2)),
               int(m.group(3)), _strip_body(m.group(4)), payload)


def group(records):
    """Records -> {key: [Rec, ...]} in first-seen order (EOE dropped)."""
    out = {}
    for r in records:
        if r.type == "EOE" or r.type == "1320":
            out.setdefault(r.key, [])
            continue
        out.setdefault(r.key, []).append(r)
    return out


def kvs(body):
    return [(m.group(1), m.group(2)) for m in KV_RE.finditer(body)]


def kv(body, name):
    for k, v in kvs(body):
        if k == name:
            return v
    return None


def decode(v):
    """An encodable kernel value: "quoted", (null), or hex."""
    if v is None:
        return None
    if v.startswith(b'"'):
        return v[1:-1] if len(v) >= 2 and v.endswith(b'"') else v[1:]
    if v == b"(null)":
        return None
    if HEX_RE.match(v):
        return bytes.fromhex(v.decode())
    return v


def num(v):
    try:
        return None if v is None else int(v)
    except ValueError:
        return None


class RefEvent:
    """The reference decoding of one event's records."""

    def __init__(self, recs):
        self.recs = recs
        self.types = [r.type for r in recs]
        self.syscall = None
        self.argv = None
        self.argv_complete = True
        self.paths = []
        self.cwd = None
        self.proctitle = None
        self.saddr = None
        self._decode()

    def _decode(self):
        execve = []
        for r in self.recs:
            t = r.type
            if t == "SYSCALL" and self.syscall is None:
                self.syscall = {k.decode(): v for k, v in kvs(r.body)}
            elif t == "EXECVE":
                execve.append(r.body)
            elif t == "PATH":
                d = {k.decode(): v for k, v in kvs(r.body)}
                self.paths.append(d)
            elif t == "CWD" and self.cwd is None:
                self.cwd = decode(kv(r.body, b"cwd"))
            elif t == "PROCTITLE" and self.proctitle is None:
                self.proctitle = decode(kv(r.body, b"proctitle"))
            elif t == "SOCKADDR" and self.saddr is None:
                self.saddr = decode(kv(r.body, b"saddr"))
        if execve:
            self._argv(execve)

    def _argv(self, bodies):
        plain, lens, chunks, argc = {}, {}, {}, None
        for body in bodies:
            for k, v in kvs(body):
                if k == b"argc" and argc is None:
                    argc = num(v)
                elif (m := re.fullmatch(rb"a(\d+)", k)):
                    plain[int(m.group(1))] = decode(v)
                elif (m := re.fullmatch(rb"a(\d+)_len", k)):
                    lens[int(m.group(1))] = int(v)
                elif (m := re.fullmatch(rb"a(\d+)\[(\d+)\]", k)):
                    chunks.setdefault(int(m.group(1)), {})[int(m.group(2))] = \
                        decode(v)
        if argc is None:
            return
        argv = []
        for n in range(argc):
            if n in plain:
                argv.append(plain[n] if plain[n] is not None else b"")
            elif n in lens:
                c = chunks.get(n, {})
                joined = b"".join(c[i] for i in sorted(c))
                if len(joined) * 2 != lens[n] or sorted(c) != list(range(len(c))):
                    self.argv_complete = False
                argv.append(joined)
            else:
                self.argv_complete = False
                argv.append(b"")
        self.argv = argv

    @property
    def little_endian(self):
        """Byte order of the audited machine, from the SYSCALL arch
        (__AUDIT_ARCH_LE). Without a SYSCALL: little-endian."""
        if self.syscall is None or "arch" not in self.syscall:
            return True
        try:
            return bool(int(self.syscall["arch"], 16) & 0x40000000)
        except ValueError:
            return True

    def sockaddr(self):
        """The SOCKADDR as auditwatch's JSON shape, decoded from the
        kernel's struct sockaddr bytes (family in host byte order, port
        and address in network order)."""
        bts = self.saddr
        if bts is None or len(bts) < 2:
            return None
        le = self.little_endian
        fam = bts[0] | bts[1] << 8 if le else bts[0] << 8 | bts[1]
        if fam == socket.AF_INET:
            if len(bts) < 8:
                return {"family": "inet", "addr": None, "port": None}
            return {"family": "inet", "port": bts[2] << 8 | bts[3],
                    "addr": str(ipaddress.IPv4Address(bts[4:8]))}
        if fam == socket.AF_INET6:
            if len(bts) < 24:
                return {"family": "inet6", "addr": None, "port": None}
            return {"family": "inet6", "port": bts[2] << 8 | bts[3],
                    "addr": socket.inet_ntop(socket.AF_INET6, bts[8:24])}
        if fam == socket.AF_UNIX:
            p = bts[2:]
            if not p:
                return {"family": "unix", "path": None}
            if p[0] == 0:
                return {"family": "unix", "path": b"@" + p[1:].rstrip(b"\0")}
            return {"family": "unix", "path": p.split(b"\0", 1)[0]}
        if fam == socket.AF_NETLINK:
            if len(bts) < 12:
                return {"family": "netlink", "nl_pid": 0, "nl_groups": 0}
            order = "little" if le else "big"
            return {"family": "netlink",
                    "nl_pid": int.from_bytes(bts[4:8], order),
                    "nl_groups": int.from_bytes(bts[8:12], order)}
        return {"family": fam}


def types_match(ours, ref):
    """Record type names; a reference UNKNOWN[n] may be named by a newer
    libaudit, so it only has to hold a place."""
    if len(ours) != len(ref):
        return False
    return all(o == r or r.startswith("UNKNOWN[") for o, r in zip(ours, ref))


def compare_event(ours, ref):
    """Differences between one auditwatch event and the reference
    decoding of the same records, as a list of strings."""
    d = []
    if not types_match(ours["types"], ref.types):
        d.append(f"types {ours['types']} != {ref.types}")
    if ours["records"] != len(ref.types):
        d.append(f"records {ours['records']} != {len(ref.types)}")
    # argv
    if ref.argv is not None:
        got = [b(a) for a in (ours["argv"] or [])]
        if got != ref.argv:
            n = next((i for i, (x, y) in enumerate(zip(got, ref.argv))
                      if x != y), min(len(got), len(ref.argv)))
            d.append(f"argv differs (len {len(got)} vs {len(ref.argv)}) "
                     f"first at [{n}]: {short(got[n:n+1])} != "
                     f"{short(ref.argv[n:n+1])}")
        if bool(ours.get("argv_incomplete")) == ref.argv_complete:
            d.append(f"argv_incomplete {ours.get('argv_incomplete')} but "
                     f"reference complete={ref.argv_complete}")
    elif ours["argv"] is not None:
        d.append(f"argv {short(ours['argv'])} without EXECVE")
    # cwd, proctitle
    if b(ours["cwd"]) != ref.cwd:
        d.append(f"cwd {short(b(ours['cwd']))} != {short(ref.cwd)}")
    if b(ours["proctitle"]) != ref.proctitle:
        d.append(f"proctitle {short(b(ours['proctitle']))} != "
                 f"{short(ref.proctitle)}")
    # paths
    if len(ours["paths"]) != len(ref.paths):
        d.append(f"{len(ours['paths'])} paths != {len(ref.paths)}")
    for i, (p, r) in enumerate(zip(ours["paths"], ref.paths)):
        name = decode(r.get("name"))
        nt = r.get("nametype", r.get("objtype"))
        nt = nt.decode() if nt is not None else None
        if b(p["name"]) != name:
            d.append(f"path[{i}].name {short(b(p['name']))} != {short(name)}")
        if p["nametype"] != nt:
            d.append(f"path[{i}].nametype {p['nametype']} != {nt}")
        if p["inode"] != num(r.get("inode")):
            d.append(f"path[{i}].inode {p['inode']} != {r.get('inode')}")
        mode = int(r["mode"], 8) if "mode" in r else None
        if (int(p["mode"], 8) if p["mode"] is not None else None) != mode:
            d.append(f"path[{i}].mode {p['mode']} != {r.get('mode')}")
    # sockaddr
    sa = ref.sockaddr()
    got = ours["sockaddr"]
    if got is not None and "path" in got:
        got = dict(got, path=b(got["path"]))
    if got != sa:
        d.append(f"sockaddr {short(got)} != {short(sa)}")
    # syscall fields
    s = ref.syscall
    if s is None:
        if ours["syscall"] is not None:
            d.append(f"syscall {ours['syscall']} without SYSCALL record")
    else:
        for f in ("pid", "ppid", "uid", "gid", "euid", "auid", "ses", "exit"):
            if ours[f] != num(s.get(f)):
                d.append(f"{f} {ours[f]} != {s.get(f)}")
        succ = s.get("success")
        exp = None if succ is None else succ == b"yes"
        if ours["success"] != exp:
            d.append(f"success {ours['success']} != {succ}")
        for f in ("comm", "exe", "key"):
            if b(ours[f]) != decode(s.get(f)):
                d.append(f"{f} {short(b(ours[f]))} != {short(decode(s.get(f)))}")
        tty = s.get("tty")
        if b(ours["tty"]) != tty:
            d.append(f"tty {ours['tty']} != {tty}")
    return d


def check_grouping(ours_events, ref_groups):
    """Compare auditwatch's events with the reference grouping.
    Returns (problems, split_keys): split_keys are keys whose records came
    out in more than one event (late records after a timeout)."""
    problems, split = [], []
    merged = merge_by_key(ours_events)
    ref_keys = {k for k, v in ref_groups.items() if v}
    if set(merged) != ref_keys:
        extra = sorted(set(merged) - ref_keys, key=str)[:5]
        missing = sorted(ref_keys - set(merged), key=str)[:5]
        problems.append(f"event keys differ: extra {extra} missing {missing}")
    for k, pieces in merged.items():
        if k not in ref_groups:
            continue
        types = [t for e in pieces for t in e["types"]]
        ref_types = [r.type for r in ref_groups[k]]
        if not types_match(types, ref_types):
            problems.append(f"{k}: types {types} != {ref_types}")
        if len(pieces) > 1:
            split.append(k)
    return problems, split


def find_nlfeed():
    top = os.environ.get("top_builddir", ".")
    p = os.path.join(top, "tests", "tools", "nlfeed")
    return p if os.access(p, os.X_OK) else None


def die(msg, code=99):
    print(f"Bail out! {msg}")
    sys.exit(code)
