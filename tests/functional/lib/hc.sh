# tests/functional/lib/hc.sh -- helpers for the meridian-healthcheck scenarios (source after lib.sh)
# Origins are origin.py processes on 127.0.0.1 that the scenario starts, switches (mode
# files) and stops; the verdicts are read from the state.db with sqlite3.

[ -x "$BIN/meridian-healthcheck" ] || t_skip "meridian-healthcheck not built"
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
command -v python3 >/dev/null || t_skip "python3 not installed"
H_LIB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

# h_origin NAME KIND [ARGS...]: starts origin.py (mode file $WORK/NAME.mode, "ok") on a
# port it binds itself, waits until it serves, and sets PORT_NAME to that port.
h_origin() {
	local name=$1 kind=$2
	shift 2
	[ -f "$WORK/$name.mode" ] || echo ok >"$WORK/$name.mode"
	# LEGACY: h_origin NAME KIND PORT, a port the scenario chose (the race the port file
	# avoids); kept for scenarios not converted yet.
	if [[ ${1:-} =~ ^[0-9]+$ ]]; then
		local port=$1
		shift
		t_start "$name" python3 "$H_LIB/origin.py" "$kind" "$port" "$WORK/$name.mode" "$@"
		eval "PORT_$name=$port"
		if [ "$kind" = dns ]; then t_until 30 t_answers "$port"; else t_wait_tcp "$port"; fi
		return
	fi
	rm -f "$WORK/$name.port"
	t_start "$name" python3 "$H_LIB/origin.py" "$kind" "$WORK/$name.port" "$WORK/$name.mode" "$@"
	t_until 30 test -s "$WORK/$name.port" || t_abort "origin $name started"
	eval "PORT_$name=$(cat "$WORK/$name.port")"
}

# h_down NAME: an http, https or tcp origin stops listening (connections are refused;
# it keeps the port, so nothing else takes it) and waits until it does.
h_down() {
	local v="PORT_$1"
	h_mode "$1" down
	t_wait_refused "${!v}"
}

# h_up NAME: the origin listens again on its port (mode "ok") and waits until it does.
h_up() {
	local v="PORT_$1"
	h_mode "$1" ok
	t_wait_tcp "${!v}"
}

# h_mode NAME MODE: switches an origin's behaviour (atomic rename).
h_mode() {
	echo "$2" >"$WORK/$1.mode.tmp" && mv "$WORK/$1.mode.tmp" "$WORK/$1.mode"
}

# h_kill NAME: stops an origin (SIGKILL, waited for): its port refuses from now on.
h_kill() {
	local var="PID_$1"
	kill -KILL "${!var}" 2>/dev/null
	wait "${!var}" 2>/dev/null
	return 0
}

# h_start [ARGS...]: starts meridian-healthcheck on $WORK/meridian.yaml.
h_start() {
	t_start hc "$BIN/meridian-healthcheck" -c "$WORK/meridian.yaml" "$@"
}

# h_stop: SIGTERM and wait; sets H_STATUS.
h_stop() {
	kill -TERM "$PID_hc"
	H_STATUS=0
	wait "$PID_hc" || H_STATUS=$?
}

# h_obs DC [COLUMN]: this region's observation of DC (status by default).
h_obs() {
	sqlite3 -cmd ".timeout 2000" "$WORK/state.db" \
		"SELECT ${2:-status} FROM observations WHERE datacenter = '$1'" 2>/dev/null
}

# h_wait DC STATUS [SECONDS]: waits (30 s by default) until the observation of DC has
# STATUS; fails at once if meridian-healthcheck is gone.
h_wait() {
	t_until "${3:-30}" h_is "$1" "$2" && [ "$(h_obs "$1")" = "$2" ] && return 0
	if ! kill -0 "$PID_hc" 2>/dev/null; then
		echo "# meridian-healthcheck is not running:"; tail -5 "$WORK/hc.log"; return 1
	fi
	echo "# $1 still [$(h_obs "$1")] ($(h_obs "$1" detail)), wanted $2"
	return 1
}

# h_is DC STATUS: the observation of DC has STATUS, or the daemon is gone (ends a wait).
h_is() { [ "$(h_obs "$1")" = "$2" ] || ! kill -0 "$PID_hc" 2>/dev/null; }

# h_history DC: every status this region wrote for DC, in order, one per line
# (from the change log, which keeps each write).
h_history() {
	sqlite3 -cmd ".timeout 2000" "$WORK/state.db" \
		"SELECT json_extract(row, '\$.status') FROM changelog
		 WHERE tbl = 'observations' AND key = 'test-east/$1' ORDER BY seq" 2>/dev/null
}

# h_transitions DC: the history with repeats (heartbeats) folded: "unknown up down up".
h_transitions() {
	h_history "$1" | uniq | tr '\n' ' ' | sed 's/ $//'
}

# h_sanitizer_clean: the daemon's log has no sanitizer report (and exists: a negated
# grep of a missing file would pass).
h_sanitizer_clean() {
	[ -e "$WORK/hc.log" ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error|SUMMARY: UndefinedBehavior' \
		"$WORK/hc.log"
}

# The east/west failover world of scenarios 220, 221 and 305: the test GeoIP database,
# the example.com. zone, a config from a fixture to which each scenario adds its checks,
# meridian-dnsd on a port it picks, and a client in Ashburn (test database:
# 67.43.156.0/24) that is nearest to east.

# h_geo_setup: skips without kdig, meridian-dnsd or the GeoIP writer; builds
# test-city.mmdb and zones/example.com.zone (t_zone) in $WORK, the current directory.
h_geo_setup() {
	command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
	[ -x "$BIN/meridian-dnsd" ] || t_skip "meridian-dnsd not built"
	perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"
	cd "$WORK" || t_abort "cd $WORK"
	perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" || t_abort "the test GeoIP database"
	t_zone
}

# h_geo_config <<CONF: writes $WORK/meridian.yaml: the east/west world
# (tests/data/configs/east-west.yaml: region test-east, test-city.mmdb, flap damping off,
# meridian-dnsd on 127.0.0.1 port 0 serving example.com., east and west behind
# www.example.com.) with the standard input, what the scenario adds or changes (checks,
# addresses, records), merged in (t_config_edit).
h_geo_config() {
	t_config_edit "$SRC/tests/data/configs/east-west.yaml" "$WORK/meridian.yaml" -
}

# h_dnsd_start: starts meridian-dnsd on $WORK/meridian.yaml, waits until it answers and
# sets DNS to the port it logged.
h_dnsd_start() {
	t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
	DNS=$(t_listen_port "$WORK/dnsd.log") || t_abort "meridian-dnsd logs its port"
	t_wait_dns "$DNS" || t_abort "meridian-dnsd answers"
}

# h_answer [TYPE [NAME]]: meridian-dnsd's answer to the Ashburn client for NAME
# (www.example.com) TYPE (A): the addresses sorted, on one line.
h_answer() {
	kdig @127.0.0.1 -p "$DNS" +retry=0 +timeout=2 +short +subnet=67.43.156.1/32 \
		"${2:-www.example.com}" "${1:-A}" | sort | tr '\n' ' ' | sed 's/ $//'
}
h_answer_is() { [ "$(h_answer)" = "$1" ]; }

# h_wait_answer WANT: waits (30 s) until h_answer is WANT; says what it is when not.
h_wait_answer() {
	t_until 30 h_answer_is "$1" && return 0
	echo "# answer still [$(h_answer)], wanted $1"; return 1
}
