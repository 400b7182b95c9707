#!/usr/bin/env bash
# 240-scheduled-maintenance: `drain DC --at now+3s --for 3s` is written at once, replicated
# like any override, and inactive until its start: meridian-dnsd keeps answering with the
# datacenter until the start and switches at it without a reload, back at the end;
# status (text, --json), status_scheduled / status_overrides and the audit log (scheduled,
# started, ended) agree. The safety rule judges the whole window, including other
# overrides starting inside it; a scheduled override never silently replaces another.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/hc.sh"
. "$(dirname "$0")/../lib/ctl.sh"

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"

h_origin east tcp
h_origin west tcp
d_zone
d_config
cat >>"$WORK/meridian.yaml" <<CONF
geoip: mmdb/test-city.mmdb
datacenters:
  us-east:
    location: [38.9, -77.4]
    addresses: [203.0.113.10]
    check: { type: tcp, address: "127.0.0.1:$PORT_east", interval: 300ms, timeout: 200ms, fall: 1, rise: 1 }
  eu-west:
    location: [53.3, -6.3]
    addresses: [198.51.100.10]
    check: { type: tcp, address: "127.0.0.1:$PORT_west", interval: 300ms, timeout: 200ms, fall: 1, rise: 1 }
records:
  geo.example.com.:
    datacenters: [us-east, eu-west]
    ttl: 30
CONF
h_start
d_start || t_abort "meridian-dnsd answers"
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$WORK/state.db" "$1" 2>/dev/null; }
now_ms() { date +%s%3N; }
# Ashburn's answer (us-east unless us-east is drained).
geo() { q +short +subnet=67.43.156.0/24 geo.example.com A; }
answer_is() { [ "$(geo)" = "$1" ]; }
t_check "us-east up" t_until 30 h_is us-east up
t_check "Ashburn gets us-east" t_until 10 answer_is 203.0.113.10

ctl drain us-east --reason "kernel upgrade" --actor alice --at now+3s --for 3s --json
t_eq "scheduled drain accepted" 0 "$RC"
t_eq "it says it is scheduled" True "$(jq_py 'd["scheduled"]')"
STARTS=$(jq_py 'd["starts_ms"]')
EXPIRES=$(jq_py 'd["expires_ms"]')
t_eq "it starts 3 s after it was written" 3000 "$(jq_py 'd["starts_ms"] - d["created_ms"]')"
t_eq "--for counts from the start" 3000 "$((EXPIRES - STARTS))"

# Everything below until the start holds only while the start is ahead: each check
# reads the clock after its answer, so a slow machine skips it rather than lies.
before_start() { [ "$(now_ms)" -lt "$STARTS" ]; }
ctl status --json
S_JSON=$OUT
if before_start; then
	t_eq "status --json: us-east not drained yet" "up None" \
		"$(jq_py 'd["datacenters"][0]["state"] + " " + str(d["datacenters"][0]["override"])')"
	t_eq "status --json lists the scheduled drain" "us-east drain alice $STARTS $EXPIRES" \
		"$(jq_py '" ".join(str(s[k]) for s in d["scheduled"] for k in ("datacenter", "action", "actor", "starts_ms", "expires_ms"))')"
fi
ctl status
if before_start; then
	t_contains "status shows it SCHEDULED" 'SCHEDULED us-east: drain by alice from ' "$OUT"
	t_contains "with its window and reason" '(for 3s): "kernel upgrade"' "$OUT"
fi
V=$(sql "SELECT datacenter, action, actor, starts_ms, expires_ms FROM status_scheduled")
N=$(sql "SELECT count(*) FROM status_overrides")
if before_start; then
	t_eq "status_scheduled has it" "us-east|drain|alice|$STARTS|$EXPIRES" "$V"
	t_eq "status_overrides does not (not in effect)" 0 "$N"
fi
A=$(geo)
if before_start; then
	t_eq "before the start dnsd still answers us-east" 203.0.113.10 "$A"
fi
ctl events
t_contains "the audit log has the scheduling" "scheduled from" "$OUT"

