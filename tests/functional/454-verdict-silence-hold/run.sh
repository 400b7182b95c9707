#!/usr/bin/env bash
# 454-verdict-silence-hold: one region; east is dead and observed down. The healthcheck
# is stopped: once its vote is stale (3 s) meridian-dnsd keeps the last verdict (east
# down, answers from west) for health.hold (30 s), counted, and `meridianctl status`
# exits 2 (CRITICAL) saying so; only after the bound does east fail open. A restarted
# checker's probes then decide again.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/verdict.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
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
# The east/west world (its flap damping stays off: this scenario is not about flapping, and
# a probe timing out on a loaded machine must not hold a datacenter down for a minute;
# test 455 is about damping), region r, east's origin dead, west's live.
t_config_edit "$SRC/tests/data/configs/east-west.yaml" "$WORK/r.yaml" - <<YAML
region: r
state: r.db
health: { stale_after: 3s, hold: 30s, poll: 5ms }
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$DEAD/healthz", interval: 500ms, timeout: 450ms, fall: 2, rise: 1 }
  west:
    check: { type: http, url: "http://127.0.0.1:$LIVE/healthz", interval: 1s, timeout: 900ms, fall: 3, rise: 1 }
YAML
t_wait_tcp "$LIVE"
t_start hc "$BIN/meridian-healthcheck" -c "$WORK/r.yaml"
t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/r.yaml"
DNS=$(t_listen_port "$WORK/dnsd.log") || t_abort "meridian-dnsd logs its port"
t_wait_dns "$DNS" || t_abort "meridian-dnsd answers"

answer() { kdig @127.0.0.1 -p "$DNS" +retry=0 +timeout=2 +short +subnet=67.43.156.1/32 www.example.com A; }
answer_is() { [ "$(answer)" = "$1" ]; }
wait_answer() { # WANT SECONDS (a quiet machine's; the deadline is at least 30 s)
	t_until $(($2 < 30 ? 30 : $2)) answer_is "$1" && return 0
	echo "# answer still [$(answer)], wanted $1"; return 1
}
status_json() { "$BIN/meridianctl" -c "$WORK/r.yaml" status --json; }
# field DC KEY: a datacenter's key (hold, state, counters.holds ...) from status --json.
field() {
	status_json | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["datacenters"] if x["name"] == sys.argv[1]][0]
for k in sys.argv[2].split("."):
    d = d[k]
print(str(d).lower() if isinstance(d, bool) else d)' "$1" "$2"
}

t_check "east observed down" v_wait_state 10 r east down
t_check "Ashburn answered from west" wait_answer 198.51.100.20 5
"$BIN/meridianctl" -c "$WORK/r.yaml" status >/dev/null
t_eq "status exits 1 (WARNING: east down) while the checker writes, not 2" 1 $?

kill -TERM "$PID_hc"
wait "$PID_hc" 2>/dev/null
stopped=$(date +%s%N)
hold_is() { [ "$(field east hold)" = "$1" ]; }
wait_hold() { # WANT: waits until east's hold is WANT (30 s)
	t_until 30 hold_is "$1" && return 0
	echo "# east's hold is [$(field east hold)], wanted $1"; return 1
}
t_check "the vote goes stale: east held (silent)" wait_hold silent
# west's last vote may go stale a moment after east's: wait until every vote of this
# region's checker has, then read the status once more.
all_silent() { "$BIN/meridianctl" -c "$WORK/r.yaml" status 2>/dev/null | grep -q "checker is silent"; }
t_until 30 all_silent
out=$("$BIN/meridianctl" -c "$WORK/r.yaml" status)
rc=$?
t_eq "status exits 2 (CRITICAL) while held" 2 "$rc"
t_contains "status says the checker is silent" "CRITICAL: this region's checker is silent" "$out"
t_contains "status shows east held down" "DOWN (held: silent," "$out"
t_eq "the hold is counted" 1 "$(field east counters.holds)"
# Sample answers through the hold, until it runs out. An answer counts when dnsd's own
# memory (read straight from the store: meridianctl is slow on a loaded machine) still
# says the hold had not run out after it was given.
expired() { sqlite3 -cmd ".timeout 5000" "$WORK/r.db" "SELECT expired FROM verdict_memory WHERE datacenter = 'east'"; }
bad=0 n=0
# sample: 0 once the hold ran out; else one answer sampled, and 1.
sample() {
	local a; a=$(answer)
	[ "$(expired)" = 0 ] || return 0
	n=$((n + 1))
	[ "$a" = 198.51.100.20 ] || { bad=$((bad + 1)); echo "# held, yet answered [$a]"; }
	sleep 0.15
	return 1
}
t_until 120 sample
t_eq "held: answered from west in all $n samples" 0 "$bad"
t_check "sampled the hold ($n samples)" [ "$n" -ge 3 ]
t_eq "the hold runs out" 1 "$(expired)"
failed_open=$(date +%s%N)
held_ms=$(( (failed_open - stopped) / 1000000 ))
echo "# held for $held_ms ms after the checker stopped"
# (the last heartbeat came up to stale_after / 3 before the stop)
t_check "held for at least stale_after - 1 s + hold (32 s): $held_ms ms" [ "$held_ms" -ge 31500 ]
t_eq "then the hold runs out" expired "$(field east hold)"
t_check "only then east fails open (answered again)" wait_answer 192.0.2.10 5
t_eq "the expiry is counted" 1 "$(field east counters.expiries)"
out=$("$BIN/meridianctl" -c "$WORK/r.yaml" status)
t_eq "status still exits 2" 2 $?
t_contains "status says the hold ran out" "east: hold ran out, served (fail open)" "$out"

t_start hc2 "$BIN/meridian-healthcheck" -c "$WORK/r.yaml"
t_check "a restarted checker's probes decide: east down again" v_wait_state 10 r east down
t_check "answered from west again" wait_answer 198.51.100.20 5
status_rc_is() { "$BIN/meridianctl" -c "$WORK/r.yaml" status >/dev/null; [ $? = "$1" ]; }
t_check "status exits 1 (WARNING: east down) again, no longer 2" t_until 30 status_rc_is 1
t_done
