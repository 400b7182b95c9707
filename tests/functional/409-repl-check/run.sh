#!/usr/bin/env bash
# 409-repl-check: meridian-replicator -t accepts a good config and refuses, with the
# exact message and exit 1, a missing key file, a short key, TLS without a key, and a
# config error; a taken listen port stops start-up with exit 1 and no leak.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"

repl_region a b
out=$("$REPL_BIN" -t -c "$WORK/a.yaml" 2>&1); rc=$?
t_eq "-t on a good config exits 0" 0 "$rc"
t_eq "-t says OK" "meridian-replicator: $WORK/a.yaml: configuration OK (1 peer)" "$out"

sed 's|key_file: repl.key|key_file: missing.key|' "$WORK/a.yaml" >"$WORK/nokey.yaml"
out=$("$REPL_BIN" -t -c "$WORK/nokey.yaml" 2>&1); rc=$?
t_eq "missing key file: exit 1" 1 "$rc"
t_eq "missing key file: message" "$WORK/missing.key: cannot open key file: No such file or directory" "$out"

echo short >"$WORK/short.key"
sed 's|key_file: repl.key|key_file: short.key|' "$WORK/a.yaml" >"$WORK/short.yaml"
out=$("$REPL_BIN" -t -c "$WORK/short.yaml" 2>&1); rc=$?
t_eq "short key: exit 1" 1 "$rc"
t_eq "short key: message" "$WORK/short.key: key shorter than 16 bytes" "$out"

sed 's|key_file: repl.key|key_file: repl.key\n  tls_cert: repl.key|' "$WORK/a.yaml" >"$WORK/tls.yaml"
out=$("$REPL_BIN" -t -c "$WORK/tls.yaml" 2>&1); rc=$?
t_eq "tls_cert without tls_key: exit 1" 1 "$rc"
t_contains "tls_cert without tls_key: message" "tls_key" "$out"

sed 's|batch_max: .*||; s|long_poll: 2s|long_poll: 2s\n  batch_max: 0|' "$WORK/a.yaml" >"$WORK/bad.yaml"
out=$("$REPL_BIN" -t -c "$WORK/bad.yaml" 2>&1); rc=$?
t_eq "out-of-range option: exit 1" 1 "$rc"
t_contains "out-of-range option: file:line and key" "bad.yaml:" "$out"
t_contains "out-of-range option: names the key" "batch_max" "$out"

# The first one listens (waited for), then the second starts on the same port.
"$REPL_BIN" -c "$WORK/a.yaml" >"$WORK/taken-first.log" 2>&1 &
first=$!
T_PIDS+=("$first")
taken=$(t_listen_port "$WORK/taken-first.log") || t_abort "the first replicator logs its port"
t_wait_tcp "$taken" || t_abort "the first replicator listens"
sed "s|listen: \"127.0.0.1:0\"|listen: \"127.0.0.1:$taken\"|" "$WORK/a.yaml" >"$WORK/taken.yaml"
out=$("$REPL_BIN" -c "$WORK/taken.yaml" 2>&1; echo "rc=$?")
kill "$first"
wait "$first"
t_contains "a taken listen port: start-up fails with exit 1" "cannot listen on 127.0.0.1:$taken" "$out"
t_contains "a taken listen port: exit status 1" "rc=1" "$out"
printf '%s\n' "$out" >"$WORK/taken.out"
t_check "no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$WORK/taken.out'"
# long_poll 0 (here and at the peer): empty answers are paced, not spun on.
repl_region p q
repl_region q p
sed -i 's|long_poll: 2s|long_poll: 0ms|' "$WORK/p.yaml" "$WORK/q.yaml"
repl_start p
repl_start q
reqs() { python3 "$(dirname "$0")/../lib/repl_peer.py" request --port "$(repl_port q)" --key "$WORK/repl.key" \
	--path /v1/stats | sed -n 's/.*"requests":\([0-9]*\).*/\1/p'; }
# The pulls are counted over a window of at least 1 s that lasts until a few more came
# (on a busy machine it stretches; the rate is what is checked).
pulled() { [ "$(reqs)" -gt 0 ] 2>/dev/null; }
t_until 30 pulled
r0=$(reqs)
t0=$(date +%s%N)
sleep 1
more_pulls() { [ "$(reqs)" -gt $((r0 + 3)) ] 2>/dev/null; }
t_until 30 more_pulls
r1=$(reqs)
ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# $((r1 - r0 - 1)) pulls in $ms ms"
# Empty counters (stats unreachable) would make 0 - 0 <= 25 pass: require real numbers
# and pulls in that window.
t_check "/v1/stats counted requests ($r0, then $r1)" test -n "$r0" -a -n "$r1"
t_check "without long polls, pulls go on" test "${r1:-0}" -gt "${r0:-0}"
t_check "without long polls, about 10 pulls a second (not thousands)" \
	[ $(( (r1 - r0) * 1000 / (ms > 0 ? ms : 1) )) -le 25 ]
repl_write p events 5
t_check "and entries still flow" repl_wait_sql 2 q "SELECT count(*) FROM events WHERE origin = 'p'" 5
repl_finish
