#!/usr/bin/env bash
# 074-ctl-explain: `meridianctl explain` says where a client is, how each candidate ranks
# and why, what the answer is and its ECS scope -- and it agrees with what meridian-dnsd
# actually answers (kdig +subnet), before and after a drain. `geo` prints the record.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"
# The agreement with meridian-dnsd's answers is half of what this shows: without kdig or
# the server the scenario is skipped, visibly, rather than passing on explain alone.
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
[ -x "$BIN/meridian-dnsd" ] || t_skip "meridian-dnsd not built"

perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" || c_abort "test databases generated"
# The common config with the test database, a third datacenter and a second record.
t_config - <<'CONF'
geoip: test-city.mmdb
dns: { listen: ["127.0.0.1:0"], threads: 1 }
datacenters:
  ap-east:
    location: [35.7, 139.7]
    addresses: [192.0.2.30, "2001:db8:3::30"]
records:
  www.example.com.:
    datacenters: [us-east, eu-west, ap-east]
    map: { "AS/CN": [eu-west] }
    nets: { "10.0.0.0/8": [ap-east] }
  one.example.com.:
    datacenters: [eu-west]
CONF

# Manchester: eu-west is nearest and answers A; it has no IPv6, so us-east answers AAAA.
ctl explain www.example.com. 81.2.69.142
t_eq "explain exits 0" 0 "$RC"
t_contains "client location and network" "client:   EU/GB/ENG at 53.4808, -2.2426 (GeoIP network 81.2.69.128/25)" "$OUT"
t_contains "no state yet is said" "state:    no state store yet: every datacenter counts as serving" "$OUT"
t_contains "nearest first, by distance" "1  eu-west     270 km    distance   UNKNOWN  answers A; no IPv6 addresses" "$OUT"
t_contains "AAAA from the next with IPv6" "2  us-east     5720 km   distance   UNKNOWN  answers AAAA" "$OUT"
t_contains "farthest last" "3  ap-east     9443 km   distance   UNKNOWN  lower preference" "$OUT"
t_contains "A answer" "answer A     198.51.100.10 from eu-west" "$OUT"
t_contains "AAAA answer" "answer AAAA  2001:db8:1::10 from us-east" "$OUT"
t_contains "scope" "ECS scope    /24" "$OUT"

ctl explain www.example.com 175.16.199.5
t_contains "map rule named" "rule:     map AS/CN" "$OUT"
t_contains "map rule ranks first" "1  eu-west     8268 km   map AS/CN  UNKNOWN  answers A; no IPv6 addresses" "$OUT"
ctl explain www.example.com 10.1.2.3
t_contains "nets rule named" "rule:     nets 10.0.0.0/8 decides by address" "$OUT"
t_contains "nets rule ranks first" "1  ap-east     -         nets 10.0.0.0/8  UNKNOWN  answers A and AAAA" "$OUT"
t_contains "nets scope" "ECS scope    /8" "$OUT"
ctl explain one.example.com 81.2.69.142
t_contains "a name that never varies has scope 0" "ECS scope    /0 (the record answers every client alike)" "$OUT"
t_contains "no IPv6 at all is NODATA" "answer AAAA  none: no candidate has IPv6 addresses (NODATA)" "$OUT"

ctl explain www.example.com 81.2.69.142 --subnet 0
t_contains "source prefix 0 answers with scope 0" "ECS scope    /0 (source prefix 0" "$OUT"

ctl --json explain www.example.com 2001:218::1 --subnet 48
t_check "explain --json parses" json_ok
t_eq "JSON: located in Tokyo" "AS JP 13 2001:218::/32" \
	"$(jq_py '" ".join([d["location"]["continent"], d["location"]["country"], d["location"]["subdivision"], d["location"]["network"]])')"
