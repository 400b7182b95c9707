#!/usr/bin/env bash
# 111-dnsd-geo-start: meridian-dnsd answers geo names from the mapped database (direct
# mode) at start-up, then swaps in the compiled tries and logs the compile time; a
# database that opens but does not compile stops the server with the file named, and
# `-t` fails on it the same way.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"

geo_config() { # DB: appends the geo part of the config, on database DB
	cat <<CONF
geoip: $1
datacenters:
  us-east: { location: [38.9, -77.4], addresses: [203.0.113.10] }
  eu-west: { location: [53.3, -6.3], addresses: [198.51.100.10] }
records:
  geo.example.com.:
    datacenters: [us-east, eu-west]
    ttl: 30
    nets: { "81.2.69.64/26": [us-east] }
CONF
}

d_zone
d_config
geo_config mmdb/test-city.mmdb >>"$WORK/meridian.yaml"
d_start || t_abort "meridian-dnsd answers"
t_wait_log "$WORK/dnsd.log" "answering from them"
log=$(cat "$WORK/dnsd.log")
t_contains "start-up answers straight from the file" \
	"info: geoip: answering straight from $WORK/mmdb/test-city.mmdb while its tries compile" "$log"
t_check "the compiled tries take over, with the compile time" \
	grep -qE "info: geoip: tries for 1 records of $WORK/mmdb/test-city.mmdb compiled in [0-9]+ ms; answering from them" "$WORK/dnsd.log"
t_check "direct mode is logged before the tries take over" \
	[ "$(grep -n 'answering straight from' "$WORK/dnsd.log" | cut -d: -f1)" -lt \
	"$(grep -n 'answering from them' "$WORK/dnsd.log" | cut -d: -f1)" ]
ecs() { q +noall +answer +subnet="$1" geo.example.com A | awk '{ print $5 }' | head -1; }
t_eq "London goes to eu-west" 198.51.100.10 "$(ecs 81.2.69.0/26)"
t_eq "the nets rule inside London's network goes to us-east" 203.0.113.10 "$(ecs 81.2.69.70/32)"
t_eq "Ashburn goes to us-east" 203.0.113.10 "$(ecs 67.43.156.0/24)"
t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"

# A file libmaxminddb opens (its metadata is fine) whose search tree is corrupt: only
# the compile finds it.
python3 - "$WORK/mmdb/test-city.mmdb" "$WORK/corrupt.mmdb" <<'PY'
import sys
data = bytearray(open(sys.argv[1], "rb").read())
data[:64] = b"\xff" * 64  # records pointing past the data section
open(sys.argv[2], "wb").write(data)
PY
d_config
geo_config corrupt.mmdb >>"$WORK/meridian.yaml"
out=$("$BIN/meridian-dnsd" -t -c "$WORK/meridian.yaml" 2>&1)
t_eq "-t fails on a tree that does not compile" 1 "$?"
t_contains "-t names the file and the problem" \
	"meridian-dnsd: geoip: $WORK/corrupt.mmdb: search tree node 0 points outside the file" "$out"
t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
status=x
dnsd_gone() { ! kill -0 "$PID_dnsd" 2>/dev/null; }
if t_until 60 dnsd_gone; then
	status=0
	wait "$PID_dnsd" || status=$?
fi
t_eq "a database that does not compile at start stops the server with status 1" 1 "$status"
log=$(cat "$WORK/dnsd.log")
t_contains "the error names the file and the problem" \
	"error: geoip: $WORK/corrupt.mmdb: search tree node 0 points outside the file" "$log"
t_contains "and says the server stops" \
	"error: geoip: $WORK/corrupt.mmdb does not compile; stopping rather than answer from a broken file" "$log"
t_check "no sanitizer report" d_sanitizer_clean
t_done
