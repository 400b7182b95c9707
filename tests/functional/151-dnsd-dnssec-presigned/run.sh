#!/usr/bin/env bash
# 151-dnsd-dnssec-presigned: zones signed by ldns-signzone (NSEC, NSEC3, NSEC3 opt-out)
# served by meridian-dnsd and validated end to end by Unbound (AD set, denials SECURE, a
# tampered signature SERVFAIL) and by delv ("fully validated").
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/dnssec.sh"
command -v delv >/dev/null || t_skip "delv not installed (bind9-dnsutils)"

mkdir -p "$WORK/zones"
# example.com.: NSEC; example.net.: NSEC3 (salt, 2 iterations); example.org.: NSEC3 opt-out
for z in com net org; do
	cat >"$WORK/zones/example.$z.zone" <<ZONE
\$ORIGIN example.$z.
\$TTL 3600
@	IN SOA	ns1 hostmaster 2026120601 7200 900 1209600 300
	IN NS	ns1
	IN MX	10 mail
ns1	IN A	192.0.2.53
mail	IN A	192.0.2.25
www	IN A	192.0.2.80
	IN AAAA	2001:db8::80
alias	IN CNAME www
tonx	IN CNAME nothere
*.wild	IN A	192.0.2.99
old	IN DNAME new.example.$z.
x.new	IN A	192.0.2.8
a.b.ent	IN A	192.0.2.9
sub	IN NS	ns.sub
ns.sub	IN A	127.0.0.254
bad	IN A	192.0.2.66
ZONE
done
for i in $(seq 1 30); do
	printf 'big\tIN TXT\t"%02d %s"\n' "$i" "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyz" \
		>>"$WORK/zones/example.com.zone"
done
for z in com net org; do sec_keys "example.$z." || t_abort "ldns-keygen for example.$z."; done
sec_sign example.com. "$WORK/zones/example.com.zone" || t_abort "ldns-signzone NSEC"
sec_sign example.net. "$WORK/zones/example.net.zone" -n -s 0a1b -t 2 || t_abort "ldns-signzone NSEC3"
sec_sign example.org. "$WORK/zones/example.org.zone" -n -p || t_abort "ldns-signzone NSEC3 opt-out"
sec_anchors example.com. example.net. example.org.
# a signature made invalid: one base64 character of bad.example.com's RRSIG A changed
python3 - "$WORK/zones/example.com.zone.signed" <<'PY'
import sys
p = sys.argv[1]
out = []
for line in open(p):
    f = line.split()
    if f and f[0] == "bad.example.com." and f[3] == "RRSIG" and f[4] == "A":
        sig = f[-1]
        i = len(sig) // 2
        f[-1] = sig[:i] + ("B" if sig[i] != "B" else "C") + sig[i + 1:]
        line = "\t".join(f) + "\n"
    out.append(line)
open(p, "w").writelines(out)
PY

cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$D_PORT"]
  threads: 2
  zones:
    - origin: example.com.
      file: zones/example.com.zone.signed
    - origin: example.net.
      file: zones/example.net.zone.signed
    - origin: example.org.
      file: zones/example.org.zone.signed
CONF
d_start || t_abort "meridian-dnsd loads the signed zones (RRSIG and NSEC beside a CNAME)"

# --- the server itself -------------------------------------------------------------
out=$(q +dnssec www.example.com A)
t_contains "DO: the answer carries its RRSIG" "RRSIG	A 13 3 3600" "$out"
t_check "AD is never set by the server" test "$(sec_flags "$out" | grep -c ad)" -eq 0
out=$(q www.example.com A)
t_eq "no DO: no RRSIG" 0 "$(grep -c RRSIG <<<"$out")"
out=$(q nope.example.com A)
t_eq "no DO: no NSEC in a denial" 0 "$(grep -c NSEC <<<"$out")"
out=$(q +dnssec nope.example.com A)
t_check "NXDOMAIN with DO: NSEC records and their RRSIGs" \
	test "$(grep -c 'IN	NSEC	' <<<"$out")" -ge 1 -a "$(grep -c 'RRSIG	NSEC ' <<<"$out")" -ge 1
