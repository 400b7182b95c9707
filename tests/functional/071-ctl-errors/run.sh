#!/usr/bin/env bash
# 071-ctl-errors: every way an operator can get meridianctl wrong gets a clear message
# and the documented exit status (2 usage, 1 refused or failed; `status` 3 UNKNOWN),
# and changes nothing.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"

t_config

# Before any state exists, read commands say why they cannot answer.
ctl status
t_eq "status without a store is UNKNOWN (3)" 3 "$RC"
t_eq "status without a store says why" \
	"meridianctl: state store $WORK/state.db does not exist yet (it is created by meridian-dnsd, meridian-healthcheck, meridian-replicator or the first override)" \
	"$ERR"
t_check "a read command does not create the store" test ! -e "$WORK/state.db"

# expect_usage DESCRIPTION MESSAGE ARGS...: exit 2 with exactly MESSAGE on stderr.
expect_usage() {
	local what=$1 msg=$2; shift 2
	ctl "$@"
	t_eq "$what: exit 2" 2 "$RC"
	t_eq "$what: message" "$msg" "$ERR"
	t_eq "$what: nothing on stdout" "" "$OUT"
}
expect_usage "missing --reason" \
	'meridianctl: drain: --reason is required: say why, e.g. --reason "kernel upgrade"' drain us-east
expect_usage "empty --reason" "meridianctl: --reason must not be empty" drain us-east --reason ""
expect_usage "unknown datacenter" \
	'meridianctl: drain: unknown datacenter "xx" (known: us-east, eu-west)' drain xx --reason test
expect_usage "unknown datacenter on clear" \
	'meridianctl: clear: unknown datacenter "ap-south" (known: us-east, eu-west)' clear ap-south
expect_usage "bad duration" \
	'meridianctl: --for "10 minutes": not a duration (use e.g. 90s, 30m, 2h, 1d)' drain us-east --reason t --for "10 minutes"
expect_usage "zero duration" 'meridianctl: --for "0m": must be longer than 0' drain us-east --reason t --for 0m
expect_usage "missing datacenter" \
	"meridianctl: force-up: missing DC (usage: meridianctl force-up DC --reason TEXT [--at TIME] [--for DURATION] [--actor NAME] [--force] [--plan])" \
	force-up --reason t
expect_usage "unknown subcommand" 'meridianctl: unknown subcommand "stauts" (try "meridianctl --help")' stauts
expect_usage "option of another subcommand" "meridianctl: events: option --force does not apply to events" events --force
expect_usage "bad --limit" 'meridianctl: --limit "many": not a number in 0..1000000 (0 shows all)' events --limit many
t_check "usage errors did not create the store" test ! -e "$WORK/state.db"

# The config: -c missing file, MERIDIAN_CONFIG, a broken file.
OUT=$("$BIN/meridianctl" -c "$WORK/nope.yaml" status 2>&1); RC=$?
t_eq "missing config: status is UNKNOWN (3)" 3 "$RC"
t_contains "missing config: named" "$WORK/nope.yaml" "$OUT"
OUT=$(MERIDIAN_CONFIG="$WORK/meridian.yaml" "$BIN/meridianctl" check 2>&1); RC=$?
t_eq "MERIDIAN_CONFIG is used" 0 "$RC"
t_eq "check summary" "$WORK/meridian.yaml: ok (region us-east, 1 zones, 2 datacenters, 1 records, 0 peers)" "$OUT"
t_config_edit "$WORK/meridian.yaml" "$WORK/bad.yaml" 'datacenters: { eu-west: { location: [95, -6.3] } }'
# where the bad latitude stands in the file: LINE:COL
at=$(awk '/location: \[95, / { print NR ":" index($0, "95"); exit }' "$WORK/bad.yaml")
OUT=$("$BIN/meridianctl" -c "$WORK/bad.yaml" check 2>&1); RC=$?
t_eq "check of a bad config: exit 1" 1 "$RC"
t_contains "check names file:line:col" "bad.yaml:$at: " "$OUT"
t_contains "check names the key path and the problem" "datacenters.eu-west.location: latitude 95 is out of range -90..90" "$OUT"
OUT=$("$BIN/meridianctl" -c "$WORK/bad.yaml" --json check 2>/dev/null); RC=$?
t_check "check --json of a bad config parses" json_ok
t_eq "check --json says not ok" False "$(jq_py 'd["ok"]')"
OUT=$("$BIN/meridianctl" -c "$WORK/bad.yaml" drain us-east --reason t 2>&1); RC=$?
t_eq "drain with a bad config: exit 1" 1 "$RC"
t_contains "drain with a bad config: nothing done" "config invalid, nothing done" "$OUT"
t_check "bad config created no store" test ! -e "$WORK/state.db"

# Help is not an error.
OUT=$("$BIN/meridianctl" --help); RC=$?
t_eq "--help exits 0" 0 "$RC"
t_contains "--help lists drain" "  drain DC --reason TEXT [--at TIME] [--for DURATION] [--actor NAME] [--force]" "$OUT"
OUT=$("$BIN/meridianctl" drain --help); RC=$?
t_eq "drain --help exits 0" 0 "$RC"
t_contains "drain --help is the drain usage" "usage: meridianctl [-c FILE] [--json] drain DC --reason TEXT" "$OUT"
t_done
