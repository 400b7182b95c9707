#!/usr/bin/env bash
# 073-ctl-reload: `meridianctl reload` finds the meridian-dnsd serving its config and sends
# it SIGHUP (dnsd reloads and keeps running); with no such dnsd, or a pid file naming
# another program, it refuses.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"
[ -x "$BIN/meridian-dnsd" ] || t_skip "meridian-dnsd not built"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"

# The common config, serving the zone only (no geo records, so no GeoIP database).
t_config 'dns: { listen: ["127.0.0.1:0"], threads: 1 }
geoip: null
datacenters: null
records: null'

ctl reload
t_eq "no dnsd: exit 1" 1 "$RC"
# (other meridian-dnsd processes with other configs may run on this machine: not ours)
t_contains "no dnsd: message" "meridianctl: reload: no meridian-dnsd is running with config $(realpath "$WORK/meridian.yaml")" "$ERR"

# Started with a relative -c from its own directory: reload must still match it.
(cd "$WORK" && exec "$BIN/meridian-dnsd" -c meridian.yaml >"$WORK/dnsd.log" 2>&1) &
dnsd=$!
T_PIDS+=("$dnsd")
port=$(t_listen_port "$WORK/dnsd.log") || c_abort "meridian-dnsd logs its port"
t_wait_dns "$port" || c_abort "meridian-dnsd answers"

ctl reload
t_eq "reload exits 0" 0 "$RC"
t_eq "reload names the pid" "sent SIGHUP to meridian-dnsd (pid $dnsd)" "$OUT"
t_check "dnsd reloaded" t_wait_log "$WORK/dnsd.log" "reloaded"
t_check "dnsd still running" kill -0 "$dnsd"

# A second dnsd on the same config, found by the pid file it writes itself.
t_start dnsd2 "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml" --listen "127.0.0.1:0" --pid-file "$WORK/dnsd2.pid"
port2=$(t_listen_port "$WORK/dnsd2.log") || c_abort "second meridian-dnsd logs its port"
t_wait_dns "$port2" || c_abort "second meridian-dnsd answers"
ctl reload --pid-file "$WORK/dnsd2.pid" --json
t_eq "reload --pid-file exits 0" 0 "$RC"
t_eq "reload --json lists the pid from the file" "[$PID_dnsd2]" "$(jq_py 'd["pids"]')"
ctl reload
t_eq "without --pid-file both dnsd on this config get it" 2 "$(grep -c 'sent SIGHUP' <<<"$OUT")"

echo "$$" >"$WORK/other.pid"
ctl reload --pid-file "$WORK/other.pid"
t_eq "pid file of another program: exit 1" 1 "$RC"
t_eq "pid file of another program: refused" \
	"meridianctl: reload: process $$ from $WORK/other.pid is not meridian-dnsd (stale pid file?)" "$ERR"
t_done
