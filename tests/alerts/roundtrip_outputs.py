#!/usr/bin/env python3
"""roundtrip_outputs.py — hostile byte strings through every alert output.

  roundtrip_outputs.py gen DIR [N]   write DIR/rt.log (audit.log text),
                                     DIR/rules.yaml and DIR/strings.json
  roundtrip_outputs.py check DIR     parse every output back and compare

N random byte strings (default 10,000; every byte value, invalid UTF-8,
newlines, quotes, backslashes, mrkdwn and Slack control sequences, JSON
and syslog look-alikes, lengths up to 8 KB) go into EXECVE arguments,
hex-encoded and split into aK_len/aK[i] chunks as the kernel writes
them; N/5 more go into file names (PATH records of openat, up to 4000
bytes). Each string makes one alert. `check` reads back:

  stdout   Falco JSON lines: output_fields and the output line
  sqlite   the alerts table (typed columns, output, output_fields)
  webhook  the Falco JSON each request carried (receiver.py log)
  slack    each Slack message (receiver.py log): text, fallback, fields
  syslog   each datagram received on /dev/log (if DIR/syslog.out exists)

and compares with what the documented rules say each output must hold:

  * Valid UTF-8 comes back byte for byte. Bytes that are not UTF-8 are
    replaced, one U+FFFD per byte of an invalid sequence (output/text.h:
    Falco's JSON repair; the store sanitises its columns the same way).
  * A NUL cannot come from the kernel (arguments and names are C
    strings); a forged log can carry one. The JSON output_fields keep it
    (\\u0000); in the output line and the typed columns, which are C
    strings, each NUL is one U+FFFD, so nothing after it is lost.
  * Syslog (text format) carries the output line escaped as a JSON string
    body (output/text.h aw_escape_line): json.loads gives it back.
  * Slack (slack.h): & < > as entities, \\n \\r \\t and \\xNN for
    controls, \\u{...} for invisible/bidi code points, U+FFFD for invalid
    UTF-8, cut to 3000 bytes (text) or 300 (fields) with "…" on a
    character/escape boundary, and not cut when it fits (it was, by 1-2
    characters: fixed in slack.c). This display escaping is not invertible
    (a literal backslash-n looks like an escaped newline), so the exact
    expected text is computed from those rules and compared, and no raw
    < > or control character may appear anywhere in the payload.

Nothing may add structure: every JSON document parses, has exactly the
expected keys, one alert per line/request/datagram, and the count of
alerts is exactly the count of strings everywhere.
"""
import codecs
import json
import os
import random
import re
import sqlite3
import sys

PREFIX_ARGS = "RT args="
PREFIX_FILE = "RT file="
SUFFIX = " (end)"           # the rule's text after the value
RULE_EXEC = "RT exec"
RULE_OPEN = "RT open"
MAX_EXECVE_CHUNK = 7500          # hex characters per EXECVE record (kernel)
ELLIPSIS = "\u2026"

RULES = """\
- rule: %s
  desc: round trip of hostile argument strings
  condition: evt.type = execve
  output: "%s%%proc.args%s"
  priority: WARNING
- rule: %s
  desc: round trip of hostile file names
  condition: evt.type = openat
  output: "%s%%fd.name%s"
  priority: WARNING
""" % (RULE_EXEC, PREFIX_ARGS, SUFFIX, RULE_OPEN, PREFIX_FILE, SUFFIX)

