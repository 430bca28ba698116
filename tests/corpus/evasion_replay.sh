#!/bin/sh
# evasion_replay.sh — the records of tests/live/evasion.live's actions, as
# this machine's kernel (6.18) logged them (tests/corpus/evasion.audit.txt,
# captured 2026-12-05 with a multicast netlink reader and
# -F dir=/etc/awevcap), replayed through the default rules. A replayed log
# gets no live path resolution (its pids and fds mean nothing here), so:
#   ../ from an absolute name and from the cwd  Write below etc, lexical
#   a hex-encoded name (newline, space, quotes)  Write below etc, exact
#   openat(dirfd on /etc/awevcap, "existing"/"dirfd-new") with cwd /tmp:
#     fd.name "<UNKNOWN>/existing", never "/tmp/existing" (the kernel's
#     PARENT item of the create even names the cwd, "/tmp", with the
#     inode of /etc/awevcap: it must not be used as the directory)
#   /tmp/awevcap-l/via-symlink (-> /etc/awevcap): lexical in replay
. "$top_srcdir/tests/corpus/common.sh"
[ -x "$AUDITWATCH" ] || fail_setup "$AUDITWATCH not built"
command -v python3 >/dev/null 2>&1 || fail_setup "python3 not installed"
T=$(mktemp -d /tmp/aw-evasion-replay.XXXXXX)
trap 'rm -rf "$T"' EXIT
cat > "$T/probe.yaml" <<'YAML'
- rule: probe
  desc: t
  condition: evt.type = openat and fd.num >= 0
  output: "%fd.name %fd.nameraw"
  priority: INFO
YAML
"$AUDITWATCH" -r "$top_srcdir/rules/auditwatch_rules.yaml" -r "$T/probe.yaml" \
    -o json_output=true -o rule_matching=all -o enrich.host_proc=none \
    replay "$top_srcdir/tests/corpus/evasion.audit.txt" > "$T/out" 2> "$T/err" ||
    { cat "$T/err" >&2; echo "FAIL: replay" >&2; exit 1; }
python3 - "$T/out" <<'PY' || exit 1
import json, sys
al = [json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
def names(rule):
    return {a["output_fields"].get("fd.name") for a in al if a["rule"] == rule}
def raw2name():
    return {a["output_fields"]["fd.nameraw"]: a["output_fields"]["fd.name"]
            for a in al if a["rule"] == "probe"}
wbe, p = names("Write below etc"), raw2name()
E = "/etc/awevcap/"
want = {E + "dotdot-abs", E + "dotdot-rel", E + "new\nline \"q'"}
assert want <= wbe, ("Write below etc", wbe)
assert p["existing"] == "<UNKNOWN>/existing", p
assert p["dirfd-new"] == "<UNKNOWN>/dirfd-new", p
assert p["/tmp/awevcap-l/via-symlink"] == "/tmp/awevcap-l/via-symlink", p
assert not [n for n in wbe if n.startswith("/tmp") or "UNKNOWN" in n], wbe
print("ok: %d alerts" % len(al))
PY
