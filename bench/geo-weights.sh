#!/usr/bin/env bash
# bench/geo-weights.sh -- geo qps with weights and sticky splits against plain nearest answers
#
# usage: bench/geo-weights.sh [BUILDDIR]
#   env: ROUNDS=5 SECONDS_PER_RUN=3   interleaved rounds and their length
#
# One meridian-dnsd (one UDP thread, pinned to core 1) serves three geo names over the
# seven datacenters of bench/geo-vs-gdnsd.sh, on its 50k-network synthetic database:
#   near.geo.example.   plain nearest serving datacenter (the headline's answer)
#   split.geo.example.  weights {us-east: 50, eu-west: 30, ap-southeast: 20} on the
#                       record, and a weighted EU entry {eu-west: 60, eu-central: 40}:
#                       every answer decided by rendezvous hashing of the client network
#   cap.geo.example.    nearest, each datacenter with 6 addresses, max_addresses: 2
#                       (an address subset hashed per client network)
# The same 50 000 ECS queries (80% IPv4 /24, 20% IPv6 /56, drawn from the database's
# networks) are asked for each name with bench/dnsload on core 0, names interleaved
# round by round so machine drift hits all alike. Per name: qps and the server's CPU
# microseconds per answer (/proc); medians; the ratio split/near and cap/near, and the
# machine load. Not run by CI.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-3}
helper=$top/bench/geo-vs-gdnsd/geo-queries.py
[ -x "$build/meridian-dnsd" ] && [ -x "$build/bench/dnsload" ] ||
	make -C "$build" -j2 meridian-dnsd bench/dnsload >/dev/null
hz=$(getconf CLK_TCK)
dnsd=$build/meridian-dnsd
load=$build/bench/dnsload
work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-geoweights.XXXXXX")
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$work"' EXIT
db=$build/bench/geo-synth-50000-10000.mmdb
[ -s "$db" ] || perl "$top/bench/geo-synth.pl" "$db" 50000 10000 3000 1 2>/dev/null

port=$(port_free)
mkdir -p "$work/zones"
printf '$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n' \
	>"$work/zones/geo.example.zone"
dcs=(us-east:38.9:-77.4 us-west:37.4:-122.1 eu-west:53.3:-6.3 eu-central:50.1:8.7
	ap-southeast:1.35:103.8 ap-northeast:35.7:139.7 sa-east:-23.5:-46.6)
all="us-east, us-west, eu-west, eu-central, ap-southeast, ap-northeast, sa-east"
{
	echo "region: bench"
	echo "state: state.db"
	echo "geoip: $db"
	echo "dns:"
	echo "  listen: [\"127.0.0.1:$port\"]"
	echo "  threads: 1"
	echo "  zones: [ { origin: geo.example., file: zones/geo.example.zone } ]"
	echo "datacenters:"
	i=0
	for d in "${dcs[@]}"; do
		IFS=: read -r n lat lon <<<"$d"
		addrs=""
		for k in 0 1 2 3 4 5; do addrs+="${addrs:+, }192.0.$((10 + i)).$((10 + k))"; done
		echo "  $n: { location: [$lat, $lon], addresses: [$addrs] }"
		i=$((i + 1))
	done
	echo "records:"
	echo "  near.geo.example.: { datacenters: [$all] }"
	echo "  split.geo.example.:"
	echo "    datacenters: [$all]"
	echo "    weights: {us-east: 50, eu-west: 30, ap-southeast: 20}"
	echo "    map: { EU: {weights: {eu-west: 60, eu-central: 40}} }"
	echo "  cap.geo.example.: { datacenters: [$all], max_addresses: 2 }"
} >"$work/meridian.yaml"
# near and split answer a datacenter's six addresses (only the choice of datacenter
# differs between them); cap answers two of them.
python3 "$helper" sample "$db" 50000 1 near.geo.example. >"$work/q-near" 2>/dev/null
sed 's/^near\./split./' "$work/q-near" >"$work/q-split"
sed 's/^near\./cap./' "$work/q-near" >"$work/q-cap"

# The choice alone, in process: trie lookup + geo_pick() per record, ns per answer
# (bench/geo-pick-time; less disturbed by a busy machine than the qps rounds).
[ -x "$build/bench/geo-pick-time" ] || make -C "$build" bench/geo-pick-time >/dev/null
echo "# $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg)"
taskset -c 1 "$build/bench/geo-pick-time" "$work/meridian.yaml" "$work/q-near" 9
echo

nice_level=0
[ "$(id -u)" -eq 0 ] && nice_level=-10
nice -n "$nice_level" taskset -c 1 "$dnsd" -c "$work/meridian.yaml" >"$work/dnsd.log" 2>&1 &
pid=$!
for _ in $(seq 600); do
	grep -q "tries for .* compiled" "$work/dnsd.log" && break
	sleep 0.1
done
grep -q "tries for .* compiled" "$work/dnsd.log" || { tail "$work/dnsd.log"; exit 1; }

echo "# $(date -u +%FT%TZ), load average at start $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "# $rounds interleaved rounds of ${secs}s per name; dnsd on core 1, dnsload on core 0"
declare -A Q C
printf '%-6s %5s %10s %12s\n' name round qps cpu_us/ans
for r in $(seq 1 "$rounds"); do
	for name in near split cap; do
		t0=$(ticks "$pid")
		out=$(taskset -c 0 "$load" -s 127.0.0.1 -p "$port" -f "$work/q-$name" -d "$secs" -c 0 -S 4 -n 512 -b 32)
		t1=$(ticks "$pid")
		answered=$(sed -n 's/.* answered \([0-9]*\) .*/\1/p' <<<"$out")
		qps=$(sed -n 's/.* qps \([0-9]*\) .*/\1/p' <<<"$out")
		cpu=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v a="$answered" 'BEGIN { printf "%.3f", a ? t * 1e6 / hz / a : 0 }')
		printf '%-6s %5d %10d %12s\n' "$name" "$r" "$qps" "$cpu"
		Q[$name]="${Q[$name]:-} $qps"
		C[$name]="${C[$name]:-} $cpu"
	done
done
echo
printf '%-6s %10s %12s %12s %12s\n' name median_qps cpu_us/ans qps_vs_near cpu_vs_near
for name in near split cap; do
	awk -v n="$name" -v q="$(median "${Q[$name]}")" -v c="$(median "${C[$name]}")" \
		-v q0="$(median "${Q[near]}")" -v c0="$(median "${C[near]}")" \
		'BEGIN { printf "%-6s %10.0f %12.3f %11.3fx %11.3fx\n", n, q, c, q / q0, c / c0 }'
done
echo "# load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"
