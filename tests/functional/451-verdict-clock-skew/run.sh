#!/usr/bin/env bash
# 451-verdict-clock-skew: three regions; east is dead to a and b, alive to c. Region b's
# clock runs 25 s behind, then max_clock_skew behind (30 s, less the 300 ms a request
# needs to cross, so replication still accepts it). C's answers and verdict never flap:
# b's vote counts while its heartbeats (every stale_after / 3 = 10 s) arrive, whatever
# its clock says, and c's status shows ages by c's own clock.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
. "$(dirname "$0")/../lib/verdict.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
v_need_faketime
v_mmdb
t_zone
# east's origin binds its own port; a and b check a port held by us that never listens;
# C's dnsd listens on a port it picks and logs.
echo ok >"$WORK/east.mode"
t_start origin python3 "$SRC/tests/functional/lib/origin.py" http "$WORK/east.port" "$WORK/east.mode"
t_until 30 test -s "$WORK/east.port" || t_abort "east's origin started"
EAST=$(cat "$WORK/east.port")
t_hold dead
DEAD=$PORT_dead
repl_body() {
	local port=$DEAD
	[ "$1" = c ] && port=$EAST
	repl_geo_body - <<YAML
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$port/healthz", interval: 1s, timeout: 900ms, fall: 2, rise: 2 }
YAML
}
repl_region a b c
repl_region b a c
repl_region c a b
t_wait_tcp "$EAST"

# skewed_b OFFSET: (re)starts b's replicator and healthcheck with b's clock at OFFSET.
SKEW_RUN=0
skewed_b() {
	SKEW_RUN=$((SKEW_RUN + 1))
	t_start "repl-b.skew$SKEW_RUN" v_clock "$1" "$REPL_BIN" -c "$WORK/b.yaml"
	REPL_PID_b=$!
	repl_started b "repl-b.skew$SKEW_RUN"
	t_start "hc-b.skew$SKEW_RUN" v_clock "$1" "$BIN/meridian-healthcheck" -c "$WORK/b.yaml"
	HC_B=$!
}
for r in a c; do
	repl_start "$r"
	t_start "hc-$r" "$BIN/meridian-healthcheck" -c "$WORK/$r.yaml"
done
skewed_b -25
t_start dnsd-c "$BIN/meridian-dnsd" -c "$WORK/c.yaml"
DNS_C=$(t_listen_port "$WORK/dnsd-c.log") || t_abort "meridian-dnsd of region c logs its port"
t_wait_dns "$DNS_C" || t_abort "meridian-dnsd of region c answers"

answer() { kdig @127.0.0.1 -p "$DNS_C" +retry=0 +timeout=2 +short +subnet=67.43.156.1/32 www.example.com A; }
VOTES="SELECT group_concat(checker || '=' || status, ' ') FROM (SELECT * FROM observations WHERE datacenter = 'east' ORDER BY checker)"

# watch SECONDS: samples c's answer and verdict; prints how many samples were not
# "west, east down" and how many samples there were.
watch() {
	local end=$(($(date +%s) + $1)) bad=0 n=0 a s
	while [ "$(date +%s)" -lt "$end" ]; do
		a=$(answer)
		s=$(v_state c east)
		n=$((n + 1))
		if [ "$a" != 198.51.100.20 ] || [ "$s" != down ]; then
			bad=$((bad + 1))
			echo "# $(date +%T.%N | cut -c1-12): answer [$a] east [$s]" >&2
		fi
		sleep 0.3
	done
	echo "$bad $n"
}

t_check "c holds all three votes: a and b down, c up" repl_wait_sql 20 c "$VOTES" "a=down b=down c=up"
t_check "c decides east down (2 of 3)" v_wait_state 10 c east down
# b's row as c sees it: heard within a heartbeat, though its checked time is 25 s behind.
age=$("$BIN/meridianctl" -c "$WORK/c.yaml" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
o = [o for x in d["datacenters"] if x["name"] == "east" for o in x["observations"] if o["region"] == "b"][0]
print(o["age_ms"], str(o["stale"]).lower(), d["now_ms"] - o["checked_ms"])')
echo "# c's view of b's vote: age_ms, stale, now - checked: $age"
read -r age_ms stale behind <<<"$age"
t_check "c shows b's vote's age by c's clock (under a heartbeat: $age_ms ms)" [ "$age_ms" -lt 12000 ]
t_check "b's checked time is 25 s behind c's clock ($behind ms)" [ "$behind" -ge 24000 ]
t_eq "b's vote is fresh" false "$stale"
read -r bad n <<<"$(watch 25)"
t_eq "skew 25 s: c answered west with east down in all $n samples over 25 s" 0 "$bad"

SEQ_B=$(repl_sql c "SELECT seq FROM cursors WHERE origin = 'b'")
kill "$HC_B" "$REPL_PID_b"
wait "$HC_B" "$REPL_PID_b" 2>/dev/null
skewed_b -29.7
# b's checker writes again once its probes confirm; c must hear it with the new clock.
t_check "b's first write at max_clock_skew reaches c" \
	repl_wait_sql 20 c "SELECT seq > $SEQ_B FROM cursors WHERE origin = 'b'" 1
# (a write the old b made just before it was stopped may reach c first, with the old
# clock: the row c holds is b's new one once it is 29.7 s behind)
b_behind() {
	"$BIN/meridianctl" -c "$WORK/c.yaml" status --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
o = [o for x in d["datacenters"] if x["name"] == "east" for o in x["observations"] if o["region"] == "b"][0]
print(d["now_ms"] - o["checked_ms"])'
}
b_behind_new() { [ "$(b_behind)" -ge 29000 ] 2>/dev/null; }
t_until 60 b_behind_new
behind=$(b_behind)
t_check "b's checked time is now 29.7 s behind c's clock ($behind ms)" [ "$behind" -ge 29000 ]
read -r bad n <<<"$(watch 25)"
t_eq "skew max_clock_skew: c answered west with east down in all $n samples over 25 s" 0 "$bad"
repl_finish
