#!/usr/bin/env bash
# 413-repl-relay-gap: chain x -> s -> b -> p (each pulls from the one before). b falls
# behind s's retained log and bootstraps from s's snapshot, which leaves a hole in b's
# log of x. p, behind that hole, used to be served entries after it ("expected seq 41,
# got 51") and stayed stuck for every origin until b's retention compaction. Now b never
# serves across a hole: p is sent to bootstrap and converges.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"

repl_region x
repl_region s x
repl_region b s
repl_region p b
# Each replicator writes its deployments row at start (seq 1 of its own log, so x's events
# are seqs 2..); in a chain only the regions after it see that row: compare every row
# and x's cursor.
repl_dump() {
	repl_sql "$1" "SELECT 'obs', * FROM observations ORDER BY checker, datacenter;
		SELECT 'ovr', * FROM overrides ORDER BY datacenter;
		SELECT 'evt', * FROM events ORDER BY origin, id;
		SELECT 'cur', * FROM cursors WHERE origin = 'x';"
}
for r in x s b p; do repl_start $r; done
repl_write x events 40
t_check "the chain converges" repl_wait_same 10 x s b p
repl_stop p
repl_stop b
repl_write x events 10
t_check "s holds x's 50 entries" repl_wait_sql 10 s "SELECT seq FROM cursors WHERE origin = 'x'" 51
# What a compaction by age does on s: the entries b lacks are gone from s's log.
repl_sql s "DELETE FROM changelog WHERE origin = 'x' AND seq <= 51"
repl_start b
t_check "b bootstraps from s" repl_wait_sql 10 b "SELECT seq FROM cursors WHERE origin = 'x'" 51
repl_write x events 10
t_check "b follows x's log after its snapshot" repl_wait_sql 10 b "SELECT seq FROM cursors WHERE origin = 'x'" 61
t_eq "b's log of x starts after the hole" 52 "$(repl_sql b "SELECT min(seq) FROM changelog WHERE origin = 'x'")"
repl_start p
t_check "p, behind the hole, converges (through a snapshot of b)" repl_wait_same 10 x s b p
t_contains "b sent p to bootstrap" "sending it to bootstrap" "$(cat "$WORK"/repl-b.*.log)"
t_check "p never met a gap" bash -c "! grep -q 'change log gap' '$WORK'/repl-p.*.log"
repl_finish
