#!/usr/bin/env bash
# 480-deploy-drift: three regions (replicator, healthcheck, dnsd each) record what they run; one region
# deploys something else and the other two see it, name it, warn after the grace, and
# forget it when the region goes back. Three times: a config change (a record loses a
# datacenter), a zone serial, and a GeoIP database rebuilt with other data.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" >/dev/null || t_skip "make-test-mmdb.pl failed"
CTL=$BIN/meridianctl
# Long enough that a check right after the drift shows is inside it on a loaded machine,
# short enough to wait out three times.
GRACE=10

zone() { # REGION SERIAL
	mkdir -p "$WORK/zones/$1"
	cat >"$WORK/zones/$1/example.com.zone" <<ZONE
\$ORIGIN example.com.
\$TTL 3600
@	IN SOA	ns1.example.com. hostmaster.example.com. $2 7200 900 1209600 300
	IN NS	ns1.example.com.
ns1	IN A	192.0.2.53
ZONE
}
WWW_a="[east, west]" WWW_b="[east, west]" WWW_c="[east, west]"
repl_body() {
	local dcs="WWW_$1"
	cat <<YAML
geoip: geo-$1.mmdb
dns:
  listen: ["127.0.0.1:0"]
  zones:
    - { origin: example.com., file: zones/$1/example.com.zone }
datacenters:
  east: { location: [38.9, -77.4], addresses: [192.0.2.10] }
  west: { location: [37.3, -121.9], addresses: [198.51.100.20] }
records:
  www.example.com.: { datacenters: ${!dcs}, ttl: 5 }
metrics: { replicator: "127.0.0.1:0" }
YAML
}
regions() { # writes the three configs
	repl_region a b c -- "  drift_grace: ${GRACE}s"
	repl_region b a c -- "  drift_grace: ${GRACE}s"
	repl_region c a b -- "  drift_grace: ${GRACE}s"
}
for r in a b c; do
	zone "$r" 1
	cp "$WORK/test-city.mmdb" "$WORK/geo-$r.mmdb"
done
regions
for r in a b c; do
	repl_start "$r" || t_abort "replicator $r starts"
	t_start "hc-$r" "$BIN/meridian-healthcheck" -c "$WORK/$r.yaml"
	t_start "dnsd-$r" "$BIN/meridian-dnsd" -c "$WORK/$r.yaml"
	port=$(t_listen_port "$WORK/dnsd-$r.log") || t_abort "meridian-dnsd of region $r logs its port"
	t_wait_dns "$port" || t_abort "meridian-dnsd of region $r answers"
done

# metrics_b: b's replicator's /metrics page (its address, port 0, is in its log).
metrics_url_b() { sed -n 's/.*metrics: serving \(http:[^ ]*\).*/\1/p' "$WORK"/repl-b.*.log | tail -1; }
t_until 30 test -n "$(metrics_url_b)" || t_abort "b's replicator logs its metrics address"
METRICS_B=$(metrics_url_b)
metrics_b() { curl -s --max-time 5 "$METRICS_B"; }
DRIFT="SELECT group_concat(region || ':' || component || ':' || config || zones || geoip || version, ' ') FROM status_drift"
ROWS="SELECT count(*) FROM deployments"
for r in a b c; do
	t_check "$r holds the 9 deployment rows (3 regions x dnsd, healthcheck, replicator)" \
		repl_wait_sql 20 "$r" "$ROWS" 9
	t_check "$r sees no drift at first" repl_wait_sql 10 "$r" "$DRIFT" ""
done
out=$("$CTL" -c "$WORK/b.yaml" status); rc=$?
t_eq "status exits 0 without drift" 0 "$rc"
t_contains "status says there is no drift" "3 regions, no drift" "$out"
t_contains "b's /metrics: no region drifts" "meridian_deployment_drift_regions 0" "$(metrics_b)"
t_eq "the nine rows carry one config digest" 1 \
	"$(repl_sql b "SELECT count(DISTINCT config_digest) FROM deployments")"
t_eq "the zone and its serial are recorded" "example.com.:1" \
	"$(repl_sql b "SELECT json_extract(zones, '\$[0].origin') || ':' || json_extract(zones, '\$[0].serial') FROM deployments WHERE region = 'a' AND component = 'dnsd'")"
