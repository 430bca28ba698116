# common.sh — sourced by the corpus test scripts: locate ../shared and
# check what the Python checks need. Automake protocol: 77 skip, 99 error.

: "${top_srcdir:?top_srcdir not set (run through make check)}"
: "${top_builddir:?top_builddir not set (run through make check)}"
: "${AUDITWATCH:=$top_builddir/auditwatch}"
shared="${AW_SHARED:-$top_srcdir/../shared}"

# In CI a test that cannot run is a failure; elsewhere it is skipped.
fail_setup() {
	if [ "${CI:-}" = true ]; then
		echo "FAIL (CI=true): $*" >&2
		exit 99
	fi
	echo "SKIP: $*" >&2
	exit 77
}

need_corpus() {
	[ -d "$shared/fixtures/audit/$1" ] ||
	    fail_setup "corpus $shared/fixtures/audit/$1 not found" \
		"(set AW_SHARED)"
	command -v python3 >/dev/null 2>&1 ||
	    fail_setup "python3 not installed"
	python3 -c 'import yaml' 2>/dev/null ||
	    fail_setup "python3 yaml module not installed (python3-yaml)"
	[ -x "$AUDITWATCH" ] || fail_setup "$AUDITWATCH not built"
}
