#!/usr/bin/env python3
# flood.py PORT NET COUNT: sends COUNT queries for www.example.com A to 127.0.0.1:PORT from
# sources spread over NET (a /24 like 127.0.1: hosts .1-.254, one socket each, as a
# spoofed flood would look), as fast as it can, then collects for a second. Prints
# "sent N full F truncated T seconds S".
import select, socket, struct, sys, time

port, net, count = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
hosts = int(sys.argv[4]) if len(sys.argv) > 4 else 254
socks = []
for h in range(1, hosts + 1):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("%s.%d" % (net, h), 0))
    s.setblocking(False)
    socks.append(s)

def query(qid):
    q = struct.pack("!HHHHHH", qid, 0x0000, 1, 0, 0, 0)
    for label in ("www", "example", "com"):
        q += bytes([len(label)]) + label.encode()
    return q + b"\0" + struct.pack("!HH", 1, 1)

full = trunc = 0
def drain(timeout):
    global full, trunc
    r, _, _ = select.select(socks, [], [], timeout)
    for s in r:
        while True:
            try:
                d = s.recv(4096)
            except BlockingIOError:
                break
            if len(d) >= 12 and d[2] & 0x02:
                trunc += 1
            elif len(d) >= 12:
                full += 1

t0 = time.monotonic()
for i in range(count):
    try:
        socks[i % len(socks)].sendto(query(i & 0xFFFF), ("127.0.0.1", port))
    except BlockingIOError:
        pass
    if i % 64 == 63:
        drain(0)
elapsed = time.monotonic() - t0
end = time.monotonic() + 1.0
while time.monotonic() < end:
    drain(0.1)
print("sent %d full %d truncated %d seconds %.3f" % (count, full, trunc, elapsed))