# Pieces an attacker would try: Slack control sequences and mrkdwn, JSON
# and syslog look-alikes, invalid UTF-8 of every kind, invisible code
# points, terminal escapes.
HOSTILE = [
    b"<!channel>", b"<!here>", b"<!everyone>", b"<@U123>", b"<#C123|x>",
    b"<http://evil.example|click>", b"<mailto:a@b|x>", b"&amp;", b"&lt;",
    b"&gt;", b"&", b"<", b">", b"*bold*", b"_it_", b"~s~", b"`code`",
    b"```", b"|", b"@channel", b"\"", b"'", b"\\", b"\\n", b"\\u0000",
    b"\\udcff", b"\",\"rule\":\"x", b"}{", b"\n", b"\r", b"\t", b"\r\n",
    b"\n<13>Jan  1 00:00:00 host fake[1]: ", b"\x00", b"\x1b[31m", b"\x7f",
    b"\xff", b"\xfe", b"\xc0\xaf", b"\xe0\x80\xaf", b"\xed\xa0\x80",
    b"\xf4\x90\x80\x80", b"\xf8\x88\x80\x80\x80", b"\xc3", b"\xe2\x80",
    b"\x80", b"\xc3\xa9", b"\xe2\x82\xac", b"\xf0\x9d\x84\x9e",
    "\u202e".encode(), "\u2028".encode(), "\u0085".encode(),
    "\ufeff".encode(), "\u200b".encode(), "\u2066".encode(), b" ", b"%",
    b"%proc.name", b"$(id)", b"%s%n",
]


def _valid(p):
    try:
        return b"\x00" not in p and p.decode("utf-8") is not None
    except UnicodeDecodeError:
        return False


HOSTILE_VALID = [p for p in HOSTILE if _valid(p)]
ALPHABET = b" \"'\n\t\\<>&*_~`|{}$\x1b\x7f\xc3\xa9\xff\xfeabc"


def rand_len(rnd):
    r = rnd.random()
    if r < 0.15:
        return rnd.randrange(0, 4)
    if r < 0.65:
        return rnd.randrange(4, 80)
    if r < 0.93:
        return rnd.randrange(80, 1024)
    return rnd.randrange(1024, 8193)


def rand_valid(rnd, n):
    """Valid UTF-8 only: controls, hostile ASCII, invisible and astral
    code points; these must come back byte for byte everywhere."""
    out, size = [], 0
    while size < n:
        r = rnd.random()
        if r < 0.3:
            p = rnd.choice(HOSTILE_VALID)
        elif r < 0.5:
            p = bytes([rnd.randrange(1, 0x80)])
        elif r < 0.8:
            p = chr(rnd.randrange(0x80, 0xd800)).encode()
        else:
            p = chr(rnd.randrange(0xe000, 0x110000)).encode()
        out.append(p)
        size += len(p)
    b = b"".join(out)
    while len(b) > n:                   # drop whole characters
        b = b[:-1]
        while b and 0x80 <= b[-1] < 0xc0:
            b = b[:-1]
        if b and b[-1] >= 0xc0:
            b = b[:-1]
    return b


def rand_bytes(rnd, n, nul):
    kind = rnd.random()
    if kind < 0.5 and not nul:
        return rand_valid(rnd, n)
    kind = rnd.random()
    if kind < 0.35:
        b = rnd.randbytes(n)
    elif kind < 0.55:
        b = bytes(rnd.choices(ALPHABET, k=n))
    elif kind < 0.85:
        out = []
        size = 0
        while size < n:
            p = rnd.choice(HOSTILE) if rnd.random() < 0.6 else \
                bytes([rnd.randrange(0x20, 0x7f)])
            out.append(p)
            size += len(p)
        b = b"".join(out)[:n]
    else:
        b = "".join(rnd.choices("aé€𝄞 \"\\\n<>&\u202e",
                                k=n)).encode()[:n]
    if nul and n:
        i = rnd.randrange(n)
        b = b[:i] + b"\x00" + b[i + 1:]
    return b if nul else b.replace(b"\x00", b"\x01")


