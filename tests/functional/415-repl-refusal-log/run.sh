#!/usr/bin/env bash
# 415-repl-refusal-log: every unauthenticated request used to write one warn line,
# unthrottled (23k lines in 5 s). Now a refusal of one kind is logged in full once, then
# summed up in one line per refusal_log_interval; every one is still counted.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../400-repl-lib/repl.sh"
PEER="python3 $(dirname "$0")/../400-repl-lib/repl_peer.py"

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
# Summed over the summary lines: on a loaded machine the 500 requests may span intervals.
summarised() {
	awk '/more requests \(unauthenticated\)/ { for (i = 1; i < NF; i++) if ($i == "refused") n += $(i + 1) }
		END { print n + 0 }' "$WORK"/repl-a.*.log
}
summarised_is() { test "$(summarised)" -eq "$1"; }
n=$(grep -c "refused request from" "$WORK"/repl-a.*.log)
t_check "summary lines follow, one per interval, counting the rest" \
	t_until 20 summarised_is $((500 - n))
t_check "the first is logged in full, not all 500 ($n lines)" test "$n" -le 2 -a "$n" -ge 1
repl_finish
