#!/usr/bin/env python3
# geo-queries.py -- query lists, answer comparison, first-answer and reload timelines for
# bench/geo-vs-gdnsd.sh (standard library only; every socket goes to loopback)
#
#   geo-queries.py sample DB.mmdb COUNT SEED NAME [V6_SHARE [PREFIX4 [PREFIX6]]]
#       prints COUNT lines "NAME A ADDR/PREFIX" for bench/dnsload, the addresses drawn
#       from the database's own networks (see below); a summary goes to stderr
#   geo-queries.py compare PORT_A PORT_B NAME ADDRFILE
#       asks both servers on 127.0.0.1 NAME A with ECS ADDR/32 (or /128) for each address
#       of ADDRFILE (one "ADDR/PREFIX" or "NAME A ADDR/PREFIX" per line) and prints every
#       address whose answers differ, then a summary line "compare: N same, M differ"
#   geo-queries.py first-answer PORT NAME T0 TIMEOUT
#       asks every 5 ms until a NOERROR answer with an address comes back; prints the
#       seconds since wall-clock time T0 (the moment the server was started)
#   geo-queries.py timeline PORT QUERYFILE SECONDS BUCKET_MS [WINDOW]
#       a closed-loop load (WINDOW queries in flight, 64 by default) that records when
#       every answer arrives; prints the start time, answers per bucket and the longest
#       gap between two answers ("gap START_S MS" for every gap over 20 ms), so a stall
#       during a reload shows as empty buckets and a long gap
#
# Sampling: a random walk down the database's search tree, a fair coin at each node
# (the other child when the chosen one is empty), until a data record is reached; the
# remaining bits are random. Every address so drawn lies inside a network that has a
# record, and the walk spreads over the whole tree instead of the gaps between networks,
# as uniformly random addresses would on a synthetic database. IPv4 is walked below
# ::/96 in an IPv6 tree; IPv6 below 2000::/3, skipping the 2001::/32 and 2002::/16
# aliases of the IPv4 space.
import ipaddress
import random
import select
import socket
import struct
import sys
import time

MARKER = b"\xab\xcd\xefMaxMind.com"


def decode(buf, off):
    """Decodes one MMDB data-section value at off (enough for the metadata map)."""
    ctrl = buf[off]
    off += 1
    typ = ctrl >> 5
    if typ == 0:
        typ = 7 + buf[off]
        off += 1
    size = ctrl & 0x1F
    if typ == 1:
        raise ValueError("pointer in metadata")
    if size == 29:
        size = 29 + buf[off]
        off += 1
    elif size == 30:
        size = 285 + int.from_bytes(buf[off:off + 2], "big")
        off += 2
    elif size == 31:
        size = 65821 + int.from_bytes(buf[off:off + 3], "big")
        off += 3
    if typ == 7:  # map
        out = {}
        for _ in range(size):
            k, off = decode(buf, off)
            v, off = decode(buf, off)
            out[k] = v
        return out, off
    if typ == 11:  # array
        out = []
        for _ in range(size):
            v, off = decode(buf, off)
            out.append(v)
        return out, off
    if typ == 2:
        return buf[off:off + size].decode(), off + size
    if typ == 3:
        return struct.unpack(">d", buf[off:off + 8])[0], off + 8
    if typ == 15:
        return struct.unpack(">f", buf[off:off + 4])[0], off + 4
    if typ == 14:
        return bool(size), off
    if typ in (5, 6, 8, 9, 10):
        return int.from_bytes(buf[off:off + size], "big"), off + size
    return buf[off:off + size], off + size


class Tree:
    def __init__(self, path):
        with open(path, "rb") as f:
            self.buf = f.read()
        meta_at = self.buf.rfind(MARKER)
        if meta_at < 0:
            raise SystemExit(f"{path}: not a MaxMind DB file")
        meta, _ = decode(self.buf, meta_at + len(MARKER))
        self.nodes = meta["node_count"]
        self.rsize = meta["record_size"]
        self.ipv = meta["ip_version"]
        self.nbytes = self.rsize // 4

    def child(self, node, bit):
        b = self.buf
        o = node * self.nbytes
        if self.rsize == 24:
            o += 3 * bit
            return int.from_bytes(b[o:o + 3], "big")
        if self.rsize == 32:
            o += 4 * bit
            return int.from_bytes(b[o:o + 4], "big")
        if bit == 0:
            return ((b[o + 3] & 0xF0) << 20) | int.from_bytes(b[o:o + 3], "big")
        return ((b[o + 3] & 0x0F) << 24) | int.from_bytes(b[o + 4:o + 7], "big")

    def walk(self, fixed, rnd):
        """Random walk from the root after the fixed bits; returns the path to a data
        record (list of bits) or None at a dead end."""
        node = 0
        path = []
        for bit in fixed:
            node = self.child(node, bit)
            path.append(bit)
            if node >= self.nodes:
                return None
        while True:
            bit = rnd.getrandbits(1)
            c = self.child(node, bit)
            if c == self.nodes:
                bit ^= 1
                c = self.child(node, bit)
                if c == self.nodes:
                    return None
            path.append(bit)
            if c > self.nodes:
                return path
            node = c


