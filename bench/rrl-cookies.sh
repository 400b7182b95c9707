#!/usr/bin/env bash
# bench/rrl-cookies.sh -- response rate limiting against a spoofed flood, and what RRL and
# cookies cost on the static and geo answer paths
#
# usage: bench/rrl-cookies.sh [BUILDDIR]
#   env: FLOOD_QPS=200000 SECONDS_PER_RUN=5 RATE=100   the flood and the configured rate
#        LEGIT_QPS=50                                  the other network's client
#        ROUNDS=5                                      interleaved rounds of part 2
#
# 1. Flood: bench/dnsload in open loop (-r FLOOD_QPS) from 64 sources of 127.0.1.0/24
#    (-B: one /24, as a spoofed flood that RRL buckets together) asks a 1 kB TXT answer
#    with EDNS; meanwhile a client from 127.0.2.1 asks www A at LEGIT_QPS (default 50,
#    open loop: a caching resolver's pace, under the rate; a closed-loop client asking
#    one name thousands of times a second is a flood too, and RRL limits it). Run with RRL
#    off, then with dns.rrl {rate: RATE, slip: 2}. Printed per run: attack queries sent
#    (qps), responses back, their bytes, the amplification factor (response bytes /
#    query bytes), truncated (slipped) responses, and the other network's answered share.
# 2. Cost: static (www A) and geo (ECS) qps, closed loop, with dns.rrl {rate: 1000000}
#    (every response through the bucket, none limited) and cookies on, against both
#    off; ROUNDS interleaved rounds, medians, and the ratio.
# Server pinned to core 1, generators to core 0; loopback only; never run by make check.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=${1:-$top/build}
flood_qps=${FLOOD_QPS:-200000}
secs=${SECONDS_PER_RUN:-5}
rate=${RATE:-100}
rounds=${ROUNDS:-5}
dnsd=$build/meridian-dnsd
load=$build/bench/dnsload
[ -x "$dnsd" ] && [ -x "$load" ] || { echo "build meridian-dnsd and bench/dnsload first ($build)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-rrl-bench.XXXXXX")
pid=
cleanup() { [ -n "$pid" ] && kill "$pid" 2>/dev/null; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
mkdir -p "$work/zones"
{
	printf '$ORIGIN example.com.\n$TTL 3600\n'
	printf '@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\nwww IN A 192.0.2.80\n'
	for i in 1 2 3 4; do
		printf 'amp IN TXT "%03d %s"\n' "$i" "$(head -c 240 /dev/zero | tr '\0' x)"
	done
} >"$work/zones/example.com.zone"
echo "amp.example.com TXT" >"$work/amp.q"
echo "www.example.com A" >"$work/www.q"
small_db=$work/geo.mmdb
perl "$top/bench/geo-synth.pl" "$small_db" 50000 10000 3000 1 2>/dev/null
python3 "$top/bench/geo-vs-gdnsd/geo-queries.py" sample "$small_db" 50000 1 www.geo.example. \
	>"$work/geo.q" 2>/dev/null

port=$(port_free)
# conf EXTRA-DNS-LINES: the config, with a geo name over the synthetic database
conf() {
	cat >"$work/meridian.yaml" <<CONF
region: bench
state: state.db
geoip: $small_db
dns:
  listen: ["127.0.0.1:$port"]
  threads: 1
  zones:
    - { origin: example.com., file: zones/example.com.zone }
    - { origin: geo.example., file: zones/geo.example.zone }
$1
datacenters:
  ams: { location: [52.37, 4.90], addresses: [192.0.2.10] }
  iad: { location: [38.95, -77.45], addresses: [192.0.2.11] }
  sin: { location: [1.35, 103.99], addresses: [192.0.2.12] }
records:
  www.geo.example.: { datacenters: [ams, iad, sin], ttl: 30 }
CONF
	printf '$ORIGIN geo.example.\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n' \
		>"$work/zones/geo.example.zone"
}
start() {
	(cd "$work" && exec taskset -c 1 "$dnsd" -c meridian.yaml) >"$work/dnsd.log" 2>&1 &
	pid=$!
	for _ in $(seq 100); do
		kdig @127.0.0.1 -p "$port" +retry=0 +timeout=1 www.example.com A >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "meridian-dnsd did not start" >&2; cat "$work/dnsd.log" >&2; exit 1
}
stop() { kill -TERM "$pid"; wait "$pid" 2>/dev/null || true; pid=; }
field() { awk -v k="$1" '{for (i = 1; i < NF; i++) if ($i == k) print $(i + 1)}' <<<"$2"; }

echo "# $(date -u +%FT%TZ) $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "## 1. flood from 127.0.1.0/24 at $flood_qps qps for $secs s (1 kB TXT answers), rate $rate"
printf '%-8s %10s %10s %11s %13s %8s %10s %14s\n' rrl attack_qps responses resp_qps resp_bytes amplif truncated other_net_ok
for mode in off on; do
	if [ "$mode" = on ]; then conf "  rrl: { rate: $rate, slip: 2 }"; else conf ""; fi
	start
	taskset -c 0 "$load" -s 127.0.0.1 -p "$port" -f "$work/www.q" -B 127.0.2.0 -S 1 -r "${LEGIT_QPS:-50}" -b 1 -d "$secs" \
		>"$work/legit.out" &
	legit=$!
	out=$(taskset -c 0 "$load" -s 127.0.0.1 -p "$port" -f "$work/amp.q" -e -B 127.0.1.0 -S 64 \
		-r "$flood_qps" -b 32 -d "$secs")
	wait "$legit"
	l=$(cat "$work/legit.out")
	stop
	sent=$(field sent "$out"); ans=$(field answered "$out"); w=$(field seconds "$out")
	qb=$(field query_bytes "$out"); rb=$(field response_bytes "$out")
	printf '%-8s %10.0f %10s %11.0f %13s %8.2f %10s %13s%%\n' "$mode" "$(echo "$sent / $w" | bc -l)" "$ans" \
		"$(echo "$ans / $w" | bc -l)" "$rb" "$(echo "$rb / $qb" | bc -l)" "$(field truncated "$out")" \
		"$(echo "100 * $(field answered "$l") / $(field sent "$l")" | bc -l | cut -c1-6)"
	grep -h "rrl:" "$work/dnsd.log" | sed 's/^.*info: /#   dnsd: /'
done

echo "## 2. cost: closed loop, $rounds interleaved rounds of $secs s; RRL (rate 1000000) + cookies on vs off"
declare -A QPS=()
for r in $(seq "$rounds"); do
	for mode in off on; do
		if [ "$mode" = on ]; then
			conf "  rrl: { rate: 1000000, slip: 2 }
  cookies: { enabled: true }"
		else
			conf "  cookies: { enabled: false }"
		fi
		start
		for kind in static geo; do
			q=$work/www.q; [ "$kind" = geo ] && q=$work/geo.q
			out=$(taskset -c 0 "$load" -s 127.0.0.1 -p "$port" -f "$q" -d "$secs" -n 256)
			QPS[$kind-$mode]="${QPS[$kind-$mode]:-} $(field qps "$out")"
		done
		stop
	done
done
printf '%-8s %12s %12s %8s   %s\n' path qps_off qps_on on/off rounds_off/rounds_on
for kind in static geo; do
	off=$(median "${QPS[$kind-off]}"); on=$(median "${QPS[$kind-on]}")
	printf '%-8s %12.0f %12.0f %8.3f   %s /%s\n' "$kind" "$off" "$on" "$(echo "$on / $off" | bc -l)" \
		"${QPS[$kind-off]}" "${QPS[$kind-on]}"
done