t_eq "the GeoIP database's type is recorded" "Meridian-Test-City" \
	"$(repl_sql b "SELECT geoip_type FROM status_deployments WHERE region = 'c' AND component = 'dnsd'")"
t_check "no key material in the replicated config" \
	bash -c "! sqlite3 '$WORK/b.db' 'SELECT config FROM deployments' | grep -q 'repl.key\|key_file\|$(cat "$WORK/repl.key")'"

# sighup_a: region a deploys; WANT is what b's and c's drift view must show for a.
sighup_a() { kill -HUP "$PID_dnsd_a" "$PID_hc_a" "$(repl_pid a)"; }
# wait_drift WANT: b and c both show WANT; prints how long it took after the deploy.
wait_drift() {
	local want=$1 start=$2 r
	for r in b c; do
		t_check "$r's status_drift view shows [$want]" repl_wait_sql 10 "$r" "$DRIFT" "$want"
	done
	echo "# drift [$want] visible in b and c $(( ($(date +%s%N) - start) / 1000000 )) ms after the deploy"
}
# warned R WHAT: region R's replicator logged the drift past the grace.
warned() { grep -q "drift: region a dnsd runs another $2 than region $1 since .*longer than replication.drift_grace" "$WORK"/repl-"$1".*.log; }
wait_warned() { t_until $((GRACE + 30)) warned "$1" "$2"; }
# scenario NAME WHAT DRIFT-ROW DIFF-NEEDLE: after a deploys, the checks every kind shares.
scenario() {
	local name=$1 what=$2 row=$3 needle=$4 out rc js
	out=$("$CTL" -c "$WORK/b.yaml" status); rc=$?
	t_eq "$name: status exits 0 while the drift is within the grace" 0 "$rc"
	t_check "$name: status names region a and what differs" \
		bash -c "echo \"\$1\" | grep -Eq '^a +dnsd +$what +[0-9T:-]+Z'" - "$out"
	js=$("$CTL" -c "$WORK/c.yaml" status --json)
	t_eq "$name: status --json of c lists a's dnsd as drifting since some time" "a dnsd True True" \
		"$(echo "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin)["drift"]; r=[x for x in d["regions"] if x["component"]=="dnsd"][0]; print(r["region"], r["component"], r["'"$what"'"], r["since_ms"] > 0)')"
	out=$("$CTL" -c "$WORK/c.yaml" peers)
	t_contains "$name: peers of c shows a's drift" "$what for" "$out"
	out=$(metrics_b)
	t_contains "$name: b's /metrics: one region drifts" "meridian_deployment_drift_regions 1" "$out"
	t_contains "$name: b's /metrics: a's drift in $what, with its age" \
		"meridian_deployment_drift_seconds{region=\"a\",part=\"$what\"}" "$out"
	js=$("$CTL" -c "$WORK/b.yaml" peers --json)
	t_eq "$name: peers --json of b marks a's dnsd" "True" \
		"$(echo "$js" | python3 -c 'import json,sys; d=json.load(sys.stdin); print([x["drift"] for x in d["deployments"] if x["region"]=="a" and x["component"]=="dnsd"][0])')"
	out=$("$CTL" -c "$WORK/b.yaml" diff a); rc=$?
	t_eq "$name: diff a exits 1 (they differ)" 1 "$rc"
	t_contains "$name: diff names what changed" "$needle" "$out"
	t_check "$name: b's replicator logs the drift once it outlasts the grace" wait_warned b "$what"
	out=$("$CTL" -c "$WORK/b.yaml" status); rc=$?
	t_eq "$name: status exits 1 after the grace" 1 "$rc"
	t_contains "$name: status says WARNING" "WARNING: region a dnsd has run another $what than b" "$out"
	t_eq "$name: status --json: check WARNING, drift over the grace" "WARNING True" \
		"$("$CTL" -c "$WORK/b.yaml" status --json | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["check"], d["drift"]["warning"])')"
	t_contains "$name: b's /metrics: over the grace" "meridian_deployment_drift_over_grace 1" "$(metrics_b)"
}
# cleared N: b's replicator has logged a's dnsd back in line N times.
cleared() { [ "$(cat "$WORK"/repl-b.*.log | grep -c 'drift: region a dnsd runs what region b runs again')" -ge "$1" ]; }
wait_cleared() { t_until 30 cleared "$1"; }
# revert NAME N: a went back; every region clears (the Nth time).
revert_checks() {
	local name=$1 r out rc
	for r in a b c; do
		t_check "$name reverted: $r sees no drift" repl_wait_sql 10 "$r" "$DRIFT" ""
	done
	t_check "$name reverted: b's replicator logs that a runs the same again" wait_cleared "$2"
	out=$("$CTL" -c "$WORK/c.yaml" status); rc=$?
	t_eq "$name reverted: status exits 0 again" 0 "$rc"
	t_contains "$name reverted: b's /metrics: no region drifts" "meridian_deployment_drift_regions 0" "$(metrics_b)"
	out=$("$CTL" -c "$WORK/b.yaml" diff a); rc=$?
	t_eq "$name reverted: diff a exits 0" 0 "$rc"
}

