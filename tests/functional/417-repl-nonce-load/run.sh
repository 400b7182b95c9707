#!/usr/bin/env bash
# 417-repl-nonce-load: valid responses used to be refused as replays under load: every
# response nonce went into one 16384-slot cache kept for 2 x max_clock_skew + 1 s, so a
# region took at most 16384 responses per window across all its peers (about 270 a
# second at the default skew). Here a catches up on 20000 entries one per response
# (batch_max 1, a long skew window): every response is accepted, none refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../400-repl-lib/repl.sh"
PEER="python3 $(dirname "$0")/../400-repl-lib/repl_peer.py"

repl_region a b -- "  batch_max: 1
  max_clock_skew: 1h"
repl_region b a
repl_write b events 20000
repl_start b
repl_start a
A=$(repl_port a)
astat() { $PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
for _ in $(seq 600); do
	[ "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'b'" 2>/dev/null)" = 20000 ] && break
	[ "$(astat refused_replay)" -gt 0 ] 2>/dev/null && break
	sleep 0.5
done
t_eq "a holds b's 20000 entries" 20000 "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'b'")"
t_eq "no valid response refused as a replay" 0 "$(astat refused_replay)"
t_check "more than 16384 responses accepted" test "$(astat pulls)" -gt 16384
repl_finish
