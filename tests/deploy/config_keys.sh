#!/bin/bash
# config_keys.sh — unknown configuration keys.
#
# The list of known keys (src/config_keys.c) matches etc/auditwatch.yaml
# and the keys the sources read (config_keys_check.py). The binary warns
# about each unknown key of a file with its file:line and of -o with the
# option, suggests the close known key, still runs, and says nothing about
# the keys it knows.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:?run through make check}/tests/deploy/lib.sh"

aw_need_cmd python3
python3 -c 'import yaml' 2>/dev/null || aw_unavailable "python3 yaml module (python3-yaml)"
: "${AUDITWATCH:?}"
aw_tmpdir

python3 "$top_srcdir/tests/deploy/config_keys_check.py" "$top_srcdir" || exit 1

cat >"$AW_TMP/typo.yaml" <<'YAML'
audit:
  mode: auto
  backlog_limt: 16384
json_output: false
program_output:
  enabled: true
webhook:
  headers:
    Authorization: "Bearer x"
append_output:
  - suggested_output: true
YAML
if ! "$AUDITWATCH" -c "$AW_TMP/typo.yaml" -o reassembly.timout=5s \
    -o reassembly.timeout=5s replay --events /dev/null \
    >/dev/null 2>"$AW_TMP/err"; then
	cat "$AW_TMP/err" >&2
	aw_fail "a configuration with unknown keys was refused (they are warnings)"
fi
want() {
	grep -qF -- "$1" "$AW_TMP/err" || {
		cat "$AW_TMP/err" >&2
		aw_fail "no warning: $1"
	}
}
want "warning: $AW_TMP/typo.yaml:3: unknown configuration key 'audit.backlog_limt' (ignored); did you mean 'audit.backlog_limit'?"
want "warning: $AW_TMP/typo.yaml:6: unknown configuration key 'program_output.enabled' (ignored)"
want "warning: -o reassembly.timout=...: unknown configuration key 'reassembly.timout' (ignored); did you mean 'reassembly.timeout'?"
[ "$(grep -c 'unknown configuration key' "$AW_TMP/err")" = 3 ] || {
	cat "$AW_TMP/err" >&2
	aw_fail "expected exactly 3 unknown-key warnings"
}
aw_log "ok"
exit 0
