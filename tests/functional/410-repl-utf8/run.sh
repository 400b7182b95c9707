#!/usr/bin/env bash
# 410-repl-utf8: text that is not UTF-8 never wedges replication. An event written through
# the state library with a Latin-1 reason is stored, and shipped, with one U+FFFD per bad
# byte; an entry stored raw (as a store written before that repair, or edited by hand,
# holds it) is sent with \ufffd escapes, in the change log and in a snapshot alike. The
# peers receive both and everything written after them, and show what A's meridianctl shows.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a b
repl_region b a
repl_write a events 2
repl_write a event $'caf\xe9 \xff'
t_eq "A stores the library-written reason with U+FFFD per bad byte" "636166EFBFBD20EFBFBD" \
	"$(repl_sql a "SELECT hex(reason) FROM events WHERE origin = 'a' AND id = 3")"
# A legacy entry: raw bytes in the row and in its change-log JSON (event 4 = seq 4).
repl_write a events 1
repl_sql a "UPDATE events SET reason = CAST(X'6C6567616379E9' AS TEXT) WHERE origin = 'a' AND id = 4;
	UPDATE changelog SET row = replace(row, '\"n=1\"', CAST(X'226C6567616379E922' AS TEXT))
		WHERE origin = 'a' AND seq = 4;"
t_eq "the legacy entry holds the raw byte in its change-log JSON" 1 \
	"$(repl_sql a "SELECT instr(row, CAST(X'6C6567616379E9' AS TEXT)) > 0 FROM changelog WHERE origin = 'a' AND seq = 4")"

repl_start a
repl_start b
repl_write a events 3
# (A's log: the 4 events above, its replicator's deployments row at start, 3 events)
t_check "B holds all 7 of A's events: the bad entries did not wedge the pull" \
	repl_wait_sql 5 b "SELECT count(*) || ' ' || (SELECT seq FROM cursors WHERE origin = 'a') FROM events WHERE origin = 'a'" "7 8"
t_eq "B: the library-written reason, as A holds it" "636166EFBFBD20EFBFBD" \
	"$(repl_sql b "SELECT hex(reason) FROM events WHERE origin = 'a' AND id = 3")"
t_eq "B: the raw byte arrived as U+FFFD" "6C6567616379EFBFBD" \
	"$(repl_sql b "SELECT hex(reason) FROM events WHERE origin = 'a' AND id = 4")"
t_check "A's replicator still runs" kill -0 "$(repl_pid a)"
t_check "B's replicator still runs" kill -0 "$(repl_pid b)"
# (with no log the negated grep would pass: the log must be there)
t_check "B refused nothing" bash -c "ls '$WORK'/repl-b.*.log >/dev/null && ! grep -i 'utf-8\|malformed' '$WORK'/repl-b.*.log"

CTL=$BIN/meridianctl
if [ -x "$CTL" ]; then
	reasons() {
		"$CTL" -c "$WORK/$1.yaml" events --json --limit 0 | python3 -c 'import json, sys
print(sorted(e["reason"] for e in json.load(sys.stdin)["events"] if e["origin"] == "a"))'
	}
	ra=$(reasons a); rb=$(reasons b)
	t_contains "meridianctl on A shows U+FFFD for the raw byte" "legacy\ufffd" "$(python3 -c 'import sys; print(ascii(sys.argv[1]))' "$ra")"
	t_eq "meridianctl shows the same reasons on A and B" "$ra" "$rb"
fi

# A snapshot carries the raw row too: once B holds everything A compacts its log, and a new
# region C must bootstrap from A's snapshot.
t_check "A compacts its own entries once B has them (but the newest)" \
	repl_wait_sql 5 a "SELECT count(*) FROM changelog WHERE origin = 'a'" 1
repl_region c a
repl_start c
t_check "C bootstraps from A's snapshot and holds A's 7 events" \
	repl_wait_sql 5 c "SELECT count(*) FROM events WHERE origin = 'a'" 7
t_eq "C: the raw byte arrived as U+FFFD" "6C6567616379EFBFBD" \
	"$(repl_sql c "SELECT hex(reason) FROM events WHERE origin = 'a' AND id = 4")"
out=$($PEER request --port "$(repl_port c)" --key "$WORK/repl.key" --path /v1/stats)
t_contains "C imported one snapshot" '"snapshots_imported":1' "$out"
repl_finish
