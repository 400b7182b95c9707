#!/usr/bin/env python3
# origin.py -- a datacenter origin for the healthcheck scenarios, on 127.0.0.1 only.
# It binds port 0 (the kernel picks a free port: nothing can take it between choosing and
# binding) and writes the port to PORTFILE once it accepts.
#
# usage: origin.py http PORTFILE MODEFILE   HTTP origin; each request reads MODEFILE:
#          ok       200 "ok"
#          500      500 "error"
#          500once  500 once, then the file is rewritten to ok
#          body     200 "maintenance" (lacks "ok")
#          hang     reads the request and never answers
#        origin.py https PORTFILE MODEFILE CERT KEY  the same over TLS; the "ok" body also
#                                          says "sni=NAME host=HOST" as the client sent them
#        origin.py tcp PORTFILE MODEFILE   accepts and closes connections
#        origin.py dns PORTFILE MODEFILE   DNS over UDP and TCP (RFC 7766 framing) on one
#                                          port: answers with the rcode in MODEFILE
#                                          (NOERROR, SERVFAIL, ...; "silent": no answer),
#                                          or, for a truncated UDP answer (TC, NOERROR),
#                                          then on TCP:
#          tc         NOERROR without TC
#          tc-tc      TC again
#          tc-close   the connection closed unanswered
#          tc-silent  the query read, never answered
# For http, https and tcp, the mode "down" stops listening (connections are refused)
# while the origin keeps the port bound, and any other mode listens again: a stopped
# origin's port is never free for another program to take.
# The mode file is re-read on every request (and every 20 ms for "down"), so a test
# switches modes at run time.
import os
import socket
import ssl
import socketserver
import sys
import threading
import http.server
import select

kind, portfile = sys.argv[1], sys.argv[2]
modefile = sys.argv[3] if len(sys.argv) > 3 else None
lock = threading.Lock()
# LEGACY: a number instead of PORTFILE is a port the scenario chose (and nothing is
# written); scenarios not converted yet still run.
fixed_port = int(portfile) if portfile.isdigit() else 0


def write_port(port):
    if fixed_port:
        return
    with open(portfile + ".tmp", "w") as f:
        f.write("%d\n" % port)
    os.rename(portfile + ".tmp", portfile)


def stream_socket(port):
    """A TCP socket bound to 127.0.0.1:port (0: any), SO_REUSEPORT so that the next
    one can bind the same port before this one closes."""
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    s.bind(("127.0.0.1", port))
    return s


def serve_stream(handle):
    """Accepts on a port of our own and passes each connection to handle(conn, addr);
    in mode "down" the listener closes, a bound socket keeping the port."""
    listener = stream_socket(fixed_port)
    port = listener.getsockname()[1]
    holder = None
    if mode() == "down":  # started down: bound, refusing, from the first moment
        holder, listener = listener, None
    else:
        listener.listen(128)
    write_port(port)
    while True:
        down = mode() == "down"
        if down and listener is not None:
            holder = stream_socket(port)  # bound before the listener goes: no gap
            listener.close()
            listener = None
        elif not down and listener is None:
            listener = stream_socket(port)
            listener.listen(128)
            holder.close()
            holder = None
        if listener is None:
            select.select([], [], [], 0.02)
            continue
        ready, _, _ = select.select([listener], [], [], 0.02)
        if ready:
            try:
                conn, addr = listener.accept()
            except OSError:
                continue
            handle(conn, addr)


def mode():
    try:
        with open(modefile) as f:
            return f.read().strip() or "ok"
    except OSError:
        return "ok"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.0"

    def do_GET(self):
        with lock:
            m = mode()
            if m == "500once":
                with open(modefile + ".tmp", "w") as f:
                    f.write("ok\n")
                os.rename(modefile + ".tmp", modefile)
        if m == "hang":
            threading.Event().wait(60)
            return
        ok = b"ok\n"
        if kind == "https":
            ok = ("ok sni=%s host=%s\n" % (getattr(self.request, "sni", None) or "-",
                                           self.headers.get("Host", "-"))).encode()
        status, body = {"500": (500, b"error\n"), "500once": (500, b"error\n"),
                        "body": (200, b"maintenance\n")}.get(m, (200, ok))
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


RCODES = {"ok": 0, "NOERROR": 0, "FORMERR": 1, "SERVFAIL": 2, "NXDOMAIN": 3, "NOTIMP": 4, "REFUSED": 5}

if kind == "http":
    server = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
    serve_stream(server.process_request)
elif kind == "https":
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(sys.argv[4], sys.argv[5])

    def remember_sni(sock, name, _ctx):
        sock.sni = name

    ctx.sni_callback = remember_sni

    class TLSServer(Server):
        def handle_error(self, request, client_address):
            pass  # failed handshakes (the verifying probe) are expected

    server = TLSServer(("127.0.0.1", 0), Handler, bind_and_activate=False)
    # the handshake happens on first read, in the request thread
    serve_stream(lambda c, a: server.process_request(
        ctx.wrap_socket(c, server_side=True, do_handshake_on_connect=False), a))
elif kind == "tcp":
    serve_stream(lambda c, a: c.close())
elif kind == "dns":
    def answer(pkt, tc):
        # the query echoed as an answer: QR, AA, TC when asked, the mode's rcode
        m = mode()
        rcode = 0 if m.startswith("tc") else RCODES.get(m, 2)
        return pkt[:2] + bytes([pkt[2] | 0x84 | (0x02 if tc else 0), rcode]) + pkt[4:]

    def serve_tcp(c):
        with c:
            c.settimeout(30)
            try:
                head = c.recv(2, socket.MSG_WAITALL)
                if len(head) < 2:
                    return
                pkt = c.recv(int.from_bytes(head, "big"), socket.MSG_WAITALL)
                m = mode()
                if m == "tc-close" or len(pkt) < 12:
                    return
                if m == "tc-silent":
                    c.recv(1)  # until the client gives up and closes
                    return
                reply = answer(pkt, m == "tc-tc")
                c.sendall(len(reply).to_bytes(2, "big") + reply)
            except OSError:
                pass

    # one port for UDP and TCP: the UDP socket takes a free port, the TCP listener the
    # same number (taken in TCP by another program: try again)
    while True:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind(("127.0.0.1", fixed_port))
        t = socket.socket()
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind(("127.0.0.1", s.getsockname()[1]))
            break
        except OSError:
            s.close()
            t.close()
    t.listen(64)

    def tcp_loop():
        while True:
            c, _ = t.accept()
            threading.Thread(target=serve_tcp, args=(c,), daemon=True).start()

    threading.Thread(target=tcp_loop, daemon=True).start()
    write_port(s.getsockname()[1])
    while True:
        pkt, peer = s.recvfrom(512)
        m = mode()
        if m == "silent" or len(pkt) < 12:
            continue
        s.sendto(answer(pkt, m.startswith("tc")), peer)
else:
    sys.exit("unknown kind " + kind)
