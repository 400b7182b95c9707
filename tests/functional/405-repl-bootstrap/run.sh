#!/usr/bin/env bash
# 405-repl-bootstrap: A's change log is compacted once its only peer B holds it; a new
# region C then finds itself behind A's retained log, bootstraps from A's consistent
# snapshot (HTTP 409 -> /v1/snapshot) and follows the log from there.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a b
repl_region b a
repl_start a
repl_start b
repl_write a events 100
repl_write a drain dc1 "before c existed"
repl_write b events 20
t_check "A and B converge" repl_wait_same 5 a b
t_check "A compacts its own entries once B has them (but the newest)" \
	repl_wait_sql 5 a "SELECT count(*) FROM changelog WHERE origin = 'a'" 1
stats_a() { $PEER request --port "$(repl_port a)" --key "$WORK/repl.key" --path /v1/stats; }
compacted_122() { case "$(stats_a)" in *'"compacted":122'*) return 0 ;; esac; return 1; }
t_until 30 compacted_122
out=$(stats_a)
# (each region's log also holds its replicator's deployments row, written at start; the
# newest entry of each origin is kept)
t_contains "compacted entries (102 of a, 20 of b) counted at /v1/stats" '"compacted":122' "$out"
t_eq "A keeps its cursor (seqs stay dense)" 103 "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'a'")"

repl_region c a
# From now on A names C as a peer too: A compacts only what every configured peer holds,
# so entries written after C's bootstrap stay in A's log until C has pulled them (with C
# unknown to A, A could compact them first and C would bootstrap a second time).
# repl_start c points A at C's port (repl_moved) and reloads it.
repl_region a b c
repl_hup a
# C's own log holds only its deployments row, which B (not pulling from C) never sees and
# A may or may not have pulled yet: compare every row and every cursor but C's own.
repl_dump() {
	repl_sql "$1" "SELECT 'obs', * FROM observations ORDER BY checker, datacenter;
		SELECT 'ovr', * FROM overrides ORDER BY datacenter;
		SELECT 'evt', * FROM events ORDER BY origin, id;
		SELECT 'cur', * FROM cursors WHERE origin <> 'c' ORDER BY origin;"
}
repl_start c
t_check "C bootstraps and matches A row for row" repl_wait_same 5 a c
t_contains "C says it bootstrapped" "bootstrapping from its snapshot" "$(cat "$WORK"/repl-c.*.log)"
t_contains "A logs the snapshot it sent" "sending a snapshot to c" "$(cat "$WORK"/repl-a.*.log)"
repl_write a events 10
repl_write b events 5
t_check "C follows the log after the snapshot" repl_wait_same 5 a b c
t_eq "C holds A's later events exactly once" "110 110" \
	"$(repl_sql c "SELECT count(*) || ' ' || count(DISTINCT id) FROM events WHERE origin = 'a' AND action = 'write'")"
out=$($PEER request --port "$(repl_port c)" --key "$WORK/repl.key" --path /v1/stats)
t_contains "one snapshot imported" '"snapshots_imported":1' "$out"
repl_finish
