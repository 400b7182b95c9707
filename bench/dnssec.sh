#!/usr/bin/env bash
# bench/dnssec.sh -- meridian-dnsd with DO on a zone signed at load against the same zone unsigned
#
# usage: bench/dnssec.sh [BUILDDIR]   (env: ROUNDS=3 SECONDS_PER_RUN=5 NAMES=1000 BIG=100000)
#
# 1. qps of static A answers and of geo A answers (ECS) on one meridian-dnsd serving
#    two copies of one zone: example.com. unsigned (queries without DO) and
#    example.net. signed at load (queries with DO), rounds interleaved.
# 2. load time and memory of a BIG-record zone signed at load by meridian-dnsd, against
#    Knot DNS's automatic signing of the same zone (ECDSA P-256, NSEC, both).
# Never run by make check or CI: it wants quiet cores.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
build=$(cd "${1:-$top/build}" && pwd)
rounds=${ROUNDS:-3}
secs=${SECONDS_PER_RUN:-5}
names=${NAMES:-1000}
big=${BIG:-100000}
# shellcheck source=bench/bench-lib.sh
. "$here/bench-lib.sh"
dnsd=$build/meridian-dnsd
load=$build/bench/dnsload
[ -x "$dnsd" ] && [ -x "$load" ] || { echo "build first: qa/build.sh build" >&2; exit 1; }
work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-bench-dnssec.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${pids[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/zones" "$work/keys" "$work/mmdb"
perl "$top/tests/data/make-test-mmdb.pl" "$work/mmdb" >/dev/null
zone() { # ORIGIN COUNT
	printf '$ORIGIN %s\n$TTL 3600\n@ IN SOA ns1 hostmaster 1 7200 900 1209600 300\n  IN NS ns1\nns1 IN A 192.0.2.53\n' "$1"
	awk -v n="$2" 'BEGIN { for (i = 0; i < n; i++) printf "host%d IN A 198.51.%d.%d\n", i, int(i / 250) % 250, i % 250 + 1 }'
}
zone example.com. "$names" >"$work/zones/example.com.zone"
zone example.net. "$names" >"$work/zones/example.net.zone"
(cd "$work/keys" && ldns-keygen -a ECDSAP256SHA256 example.net >zsk && ldns-keygen -k -a ECDSAP256SHA256 example.net >ksk)
port=$(port_free)
cat >"$work/meridian.yaml" <<CONF
region: bench
state: state.db
geoip: mmdb/test-city.mmdb
dns:
  listen: ["127.0.0.1:$port"]
  threads: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
    - origin: example.net.
      file: zones/example.net.zone
      dnssec: { keys: [keys/$(cat "$work/keys/zsk").private, keys/$(cat "$work/keys/ksk").private] }
datacenters:
  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10, 203.0.113.11] }
  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10] }
records:
  geo.example.com.: { datacenters: [us-east, eu-west], ttl: 30 }
  geo.example.net.: { datacenters: [us-east, eu-west], ttl: 30 }
CONF
(cd "$work" && exec "$dnsd" -c meridian.yaml >dnsd.log 2>&1) &
pids+=($!)
for _ in $(seq 600); do kdig @127.0.0.1 -p "$port" +retry=0 +timeout=1 +short host1.example.net A >/dev/null 2>&1 && break; sleep 0.1; done
kdig @127.0.0.1 -p "$port" +retry=0 +timeout=2 host1.example.net A >/dev/null 2>&1 || { cat "$work/dnsd.log"; exit 1; }
awk -v n="$names" 'BEGIN { srand(1); for (i = 0; i < 20000; i++) printf "host%d.example.com A\n", int(rand() * n) }' >"$work/static-com"
sed 's/example.com/example.net/' "$work/static-com" >"$work/static-net"
awk 'BEGIN { srand(2); for (i = 0; i < 20000; i++) printf "geo.example.com A %d.%d.%d.0/24\n", int(rand() * 223) + 1, int(rand() * 256), int(rand() * 256) }' >"$work/geo-com"
sed 's/example.com/example.net/' "$work/geo-com" >"$work/geo-net"

dpid=${pids[0]}
hz=$(getconf CLK_TCK)
# run QUERIES FLAGS: "qps ns-of-server-CPU-per-answer" for one run (the server's CPU use
# per answer is what a loaded machine disturbs least)
run() {
	local t0 t1 out
	t0=$(ticks "$dpid")
	out=$("$load" -s 127.0.0.1 -p "$port" -f "$1" -d "$secs" -n 256 -b 32 -S 4 "${@:2}")
	t1=$(ticks "$dpid")
	awk -v t="$((t1 - t0))" -v h="$hz" '{ for (i = 1; i < NF; i++) { if ($i == "qps") q = $(i + 1); if ($i == "answered") a = $(i + 1) } }
		END { printf "%d %.0f\n", q, (a > 0 ? t / h / a * 1e9 : 0) }' <<<"$out"
}
declare -A q=() c=()
for _ in $(seq "$rounds"); do
	for k in static-plain:static-com:-e static-signed:static-net:-D geo-plain:geo-com:-e geo-signed:geo-net:-D; do
		IFS=: read -r key file flag <<<"$k"
		read -r qps ns <<<"$(run "$work/$file" "$flag")"
		q[$key]+=" $qps"
		c[$key]+=" $ns"
	done
