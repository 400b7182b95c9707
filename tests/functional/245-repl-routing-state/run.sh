#!/usr/bin/env bash
# 245-repl-routing-state: what issue 12 adds to the replicated state crosses regions. A
# drain scheduled in east (--at now+5s) is in west's status before its start and takes
# effect in west's meridian-dnsd at the start, not before, and ends there; a run-time
# weight set in east moves west's answers; each region's live load reading of eu-west
# is in the other's store.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"

mkdir -p "$WORK/pages"
printf '{"load": 7}\n' >"$WORK/pages/load.json"
t_start pages python3 "$SRC/tests/functional/241-live-load/pages.py" "$WORK/pages.port" "$WORK/pages"
t_until 30 test -s "$WORK/pages.port" || t_abort "page server started"
P=$(cat "$WORK/pages.port")
obs_setup
for r in east west; do
	python3 - "$WORK/$r.yaml" "$P" <<'PY'
import sys
path, port = sys.argv[1], sys.argv[2]
s = open(path).read()
s = s.replace("    addresses: [198.51.100.10]\n",
    "    addresses: [198.51.100.10]\n"
    "    load: { url: \"http://127.0.0.1:%s/load.json\", json: \"$.load\", interval: 500ms, timeout: 400ms }\n" % port, 1)
s = s.replace("    datacenters: [us-east, eu-west]\n",
    "    datacenters: [us-east, eu-west]\n    weights: { us-east: 50, eu-west: 50 }\n", 1)
open(path, "w").write(s)
PY
done
obs_start east "hc repl"
obs_start west "hc repl dnsd"
now_ms() { date +%s%3N; }
west_json() { "$BIN/meridianctl" -c "$WORK/west.yaml" --json status 2>/dev/null; }
wsql() { sqlite3 -readonly -cmd ".timeout 5000" "$WORK/west.db" "$1" 2>/dev/null; }
# tally: how many of 32 San Jose networks west's dnsd sends to each address
tally() {
	local n
	for n in $(seq 0 31); do
		kdig @127.0.0.1 -p "$DNS_west" +retry=0 +timeout=2 +short +subnet=50.114.$n.0/24 www.example.com A
	done | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}
is_tally() { [ "$(tally)" = "$1" ]; }
BEFORE=$(tally)
echo "# 50/50: $BEFORE"
t_check "west's dnsd splits San Jose over both" bash -c "[[ '$BEFORE' == *203.0.113.10=* && '$BEFORE' == *198.51.100.10=* ]]"

# Each region reads eu-west's load; each holds the other's reading.
both_loads() { [ "$(wsql "SELECT group_concat(checker, ',') FROM status_loads WHERE datacenter = 'eu-west' AND load = 7.0")" = "east,west" ]; }
t_check "west holds east's and its own reading of eu-west's load" t_until 60 both_loads

# A drain scheduled in east, replicated to west before its start.
OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" --json drain eu-west --reason "window" --actor alice --at now+6s --for 3s)
STARTS=$(echo "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["starts_ms"])')
EXPIRES=$(echo "$OUT" | python3 -c 'import json,sys; print(json.load(sys.stdin)["expires_ms"])')
in_west() { [ "$(west_json | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["scheduled"]))' 2>/dev/null)" = 1 ]; }
t_check "west's status lists the scheduled drain" t_until 30 in_west
t_check "before it starts ($(now_ms) < $STARTS)" [ "$(now_ms)" -lt "$STARTS" ]
t_eq "west's status_scheduled has it" "eu-west|drain|alice" "$(wsql 'SELECT datacenter, action, actor FROM status_scheduled')"
t_check "west's dnsd sends all of San Jose to us-east once it starts" t_until 30 is_tally "203.0.113.10=32 "
t_check "not before the start" [ "$(now_ms)" -ge "$STARTS" ]
t_check "and back to the split when it ends" t_until 30 is_tally "$BEFORE"
t_check "not before the end" [ "$(now_ms)" -ge "$EXPIRES" ]
west_event() { "$BIN/meridianctl" -c "$WORK/west.yaml" events | grep -q "override-end"; }
t_check "west's audit log has the end (west's own event)" t_until 30 west_event

# A weight set in east moves west's answers.
"$BIN/meridianctl" -c "$WORK/east.yaml" weight www.example.com us-east 0 --reason "east off" >/dev/null
t_check "west's dnsd follows east's weight" t_until 30 is_tally "198.51.100.10=32 "
t_eq "west's status_weights has it, from east" "www.example.com.|us-east|0|east" \
	"$(wsql 'SELECT target, datacenter, weight, origin FROM status_weights')"
"$BIN/meridianctl" -c "$WORK/east.yaml" weight www.example.com us-east clear --reason "back" >/dev/null
t_check "and the clear" t_until 30 is_tally "$BEFORE"
t_done