# 1. a config change: the record loses a datacenter in region a only.
WWW_a="[east]"
regions
start=$(date +%s%N)
sighup_a
wait_drift "a:dnsd:1000 a:healthcheck:1000 a:replicator:1000" "$start"
t_contains "a sees b and c drift from it" "b:dnsd:1000" "$(repl_sql a "$DRIFT")"
scenario config config "a:dnsd:1000" 'records."www.example.com.".datacenters: ["east","west"] in b, ["east"] in a'
out=$("$CTL" -c "$WORK/b.yaml" diff a --json)
t_eq "config: diff --json gives the key and both values" 'records."www.example.com.".datacenters ["east", "west"] ["east"]' \
	"$(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); k=[x for x in d["components"] if x["component"]=="dnsd"][0]["config"][0]; print(k["key"], json.dumps(k["here"]), json.dumps(k["there"]))')"
out=$("$CTL" -c "$WORK/b.yaml" check "$WORK/a.yaml"); rc=$?
t_eq "check of a's new config exits 0 (it is valid)" 0 "$rc"
t_contains "check: region a runs it already" "region a dnsd: the same" "$out"
t_contains "check: region c does not, and why" 'records."www.example.com.".datacenters: ["east"] in candidate, ["east","west"] in c' "$out"
WWW_a="[east, west]"
regions
sighup_a
revert_checks config 1

# 2. a zone serial: a's zone goes to serial 2.
zone a 2
start=$(date +%s%N)
kill -HUP "$PID_dnsd_a"
wait_drift "a:dnsd:0100" "$start"
scenario "zone serial" zones "a:dnsd:0100" "zone example.com.: serial 1 in b, 2 in a"
sed 's/ttl: 5/ttl: many/' "$WORK/a.yaml" >"$WORK/broken.yaml"
out=$("$CTL" -c "$WORK/b.yaml" check "$WORK/broken.yaml" 2>&1); rc=$?
t_eq "check of a config that does not load exits 1" 1 "$rc"
t_contains "check names file, line and key" 'broken.yaml:13:55: records."www.example.com.".ttl: expected an unsigned integer' "$out"
out=$("$CTL" -c "$WORK/b.yaml" check "$WORK/broken.yaml" --json 2>/dev/null); rc=$?
t_eq "check --json of it: exit 1, ok false, the error listed" "1 False True" \
	"$rc $(echo "$out" | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["ok"], any("ttl: expected an unsigned integer" in e for e in d["errors"]))')"
zone a 1
kill -HUP "$PID_dnsd_a"
revert_checks "zone serial" 2

# 3. a GeoIP database rebuilt with other data (the IPv4-only build of the test data).
# dnsd follows its geoip file by itself; no signal.
cp "$WORK/test-city-v4.mmdb" "$WORK/geo-a.mmdb.new" && mv "$WORK/geo-a.mmdb.new" "$WORK/geo-a.mmdb"
start=$(date +%s%N)
wait_drift "a:dnsd:0010" "$start"
scenario geoip geoip "a:dnsd:0010" "geoip: Meridian-Test-City built"
cp "$WORK/test-city.mmdb" "$WORK/geo-a.mmdb.new" && mv "$WORK/geo-a.mmdb.new" "$WORK/geo-a.mmdb"
revert_checks geoip 3

for r in a b c; do kill -TERM "$(eval echo "\$PID_dnsd_$r")"; done
repl_finish