def sample(args):
    db, count, seed, name = args[0], int(args[1]), int(args[2]), args[3]
    v6_share = float(args[4]) if len(args) > 4 else 0.2
    p4 = int(args[5]) if len(args) > 5 else 24
    p6 = int(args[6]) if len(args) > 6 else 56
    t = Tree(db)
    rnd = random.Random(seed)
    out = []
    nets = set()
    n4 = n6 = tries = 0
    while len(out) < count and tries < count * 20:
        tries += 1
        v6 = rnd.random() < v6_share
        if v6:
            if t.ipv != 6:
                continue
            path = t.walk([0, 0, 1], rnd)
            bits = 128
        else:
            path = t.walk([0] * 96 if t.ipv == 6 else [], rnd)
            bits = 128 if t.ipv == 6 else 32
        if path is None:
            continue
        depth = len(path)
        value = 0
        for b in path:
            value = (value << 1) | b
        value = (value << (bits - depth)) | rnd.getrandbits(bits - depth)
        if v6:
            if value >> 112 == 0x2002 or value >> 96 == 0x20010000:
                continue
            addr = ipaddress.IPv6Address(value)
            prefix = p6
            n6 += 1
        else:
            v4 = value & 0xFFFFFFFF
            depth -= bits - 32
            addr = ipaddress.IPv4Address(v4)
            prefix = p4
            n4 += 1
        nets.add((v6, depth, tuple(path)))
        net = ipaddress.ip_network(f"{addr}/{prefix}", strict=False)
        out.append(f"{name} A {net.network_address}/{prefix}")
    sys.stdout.write("\n".join(out) + "\n")
    print(f"sample: {len(out)} queries ({n4} IPv4 /{p4}, {n6} IPv6 /{p6}) over "
          f"{len(nets)} distinct networks of {db} ({t.nodes} tree nodes)", file=sys.stderr)


def encode_query(qid, name, qtype, ecs=None):
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1 if ecs is not None else 0)
    for label in name.rstrip(".").split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", qtype, 1)
    if ecs is not None:
        net = ipaddress.ip_network(ecs, strict=False)
        fam = 1 if net.version == 4 else 2
        nb = (net.prefixlen + 7) // 8
        data = struct.pack(">HBB", fam, net.prefixlen, 0) + net.network_address.packed[:nb]
        opt = struct.pack(">HH", 8, len(data)) + data
        q += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt
    return q


def skip_name(m, off):
    while True:
        n = m[off]
        if n == 0:
            return off + 1
        if n & 0xC0 == 0xC0:
            return off + 2
        off += 1 + n


def parse(m):
    """Returns (rcode, sorted answer addresses, ECS scope or None)."""
    qd, an, ns, ar = struct.unpack(">HHHH", m[4:12])
    rcode = m[3] & 15
    off = 12
    for _ in range(qd):
        off = skip_name(m, off) + 4
    addrs, scope = [], None
    for i in range(an + ns + ar):
        off = skip_name(m, off)
        typ, _cls, _ttl, rdlen = struct.unpack(">HHIH", m[off:off + 10])
        off += 10
        rd = m[off:off + rdlen]
        off += rdlen
        if i < an and typ == 1:
            addrs.append(socket.inet_ntop(socket.AF_INET, rd))
        elif i < an and typ == 28:
            addrs.append(socket.inet_ntop(socket.AF_INET6, rd))
        elif typ == 41:
            o = 0
            while o + 4 <= len(rd):
                code, olen = struct.unpack(">HH", rd[o:o + 4])
                if code == 8 and olen >= 4:
                    scope = rd[o + 7]
                o += 4 + olen
    return rcode, sorted(addrs), scope


def ask(sock, port, name, ecs, qid):
    q = encode_query(qid, name, 1, ecs)
    for _ in range(3):
        sock.sendto(q, ("127.0.0.1", port))
        deadline = time.monotonic() + 1.0
        while time.monotonic() < deadline:
            r, _, _ = select.select([sock], [], [], max(0.0, deadline - time.monotonic()))
            if not r:
                break
            m = sock.recv(4096)
            if len(m) >= 12 and struct.unpack(">H", m[:2])[0] == qid:
                return parse(m)
    return None


