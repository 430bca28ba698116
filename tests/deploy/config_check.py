#!/usr/bin/env python3
"""config_check.py — the shipped configuration against its documentation,
the Helm chart and the code.

    config_check.py TOP_SRCDIR

1. Every key of etc/auditwatch.yaml (set, or shown commented out as
   "#key: value") has an entry in man/auditwatch.yaml.5, and every entry
   there is a key of the file: no undocumented key, no stale entry.
2. The chart's `auditwatch:` values hold the same keys as the shipped file,
   with the same values except the few the chart changes on purpose.
3. Every configuration key the C sources read by its full name
   (aw_config_*(cfg, "a.b"), cfg_*(cfg, "a.b"), MS/INT("a.b", ...)) is in
   the shipped file. Keys the sources build at run time ("%s.enabled") are
   not seen here; keys of the file not found in the sources are listed for
   information only.
"""

import os
import re
import sys

import yaml

# Keys the chart sets differently from the shipped file, and why (see the
# comments in helm/auditwatch/values.yaml).
CHART_DIFFERENT = {
    "rules_files",             # no .local file; customRules in rules.d
    "enrich.docker_socket",    # runtime sockets are not mounted
    "enrich.podman_socket",
    "enrich.kubelet_insecure",  # node-local kubelet certificates
}
# Keys the code reads that are internal (tests), not for users.
INTERNAL_PREFIXES = ("debug.",)

COMMENTED_KEY = re.compile(r"^(\s*)#([a-z_][a-z0-9_]*:.*)$")


def flatten(node, prefix="", out=None):
    """Leaf key paths; a list (or a null) is a leaf."""
    if out is None:
        out = {}
    if isinstance(node, dict):
        for k, v in node.items():
            path = f"{prefix}.{k}" if prefix else str(k)
            if isinstance(v, dict) and v:
                flatten(v, path, out)
            else:
                out[path] = v
    return out


def shipped_keys(path):
    text = open(path).read()
    active = flatten(yaml.safe_load(text))
    # Uncomment "#key: value" lines (prose comments have a space after #).
    lines = []
    for line in text.splitlines():
        m = COMMENTED_KEY.match(line)
        lines.append(m.group(1) + m.group(2) if m else line)
    try:
        every = flatten(yaml.safe_load("\n".join(lines)))
    except yaml.YAMLError as e:
        sys.exit(f"config_check: FAIL: commented-out keys of {path} do not "
                 f"form valid YAML once uncommented: {e}")
    return active, every


def man_keys(path):
    text = open(path).read()
    # An entry is ".TP" (or ".TQ", a further name of the same entry)
    # followed by ".B key".
    return set(re.findall(r"^\.T[PQ]\n\.B ([a-z_][a-z0-9_.]*)$", text,
                          re.M))


CALL_PATTERNS = [
    re.compile(r"\baw_config_(?:str|int|ms|bool|list|find)\s*\(\s*[\w>.-]+\s*,"
               r"\s*\"([^\"%]+)\""),
    re.compile(r"\bcfg_\w+\s*\(\s*\w+\s*,\s*\"([^\"%]+)\""),
    re.compile(r"\b(?:MS|INT)\s*\(\s*\"([^\"%]+)\"\s*,\s*[a-z_]+\s*\)"),
]


def code_keys(srcdir):
    found = {}
    for root, _, files in os.walk(os.path.join(srcdir, "src")):
        for f in files:
            if not f.endswith(".c") or f == "config.c":
                continue
            p = os.path.join(root, f)
            text = open(p, errors="replace").read()
            for pat in CALL_PATTERNS:
                for m in pat.finditer(text):
                    line = text.count("\n", 0, m.start()) + 1
                    found.setdefault(m.group(1), f"{os.path.relpath(p, srcdir)}:{line}")
    return found


def main():
    top = sys.argv[1]
    bad = []
    active, every = shipped_keys(os.path.join(top, "etc", "auditwatch.yaml"))
    documented = man_keys(os.path.join(top, "man", "auditwatch.yaml.5"))

    for k in sorted(set(every) - documented):
        bad.append(f"{k}: in etc/auditwatch.yaml, not in auditwatch.yaml(5)")
    for k in sorted(documented - set(every)):
        bad.append(f"{k}: in auditwatch.yaml(5), not in etc/auditwatch.yaml")

    values = yaml.safe_load(open(os.path.join(top, "helm", "auditwatch",
                                              "values.yaml")))
    chart = flatten(values.get("auditwatch") or {})
    for k in sorted(set(active) - set(chart)):
        bad.append(f"{k}: set in etc/auditwatch.yaml, missing from the "
                   "chart's auditwatch values")
    for k in sorted(set(chart) - set(every)):
        bad.append(f"{k}: in the chart's auditwatch values, not a key of "
                   "etc/auditwatch.yaml")
    for k in sorted(set(chart) & set(active)):
        if chart[k] != active[k] and k not in CHART_DIFFERENT:
            bad.append(f"{k}: chart value {chart[k]!r} differs from the "
                       f"shipped {active[k]!r}")
    for k in sorted(CHART_DIFFERENT):
        if k in chart and k in active and chart[k] == active[k]:
            bad.append(f"{k}: listed as different in the chart but equal")

    sections = {k.split(".")[0] for k in every}
    read = code_keys(top)
    for k, where in sorted(read.items()):
        if k.startswith(INTERNAL_PREFIXES):
            continue
        documented_key = k in every or any(e.startswith(k + ".")
                                           for e in every)
        if not documented_key:
            bad.append(f"{k}: read at {where}, not in etc/auditwatch.yaml "
                       "(document it there and in auditwatch.yaml(5))")
    unseen = sorted(k for k in every if k not in read and
                    not any(r.startswith(k + ".") for r in read))
    if unseen:
        print(f"config_check: note: {len(unseen)} documented keys are not "
              "read by full name in src/ (built at run time, or not "
              "implemented yet): " + ", ".join(unseen))
    del sections

    for b in bad:
        print(f"config_check: FAIL: {b}")
    if bad:
        sys.exit(1)
    print(f"config_check: ok ({len(every)} keys, {len(read)} read by name "
          "in src/)")


if __name__ == "__main__":
    main()
