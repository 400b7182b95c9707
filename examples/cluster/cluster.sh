#!/usr/bin/env bash
# examples/cluster/cluster.sh -- starts, shows and stops a three-region Meridian cluster on loopback
#
# usage: examples/cluster/cluster.sh start|status|stop|restart
#
# The regions us-east, eu-west and ap-northeast each run meridian-healthcheck,
# meridian-replicator and meridian-dnsd (in that order: the healthcheck creates the
# store, the replicator serves and pulls it, the DNS server follows it), on its own
# state.db. The three datacenter origins are HTTP servers answering /healthz.
#
#   region        DNS             replication     origin of its datacenter
#   us-east       127.0.0.1:5301  127.0.0.1:8851  127.0.0.1:8081
#   eu-west       127.0.0.1:5302  127.0.0.1:8852  127.0.0.1:8082
#   ap-northeast  127.0.0.1:5303  127.0.0.1:8853  127.0.0.1:8083
#
# Everything runs from MERIDIAN_CLUSTER_DIR (default ${TMPDIR:-/tmp}/meridian-cluster):
# the configs are copied there at start, with logs and pid files in run/REGION/.
# Programs: MERIDIAN_BIN (a directory), else the build directory (built with
# qa/build.sh when missing), else the installed ones on PATH.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/../.." && pwd)
dir=${MERIDIAN_CLUSTER_DIR:-${TMPDIR:-/tmp}/meridian-cluster}
regions=(us-east eu-west ap-northeast)
declare -A dns_port=([us-east]=5301 [eu-west]=5302 [ap-northeast]=5303)
declare -A repl_port=([us-east]=8851 [eu-west]=8852 [ap-northeast]=8853)
declare -A origin_port=([us-east]=8081 [eu-west]=8082 [ap-northeast]=8083)

find_bin() {
	if [ -n "${MERIDIAN_BIN:-}" ]; then
		bin=$MERIDIAN_BIN
	elif [ -x "$top/build/meridian-dnsd" ]; then
		bin=$top/build
	elif command -v meridian-dnsd >/dev/null && command -v meridianctl >/dev/null; then
		bin=$(dirname "$(command -v meridian-dnsd)")
		ctl_bin=$(dirname "$(command -v meridianctl)")
	else
		echo "cluster: building into $top/build (qa/build.sh)..."
		"$top/qa/build.sh" build
		bin=$top/build
	fi
	ctl_bin=${ctl_bin:-$bin}
}

# wait_for WHAT COMMAND...: retries COMMAND for up to 60 s.
wait_for() {
	local what=$1; shift
	for _ in $(seq 600); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "cluster: $what did not come up; logs in $dir/run/" >&2
	return 1
}
tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
dns_up() { kdig @127.0.0.1 -p "$1" +timeout=1 +retry=0 id.server CH TXT; }

# start_one NAME PIDFILE LOG COMMAND...: starts a process in the background.
start_one() {
	local name=$1 pidfile=$2 log=$3; shift 3
	if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
		echo "cluster: $name already runs (pid $(cat "$pidfile"))"
		return 0
	fi
	"$@" >>"$log" 2>&1 &
	echo $! >"$pidfile"
}

