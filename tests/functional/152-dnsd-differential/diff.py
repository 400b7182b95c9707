#!/usr/bin/env python3
# diff.py -- asks meridian-dnsd, NSD and Knot DNS the same queries and compares the answers
#
# usage: diff.py MERIDIAN_PORT NSD_PORT KNOT_PORT [do]
# (do: every name/type query has DO set: for signed zones)
# Each response is reduced to rcode, AA, TC, CD, AD, EDE codes and each section's records
# (names lower case, compression undone, sorted). Where NSD and Knot agree, meridian-dnsd
# must give the same; where they disagree the query is counted and skipped. Prints one
# line per mismatch and a summary; exits 1 on a mismatch or when too few were compared.
import random
import socket
import struct
import sys

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "PTR": 12, "HINFO": 13, "MX": 15, "TXT": 16,
         "RP": 17, "AAAA": 28, "LOC": 29, "SRV": 33, "NAPTR": 35, "DNAME": 39, "DS": 43,
         "SSHFP": 44, "RRSIG": 46, "NSEC": 47, "DNSKEY": 48, "TLSA": 52, "SPF": 99,
         "ANY": 255, "URI": 256, "CAA": 257}
NAME_AT = {2: [0], 5: [0], 12: [0], 39: [0], 15: [2], 6: [0, 1], 17: [0, 1], 33: [6]}


def wire_name(text):
    out = b""
    for label in text.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def read_name(msg, at):
    labels, jumped, end = [], False, None
    for _ in range(128):
        n = msg[at]
        if n & 0xC0 == 0xC0:
            if not jumped:
                end = at + 2
            at = ((n & 0x3F) << 8) | msg[at + 1]
            jumped = True
            continue
        if n == 0:
            return ".".join(labels).lower() + ".", (end if jumped else at + 1)
        labels.append(msg[at + 1:at + 1 + n].decode("latin-1"))
        at += 1 + n
    raise ValueError("name loop")


def rdata_text(msg, rtype, at, rdlen):
    end = at + rdlen
    if rtype in NAME_AT:
        parts, pos = [], at
        for off in NAME_AT[rtype]:
            fixed_end = at + off if off else pos
            if fixed_end > pos:
                parts.append(msg[pos:fixed_end].hex())
            name, pos = read_name(msg, max(pos, at + off))
            parts.append(name)
        parts.append(msg[pos:end].hex())
        return " ".join(p for p in parts if p)
    return msg[at:end].hex()


def query(port, name, qtype, qclass=1, edns=True, do=False, cd=False, tcp=False):
    qid = random.randrange(65536)
    flags = 0x0100 | (0x0010 if cd else 0)
    msg = struct.pack("!HHHHHH", qid, flags, 1, 0, 0, 1 if edns else 0)
    msg += wire_name(name) + struct.pack("!HH", qtype, qclass)
    if edns:
        msg += b"\0" + struct.pack("!HHBBHH", 41, 1232, 0, 0, 0x8000 if do else 0, 0)
    for attempt in range(5):
        try:
            if tcp:
                s = socket.create_connection(("127.0.0.1", port), timeout=3)
                s.sendall(struct.pack("!H", len(msg)) + msg)
                data = b""
                while len(data) < 2 or len(data) < 2 + struct.unpack("!H", data[:2])[0]:
                    chunk = s.recv(65535)
                    if not chunk:
                        break
                    data += chunk
                s.close()
                resp = data[2:]
            else:
                s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
                s.settimeout(2)
                s.sendto(msg, ("127.0.0.1", port))
                resp, _ = s.recvfrom(65535)
                s.close()
            if struct.unpack("!H", resp[:2])[0] == qid:
                return resp
        except OSError:
            continue
    return None