out=$(q +dnssec +bufsize=1232 +notcp big.example.com TXT)
t_contains "a signed set that does not fit is truncated, not cut" " tc" " $(sec_flags "$out")"
t_eq "nothing of it is sent" 0 "$(grep -c 'IN	TXT	"' <<<"$out")"
out=$(q +dnssec +tcp big.example.com TXT)
t_eq "over TCP: the 30 records" 30 "$(grep -c 'IN	TXT	' <<<"$out")"
t_eq "and the signature" 1 "$(grep -c 'RRSIG	TXT' <<<"$out")"
out=$(q +dnssec x.sub.example.com A)
t_check "insecure referral: the NSEC of the cut proves no DS" grep -q '^sub.example.com. .*IN	NSEC	' <<<"$out"
out=$(q +dnssec x.sub.example.org A)
t_contains "insecure referral (NSEC3 opt-out): an NSEC3 proof" "IN	NSEC3	1 1" "$out"

# --- Unbound, with the zones' trust anchors, in front -------------------------------
sec_unbound "$D_PORT" example.com. example.net. example.org. || t_abort "unbound starts"
for z in com net org; do
	for qt in "www.example.$z A" "alias.example.$z A" "foo.wild.example.$z A" "x.old.example.$z A" \
		"nope.example.$z A" "www.example.$z MX" "foo.wild.example.$z TXT" "tonx.example.$z A" \
		"b.ent.example.$z A" "old.example.$z A" "sub.example.$z DS"; do
		case "$z $qt" in
		# an opt-out NSEC3 covering the next closer name leaves room for an unsigned
		# delegation: those answers are insecure, not bogus (RFC 5155 9.2), below
		"org foo.wild"* | "org nope"* | "org tonx"*) continue ;;
		esac
		# shellcheck disable=SC2086
		out=$(uq $qt)
		st=$(sec_status "$out")
		t_contains "unbound: $qt validates (AD, $st)" " ad" " $(sec_flags "$out")"
	done
done
for qt in "foo.wild.example.org A:NOERROR" "foo.wild.example.org TXT:NOERROR" \
	"nope.example.org A:NXDOMAIN" "tonx.example.org A:NXDOMAIN"; do
	# shellcheck disable=SC2086
	out=$(uq ${qt%:*})
	t_eq "unbound: ${qt%:*} behind opt-out is answered (insecure, not bogus)" "${qt#*:}" \
		"$(sec_status "$out")"
done
out=$(uq nope.example.net A)
t_eq "unbound: NSEC3 NXDOMAIN" NXDOMAIN "$(sec_status "$out")"
out=$(uq bad.example.com A)
t_eq "unbound: a tampered signature is SERVFAIL" SERVFAIL "$(sec_status "$out")"
out=$(uq +cdflag bad.example.com A)
t_contains "unbound with CD: the data is there" "192.0.2.66" "$out"

# --- delv, a second validator, against the server directly ---------------------------
for z in com net org; do
	t_eq "delv: www.example.$z A" "; fully validated" "$(sec_delv "$D_PORT" "www.example.$z" A "example.$z")"
	t_eq "delv: NXDOMAIN in example.$z" "; negative response, fully validated" \
		"$(sec_delv "$D_PORT" "nope.example.$z" A "example.$z")"
	t_eq "delv: NODATA in example.$z" "; negative response, fully validated" \
		"$(sec_delv "$D_PORT" "www.example.$z" MX "example.$z")"
	t_eq "delv: DNAME in example.$z" "; fully validated" \
		"$(sec_delv "$D_PORT" "x.old.example.$z" A "example.$z")"
	t_eq "delv: no DS at the insecure cut in example.$z" "; negative response, fully validated" \
		"$(sec_delv "$D_PORT" "sub.example.$z" DS "example.$z")"
done
for z in com net; do
	t_eq "delv: wildcard answer in example.$z" "; fully validated" \
		"$(sec_delv "$D_PORT" "foo.wild.example.$z" A "example.$z")"
	t_eq "delv: wildcard NODATA in example.$z" "; negative response, fully validated" \
		"$(sec_delv "$D_PORT" "foo.wild.example.$z" TXT "example.$z")"
done

d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_check "no sanitizer report (leaks at exit included)" d_sanitizer_clean
t_done
