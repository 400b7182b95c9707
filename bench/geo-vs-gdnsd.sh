#!/usr/bin/env bash
# bench/geo-vs-gdnsd.sh -- geo answers: meridian-dnsd against gdnsd's plugin_geoip on one City database
#
# usage: bench/geo-vs-gdnsd.sh [BUILDDIR]
#   env: ROUNDS=5 SECONDS_PER_RUN=3   geo workload rounds (interleaved) and their length
#        SCALE_ROUNDS=3               ECS rounds on the large database
#        SAMPLE=500                   clients whose datacenter both servers must agree on
#        NETS4=500000 NETS6=100000    size of the large synthetic database
#        CACHE=BUILDDIR/bench         where the generated databases are kept between runs
#        SCALE=0                      skip the large-database part
#        RT=1                         run servers and generator SCHED_FIFO (chrt -f 1)
#        FLOOR=0                      skip the kernel floor (bench/udp-floor) of part 1
#
# Installs gdnsd from Debian when missing (apt-get; its service is kept from starting),
# builds meridian-dnsd and bench/dnsload when missing, and configures both servers with
# the same seven datacenters (coordinates, addresses, candidate order) and one geo name
# on the same City database: gdnsd with plugin_geoip city-auto mode (geoip2_db,
# datacenters, auto_dc_coords, auto_dc_limit = all seven, every datacenter "up"),
# meridian-dnsd with the same datacenters and a record without checks (no state.db:
# every datacenter is served). Everything listens on 127.0.0.1 ports; servers are pinned
# to core 1, the generator (bench/dnsload) and the probes to core 0.
#
# 1. Geo workload: a synthetic City database of 50k IPv4 and 10k IPv6 networks; 50000
#    queries whose ECS addresses (/24 and /56) are drawn from its networks
#    (bench/geo-vs-gdnsd/geo-queries.py sample); interleaved rounds; per server: qps,
#    server CPU microseconds per answered query (/proc/PID/stat), generator CPU; medians,
#    best rounds and the ratios.
# 2. Agreement: SAMPLE host addresses (ECS /32, /128) drawn from the database's networks
#    asked of both servers; every address whose answer differs is listed, with the
#    reasons each server gives (meridianctl explain, gdnsd_geoip_test).
# 3. Scale: the large synthetic database (bench/geo-synth.pl); per server the time from
#    the start of the process to the first answer, peak RSS (VmHWM), ECS qps with random
#    clients drawn from the database, and a reload under load: the file is replaced
#    (rename over) while a closed-loop client records answers per 100 ms; the longest gap
#    between two answers says whether answering stalled.
#
# Never run by make check or CI: it installs packages and needs two quiet cores. The
# whole run takes about 3 minutes (plus ~30 s to generate the large database once).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=bench/bench-lib.sh
. "$top/bench/bench-lib.sh"
build=${1:-$top/build}
rounds=${ROUNDS:-5}
secs=${SECONDS_PER_RUN:-3}
scale_rounds=${SCALE_ROUNDS:-3}
sample_n=${SAMPLE:-500}
nets4=${NETS4:-500000}
nets6=${NETS6:-100000}
cache=${CACHE:-}
helper=$top/bench/geo-vs-gdnsd/geo-queries.py
name=www.geo.example.
[ "$(nproc)" -ge 2 ] || { echo "needs two cores" >&2; exit 1; }

# --- what we run -----------------------------------------------------------------------
if [ ! -x "$build/meridian-dnsd" ] || [ ! -x "$build/bench/dnsload" ] || [ ! -x "$build/meridianctl" ]; then
	echo "building meridian-dnsd, meridianctl and bench/dnsload in $build"
	if [ ! -f "$build/Makefile" ]; then
		[ -x "$top/configure" ] || (cd "$top" && autoreconf -fi >/dev/null)
		mkdir -p "$build"
		(cd "$build" && "$top/configure" -q)
	fi
	make -C "$build" -j2 meridian-dnsd meridianctl bench/dnsload >/dev/null
