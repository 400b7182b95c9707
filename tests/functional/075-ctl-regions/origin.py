#!/usr/bin/env python3
# tests/functional/075-ctl-regions/origin.py -- datacenter endpoints on 127.0.0.1 that own
# their port from the start (bound to port 0 by the kernel, so no other process on a
# busy machine can take it between choosing and binding).
#
#   origin.py http PORTFILE           serves HTTP 200 "ok" on every GET
#   origin.py tcp PORTFILE TRIGGER    bound but not listening (connections are refused)
#                                     until the file TRIGGER exists; then accepts
import http.server
import os
import socket
import sys
import time


def write_port(path, port):
    with open(path + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(path + ".tmp", path)


class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", "3")
        self.end_headers()
        self.wfile.write(b"ok\n")

    def log_message(self, *args):
        pass


def main():
    mode, portfile = sys.argv[1], sys.argv[2]
    if mode == "http":
        server = http.server.HTTPServer(("127.0.0.1", 0), Ok)
        write_port(portfile, server.server_address[1])
        server.serve_forever()
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    write_port(portfile, s.getsockname()[1])
    while not os.path.exists(sys.argv[3]):
        time.sleep(0.05)
    s.listen(64)
    while True:
        c, _ = s.accept()
        c.close()


main()
