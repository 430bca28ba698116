#!/usr/bin/env python3
"""promtext.py — a strict parser of the Prometheus text exposition format
(version 0.0.4), for the metrics tests.

    promtext.py FILE         validate; print the samples as JSON lines
                             {"name": ..., "labels": {...}, "value": ...}
    promtext.py --self-test  check that the parser rejects what it must

Stricter than Prometheus itself where auditwatch promises more: every
family has exactly one HELP and one TYPE line, before its samples, and its
lines are contiguous; every family has samples; counters are named *_total
and are finite and non-negative; no series appears twice. Otherwise as the
format's specification: metric and label names, label value escapes
(\\\\, \\", \\n only), values (floats, NaN, +Inf, -Inf), optional integer
timestamps, the final newline, UTF-8.
"""
import json
import math
import re
import sys

NAME = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")
LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
TYPES = {"counter", "gauge", "histogram", "summary", "untyped"}
FLOAT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
TIMESTAMP = re.compile(r"-?\d+")


class FormatError(Exception):
    pass


def unescape(s, allowed, where):
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\":
            if i + 1 >= len(s) or s[i + 1] not in allowed:
                raise FormatError(f"{where}: bad escape in {s!r}")
            out.append({"\\": "\\", '"': '"', "n": "\n"}[s[i + 1]])
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def parse_value(s, where):
    if s in ("NaN", "+Inf", "-Inf", "Inf"):
        return float(s.replace("Inf", "inf").replace("NaN", "nan"))
    if not FLOAT.fullmatch(s):
        raise FormatError(f"{where}: bad value {s!r}")
    return float(s)


def parse_labels(s, i, where):
    """s[i] == '{'; returns (labels, index after '}')."""
    labels = {}
    i += 1
    while True:
        if i >= len(s):
            raise FormatError(f"{where}: unterminated label set")
        if s[i] == "}":
            return labels, i + 1
        m = LABEL_NAME.match(s, i)
        if not m:
            raise FormatError(f"{where}: bad label name at column {i + 1}")
        lname = m.group(0)
        if lname.startswith("__"):
            raise FormatError(f"{where}: reserved label name {lname}")
        if lname in labels:
            raise FormatError(f"{where}: label {lname} twice")
        i = m.end()
        if s[i:i + 2] != '="':
            raise FormatError(f"{where}: expected =\" after {lname}")
        i += 2
        j = i
        while j < len(s) and s[j] != '"':
            j += 2 if s[j] == "\\" else 1
        if j >= len(s):
            raise FormatError(f"{where}: unterminated label value")
        raw = s[i:j]
        if "\n" in raw:
            raise FormatError(f"{where}: raw newline in label value")
        labels[lname] = unescape(raw, '\\"n', where)
        i = j + 1
        if i < len(s) and s[i] == ",":
            i += 1
        elif i < len(s) and s[i] != "}":
            raise FormatError(f"{where}: expected , or }} after a label")


def family_of(sample_name, types):
    if sample_name in types:
        return sample_name
    for suffix in ("_bucket", "_sum", "_count"):
        base = sample_name[: -len(suffix)]
        if sample_name.endswith(suffix) and types.get(base) in (
                "histogram", "summary"):
            if suffix == "_bucket" and types[base] != "histogram":
                continue
            return base
    return None


def parse(text):
    if not text.endswith("\n"):
        raise FormatError("the text does not end with a newline")
    helps, types, samples = {}, {}, []
    has_samples, finished, seen = set(), set(), set()
    current = None

    def enter(fam, where):
        nonlocal current
        if fam != current:
            if fam in finished:
                raise FormatError(f"{where}: family {fam} is not "
                                  "contiguous")
            if current is not None:
                finished.add(current)
            current = fam

    for n, line in enumerate(text[:-1].split("\n"), 1):
        where = f"line {n}"
        if line == "":
            raise FormatError(f"{where}: empty line")
        if line.startswith("#"):
            parts = line.split(" ", 3)
            if len(parts) >= 3 and parts[1] in ("HELP", "TYPE"):
                kind, name = parts[1], parts[2]
                rest = parts[3] if len(parts) > 3 else ""
                if not NAME.fullmatch(name):
                    raise FormatError(f"{where}: bad metric name {name!r}")
                enter(name, where)
                if kind == "HELP":
                    if name in helps:
                        raise FormatError(f"{where}: second HELP for {name}")
                    if not rest.strip():
                        raise FormatError(f"{where}: empty HELP for {name}")
                    helps[name] = unescape(rest, "\\n", where)
                else:
                    if name in types:
                        raise FormatError(f"{where}: second TYPE for {name}")
                    if rest not in TYPES:
                        raise FormatError(f"{where}: bad type {rest!r}")
                    if name in has_samples:
                        raise FormatError(f"{where}: TYPE after samples")
                    types[name] = rest
            continue  # other comments are allowed
        m = NAME.match(line)
        if not m:
            raise FormatError(f"{where}: bad metric name in {line!r}")
        name, i = m.group(0), m.end()
        labels = {}
        if i < len(line) and line[i] == "{":
            labels, i = parse_labels(line, i, where)
        if i >= len(line) or line[i] != " ":
            raise FormatError(f"{where}: expected a space before the value")
        fields = line[i + 1:].split(" ")
        if len(fields) not in (1, 2) or "" in fields:
            raise FormatError(f"{where}: expected VALUE [TIMESTAMP]")
        value = parse_value(fields[0], where)
        if len(fields) == 2 and not TIMESTAMP.fullmatch(fields[1]):
            raise FormatError(f"{where}: bad timestamp {fields[1]!r}")
        fam = family_of(name, types)
        if fam is None:
            raise FormatError(f"{where}: sample {name} before its TYPE")
        if fam not in helps:
            raise FormatError(f"{where}: family {fam} has no HELP")
        enter(fam, where)
        if types[fam] == "counter":
            if not name.endswith("_total"):
                raise FormatError(f"{where}: counter {name} not *_total")
            if math.isnan(value) or value < 0 or math.isinf(value):
                raise FormatError(f"{where}: counter {name} = {value}")
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise FormatError(f"{where}: series {name}{labels} twice")
        seen.add(key)
        has_samples.add(fam)
        samples.append({"name": name, "labels": labels, "value": value,
                        "type": types[fam]})
    for fam in set(helps) | set(types):
        if fam not in types:
            raise FormatError(f"family {fam} has HELP but no TYPE")
        if fam not in helps:
            raise FormatError(f"family {fam} has TYPE but no HELP")
        if fam not in has_samples:
            raise FormatError(f"family {fam} has no samples")
    return samples


