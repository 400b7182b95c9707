#!/usr/bin/env bash
# 452-verdict-isolation: three regions; east is dead to all and down everywhere. Region c
# is cut off (its replicator stopped: nothing in, nothing out). When east's origin comes
# back, c's own checker says up, but 1 fresh vote of 3 configured regions decides
# nothing: with the default `isolated: hold`, c holds east down (answers stay on west,
# status CRITICAL "held: isolated") for health.hold, then fails open. a and b, still in
# touch, bring east back by quorum. With `isolated: alone` (c's config reloaded), c
# decides by its own fresh vote at once.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
. "$(dirname "$0")/../lib/verdict.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
v_mmdb
t_zone
# east's origin binds its own port and starts down (bound, refusing); C's dnsd
# listens on a port it picks and logs.
echo down >"$WORK/east.mode"
t_start origin python3 "$SRC/tests/functional/lib/origin.py" http "$WORK/east.port" "$WORK/east.mode"
t_until 30 test -s "$WORK/east.port" || t_abort "east's origin started"
EAST=$(cat "$WORK/east.port")
ISOLATED=hold
repl_body() {
	repl_geo_body - <<YAML
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$EAST/healthz", interval: 1s, timeout: 900ms, fall: 2, rise: 1 }
YAML
}
# Short times so the scenario fits in two minutes: votes stale after 5 s, holds 40 s, the
# skew allowance within stale_after, and no damping (east's one recovery is the point).
# The probe's timeout sits far above a loaded machine's answer time (the origin's answer
# is the point: with 150 ms, two timeouts in a row under load made c decide east down
# alone), and its interval well inside stale_after, so c's own vote stays fresh.
EXTRA="health: { poll: 5ms, stale_after: 5s, hold: 40s, isolated: \$ISOLATED, flap_damping: false }"
regions() {
	repl_region a b c
	repl_region b a c
	repl_region c a b
	for r in a b c; do
		# repl_region writes its own health line; this one replaces it.
		sed -i "s/^health: .*/$(eval echo "\"$EXTRA\"")/; s/^  long_poll: 2s/  long_poll: 2s\n  max_clock_skew: 2s/" "$WORK/$r.yaml"
	done
}
regions
for r in a b c; do
	repl_start "$r"
	t_start "hc-$r" "$BIN/meridian-healthcheck" -c "$WORK/$r.yaml"
done
t_start dnsd-c "$BIN/meridian-dnsd" -c "$WORK/c.yaml"
DNS_C=$(t_listen_port "$WORK/dnsd-c.log") || t_abort "meridian-dnsd of region c logs its port"
t_wait_dns "$DNS_C" || t_abort "meridian-dnsd of region c answers"
answer() { kdig @127.0.0.1 -p "$DNS_C" +retry=0 +timeout=2 +short +subnet=67.43.156.1/32 www.example.com A; }
answer_is() { [ "$(answer)" = "$1" ]; }
wait_answer() { # WANT SECONDS (a quiet machine's; the deadline is at least 30 s)
	t_until $(($2 < 30 ? 30 : $2)) answer_is "$1" && return 0
	echo "# answer still [$(answer)], wanted $1"; return 1
}
field() { # REGION DC KEY
	"$BIN/meridianctl" -c "$WORK/$1.yaml" status --json | python3 -c '
import json, sys
d = [x for x in json.load(sys.stdin)["datacenters"] if x["name"] == sys.argv[1]][0]
for k in sys.argv[2].split("."):
    d = d[k]
print(str(d).lower() if isinstance(d, bool) else d)' "$2" "$3"
}

t_check "east down in c (3 of 3 regions)" v_wait_state 15 c east down
t_check "c answers west" wait_answer 198.51.100.20 5
repl_stop c
echo ok >"$WORK/east.mode"
t_wait_tcp "$EAST"
t_check "a and b, in touch, bring east back by quorum" v_wait_state 15 a east up
t_check "c's own checker sees east up" \
	repl_wait_sql 10 c "SELECT status FROM observations WHERE checker = 'c' AND datacenter = 'east'" up
# c's dnsd memory, read straight from the store (meridianctl is slow on a loaded machine):
# "ISOLATED-HOLDS|EXPIRED" of east.
memory() { repl_sql c "SELECT isolated || '|' || expired FROM verdict_memory WHERE datacenter = 'east'"; }
isolated() { [ "$(memory)" = "1|0" ]; }
wait_isolated() { t_until 30 isolated; }
t_check "c: a's and b's votes go stale, east held down (isolated)" wait_isolated
out=$("$BIN/meridianctl" -c "$WORK/c.yaml" status)
rc=$?
t_eq "c's status exits 2 (CRITICAL)" 2 "$rc"
t_contains "c's status: held, isolated" "DOWN (held: isolated," "$out"
t_contains "c's status states the rule" "down when 2 of the 3 configured regions' fresh votes say down" "$out"
a=$(answer)
[ "$(memory)" = "1|0" ] && t_eq "c still answers west while it holds" 198.51.100.20 "$a"
t_eq "counted as an isolated hold" 1 "$(field c east counters.isolated)"
t_check "after health.hold, c fails open: east answered" wait_answer 192.0.2.10 60
t_eq "c: the hold ran out" expired "$(field c east hold)"

# Same cut-off region, deciding alone.
ISOLATED=alone
sed -i "s/isolated: hold/isolated: alone/" "$WORK/c.yaml"
kill -HUP "$PID_dnsd_c"
east_alone() {
	[ "$("$BIN/meridianctl" -c "$WORK/c.yaml" status --json | python3 -c 'import json,sys; print([x["alone"] for x in json.load(sys.stdin)["datacenters"] if x["name"]=="east"][0])')" = True ]
}
t_check "isolated: alone: c decides by its own fresh vote (up)" \
	t_until 30 east_alone
t_eq "c's verdict: up, decided alone" up "$(field c east state)"
t_contains "status says so" "UP (isolated: decided alone)" "$("$BIN/meridianctl" -c "$WORK/c.yaml" status)"
echo down >"$WORK/east.mode"
t_wait_refused "$EAST"
t_check "alone, c follows its own checker down at once" wait_answer 198.51.100.20 10
t_contains "why: decided alone" "decided alone, 1 of 1 fresh say down" "$(field c east why)"
repl_finish