# dnsd switches at the start without a reload, and not before it.
t_check "dnsd switches Ashburn to eu-west" t_until 30 answer_is 198.51.100.10
SWITCHED=$(now_ms)
t_check "not before the start ($SWITCHED >= $STARTS)" [ "$SWITCHED" -ge "$STARTS" ]
ctl status --json
if [ "$(now_ms)" -lt "$EXPIRES" ]; then
	t_eq "in the window status says drained" drained "$(jq_py 'd["datacenters"][0]["state"]')"
	t_eq "and nothing is scheduled any more" 0 "$(jq_py 'len(d["scheduled"])')"
fi
t_check "dnsd switches back after the end" t_until 30 answer_is 203.0.113.10
t_check "not before the end" [ "$(now_ms)" -ge "$EXPIRES" ]
has_event() { "$BIN/meridianctl" -c "$WORK/meridian.yaml" events | grep -q -- "$1"; }
t_check "the audit log has the start" t_until 30 has_event "override-start"
t_check "the audit log has the end" t_until 30 has_event "override-end"
ctl events
t_contains "the start event names the window" "drain by alice, scheduled from" "$OUT"

# Safety rule over the window. eu-west drained for 2 h: a force-down of us-east in an
# hour would leave geo.example.com with nothing; in 3 h it would not.
ctl drain eu-west --reason "long" --for 2h
t_eq "eu-west drained" 0 "$RC"
ctl force-down us-east --at now+1h --for 1h --plan
t_eq "--plan of that window says it would be refused" 1 "$RC"
t_contains "judged over the window, as the write judges it" "safety: refused: from " "$OUT"
t_contains "naming the window" "(in the scheduled window), geo.example.com. would have no serving datacenter" "$OUT"
ctl force-down us-east --reason "window" --at now+1h --for 1h
t_eq "a window overlapping the drain is refused" 1 "$RC"
t_contains "naming the instant and the record" "(in the scheduled window), geo.example.com. would have no serving datacenter (eu-west drained, us-east forced down); add --force" "$ERR"
ctl force-down us-east --reason "window" --at now+3h --for 1h
t_eq "a window after the drain expires is accepted" 0 "$RC"
ctl clear eu-west
# us-east is forced down from 3 h to 4 h. A drain of eu-west from 2h30m is fine at its
# own start but not at us-east's start inside its window: refused, naming that instant.
# One that ends before 3 h is accepted.
ctl drain eu-west --reason "overlap" --at now+150m --for 1h
t_eq "a window containing another's start is refused" 1 "$RC"
t_contains "refused at the other's start" "(in the scheduled window), geo.example.com. would have no serving datacenter (us-east forced down, eu-west drained)" "$ERR"
ctl drain eu-west --reason "before" --at now+30m --for 1h
t_eq "a window ending before it is accepted" 0 "$RC"

# One override per datacenter: neither kind silently replaces the other.
ctl drain us-east --reason "now"
t_eq "an immediate drain over a scheduled one is refused" 1 "$RC"
t_contains "saying what and how" "us-east has a force-down by " "$ERR"
t_contains "and to clear it first" "clear it first (meridianctl clear us-east)" "$ERR"
ctl clear us-east
t_eq "clear cancels the scheduled one" 0 "$RC"
t_eq "only eu-west's remains scheduled" "eu-west" "$(sql "SELECT datacenter FROM status_scheduled")"
ctl drain us-east --reason "now" --for 1h
t_eq "then the immediate drain is taken" 0 "$RC"
ctl drain us-east --reason "later" --at now+5h
t_eq "a schedule over a drain in effect is refused" 1 "$RC"
t_contains "naming it" "us-east has a drain by " "$ERR"
ctl drain us-east --reason later --at 2001-01-01T00:00:00Z
t_eq "--at in the past is a usage error" 2 "$RC"
t_contains "saying so" "--at 2001-01-01T00:00:00Z is not in the future" "$ERR"
ctl drain us-east --reason later --at tomorrow
t_eq "--at nonsense is a usage error" 2 "$RC"
t_contains "with the forms it takes" '--at "tomorrow": not a time (use now+DURATION or UTC 2026-12-07T03:00:00Z)' "$ERR"

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_done
