#!/usr/bin/env bash
# 081-signals-stats: SIGUSR1 makes every daemon log its live counters ("stats: ...")
# and carry on (it used to kill meridian-dnsd and meridian-replicator); `meridianctl
# stats` shows the local daemons' counters read from their metrics: endpoints, as a
# table and as JSON, and says which daemon is down or not configured (exit 1).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"

obs_setup
obs_start east
obs_start west repl
t_wait_dns "$DNS_east" || t_abort "east's meridian-dnsd answers"
for prog in dnsd hc repl; do obs_url "$prog" east >/dev/null || t_abort "$prog serves metrics"; done
# meridianctl stats reads the endpoints from the config (port 0 is not guessed): east's
# config is given the ports its daemons took (port 0) and logged.
metrics_port() { obs_url "$1" east | sed 's|^http://127.0.0.1:\([0-9]*\)/.*|\1|'; }
M_DNSD=$(metrics_port dnsd) && M_HC=$(metrics_port hc) && M_REPL=$(metrics_port repl) ||
	t_abort "metrics ports read"
sed -i "s|^metrics: .*|metrics: { dnsd: \"127.0.0.1:$M_DNSD\", healthcheck: \"127.0.0.1:$M_HC\", replicator: \"127.0.0.1:$M_REPL\" }|" \
	"$WORK/east.yaml"
for _ in 1 2 3; do kdig @127.0.0.1 -p "$DNS_east" +retry=0 +subnet=67.43.156.1/32 www.example.com A >/dev/null; done

for prog in dnsd hc repl; do
	pid=$(obs_pid "$prog" east)
	kill -USR1 "$pid"
	t_check "$prog: SIGUSR1 logs the counters" obs_wait_log "$prog-east.log" "info: stats: "
	t_check "$prog: still running after SIGUSR1" kill -0 "$pid"
done
t_check "dnsd: the stats line counts the queries" \
	grep -qE 'info: stats: answered [0-9]+ of [0-9]+ queries .*, [0-9]+ geo' "$WORK/dnsd-east.log"
t_check "dnsd: the snapshot line" grep -qE 'stats: snapshot generation [1-9]' "$WORK/dnsd-east.log"
t_check "healthcheck: the probe line" grep -qE 'stats: 1 datacenters, 1 checks, [0-9]+ probes' "$WORK/hc-east.log"
t_check "replicator: the counters line" grep -qE 'stats: [0-9]+ requests served, .* pulls' "$WORK/repl-east.log"
t_check "dnsd answers after SIGUSR1" t_wait_dns "$DNS_east"
# a second signal: logged again (not a one-shot)
kill -USR1 "$(obs_pid dnsd east)"
logged_twice() { [ "$(grep -cE 'stats: answered [0-9]' "$WORK/dnsd-east.log")" -ge 2 ]; }
t_until 30 logged_twice
t_eq "dnsd: a second SIGUSR1 logs again" 2 "$(grep -cE 'stats: answered [0-9]' "$WORK/dnsd-east.log")"

out=$("$BIN/meridianctl" -c "$WORK/east.yaml" stats)
t_eq "stats: exit 0 with every daemon up" 0 $?
t_contains "stats: dnsd section" "meridian-dnsd         127.0.0.1:$M_DNSD" "$out"
t_contains "stats: healthcheck section" "meridian-healthcheck  127.0.0.1:$M_HC" "$out"
t_contains "stats: replicator section" "meridian-replicator   127.0.0.1:$M_REPL" "$out"
t_check "stats: the geo answers of www" grep -qE 'meridian_dnsd_record_answers_total\{record="www.example.com."\} +3$' <<<"$out"
json=$("$BIN/meridianctl" -c "$WORK/east.yaml" --json stats)
t_eq "stats --json: three daemons, all up, with the query counter" "3 True 3" "$(python3 -c '
import json, sys
d = json.loads(sys.argv[1])
ds = d["daemons"]
print(len(ds), all(x["up"] for x in ds), ds[0]["metrics"]["meridian_dnsd_record_answers_total{record=\"www.example.com.\"}"])' "$json")"

kill -TERM "$(obs_pid hc east)"
hc_gone() { ! kill -0 "$(obs_pid hc east)" 2>/dev/null; }
t_until 30 hc_gone
out=$("$BIN/meridianctl" -c "$WORK/east.yaml" stats 2>&1)
t_eq "stats: exit 1 when a daemon does not answer" 1 $?
t_contains "stats: says which and why" "meridian-healthcheck  cannot connect to 127.0.0.1:$M_HC: Connection refused" "$out"
out=$("$BIN/meridianctl" -c "$WORK/west.yaml" --json stats)
t_eq "stats --json: endpoints on port 0 are not guessed" "False" "$(python3 -c '
import json, sys
print(json.loads(sys.argv[1])["daemons"][2]["up"])' "$out")"
sed -i '/^metrics:/d' "$WORK/west.yaml"
out=$("$BIN/meridianctl" -c "$WORK/west.yaml" stats 2>&1)
t_eq "stats: exit 1 with nothing configured" 1 $?
t_contains "stats: says nothing is configured" "no metrics address is configured" "$out"
t_done
