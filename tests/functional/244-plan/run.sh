#!/usr/bin/env bash
# 244-plan: `drain|force-down|force-up|weight ... --plan` prints, writing nothing, which
# records and which client populations (by continent, and sampled IPv4 and IPv6
# networks of the GeoIP database) would change answer, computed with the pick as it is
# and as it would be, and whether the safety rule or capacity would refuse it (exit 1);
# --json too. Checked against meridian-dnsd: after the real drain, the networks the
# plan named answer the other datacenter.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/ctl.sh"

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"

d_zone
d_config
cat >>"$WORK/meridian.yaml" <<'CONF'
geoip: mmdb/test-city.mmdb
datacenters:
  us-east: { location: [38.9, -77.4], addresses: [192.0.2.2], capacity: 100 }
  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.3], capacity: 50 }
  ap-east: { location: [35.7, 139.7], addresses: [192.0.2.4], capacity: 100 }
records:
  plan.example.com.:
    datacenters: [us-east, eu-west]
    ttl: 30
  asia.example.com.:
    datacenters: [ap-east, us-east]
    ttl: 30
CONF

ctl drain us-east --plan
t_eq "the safety rule allows it but capacity falls short: exit 1" 1 "$RC"
t_contains "says nothing is written" "plan: drain us-east (nothing written)" "$OUT"
t_contains "safety allowed" "safety: allowed" "$OUT"
t_contains "the sample holds the database's IPv4 and IPv6 networks" \
	"sample: 18 client networks of the GeoIP database (12 IPv4, 6 IPv6)" "$OUT"
t_contains "an IPv6 network among the examples, asked as its /56" "e.g. 2600:1f00::/56: us-east -> eu-west" "$OUT"
t_contains "plan.example.com changes for the Americas" "NA " "$OUT"
t_contains "from us-east to eu-west" "(us-east -> eu-west)" "$OUT"
t_contains "asia: clients nearer us-east than ap-east move to ap-east" "(us-east -> ap-east)" "$OUT"
t_check "nothing was written (no store created)" [ ! -e "$WORK/state.db" ]
t_contains "capacity: us-east's 100 do not fit eu-west's 50" \
	"capacity: short: plan.example.com.: us-east not serving, demand 100, spare 50" "$OUT"
ctl drain us-east --plan --json
t_eq "--json: the Ashburn network moves" "True" \
	"$(jq_py 'any(e["network"] == "67.43.156.0/24" and e["from"] == "us-east" and e["to"] == "eu-west" for r in d["records"] if r["record"] == "plan.example.com." for e in r["examples"])')"
t_eq "--json: not refused by safety, capacity short listed, nothing written" "False 1 False" \
	"$(jq_py 'str(d["refused"]) + " " + str(len(d["capacity_short"])) + " " + str(d["written"])')"
t_eq "--json: per continent" "True" \
	"$(jq_py '[r for r in d["records"] if r["record"] == "plan.example.com."][0]["continents"]["NA"]["changed"] >= 2')"
t_eq "a plan short of capacity exits 1" 1 "$RC"

ctl drain eu-west --plan
t_eq "draining eu-west fits (us-east has room) and is allowed: exit 0" 0 "$RC"
t_contains "EU moves to us-east" "EU " "$OUT"

# The real drain of eu-west, then a plan to drain us-east: the safety rule refuses.
d_start || t_abort "meridian-dnsd answers"
ctl drain eu-west --reason "real"
t_eq "eu-west drained" 0 "$RC"
EVENTS=$(sqlite3 -readonly "$WORK/state.db" "SELECT count(*) FROM events")
ctl drain us-east --plan
t_eq "the plan of a refused drain exits 1" 1 "$RC"
t_contains "naming the rule" "safety: refused: plan.example.com. would have no serving datacenter (eu-west drained, us-east drained); it would need --force" "$OUT"
t_eq "a plan writes no event" "$EVENTS" "$(sqlite3 -readonly "$WORK/state.db" "SELECT count(*) FROM events")"
t_eq "nor an override" "0" "$(sqlite3 -readonly "$WORK/state.db" "SELECT count(*) FROM overrides WHERE datacenter = 'us-east'")"

# What the plan names is what dnsd then answers: plan clearing eu-west, then do it.
ctl clear eu-west --plan
t_eq "clear has no --plan" 2 "$RC"
ctl force-up ap-east --plan
t_contains "force-up of a serving datacenter changes nothing" "asia.example.com.: 0 of " "$OUT"
ctl force-down ap-east --plan --json
NET=$(jq_py '[e["network"] for r in d["records"] if r["record"] == "asia.example.com." for e in r["examples"]][0]')
TO=$(jq_py '[e["to"] for r in d["records"] if r["record"] == "asia.example.com." for e in r["examples"]][0]')
t_eq "the plan moves an Asian network to us-east" "us-east" "$TO"
NET6=$(jq_py '[e["network"] for r in d["records"] if r["record"] == "asia.example.com." for e in r["examples"] if ":" in e["network"]][0]')
t_eq "and the Tokyo IPv6 network" "2001:218::/56" "$NET6"
ctl force-down ap-east --reason "as planned"
answer_is() { [ "$(q +short +subnet="$NET" asia.example.com A)" = "$1" ]; }
t_check "dnsd then answers $NET from us-east, as planned" t_until 30 answer_is 192.0.2.2
answer6_is() { [ "$(q +short +subnet="$NET6" asia.example.com A)" = "$1" ]; }
t_check "and $NET6 from us-east" t_until 30 answer6_is 192.0.2.2

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_done
