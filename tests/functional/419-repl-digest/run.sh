#!/usr/bin/env bash
# 419-repl-digest: every region keeps a digest of each replicated table per origin,
# updated in the write transaction and exchanged on every pull. Rows edited with sqlite3
# behind the replicator's back are found when the digests are recomputed from the tables
# (digest_check), logged, counted, shown by `meridianctl peers` and status_divergences,
# and repaired by a targeted re-sync from a peer; the regions end identical again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"
CTL=$BIN/meridianctl
[ -x "$CTL" ] || t_skip "meridianctl not built"

repl_region a b -- "  digest_check: 1s"
repl_region b a -- "  digest_check: 1s"
repl_start a
repl_start b
repl_write a events 10
repl_write a drain dc1 "maintenance"
repl_write b events 10
repl_write b drain dc2 "upgrade"
t_check "a and b converge" repl_wait_same 10 a b
digests() { repl_sql "$1" "SELECT tbl, origin, rows, sum FROM digests WHERE rows > 0 ORDER BY tbl, origin"; }
# (deployments: each replicator's own row, written at start)
t_eq "digests are kept per table and origin" \
	"deployments|a|1|deployments|b|1|events|a|11|events|b|11|overrides|a|1|overrides|b|1" \
	"$(repl_sql a "SELECT tbl, origin, rows FROM digests WHERE rows > 0 ORDER BY tbl, origin" | tr '\n' '|' | sed 's/|$//')"
t_eq "a's and b's digests agree" "$(digests a)" "$(digests b)"

# Behind the replicator's back: one override and one audit event changed on b.
repl_sql b "UPDATE overrides SET reason = 'tampered' WHERE datacenter = 'dc1';
	UPDATE events SET reason = 'rewritten' WHERE origin = 'b' AND id = 3"
t_check "the edits are found and repaired within a minute" \
	repl_wait_sql 60 b "SELECT reason FROM overrides WHERE datacenter = 'dc1'" "maintenance"
t_check "the audit event is repaired too" \
	repl_wait_sql 10 b "SELECT reason FROM events WHERE origin = 'b' AND id = 3" "n=3"
t_check "a and b are identical again" repl_wait_same 10 a b
t_eq "and so are their digests" "$(digests a)" "$(digests b)"
log=$(cat "$WORK"/repl-b.*.log)
t_contains "the divergence is logged" "overrides rows of origin a were changed behind the replicator's back" "$log"
out=$($PEER request --port "$(repl_port b)" --key "$WORK/repl.key" --path /v1/stats)
t_check "divergences and re-syncs are counted" bash -c "grep -q '\"divergences\":[1-9]' <<<'$out' && grep -q '\"resyncs\":[1-9]' <<<'$out'"
t_eq "status_divergences shows them, repaired" "(local)|events|b|1
(local)|overrides|a|1" \
	"$(repl_sql b "SELECT peer, table_name, origin, resolved FROM status_divergences ORDER BY table_name")"
peers=$(cd "$WORK" && "$CTL" -c b.yaml peers 2>&1)
t_contains "meridianctl peers shows the divergence" "divergence: peer (local), overrides rows of origin a" "$peers"
t_contains "and that it was repaired" "repaired" "$peers"
repl_finish
