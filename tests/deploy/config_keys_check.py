#!/usr/bin/env python3
"""config_keys_check.py — the list of known configuration keys
(src/config_keys.c) against the shipped configuration and the sources.

    config_keys_check.py TOP_SRCDIR

The program warns about every key of a loaded configuration that matches
no entry of that list, so the list must be exactly right:
1. every key of etc/auditwatch.yaml (set, or shown commented out) matches
   an entry: the shipped file never warns;
2. every entry is a key of etc/auditwatch.yaml, or internal (debug.*): no
   key is accepted in silence that the documentation does not describe;
3. every key the C sources read by its full name matches an entry: no key
   the program uses is reported as unknown.
Entries are dotted paths; a component "#" is a list index and a last
component "*" any name (header names). The shipped file's key for an
entry is the part before the first such component.
"""

import os
import re
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import config_check  # noqa: E402  (shipped_keys, code_keys)

INTERNAL_PREFIXES = config_check.INTERNAL_PREFIXES


def known_patterns(path):
    text = open(path).read()
    m = re.search(r"BEGIN KNOWN KEYS.*?\n(.*?)/\* END KNOWN KEYS", text, re.S)
    if not m:
        sys.exit(f"config_keys_check: FAIL: no BEGIN/END KNOWN KEYS in {path}")
    body = re.sub(r"/\*.*?\*/", "", m.group(1), flags=re.S)
    return re.findall(r'"([^"]*)"', body)


def matches(pattern, key):
    p, k = pattern.split("."), key.split(".")
    for i, pc in enumerate(p):
        if pc == "*" and i == len(p) - 1:
            return len(k) > i and all(k[i:])
        if i >= len(k) or not k[i]:
            return False
        if pc == "#":
            if not k[i].isdigit():
                return False
        elif pc != k[i]:
            return False
    return len(k) == len(p)


def shipped_name(pattern):
    out = []
    for pc in pattern.split("."):
        if pc in ("#", "*"):
            break
        out.append(pc)
    return ".".join(out)


def main():
    top = sys.argv[1]
    bad = []
    patterns = known_patterns(os.path.join(top, "src", "config_keys.c"))
    if len(set(patterns)) != len(patterns):
        bad.append("src/config_keys.c lists a key twice")
    _active, every = config_check.shipped_keys(
        os.path.join(top, "etc", "auditwatch.yaml"))
    names = {shipped_name(p) for p in patterns}

    for k in sorted(every):
        if k not in names and not any(matches(p, k) for p in patterns):
            bad.append(f"{k}: in etc/auditwatch.yaml but not a known key in "
                       "src/config_keys.c (the shipped file would warn)")
    for p in patterns:
        if p.startswith(INTERNAL_PREFIXES):
            continue
        if shipped_name(p) not in every:
            bad.append(f"{p}: known in src/config_keys.c but not in "
                       "etc/auditwatch.yaml (document it there and in "
                       "auditwatch.yaml(5))")
    for k, where in sorted(config_check.code_keys(top).items()):
        if not any(matches(p, k) for p in patterns):
            bad.append(f"{k}: read at {where} but not in src/config_keys.c "
                       "(it would be reported as unknown)")

    for b in bad:
        print(f"config_keys_check: FAIL: {b}")
    if bad:
        sys.exit(1)
    print(f"config_keys_check: ok ({len(patterns)} known keys)")


if __name__ == "__main__":
    main()
