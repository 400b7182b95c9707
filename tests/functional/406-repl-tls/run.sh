#!/usr/bin/env bash
# 406-repl-tls: regions talk HTTPS (libmicrohttpd with GnuTLS serving, curl verifying
# against replication.tls_ca); entries replicate; a plain-HTTP peer URL to an HTTPS
# listener and an unknown CA both fail and are recorded as peer errors.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
command -v openssl >/dev/null || t_skip "openssl command not installed"

openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=meridian test CA" \
	-keyout "$WORK/ca.key" -out "$WORK/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout "$WORK/tls.key" -out "$WORK/tls.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' >"$WORK/san.ext"
openssl x509 -req -in "$WORK/tls.csr" -CA "$WORK/ca.pem" -CAkey "$WORK/ca.key" -CAcreateserial -days 2 \
	-extfile "$WORK/san.ext" -out "$WORK/tls.pem" 2>/dev/null
[ -s "$WORK/tls.pem" ] || t_skip "could not make a test certificate"

tls="  tls_cert: tls.pem
  tls_key: tls.key
  tls_ca: ca.pem"
repl_region a b -- "$tls"
repl_region b a -- "$tls"
sed -i 's|http://|https://|' "$WORK/a.yaml" "$WORK/b.yaml"
repl_start a
repl_start b
repl_write a events 20
repl_write b drain dc2 "over tls"
t_check "A and B converge over HTTPS" repl_wait_same 5 a b
t_eq "B holds A's events" 20 "$(repl_sql b "SELECT count(*) FROM events WHERE origin = 'a'")"

# C speaks plain HTTP to A's HTTPS listener, D trusts no CA that signed A: both fail.
repl_region c a
repl_region d a -- "  tls_ca: /dev/null"
sed -i 's|http://|https://|' "$WORK/d.yaml"
repl_start c
repl_start d
t_check "plain HTTP to an HTTPS peer fails, recorded" \
	repl_wait_sql 30 c "SELECT errors > 0 AND last_error != '' FROM peers WHERE region = 'a'" 1
t_check "an unverified certificate fails, recorded" \
	repl_wait_sql 30 d "SELECT errors > 0 FROM peers WHERE region = 'a'" 1
t_eq "nothing reached C or D" "0 0" "$(repl_sql c "SELECT count(*) FROM events") $(repl_sql d "SELECT count(*) FROM events")"
repl_finish
