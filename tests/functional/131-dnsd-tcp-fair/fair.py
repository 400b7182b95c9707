#!/usr/bin/env python3
# fair.py PORT CONNS QUERIES: hostile TCP clients against meridian-dnsd, and one legitimate
# client measured while they run. Each hostile connection (in four processes of their own)
# pipelines QUERIES queries as fast as the server takes them and reads every answer;
# meanwhile the legitimate client sends one query at a time on its own connection.
# Prints "hostile S" (seconds the hostile load took), "legit MEDIAN MAX" (ms),
# "answered N of M" (legitimate) and "hostile answers N".
import multiprocessing, socket, struct, sys, threading, time

port, conns, queries = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])

def query(qid, name, qtype):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    return struct.pack("!H", len(q)) + q

def read_exact(s, n):
    buf = b""
    while len(buf) < n:
        d = s.recv(n - len(buf))
        if not d:
            raise EOFError("closed")
        buf += d
    return buf

def hostile_conn(started, counts, i):
    s = socket.socket()
    # A deep receive buffer, so the server's sends never block: it then answers a whole
    # buffer of pipelined queries at once unless it schedules per connection.
    try:
        s.setsockopt(socket.SOL_SOCKET, 33, 8 << 20)  # SO_RCVBUFFORCE (root)
    except OSError:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.settimeout(60)
    s.connect(("127.0.0.1", port))
    blob = b"".join(query(q & 0xFFFF, "www.example.com", 1) for q in range(queries))
    threading.Thread(target=s.sendall, args=(blob,), daemon=True).start()
    # Every answer is the same size: read the first, then count bytes (reading as fast
    # as the kernel hands them over is what makes the load hostile).
    size = 2 + struct.unpack("!H", read_exact(s, 2))[0]
    read_exact(s, size - 2)
    total, want, signalled = size, size * queries, False
    buf = bytearray(1 << 20)
    while total < want:
        n = s.recv_into(buf)
        if n == 0:
            break
        total += n
        if not signalled and total >= size * 1000:
            signalled = True
            started.wait()
    counts[i] = total // size
    s.close()

def hostile(started, counts, first, n):
    threads = [threading.Thread(target=hostile_conn, args=(started, counts, i))
               for i in range(first, first + n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

if __name__ == "__main__":
    started = multiprocessing.Barrier(conns + 1)
    counts = multiprocessing.Array("l", conns)
    t0 = time.monotonic()
    per = (conns + 3) // 4
    procs = [multiprocessing.Process(target=hostile, args=(started, counts, f, min(per, conns - f)))
             for f in range(0, conns, per)]
    for p in procs:
        p.start()
    started.wait(timeout=60)  # every hostile connection is being answered
    lat = []
    legit = socket.create_connection(("127.0.0.1", port), timeout=30)
    legit.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    answered = 0
    for q in range(20):
        if not any(p.is_alive() for p in procs):
            break
        t1 = time.monotonic()
        legit.sendall(query(q, "mail.example.com", 1))
        n = struct.unpack("!H", read_exact(legit, 2))[0]
        msg = read_exact(legit, n)
        lat.append((time.monotonic() - t1) * 1000)
        if msg[:2] == struct.pack("!H", q) and msg[3] & 0x0F == 0:
            answered += 1
    for p in procs:
        p.join()
    hostile_s = time.monotonic() - t0
    lat.sort()
    print("hostile %.3f" % hostile_s)
    print("legit %.2f %.2f" % (lat[len(lat) // 2] if lat else -1, lat[-1] if lat else -1))
    print("answered %d of %d" % (answered, len(lat)))
    print("hostile answers %d" % sum(counts))
