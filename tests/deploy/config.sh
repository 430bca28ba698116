#!/bin/bash
# config.sh — the shipped configuration, etc/auditwatch.yaml.
#
# It loads and validates with the binary (`replay --events /dev/null` reads the
# configuration, builds the pipeline and stops) without a warning; a copy
# with one bad value is refused naming the file and line, which shows the
# file is really read. The rules it names load with `rules check`. Its keys
# match auditwatch.yaml(5), the Helm chart and the C sources
# (config_check.py).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:?run through make check}/tests/deploy/lib.sh"

aw_need_cmd python3
python3 -c 'import yaml' 2>/dev/null || aw_unavailable "python3 yaml module (python3-yaml)"
: "${AUDITWATCH:?}"
aw_tmpdir
cfg=$top_srcdir/etc/auditwatch.yaml

if ! "$AUDITWATCH" -c "$cfg" replay --events /dev/null >"$AW_TMP/out" 2>"$AW_TMP/err"; then
	cat "$AW_TMP/err" >&2
	aw_fail "auditwatch -c etc/auditwatch.yaml replay --events /dev/null failed"
fi
if grep -qi 'warn\|unknown\|error' "$AW_TMP/err"; then
	cat "$AW_TMP/err" >&2
	aw_fail "loading etc/auditwatch.yaml printed warnings"
fi

# One bad value: refused, with file:line.
line=$(grep -n '^  timeout: 2s$' "$cfg" | head -n 1 | cut -d: -f1)
[ -n "$line" ] || aw_fail "reassembly.timeout not found in $cfg"
sed "${line}s/2s/two seconds/" "$cfg" >"$AW_TMP/bad.yaml"
if "$AUDITWATCH" -c "$AW_TMP/bad.yaml" replay --events /dev/null >/dev/null 2>"$AW_TMP/err"; then
	aw_fail "a configuration with reassembly.timeout: 'two seconds' was accepted"
fi
grep -q "bad.yaml:$line" "$AW_TMP/err" || {
	cat "$AW_TMP/err" >&2
	aw_fail "the error does not name bad.yaml:$line"
}

# The rules the shipped configuration loads (from the source tree instead
# of /etc), once `rules check` exists.
if "$AUDITWATCH" rules check --help >/dev/null 2>&1; then
	rules=()
	[ -f "$top_srcdir/rules/auditwatch_rules.yaml" ] &&
	    rules+=(-r "$top_srcdir/rules/auditwatch_rules.yaml")
	rules+=(-r "$top_srcdir/etc/auditwatch_rules.local.yaml")
	if ! "$AUDITWATCH" -c "$cfg" "${rules[@]}" rules check \
	    >"$AW_TMP/rules.out" 2>&1; then
		cat "$AW_TMP/rules.out" >&2
		aw_fail "rules check with the shipped configuration failed"
	fi
else
	aw_log "note: 'rules check' not available yet; rules not checked"
fi

python3 "$top_srcdir/tests/deploy/config_check.py" "$top_srcdir" || exit 1
aw_log "ok"
exit 0
