#!/usr/bin/env python3
# repl_peer.py -- a scriptable replication peer for tests: signs (or forges) requests the
# way meridian-replicator does, and can serve deliberately bad responses.
# Signature: hex HMAC-SHA256(key, "meridian-repl-v1\nKIND\nMETHOD\nTARGET\nREGION\nTIME\nNONCE\nSHA256(BODY)").
import argparse, hashlib, hmac, http.server, json, os, socket, sys, time, urllib.parse


def key_of(path):
    return open(path, "rb").read().rstrip(b"\r\n\t ")


def sign(key, kind, method, target, region, t, nonce, body):
    text = "\n".join(["meridian-repl-v1", kind, method, target, region, str(t), nonce,
                      hashlib.sha256(body).hexdigest()])
    return hmac.new(key, text.encode(), hashlib.sha256).hexdigest()


def now_ms():
    return int(time.time() * 1000)


def raw_request(port, method, target, headers, body, send_bytes=None, close_early=False):
    """Sends one HTTP/1.1 request over a plain socket; returns (status, headers, body)."""
    # REPL_PEER_HOST: a region listening on its own loopback address (qa/chaos.sh).
    s = socket.create_connection((os.environ.get("REPL_PEER_HOST", "127.0.0.1"), port), timeout=10)
    head = f"{method} {target} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n"
    for k, v in headers.items():
        head += f"{k}: {v}\r\n"
    s.sendall((head + "\r\n").encode())
    s.sendall(body if send_bytes is None else body[:send_bytes])
    if close_early:
        time.sleep(0.2)
        s.close()
        return None, {}, b""
    data = b""
    while True:
        try:
            chunk = s.recv(65536)
        except (ConnectionResetError, socket.timeout):
            break
        if not chunk:
            break
        data += chunk
    s.close()
    if not data:
        return None, {}, b""
    head, _, rest = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    hdrs = {}
    for line in lines[1:]:
        k, _, v = line.partition(":")
        hdrs[k.strip().lower()] = v.strip()
    if hdrs.get("transfer-encoding", "").lower() == "chunked":
        out, buf = b"", rest
        while buf:
            size, _, buf = buf.partition(b"\r\n")
            n = int(size, 16)
            if n == 0:
                break
            out, buf = out + buf[:n], buf[n + 2:]
        rest = out
    return status, hdrs, rest


def cmd_request(a):
    key = key_of(a.key)
    body = a.body.encode() if a.body is not None else b""
    if a.body_size:
        body = b"{\"cursors\":{},\"max\":1,\"wait_ms\":0,\"pad\":\"" + b"x" * a.body_size + b"\"}"
    t = now_ms() + a.time_offset
    nonce = a.nonce or os.urandom(16).hex()
    target = a.path
    # The server signs over the path and the decoded query arguments in order.
    path, _, query = target.partition("?")
    canonical = path
    if query:
        canonical += "?" + "&".join(k + "=" + v for k, v in urllib.parse.parse_qsl(query, keep_blank_values=True))
    sig = sign(key if not a.wrong_key else key + b"x", "request", a.method, canonical, a.region, t, nonce, body)
    headers = {"Content-Type": "application/json", "Content-Length": str(a.content_length or len(body))}
    if not a.no_auth:
        headers.update({"X-Meridian-Region": a.region, "X-Meridian-Time": str(t), "X-Meridian-Nonce": nonce,
                        "X-Meridian-Signature": sig})
    if a.tamper_body:
        body = body.replace(b"\"max\":1", b"\"max\":2")
    results = []
    for _ in range(a.repeat):
        status, hdrs, rbody = raw_request(a.port, a.method, target, headers, body,
                                          send_bytes=a.send_bytes, close_early=a.close_early)
        verified = "-"
        if status is not None and "x-meridian-signature" in hdrs:
            want = sign(key, "response", str(status), nonce if status < 400 or status == 409 else "",
                        hdrs.get("x-meridian-region", ""), hdrs.get("x-meridian-time", ""),
                        hdrs.get("x-meridian-nonce", ""), rbody)
            if status >= 400 and status != 409 and not hmac.compare_digest(want, hdrs["x-meridian-signature"]):
                want = sign(key, "response", str(status), nonce, hdrs.get("x-meridian-region", ""),
                            hdrs.get("x-meridian-time", ""), hdrs.get("x-meridian-nonce", ""), rbody)
            verified = "signed" if hmac.compare_digest(want, hdrs["x-meridian-signature"]) else "BADSIG"
        results.append(f"{status} {verified} {rbody.decode(errors='replace')[:4000]}")
    print("\n".join(results))


