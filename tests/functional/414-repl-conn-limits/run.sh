#!/usr/bin/env bash
# 414-repl-conn-limits: 64 idle connections without the key used to lock every new
# replication connection out for as long as they were held. Now one address that is not
# a peer's holds at most connections_per_address, everyone else together 64, slots are
# kept for configured peers' addresses, and a request must arrive whole within
# request_timeout. Here 80 idle connections from 127.0.0.2..6 hold nothing a peer needs:
# a peer (b, on 127.0.0.1) restarted while they are held still connects and replicates.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.2", 0))' 2>/dev/null ||
	t_skip "cannot bind 127.0.0.2"
repl_region a b -- "  connections_per_address: 4
  request_timeout: 2s"
repl_region b a
repl_start a
repl_start b
A=$(repl_port a)
astat() { $PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
# The idle holders: 16 connections from each of 127.0.0.2..6, silent, kept open. Each
# prints how many it still holds after the deadline has passed.
cat >"$WORK/hold.py" <<'PY'
import socket, sys, time
port, n = int(sys.argv[1]), int(sys.argv[2])
socks = []
for src in range(2, 7):
    for _ in range(n):
        s = socket.socket()
        s.bind((f"127.0.0.{src}", 0))
        try:
            s.connect(("127.0.0.1", port))
            s.send(b"GET /v1/cursors HTTP/1.1\r\nHost: x\r\n")  # and never the end
            socks.append(s)
        except OSError:
            s.close()
print("opened", len(socks), flush=True)
time.sleep(float(sys.argv[3]))
alive = 0
for s in socks:
    s.setblocking(False)
    try:
        alive += s.recv(1) != b""
    except BlockingIOError:
        alive += 1
    except OSError:
        pass
print("alive", alive, flush=True)
PY
python3 "$WORK/hold.py" "$A" 16 9 >"$WORK/hold.out" 2>&1 &
HOLD=$!
T_PIDS+=("$HOLD")
t_wait_log "$WORK/hold.out" opened
t_check "connections beyond 4 per address refused and counted" \
	bash -c "[ \"\$($PEER request --port $A --key $WORK/repl.key --path /v1/stats | sed -n 's/.*\"refused_busy\":\([0-9]*\).*/\1/p')\" -ge 60 ]"
repl_stop b KILL
repl_start b
repl_write a drain dc1 "reaches b while the holders hold"
t_check "a peer restarted while they are held replicates" \
	repl_wait_sql 5 b "SELECT reason FROM overrides WHERE datacenter = 'dc1'" "reaches b while the holders hold"
wait "$HOLD"
t_contains "idle requests past request_timeout are shut" "alive 0" "$(cat "$WORK/hold.out")"
t_check "shut connections counted as refused_slow" bash -c "[ \"\$(sed -n 's/.*\"refused_slow\":\([0-9]*\).*/\1/p' <<<\"\$($PEER request --port $A --key $WORK/repl.key --path /v1/stats)\")\" -ge 20 ]"
t_contains "a busy refusal is logged" "refused connection from 127.0.0." "$(cat "$WORK"/repl-a.*.log)"
repl_finish
