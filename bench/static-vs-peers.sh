#!/usr/bin/env bash
# bench/static-vs-peers.sh -- meridian-dnsd against gdnsd, Knot DNS and NSD on one static zone
#
# usage: bench/static-vs-peers.sh [BUILDDIR]   (env: ROUNDS=5 SECONDS_PER_RUN=5 NAMES=1000)
#
# Installs the peers from Debian when missing (apt-get; needs root), serves the same zone
# from all four on 127.0.0.1 ports, pins every server to core 1 (taskset) and the load
# generator (bench/dnsload, sendmmsg/recvmmsg batches) to core 0, and runs interleaved
# rounds (A B C D, A B C D, ...) so drift of the machine hits every server alike. Prints,
# per server, the median queries per second, the server CPU microseconds per answered
# query (utime+stime of the server's processes from /proc, so idle servers cost nothing)
# and the generator's own CPU use, then the ratios against meridian-dnsd.
#
# Never run by make check or CI: it installs packages and needs two quiet cores.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=${1:-$top/build}
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-5}
names=${NAMES:-1000}
dnsd=$build/meridian-dnsd
load=$build/bench/dnsload
[ -x "$dnsd" ] && [ -x "$load" ] || { echo "build first: qa/build.sh build (missing $dnsd or $load)" >&2; exit 1; }
[ "$(nproc)" -ge 2 ] || { echo "needs two cores" >&2; exit 1; }

need=()
command -v gdnsd >/dev/null || need+=(gdnsd)
command -v knotd >/dev/null || need+=(knot)
command -v nsd >/dev/null || need+=(nsd)
if [ "${#need[@]}" -gt 0 ]; then
	echo "installing ${need[*]} (apt-get)"
	sudo=""
	[ "$(id -u)" -eq 0 ] || sudo=sudo
	# Debian would start them as services on port 53; we start our own instances.
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends \
		"${need[@]}" >/dev/null
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-bench.XXXXXX")
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	rm -rf "$work"
}
trap cleanup EXIT


# The zone: apex SOA/NS/MX, $names hosts with A and AAAA; queries: every host's A
# (answers of one record, as a static site would see), 10% of them NXDOMAIN.
zone=bench.example
mkdir -p "$work/zones"
{
	echo "\$ORIGIN $zone."
	echo "\$TTL 3600"
	echo "@ IN SOA ns1.$zone. hostmaster.$zone. 1 7200 900 1209600 300"
	echo "@ IN NS ns1.$zone."
	echo "@ IN NS ns2.$zone."
	echo "@ IN MX 10 mail.$zone."
	echo "ns1 IN A 192.0.2.1"
	echo "ns2 IN A 192.0.2.2"
	echo "mail IN A 192.0.2.3"
	for i in $(seq 1 "$names"); do
		echo "host$i IN A 198.51.100.$((i % 250 + 1))"
		echo "host$i IN AAAA 2001:db8::$i"
	done
} >"$work/zones/$zone.zone"
cp "$work/zones/$zone.zone" "$work/zones/$zone"
for i in $(seq 1 "$names"); do
	echo "host$i.$zone A"
	[ $((i % 10)) -eq 0 ] && echo "missing$i.$zone A"
done >"$work/queries.txt"

# Servers and generator run at a raised priority when we are root (nice -10, all alike),
# so other work on the machine disturbs the comparison less; NICE=0 turns that off.
# RT=1 runs them SCHED_FIFO instead (chrt -f 1): on a busy machine the scheduler otherwise
# favours servers that sleep often over ones that stay busy, which measures the machine.
nice_level=${NICE:--10}
[ "$(id -u)" -eq 0 ] || nice_level=0
prio=(nice -n "$nice_level")
[ "${RT:-0}" = 1 ] && prio=(chrt -f 1)
declare -A PORT PID
start() { # NAME CMD...: starts a server pinned to core 1
	local name=$1; shift
	"${prio[@]}" taskset -c 1 "$@" >"$work/$name.log" 2>&1 &
	PID[$name]=$!
	pids+=($!)
}

PORT[meridian]=$(port_free)
cat >"$work/meridian.yaml" <<EOF
region: bench
state: state.db
log_level: warn
dns:
  listen: ["127.0.0.1:${PORT[meridian]}"]
  threads: 1
  zones:
    - origin: $zone.
      file: zones/$zone.zone
EOF
start meridian "$dnsd" -c "$work/meridian.yaml"

PORT[gdnsd]=$(port_free)
mkdir -p "$work/gdnsd/zones"
cp "$work/zones/$zone" "$work/gdnsd/zones/$zone"
cat >"$work/gdnsd/config" <<EOF
options => {
  listen => [ 127.0.0.1:${PORT[gdnsd]} ]
  udp_threads => 1
  tcp_threads => 1
}
EOF
start gdnsd gdnsd -c "$work/gdnsd" start

PORT[knot]=$(port_free)
mkdir -p "$work/knot/db"
cat >"$work/knot/knot.conf" <<EOF
server:
    rundir: "$work/knot"
    listen: 127.0.0.1@${PORT[knot]}
    udp-workers: 1
    tcp-workers: 1
    background-workers: 1
database:
    storage: "$work/knot/db"
log:
  - target: stderr
    any: warning
template:
  - id: default
    storage: "$work/zones"
zone:
  - domain: $zone.
    file: "$zone.zone"
EOF
start knot knotd -c "$work/knot/knot.conf"

