#!/bin/bash
# man.sh — the man pages: auditwatch(8), auditwatch.yaml(5),
# auditwatch-rules(5).
#
# Each renders with man-db and groff without a warning
# (MANWIDTH=80 man --warnings -l), and with mandoc's linter when it is
# installed. Their version is the binary's. auditwatch(8) names every
# command and every option the binary's --help texts list; auditwatch-
# rules(5) names only fields the rule engine knows and documents every
# audit.* field it has. (auditwatch.yaml(5) against the configuration
# keys: config.sh.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:?run through make check}/tests/deploy/lib.sh"

aw_need_cmd man groff python3
: "${AUDITWATCH:?}"
aw_tmpdir
pages="auditwatch.8 auditwatch.yaml.5 auditwatch-rules.5"
version=$("$AUDITWATCH" --version | awk '{ print $2 }')
[ -n "$version" ] || aw_fail "auditwatch --version printed no version"

for p in $pages; do
	f=$top_srcdir/man/$p
	[ -f "$f" ] || aw_fail "$p missing"
	if ! LC_ALL=C MANWIDTH=80 man --warnings -l "$f" >"$AW_TMP/$p.txt" 2>"$AW_TMP/$p.err" ||
	    [ -s "$AW_TMP/$p.err" ]; then
		cat "$AW_TMP/$p.err" >&2
		aw_fail "$p: man reports errors or warnings"
	fi
	grep -q '^NAME' "$AW_TMP/$p.txt" && grep -q '^SEE ALSO' "$AW_TMP/$p.txt" ||
	    aw_fail "$p: no NAME or SEE ALSO section"
	[ "$(wc -l <"$AW_TMP/$p.txt")" -gt 40 ] || aw_fail "$p: too short"
	grep -q "^\.TH .* \"auditwatch $version\"" "$f" ||
	    aw_fail "$p: .TH does not say auditwatch $version"
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -W warning "$f" >"$AW_TMP/lint" 2>&1
		[ -s "$AW_TMP/lint" ] && { cat "$AW_TMP/lint" >&2; aw_fail "$p: mandoc -Tlint"; }
	fi
done
# Every auditwatch page that one of ours refers to exists.
for ref in $(cat "$AW_TMP"/*.txt | grep -o 'auditwatch[-a-z.]*([0-9])' | sort -u); do
	name=${ref%(*} sec=${ref#*(}
	sec=${sec%)}
	[ -f "$top_srcdir/man/$name.$sec" ] || aw_fail "reference to missing page $ref"
done

# auditwatch(8) against the binary's own help texts.
"$AUDITWATCH" --help >"$AW_TMP/help" || aw_fail "auditwatch --help"
for cmd in run replay "rules check" "rules kernel" alerts status; do
	grep -q "^  ${cmd}" "$AW_TMP/help" || aw_fail "--help does not list '$cmd'"
	grep -q "^\.B.* ${cmd%% *}\b" "$top_srcdir/man/auditwatch.8" ||
	grep -q "^\.BR ${cmd%% *} " "$top_srcdir/man/auditwatch.8" ||
	    aw_fail "auditwatch(8) does not document '$cmd'"
done
opts() { grep -o -- '--[a-z][a-z-]*' "$1" | sort -u; }
man8=$AW_TMP/auditwatch.8.txt
for sub in "" run replay alerts status "rules check" "rules kernel"; do
	# shellcheck disable=SC2086
	if "$AUDITWATCH" $sub --help >"$AW_TMP/h" 2>&1 &&
	    ! grep -q 'not implemented' "$AW_TMP/h"; then
		for o in $(opts "$AW_TMP/h"); do
			grep -q -- "$o" "$man8" ||
			    aw_fail "auditwatch(8) does not document '${sub:-global} $o'"
		done
	else
		aw_log "note: 'auditwatch $sub --help' not available; its options not checked"
	fi
done

# auditwatch-rules(5) against the rule engine's field table.
python3 - "$top_srcdir" <<'EOF' || exit 1
import re, sys
top = sys.argv[1]
src = open(f"{top}/src/rules/fields.c").read() if __import__("os").path.exists(
    f"{top}/src/rules/fields.c") else ""
known = set(re.findall(r'^\s*E\("([a-z0-9_.]+)"', src, re.M))
page = open(f"{top}/man/auditwatch-rules.5").read()
# The FIELDS section only (elsewhere "audit.rule_key" is a config key).
page = page[page.index("\n.SH FIELDS"):]
page = page[:page.index("\n.SH ", 1)]
# Field names set in bold: every word of .B/.BR/.BI lines that looks like
# a field, and \fB...\fP spans.
named = set()
for line in re.findall(r'^\.B[RI]? (.*)$', page, re.M):
    line = re.sub(r'"[^"]*"', " ", line)
    named |= set(re.findall(r'\b([a-z0-9_]+\.[a-z0-9_.]+(?:\[[^]\s]*\])?)', line))
named |= set(re.findall(r'\\fB([a-z0-9_]+\.[a-z0-9_.]+)', page))
classes = ("evt.", "proc.", "thread.", "user.", "group.", "fd.", "container.",
           "k8s.", "audit.", "syscall.", "fs.")
fields = {n.rstrip(".") for n in named if n.startswith(classes)}
bad = []
if known:
    for f in sorted(fields):
        base = re.sub(r"\[.*$", "", f)
        if base not in known and not base.startswith("evt.arg."):
            bad.append(f"auditwatch-rules(5) names unknown field {f}")
    for f in sorted(k for k in known if k.startswith("audit.")):
        if f not in fields:
            bad.append(f"auditwatch-rules(5) does not document {f}")
else:
    print("man.sh: note: src/rules/fields.c not found; fields not checked")
for b in bad:
    print("man.sh: FAIL:", b)
sys.exit(1 if bad else 0)
EOF

aw_log "ok"
exit 0