fi
build=$(cd "$build" && pwd)
dnsd=$build/meridian-dnsd
ctl=$build/meridianctl
load=$build/bench/dnsload
floor=$build/bench/udp-floor
sudo=""
[ "$(id -u)" -eq 0 ] || sudo=sudo
if ! command -v gdnsd >/dev/null; then
	echo "installing gdnsd (apt-get)"
	# Keep Debian from starting its own gdnsd on port 53: a policy-rc.d that refuses
	# every start while the package installs (only when none is there already).
	policy=""
	if [ ! -e /usr/sbin/policy-rc.d ]; then
		printf '#!/bin/sh\nexit 101\n' | $sudo tee /usr/sbin/policy-rc.d >/dev/null
		$sudo chmod 755 /usr/sbin/policy-rc.d
		policy=/usr/sbin/policy-rc.d
	fi
	rc=0
	DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gdnsd >/dev/null ||
		{ $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends gdnsd >/dev/null; } ||
		rc=$?
	[ -z "$policy" ] || $sudo rm -f "$policy"
	[ "$rc" -eq 0 ] || { echo "apt-get install gdnsd failed" >&2; exit 1; }
	# Should it have started anyway, stop and disable the service; ours run by hand.
	$sudo systemctl disable --now gdnsd >/dev/null 2>&1 || $sudo service gdnsd stop >/dev/null 2>&1 || true
fi
command -v kdig >/dev/null || { echo "needs kdig (knot-dnsutils)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/meridian-geobench.XXXXXX")
declare -A PORT PID
pids=()
cleanup() {
	for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
	sleep 0.5
	for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null || true; done
	[ "${KEEP:-0}" = 1 ] && echo "kept $work" || rm -rf "$work"
}
trap cleanup EXIT


nice_level=${NICE:--10}
[ "$(id -u)" -eq 0 ] || nice_level=0
prio=(nice -n "$nice_level")
[ "${RT:-0}" = 1 ] && prio=(chrt -f 1)

# --- the databases ---------------------------------------------------------------------
cache=${cache:-$build/bench}
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)
small_db=$cache/geo-synth-50000-10000.mmdb
big_db=$cache/geo-synth-$nets4-$nets6.mmdb
if [ ! -s "$small_db" ]; then
	echo "generating $small_db"
	perl "$top/bench/geo-synth.pl" "$small_db" 50000 10000 3000 1 2>/dev/null
fi
if [ "${SCALE:-1}" != 0 ] && [ ! -s "$big_db" ]; then
	echo "generating $big_db (bench/geo-synth.pl, ~30 s)"
	perl "$top/bench/geo-synth.pl" "$big_db" "$nets4" "$nets6" 3000 1 2>/dev/null
fi

# --- the configurations ----------------------------------------------------------------
# name:latitude:longitude; datacenter i answers 192.0.2.(10+i) (A only: the bench asks A).
dcs=(us-east:38.9:-77.4 us-west:37.4:-122.1 eu-west:53.3:-6.3 eu-central:50.1:8.7
	ap-southeast:1.35:103.8 ap-northeast:35.7:139.7 sa-east:-23.5:-46.6)
dc_names=()
for d in "${dcs[@]}"; do dc_names+=("${d%%:*}"); done

zone_head() {
	echo "\$TTL 3600"
	echo "@ IN SOA ns1 hostmaster 1 7200 900 1209600 300"
	echo "@ IN NS ns1"
	echo "ns1 IN A 192.0.2.1"
}

