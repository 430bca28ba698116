#!/bin/bash
# dockerfile.sh — the Dockerfile the Helm chart's default image is built
# from. No base image can be pulled here, so the build itself is not run;
# instead the file is validated (dockerfile-utils, from npm) and checked
# against the real build: packages, linked libraries, paths, version
# (dockerfile_check.py says what exactly).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:?run through make check}/tests/deploy/lib.sh"

aw_need_cmd python3 ldd dpkg readelf
python3 -c 'import yaml' 2>/dev/null || aw_unavailable "python3 yaml module (python3-yaml)"
: "${AUDITWATCH:?}"
aw_get_node_modules dockerfile-lint.mjs
aw_tmpdir

node "$AW_NODE_DIR/dockerfile-lint.mjs" "$top_srcdir/Dockerfile" "$AW_TMP/lint.json" ||
    aw_fail "dockerfile-utils did not run"
python3 "$top_srcdir/tests/deploy/dockerfile_check.py" "$top_srcdir" \
    "$AUDITWATCH" "$AW_TMP/lint.json" || exit 1
aw_log "ok"
exit 0
