#!/usr/bin/env bash
# 421-repl-divergence-shown: a region whose rows were edited with sqlite3 behind the
# replicator's back, while its only peer is down, shows the divergence as not repaired
# (meridianctl peers, its --json, status_divergences) until the peer is back; then it is
# repaired from the peer, shown repaired everywhere, and both regions end identical.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
CTL=$BIN/meridianctl
[ -x "$CTL" ] || t_skip "meridianctl not built"

repl_region a b -- "  digest_check: 1s"
repl_region b a -- "  digest_check: 1s"
repl_start a
repl_start b
repl_write a drain dc1 "maintenance"
repl_write b events 5
t_check "a and b converge" repl_wait_same 10 a b

# a goes down; b's override of origin a is changed by hand.
repl_stop a
repl_sql b "UPDATE overrides SET reason = 'tampered' WHERE datacenter = 'dc1'"
t_check "b finds the edit (digests recomputed every digest_check)" \
	repl_wait_sql 60 b "SELECT peer || ' ' || table_name || ' ' || origin || ' ' || resolved FROM status_divergences" \
	"(local) overrides a 0"
t_eq "the row is still the edited one (no peer to repair from)" "tampered" \
	"$(repl_sql b "SELECT reason FROM overrides WHERE datacenter = 'dc1'")"
peers=$(cd "$WORK" && "$CTL" -c b.yaml peers 2>&1)
t_contains "meridianctl peers shows it, not repaired" \
	"divergence: peer (local), overrides rows of origin a" "$peers"
t_contains "and says NOT REPAIRED" "NOT REPAIRED" "$peers"
# b finds the edit again at every digest_check until it is repaired (count + 1 each
# time), so the count --json shows lies between the store's before and after the call
# (1 and 1 on a quiet machine; more when a step takes seconds).
divergence_count() { repl_sql b "SELECT count FROM divergences WHERE peer = '(local)'"; }
c0=$(divergence_count)
json=$(cd "$WORK" && "$CTL" -c b.yaml peers --json 2>&1)
c1=$(divergence_count)
t_eq "meridianctl peers --json lists it, not resolved" "(local) overrides a False None" \
	"$(python3 -c '
import json, sys
d = json.load(sys.stdin)["divergences"]
print(" ".join(str(x) for v in d for x in (v["peer"], v["table"], v["origin"], v["resolved"], v["repaired"])))' <<<"$json")"
count=$(python3 -c 'import json, sys; print(json.load(sys.stdin)["divergences"][0]["count"])' <<<"$json" 2>&1)
t_check "--json counts the detections as the store does ($c0 <= $count <= $c1)" \
	test "$c0" -ge 1 -a "$count" -ge "$c0" -a "$count" -le "$c1"
t_check "--json gives the digest found and when" python3 -c '
import json, re, sys
v = json.load(sys.stdin)["divergences"][0]
assert re.fullmatch(r"1:[0-9a-f]{16}", v["local_digest"]), v
assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z", v["detected"]), v' <<<"$json"

# a is back: b re-syncs the rows of origin a from it.
repl_start a
t_check "the edit is repaired from a" \
	repl_wait_sql 30 b "SELECT reason FROM overrides WHERE datacenter = 'dc1'" "maintenance"
t_check "status_divergences shows it repaired" \
	repl_wait_sql 30 b "SELECT resolved FROM status_divergences WHERE peer = '(local)'" 1
json=$(cd "$WORK" && "$CTL" -c b.yaml peers --json 2>&1)
t_check "meridianctl peers --json shows it resolved, with when" python3 -c '
import json, sys
v = json.load(sys.stdin)["divergences"][0]
assert v["resolved"] is True and v["repaired"] is not None, v' <<<"$json"
t_check "a and b are identical again" repl_wait_same 10 a b
repl_finish
