# bench_dns.py -- the DNS wire the bench drivers speak: an A query with EDNS client subnet and its answer's first A
#
# Imported by bench/failover_driver.py and bench/transition_ttl_driver.py (which run from
# bench/, so it is on their path). Enough of RFC 1035 and RFC 7871 for one question and
# one answer section; nothing here validates a reply beyond what reading it needs.
import socket
import struct


def query(qid, name, ecs, prefix, rd=False):
    """An A query for name (dotted, no final dot) with ID qid, the RD bit when rd, and an
    EDNS client subnet option of the IPv4 bytes ecs (prefix bits of them are sent)."""
    q = struct.pack(">HHHHHH", qid, 0x0100 if rd else 0, 1, 0, 0, 1)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\x00" + struct.pack(">HH", 1, 1)
    addr = bytes(ecs[:(prefix + 7) // 8])
    opt_ecs = struct.pack(">HBB", 1, prefix, 0) + addr
    opt = struct.pack(">HH", 8, len(opt_ecs)) + opt_ecs
    q += b"\x00" + struct.pack(">HHIH", 41, 1232, 0, len(opt)) + opt
    return q


def skip_name(p, i):
    """The offset just past the (possibly compressed) name at offset i of packet p."""
    while True:
        n = p[i]
        if n == 0:
            return i + 1
        if n & 0xC0 == 0xC0:
            return i + 2
        i += n + 1


def first_a(p):
    """The first A record of the answer section of reply p: (address, ttl), or
    (None, None) when there is none. One question is assumed (ours)."""
    an = struct.unpack(">H", p[6:8])[0]
    i = skip_name(p, 12) + 4
    for _ in range(an):
        i = skip_name(p, i)
        rtype, _, ttl, rdlen = struct.unpack(">HHIH", p[i:i + 10])
        i += 10
        if rtype == 1 and rdlen == 4:
            return socket.inet_ntoa(p[i:i + 4]), ttl
        i += rdlen
    return None, None