def compare(args):
    pa, pb, name, path = int(args[0]), int(args[1]), args[2], args[3]
    sa = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sb = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    same = differ = 0
    qid = 0
    with open(path) as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            addr = parts[-1].split("/")[0]
            host = "/128" if ":" in addr else "/32"
            qid = (qid + 1) & 0xFFFF
            ra = ask(sa, pa, name, addr + host, qid)
            rb = ask(sb, pb, name, addr + host, qid)
            if ra is not None and rb is not None and ra[0] == rb[0] and ra[1] == rb[1]:
                same += 1
                continue
            differ += 1
            fa = f"rcode {ra[0]} {','.join(ra[1])} scope {ra[2]}" if ra else "no answer"
            fb = f"rcode {rb[0]} {','.join(rb[1])} scope {rb[2]}" if rb else "no answer"
            print(f"differ {addr}: A: {fa}  B: {fb}")
    print(f"compare: {same} same, {differ} differ")


def first_answer(args):
    port, name, t0, timeout = int(args[0]), args[1], float(args[2]), float(args[3])
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setblocking(False)
    qid = 0
    while time.time() - t0 < timeout:
        qid = (qid + 1) & 0xFFFF
        try:
            s.sendto(encode_query(qid, name, 1, "192.0.2.0/24"), ("127.0.0.1", port))
        except OSError:
            pass
        r, _, _ = select.select([s], [], [], 0.005)
        if r:
            try:
                m = s.recv(4096)
            except OSError:  # ICMP port unreachable: not listening yet
                continue
            now = time.time()
            if len(m) >= 12:
                rcode, addrs, _ = parse(m)
                if rcode == 0 and addrs:
                    print(f"{now - t0:.3f}")
                    return
    print("timeout")
    sys.exit(1)


def load_wire(path):
    qs = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) < 2 or p[0].startswith("#"):
                continue
            qtype = 28 if p[1].upper() == "AAAA" else 1
            qs.append(bytearray(encode_query(0, p[0], qtype, p[2] if len(p) > 2 else None)))
    return qs


def timeline(args):
    port, path, secs, bucket_ms = int(args[0]), args[1], float(args[2]), float(args[3])
    window = int(args[4]) if len(args) > 4 else 64
    qs = load_wire(path)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.connect(("127.0.0.1", port))
    s.setblocking(False)
    nb = int(secs * 1000 / bucket_ms) + 1
    buckets = [0] * nb
    sent = answered = 0
    outstanding = 0
    nxt = 0
    qid = 0
    t_wall = time.time()
    t0 = time.monotonic()
    last = t0
    max_gap = 0.0
    max_gap_at = 0.0
    gaps = []
    end = t0 + secs
    while True:
        now = time.monotonic()
        if now >= end:
            break
        while outstanding < window:
            q = qs[nxt]
            nxt = (nxt + 1) % len(qs)
            qid = (qid + 1) & 0xFFFF
            q[0] = qid >> 8
            q[1] = qid & 0xFF
            try:
                s.send(q)
            except BlockingIOError:
                break
            sent += 1
            outstanding += 1
        r, _, _ = select.select([s], [], [], 0.01)
        if not r:
            if time.monotonic() - last > 0.1:
                outstanding = 0  # nothing for 100 ms: count them gone and refill
            continue
        while True:
            try:
                s.recv(4096)
            except (BlockingIOError, ConnectionRefusedError):
                break
            t = time.monotonic()
            gap = t - last
            if gap > max_gap:
                max_gap, max_gap_at = gap, t - t0
            if gap > 0.02:
                gaps.append((t - t0 - gap, gap))
            last = t
            answered += 1
            outstanding = max(0, outstanding - 1)
            i = int((t - t0) * 1000 / bucket_ms)
            if i < nb:
                buckets[i] += 1
    gap_end = time.monotonic() - last
    if gap_end > max_gap:
        max_gap, max_gap_at = gap_end, last - t0
    print(f"start {t_wall:.3f}")
    print(f"sent {sent} answered {answered} max_gap_ms {max_gap * 1000:.1f} "
          f"max_gap_at {max_gap_at:.3f}")
    for at, gap in gaps:
        print(f"gap {at:.3f} {gap * 1000:.1f}")
    print("buckets " + " ".join(str(b) for b in buckets[:int(secs * 1000 / bucket_ms)]))


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__ if __doc__ else "usage: see the header of this file")
    cmd, args = sys.argv[1], sys.argv[2:]
    {"sample": sample, "compare": compare, "first-answer": first_answer,
     "timeline": timeline}[cmd](args)


if __name__ == "__main__":
    main()
