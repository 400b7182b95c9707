#!/usr/bin/env bash
# 200-routing-explain-dnsd: `meridianctl explain` equals meridian-dnsd's answer -- the
# datacenter's addresses, TTL and ECS scope -- for 10k clients per test database (the
# small City database and a synthetic one), across weighted records, weighted map and
# nets entries, capacity spill and the address cap, with every datacenter serving and
# with one drained. And, against the running server: an ECS scope holds for every
# address inside it (a second address in the scope gets the same answer); a split over
# 10k client networks is within 2 points of its weights; raising one weight from 10 to
# 20 (SIGHUP) moves clients only into that datacenter.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
[ -x "$BIN/meridian-dnsd" ] || t_skip "meridian-dnsd not built"
HERE=$(cd "$(dirname "$0")" && pwd)
cmp_py() { python3 "$HERE/compare.py" "$@"; }
dnsq() { python3 "$HERE/dnsq.py" "$port" <"$1" >"$2" || t_abort "dnsq $1"; }

perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" >/dev/null || t_abort "test databases generated"
perl "$SRC/bench/geo-synth.pl" "$WORK/synth.mmdb" 20000 5000 300 7 2>/dev/null ||
	t_abort "synthetic database generated"
t_zone
# config DB AP-WEIGHT: every policy at once; w's ap-east weight is the one raised.
config() {
	cat >"$WORK/meridian.yaml" <<CONF
region: us-east
state: state.db
geoip: $1
dns:
  listen: ["127.0.0.1:0"]
  threads: 1
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  us-east:
    location: [38.9, -77.4]
    addresses: [203.0.113.10, 203.0.113.11, 203.0.113.12, "2001:db8:1::10", "2001:db8:1::11"]
    capacity: 1000
  eu-west:
    location: [53.3, -6.3]
    addresses: [198.51.100.10, 198.51.100.11]
    capacity: 600
  ap-east:
    location: [35.7, 139.7]
    addresses: [192.0.2.30, "2001:db8:3::30"]
    capacity: 800
  sa-east:
    location: [-23.5, -46.6]
    addresses: [192.0.2.40, "2001:db8:4::40"]
    capacity: 500
records:
  w.example.com.:
    datacenters: [us-east, eu-west, ap-east, sa-east]
    weights: {us-east: 60, eu-west: 30, ap-east: $2}
  e.example.com.:
    datacenters: [us-east, eu-west, ap-east, sa-east]
    max_addresses: 2
    map: { EU: {weights: {eu-west: 50, us-east: 50}}, AS: [ap-east, us-east] }
    nets: { "10.0.0.0/8": {weights: {ap-east: 1, sa-east: 1}, datacenters: [ap-east, sa-east, us-east]} }
  c.example.com.:
    datacenters: [us-east, eu-west, ap-east, sa-east]
  p.example.com.:
    datacenters: [us-east, eu-west, ap-east]
    split_ipv4_prefix: 20
    split_ipv6_prefix: 40
CONF
}

# explain_all STATE: explain --batch for each record into $WORK/STATE/RECORD.jsonl
explain_all() {
	mkdir -p "$WORK/$1"
	for rec in w.example.com. e.example.com. c.example.com. p.example.com.; do
		awk -v r="$rec" '$1 == r {print $2}' "$WORK/clients" >"$WORK/$1/$rec.in"
		"$BIN/meridianctl" -c "$WORK/meridian.yaml" explain "$rec" --batch "$WORK/$1/$rec.in" \
			>"$WORK/$1/$rec.jsonl" 2>"$WORK/$1/$rec.err" || t_abort "explain --batch $rec ($1)"
	done
}

# agree DB STATE: explain and dnsd agree on every client, and the policies were exercised
agree() {
	explain_all "$2"
	dnsq "$WORK/queries" "$WORK/$2/answers"
	local out
	out=$(cmp_py diff "$WORK/clients" "$WORK/$2" "$WORK/$2/answers")
	echo "$out" | sed 's/^/# /'
	t_eq "$1, $2: explain equals dnsd for 20000 answers (10000 clients, A and AAAA)" \
		"compared 20000 mismatches 0" "$(head -1 <<<"$out")"
	for r in $3; do
		t_check "$1, $2: some answers decided by $r" grep -qE "^reason $r [0-9]+" <<<"$out"
	done
}

