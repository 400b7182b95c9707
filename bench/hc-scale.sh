#!/usr/bin/env bash
# bench/hc-scale.sh -- one meridian-healthcheck process probing a thousand loopback
# endpoints (half http, half tcp; every one its own datacenter, interval 1 s): prints the
# probe rate it sustains, how late runs start, and its CPU use.
#
# usage: bench/hc-scale.sh [ENDPOINTS] [SECONDS]   (defaults 1000 and 20);
# BUILDDIR=... selects the binary (default ./build); HTTP_EVERY=N makes every Nth
# endpoint http and the rest tcp (default 2; 0: tcp only -- the one-thread python
# origin, not the healthcheck, is what limits http beyond ~1500 requests/s);
# KEEP=1 keeps the work directory. Not part of the test suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$top/build}
n=${1:-1000}
every=${HTTP_EVERY:-2}
secs=${2:-20}
[ -x "$build/meridian-healthcheck" ] || { echo "$build/meridian-healthcheck missing (set BUILDDIR)"; exit 1; }
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
work=$(mktemp -d /tmp/meridian-hc-scale.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
cd "$work"

python3 "$top/bench/hc_scale_origin.py" "$n" ports >origin.out & pids+=($!)
origin=$!
for _ in $(seq 300); do [ -f ports ] && break; sleep 0.1; done
[ -f ports ] || { echo "origin did not start"; exit 1; }

{
	echo "region: bench"
	echo "state: state.db"
	echo "dns: { listen: [\"127.0.0.1:53\"] }"
	echo "datacenters:"
	i=0
	while read -r p; do
		if [ "$every" -gt 0 ] && [ $((i % every)) -eq 0 ]; then
			chk="{ type: http, url: \"http://127.0.0.1:$p/healthz\", body_contains: ok, interval: 1s, timeout: 500ms, jitter: 1s }"
		else
			chk="{ type: tcp, address: \"127.0.0.1:$p\", interval: 1s, timeout: 500ms, jitter: 1s }"
		fi
		printf '  dc%04d:\n    addresses: [192.0.2.%d]\n    check: %s\n' "$i" $((i % 250 + 1)) "$chk"
		i=$((i + 1))
	done <ports
} >meridian.yaml

"$build/meridian-healthcheck" -c meridian.yaml 2>hc.log & pids+=($!)
hc=$!
tck=$(getconf CLK_TCK)
cpu() { awk '{print $14 + $15}' "/proc/$1/stat"; }
probes() { # asks for the counters: "PROBES SECONDS" from the newest stats line and its time
	kill -USR1 "$hc"; sleep 0.5
	grep 'stats:' hc.log | tail -1 |
		sed -n 's/^[0-9-]*T\([0-9]*\):\([0-9]*\):\([0-9.]*\)Z.* checks, \([0-9]*\) probes.* failed), \([0-9]*\) late.*/\4 \1 \2 \3 \5/p' |
		awk '{printf "%d %.3f %d\n", $1, $2 * 3600 + $3 * 60 + $4, $5}'
}
sleep 4 # start jitter (interval/4) and first transitions
up=$(sqlite3 -cmd ".timeout 2000" state.db "SELECT count(*) FROM observations WHERE status = 'up'")
p0=$(probes); c0=$(cpu "$hc"); o0=$(cpu "$origin"); t0=$(date +%s.%N)
sleep "$secs"
p1=$(probes); c1=$(cpu "$hc"); o1=$(cpu "$origin"); t1=$(date +%s.%N)
up2=$(sqlite3 -cmd ".timeout 2000" state.db "SELECT count(*) FROM observations WHERE status = 'up'")
down=$(sqlite3 -cmd ".timeout 2000" state.db "SELECT count(*) FROM observations WHERE status != 'up'")
python3 - "$n" $p0 $p1 "$c0" "$c1" "$o0" "$o1" "$t0" "$t1" "$tck" "$up" "$up2" "$down" <<'PY'
import sys
n, p0, s0, l0 = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
p1, s1, l1 = int(sys.argv[5]), float(sys.argv[6]), int(sys.argv[7])
c0, c1, o0, o1 = map(int, sys.argv[8:12])
t0, t1, tck = float(sys.argv[12]), float(sys.argv[13]), int(sys.argv[14])
up, up2, down = map(int, sys.argv[15:18])
dt = t1 - t0
print("endpoints:                 %d, interval 1 s, timeout 500 ms, start jitter 0..1 s" % n)
print("datacenters up:            %d after 4 s, %d at the end (%d not up)" % (up, up2, down))
print("probe rate:                %.0f probes/s (expected %d)" % ((p1 - p0) / (s1 - s0), n))
print("runs started >100 ms late: %d in the measured window (%d in the start-up burst)" % (l1 - l0, l0))
print("healthcheck CPU:           %.1f %% of one core" % (100.0 * (c1 - c0) / tck / dt))
print("origin (python) CPU:       %.1f %% of one core" % (100.0 * (o1 - o0) / tck / dt))
PY
grep 'stats:' hc.log | tail -1 | sed 's/^.*stats:/healthcheck counters (since start):/'
echo "max RSS of healthcheck:    $(awk '/VmHWM/{print $2, $3}' /proc/$hc/status)"
