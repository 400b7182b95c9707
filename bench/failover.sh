#!/usr/bin/env bash
# bench/failover.sh -- failover and recovery time through meridian-healthcheck and
# meridian-dnsd: interval 1 s, fall 3, rise 2, an HTTP origin killed and restarted.
#
# usage: bench/failover.sh [CYCLES] (default 10); BUILDDIR=... selects the binaries
# (default ./build). Prints per-cycle figures, then median and max of
#   origin death -> first changed DNS answer, and observation commit -> that answer,
#   origin back -> answer restored, and observation commit -> that answer.
# Everything runs on 127.0.0.1. Not part of the test suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$top/build}
cycles=${1:-10}
for p in meridian-healthcheck meridian-dnsd; do
	[ -x "$build/$p" ] || { echo "$build/$p missing (set BUILDDIR)"; exit 1; }
done
work=$(mktemp -d /tmp/meridian-failover.XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
dns=$(port); east=$(port); west=$(port)

cd "$work"
perl "$top/tests/data/make-test-mmdb.pl" "$work"
mkdir zones
printf '$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\n  IN NS ns1.example.com.\nns1 IN A 192.0.2.53\n' \
	>zones/example.com.zone
cat >meridian.yaml <<CONF
region: bench
state: state.db
geoip: test-city.mmdb
# A kill and a restart every few seconds is flapping by definition: damping would hold
# the recoveries (bench/flap.sh measures that); this bench times the mechanics.
health: { flap_damping: false }
dns:
  listen: ["127.0.0.1:$dns"]
  threads: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: http, url: "http://127.0.0.1:$east/healthz", body_contains: ok,
             interval: 1s, timeout: 500ms, fall: 3, rise: 2 }
  west:
    location: [37.3, -121.9]
    addresses: [198.51.100.20]
    check: { type: tcp, address: "127.0.0.1:$west", interval: 1s, timeout: 500ms, fall: 3, rise: 2 }
records:
  www.example.com.:
    datacenters: [east, west]
    ttl: 5
CONF
echo ok >east.mode
echo ok >west.mode # origin.py reads a mode file for every kind
python3 "$top/tests/functional/lib/origin.py" tcp "$west" "$work/west.mode" & pids+=($!)
"$build/meridian-healthcheck" -c meridian.yaml 2>hc.log & pids+=($!)
"$build/meridian-dnsd" -c meridian.yaml 2>dnsd.log & pids+=($!)
echo "failover bench: interval 1s, fast_interval 500ms (default), timeout 500ms, fall 3, rise 2, $cycles cycles"
python3 "$top/bench/failover_driver.py" "$work" "$dns" "$east" "$cycles"
