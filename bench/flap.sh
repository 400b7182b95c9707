#!/usr/bin/env bash
# bench/flap.sh -- flap damping: transitions of an origin failing a share of its probes
# at random, with the default damping and without, and the time a clean failure still
# takes to fail over with damping on.
#
# usage: bench/flap.sh [SECONDS] [RATES]   (defaults: 300 and "30 50 70"); BUILDDIR=...
# selects the binaries (default ./build). For each failure rate, two single-region
# setups run side by side for SECONDS (health defaults, or flap_damping: false), each
# with its own origin (bench/flap_origin.py), meridian-healthcheck (interval 1s,
# timeout 500ms, fall 3, rise 2) and meridian-dnsd. Counted afterwards:
#   observations: changes of this region's observation of the origin (the checker's
#                 rise/fall output, which damping does not touch);
#   answers:      changes of the origin's serving state in meridian-dnsd (its log), which
#                 is what DNS answers follow.
# Then CLEAN fresh setups with damping on: a healthy origin is killed, and the time from
# the kill to the first DNS answer without it is measured (CLEAN=5 by default).
# Everything runs on 127.0.0.1. Not part of the test suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${BUILDDIR:-$top/build}" && pwd)
secs=${1:-300}
rates=${2:-30 50 70}
clean=${CLEAN:-5}
for p in meridian-healthcheck meridian-dnsd; do
	[ -x "$build/$p" ] || { echo "$build/$p missing (set BUILDDIR)"; exit 1; }
done
command -v kdig >/dev/null || { echo "kdig missing (knot-dnsutils)"; exit 1; }
work=$(mktemp -d /tmp/meridian-flap.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; [ -n "${KEEP:-}" ] || rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

perl "$top/tests/data/make-test-mmdb.pl" "$work" >/dev/null
mkdir "$work/zones"
printf '$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\n  IN NS ns1.example.com.\nns1 IN A 192.0.2.53\n' \
	>"$work/zones/example.com.zone"

# setup DIR DAMPING ORIGIN-PORT DNS-PORT: writes DIR/meridian.yaml.
setup() {
	mkdir -p "$1"
	cat >"$1/meridian.yaml" <<CONF
region: bench
state: state.db
geoip: ../test-city.mmdb
health: { flap_damping: $2 }
dns:
  listen: ["127.0.0.1:$4"]
  threads: 1
  zones:
    - origin: example.com.
      file: ../zones/example.com.zone
datacenters:
  east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: http, url: "http://127.0.0.1:$3/healthz", body_contains: ok,
             interval: 1s, timeout: 500ms, fall: 3, rise: 2 }
  west:
    location: [37.3, -121.9]
    addresses: [198.51.100.20]
records:
  www.example.com.: { datacenters: [east, west], ttl: 30 }
CONF
}
# start DIR: meridian-healthcheck and meridian-dnsd of DIR.
start() {
	(cd "$1" && exec "$build/meridian-healthcheck" -c meridian.yaml 2>hc.log) & pids+=($!)
	(cd "$1" && exec "$build/meridian-dnsd" -c meridian.yaml 2>dnsd.log) & pids+=($!)
}
observations() {
	sqlite3 -cmd ".timeout 5000" "$1/state.db" "SELECT json_extract(row, '\$.status') FROM changelog
		WHERE tbl = 'observations' AND key = 'bench/east' ORDER BY seq" |
		grep -v unknown | uniq | tail -n +2 | wc -l
}
answers() { grep -c 'datacenter east: .*serving$' "$1/dnsd.log" || true; }

echo "# flap bench: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# origin failing RATE% of probes at random for $secs s; interval 1s, timeout 500ms, fall 3, rise 2, TTL 30"
for r in $rates; do
	for d in true false; do
		o=$(port); n=$(port)
		setup "$work/r$r-$d" "$d" "$o" "$n"
		python3 "$top/bench/flap_origin.py" "$o" "0.$r" & pids+=($!)
	done
done
sleep 1
for r in $rates; do for d in true false; do start "$work/r$r-$d"; done; done
sleep "$secs"
printf '%-6s %-8s %13s %9s\n' rate damping observations answers
for r in $rates; do
	for d in true false; do
		printf '%-6s %-8s %13s %9s\n' "$r%" "$([ $d = true ] && echo on || echo off)" \
			"$(observations "$work/r$r-$d")" "$(answers "$work/r$r-$d")"
	done
done
for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
wait 2>/dev/null || true
pids=()

echo "# clean failover with damping on (defaults): healthy origin killed, kill -> first answer without it"
times=()
for c in $(seq "$clean"); do
	o=$(port); n=$(port)
	dir="$work/clean$c"
	setup "$dir" true "$o" "$n"
	python3 "$top/bench/flap_origin.py" "$o" 0 & opid=$!
	pids+=($opid)
	start "$dir"
	for _ in $(seq 200); do
		[ "$(kdig @127.0.0.1 -p "$n" +retry=0 +timeout=1 +short +subnet=67.43.156.1/32 www.example.com A 2>/dev/null)" = 192.0.2.10 ] &&
			[ "$(sqlite3 "$dir/state.db" "SELECT status FROM observations WHERE datacenter='east'" 2>/dev/null)" = up ] && break
		sleep 0.1
	done
	sleep 2
	t0=$(date +%s%N)
	kill "$opid"
	ms=
	for _ in $(seq 1000); do
		if [ "$(kdig @127.0.0.1 -p "$n" +retry=0 +timeout=1 +short +subnet=67.43.156.1/32 www.example.com A)" = 198.51.100.20 ]; then
			ms=$(( ($(date +%s%N) - t0) / 1000000 )); break
		fi
		sleep 0.01
	done
	echo "clean $c: failover ${ms:-none} ms"
	times+=("${ms:-99999}")
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	pids=()
done
[ "$clean" -gt 0 ] && printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "clean failover: median %d ms, max %d ms (%d runs)\n", a[int((NR+1)/2)], a[NR], NR}'