for db in city synth; do
	rm -f "$WORK"/state.db*
	[ "$db" = city ] && mmdb=test-city.mmdb || mmdb=synth.mmdb
	config "$mmdb" 10
	# the store first (an override and its clear), so dnsd follows it from the start
	ctl force-up ap-east --reason "create the store" && ctl clear ap-east
	t_start "dnsd-$db" "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
	port=$(t_listen_port "$WORK/dnsd-$db.log") || t_abort "meridian-dnsd ($db) logs its port"
	t_wait_dns "$port" || t_abort "meridian-dnsd ($db) answers"
	t_wait_log "$WORK/dnsd-$db.log" "tries for 4 records .* compiled" || t_abort "tries compiled ($db)"
	cmp_py clients "$db" 10000 "$([ "$db" = city ] && echo 1 || echo 2)" >"$WORK/clients"
	cmp_py queries "$WORK/clients" >"$WORK/queries"

	agree "$db" serving "weight entry_weight addr_capped hashed nearest"

	# every ECS scope holds: another address inside it gets the same addresses
	cmp_py siblings "$WORK/serving/answers" 2000 3 "$WORK/sib.keys" >"$WORK/sib.queries"
	dnsq "$WORK/sib.queries" "$WORK/sib.answers"
	t_eq "$db: 2000 answers hold across their ECS scope" "same 2000 differ 0" \
		"$(cmp_py same "$WORK/serving/answers" "$WORK/sib.keys" "$WORK/sib.answers" | tail -1)"

	# drained: its clients spill by spare capacity, its split shares spread
	ctl drain us-east --reason "routing test" --actor tester --force
	t_eq "$db: drain us-east" 0 "$RC"
	probe=$(grep -m1 '"datacenter":"us-east"' "$WORK/serving/c.example.com..jsonl" |
		sed 's/.*"client":"\([^"]*\)","source_prefix":\([0-9]*\).*/\1\/\2/')
	moved_off() { kdig @127.0.0.1 -p "$port" +subnet="$probe" c.example.com A +short |
		grep -qv '^203\.0\.113\.'; }
	t_check "$db: dnsd follows the drain (probe $probe)" t_until 30 moved_off
	agree "$db" drained "spill failover weight entry_weight hashed"
	ctl clear us-east --reason "routing test done" --actor tester
	kill "$(eval echo "\$PID_dnsd_$db")" 2>/dev/null
done

# The split, measured on the synthetic database's server: 10000 client /24s.
t_start dnsd-split "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
port=$(t_listen_port "$WORK/dnsd-split.log") || t_abort "meridian-dnsd (split) logs its port"
t_wait_dns "$port" || t_abort "meridian-dnsd (split) answers"
python3 -c '
import random
r = random.Random(5)
seen = set()
while len(seen) < 10000:
    seen.add(r.randrange(1 << 16, 224 << 16))
for n in sorted(seen):
    print("w.example.com. A %d.%d.%d.0/24" % (n >> 16, (n >> 8) & 255, n & 255))
' >"$WORK/split.queries"
dnsq "$WORK/split.queries" "$WORK/split.before"
out=$(cmp_py split "$WORK/split.before" 60,30,10 203.0.113.,198.51.100.,192.0.2.30)
echo "$out" | sed 's/^/# /'
t_check "split 60/30/10 over 10000 networks within 2 points" \
	python3 -c "import sys; sys.exit(0 if float('$(tail -1 <<<"$out" | awk '{print $4}')') <= 2 else 1)"

# Raise ap-east from 10 to 20 and reload: clients move, and only into ap-east.
config synth.mmdb 20
kill -HUP "$PID_dnsd_split"
t_wait_log "$WORK/dnsd-split.log" "reloaded .*meridian.yaml" || t_abort "dnsd reloaded"
dnsq "$WORK/split.queries" "$WORK/split.after"
out=$(cmp_py moved "$WORK/split.before" "$WORK/split.after" 192.0.2.30)
echo "# $out"
t_eq "weight 10 -> 20: nothing moves elsewhere than ap-east" 0 "$(awk '{print $4}' <<<"$out")"
t_check "weight 10 -> 20: about 8% of the networks move (20/110 - 10/100)" \
	python3 -c "import sys; n = int('$(awk '{print $2}' <<<"$out")'); sys.exit(0 if 600 <= n <= 1000 else 1)"
out=$(cmp_py split "$WORK/split.after" 60,30,20 203.0.113.,198.51.100.,192.0.2.30)
t_check "the new split 60/30/20 within 2 points" \
	python3 -c "import sys; sys.exit(0 if float('$(tail -1 <<<"$out" | awk '{print $4}')') <= 2 else 1)"
# under qa/sanitize.sh: nothing reported by the servers or by explain
t_check "no sanitizer report" bash -c "! cat '$WORK'/dnsd-*.log '$WORK'/*/*.err 2>/dev/null |
	grep -qE 'runtime error|AddressSanitizer|LeakSanitizer'"
t_done
