#!/usr/bin/env bash
# 082-status-check: `meridianctl status` is a monitoring-plugin check: 0 OK, 1 WARNING
# (a datacenter down or drained), 2 CRITICAL (a record failing open, or the region
# isolated), 3 UNKNOWN (test 071), its last line saying which and why. Isolation (no
# peer heard from for longer than replication.isolated_after) shows in status, peers and
# /metrics, and ends when the peer is back. A peer that stays unreachable is logged once,
# then summarised every replication.warn_every, and its recovery is logged ("peer west
# reachable again"); a refused request is logged once, not per request.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"

OBS_ISOLATED_AFTER=4s
OBS_WARN_EVERY=1s
obs_setup
obs_start east "hc repl"
obs_start west "hc repl"
REPL_URL=$(obs_url repl east) || t_abort "east's replicator serves metrics"

t_check "OK (0) once us-east is up and west was heard from" obs_wait_status east 0 20
t_contains "OK: the last line says so" "OK: every datacenter serving" "$(tail -1 <<<"$OUT")"
obs_ctl east status --json
t_eq "--json: check OK, not isolated" "OK False" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["check"], d["isolated"])' "$OUT")"

obs_ctl east drain eu-west --reason "maintenance" --actor alice
obs_ctl east status
t_eq "WARNING (1) with a datacenter drained" 1 "$RC"
t_eq "WARNING: names it" "WARNING: eu-west DRAINED" "$(tail -1 <<<"$OUT")"

obs_ctl east force-down us-east --reason "test" --actor alice --force
obs_ctl east status
t_eq "CRITICAL (2) with a record failing open" 2 "$RC"
t_eq "CRITICAL: names the record and the datacenters" \
	"CRITICAL: www.example.com. fails open; us-east FORCED-DOWN; eu-west DRAINED" "$(tail -1 <<<"$OUT")"
obs_ctl east clear us-east --actor alice --force
obs_ctl east clear eu-west --actor alice
t_check "OK again once cleared" obs_wait_status east 0 10

# west's replicator goes away: east hears from nobody (lines of east's log from here on)
mark=$(wc -l <"$WORK/repl-east.log")
obs_stop repl west
t_check "CRITICAL (2) once no peer was heard from for 4 s" obs_wait_status east 2 30
last=$(tail -1 <<<"$OUT")
t_contains "CRITICAL: says isolated, since when" "CRITICAL: region isolated: no peer heard from for " "$last"
t_contains "CRITICAL: and the bound" " (replication.isolated_after 4s)" "$last"
obs_ctl east --json status
t_eq "--json: isolated" "CRITICAL True" "$(python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(d["check"], d["isolated"])' "$OUT")"
obs_ctl east peers
t_contains "peers: says isolated" "isolated: no peer heard from for" "$OUT"
obs_ctl east --json peers
t_eq "peers --json: isolated" "True" "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["isolated"])' "$OUT")"
t_eq "metrics: isolated" 1 "$(obs_metric "$(obs_scrape "$REPL_URL")" meridian_replicator_isolated)"

# the unreachable peer: logged once, then summaries
t_check "east summarises the failures (warn_every 1s)" \
	obs_wait_log repl-east.log 'warn: peer west: [0-9]* more in the last [0-9.]*s (last: peer west (http' 10
# (each kind of failure has its first line: the long poll in flight may end first with
# "Connection reset by peer"; then every retry fails to connect)
first=$(tail -n +"$((mark + 1))" "$WORK/repl-east.log" | grep -c 'warn: peer west (http://127.0.0.1:[0-9]*): Failed to connect')
t_eq "the connection failure itself is logged once" 1 "$first"

obs_start west repl
t_check "the recovery is logged" obs_wait_log repl-east.log 'info: peer west reachable again (after [0-9]* warnings in ' 20
t_check "OK (0) once west is heard from again" obs_wait_status east 0 20

# the bound must exceed long_poll: a quiet peer answers only after it
sed 's/isolated_after: 4s/isolated_after: 2s/' "$WORK/east.yaml" >"$WORK/tight.yaml"
obs_ctl tight check
t_eq "isolated_after <= long_poll + 1s is refused" 1 "$RC"
t_contains "isolated_after: the message names the key and why" \
	"replication.isolated_after: must be longer than long_poll + 1s (3000 ms), or a quiet peer looks gone" "$OUT"
t_eq "metrics: no longer isolated" 0 "$(obs_metric "$(obs_scrape "$REPL_URL")" meridian_replicator_isolated)"

# refused requests: the first is logged, the next ones not line by line (the
# replicator's refusal log, replicator/repl_ratelog.c, summarises them per interval)
for _ in 1 2 3 4 5; do
	curl -s -o /dev/null "http://127.0.0.1:$REPL_east/v1/changes?origin=east&after=0"
done
t_check "the first refusal is logged" obs_wait_log repl-east.log 'warn: refused request from' 5
t_eq "only the first refusal has a line of its own" 1 "$(grep -c 'warn: refused request from' "$WORK/repl-east.log")"
t_check "the end of the refusals is logged with the count" \
	obs_wait_log repl-east.log 'info: refused requests (unauthenticated) stopped (after 5 refusals in ' 10
t_check "the four others were summarised before" \
	test "$(awk '/more requests \(unauthenticated\)/ { for (i = 1; i < NF; i++) if ($i == "refused") n += $(i + 1) }
		END { print n + 0 }' "$WORK/repl-east.log")" -eq 4
t_done
