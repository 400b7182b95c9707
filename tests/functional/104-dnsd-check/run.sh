#!/usr/bin/env bash
# 104-dnsd-check: meridian-dnsd -t checks config, zones and the geo database, prints every
# problem (exact messages) and exits 1, or exits 0; bad command lines are refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

D=$BIN/meridian-dnsd
d_zone
d_config
cd "$WORK" || exit 1

out=$("$D" -t -c meridian.yaml 2>&1)
t_eq "-t on a good config exits 0" 0 $?
t_eq "-t on a good config says so" \
	"meridian-dnsd: meridian.yaml: configuration OK (1 zones, 0 geo records, 0 datacenters)" "$out"

cat >bad.yaml <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:99999"]
  udp_payload: 100
  bogus: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
CONF
out=$("$D" -t -c bad.yaml 2>&1)
t_eq "-t on a bad config exits 1" 1 $?
t_eq "-t prints every config error with file:line:col" \
	'meridian-dnsd: bad.yaml:4:12: dns.listen: invalid address "127.0.0.1:99999" (expected IP, IP:PORT or [IPv6]:PORT)
meridian-dnsd: bad.yaml:5:16: dns.udp_payload: udp_payload 100 is out of range 512..4096
meridian-dnsd: bad.yaml:6:3: dns: unknown key "bogus" (expected one of: listen, nsid, identity, version, udp_payload, threads, tcp_idle_timeout, tcp_max_connections, zones, rrl, cookies)
meridian-dnsd: bad.yaml: configuration check failed' "$out"

# A zone with data outside it: the config parses but the zone does not load.
cp zones/example.com.zone zones/bad.zone
echo 'out.example.org. IN A 192.0.2.2' >>zones/bad.zone
sed 's#zones/example.com.zone#zones/bad.zone#' meridian.yaml >badzone.yaml
out=$("$D" -t -c badzone.yaml 2>&1)
t_eq "-t on a bad zone exits 1" 1 $?
line=$(wc -l <zones/bad.zone)
t_eq "-t names the zone file and line" \
	"meridian-dnsd: $WORK/zones/bad.zone:$line: out.example.org. is outside the zone example.com.
meridian-dnsd: badzone.yaml: configuration check failed" "$out"

# Geo records need a database that opens.
cat >geo.yaml <<CONF
region: test-east
state: state.db
geoip: missing.mmdb
dns:
  listen: ["127.0.0.1:0"]
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  dc1: { location: [38.9, -77.4], addresses: [203.0.113.10] }
records:
  geo.example.com.: { datacenters: [dc1] }
CONF
out=$("$D" -t -c geo.yaml 2>&1)
t_eq "-t on a missing geo database exits 1" 1 $?
t_contains "-t names the missing geo database" "meridian-dnsd: geoip: $WORK/missing.mmdb: " "$out"
echo "not an mmdb" >broken.mmdb
sed -i 's/missing.mmdb/broken.mmdb/' geo.yaml
out=$("$D" -t -c geo.yaml 2>&1)
t_eq "-t on a broken geo database exits 1" 1 $?
t_contains "-t names the broken geo database" "meridian-dnsd: geoip: $WORK/broken.mmdb: " "$out"

out=$("$D" -t -c nonexistent.yaml 2>&1)
t_eq "-t on a missing file exits 1" 1 $?
t_eq "-t on a missing file says why" "meridian-dnsd: nonexistent.yaml: cannot open: No such file or directory
meridian-dnsd: nonexistent.yaml: configuration check failed" "$out"

out=$("$D" -c meridian.yaml --listen 127.0.0.1:notaport 2>&1)
t_eq "bad --listen is a usage error: exit 2" 2 $?
t_eq "bad --listen says why" \
	"meridian-dnsd: --listen: 127.0.0.1:notaport: not an address (ADDR:PORT, [ADDR6]:PORT)" "$out"
out=$("$D" --bogus 2>&1)
t_eq "unknown option exits 2" 2 $?
t_contains "unknown option prints usage" "usage: meridian-dnsd" "$out"

# A port already taken by something that is not us (no SO_REUSEPORT): start-up fails.
# The holder binds the port itself and keeps it: nothing can take it in between.
t_hold busy
sed "s/127.0.0.1:0/127.0.0.1:$PORT_busy/" meridian.yaml >busy.yaml
out=$(timeout 120 "$D" -c busy.yaml 2>&1)
t_eq "busy port: exits 1" 1 $?
t_contains "busy port: says which address" "cannot listen: 127.0.0.1:$PORT_busy: bind: Address already in use" "$out"
t_done
