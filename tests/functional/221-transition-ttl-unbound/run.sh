#!/usr/bin/env bash
# 221-transition-ttl-unbound: TTL from time to change through a real caching resolver.
# Unbound (subnetcache module, so the client's ECS subnet is used) in front of
# meridian-dnsd, meridian-healthcheck probing east's HTTP origin, all on loopback. While
# east's probes fail but it is not yet down (fall not reached), meridian-dnsd answers
# with transition_ttl instead of ttl 30, a client behind Unbound that asks then gets that
# short TTL, and it moves to west well before ttl would have let it; explain says why.
# Deadlines are generous: the bound is asserted, not a timing (bench/transition-ttl.sh
# measures).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

command -v unbound >/dev/null || t_skip "unbound not installed"
command -v ss >/dev/null || t_skip "ss not installed (iproute2)"
h_geo_setup
h_origin east http
# fall 8 at a 600 ms fast_interval: east is in transition for about 4 s before it is
# down, room for the test to see it on a loaded machine.
h_geo_config <<CONF
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$PORT_east/healthz", interval: 1s,
             fast_interval: 600ms, timeout: 500ms, fall: 8, rise: 2 }
records:
  www.example.com.: null
  early.example.com.: { datacenters: [east, west], ttl: 30, transition_ttl: 2 }
  late.example.com.: { datacenters: [east, west], ttl: 30, transition_ttl: 2 }
CONF
h_dnsd_start
h_start
t_check "east up" h_wait east up

# Unbound binds a port the kernel picks (port 0); the socket table tells which.
mkdir -p unbound
cat >unbound/unbound.conf <<CONF
server:
  interface: 127.0.0.1@0
  do-not-query-localhost: no
  username: ""
  chroot: ""
  directory: "$WORK/unbound"
  pidfile: "$WORK/unbound/unbound.pid"
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
  stub-addr: 127.0.0.1@$DNS
CONF
t_check "unbound accepts the config" unbound-checkconf unbound/unbound.conf
t_start unbound unbound -d -c "$WORK/unbound/unbound.conf"
unbound_port() { ss -Hlnup 2>/dev/null | awk -v p="pid=$PID_unbound," 'index($0, p) { n = split($4, a, ":"); print a[n]; exit }'; }
has_port() { [ -n "$(unbound_port)" ]; }
t_until 30 has_port || t_abort "unbound binds a UDP port"
UB=$(unbound_port)

# ask SERVER NAME: "ADDRESS TTL" for an Ashburn client (ECS 67.43.156.0/24: east is nearest).
ask() { kdig @127.0.0.1 -p "$1" +retry=0 +timeout=2 +noall +answer +subnet=67.43.156.0/24 "$2" A | awk '$4 == "A" { print $5, $2; exit }'; }
t_wait_dns "$UB" || t_abort "unbound answers"
read -r addr ttl <<<"$(ask "$UB" early.example.com)"
t_eq "before: a client behind unbound is sent to east" 192.0.2.10 "$addr"
t_check "before: with the full ttl (30, $ttl left)" [ "${ttl:-0}" -gt 20 ]
manila=$(kdig @127.0.0.1 -p "$UB" +retry=0 +timeout=2 +short +subnet=202.196.224.0/24 early.example.com A)
t_eq "a Manila client behind the same unbound is sent to west: its ECS subnet reaches meridian-dnsd" \
	198.51.100.20 "$manila"

h_down east
# in transition: east still answers, with transition_ttl
short_at_dnsd() { [ "$(ask "$DNS" late.example.com)" = "192.0.2.10 2" ]; }
t_check "east failing, not yet down: meridian-dnsd answers east with ttl 2" t_until 30 short_at_dnsd
read -r addr ttl <<<"$(ask "$UB" late.example.com)"
t_eq "a client behind unbound asking now gets east" 192.0.2.10 "$addr"
t_check "... with the short ttl (at most 2, got $ttl)" [ "${ttl:-99}" -le 2 ]
explain=$("$BIN/meridianctl" -c meridian.yaml explain late.example.com 67.43.156.1)
t_contains "explain says why the ttl is short" "TTL          2 s, not 30: the answer could change soon" "$explain"
t_contains "explain names the transition" "probes failing" "$explain"
t_contains "status shows the transition" "TRANSITION east:" "$("$BIN/meridianctl" -c meridian.yaml status)"

# that client moves to west within detection + the short ttl, far inside ttl 30
# (20 s: generous for a loaded machine, and still short of the 30 s a full ttl keeps)
SECONDS=0
late_is_west() { [ "$(ask "$UB" late.example.com | cut -d' ' -f1)" = 198.51.100.20 ]; }
t_check "the client behind unbound moves to west" t_until 20 late_is_west
echo "# moved after ${SECONDS}s"
t_eq "east is down now" down "$(h_obs east)"
read -r addr ttl <<<"$(ask "$DNS" late.example.com)"
t_eq "settled: west with the full ttl" "198.51.100.20 30" "$addr $ttl"

h_stop
t_eq "healthcheck SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
