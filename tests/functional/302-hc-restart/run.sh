#!/usr/bin/env bash
# 302-hc-restart: TCP origins; a restarted healthcheck keeps this region's last known
# state until its probes decide (no unknown written over it); a datacenter new to the
# store starts unknown (served), never down.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

cd "$WORK" || exit 1
h_origin east tcp
h_origin west tcp
t_hold north # never listens: north's probes are refused
P1=$PORT_east
P2=$PORT_west
P3=$PORT_north
write_config() {
	cat >meridian.yaml <<CONF
region: test-east
state: state.db
datacenters:
  east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: tcp, address: "127.0.0.1:$P1", interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }
  west:
    location: [37.3, -121.9]
    addresses: [192.0.2.20]
    check: { type: tcp, address: "127.0.0.1:$P2", interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }
$1
CONF
}
write_config ""

h_start
t_check "east up" h_wait east up
t_check "west up" h_wait west up
h_down east
t_check "east down when its listener is gone" h_wait east down
t_eq "reason connect refused" "connect refused" "$(h_obs east detail)"
east_since=$(h_obs east since)
h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"

# Restart with east still dead and a new datacenter whose origin is dead too.
write_config "  north:
    location: [60.0, 10.0]
    addresses: [192.0.2.30]
    check: { type: tcp, address: \"127.0.0.1:$P3\", interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }"
mv hc.log hc-first.log
writes_before=$(h_history east | wc -l)
# (an unreadable change log counts 0 lines before and after: "nothing written" would pass)
t_check "east's writes are in the change log ($writes_before)" [ "$writes_before" -gt 0 ]
h_start
t_check "restart logged" \
	t_wait_log hc.log "datacenter east: keeping last known state down until probes decide"
t_eq "restart: east keeps its last known state" down "$(h_obs east)"
t_eq "restart: west keeps its last known state" up "$(h_obs west)"
# Nothing may overwrite east's kept state at start: no "unknown", no "up". What may be
# written, at any time on a loaded machine, is the kept state itself ("down"): the
# probes' confirmation, or a heartbeat (spread at random over the first third of
# stale_after).
after_start=$(h_history east | tail -n +$((writes_before + 1)) | sort -u | tr '\n' ' ')
case "$after_start" in
"" | "down ") t_eq "restart: nothing but the kept state written over east at start" "" "" ;;
*) t_eq "restart: nothing but the kept state written over east at start" "down " "$after_start" ;;
esac
t_check "new datacenter north is taken down only after fall failures" h_wait north down
t_eq "north started unknown (served), then down" "unknown down" "$(h_transitions north)"
t_check "probes confirm the kept state (written at once, not at the next heartbeat)" \
	t_wait_log hc.log "datacenter east: probes confirm down"
t_check "the confirmation refreshed east's observation" [ "$(h_history east | wc -l)" -gt "$writes_before" ]
t_eq "east stayed down, since unchanged" "down $east_since" "$(h_obs east) $(h_obs east since)"
t_eq "west stayed up throughout" "unknown up" "$(h_transitions west)"

h_up east
t_check "east comes back after rise successes" h_wait east up
t_contains "from the kept state" "datacenter east: down -> up" "$(cat hc.log)"
h_stop
t_eq "second SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
