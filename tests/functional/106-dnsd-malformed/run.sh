#!/usr/bin/env bash
# 106-dnsd-malformed: thousands of random and mutated packets over UDP and TCP, then the
# server must still answer correctly and its log must hold no sanitizer report.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
d_config "  tcp_idle_timeout: 500ms"
d_start || t_abort "meridian-dnsd answers"

python3 - "$D_PORT" "${MERIDIAN_FUZZ_SEED:-$RANDOM}" >"$WORK/fuzz.out" 2>&1 <<'PY'
import random, socket, struct, sys, time
port, seed = int(sys.argv[1]), int(sys.argv[2])
rng = random.Random(seed)
print("seed", seed)

def name(labels):
    return b"".join(bytes([len(l)]) + l for l in labels) + b"\0"

def valid_query():
    names = [[b"www", b"example", b"com"], [b"big", b"example", b"com"], [b"a", b"wild", b"example", b"com"],
             [b"x", b"sub", b"example", b"com"], [b"example", b"com"], [b"id", b"server"], [b"alias", b"example", b"com"]]
    qtype = rng.choice([1, 28, 16, 15, 6, 2, 255, 252, 251, 5, 65535, 0])
    qclass = rng.choice([1, 1, 1, 3, 254, 255, 2])
    q = struct.pack("!HHHHHH", rng.getrandbits(16), 0x0100, 1, 0, 0, 0)
    q += name(rng.choice(names)) + struct.pack("!HH", qtype, qclass)
    if rng.random() < 0.6:
        opts = b""
        for _ in range(rng.randint(0, 3)):
            code = rng.choice([3, 8, 10, 12, 65001])
            if code == 8:
                fam = rng.choice([1, 2, 3])
                src = rng.randint(0, 140)
                data = struct.pack("!HBB", fam, src, rng.randint(0, 140)) + bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 17)))
            else:
                data = bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 12)))
            opts += struct.pack("!HH", code, len(data)) + data
        q = q[:10] + b"\x00\x01" + q[12:]
        q += b"\0" + struct.pack("!HHIH", 41, rng.choice([0, 512, 1232, 4096, 65535]),
                                 rng.choice([0, 0, 0x8000, 0x10000]), len(opts)) + opts
    return bytearray(q)

def mutate(q):
    for _ in range(rng.randint(1, 6)):
        op = rng.random()
        if op < 0.4 and q:
            q[rng.randrange(len(q))] = rng.getrandbits(8)
        elif op < 0.55 and q:
            del q[rng.randrange(len(q)):]
        elif op < 0.7:
            pos = rng.randint(0, len(q))
            q[pos:pos] = bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 20)))
        elif op < 0.8 and len(q) > 12:
            # compression pointer somewhere, maybe a loop
            pos = rng.randrange(12, len(q))
            q[pos:pos + 2] = bytes([0xc0 | rng.getrandbits(6), rng.getrandbits(8)])
        elif op < 0.9 and len(q) >= 12:
            q[4:12] = bytes(rng.getrandbits(8) for _ in range(8))
        else:
            q[2:4] = bytes([rng.getrandbits(8) & 0x7f, rng.getrandbits(8)])
    return bytes(q)

def packet():
    r = rng.random()
    if r < 0.15:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(0, 600)))
    if r < 0.25:
        return bytes(valid_query())
    return mutate(valid_query())

addr = ("127.0.0.1", port)
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
u.setblocking(False)
sent = 0
for i in range(6000):
    try:
        u.sendto(packet(), addr)
        sent += 1
    except (BlockingIOError, OSError):
        time.sleep(0.001)
    if i % 200 == 0:
        time.sleep(0.01)
        try:
            while True:
                u.recv(65535)
        except BlockingIOError:
            pass
print("udp sent", sent)

# TCP: streams of framed packets, wrong lengths, garbage, early closes.
tcp = 0
for c in range(150):
    try:
        s = socket.create_connection(addr, timeout=30)
        s.setblocking(False)
        for _ in range(rng.randint(1, 20)):
            p = packet()
            if rng.random() < 0.1:
                frame = struct.pack("!H", rng.getrandbits(16)) + p
            else:
                frame = struct.pack("!H", len(p)) + p
            try:
                s.send(frame)
                tcp += 1
            except (BlockingIOError, OSError):
                break
        if rng.random() < 0.5:
            time.sleep(0.005)
            try:
                while s.recv(65535):
                    pass
            except (BlockingIOError, OSError):
                pass
        s.close()
    except OSError as e:
        print("tcp connect error", e)
print("tcp sent", tcp)
PY
cat "$WORK/fuzz.out"
# The storm must have reached the server: "tcp sent 0" (every connect refused) would
# leave nothing shown by the checks below.
t_check "the storm reached the server over UDP" grep -qE "^udp sent [1-9][0-9]{3}" "$WORK/fuzz.out"
t_check "the storm reached the server over TCP" grep -qE "^tcp sent [1-9]" "$WORK/fuzz.out"
t_check "server process is alive" kill -0 "$PID_dnsd"
t_eq "still answers correctly over UDP" 192.0.2.80 "$(q +short www.example.com A)"
t_eq "still answers correctly over TCP" 192.0.2.80 "$(q +tcp +short www.example.com A)"
t_eq "still answers NXDOMAIN" NXDOMAIN "$(q nope.example.com A | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0 after the storm" 0 "$D_STATUS"
t_check "no sanitizer report at exit (leaks)" d_sanitizer_clean
t_done