# meridian_conf DIR DB PORT: DIR/meridian.yaml serving $name on DB
meridian_conf() {
	local dir=$1 db=$2 port=$3 i=0 d n lat lon
	mkdir -p "$dir/zones"
	zone_head >"$dir/zones/geo.example.zone"
	{
		echo "region: bench"
		echo "state: state.db"
		echo "geoip: $db"
		echo "log_level: info"
		echo "dns:"
		echo "  listen: [\"127.0.0.1:$port\"]"
		echo "  threads: 1"
		echo "  zones:"
		echo "    - origin: geo.example."
		echo "      file: zones/geo.example.zone"
		echo "datacenters:"
		for d in "${dcs[@]}"; do
			IFS=: read -r n lat lon <<<"$d"
			echo "  $n: { location: [$lat, $lon], addresses: [192.0.2.$((10 + i))] }"
			i=$((i + 1))
		done
		echo "records:"
		echo "  $name:"
		echo "    datacenters: [$(IFS=,; echo "${dc_names[*]}" | sed 's/,/, /g')]"
		echo "    ttl: 30"
	} >"$dir/meridian.yaml"
}

# gdnsd_conf DIR DB PORT: a gdnsd config directory DIR serving $name on DB
gdnsd_conf() {
	local dir=$1 db=$2 port=$3 i=0 d n lat lon coords="" dcmap=""
	mkdir -p "$dir/zones" "$dir/run" "$dir/state"
	{
		zone_head
		echo "www 30 IN DYNA geoip!www"
	} >"$dir/zones/geo.example"
	for d in "${dcs[@]}"; do
		IFS=: read -r n lat lon <<<"$d"
		coords+="          $n => [ $lat, $lon ]"$'\n'
		dcmap+="          $n => 192.0.2.$((10 + i))"$'\n'
		i=$((i + 1))
	done
	cat >"$dir/config" <<EOF
options => {
  listen => [ 127.0.0.1:$port ]
  udp_threads => 1
  tcp_threads => 1
  run_dir => $dir/run
  state_dir => $dir/state
}
plugins => {
  geoip => {
    maps => {
      bench => {
        geoip2_db => $db
        datacenters => [ ${dc_names[*]} ]
        auto_dc_coords => {
$coords        }
        auto_dc_limit => ${#dcs[@]}
      }
    }
    resources => {
      www => {
        map => bench
        dcmap => {
$dcmap        }
      }
    }
  }
}
EOF
}

start() { # NAME CMD...: starts a server pinned to core 1
	local sname=$1
	shift
	"${prio[@]}" taskset -c 1 "$@" >"$work/$sname.log" 2>&1 &
	PID[$sname]=$!
	pids+=($!)
}
stop() { # NAME
	kill -TERM "${PID[$1]}" 2>/dev/null || true
	wait "${PID[$1]}" 2>/dev/null || true
}
start_meridian() { start "$1" "$dnsd" -c "$2/meridian.yaml"; }
start_gdnsd() { start "$1" gdnsd -c "$2" start; }
wait_answer() { # NAME: the server answers $name within 60 s, else its log and exit
	local t0
	t0=$(date +%s.%N)
	if ! taskset -c 0 python3 "$helper" first-answer "${PORT[$1]}" "$name" "$t0" 60 >/dev/null; then
		echo "$1 did not answer on ${PORT[$1]}:"
		tail -5 "$work/$1.log"
		exit 1
	fi
}

hz=$(getconf CLK_TCK)
hwm_mb() { awk '/VmHWM/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }
rss_mb() { awk '/VmRSS/ { printf "%.0f", $2 / 1024 }' "/proc/$1/status"; }

# rounds PREFIX QUERYFILE N SERVERS...: interleaved dnsload rounds; fills QPS/CPU/GEN
declare -A QPS CPU GEN USR
rounds() {
	local prefix=$1 qfile=$2 n=$3 r s t0 t1 u0 u1 out answered qps ratio gen cpu_us usr_us
	shift 3
	printf '%-10s %5s %10s %8s %12s %8s %8s\n' server round qps ans/sent cpu_us/query user_us gen_cpu
	for r in $(seq 1 "$n"); do
		for s in "$@"; do
			t0=$(ticks "${PID[$s]}")
			u0=$(utime_ticks "${PID[$s]}")
			out=$("${prio[@]}" "$load" -s 127.0.0.1 -p "${PORT[$s]}" -f "$qfile" -d "$secs" -c 0 -S 4 -n 512 -b 32)
			t1=$(ticks "${PID[$s]}")
			u1=$(utime_ticks "${PID[$s]}")
			answered=$(sed -n 's/.* answered \([0-9]*\) .*/\1/p' <<<"$out")
			qps=$(sed -n 's/.* qps \([0-9]*\) .*/\1/p' <<<"$out")
			ratio=$(sed -n 's/.* answered\/sent \([0-9.]*\) .*/\1/p' <<<"$out")
			gen=$(sed -n 's/.* generator_cpu \([0-9]*\)%.*/\1/p' <<<"$out")
			cpu_us=$(awk -v t=$((t1 - t0)) -v hz="$hz" -v a="$answered" 'BEGIN { printf "%.2f", a ? t * 1e6 / hz / a : 0 }')
			usr_us=$(awk -v t=$((u1 - u0)) -v hz="$hz" -v a="$answered" 'BEGIN { printf "%.2f", a ? t * 1e6 / hz / a : 0 }')
			printf '%-10s %5d %10d %8s %12s %8s %7s%%\n' "$s" "$r" "$qps" "$ratio" "$cpu_us" "$usr_us" "$gen"
			QPS[$prefix$s]="${QPS[$prefix$s]:-} $qps"
			CPU[$prefix$s]="${CPU[$prefix$s]:-} $cpu_us"
			USR[$prefix$s]="${USR[$prefix$s]:-} $usr_us"
			GEN[$prefix$s]="${GEN[$prefix$s]:-} $gen"
		done
	done
	echo
	printf '%-10s %10s %10s %12s %8s %8s\n' server median_qps best_qps cpu_us/query user_us gen_cpu
	for s in "$@"; do
		printf '%-10s %10.0f %10d %12.2f %8.2f %7.0f%%\n' "$s" "$(median "${QPS[$prefix$s]}")" \
			"$(best "${QPS[$prefix$s]}")" "$(median "${CPU[$prefix$s]}")" "$(median "${USR[$prefix$s]}")" "$(median "${GEN[$prefix$s]}")"
	done
	local m=$1 g=$2
	awk -v mq="$(median "${QPS[$prefix$m]}")" -v gq="$(median "${QPS[$prefix$g]}")" \
		-v mb="$(best "${QPS[$prefix$m]}")" -v gb="$(best "${QPS[$prefix$g]}")" \
		-v mc="$(median "${CPU[$prefix$m]}")" -v gc="$(median "${CPU[$prefix$g]}")" \
		-v mu="$(median "${USR[$prefix$m]}")" -v gu="$(median "${USR[$prefix$g]}")" \
		'BEGIN { printf "ratio meridian/gdnsd: median qps %.2fx, best-round qps %.2fx; CPU per answer: gdnsd needs %.2fx what meridian needs (one-core qps ratio %.2fx); user space alone: gdnsd needs %.2fx; kernel per answer: meridian %.2f us, gdnsd %.2f us\n", mq / gq, mb / gb, gc / mc, gc / mc, (mu > 0 ? gu / mu : 0), mc - mu, gc - gu }'
}

# explain_diffs COMPARE_OUT MERIDIAN_DIR GDNSD_DIR: the reasons behind the first differences
explain_diffs() {
	local addr
	{ grep '^differ' "$1" || true; } | head -5 | while read -r _ addr _; do
		addr=${addr%:}
		echo "  $addr:"
		"$ctl" -c "$2/meridian.yaml" explain "$name" "$addr" 2>&1 | sed 's/^/    meridian: /' | head -14
		gdnsd_geoip_test -c "$3" bench "$addr" 2>&1 | grep -v '^#' | sed 's/^/    gdnsd: /' | tail -3
	done
}

echo "# geo-vs-gdnsd: $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) cores, $(uname -r), gdnsd $(gdnsd -h 2>&1 | sed -n 's/^gdnsd version \([^ ]*\).*/\1/p'), ${prio[*]}"
echo "# load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# --- 1. the geo workload ---------------------------------------------------------------
PORT[meridian]=$(port_free)
meridian_conf "$work/meridian" "$small_db" "${PORT[meridian]}"
start_meridian meridian "$work/meridian"
PORT[gdnsd]=$(port_free)
gdnsd_conf "$work/gdnsd" "$small_db" "${PORT[gdnsd]}"
start_gdnsd gdnsd "$work/gdnsd"
wait_answer meridian
wait_answer gdnsd
taskset -c 0 python3 "$helper" sample "$small_db" 50000 1 "$name" 0.2 24 56 >"$work/q-small.txt" 2>"$work/q-small.log"
echo
echo "## 1. geo workload: $(cat "$work/q-small.log")"
echo "## $rounds interleaved rounds of ${secs}s; servers on core 1, bench/dnsload on core 0"
rounds small: "$work/q-small.txt" "$rounds" meridian gdnsd
# The floor: bench/udp-floor reflects each query (QR set) with the same system calls and
# socket options, and no DNS work. Its CPU per answer is what the kernel alone costs here;
# no server can go below it, so gdnsd's cost over it bounds the ratio any server can
# reach against gdnsd on this machine.
if [ "${FLOOR:-1}" != 0 ]; then
	[ -x "$floor" ] || make -C "$build" bench/udp-floor >/dev/null
	PORT[floor]=$(port_free)
	start floor "$floor" "${PORT[floor]}"
	PORT[floor_nodf]=$(port_free)
	start floor_nodf "$floor" "${PORT[floor_nodf]}" nodf
	sleep 0.5
	echo
	echo "## 1b. the kernel floor: a reflector with no DNS work (floor: DF set, like meridian-dnsd; floor_nodf: DF unset, like gdnsd)"
	rounds floor: "$work/q-small.txt" "$rounds" floor floor_nodf >"$work/floor.out"
	grep -v '^ratio' "$work/floor.out"
	awk -v f="$(median "${CPU[floor:floor]}")" -v fn="$(median "${CPU[floor:floor_nodf]}")" \
		-v mc="$(median "${CPU[small:meridian]}")" -v gc="$(median "${CPU[small:gdnsd]}")" \
		'BEGIN { printf "above the floor (us per answer): meridian %.2f over %.2f, gdnsd %.2f over %.2f; a server with no user-space cost at all would reach %.2fx gdnsd here (meridian: %.2fx)\n", mc - f, f, gc - fn, fn, gc / f, gc / mc }'
	stop floor
	stop floor_nodf
fi

# --- 2. same datacenter? ---------------------------------------------------------------
taskset -c 0 python3 "$helper" sample "$small_db" "$sample_n" 7 "$name" 0.2 32 128 >"$work/sample-small.txt" 2>"$work/sample-small.log"
echo
echo "## 2. agreement on $(cut -d' ' -f2- "$work/sample-small.log")"
echo "## kdig spot check (first client): meridian $(kdig @127.0.0.1 -p "${PORT[meridian]}" +short +subnet="$(head -1 "$work/sample-small.txt" | cut -d' ' -f3)" "$name" A | tr '\n' ' ')/ gdnsd $(kdig @127.0.0.1 -p "${PORT[gdnsd]}" +short +subnet="$(head -1 "$work/sample-small.txt" | cut -d' ' -f3)" "$name" A | tr '\n' ' ')"
taskset -c 0 python3 "$helper" compare "${PORT[meridian]}" "${PORT[gdnsd]}" "$name" "$work/sample-small.txt" | sed 's/ A: / meridian: /; s/  B: /  gdnsd: /' >"$work/compare-small.txt"
{ grep '^differ' "$work/compare-small.txt" || true; } | head -20
grep '^compare' "$work/compare-small.txt"
explain_diffs "$work/compare-small.txt" "$work/meridian" "$work/gdnsd"
stop meridian
stop gdnsd
[ "${SCALE:-1}" != 0 ] || exit 0

# --- 3. scale ---------------------------------------------------------------------------
echo
echo "## 3. scale: $big_db ($(du -m "$big_db" | cut -f1) MB, $nets4 IPv4 + $nets6 IPv6 networks)"
declare -A START HWM_START
for s in mbig gbig; do
	mkdir -p "$work/$s"
	cp "$big_db" "$work/$s/geo.mmdb"
	PORT[$s]=$(port_free)
	if [ $s = mbig ]; then
		meridian_conf "$work/$s" "$work/$s/geo.mmdb" "${PORT[$s]}"
	else
		gdnsd_conf "$work/$s" "$work/$s/geo.mmdb" "${PORT[$s]}"
	fi
done
# Each server is started START_RUNS times, alternately, on a quiet page cache (the file
# was just copied, so it is read from memory by both alike); the last instance stays up.
declare -A STARTS HWMS
start_runs=${START_RUNS:-5}
for r in $(seq 1 "$start_runs"); do
	for s in mbig gbig; do
		sleep 0.5
		t0=$(date +%s.%N)
		if [ $s = mbig ]; then start_meridian $s "$work/$s"; else start_gdnsd $s "$work/$s"; fi
		t=$(taskset -c 0 "${prio[@]}" python3 "$helper" first-answer "${PORT[$s]}" "$name" "$t0" 120) ||
			{ echo "$s did not answer:"; tail -5 "$work/$s.log"; exit 1; }
		sleep 0.2
		STARTS[$s]="${STARTS[$s]:-} $t"
		HWMS[$s]="${HWMS[$s]:-} $(hwm_mb "${PID[$s]}")"
		[ "$r" = "$start_runs" ] || stop $s
	done
done
declare -A START HWM_START
declare -A BEST_START
printf '%-6s %14s %14s %18s %10s   %s\n' server "start->answer" "(fastest)" "peak RSS (VmHWM)" "RSS now" "each start: seconds / VmHWM MB"
for s in mbig gbig; do
	START[$s]=$(median "${STARTS[$s]}")
	BEST_START[$s]=$(tr ' ' '\n' <<<"${STARTS[$s]}" | grep -v '^$' | sort -n | head -1)
	HWM_START[$s]=$(median "${HWMS[$s]}")
	printf '%-6s %12.3f s %12.3f s %15s MB %7s MB  %s /%s\n' "$s" "${START[$s]}" "${BEST_START[$s]}" "${HWM_START[$s]}" "$(rss_mb "${PID[$s]}")" "${STARTS[$s]}" "${HWMS[$s]}"
done
awk -v mt="${START[mbig]}" -v gt="${START[gbig]}" -v mb="${BEST_START[mbig]}" -v gb="${BEST_START[gbig]}" -v mr="${HWM_START[mbig]}" -v gr="${HWM_START[gbig]}" \
	'BEGIN { printf "ratio meridian/gdnsd: start time %.2f (median), %.2f (fastest); peak RSS %.2f (target: at most 0.5 each)\n", mt / gt, mb / gb, mr / gr }'

taskset -c 0 python3 "$helper" sample "$big_db" 50000 2 "$name" 0.2 24 56 >"$work/q-big.txt" 2>"$work/q-big.log"
echo
echo "## ECS qps on the large database: $(cat "$work/q-big.log")"
rounds big: "$work/q-big.txt" "$scale_rounds" mbig gbig

taskset -c 0 python3 "$helper" sample "$big_db" "$sample_n" 8 "$name" 0.2 32 128 >"$work/sample-big.txt" 2>/dev/null
taskset -c 0 python3 "$helper" compare "${PORT[mbig]}" "${PORT[gbig]}" "$name" "$work/sample-big.txt" | sed 's/ A: / meridian: /; s/  B: /  gdnsd: /' >"$work/compare-big.txt"
echo
echo "## agreement on the large database ($sample_n clients):"
{ grep '^differ' "$work/compare-big.txt" || true; } | head -10
grep '^compare' "$work/compare-big.txt"
explain_diffs "$work/compare-big.txt" "$work/mbig" "$work/gbig"

# Reload under load: a closed-loop client (64 in flight, same priority as the servers)
# runs 18 s; 2 s after it starts (~1.7 s into its timeline, once it has read its
# queries) a copy of the database is renamed over the served file (a new inode, as
# geoipupdate leaves it). The log line that says the new data serves marks the end of
# the reload (gdnsd waits for 5 s, then 7 s more, of quiescence before it swaps).
echo
echo "## reload under load (closed loop, 64 queries in flight; the file is renamed over 2 s after the client starts)"
for s in mbig gbig; do
	cp "$big_db" "$work/$s/geo.mmdb.new"
	touch "$work/$s/geo.mmdb.new"
	lines0=$(wc -l <"$work/$s.log")
	taskset -c 0 "${prio[@]}" python3 "$helper" timeline "${PORT[$s]}" "$work/q-big.txt" 18 100 64 >"$work/timeline-$s.txt" &
	tl=$!
	sleep 2
	mv_at=$(date +%s.%N)
	mv -f "$work/$s/geo.mmdb.new" "$work/$s/geo.mmdb"
	done_at=""
	while kill -0 $tl 2>/dev/null; do
		if [ -z "$done_at" ] && tail -n +$((lines0 + 1)) "$work/$s.log" | grep -Eq 'geoip: reloaded|runtime db updated'; then
			done_at=$(date +%s.%N)
		fi
		sleep 0.05
	done
	wait $tl
	start_at=$(sed -n 's/^start //p' "$work/timeline-$s.txt")
	awk -v s="$s" -v st="$start_at" -v mv="$mv_at" -v dn="${done_at:-0}" '
		/^sent/ { answered = $4; maxgap = $6; maxat = $8 }
		/^gap/ { ga[++ng] = $2; gl[ng] = $3 }
		/^buckets/ {
			n = NF - 1
			rel_mv = mv - st; rel_dn = (dn > 0) ? dn - st : n / 10
			mvb = int(rel_mv * 10); dnb = int(rel_dn * 10) + 1
			before = 0; nb = 0; for (i = 2; i < mvb; i++) { before += $(i + 1); nb++ }
			lo = -1; sum = 0; cnt = 0
			for (i = mvb; i <= dnb && i < n; i++) { v = $(i + 1); if (lo < 0 || v < lo) lo = v; sum += v; cnt++ }
			wg = 0; for (k = 1; k <= ng; k++) if (ga[k] + gl[k] / 1000 >= rel_mv && ga[k] <= rel_dn + 1.0 && gl[k] > wg) wg = gl[k]
			took = (dn > 0) ? sprintf("%.2f s", dn - mv) : "not seen"
			printf "%-6s renamed at t=%.2f s, new data serving %s later; %d answered in 18 s\n", s, rel_mv, took, answered
			printf "       qps before: %.0f; from the rename until 0.1 s after the swap: mean %.0f, lowest 100 ms bucket %.0f\n", nb ? before / nb * 10 : 0, cnt ? sum / cnt * 10 : 0, lo * 10
			wgs = (wg > 0) ? sprintf("%.1f ms", wg) : "none over 20 ms"
			printf "       longest gap between two answers: %s from the rename until 1 s after the swap; %.1f ms over the whole run (at t=%.2f s)\n", wgs, maxgap, maxat
			line = ""; for (i = 0; i < n; i += 5) { v = 0; for (j = i; j < i + 5 && j < n; j++) v += $(j + 1); line = line " " v * 2 }
			printf "       qps per 500 ms:%s\n", line
		}' "$work/timeline-$s.txt"
	printf '       peak RSS after the reload: %s MB\n' "$(hwm_mb "${PID[$s]}")"
	tail -n +$((lines0 + 1)) "$work/$s.log" | grep -Ei 'geoip|reload|map' | head -4 | sed 's/^/       log: /'
done
stop mbig
stop gbig
