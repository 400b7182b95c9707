#!/usr/bin/env bash
# bench/capacity-spill.sh -- the load table when the nearest datacenter fails: plain
# failover against capacity-aware spill, on a synthetic client population
#
# usage: bench/capacity-spill.sh [BUILDDIR]
#   env: CLIENTS=50000   client networks drawn from the database (one unit of load each)
#        FACTOR=1.6      capacity = FACTOR x each datacenter's load with all serving
#        FAIL=           the datacenter failed (default: the busiest)
#
# The seven datacenters of bench/geo-vs-gdnsd.sh, one record over all of them, the
# 50k-network synthetic City database (bench/geo-synth.pl, kept in BUILDDIR/bench). The
# population: CLIENTS ECS networks (80% IPv4 /24, 20% IPv6 /56) drawn from the database's
# own networks (geo-vs-gdnsd/geo-queries.py sample). build/bench/capacity-spill answers
# each client with the compiled trie and geo_pick(), as meridian-dnsd does, and prints
# the load per datacenter before, after the failure with plain nearest failover, and
# after it with capacity-aware spill (every datacenter's live load = its load before,
# as a load check would report). A second table with FACTOR 1.2 shows capacity falling
# short: spill then fills every survivor in proportion and says capacity_short.
# No server, no network: a few seconds.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
n=${CLIENTS:-50000}
factor=${FACTOR:-1.6}
[ -x "$build/bench/capacity-spill" ] || make -C "$build" bench/capacity-spill >/dev/null
work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-spill.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$build/bench/geo-synth-50000-10000.mmdb
[ -s "$db" ] || perl "$top/bench/geo-synth.pl" "$db" 50000 10000 3000 1 2>/dev/null
mkdir -p "$work/zones"
printf '$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n@ IN NS ns1\nns1 IN A 192.0.2.1\n' \
	>"$work/zones/geo.example.zone"
{
	echo "region: bench"
	echo "state: state.db"
	echo "geoip: $db"
	echo "dns: { zones: [ { origin: geo.example., file: zones/geo.example.zone } ] }"
	echo "datacenters:"
	i=0
	for d in us-east:38.9:-77.4 us-west:37.4:-122.1 eu-west:53.3:-6.3 eu-central:50.1:8.7 \
		ap-southeast:1.35:103.8 ap-northeast:35.7:139.7 sa-east:-23.5:-46.6; do
		IFS=: read -r name lat lon <<<"$d"
		echo "  $name: { location: [$lat, $lon], addresses: [192.0.2.$((10 + i))] }"
		i=$((i + 1))
	done
	echo "records:"
	echo "  www.geo.example.:"
	echo "    datacenters: [us-east, us-west, eu-west, eu-central, ap-southeast, ap-northeast, sa-east]"
} >"$work/meridian.yaml"
python3 "$top/bench/geo-vs-gdnsd/geo-queries.py" sample "$db" "$n" 7 www.geo.example. \
	>"$work/clients" 2>/dev/null
fail=${FAIL:-}
if [ -z "$fail" ]; then
	fail=$("$build/bench/capacity-spill" "$work/meridian.yaml" www.geo.example. "$work/clients" \
		us-east "$factor" | awk 'NR > 2 && $1 != "demand" && $1 != "survivors" { if ($3 > m) { m = $3; d = $1 } } END { print d }')
fi
echo "# $(date -u +%FT%TZ), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
echo "## capacity = $factor x the load before; $fail (the busiest) fails"
"$build/bench/capacity-spill" "$work/meridian.yaml" www.geo.example. "$work/clients" "$fail" "$factor"
echo
echo "## capacity = 1.2 x the load before: not enough spare anywhere"
"$build/bench/capacity-spill" "$work/meridian.yaml" www.geo.example. "$work/clients" "$fail" 1.2
