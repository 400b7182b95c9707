#!/usr/bin/env bash
# 303-hc-exec-dns: exec probes (exit status decides; an overrunning command is killed
# with its process group), dns probes (expected rcode against a UDP responder; expected
# answer addresses against meridian-dnsd, whose zone changes under SIGHUP); several
# checks per datacenter under the all / any / percent rules.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

cd "$WORK" || exit 1
mkdir -p zones
cat >zones/example.test.zone <<'ZONE'
$ORIGIN example.test.
$TTL 60
@	IN SOA	ns1 hostmaster 1 7200 900 1209600 60
	IN NS	ns1
ns1	IN A	192.0.2.53
svc	IN A	192.0.2.61
	IN A	192.0.2.62
	IN AAAA	2001:db8::61
alias	IN CNAME svc
ZONE
cat >probe.sh <<'SH'
#!/bin/sh
# exits with the number in the file; "hang" sleeps in a child first (leaves a pid file)
v=$(cat "$1")
if [ "$v" = hang ]; then sleep 600 & echo $! >"$1.sleeper"; wait; fi
exit "$v"
SH
chmod +x probe.sh
echo 0 >exec.status
# meridian-dnsd has a config of its own: it listens on a port it picks (port 0) and
# logs, which the healthcheck's config then names.
cat >dnsd.yaml <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:0"]
  zones:
    - { origin: example.test., file: zones/example.test.zone }
CONF
t_start dnsd "$BIN/meridian-dnsd" -c dnsd.yaml
DNSD=$(t_listen_port dnsd.log) || t_abort "meridian-dnsd logs its port"
t_wait_dns "$DNSD" || t_abort "meridian-dnsd answers"
h_origin dns dns
h_origin tcp tcp
t_hold dead
DNS=$PORT_dns
TCP=$PORT_tcp
DEAD=$PORT_dead
cat >meridian.yaml <<CONF
region: test-east
state: state.db
datacenters:
  byexec:
    addresses: [192.0.2.10]
    check: { type: exec, command: ["$WORK/probe.sh", "$WORK/exec.status"],
             interval: 400ms, timeout: 300ms, fall: 3, rise: 2 }
  bydns:
    addresses: [192.0.2.20]
    check: { type: dns, address: "127.0.0.1:$DNS", qname: www.example.com., rcode: NOERROR,
             interval: 300ms, timeout: 250ms, fall: 3, rise: 2 }
  byanswer:
    addresses: [192.0.2.60]
    check: { type: dns, address: "127.0.0.1:$DNSD", qname: alias.example.test.,
             answer: [192.0.2.61, 192.0.2.62], interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
  byanswer6:
    addresses: [192.0.2.70]
    check: { type: dns, address: "127.0.0.1:$DNSD", qname: svc.example.test., qtype: AAAA,
             answer: "2001:db8::61", interval: 300ms, timeout: 250ms, fall: 2, rise: 2 }
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
t_eq "-t accepts the config" "meridian-healthcheck: meridian.yaml: configuration OK (7 datacenters)" "$("$BIN/meridian-healthcheck" -c meridian.yaml -t 2>&1)"

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
sleeper=$(cat exec.status.sleeper 2>/dev/null)
# Without the pid the check below would ask `kill -0` of nothing and pass.
t_check "exec: the hanging probe recorded its child's pid" test -n "$sleeper"
# (the child sleeps 600 s: gone within the wait, it was killed)
sleeper_gone() { ! kill -0 "$sleeper" 2>/dev/null || grep -q '^State:.*Z' "/proc/$sleeper/status"; }
t_check "exec: the overrunning command's children were killed too" t_until 30 sleeper_gone

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

# dns answer: meridian-dnsd answers alias -> svc with both addresses; SIGHUP after a zone
# edit changes one of them (answers checked with kdig first, so a failure is the probe's;
# dnsd keeps an RRset in canonical order, so the "got" list is stable).
t_check "dns answer: expected addresses present is up" h_wait byanswer up
t_eq "dns answer: reason lists them" "answer has 192.0.2.61, 192.0.2.62" "$(h_obs byanswer detail)"
t_check "dns answer: AAAA is up" h_wait byanswer6 up
t_eq "dns answer: AAAA reason" "answer has 2001:db8::61" "$(h_obs byanswer6 detail)"
sed -i 's/^svc\tIN A\t192.0.2.61$/svc\tIN A\t192.0.2.69/; s/ 1 7200 / 2 7200 /' zones/example.test.zone
kill -HUP "$PID_dnsd"
dig_a() { kdig @127.0.0.1 -p "$DNSD" +retry=0 +timeout=1 +short alias.example.test A | tr '\n' ' '; }
# answered TEXT: waits (30 s) for dnsd's answer to read TEXT.
answers_text() { [ "$(dig_a)" = "$1" ]; }
answered() {
	t_until 30 answers_text "$1" && return 0
	echo "# dnsd answers [$(dig_a)]"; return 1
}
t_check "dns answer: dnsd serves the edited zone" answered "svc.example.test. 192.0.2.62 192.0.2.69 "
t_check "dns answer: a changed address takes it down" h_wait byanswer down
t_eq "dns answer: reason names the missing and the got" \
	"answer lacks 192.0.2.61 (got 192.0.2.62, 192.0.2.69)" "$(h_obs byanswer detail)"
t_eq "dns answer: the AAAA check is unaffected" up "$(h_obs byanswer6)"
sed -i 's/192.0.2.69/192.0.2.61/; s/ 2 7200 / 3 7200 /' zones/example.test.zone
kill -HUP "$PID_dnsd"
t_check "dns answer: back up once the address is back" h_wait byanswer up
t_eq "dns answer: transitions" "unknown up down up" "$(h_transitions byanswer)"

t_check "rule all: one dead check of two takes it down" h_wait all down
t_eq "rule all: reason names the check" "check 1: connect refused" "$(h_obs all detail)"
t_check "rule any: one live check of two keeps it up" h_wait any up
t_eq "rule any: never down" "unknown up" "$(h_transitions any)"
t_check "rule 50%: one live check of three is down" h_wait half down
h_down tcp
t_check "rule any: down once no check is up" h_wait any down

h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
kill -TERM "$PID_dnsd"
wait "$PID_dnsd"
t_eq "dnsd: SIGTERM exits 0" 0 "$?"
# (with no log the negated grep would pass: the log must be there)
t_check "dnsd: no sanitizer report" \
	sh -c "[ -e dnsd.log ] && ! grep -qE 'ERROR: (Address|Leak)Sanitizer|runtime error|SUMMARY: UndefinedBehavior' dnsd.log"
t_done
