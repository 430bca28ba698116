#!/usr/bin/env python3
"""dockerfile_check.py — the Dockerfile against the build it packages.

    dockerfile_check.py TOP_SRCDIR AUDITWATCH LINT.json

No image can be built here (no registry for base images), so this checks
what decides whether the image works:
  * dockerfile-utils' validator (LINT.json, from the node step) found
    nothing wrong;
  * two stages on the same Debian 12 slim base; the build stage installs
    every -dev package .ci/install-deps installs for building, the runtime
    stage none;
  * every shared library the built binary needs (ldd) comes from a Debian
    package the runtime stage installs (or from the base image's libc);
  * the image installs /usr/bin/auditwatch with /etc as sysconfdir, which
    is what the Helm chart runs (command and -c path), and its version is
    the chart's appVersion and the binary's.
"""

import json
import os
import re
import shlex
import subprocess
import sys

import yaml

# Test-only or toolchain packages of .ci/install-deps that the image's
# build stage does not need.
NOT_FOR_IMAGE = {"libcmocka-dev", "libclang-rt-14-dev"}
# In debian:12-slim already (the base image's essential set).
IN_BASE = {"libc6", "libgcc-s1", "libzstd1", "liblzma5", "zlib1g",
           "libselinux1", "libpcre2-8-0"}
# Runtimes linked only into sanitizer or coverage builds of the test binary.
TEST_BUILD_ONLY = re.compile(r"^(libasan|libubsan|liblsan|libtsan|libclang-rt|libllvm|libgcc-\d+-dev)")


def stages(text):
    """[(from_line, [RUN texts], other lines)] per FROM, continuations
    joined."""
    text = re.sub(r"\\\n", " ", text)
    out = []
    for line in text.splitlines():
        s = line.strip()
        if not s or s.startswith("#"):
            continue
        word = s.split()[0].upper()
        if word == "FROM":
            out.append({"from": s, "run": [], "lines": []})
        elif out:
            out[-1]["lines"].append(s)
            if word == "RUN":
                out[-1]["run"].append(s[3:])
    return out


def apt_packages(runs):
    pkgs = set()
    for r in runs:
        for cmd in re.split(r"&&|;", r):
            words = shlex.split(cmd)
            if "apt-get" in words and "install" in words:
                pkgs |= {w for w in words[words.index("install") + 1:]
                         if not w.startswith("-")}
    return pkgs


def main():
    top, binary, lint = sys.argv[1:4]
    bad = []
    text = open(os.path.join(top, "Dockerfile")).read()

    for d in json.load(open(lint)):
        bad.append(f"Dockerfile:{d['range']['start']['line'] + 1}: "
                   f"{d['message']}")

    args = dict(re.findall(r"^ARG (\w+)=(\S+)$", text, re.M))
    st = stages(text)
    if len(st) != 2:
        bad.append(f"{len(st)} stages, expected build + runtime")
        st = (st + [{"from": "", "run": [], "lines": []}] * 2)[:2]
    build, runtime = st
    for s in (build, runtime):
        base = s["from"].split()[1] if len(s["from"].split()) > 1 else ""
        base = re.sub(r"\$\{(\w+)\}", lambda m: args.get(m.group(1), ""), base)
        if base != "debian:12-slim":
            bad.append(f"stage '{s['from']}' is not based on debian:12-slim")
    if not re.search(r"\bAS build\b", build["from"], re.I):
        bad.append("first stage is not named build")
    if not any(l.startswith("COPY --from=build ") for l in runtime["lines"]):
        bad.append("runtime stage copies nothing from build")

    deps = open(os.path.join(top, ".ci", "install-deps")).read()
    deps = re.sub(r"\\\n", " ", deps)
    ci_dev = set(re.findall(r"\b(lib[a-z0-9.+-]+-dev|uthash-dev)\b", deps))
    bpk, rpk = apt_packages(build["run"]), apt_packages(runtime["run"])
    for p in sorted(ci_dev - NOT_FOR_IMAGE - bpk):
        bad.append(f"build stage lacks {p} (in .ci/install-deps)")
    for p in sorted(p for p in rpk if p.endswith("-dev")):
        bad.append(f"runtime stage installs {p}")

    # Libraries the binary needs, and their packages.
    try:
        ldd = subprocess.run(["ldd", binary], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"dockerfile_check: FAIL: ldd {binary}: {e}")
    # Only what the binary itself needs (DT_NEEDED): the packages' own
    # dependencies come with them through apt.
    try:
        dyn = subprocess.run(["readelf", "-d", binary], capture_output=True,
                             text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError) as e:
        sys.exit(f"dockerfile_check: FAIL: readelf -d {binary}: {e}")
    needed = set(re.findall(r"\(NEEDED\)\s+Shared library: \[([^]]+)\]", dyn))
    libs = [path for name, path in
            re.findall(r"^\s*(\S+)\s+=>\s+(/\S+)", ldd, re.M)
            if name in needed]
    if not libs:
        bad.append(f"ldd found no shared libraries in {binary}")
    for lib in libs:
        real = os.path.realpath(lib)
        pkg = None
        for cand in (real, lib, re.sub(r"^/usr", "", real),
                     "/usr" + real if not real.startswith("/usr") else real):
            r = subprocess.run(["dpkg", "-S", cand], capture_output=True,
                               text=True)
            if r.returncode == 0:
                pkg = r.stdout.split(":")[0].strip()
                break
        if pkg is None:
            bad.append(f"{lib}: no Debian package owns it")
            continue
        if pkg in IN_BASE or TEST_BUILD_ONLY.match(pkg):
            continue
        if pkg not in rpk:
            bad.append(f"{lib} is from {pkg}, which the runtime stage "
                       "does not install")

    # Paths and version shared with the chart.
    conf = " ".join(build["run"])
    for flag in ("--prefix=/usr", "--sysconfdir=/etc", "--localstatedir=/var"):
        if flag not in conf:
            bad.append(f"configure in the build stage lacks {flag}")
    if 'ENTRYPOINT ["/usr/bin/auditwatch"]' not in runtime["lines"]:
        bad.append("ENTRYPOINT is not /usr/bin/auditwatch")
    ds = open(os.path.join(top, "helm", "auditwatch", "templates",
                           "daemonset.yaml")).read()
    if "- /usr/bin/auditwatch" not in ds:
        bad.append("the chart does not run /usr/bin/auditwatch")
    if "- /etc/auditwatch/auditwatch.yaml" not in ds:
        bad.append("the chart does not pass -c /etc/auditwatch/auditwatch.yaml")
    chart = yaml.safe_load(open(os.path.join(top, "helm", "auditwatch",
                                             "Chart.yaml")))
    version = subprocess.run([binary, "--version"], capture_output=True,
                             text=True).stdout.split()[-1]
    if str(chart.get("appVersion")) != version:
        bad.append(f"Chart appVersion {chart.get('appVersion')} != "
                   f"auditwatch {version}")

    ign = open(os.path.join(top, ".dockerignore")).read().split()
    for must in ("config.status", ".git", "**/*.o"):
        if must not in ign:
            bad.append(f".dockerignore does not exclude {must}")

    for b in bad:
        print(f"dockerfile_check: FAIL: {b}")
    if bad:
        sys.exit(1)
    print(f"dockerfile_check: ok ({len(libs)} libraries, "
          f"{len(rpk)} runtime packages)")


if __name__ == "__main__":
    main()