done
echo "# median of $rounds interleaved rounds of ${secs}s, one UDP worker, $names names"
echo "# ($(cut -d' ' -f1-3 /proc/loadavg) load): qps, and the server's CPU ns per answer"
for k in static geo; do
	awk -v k="$k" -v p="$(median "${q[$k-plain]}")" -v s="$(median "${q[$k-signed]}")" \
		-v cp="$(median "${c[$k-plain]}")" -v cs="$(median "${c[$k-signed]}")" \
		'BEGIN { printf "%-7s unsigned (EDNS) %7.0f qps %6.0f ns   signed (DO) %7.0f qps %6.0f ns   qps ratio %.3f  CPU ratio %.3f\n", k, p, cp, s, cs, s / p, cs / cp }'
done

# --- a BIG-record zone signed at load, against Knot DNS's automatic signing -----------
zone big.example. "$big" >"$work/zones/big.example.zone"
(cd "$work/keys" && ldns-keygen -a ECDSAP256SHA256 big.example >bzsk && ldns-keygen -k -a ECDSAP256SHA256 big.example >bksk)
port2=$(port_free)
cat >"$work/big.yaml" <<CONF
region: bench
state: state.db
dns:
  listen: ["127.0.0.1:$port2"]
  threads: 1
  zones:
    - origin: big.example.
      file: zones/big.example.zone
      dnssec: { keys: [keys/$(cat "$work/keys/bzsk").private, keys/$(cat "$work/keys/bksk").private] }
CONF
# signed_up PORT: the zone answers with an RRSIG
signed_up() { kdig @127.0.0.1 -p "$1" +retry=0 +timeout=1 +dnssec "host$((big - 1)).big.example" A 2>/dev/null | grep -q 'RRSIG'; }
rss_kb() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }
t0=$(date +%s.%N)
(cd "$work" && exec "$dnsd" -c big.yaml >big.log 2>&1) &
mpid=$!
pids+=($mpid)
until signed_up "$port2"; do kill -0 "$mpid" || { cat "$work/big.log"; exit 1; }; sleep 0.05; done
t1=$(date +%s.%N)
mrss=$(rss_kb "$mpid")
mcpu=$(ticks "$mpid")
kill "$mpid"

port3=$(port_free)
mkdir -p "$work/knot"
cp "$work/zones/big.example.zone" "$work/knot/"
cat >"$work/knot/knot.conf" <<CONF
server:
    rundir: "$work/knot"
    listen: 127.0.0.1@$port3
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$work/knot"
log:
  - target: stderr
    any: warning
policy:
  - id: ecdsa
    algorithm: ecdsap256sha256
zone:
  - domain: big.example.
    storage: "$work/knot"
    file: big.example.zone
    dnssec-signing: on
    dnssec-policy: ecdsa
    zonefile-sync: -1
    zonefile-load: whole
    journal-content: none
CONF
t2=$(date +%s.%N)
knotd -c "$work/knot/knot.conf" >"$work/knot.log" 2>&1 &
kpid=$!
pids+=($kpid)
until signed_up "$port3"; do kill -0 "$kpid" || { cat "$work/knot.log"; exit 1; }; sleep 0.05; done
t3=$(date +%s.%N)
krss=$(rss_kb "$kpid")
kcpu=$(ticks "$kpid")
hz=$(getconf CLK_TCK)
echo "# $big-record zone signed at load (ECDSA P-256, NSEC): wall time to the first signed"
echo "# answer, CPU time used by then, resident memory then ($(cut -d' ' -f1-3 /proc/loadavg) load)"
awk -v a="$t0" -v b="$t1" -v c="$mcpu" -v h="$hz" -v m="$mrss" 'BEGIN { printf "meridian-dnsd  %6.2f s wall  %6.2f s CPU  %7.1f MB\n", b - a, c / h, m / 1024 }'
awk -v a="$t2" -v b="$t3" -v c="$kcpu" -v h="$hz" -v m="$krss" 'BEGIN { printf "knotd          %6.2f s wall  %6.2f s CPU  %7.1f MB\n", b - a, c / h, m / 1024 }'
