#!/usr/bin/env python3
# failover_driver.py -- the measuring half of bench/failover.sh (run by it, not alone).
#
# usage: failover_driver.py WORKDIR DNSPORT ORIGINPORT CYCLES
# Repeats: kill east's origin, poll meridian-dnsd until the answer for an Ashburn client
# changes to west, start the origin again, poll until it changes back. For each edge it
# records origin event -> first changed answer, and the commit time of the observation
# that flipped (change log `stored`) -> first changed answer. Prints median and max.
# Everything talks to 127.0.0.1 only.
import os
import random
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import time

from bench_dns import first_a, query

work, dns_port, origin_port, cycles = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
here = os.path.dirname(os.path.abspath(__file__))
origin_py = os.path.join(here, "..", "tests", "functional", "lib", "origin.py")
EAST, WEST = "192.0.2.10", "198.51.100.20"


sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.connect(("127.0.0.1", dns_port))
sock.settimeout(0.5)
qid = 0


def answer():
    global qid
    qid = (qid + 1) & 0xFFFF
    # www.example.com A with EDNS client subnet 67.43.156.1/32 (Ashburn in the test mmdb)
    sock.send(query(qid, "www.example.com", (67, 43, 156, 1), 32))
    while True:
        p = sock.recv(4096)
        if struct.unpack(">H", p[:2])[0] == qid:
            return first_a(p)[0]


def wait_answer(want, limit=30.0):
    end = time.time() + limit
    while time.time() < end:
        try:
            if answer() == want:
                return time.time()
        except socket.timeout:
            pass
        time.sleep(0.002)
    raise SystemExit("answer did not become %s within %.0f s" % (want, limit))


def flip_stored(status, after_ms):
    db = sqlite3.connect(os.path.join(work, "state.db"), timeout=5)
    rows = db.execute(
        "SELECT stored FROM changelog WHERE tbl = 'observations' AND key = 'bench/east'"
        " AND json_extract(row, '$.status') = ? AND json_extract(row, '$.since') >= ?"
        " ORDER BY seq LIMIT 1", (status, after_ms)).fetchall()
    db.close()
    return rows[0][0] / 1000.0 if rows else None


def start_origin():
    p = subprocess.Popen([sys.executable, origin_py, "http", str(origin_port), os.path.join(work, "east.mode")])
    while True:
        try:
            socket.create_connection(("127.0.0.1", origin_port), 0.2).close()
            return p, time.time()
        except OSError:
            time.sleep(0.005)


origin, _ = start_origin()
wait_answer(EAST)
fail, fail_state, back, back_state = [], [], [], []
for n in range(cycles):
    time.sleep(1.0 + random.random())  # random phase against the 1 s probe interval
    origin.kill()
    dead = time.time()
    origin.wait()
    moved = wait_answer(WEST)
    commit = flip_stored("down", int(dead * 1000) - 1)
    fail.append(moved - dead)
    if commit:
        fail_state.append(moved - commit)
    time.sleep(1.0 + random.random())
    origin, alive = start_origin()
    returned = wait_answer(EAST)
    commit = flip_stored("up", int(alive * 1000) - 1)
    back.append(returned - alive)
    if commit:
        back_state.append(returned - commit)
    print("cycle %2d: failover %6.0f ms (state->answer %4.0f ms), recovery %6.0f ms (state->answer %4.0f ms)"
          % (n + 1, fail[-1] * 1000, (fail_state[-1] if fail_state else 0) * 1000,
             back[-1] * 1000, (back_state[-1] if back_state else 0) * 1000), flush=True)
origin.kill()


def line(name, xs):
    ms = [x * 1000 for x in xs]
    return "%-36s median %6.0f ms   max %6.0f ms   (n=%d)" % (name, statistics.median(ms), max(ms), len(ms))


print()
print(line("origin death -> first changed answer", fail))
print(line("  observation commit -> answer", fail_state))
print(line("origin back -> answer restored", back))
print(line("  observation commit -> answer", back_state))
