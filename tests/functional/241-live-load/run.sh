#!/usr/bin/env bash
# 241-live-load: meridian-healthcheck reads each datacenter's live load (datacenters.NAME.load)
# from a JSON document (a JSON path) or a Prometheus page (a metric, labels matched
# exactly, series summed), writes it to the store (table loads, view status_loads) and
# meridianctl status shows the reading that counts (text and --json); a read that fails
# says why and stops counting; bad load settings are refused with file:line.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"
. "$(dirname "$0")/../lib/ctl.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

mkdir -p "$WORK/pages"
page() { printf '%s\n' "$2" >"$WORK/pages/$1.tmp" && mv "$WORK/pages/$1.tmp" "$WORK/pages/$1"; }
page stats.json '{"load": {"current": 420, "unit": "rps"}}'
page metrics '# HELP conns Open connections.
# TYPE conns gauge
conns{pool="web"} 120
conns{pool="api"} 7
conns{pool="web",zone="b"} 1000
queue_depth 3
queue_depth{shard="2"} 4.5'
t_start pages python3 "$HERE/pages.py" "$WORK/pages.port" "$WORK/pages"
t_until 30 test -s "$WORK/pages.port" || t_abort "page server started"
P=$(cat "$WORK/pages.port")

t_config - <<CONF
health: { stale_after: 30s }
metrics: { healthcheck: "127.0.0.1:0" }
datacenters:
  us-east:
    load: { url: "http://127.0.0.1:$P/stats.json", json: "\$.load.current", interval: 500ms, timeout: 400ms, heartbeat: 2s }
  eu-west:
    load: { url: "http://127.0.0.1:$P/metrics", metric: 'conns{pool="web"}', interval: 500ms, timeout: 400ms }
CONF
t_check "the config with loads checks" "$BIN/meridian-healthcheck" -c "$WORK/meridian.yaml" -t
h_start
ctl_json() { "$BIN/meridianctl" -c "$WORK/meridian.yaml" --json status 2>/dev/null; }
# load_is DC WANT: status --json gives DC's load value WANT (Python repr)
load_is() {
	[ "$(ctl_json | python3 -c 'import json,sys; d=json.load(sys.stdin); v=[x["load"]["value"] for x in d["datacenters"] if x["name"] == sys.argv[1]][0]; print(None if v is None else float(v))' "$1" 2>/dev/null)" = "$2" ]
}
t_check "us-east's load is read from the JSON path" t_until 30 load_is us-east 420.0
t_check "eu-west's is the series with exactly those labels" t_until 30 load_is eu-west 120.0
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$WORK/state.db" "$1" 2>/dev/null; }
t_eq "status_loads has both, read by this region" "eu-west|us-east|120.0|1
us-east|us-east|420.0|1" "$(sql 'SELECT datacenter, checker, load, ok FROM status_loads')"
ctl status
t_contains "status shows the load" "LOAD us-east: 420 (read by us-east " "$OUT"
t_until 30 grep -q "metrics: serving" "$WORK/hc.log"
URL=$(sed -n 's/.*metrics: serving \(http:[^ ]*\).*/\1/p' "$WORK/hc.log" | tail -1)
M=$(curl -s "$URL")
t_contains "/metrics has the last value" 'meridian_healthcheck_load{datacenter="eu-west"} 120' "$M"
metric_positive() { grep -qE "^$1 [1-9]" <<<"$M"; }
t_check "and counts reads" metric_positive 'meridian_healthcheck_load_reads_total\{datacenter="us-east",result="ok"\}'
t_check "and readings written" metric_positive 'meridian_healthcheck_loads_written_total\{result="ok"\}'

page stats.json '{"load": {"current": 555.5}}'
t_check "a new value is followed" t_until 30 load_is us-east 555.5
page stats.json '{"load": {"current": "busy"}}'
t_check "a read that finds no number stops counting" t_until 30 load_is us-east None
ctl status --json
t_eq "and says why" "no number at \$.load.current: it is text" \
	"$(jq_py '[x["load"]["error"] for x in d["datacenters"] if x["name"] == "us-east"][0]')"
ctl status
t_contains "in the text too" "LOAD us-east: unknown (no fresh reading); last read by us-east failed " "$OUT"
t_eq "status_loads has the error" "0|no number at \$.load.current: it is text" \
	"$(sql "SELECT ok, error FROM status_loads WHERE datacenter = 'us-east'")"
rm "$WORK/pages/stats.json"
ok_404() { ctl status --json; [ "$(jq_py '[x["load"]["error"] for x in d["datacenters"] if x["name"] == "us-east"][0]')" = "HTTP 404" ]; }
t_check "an HTTP error is a failed read" t_until 30 ok_404
page stats.json '{"load": {"current": 10}}'
t_check "and it recovers" t_until 30 load_is us-east 10.0

# SIGHUP takes new load settings: another path in the same page.
page stats.json '{"load": {"current": 10, "peak": 99}}'
t_config_edit "$WORK/meridian.yaml" "$WORK/meridian.yaml" 'datacenters: { us-east: { load: { json: "$.load.peak" } } }'
kill -HUP "$PID_hc"
t_check "after SIGHUP the new JSON path is read" t_until 30 load_is us-east 99.0

# Settings refused with file:line, each naming the field.
# bad DATACENTER LOAD-OVERRIDES: bad.yaml is the running config with DATACENTER's load
# changed so; OUT and RC are what meridian-healthcheck -t says of it.
bad() {
	t_config_edit "$WORK/meridian.yaml" "$WORK/bad.yaml" "datacenters: { $1: { load: $2 } }"
	OUT=$("$BIN/meridian-healthcheck" -c "$WORK/bad.yaml" -t 2>&1)
	RC=$?
}
bad us-east '{ metric: up }'
t_eq "json and metric both: exit 1" 1 "$RC"
t_contains "says exactly one" "datacenters.us-east.load: needs exactly one of json (a JSON path) and metric (a Prometheus metric name)" "$OUT"
bad us-east '{ json: load.current }'
t_contains "a JSON path without \$" "datacenters.us-east.load.json: a JSON path starts with \$ (\"\$.load\")" "$OUT"
bad eu-west '{ metric: 9conns }'
t_contains "a bad metric name" "datacenters.eu-west.load.metric: not a Prometheus metric name" "$OUT"
bad eu-west "{ url: \"ftp://127.0.0.1:$P/metrics\" }"
t_contains "a URL that is not http" "datacenters.eu-west.load.url: invalid URL \"ftp://127.0.0.1:$P/metrics\" (expected http://... or https://...)" "$OUT"
t_contains "with file:line" "bad.yaml:" "$OUT"

t_check "no sanitizer report" h_sanitizer_clean
h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_done
