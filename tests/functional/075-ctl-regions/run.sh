#!/usr/bin/env bash
# 075-ctl-regions: two regions on loopback, each with its own meridian-healthcheck,
# meridian-replicator and state.db. `status` in one region shows both regions'
# observations with their age and reason, the quorum verdict, and refuses a drain that
# real observations make unsafe; a drain made in the other region arrives with its origin
# and actor (status, events); `peers` shows the link.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"
for p in meridian-healthcheck meridian-replicator; do
	[ -x "$BIN/$p" ] || t_skip "$p not built"
done

HERE=$(cd "$(dirname "$0")" && pwd)
cd "$WORK" || exit 1
# us-east's HTTP origin; eu-west's TCP endpoint, refusing until $WORK/west-up exists.
t_start origin python3 "$HERE/origin.py" http "$WORK/origin.port"
t_start endpoint python3 "$HERE/origin.py" tcp "$WORK/endpoint.port" "$WORK/west-up"
origins_up() { [ -s origin.port ] && [ -s endpoint.port ]; }
t_until 30 origins_up
ORIGIN=$(cat origin.port) && DEAD=$(cat endpoint.port) || c_abort "origins started"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >repl.key
# region NAME PEER PEER-PORT OWN-PORT: writes NAME.yaml (own store NAME.db): the common
# config with both datacenters checked, and replication.
region() {
	t_config_to "$1.yaml" - <<CONF
region: $1
state: $1.db
geoip: none.mmdb
datacenters:
  us-east:
    addresses: [203.0.113.10]
    check: { type: http, url: "http://127.0.0.1:$ORIGIN/healthz", interval: 1s, timeout: 900ms, fall: 2, rise: 2 }
  eu-west:
    check: { type: tcp, address: "127.0.0.1:$DEAD", interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
health: { poll: 5ms }
replication:
  listen: "127.0.0.1:$4"
  key_file: repl.key
  long_poll: 2s
  peers: { $2: "http://127.0.0.1:$3" }
CONF
}
# The replicators listen on port 0: east starts naming west by a port held and never
# listening (west is not up yet), west by east's logged port; then east is pointed at
# west's port and reloaded.
t_hold nowhere
region east west "$PORT_nowhere" 0
region west east "$PORT_nowhere" 0
for r in east west; do
	t_start "hc-$r" "$BIN/meridian-healthcheck" -c "$WORK/$r.yaml"
	t_start "repl-$r" "$BIN/meridian-replicator" -c "$WORK/$r.yaml"
	port=$(t_listen_port "$WORK/repl-$r.log") || c_abort "$r replicator listens"
	eval "REPL_$r=$port"
	t_wait_tcp "$port" || c_abort "$r replicator accepts"
	[ $r = east ] && t_peer_port west.yaml east "$REPL_east"
done
t_peer_port east.yaml west "$REPL_west"
kill -HUP "$PID_repl_east"
t_wait_log repl-east.log "info: reloaded " || c_abort "east replicator reloaded"

# c_wait SECONDS PY-EXPR: until `status --json` in east makes PY-EXPR true (SECONDS is
# the deadline on a quiet machine: tripled for a busy one).
c_holds() {
	# (status exits 1 or 2 while a datacenter is down: that is not a failure here)
	OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" --json status 2>/dev/null)
	[ -n "$OUT" ] && [ "$(jq_py "$1" 2>/dev/null)" = True ]
}
c_wait() {
	t_until $(($1 * 3)) c_holds "$2" && return 0
	echo "# waited $(($1 * 3)) s for: $2"; echo "$OUT" | head -40
	return 1
}
t_check "east sees both regions' observations of eu-west" \
	c_wait 10 'len(d["datacenters"][1]["observations"]) == 2 and len(d["datacenters"][0]["observations"]) == 2'
t_check "quorum: eu-west DOWN, us-east UP" \
	c_wait 10 'd["datacenters"][1]["state"] == "down" and d["datacenters"][0]["state"] == "up"'
t_eq "votes of eu-west" "2 0 0" "$(jq_py '" ".join(str(d["datacenters"][1]["votes"][k]) for k in ("down", "up", "stale"))')"

OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" status)
t_contains "table: us-east UP with east's observation" "us-east     UP  " "$OUT"
t_check "table: east's own observation of eu-west, with reason" \
	grep -qE '^eu-west +DOWN +east:down [0-9]+(ms|s) "connect refused' <<<"$OUT"
t_check "table: west's observation of eu-west, replicated" \
	grep -qE '^ +west:down [0-9]+(ms|s) "connect refused' <<<"$OUT"

# The safety rule judges real observations: eu-west is down, so us-east is the last one.
OUT=$("$BIN/meridianctl" -c "$WORK/west.yaml" drain us-east --reason "kernel upgrade" --actor alice 2>&1)
t_eq "drain of the last serving datacenter refused" \
	"meridianctl: drain us-east: refused: www.example.com. would have no serving datacenter (eu-west is down, us-east drained); add --force to do it anyway" \
	"$OUT"

# Clearing is judged too: with eu-west forced up (observed down) and us-east drained,
# clearing the force-up would leave www with nothing.
W() { OUT=$("$BIN/meridianctl" -c "$WORK/west.yaml" "$@" 2>&1); RC=$?; }
W force-up eu-west --reason "probe broken" --actor alice
t_eq "force-up of a down datacenter accepted" 0 "$RC"
W drain us-east --reason "kernel upgrade" --actor alice
t_eq "drain safe while eu-west is forced up" 0 "$RC"
W clear eu-west --actor bob
t_eq "clear that would leave www with nothing refused" \
	"meridianctl: clear eu-west: refused: www.example.com. would have no serving datacenter (us-east drained, eu-west is down); add --force to do it anyway" \
	"$OUT"
t_eq "refused clear exits 1" 1 "$RC"
W clear eu-west --actor bob --reason "probe fixed" --force --json
t_eq "clear --force goes through, says so" "True True" "$(jq_py 'str(d["cleared"]) + " " + str(d["forced"])')"
W events --json --limit 2
t_eq "forced clear audited as one clear event, then the drain" "clear drain" "$(jq_py 'd["events"][0]["action"] + " " + d["events"][1]["action"]')"
t_eq "the clear's detail names what it cleared and the rule it was forced past" \
	"force-up; forced past the safety rule: www.example.com. would have no serving datacenter (us-east drained, eu-west is down)" \
	"$(jq_py 'd["events"][0]["detail"]')"
W clear us-east --actor bob
t_eq "clear of the drain is safe" 'us-east: override cleared by bob (was drain by alice: "kernel upgrade")' "$OUT"

# eu-west comes up (something listens on its port); now the drain is safe.
touch "$WORK/west-up"
t_check "eu-west back UP in east's view" c_wait 10 'd["datacenters"][1]["state"] == "up"'
OUT=$(MERIDIAN_CONFIG="$WORK/west.yaml" "$BIN/meridianctl" drain us-east --reason "kernel upgrade" --actor alice --for 10m 2>&1)
t_eq "drain in west accepted" 0 "$?"
t_check "west's drain reaches east with its origin and actor" \
	c_wait 5 'd["datacenters"][0]["state"] == "drained" and d["datacenters"][0]["override"]["origin"] == "west" and d["datacenters"][0]["override"]["actor"] == "alice"'
OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" status)
t_contains "table: drained, observations say up" "us-east     DRAINED (real UP)  east:up " "$OUT"
OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" events)
t_check "east's audit log shows west's drain by alice" \
	grep -qE '^[0-9T:Z-]+ +west +alice +drain +us-east +kernel upgrade \[until ' <<<"$OUT"

# peers_contacted: east's `peers` shows a recent contact with west (the replicator records
# it when a pull completes; a long poll may hold that back a little).
west_contacted() {
	OUT=$("$BIN/meridianctl" -c "$WORK/east.yaml" peers)
	grep -qE "^west +http://127.0.0.1:$REPL_west +[0-9]+(ms|s) ago +[^ ]+ " <<<"$OUT"
}
peers_contacted() {
	t_until 30 west_contacted && return 0
	echo "$OUT"
	return 1
}
# (a pull or two may have failed while west's replicator was starting: errors not checked)
t_check "peers: west contacted within seconds" peers_contacted
ctl -c "$WORK/east.yaml" peers --json
t_check "peers --json parses" json_ok
t_eq "peers --json: configured west" "west True" "$(jq_py 'd["peers"][0]["region"] + " " + str(d["peers"][0]["configured"])')"
t_done
