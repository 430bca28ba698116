# krules_lib.sh — sourced by tests/live/krules_*.live after lib.sh.

INT80="$top_builddir/tests/live/aw_int80"
NLREADER="$top_builddir/tests/live/aw_nlreader"
[ -x "$INT80" ] || cannot_run "no $INT80 (make check builds it)"
[ -x "$NLREADER" ] || cannot_run "no $NLREADER (make check builds it)"

# ours: our rules as auditctl lists them, in kernel order.
ours() {
	auditctl -l | grep -- "-F key=$KEY\$" || true
}

# others: the rules of someone else ($OTHER), in kernel order.
others() {
	auditctl -l | grep -- "key=$OTHER\$" || true
}

# expected_rules [OPTIONS...]: what `rules kernel` derives for these
# global options, in auditctl's spelling (it prints masks and argument
# values in hex).
expected_rules() {
	"$AUDITWATCH" -o "audit.rule_key=$KEY" "$@" rules kernel -q 2>/dev/null |
	    sed -e 's/ -F a0&65536 / -F a0\&0x10000 /' |
	    perl -pe 's/ -F a0=(\d+) / sprintf(" -F a0=0x%X ", $1)/ge'
	[ "${PIPESTATUS[0]}" = 0 ]
}
