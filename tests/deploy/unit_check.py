#!/usr/bin/env python3
"""unit_check.py — the hardening and paths of dist/auditwatch.service.

    unit_check.py UNIT BINDIR SYSCONFDIR CONFIG.yaml

Parses the unit as systemd does (sections, repeated keys, empty assignment
resets a list) and checks what auditwatch(8) and the issue promise: the
capability bounding set is exactly the audit and /proc ones, no new
privileges, a read-only system except the directories auditwatch writes,
which must hold the paths the shipped configuration uses.
"""

import re
import shlex
import sys

import yaml


def parse(path):
    units, section = {}, None
    with open(path) as f:
        lines = f.read().replace("\\\n", " ").splitlines()
    for raw in lines:
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        if line.startswith("["):
            section = line.strip("[]")
            units.setdefault(section, {})
            continue
        k, _, v = line.partition("=")
        k, v = k.strip(), v.strip()
        lst = units[section].setdefault(k, [])
        if v == "":
            lst.clear()
        else:
            lst.append(v)
    return units


def main():
    unit, bindir, sysconfdir, config = sys.argv[1:5]
    u = parse(unit)
    svc = u.get("Service", {})
    bad = []

    def one(key):
        v = svc.get(key, [])
        return v[-1] if v else None

    def want(key, value):
        if one(key) != value:
            bad.append(f"{key}={value} (got {one(key)!r})")

    def words(key):
        return set(w for v in svc.get(key, []) for w in v.split())

    caps = words("CapabilityBoundingSet")
    expect = {"CAP_AUDIT_CONTROL", "CAP_AUDIT_READ", "CAP_SYS_PTRACE",
              "CAP_DAC_READ_SEARCH", "CAP_NET_ADMIN"}
    if caps != expect:
        bad.append(f"CapabilityBoundingSet {sorted(caps)} != {sorted(expect)}")
    if words("AmbientCapabilities") - expect:
        bad.append("AmbientCapabilities beyond the bounding set")
    for k, v in [("NoNewPrivileges", "yes"), ("ProtectSystem", "strict"),
                 ("ProtectHome", "yes"), ("PrivateTmp", "yes"),
                 ("PrivateDevices", "yes"), ("StateDirectory", "auditwatch"),
                 ("RuntimeDirectory", "auditwatch"),
                 ("RuntimeDirectoryPreserve", "yes"),
                 ("LogsDirectory", "auditwatch"),
                 ("ProtectKernelModules", "yes"),
                 ("ProtectKernelTunables", "yes"),
                 ("ProtectControlGroups", "yes"),
                 ("RestrictNamespaces", "yes"),
                 ("RestrictSUIDSGID", "yes"), ("LockPersonality", "yes"),
                 ("SystemCallArchitectures", "native"), ("UMask", "0077")]:
        want(k, v)
    fams = words("RestrictAddressFamilies")
    if fams != {"AF_NETLINK", "AF_UNIX", "AF_INET", "AF_INET6"}:
        bad.append(f"RestrictAddressFamilies {sorted(fams)}")
    # Settings that would break auditwatch: a private network namespace
    # loses multicast audit records; hiding /proc loses every other process;
    # a non-root user without ambient capabilities cannot use audit.
    for k, broken in [("PrivateNetwork", "yes"), ("ProtectProc", "invisible"),
                      ("ProcSubset", "pid"), ("PrivatePIDs", "yes")]:
        if one(k) == broken:
            bad.append(f"{k}={broken} breaks auditwatch")
    if one("User") not in (None, "root") and not words("AmbientCapabilities"):
        bad.append("User= without AmbientCapabilities=")

    start = shlex.split(one("ExecStart") or "")
    if start[:1] != [f"{bindir}/auditwatch"]:
        bad.append(f"ExecStart binary {start[:1]} != {bindir}/auditwatch")
    if start[1:3] != ["-c", f"{sysconfdir}/auditwatch/auditwatch.yaml"] or \
            start[-1:] != ["run"]:
        bad.append(f"ExecStart arguments {start[1:]}")
    reload_ = shlex.split(one("ExecReload") or "")
    if reload_[-2:] != ["-HUP", "$MAINPID"] or "kill" not in reload_[0]:
        bad.append(f"ExecReload does not send SIGHUP: {reload_}")
    left = re.search(r"@[A-Za-z_]+@", open(unit).read())
    if left:
        bad.append(f"{left.group(0)} was not substituted")
    if "multi-user.target" not in u.get("Install", {}).get("WantedBy", []):
        bad.append("WantedBy=multi-user.target")

    # The directories the unit makes writable hold what the shipped
    # configuration writes.
    cfg = yaml.safe_load(open(config))
    writable = {"/var/lib/auditwatch/": "StateDirectory",
                "/run/auditwatch/": "RuntimeDirectory",
                "/var/log/auditwatch/": "LogsDirectory"}
    for key, path in [("sqlite.path", cfg["sqlite"]["path"]),
                      ("audit.state_file", cfg["audit"]["state_file"]),
                      ("file_output.filename",
                       cfg["file_output"]["filename"])]:
        if not any(path.startswith(d) for d in writable):
            bad.append(f"{key} {path} is outside the unit's writable "
                       "directories")

    for b in bad:
        print(f"unit_check: FAIL: {b}")
    if bad:
        sys.exit(1)
    print("unit_check: ok")


if __name__ == "__main__":
    main()
