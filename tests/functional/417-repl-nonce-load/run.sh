#!/usr/bin/env bash
# 417-repl-nonce-load: valid responses used to be refused as replays under load: every
# response nonce went into one 16384-slot cache kept for 2 x max_clock_skew + 1 s, so a
# region took at most 16384 responses per window across all its peers (about 270 a
# second at the default skew). Here a catches up on 20000 entries one per response
# (batch_max 1): every response is accepted, none refused.
# Slow (20000 round trips, minutes on 2 cores): skipped unless MERIDIAN_LONG_TESTS=1:
#   MERIDIAN_LONG_TESTS=1 make -C build check TESTS=tests/functional/417-repl-nonce-load/run.sh
[ -n "${MERIDIAN_LONG_TESTS:-}" ] || { echo "417: long test, set MERIDIAN_LONG_TESTS=1"; exit 77; }
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

# (max_clock_skew stays at its default, 30 s: the verdict refuses one longer than
# health.stale_after; the old cache's window was then 61 s, which 20000 responses fill)
repl_region a b -- "  batch_max: 1"
repl_region b a
repl_write b events 20000
repl_start b
repl_start a
A=$(repl_port a)
astat() { $PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
# caught_up: a holds all of b's entries, or a refused one (the check below says so)
caught_up() {
	[ "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'b'" 2>/dev/null)" = 20001 ] && return 0
	[ "$(astat refused_replay)" -gt 0 ] 2>/dev/null
}
t_until 300 caught_up
# (b's 20000 events and its replicator's deployments row)
t_eq "a holds b's 20001 entries" 20001 "$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'b'")"
t_eq "no valid response refused as a replay" 0 "$(astat refused_replay)"
t_check "more than 16384 responses accepted" test "$(astat pulls)" -gt 16384
repl_finish
