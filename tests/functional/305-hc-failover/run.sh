#!/usr/bin/env bash
# 305-hc-failover: meridian-healthcheck and meridian-dnsd on one state.db. Stopping the
# nearest datacenter's origin moves kdig's answers to the next nearest; starting it again
# moves them back after `rise` successes; a single failure moves nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

h_geo_setup
h_origin east http
h_origin west tcp
EAST=$PORT_east
WEST=$PORT_west
# write_config [NS-CHECKS]: meridian-dnsd listens on a port it picks (port 0) and logs;
# the dns probes against it are added once that port is known.
write_config() {
	h_geo_config <<CONF
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$EAST/healthz", body_contains: ok,
             interval: 300ms, fast_interval: 150ms, timeout: 250ms, fall: 3, rise: 2 }
  west:
    check: { type: tcp, address: "127.0.0.1:$WEST", interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }
${1:-}
CONF
}
write_config
h_dnsd_start
write_config "  # dns probes against the meridian-dnsd of this very test
  ns:
    addresses: [192.0.2.53]
    checks:
      - { type: dns, address: \"127.0.0.1:$DNS\", qname: ns1.example.com., interval: 300ms, timeout: 250ms }
      - { type: dns, address: \"127.0.0.1:$DNS\", qname: nope.example.com., rcode: NXDOMAIN,
          interval: 300ms, timeout: 250ms }"
h_start
t_check "east up" h_wait east up
t_check "west up" h_wait west up

t_check "Ashburn client is sent to east" h_wait_answer 192.0.2.10
t_check "dns probes against meridian-dnsd: NOERROR and NXDOMAIN as expected" h_wait ns up
t_eq "dns probe reason" "check 0: rcode NOERROR" "$(h_obs ns detail)"

h_mode east 500once
# origin.py writes "ok" back once it has served its one 500: the failure really happened.
mode_is_ok() { [ "$(cat east.mode)" = ok ]; }
t_check "one failure: the origin served its HTTP 500" t_until 30 mode_is_ok
t_check "one failure: the healthcheck saw it" t_wait_log hc.log "failed \(HTTP 500\); 2 more to go down"
t_eq "one failure: answer unchanged" 192.0.2.10 "$(h_answer)"
t_eq "one failure: east still up" up "$(h_obs east)"

h_down east
t_check "east's origin stopped: answers move to west" h_wait_answer 198.51.100.20
t_eq "east down with the reason" "down connect refused" "$(h_obs east) $(h_obs east detail)"

h_up east
t_check "east's origin back: answers return to east" h_wait_answer 192.0.2.10
t_contains "after rise successes" "datacenter east: down -> up" "$(cat hc.log)"
t_contains "dnsd saw east come back" "datacenter east: up" "$(cat dnsd.log)"

h_stop
t_eq "healthcheck SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
