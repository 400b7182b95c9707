# tests/functional/lib/repl.sh -- helpers for the replicator scenarios (source after lib.sh)
# A region is a config $WORK/NAME.yaml, a store $WORK/NAME.db and a replicator on its
# own loopback port; all regions share the key $WORK/repl.key.
# Ports: a replicator listens on port 0 and logs "listening on 127.0.0.1:PORT", which
# repl_start reads into REPL_PORT_NAME. A config names each peer by the port that peer
# logged; a peer not started yet is named by REPL_NOWHERE, a port held bound and never
# listening (t_hold), so pulls from it are refused as from a peer that is down. When a
# region starts (a restart gets a new port), repl_moved points every config naming it at
# its port and reloads (SIGHUP) the running regions among them.
REPL_WRITER=$BIN/tests/tools/repl_writer
REPL_BIN=$BIN/meridian-replicator
[ -x "$REPL_BIN" ] || t_skip "meridian-replicator not built"
[ -x "$REPL_WRITER" ] || t_skip "repl_writer not built"
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$WORK/repl.key"
t_hold nowhere
REPL_NOWHERE=$PORT_nowhere
REPL_REGIONS=()

# repl_port NAME: the port region NAME (or a test's stand-in for it) last listened on;
# REPL_NOWHERE before it started.
repl_port() { local var="REPL_PORT_$1"; echo "${!var:-$REPL_NOWHERE}"; }

# repl_host NAME: the loopback address region NAME listens on and pulls from:
# REPL_HOST_NAME when set (qa/chaos.sh gives each region its own, to cut it off with
# nft), 127.0.0.1 otherwise.
repl_host() { local var="REPL_HOST_$1"; echo "${!var:-127.0.0.1}"; }

# repl_accepts NAME: region NAME's replicator accepts connections.
repl_accepts() { (exec 3<>"/dev/tcp/$(repl_host "$1")/$(repl_port "$1")") 2>/dev/null; }

# repl_moved NAME: NAME listens on repl_port NAME now: every other region's config that
# names NAME as a peer on another port is rewritten, and the running ones reloaded.
repl_moved() {
	local name=$1 port r pid
	port=$(repl_port "$name")
	for r in "${REPL_REGIONS[@]}"; do
		[ "$r" != "$name" ] || continue
		t_peer_port "$WORK/$r.yaml" "$name" "$port" || continue
		pid=$(repl_pid "$r")
		if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then repl_hup "$r" || return 1; fi
	done
}

# repl_region NAME PEER... [-- EXTRA-YAML-LINES]: writes NAME's config, peering with PEERs.
repl_region() {
	local name=$1; shift
	local peers="" extra=""
	case " ${REPL_REGIONS[*]} " in *" $name "*) ;; *) REPL_REGIONS+=("$name") ;; esac
	while [ $# -gt 0 ]; do
		if [ "$1" = "--" ]; then shift; extra="$*"; break; fi
		peers="$peers${peers:+, }$1: \"http://$(repl_host "$1"):$(repl_port "$1")\""
		shift
	done
	# A scenario may define repl_body NAME to print its own dns/datacenters/records.
	local body
	if declare -F repl_body >/dev/null; then
		body=$(repl_body "$name")
	else
		body="datacenters:
  dc1: { location: [38.9, -77.4], addresses: [192.0.2.1] }
  dc2: { location: [53.3, -6.3], addresses: [192.0.2.2] }"
	fi
	# With its own address, a region's pulls leave from it (so a cut by address is whole).
	local hv="REPL_HOST_$name" src=""
	[ -z "${!hv:-}" ] || src=$'\n'"  source_address: \"${!hv}\""
	cat >"$WORK/$name.yaml" <<YAML
region: $name
state: $name.db
log_level: debug
$body
health: { poll: 5ms }
replication:
  listen: "$(repl_host "$name"):0"$src
  key_file: repl.key
  long_poll: 2s
  peers: { $peers }
$extra
YAML
}

# repl_geo_body [OVERRIDES|-]: a repl_body for the east/west world: the fixture
# tests/data/configs/east-west.yaml (the test GeoIP database, dnsd on port 0 serving the
# zone, east and west behind www.example.com.) less the region, store and health that
# repl_region writes, with OVERRIDES (YAML: the argument, or the standard input for "-")
# merged in as t_config does: the scenario's checks.
repl_geo_body() {
	local over=${1:-}
	[ "$over" = - ] && over=$(cat)
	printf 'region: null\nstate: null\nhealth: null\n---\n%s\n' "$over" |
		python3 "$SRC/tests/functional/lib/config.py" "$SRC/tests/data/configs/east-west.yaml"
}

# repl_start NAME: starts NAME's replicator, reads the port it logged, points its peers
# at it (repl_moved) and waits until it accepts there.
repl_start() {
	REPL_RUNS=$((${REPL_RUNS:-0} + 1))
	t_start "repl-$1.$REPL_RUNS" "$REPL_BIN" -c "$WORK/$1.yaml"
	eval "REPL_PID_$1=$!"
	repl_started "$1" "repl-$1.$REPL_RUNS"
}

# repl_started NAME LOG: NAME's replicator was started by the caller (t_start LOG ...,
# REPL_PID_NAME set): as repl_start, from reading its port on.
repl_started() {
	local port
	port=$(t_listen_port "$WORK/$2.log" "$(repl_host "$1")") || return 1
	eval "REPL_PORT_$1=$port"
	repl_moved "$1" || return 1
	t_until 30 repl_accepts "$1" && return 0
	echo "# nothing listening on $(repl_host "$1"):$port"; return 1
}