class BadPeer(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def signed(self, status, body):
        """Answers with a correctly signed response (the peer holds the key)."""
        a = self.server.args
        t = now_ms()
        rnonce = os.urandom(16).hex()
        sig = sign(key_of(a.key), "response", str(status), self.headers.get("X-Meridian-Nonce", ""),
                   a.region, t, rnonce, body)
        self.send_response(status)
        for k, v in (("Content-Type", "application/json"), ("X-Meridian-Region", a.region),
                     ("X-Meridian-Time", str(t)), ("X-Meridian-Nonce", rnonce),
                     ("X-Meridian-Signature", sig), ("Content-Length", str(len(body)))):
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)
        self.server.served += 1

    def do_GET(self):
        # snapshot mode: the crafted document, with {NOW} and {FUTURE} (20 years ahead)
        # replaced by HLCs, and {REGION} by our region.
        a = self.server.args
        t = now_ms()
        text = open(a.snapshot).read().replace("{NOW}", str(t << 16)).replace(
            "{FUTURE}", str((t + 20 * 365 * 86400 * 1000) << 16)).replace("{REGION}", a.region)
        self.signed(200, text.encode())

    def do_POST(self):
        a = self.server.args
        n = int(self.headers.get("Content-Length", "0"))
        self.rfile.read(n)
        if a.mode == "snapshot":
            self.signed(409, b'{"error":"snapshot needed"}')
            return
        if a.mode == "more":
            # an empty batch that says more is ready: the puller asks again at once
            self.signed(200, json.dumps({"region": a.region, "now_ms": now_ms(), "heads": {},
                                         "entries": [], "more": True}).encode())
            return
        req_nonce = self.headers.get("X-Meridian-Nonce", "")
        t = now_ms()
        hlc = (t + (3600 * 1000 if a.mode == "future" else 0)) << 16
        entry = {"origin": "evil", "seq": 1, "hlc": hlc, "table": "overrides", "key": "dc1",
                 "row": {"datacenter": "dc1", "action": "force-down", "reason": "forged", "actor": "mallory",
                         "created": t, "expires": 0, "deleted": 0, "hlc": hlc, "origin": "evil"}}
        # replay: the first response is genuine and empty; replays of its nonce carry the entry.
        entries = [] if a.mode == "replay" and self.server.first_nonce is None else [entry]
        body = json.dumps({"region": a.region, "now_ms": t, "heads": {"evil": 1}, "entries": entries,
                           "more": False}).encode()
        if a.mode == "malformed":
            body = body[:-1] + b",}"
        if a.mode == "oversized":
            body = b"{\"region\":\"" + a.region.encode() + b"\",\"pad\":\"" + b"x" * (9 << 20) + b"\"}"
        key = key_of(a.key)
        sign_key = key + b"forged" if a.mode == "forged" else key
        rnonce = req_nonce if a.mode != "replay" else "0" * 32
        if a.mode == "replay":
            rnonce = self.server.first_nonce or os.urandom(16).hex()
            self.server.first_nonce = rnonce
        sig = sign(sign_key, "response", "200", req_nonce, a.region, t, rnonce, body)
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("X-Meridian-Region", a.region)
        self.send_header("X-Meridian-Time", str(t))
        self.send_header("X-Meridian-Nonce", rnonce)
        self.send_header("X-Meridian-Signature", sig)
        if a.mode == "truncated":
            self.send_header("Content-Length", str(len(body) + 100))
            self.end_headers()
            self.wfile.write(body)
            self.wfile.flush()
            self.close_connection = True
            return
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)
        self.server.served += 1


class QuietServer(http.server.ThreadingHTTPServer):
    def handle_error(self, request, client_address):
        pass  # the replicator hanging up on an oversized answer is the point


def cmd_serve(a):
    srv = QuietServer(("127.0.0.1", a.port), BadPeer)
    srv.args, srv.served, srv.first_nonce = a, 0, None
    if a.port_file:  # port 0: the port the kernel picked, once the socket listens
        with open(a.port_file + ".tmp", "w") as f:
            f.write("%d\n" % srv.server_address[1])
        os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


p = argparse.ArgumentParser()
sub = p.add_subparsers(dest="cmd", required=True)
r = sub.add_parser("request")
r.add_argument("--port", type=int, required=True)
r.add_argument("--key", required=True)
r.add_argument("--region", default="tester")
r.add_argument("--method", default="GET")
r.add_argument("--path", default="/v1/cursors")
r.add_argument("--body")
r.add_argument("--body-size", type=int, default=0)
r.add_argument("--content-length", type=int, default=0)
r.add_argument("--send-bytes", type=int)
r.add_argument("--close-early", action="store_true")
r.add_argument("--time-offset", type=int, default=0)
r.add_argument("--nonce")
r.add_argument("--repeat", type=int, default=1)
r.add_argument("--wrong-key", action="store_true")
r.add_argument("--no-auth", action="store_true")
r.add_argument("--tamper-body", action="store_true")
s = sub.add_parser("serve")
s.add_argument("--port", type=int, required=True)
s.add_argument("--port-file", help="write the port listened on here (for --port 0)")
s.add_argument("--key", required=True)
s.add_argument("--region", required=True)
s.add_argument("--mode", required=True,
               choices=["forged", "future", "malformed", "oversized", "truncated", "replay", "good",
                        "snapshot", "more"])
s.add_argument("--snapshot", help="snapshot mode: the document to serve")
a = p.parse_args()
{"request": cmd_request, "serve": cmd_serve}[a.cmd](a)
