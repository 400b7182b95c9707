#!/usr/bin/env bash
# 307-hc-dns-tcp: a dns probe whose UDP answer comes back truncated (TC) asks again over
# TCP, as a resolver would. meridian-dnsd truncates big.example.test's 40 addresses over
# UDP (the probe sends no EDNS: 512 bytes) and answers them whole over TCP; an origin that
# truncates over TCP too, closes the connection, or never answers fails the probe with a
# reason that says so, within the probe's timeout.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"
command -v kdig >/dev/null || t_skip "kdig not installed"

cd "$WORK" || exit 1
mkdir -p zones
{
	printf '$ORIGIN example.test.\n$TTL 60\n@\tIN SOA\tns1 hostmaster 1 7200 900 1209600 60\n'
	printf '\tIN NS\tns1\nns1\tIN A\t192.0.2.53\nsvc\tIN A\t192.0.2.61\n'
	for i in $(seq 1 40); do printf 'big\tIN A\t192.0.2.%d\n' "$i"; done
} >zones/example.test.zone
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
echo tc >"$WORK/tcorigin.mode"
h_origin tcorigin dns
ORIGIN=$PORT_tcorigin
cat >meridian.yaml <<CONF
region: test-east
state: state.db
datacenters:
  big:
    addresses: [192.0.2.10]
    check: { type: dns, address: "127.0.0.1:$DNSD", qname: big.example.test.,
             answer: [192.0.2.1, 192.0.2.40], interval: 2s, timeout: 1500ms, fall: 1, rise: 1 }
  bigrcode:
    addresses: [192.0.2.20]
    check: { type: dns, address: "127.0.0.1:$DNSD", qname: big.example.test., rcode: NOERROR,
             interval: 2s, timeout: 1500ms, fall: 1, rise: 1 }
  small:
    addresses: [192.0.2.30]
    check: { type: dns, address: "127.0.0.1:$DNSD", qname: svc.example.test.,
             answer: 192.0.2.61, interval: 2s, timeout: 1500ms, fall: 1, rise: 1 }
  tcorigin:
    addresses: [192.0.2.40]
    check: { type: dns, address: "127.0.0.1:$ORIGIN", qname: www.example.com., rcode: NOERROR,
             interval: 300ms, timeout: 250ms, fall: 1, rise: 1 }
CONF

# The premise: over UDP without EDNS the answer is truncated; over TCP it is whole.
udp=$(kdig @127.0.0.1 -p "$DNSD" +notcp +noedns +ignore +retry=0 +timeout=1 big.example.test A 2>&1)
t_contains "dnsd truncates the big answer over UDP" "tc" "$(grep -o 'Flags: [a-z ]*' <<<"$udp")"
t_eq "dnsd answers all 40 over TCP" 40 \
	"$(kdig @127.0.0.1 -p "$DNSD" +tcp +noedns +retry=0 +timeout=1 +short big.example.test A | wc -l)"

h_start
t_check "answer check on a truncated name: up after the TCP retry" h_wait big up
t_eq "its reason says TCP" "answer has 192.0.2.1, 192.0.2.40 over TCP" "$(h_obs big detail)"
t_check "rcode check on a truncated name: up" h_wait bigrcode up
t_eq "its reason says TCP" "rcode NOERROR over TCP" "$(h_obs bigrcode detail)"
t_check "a name that fits stays on UDP" h_wait small up
t_eq "no TCP in its reason" "answer has 192.0.2.61" "$(h_obs small detail)"
t_check "origin: TC over UDP, whole over TCP is up" h_wait tcorigin up
t_eq "origin: reason" "rcode NOERROR over TCP" "$(h_obs tcorigin detail)"

h_mode tcorigin tc-tc
t_check "TC over TCP too is a failure" h_wait tcorigin down
t_eq "and says so" "answer truncated (TC) over TCP too" "$(h_obs tcorigin detail)"
h_mode tcorigin tc
t_check "back up" h_wait tcorigin up
h_mode tcorigin tc-close
t_check "a TCP connection closed unanswered is a failure" h_wait tcorigin down
t_eq "and says so" "TCP connection closed before the answer" "$(h_obs tcorigin detail)"
h_mode tcorigin tc
t_check "back up again" h_wait tcorigin up
h_mode tcorigin tc-silent
t_check "a TCP retry that never answers fails at the probe's timeout" h_wait tcorigin down
t_eq "and says so" "timeout after 250 ms (TCP retry of a truncated answer)" "$(h_obs tcorigin detail)"
# (the bound is 250 ms plus loop slack on a quiet machine, T_TIMING=1; on a busy one the
# slack grows, so the default bound only tells the probe's timeout from a TCP one)
t_check "within the timeout: latency at most 250 ms plus loop slack" \
	test "$(h_obs tcorigin latency)" -le "$([ "${T_TIMING:-0}" = 1 ] && echo 400 || echo 5000)"
t_eq "big stayed up throughout" "unknown up" "$(h_transitions big)"

h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
kill -TERM "$PID_dnsd"
wait "$PID_dnsd"
t_eq "dnsd: SIGTERM exits 0" 0 "$?"
t_done
