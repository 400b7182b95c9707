#!/usr/bin/env bash
# 103-dnsd-tcp: DNS over TCP per RFC 7766: pipelining, split messages, idle timeout,
# the connection cap (oldest idle closed), and clients that stall or never read.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
d_config "  tcp_idle_timeout: 1s
  tcp_max_connections: 4"
d_start || t_abort "meridian-dnsd answers"

cat >"$WORK/tcp.py" <<'PY'
import socket, struct, sys, time
port, part = int(sys.argv[1]), sys.argv[2]

def query(qid, name="www.example.com", qtype=1):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    return struct.pack("!H", len(q)) + q

def conn():
    # (deadlines are generous: a busy machine must not fail a check, only slow it)
    s = socket.create_connection(("127.0.0.1", port), timeout=30)
    return s

def read_msg(s):
    try:
        return read_msg_or_raise(s)
    except (socket.timeout, ConnectionError):
        return None

def read_msg_or_raise(s):
    hdr = b""
    while len(hdr) < 2:
        d = s.recv(2 - len(hdr))
        if not d:
            return None
        hdr += d
    n = struct.unpack("!H", hdr)[0]
    body = b""
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            return None
        body += d
    return body

def ok(what, cond):
    print(("ok - " if cond else "not ok - ") + what)

if part == "cap":
    # Cap of 4 (and an idle timeout far longer than the test): a fifth connection
    # makes the oldest idle one close, and is answered.
    olds = []
    for i in range(4):
        c = conn()
        c.sendall(query(100 + i))
        read_msg(c)
        olds.append(c)
    s = conn()
    s.sendall(query(200))
    m = read_msg(s)
    ok("fifth connection answered at the cap", m is not None)
    try:
        first_closed = olds[0].recv(1) == b""
    except (socket.timeout, ConnectionError):
        first_closed = False
    ok("the oldest idle connection was closed to make room", first_closed)
    olds[3].sendall(query(201))
    ok("a newer connection still works", read_msg(olds[3]) is not None)
    for c in olds:
        c.close()
    s.close()
    print("cap scenario ran to the end")
    sys.exit(0)

# Pipelining: ten queries in one write, ten answers in order, each with rcode 0.
s = conn()
s.sendall(b"".join(query(1000 + i) for i in range(10)))
ids = []
for i in range(10):
    m = read_msg(s)
    ids.append(struct.unpack("!H", m[:2])[0] if m else None)
ok("ten pipelined queries answered in order", ids == [1000 + i for i in range(10)])
s.close()

# A message split across writes (and the length prefix split too) is reassembled.
s = conn()
msg = query(77)
for b in msg:
    s.send(bytes([b]))
    time.sleep(0.002)
m = read_msg(s)
ok("query sent byte by byte answered", m is not None and m[:2] == b"\x00\x4d")
s.close()

# A stalled client (half a message, then nothing) does not hold up another.
stalled = conn()
stalled.sendall(query(5)[:7])
s = conn()
s.sendall(query(6))
m = read_msg(s)
ok("answered while another client stalls mid-message", m is not None)
s.close()
stalled.close()

# A client that sends many big queries and never reads does not stall others.
hog = conn()
hog.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
try:
    hog.settimeout(0.5)
    for i in range(300):
        hog.send(query(i, "big.example.com", 16))
except (socket.timeout, BlockingIOError, ConnectionError):
    pass
s = conn()
s.sendall(query(8))
m = read_msg(s)
ok("answered while another client never reads", m is not None)
s.close()
hog.close()

# Idle timeout (1 s here): the server closes a quiet connection.
s = conn()
s.sendall(query(9))
read_msg(s)
t0 = time.time()
closed = s.recv(1) == b""
took = time.time() - t0
ok("idle connection closed, not before the timeout (%.2f s)" % took, closed and took > 0.8)
s.close()

# A zero-length message closes the connection.
s = conn()
s.sendall(b"\0\0")
ok("zero-length message closes the connection", s.recv(1) == b"")
PY
python3 "$WORK/tcp.py" "$D_PORT" main >"$WORK/tcp.out" 2>&1
cat "$WORK/tcp.out"
while read -r line; do
	case "$line" in
	"ok - "*) t_eq "${line#ok - }" 1 1 >/dev/null ;;
	"not ok - "*) t_eq "${line#not ok - }" ok failed >/dev/null ;;
	esac
done <"$WORK/tcp.out"
t_check "python scenario ran to the end" grep -q "zero-length message" "$WORK/tcp.out"
t_check "server still answers over UDP" eval "q www.example.com A >/dev/null"
t_check "server still answers over TCP" eval "q +tcp www.example.com A >/dev/null"
t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"

# The connection cap, on a server whose idle timeout never fires during the test (so
# only the cap can close a connection).
mv "$WORK/dnsd.log" "$WORK/dnsd-idle.log"
d_config "  tcp_idle_timeout: 10m
  tcp_max_connections: 4"
d_start || t_abort "meridian-dnsd answers (cap)"
python3 "$WORK/tcp.py" "$D_PORT" cap >"$WORK/cap.out" 2>&1
cat "$WORK/cap.out"
while read -r line; do
	case "$line" in
	"ok - "*) t_eq "${line#ok - }" 1 1 >/dev/null ;;
	"not ok - "*) t_eq "${line#not ok - }" ok failed >/dev/null ;;
	esac
