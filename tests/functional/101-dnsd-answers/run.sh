#!/usr/bin/env bash
# 101-dnsd-answers: authoritative answers of meridian-dnsd as kdig sees them
# (AA, NXDOMAIN/NODATA with SOA, CNAME, wildcard, referral with glue, case, REFUSED,
# ANY, AXFR, NSID, CHAOS identity).
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
# a CNAME loop: loaded with a warning, answered once round
cat >>"$WORK/zones/example.com.zone" <<'ZONE'
loop1	IN CNAME loop2
loop2	IN CNAME loop1
ZONE
# referrals whose glue does not fit 512 bytes: big. has in-domain glue, sib. only sibling
# glue (its servers are in big.)
for i in $(seq -w 0 19); do
	printf 'big\tIN NS\tns%s.big\nns%s.big\tIN A\t192.0.2.%d\nsib\tIN NS\tns%s.big\n' \
		"$i" "$i" "$((10#$i + 100))" "$i" >>"$WORK/zones/example.com.zone"
done
d_config
d_start || t_abort "meridian-dnsd answers"

status() { sed -n 's/.*status: \([A-Z]*\).*/\1/p' <<<"$1"; }
flags() { sed -n 's/^;; Flags: \([a-z ]*\);.*/\1/p' <<<"$1"; }
# section NAME OUTPUT: the records of one section, whitespace squeezed.
section() { awk -v s=";; $1 SECTION:" '$0==s{on=1;next} /^;;/{on=0} on&&NF{$1=$1;print}' <<<"$2"; }

out=$(q www.example.com A)
t_eq "A answer NOERROR" NOERROR "$(status "$out")"
t_contains "A answer has AA" " aa" " $(flags "$out")"
t_eq "A answer data" "www.example.com. 3600 IN A 192.0.2.80" "$(section ANSWER "$out")"

out=$(q nope.example.com A)
t_eq "NXDOMAIN" NXDOMAIN "$(status "$out")"
t_contains "NXDOMAIN has AA" " aa" " $(flags "$out")"
t_eq "NXDOMAIN SOA with negative TTL (RFC 2308: min of TTL and MINIMUM)" \
	"example.com. 300 IN SOA ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300" \
	"$(section AUTHORITY "$out")"

out=$(q www.example.com MX)
t_eq "NODATA is NOERROR" NOERROR "$(status "$out")"
t_eq "NODATA has no answer" "" "$(section ANSWER "$out")"
t_contains "NODATA has SOA" "IN SOA ns1.example.com." "$(section AUTHORITY "$out")"

out=$(q alias.example.com A)
t_eq "CNAME chased inside the zone" \
	"alias.example.com. 3600 IN CNAME www.example.com.
www.example.com. 3600 IN A 192.0.2.80" "$(section ANSWER "$out")"

out=$(q loop1.example.com A)
t_eq "CNAME loop rendered once, stopping where a name repeats" \
	"loop1.example.com. 3600 IN CNAME loop2.example.com.
loop2.example.com. 3600 IN CNAME loop1.example.com." "$(section ANSWER "$out")"
t_eq "CNAME loop answers NOERROR (the last name exists)" NOERROR "$(status "$out")"
t_eq "CNAME loop warned once at load" 1 "$(grep -c 'warn: .*/zones/example.com.zone: CNAME loop loop[12].example.com. -> loop[12].example.com. -> loop[12].example.com.' "$WORK/dnsd.log")"

out=$(q ext.example.com A)
t_eq "CNAME out of zone not chased" "ext.example.com. 3600 IN CNAME www.example.net." \
	"$(section ANSWER "$out")"

out=$(q foo.wild.example.com A)
t_eq "wildcard synthesised with the query name" "foo.wild.example.com. 3600 IN A 192.0.2.99" \
	"$(section ANSWER "$out")"
out=$(q a.b.wild.example.com TXT)
t_eq "wildcard covers deeper names" 'a.b.wild.example.com. 3600 IN TXT "wildcard"' \
	"$(section ANSWER "$out")"

out=$(q host.sub.example.com A)
t_eq "referral is NOERROR" NOERROR "$(status "$out")"
t_eq "referral has no AA" "qr rd" "$(flags "$out")"
t_eq "referral NS" "sub.example.com. 3600 IN NS ns.sub.example.com." "$(section AUTHORITY "$out")"
t_eq "referral glue" "ns.sub.example.com. 3600 IN A 198.51.100.53" "$(section ADDITIONAL "$out" | grep -v OPT)"

# RFC 9471: in-domain glue that does not fit truncates, sibling glue is left out
out=$(q +noedns +ignore x.big.example.com A)
t_contains "referral whose in-domain glue does not fit has TC" " tc" " $(flags "$out")"
out=$(q +noedns +ignore x.sib.example.com A)
t_eq "referral whose sibling glue does not fit has no TC" "qr rd" "$(flags "$out")"
t_eq "referral with sibling glue left out keeps its NS set" 20 "$(section AUTHORITY "$out" | grep -c ' NS ')"
n=$(section ADDITIONAL "$out" | grep -c ' A ')
t_check "referral carries the sibling glue that fits ($n of 20)" test "$n" -ge 1 -a "$n" -lt 20

# kdig lower-cases the name it sends; dig sends it as typed.
out=$(dig @127.0.0.1 -p "$D_PORT" +tries=1 +time=2 +noall +question +answer WwW.ExAmPlE.CoM A |
	tr -s ' \t' ' ')
t_contains "query name case preserved in the question" ";WwW.ExAmPlE.CoM. IN A" "$out"
t_contains "query name case preserved in the answer" "WwW.ExAmPlE.CoM. 3600 IN A 192.0.2.80" "$out"

out=$(q www.example.org A)
t_eq "REFUSED outside our zones" REFUSED "$(status "$out")"

out=$(q example.com ANY)
t_eq "ANY answered" NOERROR "$(status "$out")"
n=$(section ANSWER "$out" | wc -l)
t_check "ANY answered minimally (RFC 8482: one RRset)" test "$n" -ge 1 -a "$n" -le 2

out=$(q +tcp example.com AXFR 2>&1)
t_contains "AXFR refused" "REFUSED" "$out"

out=$(q +tcp -t IXFR=2024010101 example.com 2>&1)
t_contains "IXFR refused" "REFUSED" "$out"

out=$(q +nsid www.example.com A)
t_contains "NSID in the response" '"ns1.test-east"' "$(grep NSID <<<"$out")"
out=$(q www.example.com A)
t_contains "answered without +nsid" "192.0.2.80" "$out"
t_eq "no NSID unless asked" "" "$(grep NSID <<<"$out")"

out=$(q id.server CH TXT)
t_eq "CHAOS id.server is the region" 'id.server. 0 CH TXT "test-east"' "$(section ANSWER "$out")"
out=$(q hostname.bind CH TXT)
t_contains "CHAOS hostname.bind" '"test-east"' "$(section ANSWER "$out")"
out=$(q version.bind CH TXT)
t_eq "version.bind off by default" REFUSED "$(status "$out")"

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_contains "shutdown logged" "shutting down" "$(cat "$WORK/dnsd.log")"
t_done
