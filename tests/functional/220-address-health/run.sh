#!/usr/bin/env bash
# 220-address-health: addresses with their own checks (datacenters.NAME.address_checks).
# Three HTTP origins on loopback judge east's three addresses; kdig's answers lose an
# address whose origin stops and get it back when it starts again; when fewer than
# min_serving_percent of east's addresses serve, answers fail over to west; meridianctl
# explain and status say which address serves and why.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

h_geo_setup
h_origin a1 http
h_origin a2 http
h_origin a3 http
check() { echo "{ type: http, url: \"http://127.0.0.1:$1/healthz\", interval: 300ms, fast_interval: 150ms, timeout: 250ms, fall: 3, rise: 2 }"; }
h_geo_config <<CONF
datacenters:
  east:
    addresses: [192.0.2.11, 192.0.2.12, 192.0.2.13, "2001:db8::11"]
    address_checks:
      192.0.2.11: $(check "$PORT_a1")
      192.0.2.12: $(check "$PORT_a2")
      192.0.2.13: $(check "$PORT_a3")
    min_serving_percent: 60
records:
  www.example.com.: { ttl: 30 }
CONF
t_check "the config with address checks is valid" "$BIN/meridian-dnsd" -t -c meridian.yaml
h_dnsd_start
h_start

# addr_obs ADDRESS [COLUMN]: this region's observation of one of east's addresses.
addr_obs() {
	sqlite3 -cmd ".timeout 2000" "$WORK/state.db" \
		"SELECT ${2:-status} FROM status_addresses WHERE datacenter = 'east' AND address = '$1'" 2>/dev/null
}
addr_is() { [ "$(addr_obs "$1")" = "$2" ]; }
t_check "192.0.2.11 observed up" t_until 30 addr_is 192.0.2.11 up
t_check "192.0.2.12 observed up" t_until 30 addr_is 192.0.2.12 up
t_check "192.0.2.13 observed up" t_until 30 addr_is 192.0.2.13 up
t_eq "no datacenter-level observation of east (it has no check of its own)" "" "$(h_obs east)"

t_check "every address serves: all three answered" h_wait_answer "192.0.2.11 192.0.2.12 192.0.2.13"
t_eq "the unchecked IPv6 address is answered" "2001:db8::11" "$(h_answer AAAA)"

h_down a1
t_check "192.0.2.11's origin stopped: it is left out" h_wait_answer "192.0.2.12 192.0.2.13"
t_eq "its observation says why" "down connect refused" "$(addr_obs 192.0.2.11) $(addr_obs 192.0.2.11 detail)"
t_contains "meridian-dnsd logs the address left out" \
	"datacenter east: address 192.0.2.11 not serving (left out of answers)" "$(cat dnsd.log)"
t_eq "the address row replicates: it is in the change log" 1 \
	"$(sqlite3 -cmd ".timeout 2000" state.db "SELECT count(*) > 0 FROM changelog WHERE tbl = 'address_observations' AND key = 'test-east/east/192.0.2.11'")"
explain=$("$BIN/meridianctl" -c meridian.yaml explain www.example.com 67.43.156.1)
t_contains "explain names the address left out" "192.0.2.11" "$explain"
t_contains "explain says it is down and why" "connect refused" "$explain"
status_rc=0
status=$("$BIN/meridianctl" -c meridian.yaml status) || status_rc=$?
t_eq "an address down while east serves: status is a WARNING (exit 1)" 1 "$status_rc"
t_contains "... naming it" "WARNING: east 1 of 4 addresses down" "$status"
t_contains "the ADDRESSES line says which and why" \
	"ADDRESSES east: 3 of 4 addresses serve (at least 3 needed); 192.0.2.11 down (connect refused), 192.0.2.12 up" "$status"

h_down a2
t_check "2 of 4 addresses down: fewer than 60% serve, answers fail over to west" h_wait_answer "198.51.100.20"
status=$("$BIN/meridianctl" -c meridian.yaml status)
t_contains "status says why east does not serve" "2 of 4 addresses serve, fewer than" "$status"
t_eq "status --json has east's serving addresses" '["192.0.2.13","2001:db8::11"]' \
	"$("$BIN/meridianctl" -c meridian.yaml status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(json.dumps([dc for dc in d["datacenters"] if dc["name"]=="east"][0]["addresses_serving"], separators=(",",":")))')"

h_up a2
t_check "192.0.2.12 back: east serves again without 192.0.2.11" h_wait_answer "192.0.2.12 192.0.2.13"
h_up a1
t_check "192.0.2.11 back: all three answered" h_wait_answer "192.0.2.11 192.0.2.12 192.0.2.13"
t_contains "meridian-dnsd logs it back" "datacenter east: address 192.0.2.11 serving again" \
	"$(cat dnsd.log)"

h_stop
t_eq "healthcheck SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
