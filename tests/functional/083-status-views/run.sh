#!/usr/bin/env bash
# 083-status-views: the effective state of every configured datacenter is in state.db
# (status_effective: state, real vs forced, reason, since, votes, override), with the
# records (status_records: fail-open) and the region (status_region: level, isolation),
# written by meridian-healthcheck's status thread; a status page's data rendered from
# the views with the sqlite3 command alone equals `meridianctl status --json`, through a
# drain, an outage, a fail-open and an expiry; every transition (health, override set /
# cleared / expired, fail-open) is kept in status_transitions.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"
HERE=$(cd "$(dirname "$0")" && pwd)

obs_setup
obs_start east "hc repl"
obs_start west "hc repl"

# same_now: the views of east say what meridianctl says (else the difference is in
# $WORK/same.out).
same_now() {
	"$BIN/meridianctl" -c "$WORK/east.yaml" --json status >"$WORK/ctl.json" 2>/dev/null
	python3 "$HERE/render.py" "$WORK/east.db" "$WORK/ctl.json" >"$WORK/same.out" 2>&1
	[ "$(cat "$WORK/same.out")" = same ]
}
# same: waits (30 s) until the views of east say what meridianctl says.
same() {
	t_until 30 same_now && return 0
	cat "$WORK/same.out"
	return 1
}
sql() { sqlite3 -readonly -cmd ".timeout 5000" "$WORK/east.db" "$1" 2>/dev/null; }
# wait_sql SECONDS SQL WANT
sql_is() { [ "$(sql "$1")" = "$2" ]; }
wait_sql() {
	t_until "$(($1 < 30 ? 30 : $1))" sql_is "$2" "$3" && return 0
	echo "# [$2] gave [$(sql "$2")], wanted [$3]"; return 1
}

t_check "us-east comes up in the view" \
	wait_sql 30 "SELECT state FROM status_effective WHERE datacenter = 'us-east'" up
t_check "views = status --json with everything up" same
t_eq "every configured datacenter has a row, observed or not" "us-east|up|up|0|1
eu-west|unknown|unknown|0|1" "$(sql 'SELECT datacenter, state, observed, forced, serving FROM status_effective')"
t_eq "the region's row" "east|OK|0|1" "$(sql 'SELECT region, level, isolated, peers FROM status_region')"
t_check "computed is fresh (under 10 s old)" test "$(sql 'SELECT computed_age_s FROM status_region')" -lt 10

obs_ctl east drain us-east --reason "kernel upgrade" --actor alice --for 1h
t_check "views = status --json with a drain" same
t_eq "drained: forced, real state kept apart" "drained|up|1|0|drain|kernel upgrade|alice" \
	"$(sql "SELECT state, observed, forced, serving, override_action, override_reason, override_actor FROM status_effective WHERE datacenter = 'us-east'")"
t_eq "the drain is a transition" "override-set|us-east|up|drained|drain by alice: kernel upgrade" \
	"$(sql "SELECT kind, subject, from_state, to_state, reason FROM status_transitions WHERE kind = 'override-set' LIMIT 1")"
obs_ctl east clear us-east --actor bob
t_check "views = status --json after the clear" same
t_eq "the clear is a transition" "override-cleared|drained|up|drain cleared by bob" \
	"$(sql "SELECT kind, from_state, to_state, reason FROM status_transitions WHERE kind LIKE 'override-c%' LIMIT 1")"

# us-east's origin dies: both regions see it down (a quorum of 2)
kill "$PID_origin"
t_check "us-east DOWN by quorum" obs_wait_status east 1 30
t_check "views = status --json with us-east down" same
t_eq "the outage is a health transition" "health|us-east|up|down" \
	"$(sql "SELECT kind, subject, from_state, to_state FROM status_transitions WHERE kind = 'health' AND to_state = 'down' LIMIT 1")"
t_contains "with the verdict's reason" "say down" "$(sql "SELECT reason FROM status_effective WHERE datacenter = 'us-east'")"
since=$(sql "SELECT since_ms FROM status_effective WHERE datacenter = 'us-east'")
t_check "since is when it went down (the last 60 s)" test $(( $(date +%s%3N) - since )) -lt 60000

# a drain long enough to be seen on a loaded machine, short enough to expire here
obs_ctl east drain eu-west --reason "last one" --actor alice --for 20s --force
t_check "views = status --json while www fails open" same
t_eq "status_records: www fails open" "www.example.com.|1|" "$(sql 'SELECT record, fail_open, serving FROM status_records')"
t_eq "the fail-open is a transition" "fail-open|www.example.com." \
	"$(sql "SELECT kind, subject FROM status_transitions WHERE kind = 'fail-open' LIMIT 1")"
t_eq "the region is CRITICAL" "CRITICAL" "$(sql 'SELECT level FROM status_region')"
# the 20 s drain expires by itself
t_check "the drain expires" wait_sql 60 "SELECT count(*) FROM status_transitions WHERE kind = 'override-expired'" 1
t_check "views = status --json after the expiry" same
t_eq "the expiry is a transition" "override-expired|eu-west|drained|unknown" \
	"$(sql "SELECT kind, subject, from_state, to_state FROM status_transitions WHERE kind = 'override-expired' LIMIT 1")"
t_eq "the fail-open's end is a transition" "fail-open-ended|www.example.com." \
	"$(sql "SELECT kind, subject FROM status_transitions WHERE kind = 'fail-open-ended' LIMIT 1")"
t_check "the reader needs no config: the views name everything" \
	bash -c "sqlite3 -readonly '$WORK/east.db' 'SELECT * FROM status_transitions' | grep -q 'datacenter|us-east'"
t_done
