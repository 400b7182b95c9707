# tests/functional/080-metrics/obs.sh -- two full regions for the observability scenarios (source after lib.sh)
# obs_setup writes east.yaml and west.yaml in $WORK: each region runs meridian-dnsd,
# meridian-healthcheck and meridian-replicator over its own store, with every /metrics
# endpoint on port 0 (the bound address is read back from the log). Datacenter us-east
# is checked over HTTP against an origin the test starts; eu-west has no check.
for p in meridian-dnsd meridian-healthcheck meridian-replicator meridianctl; do
	[ -x "$BIN/$p" ] || t_skip "$p not built"
done
command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
command -v curl >/dev/null || t_skip "curl not installed"
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"

# obs_setup [EXTRA-YAML]: configs, zone, geo database, the HTTP origin.
obs_setup() {
	perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" >/dev/null || t_abort "test mmdb written"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/repl.key"
	mkdir -p "$WORK/zones"
	cat >"$WORK/zones/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 300
@	IN SOA	ns1.example.com. hostmaster.example.com. 1 7200 900 1209600 300
	IN NS	ns1.example.com.
ns1	IN A	192.0.2.53
ZONE
	t_start origin python3 "$SRC/tests/functional/075-ctl-regions/origin.py" http "$WORK/origin.port"
	t_until 30 test -s "$WORK/origin.port"
	ORIGIN=$(cat "$WORK/origin.port") || t_abort "origin started"
	# meridian-dnsd listens on port 0 (obs_start reads DNS_NAME from its log); the
	# replicators cannot yet (t_low_port).
	REPL_east=$(t_low_port)
	REPL_west=$(t_low_port)
	DNS_east=0
	DNS_west=0
	obs_region east west "$REPL_west" "$REPL_east" "$DNS_east" "${1:-}"
	obs_region west east "$REPL_east" "$REPL_west" "$DNS_west" "${1:-}"
}

# obs_region NAME PEER PEER-PORT OWN-PORT DNS-PORT EXTRA: the metrics: line is
# $OBS_METRICS_NAME when set, else every endpoint on port 0.
obs_region() {
	local mvar="OBS_METRICS_$1"
	local metrics=${!mvar:-'{ dnsd: "127.0.0.1:0", healthcheck: "127.0.0.1:0", replicator: "127.0.0.1:0" }'}
	cat >"$WORK/$1.yaml" <<CONF
region: $1
state: $1.db
geoip: test-city.mmdb
dns:
  listen: ["127.0.0.1:$5"]
  threads: 2
  zones:
    - origin: example.com.
      file: zones/example.com.zone
datacenters:
  us-east:
    location: [38.9, -77.4]
    addresses: [203.0.113.10]
    check: { type: http, url: "http://127.0.0.1:$ORIGIN/healthz", interval: 200ms, timeout: 150ms, fall: 2, rise: 2 }
  eu-west:
    location: [53.3, -6.3]
    addresses: [198.51.100.10]
records:
  www.example.com.:
    datacenters: [us-east, eu-west]
    ttl: 30
health: { poll: 5ms }
replication:
  listen: "127.0.0.1:$4"
  key_file: repl.key
  long_poll: 2s
  isolated_after: ${OBS_ISOLATED_AFTER:-60s}
  warn_every: ${OBS_WARN_EVERY:-60s}
  refusal_log_interval: ${OBS_WARN_EVERY:-10s}
  peers: { $2: "http://127.0.0.1:$3" }
metrics: $metrics
$6
CONF
}

# obs_start NAME [PROGRAMS]: starts the region's daemons (default all three), logs in
# $WORK/{dnsd,hc,repl}-NAME.log.
obs_start() {
	local progs=${2:-"dnsd hc repl"} p
	for p in $progs; do
		case $p in
		dnsd)
			t_start "dnsd-$1" "$BIN/meridian-dnsd" -c "$WORK/$1.yaml"
			eval "DNS_$1=$(t_listen_port "$WORK/dnsd-$1.log")" ;;
		hc) t_start "hc-$1" "$BIN/meridian-healthcheck" -c "$WORK/$1.yaml" ;;
		repl) t_start "repl-$1" "$BIN/meridian-replicator" -c "$WORK/$1.yaml" ;;
		esac
	done
}

# obs_stop PROG NAME: stops PROG-NAME (SIGTERM) and waits for it to be gone.
obs_stop() {
	local pid; pid=$(obs_pid "$1" "$2")
	kill -TERM "$pid" 2>/dev/null
	for _ in $(seq 200); do kill -0 "$pid" 2>/dev/null || break; sleep 0.05; done
	wait "$pid" 2>/dev/null
	return 0
}

# obs_ctl NAME ARGS...: meridianctl on region NAME; sets OUT and RC.
obs_ctl() { local n=$1; shift; OUT=$("$BIN/meridianctl" -c "$WORK/$n.yaml" "$@" 2>&1); RC=$?; }

# obs_wait_status NAME RC SECONDS: until `status` of NAME exits RC.
obs_status_is() { obs_ctl "$1" status; [ "$RC" = "$2" ]; }
obs_wait_status() {
	t_until $(($3 < 30 ? 30 : $3)) obs_status_is "$1" "$2" && return 0
	echo "# status of $1 still exits $RC, wanted $2:"; echo "$OUT" | tail -5
	return 1
}

# obs_pid PROG NAME: the pid t_start recorded for PROG-NAME.
obs_pid() { local v="PID_$1_$2"; echo "${!v}"; }

# obs_url PROG NAME: waits (30 s) for "metrics: serving URL" in PROG-NAME.log; prints URL.
obs_url_now() {
	local url
	url=$(sed -n 's/.*metrics: serving \(http:[^ ]*\).*/\1/p' "$WORK/$1-$2.log" 2>/dev/null | tail -1)
	[ -n "$url" ] && echo "$url"
}
obs_url() {
	t_until 30 obs_url_now "$1" "$2" >/dev/null && obs_url_now "$1" "$2" && return 0
	echo "no metrics address in $1-$2.log" >&2
	return 1
}

# obs_wait_log FILE PATTERN [SECONDS]: waits until FILE has a line matching PATTERN.
obs_wait_log() {
	local secs=${3:-10}
	t_until $((secs < 30 ? 30 : secs)) grep -q -- "$2" "$WORK/$1" 2>/dev/null && return 0
	echo "# no [$2] in $1"; tail -5 "$WORK/$1"
	return 1
}

# obs_scrape URL: the page, or nothing.
obs_scrape() { curl -sf --max-time 5 "$1"; }

# obs_metric PAGE NAME{LABELS}: the value of one sample (exact series text).
obs_metric() { awk -v s="$2" '$1 == s { print $2 }' <<<"$1"; }
