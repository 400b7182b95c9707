#!/usr/bin/env bash
# bench/metrics-ir.sh -- instructions per answer, with the metrics' counters and without
#
# usage: bench/metrics-ir.sh BUILDDIR BASELINE-BUILDDIR
#   env: SECONDS_PER_RUN=4
#
# Counts, with valgrind's callgrind, the instructions executed inside
# dnsd_answer_prepared() (the whole answer path of a UDP query: parse, look up, render,
# count) per query, for the meridian-dnsd of BUILDDIR and of BASELINE-BUILDDIR (a build of
# the commit before the per-worker metrics counters), on the static and the geo workloads
# of bench/metrics-overhead.sh. An instruction count does not depend on what else the
# machine runs, so this shows the counters' cost where qps on a shared machine cannot
# (bench/README.md). Never run by make check or CI.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=$(cd "$1" && pwd)
base=$(cd "$2" && pwd)
secs=${SECONDS_PER_RUN:-4}
load=$build/bench/dnsload
helper=$top/bench/geo-vs-gdnsd/geo-queries.py
command -v valgrind >/dev/null || { echo "needs valgrind" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-irbench.XXXXXX")
trap 'rm -rf "$work"' EXIT
db=$build/bench/geo-synth-50000-10000.mmdb
[ -s "$db" ] || { mkdir -p "$build/bench"; perl "$top/bench/geo-synth.pl" "$db" 50000 10000 3000 1 2>/dev/null; }

mkdir -p "$work/zones"
{
	echo "\$ORIGIN example.com."
	echo "\$TTL 3600"
	echo "@ IN SOA ns1 hostmaster 1 7200 900 1209600 300"
	echo "@ IN NS ns1"
	echo "ns1 IN A 192.0.2.1"
	for i in $(seq 1 1000); do echo "h$i IN A 198.51.100.$((i % 250 + 1))"; done
} >"$work/zones/example.com.zone"
for i in $(seq 1 1000); do
	if [ $((i % 10)) = 0 ]; then echo "nx$i.example.com. A"; else echo "h$i.example.com. A"; fi
done >"$work/static.txt"
python3 "$helper" sample "$db" 20000 1 www.geo.example.com. 0.2 24 56 >"$work/geo.txt" 2>/dev/null

port=$(port_free)
cat >"$work/m.yaml" <<CONF
region: bench
state: m.db
geoip: $db
dns:
  listen: ["127.0.0.1:$port"]
  threads: 1
  zones:
    - { origin: example.com., file: zones/example.com.zone }
datacenters:
  us-east: { location: [38.9, -77.4], addresses: [192.0.2.10] }
  us-west: { location: [37.4, -122.1], addresses: [192.0.2.11] }
  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.12] }
  eu-central: { location: [50.1, 8.7], addresses: [192.0.2.13] }
  ap-southeast: { location: [1.35, 103.8], addresses: [192.0.2.14] }
  ap-northeast: { location: [35.7, 139.7], addresses: [192.0.2.15] }
  sa-east: { location: [-23.5, -46.6], addresses: [192.0.2.16] }
records:
  www.geo.example.com.:
    datacenters: [us-east, us-west, eu-west, eu-central, ap-southeast, ap-northeast, sa-east]
CONF

# ir BIN WORKLOAD: instructions per query inside dnsd_answer_prepared
ir() {
	local bin=$1 w=$2 pid ir queries
	rm -f "$work/cg.out" "$work/cg.log"
	(cd "$work" && exec valgrind --tool=callgrind --callgrind-out-file="$work/cg.out" \
		--toggle-collect=dnsd_answer_prepared "$bin" -c "$work/m.yaml" >"$work/cg.log" 2>&1) &
	pid=$!
	for _ in $(seq 1200); do grep -q "compiled in" "$work/cg.log" 2>/dev/null && break; sleep 0.1; done
	"$load" -s 127.0.0.1 -p "$port" -f "$work/$w.txt" -d "$secs" -c 0 -S 1 -n 32 -b 8 >/dev/null
	kill -TERM "$pid"
	wait "$pid" || true
	ir=$(sed -n 's/^summary: \([0-9]*\).*/\1/p' "$work/cg.out")
	queries=$(sed -n 's/.* of \([0-9]*\) queries .*/\1/p' "$work/cg.log" | tail -1)
	awk -v i="$ir" -v q="$queries" -v w="$w" -v b="$bin" 'BEGIN { printf "%-7s %-45s %8d queries %8.1f instructions/query\n", w, b, q, i / q }'
}
echo "# instructions per query inside dnsd_answer_prepared() (callgrind), one UDP worker"
for w in static geo; do
	ir "$base/meridian-dnsd" "$w"
	ir "$build/meridian-dnsd" "$w"
done
