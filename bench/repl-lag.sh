#!/usr/bin/env bash
# bench/repl-lag.sh -- replication lag (commit in A to commit in C, p50/p99) at 100 and
# 1000 changes/s, and apply throughput (a region catching up on a backlog).
# Usage: bench/repl-lag.sh [BUILDDIR]   (default: ./build). Loopback only. Needs the
# check programs built (make check TESTS=, for tests/tools/repl_writer).
# Lag is, per entry, the time C stored it (changelog.stored, in C's applying transaction)
# minus the time A wrote it (the event's `at`, in A's writing transaction); one machine,
# one clock. A trigger in C's store records both as entries arrive, because compaction
# removes acknowledged change-log entries within a second.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
MERIDIAN_BUILDDIR=$(cd "${1:-$top/build}" && pwd)
MERIDIAN_SRCDIR=$top
export MERIDIAN_BUILDDIR MERIDIAN_SRCDIR
. "$top/tests/functional/lib.sh"
. "$top/tests/functional/lib/repl.sh"

# record REGION: starts recording arrival times in REGION's store.
record() {
	repl_sql "$1" "CREATE TABLE IF NOT EXISTS bench_lag (origin TEXT, seq INTEGER, at INTEGER, stored INTEGER);
		CREATE TRIGGER IF NOT EXISTS bench_lag AFTER INSERT ON changelog WHEN NEW.tbl = 'events'
		BEGIN INSERT INTO bench_lag VALUES (NEW.origin, NEW.seq, json_extract(NEW.row, '\$.at'), NEW.stored); END;"
}

# percentiles ORIGIN REGION MIN-SEQ: p50 p99 max of stored - at.
percentiles() {
	repl_sql "$2" "SELECT stored - at FROM bench_lag WHERE origin = '$1' AND seq > $3 ORDER BY 1;" | python3 -c '
import sys
v = [int(x) for x in sys.stdin if x.strip()]
if not v:
    print("no samples"); sys.exit()
q = lambda p: v[min(len(v) - 1, int(p * len(v)))]
print(f"n={len(v)} p50={q(0.50)} ms p99={q(0.99)} ms max={v[-1]} ms")'
}

lag_run() { # TOPOLOGY RATE COUNT
	local topo=$1 rate=$2 count=$3 base
	base=$(repl_sql a "SELECT coalesce(max(seq), 0) FROM changelog WHERE origin = 'a'")
	repl_write a events "$count" "$rate"
	repl_wait_sql 30 c "SELECT coalesce(max(seq), 0) FROM cursors WHERE origin = 'a'" $((base + count)) >/dev/null
	echo "$topo, $rate changes/s: $(percentiles a c "$base")"
}

echo "# mesh: A, B, C all peers (C pulls A directly)"
repl_region a b c
repl_region b a c
repl_region c a b
repl_start a; repl_start b; repl_start c
record c
sleep 0.5
lag_run mesh 100 1000
lag_run mesh 1000 5000
for r in c b a; do repl_stop "$r"; done

echo "# chain: A - B - C (relayed through B)"
rm -f "$WORK"/*.db*
unset REPL_PORT_a REPL_PORT_b REPL_PORT_c
repl_region a b
repl_region b a c
repl_region c b
repl_start a; repl_start b; repl_start c
record c
sleep 0.5
lag_run chain 100 1000
lag_run chain 1000 5000

echo "# apply throughput: C stopped while A writes a backlog, then started"
repl_stop c
base=$(repl_sql c "SELECT coalesce(max(seq), 0) FROM cursors WHERE origin = 'a'")
repl_write a events 20000
target=$(repl_sql a "SELECT seq FROM cursors WHERE origin = 'a'")
repl_wait_sql 30 b "SELECT seq FROM cursors WHERE origin = 'a'" "$target" >/dev/null
start=$(date +%s%N)
repl_start c
repl_wait_sql 60 c "SELECT seq FROM cursors WHERE origin = 'a'" "$target" >/dev/null
ms=$(( ($(date +%s%N) - start) / 1000000 ))
n=$((target - base))
echo "apply: $n entries in $ms ms (including start-up): $(( n * 1000 / (ms > 0 ? ms : 1) )) entries/s"
t_done >/dev/null
