#!/usr/bin/env bash
# 304-hc-reload: SIGHUP rebuilds the check set from the file: unchanged checks keep their
# state (no transition, no unknown), new datacenters start unknown, removed ones stop
# being written; a broken file is refused and the old set keeps running. -t reports
# errors with file:line and exits 1.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

cd "$WORK" || exit 1
h_origin one tcp
h_origin two tcp
P1=$PORT_one
P2=$PORT_two
dc() { # NAME PORT [EXTRA]
	printf '  %s:\n    addresses: [192.0.2.10]\n    check: { type: tcp, address: "127.0.0.1:%s", interval: 300ms, timeout: 250ms, fall: 3, rise: 2%s }\n' "$1" "$2" "${3:-}"
}
header() {
	printf 'region: test-east\nstate: state.db\nhealth:\n  stale_after: 1500ms\ndatacenters:\n'
}
{ header; dc keep "$P1"; dc gone "$P1"; dc change "$P2"; } >meridian.yaml

h_start
t_check "keep up" h_wait keep up
t_check "gone up" h_wait gone up
t_check "change up" h_wait change up

# change's check gets a new interval; gone is removed; fresh is added.
{ header; dc keep "$P1"; dc change "$P2" ", jitter: 0ms"; dc fresh "$P1"; } >meridian.yaml
keep_writes=$(h_history keep | wc -l)
kill -HUP "$PID_hc"
t_check "the new datacenter is probed" h_wait fresh up
t_eq "the new one started unknown" "unknown up" "$(h_transitions fresh)"
t_contains "reload logged" "reloaded $WORK/meridian.yaml: 3 datacenters with 3 checks" "$(cat hc.log)"
gone_checked=$(h_obs gone checked)
t_check "the removed datacenter has a last check time" test -n "$gone_checked"
# keep's heartbeats (every stale_after/3) are the clock: two more of them, and gone would
# have been written too were it still running.
keep_written_twice() { [ "$(h_history keep | wc -l)" -ge $((keep_writes + 2)) ]; }
t_check "keep written again by its heartbeat, twice" t_until 30 keep_written_twice
t_eq "kept datacenter: no transition over the reload" "unknown up" "$(h_transitions keep)"
t_eq "changed check, same datacenter state: no transition" "unknown up" "$(h_transitions change)"
t_eq "heartbeats go on for kept datacenters (stale_after/3)" up "$(h_obs keep)"
t_eq "removed datacenter is no longer written" "$gone_checked" "$(h_obs gone checked)"

# A broken file: refused, the running set goes on.
echo "datacenters: [" >>meridian.yaml
kill -HUP "$PID_hc"
t_check "a broken reload is refused" \
	t_wait_log hc.log "reload of $WORK/meridian.yaml refused, keeping the running config"
t_check "still running" kill -0 "$PID_hc"
h_down one
t_check "the old set still probes" h_wait keep down

out=$("$BIN/meridian-healthcheck" -c meridian.yaml -t 2>&1)
t_eq "-t on a bad file exits 1" 1 $?
t_contains "-t names file and line" "meridian.yaml:" "$out"
out=$("$BIN/meridian-healthcheck" -x 2>&1)
t_eq "unknown option exits 2" 2 $?
t_contains "usage printed" "usage: meridian-healthcheck [-c FILE] [-t]" "$out"

h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
