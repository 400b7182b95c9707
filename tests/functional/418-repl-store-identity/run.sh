#!/usr/bin/env bash
# 418-repl-store-identity: a region whose state.db is lost, or restored from an older
# copy, used to number its next writes with seqs its peers already held: those were
# refused, then skipped as duplicates, and both sides said "in sync" while holding
# different overrides, for ever (a drain written on the fresh store never arrived).
# Now the region learns from its peers what they hold of its origin before it serves a
# write of its own, moves its unconfirmed writes to a new incarnation, and re-seeds from
# a peer's snapshot: no two different entries share (origin, seq), nothing is lost.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"

repl_region a b
repl_region b a
repl_start a
repl_start b
repl_write a events 20
repl_write a drain dc1 "before the loss"
t_check "a and b converge" repl_wait_same 10 a b
sqlite3 "$WORK/a.db" ".backup '$WORK/a-backup.db'"
repl_write a events 5
repl_write a drain dc2 "after the backup"
t_check "a and b converge again" repl_wait_same 10 a b

# Same seq, different entries: the check every step below must pass.
same_seq_differs() {
	sqlite3 "$WORK/a.db" "ATTACH '$WORK/b.db' AS b;
		SELECT count(*) FROM changelog x JOIN b.changelog y USING (origin, seq) WHERE x.row != y.row"
}

# 1. A restore from the older copy, then writes on it before the replicator runs.
repl_stop a
rm -f "$WORK/a.db-wal" "$WORK/a.db-shm"
cp "$WORK/a-backup.db" "$WORK/a.db"
repl_write a drain dc3 "written on the restored copy"
repl_start a
t_check "after a restore, a and b converge row for row" repl_wait_same 15 a b
t_eq "no two different entries share (origin, seq)" 0 "$(same_seq_differs)"
t_eq "nothing lost: the drains of before the backup, after it and after the restore" \
	"dc1|before the loss dc2|after the backup dc3|written on the restored copy" \
	"$(repl_sql b "SELECT datacenter || '|' || reason FROM overrides ORDER BY datacenter" | tr '\n' ' ' | sed 's/ $//')"
t_contains "a says it started a new incarnation" "this store is new or restored" "$(cat "$WORK"/repl-a.*.log)"

# 2. A restore whose copy then writes more than it was behind: seqs alone cannot tell,
# the hlc of the peers' newest entry of ours does.
# Here b took the drain through a snapshot of a's (a re-seed after step 1) more often than
# not, so b cannot show its entry at that seq (its log of a starts after it): that must
# count as a collision too, not confirm a's numbering (issue 10: a's next event and b's
# drain shared (a, 65562), and the digest re-sync never settled the two events).
sqlite3 "$WORK/a.db" ".backup '$WORK/a-backup2.db'"
repl_write a drain dc5 "just after the second backup"
t_check "b holds it" repl_wait_sql 10 b "SELECT reason FROM overrides WHERE datacenter = 'dc5'" "just after the second backup"
repl_stop a
rm -f "$WORK/a.db-wal" "$WORK/a.db-shm"
cp "$WORK/a-backup2.db" "$WORK/a.db"
repl_write a events 6
repl_start a
t_check "after that restore, a and b converge row for row" repl_wait_same 15 a b
t_eq "no two different entries share (origin, seq), after that restore" 0 "$(same_seq_differs)"
t_eq "the drain written after the second backup survives" "just after the second backup" \
	"$(repl_sql a "SELECT reason FROM overrides WHERE datacenter = 'dc5'")"
t_eq "the drain's audit event is in both regions, once" "1 1" \
	"$(repl_sql a "SELECT count(*) FROM events WHERE datacenter = 'dc5'") $(repl_sql b "SELECT count(*) FROM events WHERE datacenter = 'dc5'")"

# 3. The disk is lost: a fresh store, a drain written on it before its first bootstrap.
repl_stop a
rm -f "$WORK/a.db" "$WORK/a.db-wal" "$WORK/a.db-shm"
repl_write a drain dc4 "on the fresh store"
repl_start a
t_check "after a lost disk, a and b converge row for row" repl_wait_same 15 a b
t_eq "no two different entries share (origin, seq), again" 0 "$(same_seq_differs)"
t_eq "the fresh store's drain reached b" "on the fresh store" \
	"$(repl_sql b "SELECT reason FROM overrides WHERE datacenter = 'dc4'")"
t_eq "every audit event of a is in b once" \
	"$(repl_sql a "SELECT count(*) FROM events WHERE origin = 'a'")" \
	"$(repl_sql b "SELECT count(DISTINCT id) FROM events WHERE origin = 'a'")"
repl_write a drain dc1 "later writes flow"
t_check "later writes flow" repl_wait_sql 10 b "SELECT reason FROM overrides WHERE datacenter = 'dc1'" "later writes flow"
repl_finish
