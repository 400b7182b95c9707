#!/usr/bin/env bash
# 133-dnsd-cookies: DNS cookies (RFC 7873, RFC 9018 server cookies) with real clients:
# kdig and dig get a server cookie and are told it is good when they send it back; a
# server cookie we did not make is BADCOOKIE over UDP (with a fresh cookie, which kdig
# retries with); a malformed cookie is FORMERR; rotating the secret file keeps the
# previous secret valid for one rotation; a valid cookie bypasses RRL; cookies can be off.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
command -v dig >/dev/null || t_skip "dig not installed (bind9-dnsutils)"
cd "$WORK" || exit 1

SECRET_A=000102030405060708090a0b0c0d0e0f
SECRET_B=f0e0d0c0b0a090807060504030201000
SECRET_C=11111111111111111111111111111111
d_zone
echo "$SECRET_A" >cookie.secret
d_config "  cookies: { secret_file: cookie.secret }
  rrl: { rate: 1, slip: 1, exempt: [127.0.0.0/24] }"
d_start || t_abort "meridian-dnsd answers"

CC=0102030405060708
# cookie_of ARGS...: the full cookie (client + server, hex) a dig query gets back.
cookie_of() { dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 "$@" www.example.com A | grep -oE 'COOKIE: [0-9a-f]+' | cut -d' ' -f2; }

out=$(kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 +cookie www.example.com A 2>&1)
t_contains "kdig +cookie: NOERROR" "status: NOERROR" "$out"
rfc9018() { echo "$out" | grep -qE 'COOKIE: [0-9A-F]{16}01000000[0-9A-F]{24}$'; }
t_check "kdig +cookie: a 16-byte RFC 9018 server cookie (version 1, timestamp, hash) after its client cookie" rfc9018
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie www.example.com A 2>&1)
t_contains "dig +cookie: dig checks the returned client cookie" "(good)" "$out"
COOKIE_A=$(cookie_of +cookie=$CC)
t_eq "the server cookie follows our client cookie" "$CC" "${COOKIE_A:0:16}"
out=$(kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 +cookie="$COOKIE_A" +nobadcookie www.example.com A 2>&1)
t_contains "kdig sending the server cookie back: answered" "status: NOERROR" "$out"
t_contains "... with the answer" "192.0.2.80" "$out"

BAD=${COOKIE_A:0:40}00000000
out=$(kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 +cookie="$BAD" +nobadcookie www.example.com A 2>&1)
t_contains "a server cookie we did not make: BADCOOKIE" "status: BADCOOKIE" "$out"
t_contains "... carrying a fresh server cookie" "COOKIE: ${CC^^}01000000" "$out"
no_answer() { ! echo "$out" | grep -q '192.0.2.80'; }
t_check "... and no answer" no_answer
out=$(kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 +cookie="$BAD" www.example.com A 2>&1)
t_contains "kdig retries with the cookie BADCOOKIE carried and gets the answer" "192.0.2.80" "$out"
out=$(kdig @127.0.0.1 -p "$D_PORT" +tcp +retry=0 +timeout=2 +cookie="$BAD" +nobadcookie www.example.com A 2>&1)
t_contains "over TCP the same cookie is answered (the connection proves the address)" "192.0.2.80" "$out"
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie=010203 www.example.com A 2>&1)
t_contains "a malformed (3-byte) client cookie: FORMERR" "status: FORMERR" "$out"

# RRL: rate 1, slip 1 (every limited response truncated; 127.0.0.0/24, where the other
# checks come from, exempt): from 127.0.6.1 a client cookie alone is limited, a valid
# server cookie never is.
tc_count() {
	local n=0 i
	for i in $(seq 20); do
		kdig @127.0.0.1 -p "$D_PORT" -b 127.0.6.1 +ignore +retry=0 +timeout=2 "$@" www.example.com A 2>&1 |
			grep -q 'Flags: qr aa tc\|flags: qr aa tc\| tc' && n=$((n + 1))
	done
	echo "$n"
}
limited=$(tc_count +cookie=$CC)
t_check "RRL: a client cookie alone is limited ($limited of 20 truncated)" test "$limited" -ge 5
COOKIE_7=$(dig @127.0.0.1 -p "$D_PORT" -b 127.0.6.1 +norec +tries=1 +time=2 +cookie=$CC www.example.com A | grep -oE 'COOKIE: [0-9a-f]+' | cut -d' ' -f2)
proven=$(tc_count +cookie="${COOKIE_7:-x}")
t_eq "RRL: a valid server cookie is never limited" 0 "$proven"