start() {
	find_bin
	command -v kdig >/dev/null || { echo "cluster: kdig is needed (knot-dnsutils)" >&2; exit 1; }
	mkdir -p "$dir/mmdb" "$dir/zones"
	cp "$here"/*.yaml "$here/replication.key" "$dir/"
	cp "$here/zones/example.com.zone" "$dir/zones/"
	chmod 600 "$dir/replication.key"
	if [ ! -s "$dir/mmdb/test-city.mmdb" ] &&
		! perl "$top/tests/data/make-test-mmdb.pl" "$dir/mmdb" >/dev/null; then
		echo "cluster: cannot write the GeoIP database; install libmaxmind-db-writer-perl" >&2
		exit 1
	fi
	for r in "${regions[@]}"; do
		mkdir -p "$dir/run/$r" "$dir/run/origin-$r"
		echo ok >"$dir/run/origin-$r/healthz"
		start_one "origin $r" "$dir/run/origin-$r.pid" "$dir/run/origin-$r.log" \
			python3 -m http.server "${origin_port[$r]}" --bind 127.0.0.1 --directory "$dir/run/origin-$r"
	done
	for r in "${regions[@]}"; do
		wait_for "origin $r" tcp_open "${origin_port[$r]}"
		"$bin/meridian-dnsd" -t -c "$dir/$r.yaml" >/dev/null
	done
	# Per region: the writer of the store first, then the replicator, then DNS.
	for r in "${regions[@]}"; do
		local c=$dir/$r.yaml run=$dir/run/$r
		start_one "$r healthcheck" "$run/healthcheck.pid" "$run/healthcheck.log" \
			"$bin/meridian-healthcheck" -c "$c"
		start_one "$r replicator" "$run/replicator.pid" "$run/replicator.log" \
			"$bin/meridian-replicator" -c "$c"
		wait_for "$r replicator" tcp_open "${repl_port[$r]}"
		start_one "$r dnsd" "$run/dnsd.pid" "$run/dnsd.log" "$bin/meridian-dnsd" -c "$c"
		wait_for "$r dnsd" dns_up "${dns_port[$r]}"
		echo "cluster: $r up: DNS 127.0.0.1:${dns_port[$r]}, replication 127.0.0.1:${repl_port[$r]}"
	done
	echo "cluster: running in $dir; try: $0 status"
}

status() {
	find_bin
	local r p pidfile
	for r in "${regions[@]}"; do
		echo "== region $r (config $dir/$r.yaml)"
		for p in healthcheck replicator dnsd; do
			pidfile=$dir/run/$r/$p.pid
			if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
				echo "meridian-$p: running, pid $(cat "$pidfile")"
			else
				echo "meridian-$p: not running"
			fi
		done
		"$ctl_bin/meridianctl" -c "$dir/$r.yaml" status || true
		"$ctl_bin/meridianctl" -c "$dir/$r.yaml" peers || true
		echo "answers of 127.0.0.1:${dns_port[$r]} for www.example.com A, by client:"
		for c in "Ashburn 67.43.156.0/24" "London 81.2.69.0/24" "Changchun 175.16.199.0/24"; do
			set -- $c
			printf '  %-10s %s\n' "$1" "$(kdig @127.0.0.1 -p "${dns_port[$r]}" +short +timeout=1 \
				+retry=0 +subnet="$2" www.example.com A 2>&1 | tr '\n' ' ')"
		done
	done
	for r in "${regions[@]}"; do
		pidfile=$dir/run/origin-$r.pid
		if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
			echo "origin of $r: up on 127.0.0.1:${origin_port[$r]} (remove $dir/run/origin-$r/healthz to fail it)"
		else
			echo "origin of $r: not running"
		fi
	done
}

# stop_one PIDFILE: SIGTERM, then waits for the process to go (10 s, then SIGKILL).
stop_one() {
	local pid
	[ -f "$1" ] || return 0
	pid=$(cat "$1")
	if kill -TERM "$pid" 2>/dev/null; then
		for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null || true
	fi
	rm -f "$1"
}

stop() {
	local r
	for r in "${regions[@]}"; do
		for p in dnsd replicator healthcheck; do stop_one "$dir/run/$r/$p.pid"; done
	done
	for r in "${regions[@]}"; do stop_one "$dir/run/origin-$r.pid"; done
	echo "cluster: stopped (state and logs stay in $dir)"
}

case "${1:-}" in
start) start ;;
status) status ;;
stop) stop ;;
restart) stop; start ;;
*) sed -n '3,4p' "$0" | sed 's/^# //' >&2; exit 2 ;;
esac
