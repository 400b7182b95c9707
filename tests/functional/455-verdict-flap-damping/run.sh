#!/usr/bin/env bash
# 455-verdict-flap-damping: an origin failing half its probes at random (fast probes:
# 100 ms, fall 3, rise 2), watched by two single-region setups side by side: default
# flap damping, and flap_damping: false. Over 20 s the undamped answers follow every
# rise/fall transition; the damped ones change at most twice, and status and explain
# say "held down: flapping, reuse in ...".
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/verdict.sh"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
for p in meridian-dnsd meridian-healthcheck meridianctl; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
v_mmdb
t_zone
# setup NAME DAMPING SEED: NAME.yaml (in $WORK) with its own origin and DNS port (both
# bound by their programs on port 0 and read back).
setup() {
	local o n
	t_start "origin-$1" python3 "$SRC/bench/flap_origin.py" 0 0.5 "$3" "$WORK/origin-$1.port"
	t_until 30 test -s "$WORK/origin-$1.port" || t_abort "the origin of $1 started"
	o=$(cat "$WORK/origin-$1.port")
	t_config_edit "$SRC/tests/data/configs/east-west.yaml" "$WORK/$1.yaml" - <<YAML
region: r
state: $1.db
health: { flap_damping: $2, poll: 5ms }
datacenters:
  east:
    check: { type: http, url: "http://127.0.0.1:$o/healthz", body_contains: ok,
             interval: 100ms, fast_interval: 100ms, timeout: 80ms, fall: 3, rise: 2 }
records:
  www.example.com.: { ttl: 30 }
YAML
	t_start "hc-$1" "$BIN/meridian-healthcheck" -c "$WORK/$1.yaml"
	t_start "dnsd-$1" "$BIN/meridian-dnsd" -c "$WORK/$1.yaml"
	n=$(t_listen_port "$WORK/dnsd-$1.log") || t_abort "meridian-dnsd of $1 listens"
	eval "DNS_$1=$n"
	t_wait_dns "$n" || t_abort "meridian-dnsd of $1 answers"
}
setup damped true 7
setup plain false 7
observations() {
	sqlite3 -cmd ".timeout 5000" "$WORK/$1.db" "SELECT json_extract(row, '\$.status') FROM changelog
		WHERE tbl = 'observations' AND key = 'r/east' ORDER BY seq" | grep -v unknown | uniq | tail -n +2 | wc -l
}
answers() { grep -c 'datacenter east: .*serving$' "$WORK/dnsd-$1.log" || true; }

# Until the undamped setup has flapped plenty (20 s at most: a busy machine flaps
# less, and the checks below need only 6).
flapped() { [ "$(answers plain)" -ge 12 ]; }
t_until 20 flapped || true
# A window, not a wait: the damped side gets 3 s more to (wrongly) follow the flaps.
sleep 3
echo "# damped: $(observations damped) observation and $(answers damped) answer transitions;" \
	"undamped: $(observations plain) and $(answers plain)"
t_check "the origin flaps: its observations changed often ($(observations damped))" [ "$(observations damped)" -ge 6 ]
t_check "without damping, answers follow them ($(answers plain) transitions)" [ "$(answers plain)" -ge 6 ]
t_check "with damping, at most 2 answer transitions ($(answers damped))" [ "$(answers damped)" -le 2 ]
out=$("$BIN/meridianctl" -c "$WORK/damped.yaml" status)
t_contains "status: held down, flapping" "DOWN (held down: flapping, reuse in " "$out"
t_contains "explain says so too" "DOWN (held down: flapping, reuse in " \
	"$("$BIN/meridianctl" -c "$WORK/damped.yaml" explain www.example.com. 67.43.156.1)"
t_check "the penalty is counted" [ "$("$BIN/meridianctl" -c "$WORK/damped.yaml" status --json |
	python3 -c 'import json,sys; print(json.load(sys.stdin)["datacenters"][0]["counters"]["suppressions"])')" -ge 1 ]
t_eq "answered from west meanwhile" 198.51.100.20 \
	"$(kdig @127.0.0.1 -p "$DNS_damped" +retry=0 +timeout=2 +short +subnet=67.43.156.1/32 www.example.com A)"
t_done
