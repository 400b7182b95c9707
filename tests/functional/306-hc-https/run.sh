#!/usr/bin/env bash
# 306-hc-https: https probes against a TLS origin with a self-signed certificate:
# verification is on by default (and fails here, with a TLS reason), can be switched
# off, and the configured SNI name and Host header reach the origin while the packets
# still go to the URL's address.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"

command -v openssl >/dev/null || t_skip "openssl not installed"
cd "$WORK" || exit 1
openssl req -x509 -newkey rsa:2048 -nodes -keyout key.pem -out cert.pem -days 1 \
	-subj /CN=origin.test -addext subjectAltName=DNS:origin.test >/dev/null 2>&1 ||
	t_skip "openssl cannot make a certificate"
# (probe timeouts far above a TLS handshake on a loaded machine: the reasons checked
# below must be the origin's, never a timeout)
h_origin web https cert.pem key.pem
PORT=$PORT_web
cat >meridian.yaml <<CONF
region: test-east
state: state.db
datacenters:
  verified:
    addresses: [192.0.2.10]
    check: { type: https, url: "https://127.0.0.1:$PORT/healthz", interval: 2s, timeout: 1900ms }
  unverified:
    addresses: [192.0.2.20]
    check: { type: https, url: "https://127.0.0.1:$PORT/healthz", verify_tls: false,
             body_contains: "ok sni=- host=127.0.0.1:$PORT", interval: 2s, timeout: 1900ms }
  named:
    addresses: [192.0.2.30]
    check: { type: https, url: "https://127.0.0.1:$PORT/healthz", verify_tls: false,
             sni: origin.test, host: www.example.com,
             body_contains: "ok sni=origin.test host=www.example.com", interval: 2s, timeout: 1900ms }
CONF

h_start
t_check "a self-signed origin fails verification" h_wait verified down
t_contains "reason says TLS" "TLS: " "$(h_obs verified detail)"
t_check "verification switched off: up" h_wait unverified up
t_check "SNI and Host header as configured: up" h_wait named up
t_eq "named: reason" "HTTP 200" "$(h_obs named detail)"
echo 500 >web.mode
t_check "https 500 goes down" h_wait named down
t_eq "https reason" "HTTP 500" "$(h_obs named detail)"

h_stop
t_eq "SIGTERM exits 0" 0 "$H_STATUS"
t_check "no sanitizer report" h_sanitizer_clean
t_done
