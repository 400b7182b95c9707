#!/usr/bin/env bash
# 401-repl-relay: three regions in a chain A - B - C (A and C are not peers). A drain
# written in A (by meridianctl when built, else the test writer) reaches C's state.db
# within 1 s through B; a stream of writes in A and C converges everywhere, row for row.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../400-repl-lib/repl.sh"

repl_region a b
repl_region b a c
repl_region c b
repl_start a
repl_start b
repl_start c

CTL=$BIN/meridianctl
start=$(date +%s%N)
if [ -x "$CTL" ] && "$CTL" -c "$WORK/a.yaml" drain dc1 --reason "relay test" --actor tester >"$WORK/ctl.out" 2>&1; then
	echo "# drain written by meridianctl"
else
	echo "# drain written by repl_writer ($(cat "$WORK/ctl.out" 2>/dev/null | head -1))"
	repl_write a drain dc1 "relay test"
fi
t_check "drain in A reaches C within 1 s" \
	repl_wait_sql 1 c "SELECT action || ' ' || origin || ' ' || reason FROM overrides WHERE datacenter = 'dc1'" "drain a relay test"
echo "# A -> C took $(( ($(date +%s%N) - start) / 1000000 )) ms"
t_eq "C never talked to A" "b" "$(repl_sql c "SELECT group_concat(region) FROM peers")"

# Streams of writes on both ends converge.
repl_write a events 200 400 &
w1=$!
repl_write c events 200 400 &
w2=$!
wait $w1 $w2
t_check "all three regions converge" repl_wait_same 10 a b c
t_eq "C holds A's 200 events exactly once" 200 \
	"$(repl_sql c "SELECT count(*) FROM events WHERE origin = 'a' AND action = 'write'")"
t_eq "A holds C's 200 events exactly once" 200 \
	"$(repl_sql a "SELECT count(DISTINCT reason) FROM events WHERE origin = 'c' AND action = 'write'")"
t_eq "A's cursor of C (learnt only through B)" 200 "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'c'")"

out=$(python3 "$(dirname "$0")/../400-repl-lib/repl_peer.py" request --port "$(repl_port c)" --key "$WORK/repl.key" --path /v1/stats)
t_contains "C's /v1/stats: lag per origin through peer b, caught up" '{"peer":"b","origin":"a","behind":0,' "$out"
t_contains "C's /v1/stats: applied entries counted" '"entries_applied":' "$out"

# meridianctl peers (when built) shows B from C.
if [ -x "$CTL" ]; then
	out=$("$CTL" -c "$WORK/c.yaml" peers 2>&1)
	t_contains "meridianctl peers lists b" "b" "$out"
fi

repl_stop c
t_contains "SIGTERM stops cleanly" "stopped" "$(cat "$WORK"/repl-c.*.log)"
repl_finish
