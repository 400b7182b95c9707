#!/usr/bin/env python3
# transition_ttl_driver.py -- the measuring half of bench/transition-ttl.sh (run by it).
#
# usage: transition_ttl_driver.py WORKDIR DNSD_PORT UNBOUND_PORT NAMES
# One outage: east's origin stops answering at t0 (its mode file says "down"). Client k
# (of NAMES) asks Unbound for its own name nK.example.com (an Ashburn ECS subnet, so it
# goes to east) for the first time at t0 + (k - 10) * 100 ms, which fills Unbound's cache
# at that moment, then asks again every 250 ms until the answer is west. The worst case a
# client behind Unbound keeps the dead datacenter is the latest of those "first west"
# times after t0, over every fill time: the fill just before the answer changed at
# meridian-dnsd with a full TTL is what a real client can hit. Also prints when
# meridian-dnsd itself first answered west (detection) and the TTLs Unbound handed out.
# Everything talks to 127.0.0.1 only.
import socket
import struct
import sys
import time

from bench_dns import first_a, query

work, dnsd_port, unbound_port, names = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
EAST, WEST = "192.0.2.10", "198.51.100.20"
STEP, POLL, LIMIT = 0.1, 0.25, 60.0


class Resolver:
    def __init__(self, port):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.connect(("127.0.0.1", port))
        self.sock.settimeout(1.0)
        self.qid = 0

    def ask(self, name):
        self.qid = (self.qid + 1) & 0xFFFF
        self.sock.send(query(self.qid, name, (67, 43, 156), 24, rd=True))  # Ashburn /24; RD: Unbound recurses
        try:
            while True:
                p = self.sock.recv(4096)
                if struct.unpack(">H", p[:2])[0] == self.qid:
                    return first_a(p)
        except socket.timeout:
            return None, None


unbound = Resolver(unbound_port)
dnsd = Resolver(dnsd_port)
name = lambda k: "n%d.example.com" % k

# steady state: every name answers east at meridian-dnsd
for k in range(names):
    a, _ = dnsd.ask(name(k))
    if a != EAST:
        sys.exit("n%d answers %s before the outage, not east" % (k, a))

t0 = time.monotonic() + (10 + 1) * STEP  # the first fill is 10 steps before the outage
fill_at = [t0 + (k - 10) * STEP for k in range(names)]
filled = [None] * names      # (answer, ttl) of the fill
moved = [None] * names       # first time west, relative to t0
ttls = {}                    # ttl seen -> count, from Unbound, while still east
detected = None              # meridian-dnsd answers west (relative to t0)
short_seen = None            # meridian-dnsd first answered east with a TTL below 30
killed = False
next_poll = [None] * names
while time.monotonic() < t0 + LIMIT:
    now = time.monotonic()
    if not killed and now >= t0:
        with open(work + "/east.mode.tmp", "w") as f:
            f.write("down\n")
        import os
        os.rename(work + "/east.mode.tmp", work + "/east.mode")
        killed = True
    if killed and detected is None:
        a, ttl = dnsd.ask(name(0))
        if a == WEST:
            detected = now - t0
        elif a == EAST and ttl is not None and ttl < 30 and short_seen is None:
            short_seen = (now - t0, ttl)
    for k in range(names):
        if moved[k] is not None or now < fill_at[k] or (next_poll[k] and now < next_poll[k]):
            continue
        a, ttl = unbound.ask(name(k))
        if filled[k] is None:
            filled[k] = (a, ttl, now - t0)
        if a == WEST:
            moved[k] = now - t0
        elif a == EAST and ttl is not None:
            ttls[ttl] = ttls.get(ttl, 0) + 1
        next_poll[k] = now + POLL
    if all(m is not None for m in moved):
        break
    time.sleep(0.01)

missing = [k for k in range(names) if moved[k] is None]
if missing:
    print("still east after %.0f s: %s" % (LIMIT, " ".join(name(k) for k in missing)))
worst = max(range(names), key=lambda k: moved[k] if moved[k] is not None else 1e9)
print("detection (meridian-dnsd answers west): %s" % ("%.2f s" % detected if detected is not None else "never"))
print("first short TTL at meridian-dnsd while still east: %s" %
      ("%.2f s, ttl %d" % short_seen if short_seen else "none"))
print("worst case behind Unbound: %.2f s after the outage (%s, cached at %+.2f s with ttl %s)" %
      (moved[worst] if moved[worst] is not None else float("nan"), name(worst),
       filled[worst][2], filled[worst][1]))
print("per fill time (s after the outage: kept east until):")
print("  " + "  ".join("%+.1f:%.1f" % (filled[k][2], moved[k] if moved[k] is not None else -1)
                       for k in range(names) if filled[k] is not None))
print("WORST %.2f" % (moved[worst] if moved[worst] is not None else -1))