PORT[nsd]=$(port_free)
mkdir -p "$work/nsd"
cat >"$work/nsd/nsd.conf" <<EOF
server:
    ip-address: 127.0.0.1@${PORT[nsd]}
    server-count: 1
    username: ""
    chroot: ""
    zonesdir: "$work/zones"
    database: ""
    pidfile: "$work/nsd/nsd.pid"
    xfrdfile: "$work/nsd/xfrd.state"
    zonelistfile: "$work/nsd/zone.list"
    verbosity: 0
remote-control:
    control-enable: no
zone:
    name: $zone
    zonefile: $zone.zone
EOF
start nsd nsd -d -c "$work/nsd/nsd.conf"

servers=(meridian gdnsd knot nsd)
for s in "${servers[@]}"; do
	ok=0
	for _ in $(seq 100); do
		if [ "$(kdig @127.0.0.1 -p "${PORT[$s]}" +retry=0 +timeout=1 +short "host1.$zone" A 2>/dev/null)" = 198.51.100.2 ]; then
			ok=1
			break
		fi
		sleep 0.1
	done
	[ $ok -eq 1 ] || { echo "$s did not answer on ${PORT[$s]}:"; tail -5 "$work/$s.log"; exit 1; }
done

# Every thread of a server and of its children on core 1. taskset at start is not enough:
# Knot pins each UDP worker to a CPU of its own choosing (its first worker to core 0, the
# generator's core), so it is re-pinned here, and again before every run.
pin() {
	local p
	for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
		taskset -a -p -c 1 "$p" >/dev/null 2>&1 || true
	done
}
# Fails when some thread of the server runs with another affinity than core 1.
pinned() {
	local p t
	for p in $1 $(pgrep -P "$1" 2>/dev/null) $(for c in $(pgrep -P "$1" 2>/dev/null); do pgrep -P "$c"; done); do
		for t in /proc/"$p"/task/*; do
			[ "$(taskset -p -c "${t##*/}" 2>/dev/null | awk '{print $NF}')" = 1 ] || return 1
		done
	done
}

# CPU ticks (utime+stime) of a process and all its descendants (NSD forks its servers).
hz=$(getconf CLK_TCK)

echo "# static zone of $names names, $rounds interleaved rounds of ${secs}s each;"
echo "# servers pinned to core 1, bench/dnsload pinned to core 0, ${prio[*]}; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# srv_cpu: the server's share of its core during the run; limit: which side ran out of
# core (>= 90% busy), or "machine" when neither did (other work took the cores).
printf '%-10s %5s %10s %8s %12s %8s %8s %8s\n' server round qps ans/sent cpu_us/query srv_cpu gen_cpu limit
declare -A QPS CPU
for r in $(seq 1 "$rounds"); do
	for s in "${servers[@]}"; do
		pin "${PID[$s]}"
		pinned "${PID[$s]}" || { echo "$s: cannot keep every thread on core 1" >&2; exit 1; }
		t0=$(ticks "${PID[$s]}")
		out=$("${prio[@]}" "$load" -s 127.0.0.1 -p "${PORT[$s]}" -f "$work/queries.txt" -d "$secs" -c 0 -S 4 -n 512 -b 32)
		t1=$(ticks "${PID[$s]}")
		pinned "${PID[$s]}" || echo "# warning: $s moved a thread off core 1 during the run" >&2
		answered=$(sed -n 's/.* answered \([0-9]*\) .*/\1/p' <<<"$out")
		qps=$(sed -n 's/.* qps \([0-9]*\) .*/\1/p' <<<"$out")
		ratio=$(sed -n 's/.* answered\/sent \([0-9.]*\) .*/\1/p' <<<"$out")
		gen=$(sed -n 's/.* generator_cpu \([0-9]*%\).*/\1/p' <<<"$out")
		cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v a="$answered" 'BEGIN { printf "%.2f", a ? t * 1e6 / hz / a : 0 }')
		srv=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v d="$secs" 'BEGIN { printf "%d", 100 * t / hz / d }')
		limit=machine
		[ "${gen%\%}" -ge 90 ] && limit=generator
		[ "$srv" -ge 90 ] && limit=server
		printf '%-10s %5d %10d %8s %12s %7s%% %8s %8s\n' "$s" "$r" "$qps" "$ratio" "$cpu_us" "$srv" "$gen" "$limit"
		QPS[$s]="${QPS[$s]:-} $qps"
		CPU[$s]="${CPU[$s]:-} $cpu_us"
	done
done

# Other work on the machine only ever slows a server down, so beside the median the best
# round estimates what the server can do; CPU per query is the steadier figure.
echo
echo "# medians (and best round)"
printf '%-10s %10s %10s %12s %14s %14s %16s\n' server qps best_qps cpu_us/query "meridian/qps" "best: m/peer" "cpu: peer/meridian"
mq=$(median "${QPS[meridian]}")
mb=$(best "${QPS[meridian]}")
mc=$(median "${CPU[meridian]}")
for s in "${servers[@]}"; do
	q=$(median "${QPS[$s]}")
	b=$(best "${QPS[$s]}")
	c=$(median "${CPU[$s]}")
	awk -v s="$s" -v q="$q" -v b="$b" -v c="$c" -v mq="$mq" -v mb="$mb" -v mc="$mc" \
		'BEGIN { printf "%-10s %10d %10d %12.2f %14.2f %14.2f %16.2f\n", s, q, b, c, q ? mq / q : 0, b ? mb / b : 0, mc ? c / mc : 0 }'
done
