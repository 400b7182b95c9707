#!/usr/bin/env bash
# 153-dnsd-dnssec-sign-at-load: zones signed by meridian-dnsd when they load (keys from
# ldns-keygen), NSEC and NSEC3, geo answers signed per datacenter (ECS through Unbound's
# subnet cache), a signed NODATA for a geo name without AAAA, signatures renewed before
# they expire without a restart; Unbound and delv validate every answer.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/dnssec.sh"
command -v delv >/dev/null || t_skip "delv not installed (bind9-dnsutils)"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"

mkdir -p "$WORK/zones"
for z in com net; do
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
*.wild	IN A	192.0.2.99
old	IN DNAME new.example.$z.
x.new	IN A	192.0.2.8
sub	IN NS	ns.sub
ns.sub	IN A	127.0.0.254
geo	IN TXT	"geo name with static TXT"
ZONE
done
sec_keys example.com. || t_abort "ldns-keygen for example.com."
sec_keys example.net. || t_abort "ldns-keygen for example.net."
sec_anchors example.com. example.net.
cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
geoip: mmdb/test-city.mmdb
dns:
  listen: ["127.0.0.1:$D_PORT"]
  threads: 2
  zones:
    - origin: example.com.
      file: zones/example.com.zone
      dnssec:
        keys: [$ZSK_example_com_.private, $KSK_example_com_.private]
        signature_validity: 40s
        refresh: 25s
    - origin: example.net.
      file: zones/example.net.zone
      dnssec: { keys: ["$KSK_example_net_.private"], nsec3: true }
datacenters:
  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10, "2001:db8:1::10"] }
  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10] }
records:
  geo.example.com.: { datacenters: [us-east, eu-west], ttl: 30 }
  v4only.example.com.: { datacenters: [eu-west], ttl: 30 }
  geo.example.net.: { datacenters: [us-east, eu-west], ttl: 30 }
CONF

# a key file that is not there is named, and the zone is not served
sed "s|$KSK_example_net_.private|$WORK/keys/nothere.private|" "$WORK/meridian.yaml" >"$WORK/bad.yaml"
out=$("$BIN/meridian-dnsd" -t -c "$WORK/bad.yaml" 2>&1)
t_eq "-t fails on a missing key file" 1 "$?"
t_contains "and names it" "$WORK/keys/nothere.private: cannot open: No such file or directory" "$out"

d_start || t_abort "meridian-dnsd signs the zones at load"

t_check "the signing is logged with the key tags and times" grep -qE \
	"info: zone example.com. signed at load: 2 keys \(algorithm 13: [0-9]+ ZSK, [0-9]+ KSK\), NSEC, signatures valid until 20[0-9-]+T[0-9:]+Z, renewal at 20" \
	"$WORK/dnsd.log"
out=$(q +dnssec example.com DNSKEY)
t_eq "the keys' DNSKEYs are published" 2 "$(grep -c 'IN	DNSKEY	' <<<"$out")"
out=$(q +dnssec +subnet=81.2.69.0/24 geo.example.com A)
t_contains "geo answer for London: eu-west" "198.51.100.10" "$out"
t_contains "signed when DO is set" "RRSIG	A 13 3 30 " "$out"
out=$(q +subnet=81.2.69.0/24 geo.example.com A)
t_eq "no DO: no signature on the geo answer" 0 "$(grep -c RRSIG <<<"$out")"
out=$(q +dnssec v4only.example.com AAAA)
t_contains "geo name without AAAA: signed NODATA (the name's NSEC)" "IN	NSEC	" "$out"

sec_unbound "$D_PORT" example.com. example.net. || t_abort "unbound starts"
for qt in "www.example.com A" "alias.example.com A" "nope.example.com A" "www.example.com MX" \
	"foo.wild.example.com A" "x.old.example.com A" "sub.example.com DS" "geo.example.com TXT" \
	"geo.example.com AAAA" "v4only.example.com A" "v4only.example.com AAAA" \
	"www.example.net A" "nope.example.net A" "www.example.net MX" "foo.wild.example.net A" \
	"geo.example.net A" "geo.example.net MX"; do
	# shellcheck disable=SC2086
	out=$(uq $qt)
	t_contains "unbound: $qt validates (AD, $(sec_status "$out"))" " ad" " $(sec_flags "$out")"