def execve_records(h, arg):
    """EXECVE record(s) for argv ["x", arg], as the kernel writes them."""
    if arg and all(0x21 <= c <= 0x7e and c != 0x22 for c in arg):
        enc = '"' + arg.decode() + '"'
    else:
        enc = arg.hex().upper() if arg else '""'
    if len(enc) <= MAX_EXECVE_CHUNK:
        return ["type=EXECVE %s argc=2 a0=\"x\" a1=%s" % (h, enc)]
    hx = arg.hex().upper()
    recs = ["type=EXECVE %s argc=2 a0=\"x\" a1_len=%d" % (h, len(hx))]
    for i in range(0, len(hx), MAX_EXECVE_CHUNK):
        recs.append("type=EXECVE %s a1[%d]=%s" %
                    (h, i // MAX_EXECVE_CHUNK, hx[i:i + MAX_EXECVE_CHUNK]))
    return recs


def path_value(name):
    if all(0x21 <= c <= 0x7e and c != 0x22 for c in name):
        return '"' + name.decode() + '"'
    return name.hex().upper()


def gen(d, n):
    rnd = random.Random(20261205)
    items, lines = [], []
    nfiles = n // 5
    for i in range(n + nfiles):
        serial = i + 1
        h = "msg=audit(1700000000.%03d:%d):" % (serial % 1000, serial)
        nul = rnd.random() < 0.03
        if i < n:
            s = rand_bytes(rnd, rand_len(rnd), nul)
            items.append({"kind": "exec", "serial": serial, "hex": s.hex()})
            lines.append("type=SYSCALL %s arch=c000003e syscall=59 "
                         "success=yes exit=0 items=1 pid=%d comm=\"x\" "
                         "exe=\"/x\"" % (h, 1000 + i))
            lines.extend(execve_records(h, s))
        else:
            # One path component (no '/', '.' or NUL: fd.name is
            # normalised and the kernel's names are C strings).
            comp = rand_bytes(rnd, min(rand_len(rnd), 3990), False)
            comp = comp.replace(b"/", b"\\").replace(b".", b",")
            s = b"/rt/f" + comp
            items.append({"kind": "open", "serial": serial, "hex": s.hex()})
            lines.append("type=SYSCALL %s arch=c000003e syscall=257 "
                         "success=yes exit=3 a0=ffffff9c a1=0 a2=241 a3=1b6 "
                         "items=1 pid=%d comm=\"x\" exe=\"/x\"" %
                         (h, 1000 + i))
            lines.append("type=CWD %s cwd=\"/\"" % h)
            lines.append("type=PATH %s item=0 name=%s inode=1 dev=00:01 "
                         "mode=0100644 nametype=CREATE" % (h, path_value(s)))
        lines.append("type=EOE %s" % h)
    with open(os.path.join(d, "rt.log"), "w") as f:
        f.write("\n".join(lines) + "\n")
    with open(os.path.join(d, "rules.yaml"), "w") as f:
        f.write(RULES)
    with open(os.path.join(d, "strings.json"), "w") as f:
        json.dump(items, f)
    print("generated %d strings (%d arguments, %d file names), %d bytes "
          "of log" % (len(items), n, nfiles, sum(len(l) + 1 for l in lines)))


# ---------------------------------------------------------------- models

def _one_fffd_per_byte(exc):
    # Resume right after the first byte of the bad sequence.
    return ("\ufffd", exc.start + 1)


codecs.register_error("aw-repair", _one_fffd_per_byte)


def repair(b):
    """Bytes → str as the project repairs UTF-8 (output/text.h): a valid
    sequence is kept, anything else costs one U+FFFD per byte and decoding
    resumes at the next byte. Python's strict decoder rejects the same
    sequences (overlongs, surrogates, past U+10FFFF, truncated); the error
    handler makes each bad byte one U+FFFD. NUL is kept (callers cut C
    strings)."""
    return b.decode("utf-8", "aw-repair")


def cstr(b):
    """What a C string of the output holds: each NUL as U+FFFD."""
    return b.replace(b"\x00", "\ufffd".encode())


def invisible(cp):
    return (0x80 <= cp < 0xa0 or cp in (0x2028, 0x2029, 0xfeff, 0x7f) or
            0x202a <= cp <= 0x202e or 0x2066 <= cp <= 0x2069 or
            0x200b <= cp <= 0x200f)


def slack_piece(ch):
    cp = ord(ch)
    if ch == "&":
        return "&amp;"
    if ch == "<":
        return "&lt;"
    if ch == ">":
        return "&gt;"
    if ch == "\n":
        return "\\n"
    if ch == "\r":
        return "\\r"
    if ch == "\t":
        return "\\t"
    if cp < 0x20:
        return "\\x%02x" % cp
    if invisible(cp):
        return "\\u{%x}" % cp
    return ch


SLACK_TABLE = {cp: slack_piece(chr(cp)) for cp in
               list(range(0x20)) + [ord("&"), ord("<"), ord(">")] +
               [cp for cp in range(0x10000) if invisible(cp)]}


def slack_escape(s, limit):
    """slack.h: escape, then at most `limit` UTF-8 bytes ending in "…"
    when cut, never inside an entity, escape or character."""
    if limit and limit < 8:
        limit = 8
    whole = s.translate(SLACK_TABLE)
    if not limit or len(whole.encode()) <= limit:
        return whole
    out, used = [], 0
    for i, ch in enumerate(s):
        piece = slack_piece(ch)
        plen = len(piece.encode())
        last = i == len(s) - 1
        if used + plen + 3 > limit and (not last or used + plen > limit):
            out.append(ELLIPSIS)
            break
        out.append(piece)
        used += plen
    return "".join(out)


# ---------------------------------------------------------------- checks

class Expect:
    """Everything one string should turn into."""

    def __init__(self, item):
        self.kind = item["kind"]
        self.serial = item["serial"]
        self.raw = bytes.fromhex(item["hex"])
        self.field = "proc.args" if self.kind == "exec" else "fd.name"
        self.rule = RULE_EXEC if self.kind == "exec" else RULE_OPEN
        prefix = PREFIX_ARGS if self.kind == "exec" else PREFIX_FILE
        # output_fields: the whole value, NUL included, repaired.
        self.value = repair(self.raw)
        # The rule's output is a C string: a NUL is a U+FFFD and the
        # rest of the line (SUFFIX) is kept.
        self.output = prefix + repair(cstr(self.raw)) + SUFFIX
        c = cstr(self.raw)
        # proc.cmdline is "x" plus the arguments: the file-name events
        # come from processes without any. It is built with its length,
        # then stored as a C string.
        self.cmdline = repair(cstr(b"x " + self.raw)) \
            if self.kind == "exec" and self.raw else "x"
        self.fd_name = repair(c) if self.kind == "open" else None


LINE_RE = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Warning ")
FALCO_KEYS = ["hostname", "output", "output_fields", "priority", "rule",
              "source", "tags", "time"]


def check_falco(doc, e, where):
    """One Falco JSON alert (already parsed) against its expectation."""
    assert list(doc) == FALCO_KEYS, (where, list(doc))
    assert doc["rule"] == e.rule and doc["priority"] == "Warning", where
    assert doc["source"] == "syscall" and doc["tags"] == [], where
    assert doc["hostname"] == "rt-host", (where, doc["hostname"])
    assert doc["time"] == "2023-11-14T22:13:20.%03d000000Z" % \
        (e.serial % 1000), (where, doc["time"])
    of = doc["output_fields"]
    assert sorted(of) == ["evt.time", e.field], (where, list(of))
    assert of[e.field] == e.value, (where, e.serial, of[e.field], e.value)
    m = LINE_RE.match(doc["output"])
    assert m, (where, doc["output"][:80])
    assert doc["output"][m.end():] == e.output, \
        (where, e.serial, doc["output"][m.end():], e.output)
    return doc["output"]


def match_docs(exp, docs, where):
    """Pair documents with expectations. evt.time repeats every 1000
    serials, so the field value picks among the candidates."""
    assert len(docs) == len(exp), (where, len(docs), len(exp))
    groups = {}
    for doc in docs:
        key = (doc["output_fields"]["evt.time"], doc["rule"],
               doc["output_fields"].get("proc.args",
                                        doc["output_fields"].get("fd.name")))
        groups.setdefault(key, []).append(doc)
    lines = {}
    for e in exp:
        key = (1700000000 * 10**9 + (e.serial % 1000) * 10**6, e.rule,
               e.value)
        cand = groups.get(key)
        assert cand, (where, "no alert for serial", e.serial, e.value[:60])
        lines[e.serial] = check_falco(cand.pop(), e, where)
    return lines


def check_stdout(exp, path):
    docs = []
    with open(path, "rb") as f:
        data = f.read()
    text = data.decode("utf-8")          # strict: the output is UTF-8
    for line in text.split("\n"):
        if line:
            docs.append(json.loads(line))
    return match_docs(exp, docs, "stdout")


def check_sqlite(exp, path):
    """The alerts table: each row found by its audit serial; text columns
    are bound parameters, so they hold exactly the (repaired) strings."""
    db = sqlite3.connect(path)
    db.text_factory = bytes
    rows = db.execute("SELECT audit_serial, hostname, rule, priority, "
                      "source, tags, time, output, output_fields, "
                      "proc_name, proc_cmdline, fd_name, typeof(output), "
                      "typeof(proc_cmdline) FROM alerts").fetchall()
    db.close()
    assert len(rows) == len(exp), ("sqlite rows", len(rows), len(exp))
    by = {}
    for r in rows:
        assert r[12] == b"text" and r[13] == b"text", r[12:]
        for col in r[1:12]:
            if col is not None:
                col.decode("utf-8")      # strict: columns are valid UTF-8
        assert r[0] not in by, ("serial twice", r[0])
        by[r[0]] = r
    for e in exp:
        (_, host, rule, prio, src, tags, tm, output, fields, pname, cmdline,
         fdname) = by[e.serial][:12]
        doc = {"hostname": host.decode(), "output": output.decode(),
               "output_fields": json.loads(fields.decode()),
               "priority": prio.decode(), "rule": rule.decode(),
               "source": src.decode(), "tags": json.loads(tags.decode()),
               "time": tm.decode()}
        check_falco(doc, e, "sqlite")
        assert pname == b"x", pname
        assert cmdline.decode() == e.cmdline, \
            ("sqlite proc_cmdline", e.serial, cmdline, e.cmdline)
        assert (fdname and fdname.decode()) == e.fd_name, \
            ("sqlite fd_name", e.serial, fdname, e.fd_name)
    return len(rows)


def receiver_bodies(path, dedupe=False):
    """Bodies of the requests receiver.py logged. A webhook is delivered
    at least once: a retry carries the same Idempotency-Key and body."""
    out, seen = [], {}
    with open(path) as f:
        for line in f:
            rec = json.loads(line)
            assert rec["utf8"], "payload is not valid UTF-8"
            key = rec["headers"].get("idempotency-key")
            if dedupe and key in seen:
                assert seen[key] == rec["body"], ("retry differs", key)
                continue
            seen[key] = rec["body"]
            out.append(json.loads(rec["body"]))
    return out


def check_webhook(exp, path):
    docs = receiver_bodies(path, dedupe=True)
    match_docs(exp, docs, "webhook")
    return len(docs)


# Anything Slack would act on or that hides text: raw angle brackets, an
# & that is not one of the three entities, controls, invisible code points.
SLACK_UNSAFE = re.compile("[<>\x00-\x1f\x7f-\x9f\u200b-\u200f"
                          "\u2028-\u202e\u2066-\u2069\ufeff]|"
                          "&(?!amp;|lt;|gt;)")


def assert_slack_clean(v, where):
    if isinstance(v, str):
        m = SLACK_UNSAFE.search(v)
        assert m is None, (where, m and m.group(0), v[:80])
    elif isinstance(v, dict):
        for x in v.values():
            assert_slack_clean(x, where)
    elif isinstance(v, list):
        for x in v:
            assert_slack_clean(x, where)


def check_slack(exp, path, lines):
    msgs = receiver_bodies(path)
    assert len(msgs) == len(exp), ("slack messages", len(msgs), len(exp))
    by_text = {}
    for m in msgs:
        assert sorted(m) == ["attachments", "link_names", "unfurl_links",
                             "unfurl_media"], list(m)
        assert m["link_names"] is False and m["unfurl_links"] is False
        assert len(m["attachments"]) == 1
        a = m["attachments"][0]
        assert sorted(a) == ["color", "fallback", "fields", "footer", "text",
                             "title", "ts"], list(a)
        assert_slack_clean(m, "slack")
        assert len(a["text"].encode()) <= 3000, len(a["text"].encode())
        by_text.setdefault(a["text"], []).append(a)
    truncated = 0
    for e in exp:
        line = lines[e.serial]
        want = slack_escape(line, 3000)
        cand = by_text.get(want)
        assert cand, ("slack: no message with text", e.serial, want[:100])
        a = cand.pop()
        truncated += want.endswith(ELLIPSIS) and not line.endswith(ELLIPSIS)
        assert a["fallback"] == slack_escape(line, 300), e.serial
        assert a["title"] == e.rule, a["title"]
        f = {x["title"]: x["value"] for x in a["fields"]}
        want_f = {"rule": e.rule, "priority": "Warning", "hostname": "rt-host",
                  "process": slack_escape("x: " + e.cmdline, 300)}
        if e.fd_name:
            want_f["file"] = slack_escape(e.fd_name, 300)
        assert f == want_f, ("slack fields", e.serial, f, want_f)
    return len(msgs), truncated


SYSLOG_RE = re.compile(r"^<(\d+)>([A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d) "
                       r"auditwatch\[(\d+)\]: (.*)\Z", re.S)


def check_syslog(exp, path, lines):
    got = []
    with open(path) as f:
        for l in f:
            # The receiver logs raw bytes as latin-1: the datagram
            # itself must be valid UTF-8.
            got.append(json.loads(l).encode("latin-1").decode("utf-8"))
    assert len(got) == len(exp), ("syslog datagrams", len(got), len(exp))
    have = {}
    for msg in got:
        m = SYSLOG_RE.match(msg)
        assert m, ("syslog header", msg[:120])
        # user facility (1) * 8 + warning (4)
        assert int(m.group(1)) == 12, m.group(1)
        body = m.group(4)
        # One message is one line with no raw control character.
        assert not re.search("[\x00-\x1f]", body), repr(body[:120])
        # The text line is a JSON string body: parse it back.
        line = json.loads('"' + body + '"')
        have.setdefault(line, 0)
        have[line] += 1
    for e in exp:
        line = lines[e.serial]
        assert have.get(line, 0) > 0, ("syslog: missing", e.serial,
                                       line[:100])
        have[line] -= 1
    return len(got)


def check(d):
    with open(os.path.join(d, "strings.json")) as f:
        exp = [Expect(x) for x in json.load(f)]
    lines = check_stdout(exp, os.path.join(d, "stdout.json"))
    print("stdout:  %d Falco JSON alerts, output_fields and output exact"
          % len(lines))
    n = check_sqlite(exp, os.path.join(d, "alerts.db"))
    print("sqlite:  %d rows, typed columns, output and output_fields exact"
          % n)
    n = check_webhook(exp, os.path.join(d, "webhook.log"))
    print("webhook: %d requests, Falco JSON exact" % n)
    n, cut = check_slack(exp, os.path.join(d, "slack.log"), lines)
    print("slack:   %d messages as documented (%d cut at 3000 bytes), no "
          "raw < > & or control anywhere" % (n, cut))
    if os.path.exists(os.path.join(d, "syslog.out")):
        n = check_syslog(exp, os.path.join(d, "syslog.out"), lines)
        print("syslog:  %d datagrams, one line each, parsed back exact" % n)
    nul = sum(b"\x00" in e.raw for e in exp)
    bad = sum(repair(e.raw).encode("utf-8", "surrogatepass") != e.raw
              for e in exp if b"\x00" not in e.raw)
    exact = len(exp) - nul - bad
    print("ok: %d strings (%d valid UTF-8 exact everywhere, %d with "
          "invalid UTF-8 repaired as documented, %d with NUL)"
          % (len(exp), exact, bad, nul))


if __name__ == "__main__":
    if sys.argv[1] == "gen":
        gen(sys.argv[2], int(sys.argv[3]) if len(sys.argv) > 3 else 10000)
    elif sys.argv[1] == "check":
        check(sys.argv[2])
    else:
        sys.exit("usage: roundtrip_outputs.py gen|check DIR [N]")
