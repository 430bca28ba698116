#!/bin/sh
# locked_init.sh — /init of the throw-away guest of tests/live/locked.live
# (busybox sh, as PID 1 of a Debian kernel booted with an initramfs root).
#
# Sets kernel audit up as an administrator would before locking it: one
# rule of their own (key "admin", writes below /etc) and a stale rule
# with auditwatch's key (as a run killed before the lock would leave);
# then locks audit (enabled 2) and runs auditwatch against it: status,
# rules kernel --diff, and `run` (alerts as JSON on stdout) while a file
# below /etc is written, stopped with SIGTERM. Each result is printed on
# the console between "@@aw-begin NAME" and "@@aw-end NAME" lines, for
# the host to check; then the guest powers off. Nothing here decides pass
# or fail: the host does.
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
AW=/aw/auditwatch
AWOPTS="-r /aw/rules.yaml -o json_output=true -o sqlite.enabled=false -o syslog_output.enabled=false -o audit.state_file=/run/auditwatch/state"

mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /run
mount -t tmpfs tmpfs /tmp

begin() { echo "@@aw-begin $1"; }
end() { echo "@@aw-end $1"; }
show() {	# show NAME FILE
	begin "$1"
	cat "$2"
	end "$1"
}

echo "@@aw-guest $(uname -r)"
ADMIN="always,exit -F arch=b64 -S open,openat,openat2,creat -F dir=/etc -F perm=wa -k admin"
begin setup
# A backlog for what happens before a daemon registers; the rules; a
# state file as a run killed before the lock leaves (pid 999: dead);
# then the lock.
# shellcheck disable=SC2086
auditctl -b 8192 >/dev/null && auditctl -e 1 >/dev/null &&
    auditctl -a $ADMIN &&
    auditctl -a always,exit -F arch=b64 -S uname -k auditwatch &&
    mkdir -p /run/auditwatch &&
    printf '%s\n' pid=999 key=auditwatch registered=1 changed=0x0 \
	orig_enabled=1 orig_backlog_limit=8192 orig_backlog_wait_time=15000 \
	set_enabled=1 set_backlog_limit=8192 set_backlog_wait_time=15000 \
	end >/run/auditwatch/state &&
    auditctl -e 2 >/dev/null
echo "exit=$?"
# locked: the kernel must refuse this (auditctl -d would refuse by itself)
auditctl -e 0
echo "disable-while-locked=$?"
end setup

begin before
auditctl -s
auditctl -l
end before

begin status
$AW status
echo "exit=$?"
end status

begin diff
# shellcheck disable=SC2086
$AW $AWOPTS rules kernel --diff
echo "exit=$?"
end diff

# shellcheck disable=SC2086
$AW $AWOPTS run >/tmp/alerts.json 2>/tmp/run.log &
PID=$!
begin run
# Ready when registered as the kernel's audit daemon (or gone).
i=0
while [ $i -lt 100 ] && kill -0 $PID 2>/dev/null &&
    ! auditctl -s | grep -qx "pid $PID"; do
	sleep 0.1
	i=$((i + 1))
done
auditctl -s | grep -qx "pid $PID" && echo registered=yes
sh -c 'echo x >/etc/aw-locked.conf'	# "Write below etc", by sh
i=0
while [ $i -lt 100 ] && ! grep -q aw-locked.conf /tmp/alerts.json; do
	sleep 0.1
	i=$((i + 1))
done
sleep 0.5
kill -0 $PID 2>/dev/null && echo alive=yes
kill -TERM $PID
i=0
while [ $i -lt 100 ] && kill -0 $PID 2>/dev/null; do
	sleep 0.1
	i=$((i + 1))
done
kill -0 $PID 2>/dev/null && { echo "still running after SIGTERM"; kill -KILL $PID; }
wait $PID
echo "exit=$?"
end run
show run.log /tmp/run.log
show alerts /tmp/alerts.json

begin after
auditctl -s
auditctl -l
end after

echo "@@aw-done"
poweroff -f
