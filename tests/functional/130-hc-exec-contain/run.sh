#!/usr/bin/env bash
# 130-hc-exec-contain: an exec probe whose command moves a child to a new session
# (setsid) leaves nothing behind: not when it times out (the kill of its process group
# misses the new session; the daemon, a child subreaper, finds and kills it), and not
# when it exits normally with a setsid'd grandchild still running.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"
command -v setsid >/dev/null || t_skip "setsid not installed"

cd "$WORK" || exit 1
cat >probe.sh <<'SH'
#!/bin/sh
# hang: a sleeper in its own session, then the probe itself overruns its timeout.
# detach: a sleeper in its own session behind a subshell that exits, then exit 0.
# Each sleeper's pid is appended to $1.pids.
case $(cat "$1") in
hang)
	setsid sleep 300 </dev/null >/dev/null 2>&1 &
	echo $! >>"$1.pids"
	sleep 300
	;;
detach)
	( setsid sleep 300 </dev/null >/dev/null 2>&1 & echo $! >>"$1.pids" )
	exit 0
	;;
esac
exit 0
SH
chmod +x probe.sh
echo hang >mode
cat >meridian.yaml <<CONF
region: test-east
state: state.db
datacenters:
  byexec:
    addresses: [192.0.2.10]
    check: { type: exec, command: ["$WORK/probe.sh", "$WORK/mode"],
             interval: 300ms, timeout: 200ms, fall: 1, rise: 1 }
CONF
h_start
t_check "a hanging probe is down on its timeout" h_wait byexec down
t_eq "reason is the timeout" "timeout after 200 ms" "$(h_obs byexec detail)"

# pids_gone FILE: every pid listed in FILE (at least 3 of them) is gone, not even a
# zombie: killed and reaped. Waits up to 30 s.
pids_gone_now() {
	local pid
	left=
	[ "$({ wc -l <"$1"; } 2>/dev/null || echo 0)" -ge 3 ] || { left=" (fewer than 3 pids)"; return 1; }
	for pid in $(cat "$1"); do
		[ -e "/proc/$pid" ] && left="$left $pid"
	done
	[ -z "$left" ]
}
pids_gone() {
	local pid left=
	t_until 30 pids_gone_now "$1" && return 0
	echo "# still there:$left"
	for pid in $left; do grep -E '^(Name|State|PPid)' "/proc/$pid/status" | tr '\n' ' '; echo; done
	return 1
}
# A few timed-out runs, each leaving a setsid'd sleeper.
three_runs() { [ "$({ wc -l <mode.pids; } 2>/dev/null || echo 0)" -ge 3 ]; }
t_until 30 three_runs
echo 0 >mode
t_check "setsid'd children of timed-out probes are killed and reaped" pids_gone mode.pids
t_check "the probe recovers" h_wait byexec up
mv mode.pids hang.pids
echo detach >mode
t_check "setsid'd grandchildren of probes that exited are killed and reaped" pids_gone mode.pids
t_check "detach mode is up (exit 0)" h_wait byexec up

kill -USR1 "$PID_hc"
# leftovers: SIGUSR1's stats line counts at least the 6 sleepers (waits up to 30 s).
leftovers_now() {
	n=$(grep -oE '[0-9]+ exec leftovers killed' "$WORK/hc.log" | tail -1 | cut -d' ' -f1)
	[ -n "$n" ] && [ "$n" -ge 6 ]
}
leftovers() {
	local n=
	t_until 30 leftovers_now && return 0
	echo "# stats say [$n] leftovers killed"; return 1
}
t_check "stats count the leftovers killed" leftovers
h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
