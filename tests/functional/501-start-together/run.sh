#!/usr/bin/env bash
# 501-start-together: the daemons started at the same moment (as a service manager
# does) create the schema once, and meridian-dnsd, finding a state.db that has no schema
# yet, waits for it quietly instead of warning "schema version 0 is older...".
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib.sh"

for p in meridian-dnsd meridian-healthcheck meridian-replicator; do
	[ -x "$BIN/$p" ] || t_skip "$p not built"
done
command -v sqlite3 >/dev/null || t_skip "sqlite3 not installed"
command -v kdig >/dev/null || t_skip "kdig not installed"

# region DIR: a region's config in DIR (the ports are this namespace's own).
region() {
	mkdir -p "$1/zones"
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$1/repl.key"
	t_zone "$1/zones"
	cat >"$1/meridian.yaml" <<'CONF'
region: r1
state: state.db
dns:
  listen: ["127.0.0.1:5300"]
  threads: 1
  zones:
    - { origin: example.com., file: zones/example.com.zone }
datacenters:
  dc1:
    location: [38.9, -77.4]
    addresses: [192.0.2.1]
    check: { type: tcp, address: "127.0.0.1:9", interval: 200ms, timeout: 100ms }
replication:
  listen: "127.0.0.1:8800"
  key_file: repl.key
CONF
}

# wait_log FILE TEXT: waits (30 s) for TEXT in a daemon's log.
has_text() { grep -qF -- "$2" "$1" 2>/dev/null; }
wait_log() {
	t_until 30 has_text "$1" "$2" && return 0
	echo "# '$2' not in $1:"; sed 's/^/#   /' "$1"; return 1
}

# 1. A state.db that exists without a schema yet (a writer has just created the file):
# meridian-dnsd serves, says nothing, and follows the store once the writers made it.
A=$WORK/a
region "$A"
: >"$A/state.db"
t_start dnsd-a "$BIN/meridian-dnsd" -c "$A/meridian.yaml"
t_wait_dns 5300 || t_abort "meridian-dnsd answers with an empty state.db"
t_start hc-a "$BIN/meridian-healthcheck" -c "$A/meridian.yaml"
t_start repl-a "$BIN/meridian-replicator" -c "$A/meridian.yaml"
t_check "meridian-dnsd follows state.db once the writers created its schema" \
	wait_log "$WORK/dnsd-a.log" "state: following"
t_check "no 'schema version' warning from meridian-dnsd" \
	sh -c "! grep -n 'schema version' '$WORK/dnsd-a.log'"
t_check "no warning from meridian-dnsd" sh -c "! grep -nE ' (warn|error): ' '$WORK/dnsd-a.log'"
kill -TERM "$PID_dnsd_a" "$PID_hc_a" "$PID_repl_a"
wait "$PID_dnsd_a" "$PID_hc_a" "$PID_repl_a" 2>/dev/null

# 2. No state.db at all, all three daemons and two meridianctl commands at once.
B=$WORK/b
region "$B"
# Started back to back, no wait between them (t_start would fork one at a time too).
for p in dnsd hc repl; do
	prog=meridian-$p
	[ "$p" = hc ] && prog=meridian-healthcheck
	[ "$p" = repl ] && prog=meridian-replicator
	"$BIN/$prog" -c "$B/meridian.yaml" >"$WORK/$p-b.log" 2>&1 &
	T_PIDS+=($!)
done
"$BIN/meridianctl" -c "$B/meridian.yaml" drain dc1 --reason "start race" --force >"$WORK/ctl.log" 2>&1
t_eq "meridianctl drain while the daemons start" 0 $?
t_wait_dns 5300 || t_abort "meridian-dnsd answers"
t_check "meridian-dnsd follows the store" wait_log "$WORK/dnsd-b.log" "state: following"
t_check "meridian-healthcheck started" wait_log "$WORK/hc-b.log" "started: region r1"
t_check "meridian-replicator started" wait_log "$WORK/repl-b.log" "serving on"
v=$(sqlite3 "$B/state.db" 'PRAGMA user_version')
t_check "schema at a current version ($v)" [ "${v:-0}" -ge 3 ]
t_eq "one node row" "r1" "$(sqlite3 "$B/state.db" 'SELECT group_concat(region) FROM node')"
t_eq "the drain is stored" "drain" "$(sqlite3 "$B/state.db" "SELECT action FROM overrides WHERE datacenter = 'dc1'")"
for l in dnsd-b hc-b repl-b; do
	t_check "$l: no error or warning" sh -c "! grep -nE ' (warn|error): |schema version' '$WORK/$l.log'"
done
t_done