done
U_PREV_PORT=$U_PORT
U_ECS=1 sec_unbound "$D_PORT" example.com. example.net. || t_abort "unbound with the subnet cache starts"
out=$(uq +subnet=81.2.69.0/24 geo.example.com A)
t_contains "unbound, ECS London: eu-west, validated" "198.51.100.10" "$out"
t_contains "with AD" " ad" " $(sec_flags "$out")"
out=$(uq +subnet=67.43.156.0/24 geo.example.com A)
t_contains "unbound, ECS Ashburn: us-east, validated" "203.0.113.10" "$out"
t_contains "with AD" " ad" " $(sec_flags "$out")"
U_PORT=$U_PREV_PORT

for qt in "www.example.com A" "geo.example.com A" "geo.example.com AAAA" "x.old.example.com A" \
	"www.example.net A" "geo.example.net A"; do
	name=${qt% *}
	t_eq "delv: $qt" "; fully validated" "$(sec_delv "$D_PORT" "$name" "${qt#* }" "example.${name##*.}")"
done
for qt in "nope.example.com A" "v4only.example.com AAAA" "nope.example.net A" "geo.example.net MX"; do
	name=${qt% *}
	t_eq "delv: $qt" "; negative response, fully validated" \
		"$(sec_delv "$D_PORT" "$name" "${qt#* }" "example.${name##*.}")"
done

# meridianctl asks the server on the config's address: the one it bound
sed "s/127.0.0.1:0\"/127.0.0.1:$D_PORT\"/" "$WORK/meridian.yaml" >"$WORK/ctl.yaml"
out=$("$BIN/meridianctl" -c "$WORK/ctl.yaml" zones 2>&1)
t_contains "meridianctl zones: signed at load, NSEC, the times" \
	"signing: at load, NSEC, signatures valid 40s, renewed when 25s are left" "$out"
t_contains "meridianctl zones: the KSK with its tag" "algorithm 13 KSK  $KSK_example_com_.private" "$out"
t_contains "meridianctl zones: NSEC3 for example.net." "signing: at load, NSEC3" "$out"
t_check "meridianctl zones: what is served and the next renewal" \
	grep -qE "served: signatures valid until 20[0-9-]+T[0-9:]+Z, next renewal 20" <<<"$out"
json=$("$BIN/meridianctl" -c "$WORK/ctl.yaml" --json zones)
t_check "meridianctl zones --json parses" python3 -c 'import json,sys; z=json.loads(sys.argv[1]); assert z[0]["signing"]=="at load" and z[1]["denial"]=="NSEC3" and z[0]["next_renewal"]' "$json"

# renewal: 40 s signatures, renewed when 25 s are left, i.e. about 15 s after load
soa_exp() { q +dnssec example.com SOA | awk '$4 == "RRSIG" && $5 == "SOA" { print $9 }'; }
first=$(soa_exp)
renewed=""
is_renewed() {
	local now; now=$(soa_exp)
	[ -n "$now" ] && [ "$now" != "$first" ] && renewed=$now
}
t_until 60 is_renewed
t_check "signatures renewed without a restart ($first -> $renewed)" test -n "$renewed"
t_check "the renewal is logged" grep -q "zone signatures are due for renewal" "$WORK/dnsd.log"
t_check "the server is the same process" kill -0 "$PID_dnsd"
out=$(uq www.example.com A)
t_contains "unbound: still validated after the renewal" " ad" " $(sec_flags "$out")"
t_eq "delv: still fully validated after the renewal" "; fully validated" \
	"$(sec_delv "$D_PORT" www.example.com A example.com)"

d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_check "no sanitizer report (leaks at exit included)" d_sanitizer_clean
t_done
