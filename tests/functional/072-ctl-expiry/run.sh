#!/usr/bin/env bash
# 072-ctl-expiry: an override given --for 1s stops counting once that second passes:
# status shows it gone, the safety rule no longer counts it, the audit log keeps it.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"

t_config

ctl drain us-east --reason "short maintenance" --for 1s --actor alice --json
t_eq "short drain accepted" 0 "$RC"
t_eq "expiry is 1s after creation" 1000 "$(jq_py 'd["expires_ms"] - d["created_ms"]')"
EXPIRES=$(jq_py 'd["expires_ms"]')
# (Checks of the live drain would race its 1 s under a loaded sanitizer run; 070 covers
# live overrides. Here only what must hold once the second has passed.)
ctl events
t_contains "the audit log has the drain" "alice  drain   us-east     short maintenance" "$OUT"

# The condition is the wall clock passing the expiry (not a guess at how long that takes).
past_expiry() { [ "$(date +%s%3N)" -gt "$((EXPIRES + 1))" ]; }
t_check "the expiry has passed" t_until 30 past_expiry
ctl status --json
t_eq "after 1s the drain is gone" "unknown None" \
	"$(jq_py 'd["datacenters"][0]["state"] + " " + str(d["datacenters"][0]["override"])')"
ctl status
t_contains "status table shows it serving again" "us-east     UNKNOWN  no observations  -" "$OUT"
ctl drain eu-west --reason "now fine" --actor bob
t_eq "expired drain no longer counts for the safety rule" 0 "$RC"
ctl status --json
t_eq "eu-west drained, us-east serving" "unknown drained" \
	"$(jq_py 'd["datacenters"][0]["state"] + " " + d["datacenters"][1]["state"]')"
ctl events
t_contains "the audit log keeps the expired drain" "alice  drain   us-east     short maintenance" "$OUT"
ctl clear us-east
t_eq "clearing an expired override is a no-op" "us-east: no override to clear" "$OUT"
t_done
