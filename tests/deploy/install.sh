#!/bin/bash
# install.sh — `make install` into a staging directory (DESTDIR) and what
# lands there: the binary, the man pages, the configuration (rewritten to
# the configured sysconfdir, and never overwritten), the default rules, the
# systemd unit (pointing at the installed binary and configuration) and the
# logrotate snippet; then `make uninstall` leaves no file behind.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:?run through make check}/tests/deploy/lib.sh"

aw_need_cmd make
aw_tmpdir
dest=$AW_TMP/root

# The configured installation directories, as make expands them.
dirs=$(printf 'include Makefile\nprint-dirs:\n\t@echo "bindir=$(bindir) sysconfdir=$(sysconfdir) mandir=$(mandir) unitdir=$(systemdsystemunitdir) logrotatedir=$(logrotatedir)"\n' |
    MAKEFLAGS= make -s -C "$top_builddir" -f - print-dirs) ||
    aw_fail "cannot read the installation directories from the Makefile"
eval "$dirs"
[ -n "$bindir" ] && [ -n "$unitdir" ] || aw_fail "incomplete directories: $dirs"

inst() {
	MAKEFLAGS= make -s -C "$top_builddir" "$@" DESTDIR="$dest" \
	    >"$AW_TMP/make.out" 2>&1 || {
		cat "$AW_TMP/make.out" >&2
		aw_fail "make $* failed"
	}
}
inst install

f() { [ -f "$dest$1" ] || aw_fail "not installed: $1"; }
f "$bindir/auditwatch"
"$dest$bindir/auditwatch" --version >/dev/null || aw_fail "installed binary does not run"
for p in man8/auditwatch.8 man5/auditwatch.yaml.5 man5/auditwatch-rules.5; do
	f "$mandir/$p"
done
conf=$sysconfdir/auditwatch/auditwatch.yaml
f "$conf"
f "$sysconfdir/auditwatch/auditwatch_rules.local.yaml"
[ -d "$dest$sysconfdir/auditwatch/rules.d" ] || aw_fail "rules.d not created"
if [ -f "$top_srcdir/rules/auditwatch_rules.yaml" ]; then
	f "$sysconfdir/auditwatch/auditwatch_rules.yaml"
	cmp -s "$top_srcdir/rules/auditwatch_rules.yaml" \
	    "$dest$sysconfdir/auditwatch/auditwatch_rules.yaml" ||
	    aw_fail "installed default rules differ from rules/auditwatch_rules.yaml"
fi
f "$unitdir/auditwatch.service"
f "$logrotatedir/auditwatch"

# The configuration names the configured sysconfdir for its rule paths,
# and loads.
sed "s|/etc/auditwatch|$sysconfdir/auditwatch|g" "$top_srcdir/etc/auditwatch.yaml" |
    cmp -s - "$dest$conf" || aw_fail "installed $conf is not etc/auditwatch.yaml with sysconfdir paths"
"$dest$bindir/auditwatch" -c "$dest$conf" replay /dev/null 2>"$AW_TMP/err" || {
	cat "$AW_TMP/err" >&2
	aw_fail "the installed configuration does not load"
}

# The unit starts the installed binary with the installed configuration.
start=$(sed -n 's/^ExecStart=//p' "$dest$unitdir/auditwatch.service")
[ "$start" = "$bindir/auditwatch -c $conf run" ] ||
    aw_fail "unit ExecStart is '$start'"

# A second install keeps a modified configuration and puts the new one
# beside it.
echo '# local change' >>"$dest$conf"
inst install
tail -n 1 "$dest$conf" | grep -q '# local change' ||
    aw_fail "make install overwrote a modified $conf"
f "$conf.new"

inst uninstall
left=$(find "$dest" -type f | sed "s|^$dest||")
[ -z "$left" ] || aw_fail "make uninstall left: $left"

aw_log "ok"
exit 0
