#!/usr/bin/env bash
# 102-dnsd-errors: NOTIMP, FORMERR, BADVERS, unknown EDNS options, truncation and the
# client's retry over TCP.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
d_config
d_start || t_abort "meridian-dnsd answers"

status() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$1"; }
flags() { sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p' <<<"$1"; }

# raw HEX: sends one UDP datagram (hex) and prints the reply's rcode, flags and
# counts as "rcode=N qr=N tc=N qd=N an=N ar=N id=N", or "timeout".
raw() {
	python3 - "$D_PORT" "$1" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(1.5)
s.sendto(bytes.fromhex(sys.argv[2]), ("127.0.0.1", int(sys.argv[1])))
try:
    r = s.recv(65535)
except socket.timeout:
    print("timeout"); sys.exit(0)
if len(r) < 12:
    print("short", len(r)); sys.exit(0)
i, fl, qd, an, ns, ar = struct.unpack("!HHHHHH", r[:12])
print("rcode=%d qr=%d opcode=%d tc=%d qd=%d an=%d ar=%d id=%d" % (fl & 15, fl >> 15, (fl >> 11) & 15,
      (fl >> 9) & 1, qd, an, ar, i))
PY
}
# www.example.com A, as a question section
QWWW=03777777076578616d706c6503636f6d0000010001

t_contains "NOTIMP for opcode NOTIFY" "rcode=4 qr=1 opcode=4" "$(raw "abcd20000001000000000000${QWWW}")"
t_contains "NOTIMP for opcode STATUS" "rcode=4 qr=1 opcode=2" "$(raw "abcd10000001000000000000${QWWW}")"
t_contains "FORMERR for QDCOUNT 2" "rcode=1 qr=1" "$(raw "abcd01000002000000000000${QWWW}${QWWW}")"
t_contains "FORMERR for QDCOUNT 0" "rcode=1 qr=1" "$(raw "abcd0100000000000000000000")"
t_contains "FORMERR for a label running past the end" "rcode=1 qr=1" \
	"$(raw "abcd010000010000000000003f777777")"
t_contains "FORMERR for a bad OPT (two OPT records)" "rcode=1 qr=1" \
	"$(raw "abcd01000001000000000002${QWWW}0000290200000000000000""0000290200000000000000")"
t_eq "a response (QR set) gets no answer" "timeout" "$(raw "abcd81000001000000000000${QWWW}")"
t_eq "shorter than a header gets no answer" "timeout" "$(raw "abcd0100")"
t_contains "the id is echoed" "id=43981" "$(raw "abcd01000001000000000000${QWWW}")"

out=$(q +edns=1 www.example.com A)
t_eq "BADVERS for EDNS version 1" BADVERS "$(status "$out")"
t_contains "BADVERS carries OPT version 0" "Version: 0" "$out"

out=$(q +ednsopt=65001:deadbeef www.example.com A)
t_eq "unknown EDNS option ignored" NOERROR "$(status "$out")"
t_contains "unknown EDNS option answered normally" "192.0.2.80" "$out"

out=$(q +bufsize=1232 +ignore big.example.com TXT)
t_contains "big answer over UDP is truncated" " tc" " $(flags "$out")"
t_eq "truncated answer has no records" "0" "$(sed -n 's/.*ANSWER: \([0-9]*\);.*/\1/p' <<<"$out")"
out=$(q +noedns +ignore big.example.com TXT)
t_contains "big answer without EDNS is truncated" " tc" " $(flags "$out")"
out=$(q big.example.com TXT)
t_contains "kdig retries over TCP and gets it all" "TCP" "$(grep '^;; From' <<<"$out")"
t_eq "the full RRset over TCP" 16 "$(grep -c 'IN[[:space:]]*TXT' <<<"$(sed -n '/ANSWER SECTION/,/^$/p' <<<"$out")")"
if command -v dig >/dev/null; then
	out=$(dig @127.0.0.1 -p "$D_PORT" +tries=1 +time=2 big.example.com TXT)
	t_contains "dig retries over TCP too" "ANSWER: 16" "$out"
fi

t_check "server still answers" eval "q www.example.com A >/dev/null"
t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_done
