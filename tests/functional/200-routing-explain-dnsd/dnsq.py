#!/usr/bin/env python3
# dnsq.py -- many ECS queries to a real meridian-dnsd, pipelined over one UDP socket
#
# usage: dnsq.py PORT < QUERIES > ANSWERS
#   QUERIES: lines "NAME TYPE CLIENT/PREFIX" (TYPE A or AAAA)
#   ANSWERS: one JSON line per query, in order: {"q": "NAME TYPE CLIENT/PREFIX",
#            "rcode", "addresses": [...], "ttl": N or null, "scope": N or null}
# Queries go out 256 at a time and are matched by id; a lost one is resent (2 s, 5
# tries), so a busy machine slows the run but never changes an answer.
import ipaddress
import json
import socket
import struct
import sys
import time


def wire_name(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(qid, name, qtype, client, prefix):
    ip = ipaddress.ip_address(client)
    family = 1 if ip.version == 4 else 2
    nbytes = (prefix + 7) // 8
    addr = ip.packed[:nbytes]
    if prefix % 8 and nbytes:
        addr = addr[:-1] + bytes([addr[-1] & (0xFF00 >> (prefix % 8)) & 0xFF])
    ecs = struct.pack("!HBB", family, prefix, 0) + addr
    opt = b"\0" + struct.pack("!HHIH", 41, 1232, 0, 4 + len(ecs)) + struct.pack("!HH", 8, len(ecs)) + ecs
    header = struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 1)
    return header + wire_name(name) + struct.pack("!HH", 28 if qtype == "AAAA" else 1, 1) + opt


def skip_name(msg, off):
    while True:
        n = msg[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def parse(msg):
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", msg[:12])
    off = 12
    for _ in range(qd):
        off = skip_name(msg, off) + 4
    addresses, ttl, scope = [], None, None
    for i in range(an + ns + ar):
        off = skip_name(msg, off)
        rtype, rclass, rttl, rdlen = struct.unpack("!HHIH", msg[off:off + 10])
        off += 10
        rdata = msg[off:off + rdlen]
        off += rdlen
        if i < an and rtype in (1, 28):
            addresses.append(str(ipaddress.ip_address(rdata)))
            ttl = rttl
        if rtype == 41:
            o = 0
            while o + 4 <= len(rdata):
                code, olen = struct.unpack("!HH", rdata[o:o + 4])
                if code == 8:
                    scope = rdata[o + 7]
                o += 4 + olen
    return qid, flags & 0xF, addresses, ttl, scope


def main():
    port = int(sys.argv[1])
    lines = [l.split() for l in sys.stdin if l.strip()]
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.connect(("127.0.0.1", port))
    sock.settimeout(0.2)
    results = [None] * len(lines)
    pending = {}  # id -> (index, sent at, tries)
    nxt = 0
    window = 256
    while nxt < len(lines) or pending:
        while nxt < len(lines) and len(pending) < window:
            qid = nxt % 65536
            name, qtype, client = lines[nxt]
            addr, prefix = client.split("/")
            pending[qid] = (nxt, time.time(), 1, query(qid, name, qtype, addr, int(prefix)))
            sock.send(pending[qid][3])
            nxt += 1
        try:
            msg = sock.recv(4096)
            qid, rcode, addresses, ttl, scope = parse(msg)
            if qid in pending:
                i = pending.pop(qid)[0]
                results[i] = {"q": " ".join(lines[i]), "rcode": rcode, "addresses": addresses,
                              "ttl": ttl, "scope": scope}
        except socket.timeout:
            pass
        now = time.time()
        for qid, (i, sent, tries, wire) in list(pending.items()):
            if now - sent > 2:
                if tries >= 5:
                    sys.exit("dnsq: no answer to %s" % " ".join(lines[i]))
                pending[qid] = (i, now, tries + 1, wire)
                sock.send(wire)
    for r in results:
        print(json.dumps(r, sort_keys=True))


if __name__ == "__main__":
    main()