GOOD = (
    '# HELP a_total A thing.\n# TYPE a_total counter\n'
    'a_total{x="q\\"uo\\\\te\\nnl",y="é"} 3\na_total 0\n'
    '# HELP g A gauge \\\\ with escapes\\n.\n# TYPE g gauge\n'
    'g -1.5e3\ng{a="1",} NaN 1700000000000\n'
)
BAD = [
    ("no final newline", GOOD[:-1]),
    ("no HELP", '# TYPE a_total counter\na_total 1\n'),
    ("no TYPE", '# HELP a_total x\na_total 1\n'),
    ("type after samples", '# HELP g x\ng 1\n# TYPE g gauge\n'),
    ("bad type", '# HELP g x\n# TYPE g gaug\ng 1\n'),
    ("bad name", '# HELP 1g x\n# TYPE 1g gauge\n1g 1\n'),
    ("bad label name", '# HELP g x\n# TYPE g gauge\ng{1a="b"} 1\n'),
    ("reserved label", '# HELP g x\n# TYPE g gauge\ng{__a="b"} 1\n'),
    ("bad escape", '# HELP g x\n# TYPE g gauge\ng{a="\\t"} 1\n'),
    ("unquoted", '# HELP g x\n# TYPE g gauge\ng{a=b} 1\n'),
    ("unterminated", '# HELP g x\n# TYPE g gauge\ng{a="b} 1\n'),
    ("bad value", '# HELP g x\n# TYPE g gauge\ng 1,5\n'),
    ("two spaces", '# HELP g x\n# TYPE g gauge\ng  1\n'),
    ("bad timestamp", '# HELP g x\n# TYPE g gauge\ng 1 1.5\n'),
    ("duplicate series", '# HELP g x\n# TYPE g gauge\ng 1\ng 2\n'),
    ("duplicate label", '# HELP g x\n# TYPE g gauge\ng{a="1",a="2"} 1\n'),
    ("not contiguous", '# HELP g x\n# TYPE g gauge\ng{a="1"} 1\n'
     '# HELP h x\n# TYPE h gauge\nh 1\ng{a="2"} 1\n'),
    ("counter name", '# HELP c x\n# TYPE c counter\nc 1\n'),
    ("negative counter", '# HELP c_total x\n# TYPE c_total counter\n'
     'c_total -1\n'),
    ("no samples", '# HELP g x\n# TYPE g gauge\n'),
    ("sample of another family", '# HELP g x\n# TYPE g gauge\nh 1\n'),
    ("empty line", '# HELP g x\n# TYPE g gauge\n\ng 1\n'),
    ("second HELP", '# HELP g x\n# HELP g y\n# TYPE g gauge\ng 1\n'),
]


def self_test():
    s = parse(GOOD)
    assert s[0]["labels"] == {"x": 'q"uo\\te\nnl', "y": "é"}, s[0]
    assert math.isnan(s[3]["value"]) and s[3]["labels"] == {"a": "1"}, s
    for what, text in BAD:
        try:
            parse(text)
        except FormatError:
            continue
        sys.exit(f"promtext self-test: accepted bad input ({what})")
    print(f"promtext self-test: ok ({len(BAD)} bad inputs rejected)")


def main():
    if sys.argv[1:] == ["--self-test"]:
        self_test()
        return
    raw = open(sys.argv[1], "rb").read()
    try:
        text = raw.decode("utf-8")
        samples = parse(text)
    except (UnicodeDecodeError, FormatError) as e:
        sys.exit(f"promtext: {sys.argv[1]}: {e}")
    for s in samples:
        print(json.dumps(s))


if __name__ == "__main__":
    main()
