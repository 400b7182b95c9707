#!/usr/bin/env bash
# 412-repl-snapshot-cursors: a snapshot's cursors are checked before they are taken. A
# cursor at INT64_MAX (once imported, a region bootstrapping from us could never write
# again, and we ignored that origin for ever) is refused; a peer's cursor for our own
# origin is never taken (we keep numbering our writes from our own log).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a b
repl_start a
A=$(repl_port a)
astat() { $PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
stat_at_least() { [ "$(astat "$1")" -ge "$2" ] 2>/dev/null; }
wait_stat() { # COUNTER AT-LEAST
	t_until 30 stat_at_least "$1" "$2" && return 0
	echo "$1 is $(astat "$1")"; return 1
}
serve() { # FILE
	repl_fake b --key "$WORK/repl.key" --region b --mode snapshot --snapshot "$1" || t_abort "b's stand-in started"
	BAD=$REPL_FAKE
}
snap() { # CURSORS
	echo '{"format":"meridian-snapshot/1","region":"{REGION}","hlc":{NOW},"exported":1,"cursors":['"$1"'],"observations":[],"overrides":[],"events":[]}'
}
snap '{"origin":"c","seq":9223372036854775807}' >"$WORK/max.json"
serve "$WORK/max.json"
t_check "a cursor at INT64_MAX is refused" wait_stat refused_malformed 1
kill "$BAD"; wait "$BAD" 2>/dev/null
t_contains "the refusal names the cursor" "cursors[0]: seq: not an integer in 0..2^62" "$(cat "$WORK"/repl-a.*.log)"
t_eq "no cursor of c taken" 0 "$(repl_sql a "SELECT count(*) FROM cursors WHERE origin = 'c'")"

repl_write a events 3
snap '{"origin":"a","seq":1000},{"origin":"c","seq":7}' >"$WORK/own.json"
serve "$WORK/own.json"
t_check "a snapshot naming our own origin is imported" wait_stat snapshots_imported 1
kill "$BAD"; wait "$BAD" 2>/dev/null
# (a's log: its replicator's deployments row at start, then the 3 events)
t_eq "our own cursor is not taken from the peer; c's is" "a|4 c|7" \
	"$(repl_sql a "SELECT origin || '|' || seq FROM cursors ORDER BY origin" | tr '\n' ' ' | sed 's/ $//')"
repl_write a events 1
t_eq "our next write is seq 5" 5 "$(repl_sql a "SELECT max(seq) FROM changelog WHERE origin = 'a'")"
repl_finish