# Rotation: the file gets B then A; a cookie made with A stays good, new ones use B.
printf '%s\n%s\n' "$SECRET_B" "$SECRET_A" >cookie.secret
kill -HUP "$PID_dnsd"
reloads() { grep -c "reloaded" dnsd.log; }
reloads_at_least() { [ "$(reloads)" -ge "$1" ]; }
wait_reloads() { t_until 30 reloads_at_least "$1"; }
t_check "rotation: reloaded" wait_reloads 1
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_A" +nobadcookie www.example.com A 2>&1)
t_contains "rotation: a cookie of the previous secret is still good" "status: NOERROR" "$out"
COOKIE_B=$(cookie_of +cookie=$CC)
t_check "rotation: new cookies come from the new secret" test "${COOKIE_B:32:16}" != "${COOKIE_A:32:16}" -o "${COOKIE_B:16:16}" != "${COOKIE_A:16:16}"
printf '%s\n%s\n' "$SECRET_C" "$SECRET_B" >cookie.secret
kill -HUP "$PID_dnsd"
t_check "second rotation: reloaded" wait_reloads 2
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_A" +nobadcookie www.example.com A 2>&1)
t_contains "second rotation: the secret two back is BADCOOKIE" "status: BADCOOKIE" "$out"
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_B" +nobadcookie www.example.com A 2>&1)
t_contains "second rotation: the previous one is still good" "status: NOERROR" "$out"

echo "not-hex" >cookie.secret
kill -HUP "$PID_dnsd"
t_wait_log dnsd.log "reload of .* failed"
t_contains "a bad secret file is refused on reload, naming file and line" \
	"cookie.secret:1: expected 32 hex digits" "$(cat dnsd.log)"
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_B" +nobadcookie www.example.com A 2>&1)
t_contains "... and the running secrets are kept" "status: NOERROR" "$out"

d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_check "the exit log counts good, new and bad cookies" \
	grep -qE 'cookies: [1-9][0-9]* good, [1-9][0-9]* new, [1-9][0-9]* bad' dnsd.log
t_check "no sanitizer report" d_sanitizer_clean

# Without a secret file: a random secret, rotated by SIGHUP (the previous one kept).
d_config "  cookies: { enabled: true }"
d_start || t_abort "meridian-dnsd answers (random secret)"
COOKIE_R=$(cookie_of +cookie=$CC)
kill -HUP "$PID_dnsd"
wait_reloads 1
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_R" +nobadcookie www.example.com A 2>&1)
t_contains "random secret: still good after one SIGHUP" "status: NOERROR" "$out"
kill -HUP "$PID_dnsd"
wait_reloads 2
out=$(dig @127.0.0.1 -p "$D_PORT" +norec +tries=1 +time=2 +cookie="$COOKIE_R" +nobadcookie www.example.com A 2>&1)
t_contains "random secret: BADCOOKIE after two" "status: BADCOOKIE" "$out"
d_stop

d_config "  cookies: { enabled: false }"
d_start || t_abort "meridian-dnsd answers (cookies off)"
out=$(kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 +cookie www.example.com A 2>&1)
no_cookie() { ! echo "$out" | grep -q COOKIE; }
t_check "cookies off: no COOKIE in the answer" no_cookie
t_contains "cookies off: still answered" "192.0.2.80" "$out"
d_stop

printf 'zz\n' >bad.secret
d_config "  cookies: { secret_file: bad.secret }"
out=$("$BIN/meridian-dnsd" -c meridian.yaml 2>&1)
t_eq "a bad secret file stops the start" 1 $?
t_contains "... naming file and line" "bad.secret:1: expected 32 hex digits (a 128-bit secret)" "$out"
t_done
