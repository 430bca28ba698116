#!/usr/bin/env python3
"""enrich_servers.py — stand-ins for the endpoints the enricher asks for
container metadata, for tests/live/enrich_meta.live.

  enrich_servers.py docker SOCKET CONTAINERS.json [--delay SECONDS]
      Docker Engine API on a unix socket: GET /containers/<id>/json
      answers the container whose id starts with <id> (as dockerd does),
      404 otherwise. CONTAINERS.json: a list of inspect objects.

  enrich_servers.py kubelet PORTFILE CERT KEY TOKEN PODS.json [--delay S]
      kubelet stand-in: HTTPS on 127.0.0.1 (port written to PORTFILE),
      GET /pods answers PODS.json if the request carries
      "Authorization: Bearer <TOKEN>", 401 otherwise.

Every request is logged on stdout as "METHOD PATH STATUS" (never the
token), so tests can count what was asked.
"""
import http.server
import json
import os
import socket
import socketserver
import ssl
import sys
import time


def make_handler(route, delay):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            if delay:
                time.sleep(delay)
            status, body = route(self)
            data = json.dumps(body).encode()
            try:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):
                pass
            print("GET %s %d" % (self.path, status), flush=True)

        def log_message(self, *args):
            pass

    return Handler


class UnixServer(socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True

    def get_request(self):
        conn, _ = super().get_request()
        return conn, ("local", 0)   # BaseHTTPRequestHandler wants a tuple


class TLSServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


def docker(argv):
    sock, path = argv[0], argv[1]
    delay = float(argv[3]) if len(argv) > 3 and argv[2] == "--delay" else 0
    containers = json.load(open(path))

    def route(h):
        parts = h.path.split("?")[0].strip("/").split("/")
        # optional version prefix: /v1.43/containers/<id>/json
        if parts and parts[0].startswith("v1."):
            parts = parts[1:]
        if len(parts) == 3 and parts[0] == "containers" and parts[2] == "json":
            for c in containers:
                if c["Id"].startswith(parts[1]):
                    return 200, c
            return 404, {"message": "No such container: " + parts[1]}
        return 404, {"message": "page not found"}

    if os.path.exists(sock):
        os.unlink(sock)
    srv = UnixServer(sock, make_handler(route, delay))
    print("ready", flush=True)
    srv.serve_forever()


def kubelet(argv):
    portfile, cert, key, token, pods = argv[:5]
    delay = float(argv[6]) if len(argv) > 6 and argv[5] == "--delay" else 0
    want = "Bearer " + open(token).read().strip()
    body = json.load(open(pods))

    def route(h):
        if h.headers.get("Authorization") != want:
            return 401, {"kind": "Status", "message": "Unauthorized"}
        if h.path.split("?")[0] != "/pods":
            return 404, {"message": "not found"}
        return 200, body

    srv = TLSServer(("127.0.0.1", 0), make_handler(route, delay))
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(cert, key)
    srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(portfile + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    os.rename(portfile + ".tmp", portfile)
    print("ready", flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("docker", "kubelet"):
        sys.exit(__doc__)
    {"docker": docker, "kubelet": kubelet}[sys.argv[1]](sys.argv[2:])
