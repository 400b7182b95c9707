#!/usr/bin/env bash
# 402-repl-restart: three regions in a full mesh. B's replicator stops while A and C keep
# writing (and B's own writers too); when it starts again all three converge, row for
# row, and every entry is held exactly once (the drain adds an override and its audit
# event: 352 entries of a). SIGHUP reloads without losing anything, the key included.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"

repl_region a b c
repl_region b a c
repl_region c a b
repl_start a
repl_start b
repl_start c
repl_write a events 50
t_check "first writes converge" repl_wait_same 5 a b c

repl_stop b
repl_write a events 300 600 &
w1=$!
repl_write c events 300 600 &
w2=$!
repl_write b events 100 &
wait $w1 $w2
repl_write a drain dc2 "while b was down"
t_check "A and C converge without B" repl_wait_same 5 a c
t_eq "B has not seen the drain" "" "$(repl_sql b "SELECT action FROM overrides")"
# (an unreadable b.db would print nothing above too)
t_eq "B's store is readable and holds no override" 0 "$(repl_sql b "SELECT count(*) FROM overrides")"

repl_start b
t_check "all three converge after B restarts" repl_wait_same 10 a b c
for r in a b c; do
	t_eq "$r holds every entry of a, b and c exactly once" "350 350|100 100|300 300" \
		"$(repl_sql "$r" "SELECT count(*) || ' ' || count(DISTINCT id) FROM events WHERE action = 'write' GROUP BY origin ORDER BY origin" | tr '\n' '|' | sed 's/|$//')"
	# (each origin's count has +1: its replicator's deployments row, written at first start)
	t_eq "$r cursors: every seq of every origin held" "a 353|b 101|c 301" \
		"$(repl_sql "$r" "SELECT origin || ' ' || seq FROM cursors ORDER BY origin" | tr '\n' '|' | sed 's/|$//')"
done

# SIGHUP: reload keeps serving and pulling.
t_check "C's SIGHUP: reloaded" repl_hup c
repl_write a events 10
t_check "converge after C's SIGHUP" repl_wait_same 5 a b c
t_contains "SIGHUP logged" ".yaml: 2 peers" "$(cat "$WORK"/repl-c.*.log)"

# Key rotation: a new key file and SIGHUP everywhere; replication goes on. While only
# C has the new key, A refuses C's pulls (counted) and C refuses A's answers.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/repl.key.new"
mv "$WORK/repl.key.new" "$WORK/repl.key"
t_check "C reloads the new key" repl_hup c
t_check "A refuses C's requests signed with the new key" \
	repl_wait_log a "refused request from c (127.0.0.1): bad signature"
t_check "A and B reload the new key" repl_hup a b
repl_write a events 10
t_check "after rotating the key everywhere, all three converge" repl_wait_same 5 a b c
repl_finish