t_eq "JSON: ap-east answers both" "ap-east ap-east" "$(jq_py 'd["answer"]["A"]["datacenter"] + " " + d["answer"]["AAAA"]["datacenter"]')"
t_eq "JSON: candidate order" "ap-east,eu-west,us-east" "$(jq_py '",".join(c["datacenter"] for c in d["candidates"])')"
t_eq "JSON: scope and source prefix" "32 48" "$(jq_py 'str(d["scope"]) + " " + str(d["source_prefix"])')"

# Usage errors.
ctl explain nope.example.com 192.0.2.1
t_eq "unknown record: exit 2" 2 "$RC"
t_eq "unknown record: message" \
	"meridianctl: explain: \"nope.example.com\" is not a geo record of $WORK/meridian.yaml (records: www.example.com., one.example.com.)" "$ERR"
ctl explain www.example.com 192.0.2
t_eq "bad address: exit 2" 2 "$RC"
t_eq "bad address: message" 'meridianctl: explain: "192.0.2" is not an IPv4 or IPv6 address' "$ERR"
ctl explain www.example.com 192.0.2.1 --subnet 33
t_eq "subnet too long: message" "meridianctl: explain: --subnet 33 is longer than 32, the length of an IPv4 address" "$ERR"

# geo: the database record itself.
ctl geo 2002:5102:4501::1
t_contains "geo: 6to4 looked up as IPv4" "form: 6to4, looked up as 81.2.69.1" "$OUT"
t_contains "geo: city" "city: London" "$OUT"
ctl geo 8.8.8.8 --json
t_check "geo --json parses" json_ok
t_eq "geo --json: no record" "none 8.0.0.0/5" "$(jq_py 'd["record"] + " " + d["network"]')"

# explain agrees with meridian-dnsd, including after a drain.
# Create the store first (an override and its clear), so dnsd follows it from start.
ctl force-up ap-east --reason "create the store" && ctl clear ap-east
t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
port=$(t_listen_port "$WORK/dnsd.log") || c_abort "meridian-dnsd logs its port"
t_wait_dns "$port" || c_abort "meridian-dnsd answers"
# same CLIENT TYPE: compares dnsd's first address and scope with explain's --json
same() {
	local client=$1 type=$2 subnet=${1#*/} ip=${1%/*} dig want got
	dig=$(kdig @127.0.0.1 -p "$port" +subnet="$client" www.example.com "$type")
	got="$(awk -v t="$type" '$1 !~ /^;/ && $4 == t {print $5; exit}' <<<"$dig") /$(sed -n 's#.*CLIENT-SUBNET: .*/\([0-9]*\)$#\1#p' <<<"$dig")"
	ctl --json explain www.example.com "$ip" --subnet "$subnet"
	want="$(jq_py "d['answer']['$type']['addresses'][0]") /$(jq_py 'd["scope"]')"
	# Both sides empty (dnsd silent, explain failing) must not count as agreement.
	t_check "dnsd answers an address and a scope: $type for $client" \
		test -n "${got%% /*}" -a "${got##*/}" != ""
	t_eq "dnsd agrees with explain: $type for $client" "$want" "$got"
}
for c in 81.2.69.142/32 67.43.156.1/32 175.16.199.5/32 10.1.2.3/32 81.2.69.0/24 2001:218::1/128 2a02:cf44::1/48; do
	same "$c" A
done
same 81.2.69.142/32 AAAA
ctl drain eu-west --reason "explain test" --actor tester --force # one.example.com. has only eu-west
t_eq "drain eu-west" 0 "$RC"
# dnsd follows state.db within its poll interval (100 ms promised; 107 measures it):
# wait for it here (30 s on a busy machine)
drain_served() { kdig @127.0.0.1 -p "$port" +subnet=81.2.69.142/32 www.example.com A | grep -q 203.0.113.10; }
t_check "dnsd follows the drain" t_until 30 drain_served
ctl explain www.example.com 81.2.69.142
t_contains "drained shown in explain" "1  eu-west     270 km    distance   DRAINED  not serving (drained)" "$OUT"
t_contains "next one answers" "2  us-east     5720 km   distance   UNKNOWN  answers A and AAAA" "$OUT"
same 81.2.69.142/32 A
t_done
