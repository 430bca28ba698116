#!/usr/bin/env python3
"""receiver.py — a real HTTP receiver on 127.0.0.1 for the alert tests.

Logs every request (arrival time, path, headers, body as text with
surrogate escapes, and the status it answered) as one JSON line, and
answers from a script:

  --script "429:2,500,200"   answer 429 with Retry-After: 2, then 500,
                             then 200; after the script, --status
  --status 200               default answer
  --rule-status "Synthetic rule 1=400"
                             answer 400 to alerts of that rule
  --delay-ms 10              wait before answering
  --port 0                   0 = any free port; the port is written to
                             --port-file once listening
  --tls-cert F --tls-key K   serve HTTPS
  --client-ca F              and require a client certificate from F
"""
import argparse
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ap = argparse.ArgumentParser()
ap.add_argument("--port", type=int, default=0)
ap.add_argument("--port-file")
ap.add_argument("--log", required=True)
ap.add_argument("--script", default="")
ap.add_argument("--status", type=int, default=200)
ap.add_argument("--rule-status", action="append", default=[])
ap.add_argument("--delay-ms", type=int, default=0)
ap.add_argument("--tls-cert")
ap.add_argument("--tls-key")
ap.add_argument("--client-ca")
args = ap.parse_args()

script = []
for item in filter(None, args.script.split(",")):
    code, _, ra = item.partition(":")
    script.append((int(code), ra or None))
rule_status = {}
for rs in args.rule_status:
    rule, _, code = rs.rpartition("=")
    rule_status[rule] = int(code)

lock = threading.Lock()
log = open(args.log, "a", encoding="utf-8")


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True   # headers and body are two writes

    def log_message(self, fmt, *a):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        raw = self.rfile.read(n)
        body = raw.decode("utf-8", "surrogateescape")
        retry_after = None
        with lock:
            if script:
                status, retry_after = script.pop(0)
            else:
                status = args.status
            try:
                rule = json.loads(raw).get("rule")
            except Exception:
                rule = None
            if rule in rule_status:
                status = rule_status[rule]
        if args.delay_ms:
            time.sleep(args.delay_ms / 1000.0)
        peer = None
        if hasattr(self.connection, "getpeercert"):
            c = self.connection.getpeercert()
            if c:
                peer = dict(x[0] for x in c.get("subject", ()))
        rec = {"t": time.time(), "path": self.path, "client_cert": peer,
               "headers": {k.lower(): v for k, v in self.headers.items()},
               "body": body, "utf8": _valid(raw), "status": status}
        with lock:
            log.write(json.dumps(rec, ensure_ascii=True) + "\n")
            log.flush()
        reply = b"ok" if status < 300 else ("error_%d" % status).encode()
        self.send_response(status)
        if retry_after is not None:
            self.send_header("Retry-After", retry_after)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(reply)))
        self.end_headers()
        self.wfile.write(reply)

    def do_GET(self):
        self.send_response(400)
        self.send_header("Content-Length", "0")
        self.end_headers()


def _valid(raw):
    try:
        raw.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


srv = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
srv.daemon_threads = True
# A client killed mid-request (kill -9 tests) is expected, not an error.
srv.handle_error = lambda request, address: None
if args.tls_cert:
    import ssl
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(args.tls_cert, args.tls_key)
    if args.client_ca:
        ctx.verify_mode = ssl.CERT_REQUIRED
        ctx.load_verify_locations(args.client_ca)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
if args.port_file:
    with open(args.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(args.port_file + ".tmp", args.port_file)
try:
    srv.serve_forever()
except KeyboardInterrupt:
    pass
