#!/usr/bin/env bash
# 415-repl-refusal-log: every unauthenticated request used to write one warn line,
# unthrottled (23k lines in 5 s). Now a refusal of one kind is logged in full once, then
# summed up in one line per refusal_log_interval; every one is still counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a -- "  refusal_log_interval: 1s"
repl_start a
A=$(repl_port a)
python3 - "$A" <<'PY'
import socket, sys
for i in range(500):
    s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
    s.sendall(b"GET /v1/cursors HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    while s.recv(4096):
        pass
    s.close()
PY
out=$($PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats)
t_contains "every refusal counted" '"refused_unauthenticated":500' "$out"
# Every refusal is in the log once: in full, or summed up in a summary line.
logged() {
	local full sum
	full=$(grep -c "refused request from" "$WORK"/repl-a.*.log)
	sum=$(sed -n 's/.*refused \([0-9]*\) more requests (unauthenticated).*/\1/p' "$WORK"/repl-a.*.log |
		awk '{s += $1} END {print s + 0}')
	echo $((full + sum))
}
all_logged() { [ "$(logged)" = 500 ]; }
t_until 30 all_logged
t_contains "a summary line follows within the interval" "more requests (unauthenticated) in the last" "$(cat "$WORK"/repl-a.*.log)"
t_eq "every refusal is in the log once, in full or summed up" 500 "$(logged)"
n=$(grep -c "refused request from" "$WORK"/repl-a.*.log)
s=$(grep -c "more requests (unauthenticated)" "$WORK"/repl-a.*.log)
t_check "one line in full, then summaries: not 500 lines ($n full, $s summaries)" test "$n" -le $((s + 1)) -a "$s" -le 10
repl_finish