done <"$WORK/cap.out"
t_check "cap scenario ran to the end" grep -q "cap scenario ran to the end" "$WORK/cap.out"
t_check "no sanitizer report (cap)" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0 (cap)" 0 "$D_STATUS"

# Buffers are sized once per connection: under gdb, every malloc/calloc/realloc of the
# TCP thread is logged with its stack while clients pipeline queries, send a query of
# 3 kB, and let answers back up unread. The only allocations are the connections
# themselves (tcp_accept, one each); none is on the per-message path (conn_event and what
# it calls: read, answer, send, flush).
# gdb must be able to run a program here (ptrace may be refused in a container).
if command -v gdb >/dev/null && gdb -q -batch -ex run --args /bin/true >/dev/null 2>&1; then
	sed "s/^state: state.db/state: gdb.db/" \
		"$WORK/meridian.yaml" >"$WORK/gdb.yaml"
	cat >"$WORK/alloc.gdb" <<'GDB'
set pagination off
set confirm off
set print thread-events off
set print inferior-events off
set breakpoint pending on
set print frame-arguments none
handle SIGPIPE nostop noprint pass
python
# $_any_caller_matches, but frames without a name (libcrypto has no symbols) do not
# make the condition fail, which would stop the program
import re
class TcpCaller(gdb.Function):
    def __init__(self):
        super().__init__("_tcp_caller")
    def invoke(self, pattern, depth):
        rx, frame, left = re.compile(pattern.string()), gdb.newest_frame(), int(depth)
        while frame is not None and left >= 0:
            if frame.name() and rx.search(frame.name()):
                return True
            frame, left = frame.older(), left - 1
        return False
TcpCaller()
end
break malloc if $_tcp_caller("^(conn_|tcp_)", 24)
break calloc if $_tcp_caller("^(conn_|tcp_)", 24)
break realloc if $_tcp_caller("^(conn_|tcp_)", 24)
commands 1-3
  silent
  printf "ALLOC\n"
  bt 24
  continue
end
run
GDB
	# (LeakSanitizer cannot run under ptrace: leaks are checked by the runs above.)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" t_start gdb timeout 600 gdb -q -batch \
		-x "$WORK/alloc.gdb" --args "$BIN/meridian-dnsd" -c "$WORK/gdb.yaml" \
		--pid-file "$WORK/gdb-dnsd.pid"
	# (every malloc of the start-up stops at a conditional breakpoint: on a busy machine
	# that takes minutes, hence the deadline of gdb's own timeout)
	G_PORT=$(t_listen_port "$WORK/gdb.log" 127.0.0.1 600) || t_abort "meridian-dnsd under gdb logs its port"
	t_wait_dns "$G_PORT" || t_abort "meridian-dnsd answers under gdb"
	python3 - "$G_PORT" >"$WORK/alloc.out" 2>&1 <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])

def query(qid, name="www.example.com", qtype=1, pad=0):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 1 if pad else 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", qtype, 1)
    if pad:  # OPT with an EDNS padding option of pad bytes
        q += b"\0" + struct.pack("!HHIH", 41, 1232, 0, 4 + pad) + struct.pack("!HH", 12, pad) + bytes(pad)
    return struct.pack("!H", len(q)) + q

def read_msg(s):
    data = b""
    while len(data) < 2:
        d = s.recv(2 - len(data))
        if not d:
            return None
        data += d
    n, body = struct.unpack("!H", data)[0], b""
    while len(body) < n:
        d = s.recv(n - len(body))
        if not d:
            return None
        body += d
    return body

answered = 0
for c in range(3):
    s = socket.create_connection(("127.0.0.1", port), timeout=60)  # gdb on a busy machine
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    batch = [query(i) for i in range(20)] + [query(20, pad=3000)]
    batch += [query(100 + i, "big.example.com", 16) for i in range(40)]
    s.sendall(b"".join(batch))
    time.sleep(0.3)  # the big answers back up while we do not read
    for _ in batch:
        if read_msg(s) is not None:
            answered += 1
    s.close()
print("connections 3 answered", answered)
PY
	kill -TERM "$(cat "$WORK/gdb-dnsd.pid")"
	wait "$PID_gdb"
	python3 - "$WORK/gdb.log" >"$WORK/alloc.sum" <<'PY'
import re, sys
entries = open(sys.argv[1], errors="replace").read().split("ALLOC\n")[1:]
accept = per_message = 0
for e in entries:
    names = re.findall(r"^#\d+\s+(?:0x[0-9a-f]+ in )?(\w+)", e, re.M)
    if "conn_event" in names or "conn_read" in names or "conn_answer" in names:
        per_message += 1
        print("per-message allocation:\n" + e)
    elif "tcp_accept" in names:
        accept += 1
print("accept", accept, "per-message", per_message)
PY
	cat "$WORK/alloc.out" "$WORK/alloc.sum" | grep -v "^#" | tail -5
	t_eq "under gdb: all 183 queries on 3 connections answered" "connections 3 answered 183" "$(cat "$WORK/alloc.out")"
	t_eq "TCP thread allocations: one per connection, none per message" "accept 3 per-message 0" \
		"$(tail -1 "$WORK/alloc.sum")"
else
	echo "# gdb not installed or cannot run a program here: allocation check skipped"
fi
t_done
