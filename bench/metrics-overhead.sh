#!/usr/bin/env bash
# bench/metrics-overhead.sh -- meridian-dnsd with /metrics on (scraped every second) against off
#
# usage: bench/metrics-overhead.sh [BUILDDIR [BASELINE-BUILDDIR]]
#   env: ROUNDS=7 SECONDS_PER_RUN=3   interleaved rounds and their length
#
# The same meridian-dnsd binary runs twice side by side, one with `metrics: {dnsd: ...}`
# and a scraper fetching /metrics once a second for the whole run, one without; each is
# pinned to core 1 in turn while bench/dnsload (pinned to core 0) sends a static workload
# (A queries for 1000 names of a zone, 10% NXDOMAIN) and a geo workload (ECS /24 and /56
# clients drawn from the 50k-network synthetic City database of geo-vs-gdnsd.sh). The
# rounds interleave on/off so drift in the machine hits both alike; the script prints
# each round's qps and the server's CPU microseconds per answered query (utime + stime of
# the whole process, so the scrapes on the control thread count against "on"), the
# medians of each, and the ratios on/off. On a shared machine the qps of a round swings
# with the neighbours; the CPU per answer moves far less, so it is the figure to judge. The per-worker counters
# are always compiled in, so on/off measures the scrapes and the HTTP side; with
# BASELINE-BUILDDIR (a build of the commit before the metrics), that meridian-dnsd runs
# as a third server and its ratio says what the counters themselves cost.
#
# Never run by make check or CI: it wants two quiet cores. About 2 minutes.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=$(cd "${1:-$top/build}" && pwd)
base=${2:-}
rounds=${ROUNDS:-7}
secs=${SECONDS_PER_RUN:-3}
dnsd=$build/meridian-dnsd
load=$build/bench/dnsload
helper=$top/bench/geo-vs-gdnsd/geo-queries.py
for b in "$dnsd" "$load"; do [ -x "$b" ] || { echo "$b: not built" >&2; exit 1; }; done
[ -z "$base" ] || [ -x "$base/meridian-dnsd" ] || { echo "$base/meridian-dnsd: not built" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs two cores" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-metricsbench.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.3
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT

db=$build/bench/geo-synth-50000-10000.mmdb
if [ ! -s "$db" ]; then
	echo "generating $db"
	mkdir -p "$build/bench"
	perl "$top/bench/geo-synth.pl" "$db" 50000 10000 3000 1 2>/dev/null
fi

# The zone: 1000 hosts; the geo name www.geo.example.com. over seven datacenters.
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
taskset -c 0 python3 "$helper" sample "$db" 50000 1 www.geo.example.com. 0.2 24 56 >"$work/geo.txt" 2>/dev/null

# conf NAME METRICS-LINE (each server binds port 0 and logs the port it got)
conf() {
	cat >"$work/$1.yaml" <<CONF
region: bench
state: $1.db
geoip: $db
dns:
  listen: ["127.0.0.1:0"]
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
$2
CONF
}
declare -A PORT PID QPS CPU
servers=(on off)
conf on 'metrics: { dnsd: "127.0.0.1:0" }'
conf off ''
if [ -n "$base" ]; then
	servers+=(base)
	conf base ''
fi
for s in "${servers[@]}"; do
	bin=$dnsd
	[ "$s" = base ] && bin=$base/meridian-dnsd
	(cd "$work" && exec taskset -c 1 "$bin" -c "$work/$s.yaml" >"$work/$s.log" 2>&1) &
	PID[$s]=$!
	pids+=($!)
done
# until SECONDS COMMAND...: runs COMMAND until it succeeds, for at most SECONDS.
until_ok() {
	local end=$((SECONDS + $1)); shift
	until "$@"; do [ "$SECONDS" -lt "$end" ] || return 1; sleep 0.1; done
}
for s in "${servers[@]}"; do
	until_ok 60 grep -q "compiled in" "$work/$s.log" || { echo "$s did not start"; tail "$work/$s.log"; exit 1; }
	PORT[$s]=$(sed -n 's/.*listening on 127\.0\.0\.1:\([0-9]*\).*/\1/p' "$work/$s.log" | head -1)
	[ -n "${PORT[$s]}" ] || { echo "$s: no listening port in its log"; tail "$work/$s.log"; exit 1; }
	kdig @127.0.0.1 -p "${PORT[$s]}" +retry=0 +short h1.example.com A >/dev/null || { echo "$s does not answer"; tail "$work/$s.log"; exit 1; }
done
url=$(sed -n 's/.*metrics: serving \(http:[^ ]*\).*/\1/p' "$work/on.log")
# the scraper: once a second, as Prometheus would (at a 1 s interval, far more often than usual)
(while :; do curl -s -o /dev/null --max-time 2 "$url" || true; sleep 1; done) &
pids+=($!)

hz=$(getconf CLK_TCK)
echo "# metrics on (scraped every second) vs off${base:+ vs base (before the metrics)}; $rounds interleaved rounds of ${secs}s; servers on core 1 (one UDP worker), dnsload on core 0; load average $(cut -d' ' -f1-3 /proc/loadavg)"
for w in static geo; do
	printf '%-7s %-5s %5s %10s %12s\n' workload server round qps cpu_us/answer
	for r in $(seq 1 "$rounds"); do
		for s in "${servers[@]}"; do
			t0=$(ticks "${PID[$s]}")
			out=$(taskset -c 0 "$load" -s 127.0.0.1 -p "${PORT[$s]}" -f "$work/$w.txt" -d "$secs" -c 0 -S 4 -n 512 -b 32)
			t1=$(ticks "${PID[$s]}")
			qps=$(sed -n 's/.* qps \([0-9]*\) .*/\1/p' <<<"$out")
			answered=$(sed -n 's/.* answered \([0-9]*\) .*/\1/p' <<<"$out")
			cpu=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v a="$answered" 'BEGIN { printf "%.3f", a ? t * 1e6 / hz / a : 0 }')
			printf '%-7s %-5s %5d %10d %12s\n' "$w" "$s" "$r" "$qps" "$cpu"
			QPS[$w$s]="${QPS[$w$s]:-} $qps"
			CPU[$w$s]="${CPU[$w$s]:-} $cpu"
		done
	done
done
echo "# medians"
for w in static geo; do
	on=$(median "${QPS[${w}on]}")
	off=$(median "${QPS[${w}off]}")
	con=$(median "${CPU[${w}on]}")
	coff=$(median "${CPU[${w}off]}")
	line=$(awk -v a="$on" -v b="$off" -v w="$w" -v c="$con" -v d="$coff" 'BEGIN { printf "%-7s qps on %d off %d on/off %.3f; cpu_us/answer on %.3f off %.3f on/off %.3f", w, a, b, a / b, c, d, (d > 0 ? c / d : 0) }')
	if [ -n "$base" ]; then
		bq=$(median "${QPS[${w}base]}")
		line+=$(awk -v a="$off" -v b="$bq" 'BEGIN { printf "   base %d off/base %.3f", b, a / b }')
	fi
	echo "$line"
done
scrape_ms=$(curl -s -o /dev/null -w '%{time_total}' "$url" | awk '{ printf "%.1f", $1 * 1000 }')
echo "# one scrape: $(curl -s "$url" | wc -c) bytes in $scrape_ms ms"
