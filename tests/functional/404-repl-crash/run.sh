#!/usr/bin/env bash
# 404-repl-crash: while all three regions write streams, their replicators are
# killed with SIGKILL at random moments and restarted, many times. Afterwards every
# region holds every entry exactly once (events counted per origin, cursors at the
# last seq, tables identical row for row).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"

repl_region a b c
repl_region b a c
repl_region c a b
repl_start a
repl_start b
repl_start c

repl_write a events 2000 400 &
w1=$!
repl_write b events 1000 200 &
w2=$!
repl_write c events 1000 200 &
w3=$!
kills=0
# Kill during the whole write stream, and at least 12 times in all.
while kill -0 $w1 2>/dev/null || [ $kills -lt 12 ]; do
	victims=(a b c)
	victim=${victims[$((RANDOM % 3))]}
	sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
	repl_stop "$victim" KILL
	kills=$((kills + 1))
	repl_start "$victim" >/dev/null
done
wait $w1 $w2 $w3
echo "# $kills SIGKILLs"
t_check "all three converge" repl_wait_same 20 a b c
for r in a b c; do
	t_eq "$r holds every entry exactly once" "a 2000 2000 2000|b 1000 1000 1000|c 1000 1000 1000" \
		"$(repl_sql "$r" "SELECT origin || ' ' || count(*) || ' ' || count(DISTINCT reason) || ' ' || max(id) FROM events GROUP BY origin ORDER BY origin" | tr '\n' '|' | sed 's/|$//')"
	# (each origin's count has +1: its replicator's deployments row, written at first start)
	t_eq "$r cursors: every seq of every origin held" "a 2001|b 1001|c 1001" \
		"$(repl_sql "$r" "SELECT origin || ' ' || seq FROM cursors ORDER BY origin" | tr '\n' '|' | sed 's/|$//')"
done
repl_finish
