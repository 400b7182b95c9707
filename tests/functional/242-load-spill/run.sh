#!/usr/bin/env bash
# 242-load-spill: a live load read by meridian-healthcheck lowers a datacenter's spare
# capacity in meridian-dnsd's answers, without a reload: with us-west forced down, its
# San Jose clients (64 client networks) all fit in us-east while us-east is idle, and
# spill on to eu-west in proportion to spare capacity once us-east reports a load; when
# the spare of all falls short, dnsd counts it (metrics), meridianctl status says so
# (CAPACITY-SHORT, --json capacity_short, exit 1: WARNING) and so does status_capacity.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/hc.sh"
. "$(dirname "$0")/../lib/ctl.sh"

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb" "$WORK/pages"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"
page() { printf '%s\n' "$2" >"$WORK/pages/$1.tmp" && mv "$WORK/pages/$1.tmp" "$WORK/pages/$1"; }
page east.json '{"load": 0}'
page west.metrics 'conns 0'
t_start pages python3 "$SRC/tests/functional/241-live-load/pages.py" "$WORK/pages.port" "$WORK/pages"
t_until 30 test -s "$WORK/pages.port" || t_abort "page server started"
P=$(cat "$WORK/pages.port")

d_zone
d_config
cat >>"$WORK/meridian.yaml" <<CONF
geoip: mmdb/test-city.mmdb
datacenters:
  us-west: { location: [37.3, -121.9], addresses: [192.0.2.1], capacity: 100 }
  us-east:
    location: [38.9, -77.4]
    addresses: [192.0.2.2]
    capacity: 100
    load: { url: "http://127.0.0.1:$P/east.json", json: "\$.load", interval: 500ms, timeout: 400ms }
  eu-west:
    location: [53.3, -6.3]
    addresses: [192.0.2.3]
    capacity: 1000
    load: { url: "http://127.0.0.1:$P/west.metrics", metric: conns, interval: 500ms, timeout: 400ms }
metrics: { dnsd: "127.0.0.1:0" }
records:
  spill.example.com.:
    datacenters: [us-west, us-east, eu-west]
    ttl: 30
CONF
h_start
d_start || t_abort "meridian-dnsd answers"
# tally: how many of 64 San Jose client networks (50.114.N.0/24) get each address
tally() {
	local n
	for n in $(seq 0 63); do
		q +short +subnet=50.114.$n.0/24 spill.example.com A
	done | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}
count_of() { tally | grep -oE "$1=[0-9]+" | cut -d= -f2; }
at_least() { local c; c=$(count_of "$1"); [ "${c:-0}" -ge "$2" ]; }
t_eq "San Jose is served by us-west" "192.0.2.1=64 " "$(tally)"

ctl force-down us-west --reason "spill test"
t_eq "us-west forced down" 0 "$RC"
loaded() { ctl status --json; [ "$(jq_py '[x["load"]["value"] for x in d["datacenters"] if x["name"] == "us-east"][0]')" = "$1" ]; }
t_check "us-east's load 0 is known" t_until 30 loaded 0
t_check "idle us-east takes all of us-west's clients (spare 100 covers 100)" t_until 30 at_least 192.0.2.2 64

page east.json '{"load": 80}'
t_check "us-east reports 80" t_until 30 loaded 80
# spare: us-east 20, eu-west 1000: about 2% stay, the rest spill on (50 is far below 62)
t_check "with load 80, most spill on to eu-west without a reload" t_until 30 at_least 192.0.2.3 50
echo "# with us-east at 80 of 100: $(tally)"
ctl status
t_contains "status shows the load" "LOAD us-east: 80 (read by test-east " "$OUT"
t_check "no capacity shortfall yet" [ "$(echo "$OUT" | grep -c "CAPACITY-SHORT")" = 0 ]

ctl status --json
t_eq "status --json: no shortfall (WARNING for the forced-down us-west alone)" "[] WARNING" \
	"$(jq_py 'str(d["capacity_short"]) + " " + d["check"]')"

# eu-west at 995 of 1000: spare 20 + 5 < us-west's demand 100 (its capacity: no load).
page west.metrics 'conns 995'
short() { ctl status; [ "$RC" = 1 ] && [[ $OUT == *CAPACITY-SHORT* ]]; }
t_check "status says capacity is short, exit 1 (WARNING)" t_until 30 short
t_contains "naming the record, the failed datacenter, demand and spare" \
	"CAPACITY-SHORT spill.example.com.: us-west is not serving; its demand 100 exceeds the spare capacity 25 of the datacenters after it" "$OUT"
t_contains "and in its last line" "WARNING: us-west FORCED-DOWN; 1 record short of capacity" "$OUT"
ctl status --json
t_eq "status --json: capacity_short" "spill.example.com. us-west 100 25 WARNING" \
	"$(jq_py '" ".join(str(x[k]) for x in d["capacity_short"] for k in ("record", "datacenter", "demand", "spare")) + " " + d["check"]')"
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$WORK/state.db" "$1" 2>/dev/null; }
view_short() { [ "$(sql 'SELECT record, datacenter, demand, spare FROM status_capacity')" = "spill.example.com.|us-west|100|25" ]; }
t_check "status_capacity has it (meridian-healthcheck)" t_until 30 view_short
t_contains "and status_transitions" "capacity-short|spill.example.com.|short" \
	"$(sql "SELECT kind, subject, to_state FROM status_transitions WHERE kind LIKE 'capacity%'")"
q +short +subnet=50.114.1.0/24 spill.example.com A >/dev/null
URL=$(sed -n 's/.*metrics: serving \(http:[^ ]*\).*/\1/p' "$WORK/dnsd.log" | tail -1)
counted() { curl -s "$URL" | grep -E '^meridian_dnsd_capacity_short_answers_total\{transport="udp"\} [1-9]'; }
t_check "dnsd counts the short answers" t_until 30 counted

page west.metrics 'conns 0'
covered() { ctl status; [[ $OUT != *CAPACITY-SHORT* ]]; }
t_check "covered again once eu-west is idle" t_until 30 covered
view_empty() { [ -z "$(sql 'SELECT * FROM status_capacity')" ]; }
t_check "status_capacity is empty again" t_until 30 view_empty

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_done
