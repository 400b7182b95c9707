# tests/functional/lib/obs.sh -- two full regions for the observability scenarios (source after lib.sh)
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
	t_zone
	t_start origin python3 "$SRC/tests/functional/075-ctl-regions/origin.py" http "$WORK/origin.port"
	t_until 30 test -s "$WORK/origin.port"
	ORIGIN=$(cat "$WORK/origin.port") || t_abort "origin started"
	# Every listener takes port 0 and obs_start reads the port from the log (DNS_NAME,
	# REPL_NAME); a peer not started yet is named by a port held and never listening.
	t_hold nowhere
	REPL_east=$PORT_nowhere
	REPL_west=$PORT_nowhere
	DNS_east=0
	DNS_west=0
	obs_region east west "$REPL_west" 0 "$DNS_east" "${1:-}"
	obs_region west east "$REPL_east" 0 "$DNS_west" "${1:-}"
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
    check: { type: http, url: "http://127.0.0.1:$ORIGIN/healthz", interval: 1s, timeout: 900ms, fall: 2, rise: 2 }
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
		repl)
			if [ -e "$WORK/hold-repl-$1.port" ]; then
				# a restart: on the port obs_stop kept held (its peer keeps its state)
				sed -i "s|^  listen: \"127.0.0.1:0\"|  listen: \"127.0.0.1:$(obs_repl_port "$1")\"|" "$WORK/$1.yaml"
				t_release "repl-$1"
				rm -f "$WORK/hold-repl-$1.port"
			fi
			t_start "repl-$1" "$BIN/meridian-replicator" -c "$WORK/$1.yaml"
			eval "REPL_$1=$(t_listen_port "$WORK/repl-$1.log")"
			obs_repl_moved "$1" ;;
		esac
	done
}

# obs_repl_moved NAME: NAME's replicator listens on $REPL_NAME now (a start takes a new
# port): the other region's config names it there, and its replicator, if running,
# reloads (SIGHUP; waits for "reloaded").
obs_repl_moved() {
	local other=east port_var="REPL_$1" pid n
	[ "$1" = east ] && other=west
	t_peer_port "$WORK/$other.yaml" "$1" "${!port_var}" || return 0
	pid=$(obs_pid repl "$other")
	[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
	n=$(grep -c "info: reloaded " "$WORK/repl-$other.log")
	kill -HUP "$pid"
	reloaded_more() { [ "$(grep -c "info: reloaded " "$WORK/repl-$other.log")" -gt "$n" ]; }
	t_until 30 reloaded_more || echo "# $other's replicator did not reload"
}

# obs_repl_port NAME: the port NAME's replicator logged.
obs_repl_port() { local v="REPL_$1"; echo "${!v}"; }

# obs_stop PROG NAME: stops PROG-NAME (SIGTERM) and waits for it to be gone. A stopped
# replicator's port stays held (t_hold_port) until obs_start starts it again there (a
# restart on a new port would make its peer reload, which forgets what it knew of the
# peer). The holder goes a moment before the restart binds the port: the one window left.
obs_stop() {
	local pid; pid=$(obs_pid "$1" "$2")
	kill -TERM "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	[ "$1" = repl ] && t_hold_port "repl-$2" "$(obs_repl_port "$2")"
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
obs_pid() { local v="PID_$1_$2"; echo "${!v:-}"; }

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
