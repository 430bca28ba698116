#!/usr/bin/env python3
"""awctl.py — an independent (Python, raw netlink) view of kernel audit
state for the live tests, so they do not check auditwatch with its own code.

  awctl.py status          key=value lines from AUDIT_GET
  awctl.py clear-dead-pid  if the registered daemon pid is dead, AUDIT_SET
                           pid=0 (the kernel's probe of the dead socket
                           fails, so it allows it); no-op otherwise
"""
import os
import socket
import struct
import sys

NETLINK_AUDIT = 9
AUDIT_GET = 1000
AUDIT_SET = 1001
NLMSG_ERROR = 2
NLM_F_REQUEST = 1
NLM_F_ACK = 4
AUDIT_STATUS_PID = 4
FIELDS = ["mask", "enabled", "failure", "pid", "rate_limit", "backlog_limit",
          "lost", "backlog", "feature_bitmap", "backlog_wait_time",
          "backlog_wait_time_actual"]


def request(sock, mtype, payload, seq):
    hdr = struct.pack("=IHHII", 16 + len(payload), mtype,
                      NLM_F_REQUEST | NLM_F_ACK, seq, 0)
    sock.sendto(hdr + payload, (0, 0))
    ack = None
    data = None
    while ack is None or (mtype == AUDIT_GET and data is None and ack == 0):
        buf, (pid, _groups) = sock.recvfrom(65536)
        if pid != 0:
            continue
        off = 0
        while off + 16 <= len(buf):
            ln, t, _f, s, _p = struct.unpack_from("=IHHII", buf, off)
            if ln < 16 or off + ln > len(buf):
                break
            if s == seq:
                if t == NLMSG_ERROR:
                    ack = struct.unpack_from("=i", buf, off + 16)[0]
                elif t == mtype:
                    data = buf[off + 16:off + ln]
            off += (ln + 3) & ~3
    return ack, data


def get_status(sock):
    ack, data = request(sock, AUDIT_GET, b"", 1)
    if ack != 0:
        raise OSError(-ack, os.strerror(-ack))
    n = min(len(data) // 4, len(FIELDS))
    vals = struct.unpack_from("=%dI" % n, data)
    st = dict(zip(FIELDS, vals))
    st["status_size"] = len(data)
    return st


def pid_alive(pid):
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True


def main():
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_AUDIT)
    sock.settimeout(5)
    cmd = sys.argv[1] if len(sys.argv) > 1 else "status"
    st = get_status(sock)
    if cmd == "status":
        for k in FIELDS[1:] + ["status_size"]:
            if k in st:
                print("%s=%d" % (k, st[k]))
    elif cmd == "clear-dead-pid":
        if st["pid"] and not pid_alive(st["pid"]):
            payload = struct.pack("=11I", AUDIT_STATUS_PID, *([0] * 10))
            payload = payload[:st["status_size"]]
            ack, _ = request(sock, AUDIT_SET, payload, 2)
            print("cleared dead pid %d (ack %d)" % (st["pid"], ack))
    else:
        sys.exit("usage: awctl.py status|clear-dead-pid")


if __name__ == "__main__":
    main()
