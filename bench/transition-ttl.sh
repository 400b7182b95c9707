#!/usr/bin/env bash
# bench/transition-ttl.sh -- TTL from time to change, measured through a real caching
# resolver: Unbound (subnetcache module: ECS is used) in front of meridian-dnsd, with
# meridian-healthcheck probing an HTTP origin, all on 127.0.0.1. Records have ttl 30,
# the check interval 1 s (fall 3, rise 2, fast_interval 500 ms by default). Runs the
# same outage twice, with transition_ttl 0 (off: the baseline) and with transition_ttl
# (default 5), and prints the worst case a client behind Unbound keeps the dead
# datacenter in each, and their ratio (bench/README.md).
#
# usage: bench/transition-ttl.sh [TRANSITION_TTL] (default 5); BUILDDIR=... selects the
# binaries (default ./build); FALL=N and FAST=DURATION change the check's fall (3) and
# fast_interval (500ms), i.e. the detection time. Not part of the test suite.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILDDIR:-$top/build}
short=${1:-5}
fall=${FALL:-3}
fast=${FAST:-500ms}
names=60
for p in meridian-healthcheck meridian-dnsd; do
	[ -x "$build/$p" ] || { echo "$build/$p missing (set BUILDDIR)"; exit 1; }
done
command -v unbound >/dev/null || { echo "unbound missing (apt-get install unbound)"; exit 1; }
pids=()
stop_all() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; pids=(); }
work=""
cleanup() { stop_all; [ -n "$work" ] && rm -rf "$work"; }
trap cleanup EXIT

# run TRANSITION_TTL: one outage; prints the driver's report.
run() {
	stop_all
	[ -n "$work" ] && rm -rf "$work"
	work=$(mktemp -d /tmp/meridian-transition.XXXXXX)
	cd "$work"
	perl "$top/tests/data/make-test-mmdb.pl" "$work" >/dev/null
	mkdir zones
	printf '$ORIGIN example.com.\n$TTL 3600\n@ IN SOA ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300\n  IN NS ns1.example.com.\nns1 IN A 192.0.2.53\n' \
		>zones/example.com.zone
	echo ok >east.mode
	# every daemon's stdout goes to a file: none may hold the caller's pipe open
	python3 "$top/tests/functional/lib/origin.py" http "$work/east.port" "$work/east.mode" \
		>origin.log 2>&1 & pids+=($!)
	for _ in $(seq 100); do [ -s east.port ] && break; sleep 0.05; done
	{
		cat <<CONF
region: bench
state: state.db
geoip: test-city.mmdb
health: { flap_damping: false }
dns:
  listen: ["127.0.0.1:0"]
  threads: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: http, url: "http://127.0.0.1:$(cat east.port)/healthz", interval: 1s,
             fast_interval: $fast, timeout: 500ms, fall: $fall, rise: 2 }
  west:
    location: [37.3, -121.9]
    addresses: [198.51.100.20]
records:
CONF
		for k in $(seq 0 $((names - 1))); do
			printf '  n%d.example.com.: { datacenters: [east, west], ttl: 30, transition_ttl: %d }\n' "$k" "$1"
		done
	} >meridian.yaml
	"$build/meridian-dnsd" -c meridian.yaml >dnsd.log 2>&1 & pids+=($!)
	"$build/meridian-healthcheck" -c meridian.yaml >hc.log 2>&1 & pids+=($!)
	local dns="" ub=""
	for _ in $(seq 200); do
		dns=$(sed -n 's/.*listening on 127.0.0.1:\([0-9]*\).*/\1/p' dnsd.log | head -1)
		[ -n "$dns" ] && break
		sleep 0.05
	done
	cat >unbound.conf <<CONF
server:
  interface: 127.0.0.1@0
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$work"
  pidfile: "$work/unbound.pid"
  use-syslog: no
  logfile: ""
  verbosity: 1
  num-threads: 1
  so-reuseport: no
  module-config: "subnetcache iterator"
  send-client-subnet: 127.0.0.1
  max-client-subnet-ipv4: 24
  qname-minimisation: no
remote-control:
  control-enable: no
stub-zone:
  name: "example.com."
  stub-addr: 127.0.0.1@$dns
CONF
	unbound -d -c unbound.conf >unbound.log 2>&1 & pids+=($!)
	local upid=$!
	# Unbound binds a port the kernel picks (port 0): read it back from the socket table.
	for _ in $(seq 200); do
		ub=$(ss -Hlnup 2>/dev/null | awk -v p="pid=$upid," 'index($0, p) { n = split($4, a, ":"); print a[n]; exit }')
		[ -n "$ub" ] && break
		sleep 0.05
	done
	[ -n "$ub" ] || { echo "unbound did not start"; cat unbound.log; exit 1; }
	# east up at the healthcheck, then a steady moment
	for _ in $(seq 300); do
		[ "$(sqlite3 -cmd '.timeout 2000' state.db "SELECT status FROM observations WHERE datacenter = 'east'" 2>/dev/null)" = up ] && break
		sleep 0.1
	done
	sleep 3
	python3 "$top/bench/transition_ttl_driver.py" "$work" "$dns" "$ub" "$names"
	cd "$top"
	stop_all
}

echo "transition-ttl bench: ttl 30, interval 1s, fast_interval $fast, fall $fall, rise 2; $names clients, one every 100 ms from 1 s before the outage; load $(cut -d' ' -f1-3 /proc/loadavg)"
# run in this shell (not a pipeline's subshell), so its daemons are stopped from here
report=$(mktemp /tmp/meridian-transition-report.XXXXXX)
echo "== transition_ttl 0 (off: the baseline)"
run 0 >"$report"
cat "$report"
off=$(sed -n 's/^WORST //p' "$report")
echo "== transition_ttl $short"
run "$short" >"$report"
cat "$report"
on=$(sed -n 's/^WORST //p' "$report")
rm -f "$report"
python3 -c "import sys; off, on = float(sys.argv[1]), float(sys.argv[2]); print('worst case a client behind Unbound keeps the dead datacenter: %.1f s without, %.1f s with transition_ttl %s (ratio %.2f)' % (off, on, sys.argv[3], on / off))" "$off" "$on" "$short"
