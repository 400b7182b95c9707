#!/usr/bin/env python3
# bench/flap_origin.py -- an HTTP origin on 127.0.0.1 that fails a share of requests at
# random: 500 "error" with probability RATE (0..1), else 200 "ok". For bench/flap.sh and
# test 455 only.
# usage: flap_origin.py PORT RATE [SEED [PORT-FILE]]
# PORT 0 lets the kernel pick a free port; PORT-FILE then receives the port it got
# (written once the socket listens, renamed into place so a reader never sees half).
import http.server
import os
import random
import socketserver
import sys

port, rate = int(sys.argv[1]), float(sys.argv[2])
rng = random.Random(int(sys.argv[3])) if len(sys.argv) > 3 else random.Random()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        fail = rng.random() < rate
        body = b"error\n" if fail else b"ok\n"
        self.send_response(500 if fail else 200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True


server = Server(("127.0.0.1", port), Handler)
if len(sys.argv) > 4:
    with open(sys.argv[4] + ".tmp", "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.rename(sys.argv[4] + ".tmp", sys.argv[4])
server.serve_forever()
