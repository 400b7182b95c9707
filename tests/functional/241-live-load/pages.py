#!/usr/bin/env python3
# pages.py -- serves the files of a directory over HTTP on 127.0.0.1 for the load scenario.
# usage: pages.py PORTFILE DIR   binds port 0, writes the port to PORTFILE once it accepts;
# GET /NAME answers 200 with DIR/NAME as it is at that moment (the test rewrites files
# with an atomic rename), 404 when it does not exist.
import http.server
import os
import sys

portfile, root = sys.argv[1], sys.argv[2]


class Pages(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        path = os.path.join(root, os.path.basename(self.path))
        try:
            body = open(path, "rb").read()
            code = 200
        except OSError:
            body, code = b"not found\n", 404
        self.send_response(code)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


server = http.server.HTTPServer(("127.0.0.1", 0), Pages)
with open(portfile + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
os.rename(portfile + ".tmp", portfile)
server.serve_forever()
