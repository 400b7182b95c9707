#!/usr/bin/env bash
# 403-repl-refusals: forged, tampered, stale, replayed, truncated, oversized and malformed
# requests are refused with the right status and counted at /v1/stats; a peer serving
# forged, replayed, clock-implausible, malformed, truncated or oversized responses is
# refused and counted, and nothing it sent is applied; the same peer behaving well is
# applied (so the test can fail).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a
repl_start a
repl_write a events 5
before=$(repl_dump a)
t_check "a's dump before the refusals is not empty" test -n "$before"
P=$(repl_port a)
req() { $PEER request --port "$P" --key "$WORK/repl.key" "$@"; }
stat() { req --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
PULL='{"cursors":{},"max":1,"wait_ms":0}'

# (seq 1 is a's deployments row, written by its replicator at start; the events are 2..6)
t_contains "a signed request is served and its response verifies" "200 signed {\"region\":\"a\",\"cursors\":{\"a\":6}}" "$(req)"
t_contains "no authentication: 401" "401 signed {\"error\":\"authentication required\"}" "$(req --no-auth)"
t_contains "wrong key: 401" "401 signed {\"error\":\"bad signature\"}" "$(req --wrong-key)"
t_contains "body changed after signing: 401" "401 signed {\"error\":\"bad signature\"}" \
	"$(req --method POST --path /v1/changes --body "$PULL" --tamper-body)"
t_contains "signed pull served" '200 signed {"region":"a"' "$(req --method POST --path /v1/changes --body "$PULL")"
t_contains "60 s old: 401" "401 signed {\"error\":\"request time outside the window\"}" "$(req --time-offset -60000)"
t_contains "60 s ahead: 401" "401 signed {\"error\":\"request time outside the window\"}" "$(req --time-offset 60000)"
out=$(req --repeat 2 --nonce 0123456789abcdef0123456789abcdef)
t_contains "first use of a nonce served" "200 signed" "$(echo "$out" | head -1)"
t_contains "replay refused" "401 signed {\"error\":\"replayed request\"}" "$(echo "$out" | tail -1)"
t_contains "announced 10 MB body: 413" "413 signed {\"error\":\"body too large\"}" \
	"$(req --method POST --path /v1/changes --body "$PULL" --content-length 10000000 --send-bytes 0)"
t_contains "100 KB body: 413" "413 signed {\"error\":\"body too large\"}" \
	"$(req --method POST --path /v1/changes --body-size 100000)"
req --method POST --path /v1/changes --body "$PULL" --content-length 100 --close-early >/dev/null
t_contains "malformed JSON: 400 naming the fault" '400 signed {"error":"malformed JSON: offset 33: truncated document"}' \
	"$(req --method POST --path /v1/changes --body '{"cursors":{},"max":1,"wait_ms":0')"
t_contains "bad field: 400 naming it" '400 signed {"error":"max: not an integer in 1..100000"}' \
	"$(req --method POST --path /v1/changes --body '{"cursors":{},"max":0,"wait_ms":0}')"
t_contains "bad query: 400" '400 signed {"error":"bad query arguments"}' "$(req --path '/v1/changes?origin=a%20b')"
t_contains "GET form with a query is signed over path and query" '"entries":[{"origin":"a","seq":5' \
	"$(req --path '/v1/changes?origin=a&after=4&max=10&wait=0')"

# A puller hanging up during a long poll frees the server's thread (and is no refusal).
req --path '/v1/changes?origin=a&after=6&wait=20000' --close-early >/dev/null
t_check "long poll of a puller that hung up ends (not at its 20 s wait)" \
	repl_wait_log a "pull from tester (127.0.0.1): the puller hung up"

# stat_is COUNTER N: a's counter reads N (counted once a request completes: wait for it).
stat_is() { [ "$(stat "$1")" = "$2" ]; }
for row in unauthenticated:3 stale:2 replay:1 oversized:2 truncated:1 malformed:3; do
	t_until 30 stat_is "refused_${row%%:*}" "${row#*:}"
	t_eq "${row%%:*} counted" "${row#*:}" "$(stat "refused_${row%%:*}")"
done
t_contains "refusal logged with the peer's name" "refused request from tester (127.0.0.1): replayed nonce" "$(cat "$WORK"/repl-a.*.log)"
t_eq "nothing changed in a" "$before" "$(repl_dump a)"

# A bad peer "b" serving region c.
repl_region c b
repl_start c
C=$(repl_port c)
cstat() { $PEER request --port "$C" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
badpeer() {
	repl_fake b --key "$WORK/repl.key" --region b --mode "$1" || t_abort "bad peer ($1) started"
	BAD=$REPL_FAKE
}
# wait_stat COUNTER: waits (30 s) until C's COUNTER is above 0.
stat_up() { [ "$(cstat "$1")" -gt 0 ] 2>/dev/null; }
wait_stat() { t_until 30 stat_up "$1"; }
for row in forged:refused_unauthenticated future:refused_clock malformed:refused_malformed \
	truncated:refused_truncated oversized:refused_oversized replay:refused_replay; do
	badpeer "${row%%:*}"
	t_check "bad peer (${row%%:*}) refused and counted as ${row#*:}" wait_stat "${row#*:}"
	kill "$BAD"; wait "$BAD" 2>/dev/null
done
t_eq "nothing from the bad peer applied" "0|0" "$(repl_sql c "SELECT (SELECT count(*) FROM overrides), (SELECT count(*) FROM changelog WHERE origin <> 'c')")"
# (each stand-in for b listened on a port of its own)
t_check "refusal logged with the peer's name" grep -qE \
	"peer b \(http://127\.0\.0\.1:[0-9]+\): refused batch: entry evil/1 is stamped" "$WORK"/repl-c.*.log
t_eq "meridianctl peers data: errors recorded for b" 1 "$(repl_sql c "SELECT errors > 0 FROM peers WHERE region = 'b'")"

badpeer good
t_check "the same peer behaving well is applied" \
	repl_wait_sql 5 c "SELECT action || ' ' || origin FROM overrides" "force-down evil"
repl_finish