def reduce(resp):
    if resp is None:
        return "no response"
    qid, flags, qd, an, ns, ar = struct.unpack("!HHHHHH", resp[:12])
    at = 12
    for _ in range(qd):
        _, at = read_name(resp, at)
        at += 4
    out = ["rcode=%d aa=%d tc=%d cd=%d ad=%d" % (flags & 0xF, flags >> 10 & 1, flags >> 9 & 1,
                                              flags >> 4 & 1, flags >> 5 & 1)]
    for sec, count in (("an", an), ("ns", ns), ("ar", ar)):
        rrs = []
        for _ in range(count):
            owner, at = read_name(resp, at)
            rtype, rclass, ttl, rdlen = struct.unpack("!HHIH", resp[at:at + 10])
            at += 10
            if rtype == 41:
                pos = at
                while pos + 4 <= at + rdlen:
                    code, olen = struct.unpack("!HH", resp[pos:pos + 4])
                    if code == 15:
                        out.append("ede=%d" % struct.unpack("!H", resp[pos + 4:pos + 6])[0])
                    pos += 4 + olen
                out.append("ext-rcode=%d" % resp[at - 6])
            else:
                rrs.append("%s %d %d %d %s" % (owner, ttl, rclass, rtype,
                                               rdata_text(resp, rtype, at, rdlen)))
            at += rdlen
        out.append(sec + ": " + " | ".join(sorted(rrs)))
    return "\n    ".join(out)


def main():
    mer, nsd, knot = (int(p) for p in sys.argv[1:4])
    do = len(sys.argv) > 4 and sys.argv[4] == "do"
    names = ["example.com", "ns1", "mail", "www", "mixed", "MiXeD", "alias", "alias2", "tonx",
             "outside", "tocut", "tochild", "towild", "loop1", "foo.wild", "a.b.wild", "*.wild",
             "wild", "x.cw", "a.b.ent", "b.ent", "ent", "srv", "_sip._tcp", "_tcp",
             "_443._tcp.www", "ptr", "naptr", "ssh", "rp", "txt", "spf", "loc", "uri", "sub",
             "host.sub", "ns.sub", "child", "www.child", "ns1.child", "nods", "old", "x.old",
             "www.old", "a.x.old", "new", "x.new", "out", "www.out", "cut", "host.cut",
             "nothere", "a.nothere", "mx.wild"]
    names = [n if n == "example.com" else n + ".example.com" for n in names]
    names += ["c" * 62 + "." + "d" * 62 + ".long.example.com", "x.long.example.com"]
    types = ["A", "AAAA", "MX", "TXT", "NS", "SOA", "CNAME", "ANY", "DS", "DNAME", "SRV", "PTR",
             "CAA", "HINFO", "NAPTR", "SSHFP", "TLSA", "RP", "SPF", "LOC", "URI"]
    cases = []
    if do:
        types += ["DNSKEY", "NSEC", "RRSIG"]
    for n in names:
        for t in types:
            cases.append((n, TYPES[t], 1, {"do": True} if do else {}))
    for n in ("www.example.com", "alias.example.com", "nothere.example.com", "x.old.example.com"):
        cases.append((n, 1, 255, {}))                  # QCLASS *
        cases.append((n, 1, 1, {"cd": True}))          # CD set
        cases.append((n, 1, 1, {"edns": False}))       # no EDNS
        cases.append((n, 255, 1, {"tcp": True}))
    for n in ("www.example.org", "example.net", ".", "com"):
        cases.append((n, 1, 1, {}))                    # not ours: REFUSED (+ EDE 20)
        cases.append((n, 1, 1, {"edns": False}))
    compared = skipped = bad = 0
    for name, qtype, qclass, opts in cases:
        ours = reduce(query(mer, name, qtype, qclass, **opts))
        a = reduce(query(nsd, name, qtype, qclass, **opts))
        b = reduce(query(knot, name, qtype, qclass, **opts))
        if a != b:
            skipped += 1
            continue
        compared += 1
        if ours != a:
            bad += 1
            print("MISMATCH %s type %d class %d %s\n  peers:    %s\n  meridian: %s"
                  % (name, qtype, qclass, opts, a, ours))
    print("compared %d queries (NSD and Knot DNS agree), %d skipped (they differ), %d mismatches"
          % (compared, skipped, bad))
    sys.exit(1 if bad or compared < len(cases) // 2 else 0)


main()