# repl_fake NAME ARGS...: a test's stand-in for region NAME (repl_peer.py serve ARGS...,
# without --port) on a port of its own: sets REPL_FAKE to its pid and points NAME's
# peers at it (repl_moved).
repl_fake() {
	local name=$1; shift
	REPL_FAKES=$((${REPL_FAKES:-0} + 1))
	local pf="$WORK/fake-$name.$REPL_FAKES.port"
	python3 "$SRC/tests/functional/lib/repl_peer.py" serve --port 0 --port-file "$pf" "$@" &
	REPL_FAKE=$!
	T_PIDS+=("$REPL_FAKE")
	t_until 30 test -s "$pf" || { echo "# the stand-in for $name did not start"; return 1; }
	eval "REPL_PORT_$name=$(cat "$pf")"
	repl_moved "$name"
}

repl_pid() { local v="REPL_PID_$1"; echo "${!v:-}"; }

# repl_stop NAME [SIGNAL]: stops NAME's replicator (TERM by default) and waits for it.
repl_stop() {
	local pid; pid=$(repl_pid "$1")
	kill -"${2:-TERM}" "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return 0
}

# repl_log_count NAME TEXT: lines holding TEXT in NAME's replicator logs (every run).
repl_log_count() { cat "$WORK"/repl-"$1".*.log 2>/dev/null | grep -c -- "$2"; }

# repl_log_more NAME TEXT N: more than N lines of NAME's logs hold TEXT.
repl_log_more() { [ "$(repl_log_count "$1" "$2")" -gt "$3" ]; }

# repl_wait_log NAME TEXT: waits (30 s) until a line of NAME's logs holds TEXT.
repl_wait_log() {
	t_until 30 repl_log_more "$1" "$2" 0 && return 0
	echo "# no [$2] in the logs of $1"; return 1
}

# repl_hup NAME...: SIGHUP to each, then waits (30 s) until each has logged its reload.
repl_hup() {
	local n r
	for r in "$@"; do
		n=$(repl_log_count "$r" "info: reloaded ")
		kill -HUP "$(repl_pid "$r")"
		t_until 30 repl_log_more "$r" "info: reloaded " "$n" || { echo "# $r did not reload"; return 1; }
	done
}

# repl_write NAME ARGS...: repl_writer against NAME's store, as NAME.
repl_write() { local n=$1; shift; "$REPL_WRITER" "$WORK/$n.db" "$n" "$@"; }

# repl_sql NAME SQL
repl_sql() { sqlite3 -cmd ".timeout 5000" "$WORK/$1.db" "$2"; }

# repl_dump NAME: every replicated row, every column, in key order.
repl_dump() {
	repl_sql "$1" "SELECT 'obs', * FROM observations ORDER BY checker, datacenter;
		SELECT 'ovr', * FROM overrides ORDER BY datacenter;
		SELECT 'evt', * FROM events ORDER BY origin, id;
		SELECT 'cur', * FROM cursors ORDER BY origin;"
}

# repl_same NAME...: every region's dump equals the first's. An unreadable store or an
# empty one is never "the same": a vanished work directory must fail the check, not pass
# it with two empty dumps.
repl_same() {
	local first=$1 ref n
	ref=$(repl_dump "$first" 2>/dev/null) || return 1
	[ -n "$ref" ] || return 1
	for n in "$@"; do [ "$(repl_dump "$n" 2>/dev/null)" = "$ref" ] || return 1; done
}

# repl_wait_same SECONDS NAME...: waits until every region's dump equals the first's.
# SECONDS is what a quiet machine needs; the deadline is at least 30 s (a busy one).
repl_wait_same() {
	local secs=$1; shift
	t_until $((secs < 30 ? 30 : secs)) repl_same "$@" && return 0
	for n in "$@"; do echo "--- $n: $(repl_dump "$n" | wc -l) rows"; done
	return 1
}

# repl_sql_is NAME SQL EXPECTED: SQL on NAME prints EXPECTED.
repl_sql_is() { [ "$(repl_sql "$1" "$2" 2>/dev/null)" = "$3" ]; }

# repl_wait_sql SECONDS NAME SQL EXPECTED: waits until SQL on NAME prints EXPECTED
# (deadline at least 30 s, as for repl_wait_same).
repl_wait_sql() {
	local secs=$1 name=$2 sql=$3 want=$4
	t_until $((secs < 30 ? 30 : secs)) repl_sql_is "$name" "$sql" "$want" && return 0
	echo "$name: [$sql] gave [$(repl_sql "$name" "$sql" 2>&1)], wanted [$want]"
	return 1
}

# repl_finish: stops every region with SIGTERM, checks their logs carry no sanitizer
# report (leaks show at exit), then ends the test.
repl_finish() {
	local v
	for v in $(compgen -v REPL_PID_); do repl_stop "${v#REPL_PID_}"; done
	# (with no log at all, the negated grep would pass: the logs must be there)
	t_check "no sanitizer report in replicator logs" \
		bash -c "ls '$WORK'/repl-*.log >/dev/null && ! grep -l 'Sanitizer\|runtime error' '$WORK'/repl-*.log"
	t_done
}

# repl_faketime_preload: the LD_PRELOAD list that runs the replicator under libfaketime
# (empty when libfaketime is not installed); a sanitizer build needs its runtime first.
repl_faketime_preload() {
	local ft asan
	ft=$(ls /usr/lib/*/faketime/libfaketime.so.1 2>/dev/null | head -1)
	[ -n "$ft" ] || return 0
	asan=$(ldd "$REPL_BIN" 2>/dev/null | awk '/libasan/ {print $3}')
	echo "${asan:+$asan }$ft"
}
