#!/usr/bin/env bash
# 109-dnsd-fd-limit: with few file descriptors and many TCP clients, meridian-dnsd keeps
# answering (closing the oldest idle connections), does not spin, and warns at start.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
command -v prlimit >/dev/null || t_skip "prlimit (util-linux) missing"

d_zone
d_config "  tcp_max_connections: 1000"
# 64 descriptors in all, hard limit too: about 50 left for connections.
t_start dnsd prlimit --nofile=64:64 "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
{ d_port && t_wait_dns "$D_PORT"; } || t_abort "meridian-dnsd answers under prlimit"

t_contains "start-up warns that the limit is low" "open files limit 64 is below" "$(cat "$WORK/dnsd.log")"

python3 - "$D_PORT" >"$WORK/flood.out" 2>&1 <<'PY'
import socket, struct, sys, time
port = int(sys.argv[1])
q = struct.pack("!HHHHHH", 1, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
frame = struct.pack("!H", len(q)) + q
held = []
for i in range(150):
    try:
        s = socket.create_connection(("127.0.0.1", port), timeout=30)
        held.append(s)
    except OSError as e:
        print("connect", i, e)
time.sleep(0.5)
# The newest connection is answered (older idle ones made room).
s = held[-1]
s.settimeout(30)
s.sendall(frame)
try:
    r = s.recv(4096)
    print("newest answered", len(r) > 12)
except OSError as e:
    print("newest failed", e)
time.sleep(1)
for s in held:
    s.close()
PY
cat "$WORK/flood.out"
t_contains "the newest TCP connection is answered" "newest answered True" "$(cat "$WORK/flood.out")"
ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{print $12 + $13}'; }
dpid=$(pgrep -P "$PID_dnsd" 2>/dev/null | head -1)
[ -n "$dpid" ] || dpid=$PID_dnsd
t0=$(ticks "$dpid")
sleep 1
t1=$(ticks "$dpid")
# (no /proc entry would read as 0 ticks: the counts must be there)
t_check "CPU ticks of meridian-dnsd readable ($t0, $t1)" test -n "$t0" -a -n "$t1"
t_check "idle after the flood: no busy loop ($((t1 - t0)) ticks in 1 s)" [ $((t1 - t0)) -lt 20 ]
t_eq "still answers over UDP" 192.0.2.80 "$(q +short www.example.com A)"
t_eq "still answers over TCP" 192.0.2.80 "$(q +tcp +short www.example.com A)"
t_check "no sanitizer report" d_sanitizer_clean
kill -TERM "$PID_dnsd"
st=0
wait "$PID_dnsd" || st=$?
t_eq "SIGTERM exits 0" 0 "$st"
t_done
