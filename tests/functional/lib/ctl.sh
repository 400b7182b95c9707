# tests/functional/lib/ctl.sh -- helpers for the meridianctl scenarios (source after lib.sh)
# Each scenario writes a two-datacenter config into $WORK; the state store is a real
# SQLite file that meridianctl itself creates on the first override.

[ -x "$BIN/meridianctl" ] || t_skip "meridianctl not built"

# c_config [EXTRA-LINES]: writes $WORK/meridian.yaml: us-east and eu-west, one geo record.
c_config() {
	t_zone
	cat >"$WORK/meridian.yaml" <<CONF
region: us-east
state: state.db
geoip: GeoLite2-City.mmdb
dns:
  listen: ["127.0.0.1:53"]
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  us-east:
    location: [38.9, -77.4]
    addresses: [203.0.113.10, "2001:db8:1::10"]
  eu-west:
    location: [53.3, -6.3]
    addresses: [198.51.100.10]
records:
  www.example.com.:
    datacenters: [us-east, eu-west]
    ttl: 30
${1:-}
CONF
}

# ctl ARGS...: runs meridianctl on the scenario's config; sets OUT, ERR and RC.
ctl() {
	OUT=$("$BIN/meridianctl" -c "$WORK/meridian.yaml" "$@" 2>"$WORK/ctl.err")
	RC=$?
	ERR=$(cat "$WORK/ctl.err")
}

# jq_py EXPR: evaluates a Python expression over the JSON document in $OUT (as `d`).
jq_py() {
	python3 -c 'import json,sys; d=json.loads(sys.argv[1]); print(eval(sys.argv[2]))' "$OUT" "$1"
}

# json_ok: the JSON document in $OUT parses.
json_ok() { printf '%s' "$OUT" | python3 -m json.tool >/dev/null; }

# c_abort WHAT: counts a failure and stops the scenario (a setup step did not work).
c_abort() {
	echo "not ok - $1"
	T_FAILS=$((T_FAILS + 1))
	t_done
}
