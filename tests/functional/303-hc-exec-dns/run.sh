#!/usr/bin/env bash
# 303-hc-exec-dns: exec probes (exit status decides; an overrunning command is killed
# with its process group) and dns probes (expected rcode against a UDP responder);
# several checks per datacenter under the all / any / percent rules.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../300-hc-lib/hc.sh"

cd "$WORK" || exit 1
DNS=$(t_port)
TCP=$(t_port)
DEAD=$(t_port)
cat >probe.sh <<'SH'
#!/bin/sh
# exits with the number in the file; "hang" sleeps in a child first (leaves a pid file)
v=$(cat "$1")
if [ "$v" = hang ]; then sleep 30 & echo $! >"$1.sleeper"; wait; fi
exit "$v"
SH
chmod +x probe.sh
echo 0 >exec.status
cat >meridian.yaml <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$(t_port)"]
datacenters:
  byexec:
    addresses: [192.0.2.10]
    check: { type: exec, command: ["$WORK/probe.sh", "$WORK/exec.status"],
             interval: 400ms, timeout: 300ms, fall: 3, rise: 2 }
  bydns:
    addresses: [192.0.2.20]
    check: { type: dns, address: "127.0.0.1:$DNS", qname: www.example.com., rcode: NOERROR,
             interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }
  all:
    addresses: [192.0.2.30]
    checks:
      - { type: tcp, address: "127.0.0.1:$TCP", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
      - { type: tcp, address: "127.0.0.1:$DEAD", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
  any:
    addresses: [192.0.2.40]
    check_rule: any
    checks:
      - { type: tcp, address: "127.0.0.1:$TCP", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
      - { type: tcp, address: "127.0.0.1:$DEAD", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
  half:
    addresses: [192.0.2.50]
    check_rule: 50%
    checks:
      - { type: tcp, address: "127.0.0.1:$TCP", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
      - { type: tcp, address: "127.0.0.1:$DEAD", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
      - { type: tcp, address: "127.0.0.1:$DEAD", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
CONF
t_eq "-t accepts the config" "meridian.yaml: configuration ok" "$("$BIN/meridian-healthcheck" -c meridian.yaml -t 2>&1)"

h_origin dns dns "$DNS"
h_origin tcp tcp "$TCP"
h_start
t_check "exec: exit status 0 is up" h_wait byexec up
t_eq "exec: reason" "exit status 0" "$(h_obs byexec detail)"
echo 3 >exec.status
t_check "exec: exit status 3 takes it down" h_wait byexec down
t_eq "exec: reason names the status" "exit status 3" "$(h_obs byexec detail)"
echo 0 >exec.status
t_check "exec: back up" h_wait byexec up
echo hang >exec.status
t_check "exec: an overrunning command takes it down" h_wait byexec down
t_eq "exec: reason is the timeout" "timeout after 300 ms" "$(h_obs byexec detail)"
echo 0 >exec.status
sleep 0.3
sleeper=$(cat exec.status.sleeper)
t_check "exec: the overrunning command's children were killed too" \
	sh -c "! kill -0 $sleeper 2>/dev/null || grep -q '^State:.*Z' /proc/$sleeper/status"

t_check "dns: NOERROR is up" h_wait bydns up
t_eq "dns: reason" "rcode NOERROR" "$(h_obs bydns detail)"
h_mode dns SERVFAIL
t_check "dns: SERVFAIL takes it down" h_wait bydns down
t_eq "dns: reason names the rcode" "rcode SERVFAIL" "$(h_obs bydns detail)"
h_mode dns NOERROR
t_check "dns: back up" h_wait bydns up
h_mode dns silent
t_check "dns: a silent server takes it down" h_wait bydns down
t_eq "dns: reason is the timeout" "timeout after 250 ms" "$(h_obs bydns detail)"

t_check "rule all: one dead check of two takes it down" h_wait all down
t_eq "rule all: reason names the check" "check 1: connect refused" "$(h_obs all detail)"
t_check "rule any: one live check of two keeps it up" h_wait any up
t_eq "rule any: never down" "unknown up" "$(h_transitions any)"
t_check "rule 50%: one live check of three is down" h_wait half down
h_kill tcp
t_check "rule any: down once no check is up" h_wait any down

h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
