#!/usr/bin/env bash
# 453-verdict-fail-open-order: one region, three datacenters for a London client:
# us-east (IPv4 only, alive), eu-west (dead, nearest), ap-east (alive). With ap-east
# drained, only the IPv4-only us-east serves: AAAA is NODATA, not the dead eu-west's
# address. With us-east drained too (forced), nothing serves: each family fails open to
# a candidate observed up but drained before the dead eu-west (A: us-east, AAAA:
# ap-east), nearest first; meridianctl explain says the same.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/verdict.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
v_mmdb
t_zone
# the live origin binds its own port (origin.py; "down" stops it listening, port kept),
# the dead checks point at a port held by us that never listens, and meridian-dnsd
# listens on a port it picks and logs.
echo ok >"$WORK/live.mode"
t_start origin python3 "$SRC/tests/functional/lib/origin.py" http "$WORK/live.port" "$WORK/live.mode"
t_until 30 test -s "$WORK/live.port" || t_abort "the live origin started"
LIVE=$(cat "$WORK/live.port")
t_hold dead
DEAD=$PORT_dead
cat >"$WORK/r.yaml" <<YAML
region: r
state: r.db
geoip: test-city.mmdb
# This scenario is not about flapping: a probe timing out on a loaded machine must not
# hold a datacenter down for a minute (test 455 is about damping).
health: { stale_after: 3s, poll: 5ms, flap_damping: false }
dns:
  listen: ["127.0.0.1:0"]
  zones:
    - { origin: example.com., file: zones/example.com.zone }
datacenters:
  us-east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: http, url: "http://127.0.0.1:$LIVE/healthz", interval: 1s, timeout: 900ms, fall: 3, rise: 1 }
  eu-west:
    location: [53.3, -6.3]
    addresses: [198.51.100.20, "2001:db8:2::20"]
    check: { type: http, url: "http://127.0.0.1:$DEAD/healthz", interval: 500ms, timeout: 450ms, fall: 2, rise: 1 }
  ap-east:
    location: [35.7, 139.7]
    addresses: [203.0.113.30, "2001:db8:3::30"]
    check: { type: http, url: "http://127.0.0.1:$LIVE/healthz", interval: 1s, timeout: 900ms, fall: 3, rise: 1 }
records:
  www.example.com.: { datacenters: [us-east, eu-west, ap-east], ttl: 5 }
YAML
t_wait_tcp "$LIVE"
t_start hc "$BIN/meridian-healthcheck" -c "$WORK/r.yaml"
t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/r.yaml"
DNS=$(t_listen_port "$WORK/dnsd.log") || t_abort "meridian-dnsd logs its port"
t_wait_dns "$DNS" || t_abort "meridian-dnsd answers"

ctl() { "$BIN/meridianctl" -c "$WORK/r.yaml" "$@"; }
answer() { kdig @127.0.0.1 -p "$DNS" +retry=0 +timeout=2 +short +subnet=81.2.69.142/32 www.example.com "$1" | sort | tr '\n' ' ' | sed 's/ $//'; }
answer_is() { [ "$(answer "$1")" = "$2" ]; }
wait_answer() { # TYPE WANT: waits (30 s) for the answer
	t_until 30 answer_is "$1" "$2" && return 0
	echo "# $1 answer still [$(answer "$1")], wanted [$2]"; return 1
}
# explain_pick FAMILY: the datacenter explain answers A (0) or AAAA (1) from, "-" for none.
explain_pick() {
	ctl explain www.example.com. 81.2.69.142 --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
q = ["A", "AAAA"][int(sys.argv[1])]
c = [c["datacenter"] for c in d["candidates"] if q in c["chosen_for"]]
print(c[0] if c else "-")' "$1"
}

t_check "eu-west observed down" v_wait_state 10 r eu-west down
t_check "us-east up" v_wait_state 10 r us-east up
t_check "ap-east up" v_wait_state 10 r ap-east up
t_check "London, everything observed: A from us-east (eu-west is dead)" wait_answer A 192.0.2.10
t_check "AAAA from ap-east, the nearest serving one with IPv6" wait_answer AAAA 2001:db8:3::30

ctl drain ap-east --reason "fail-open test" --actor tester >/dev/null
t_check "ap-east drained: A still from us-east" wait_answer A 192.0.2.10
t_check "AAAA: NODATA, not the dead eu-west's IPv6 (us-east serves IPv4)" wait_answer AAAA ""
t_eq "explain agrees: no AAAA" "-" "$(explain_pick 1)"

ctl drain us-east --reason "fail-open test" --actor tester --force >/dev/null
t_eq "nothing serves: status says so" "drained down drained" \
	"$(for d in us-east eu-west ap-east; do v_state r "$d"; done | tr '\n' ' ' | sed 's/ $//')"
t_check "fail open, A: drained us-east (observed up) before the nearer dead eu-west" wait_answer A 192.0.2.10
t_check "fail open, AAAA: drained ap-east before the dead eu-west" wait_answer AAAA 2001:db8:3::30
t_eq "explain agrees on A" us-east "$(explain_pick 0)"
t_eq "explain agrees on AAAA" ap-east "$(explain_pick 1)"
t_contains "status calls out the fail-open record" "FAIL-OPEN www.example.com." "$(ctl status)"

# Both drained ones observed down too: nearest of the three again (eu-west).
ctl clear us-east --force >/dev/null
ctl clear ap-east --force >/dev/null
echo down >"$WORK/live.mode"
t_wait_refused "$LIVE"
t_check "all three observed down" v_wait_state 10 r us-east down
t_check "ap-east down" v_wait_state 10 r ap-east down
t_check "all observed down: A from the nearest, eu-west" wait_answer A 198.51.100.20
t_check "all observed down: AAAA from eu-west" wait_answer AAAA 2001:db8:2::20
t_done
