#!/usr/bin/env bash
# qa/fuzz.sh -- builds and runs every libFuzzer harness of qa/fuzz/ (ASan+UBSan) on its corpus
#
# usage: qa/fuzz.sh [-b] [-o DIR] [-s SECONDS] [-r RUNS] [-j JOBS] [HARNESS...]
#   -b          build only
#   -o DIR      where binaries, working corpora and crash files go (default build-fuzz)
#   -s SECONDS  run each harness this long (default 60)
#   -r RUNS     and stop each after this many executions (e.g. 10000000)
#   -j JOBS     one session in JOBS worker processes (libFuzzer -fork=JOBS), one per core
#   HARNESS     some of: dnsd ecs tcp zone conf mmdb repl_pull repl_batch repl_snapshot hc_dns
#               hc_load (default: all)
# Each harness is compiled from the sources it exercises with clang -fsanitize=fuzzer
# (so the coverage covers them), runs on a working copy of its seed corpus
# qa/fuzz/corpus/NAME (new inputs it finds stay in DIR/corpus/NAME, the repo's seeds are
# never written), and prints "fuzz NAME: N execs in S s, exit R" and libFuzzer's final
# stats. A crash leaves DIR/NAME-crash-*; replay it with DIR/NAME-fuzz FILE. Exit status:
# non-zero when any harness failed. Without clang (or its fuzzer runtime), exit 77.
# The short runs in `make check` are tests/functional/340-fuzz-short (2 s each).
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
out=$top/build-fuzz
secs=60
runs=
jobs=
build_only=
while getopts "bo:s:r:j:" o; do
	case $o in
	b) build_only=1 ;;
	o) out=$OPTARG ;;
	s) secs=$OPTARG ;;
	r) runs=$OPTARG ;;
	j) jobs=$OPTARG ;;
	*) sed -n 3,13p "$0" >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
all=(dnsd ecs tcp zone conf mmdb repl_pull repl_batch repl_snapshot hc_dns hc_load)
harnesses=("$@")
[ ${#harnesses[@]} -gt 0 ] || harnesses=("${all[@]}")

cc=${FUZZ_CC:-clang}
command -v "$cc" >/dev/null || { echo "qa/fuzz.sh: $cc not found (apt-get install clang)"; exit 77; }
mkdir -p "$out"
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }\n' \
	>"$out/probe.c"
if ! "$cc" -fsanitize=fuzzer,address,undefined -o "$out/probe" "$out/probe.c" >/dev/null 2>&1; then
	echo "qa/fuzz.sh: $cc cannot build with -fsanitize=fuzzer (libclang-rt-dev missing?)"
	exit 77
fi
# The harnesses build outside configure: the little of config.h the sources read.
version=$(sed -n 's/^AC_INIT(\[meridian\], \[\([^]]*\)\].*/\1/p' "$top/configure.ac")
printf '#define PACKAGE_VERSION "%s"\n' "${version:-0}" >"$out/config.h"

engine=$(awk '/^dnsd_engine_sources/ { on = 1 } on { print } on && !/\\$/ { exit }' \
	"$top/dnsd/engine.mk" | grep -o 'dnsd/[a-z_]*\.c' | sort -u | tr '\n' ' ')
engine="$engine geo/geo_pick.c" # the answer path's pick rule (dnsd_answer.c, geo/geo_pick.h)
base="base/log.c base/json_escape.c base/json_doc.c base/timefmt.c base/clock.c base/ipaddr.c base/digest.c base/log_repeat.c base/dns_wire.c"
conf=$(cd "$top" && ls conf/*.c | grep -v conf_doc_main | tr '\n' ' ')
state=$(cd "$top" && ls state/*.c | tr '\n' ' ')
geo=$(cd "$top" && ls geo/*.c | grep -v geo_explain | tr '\n' ' ')

# sources NAME: the harness and what it exercises; libs NAME: pkg-config names + flags.
sources() {
	case $1 in
	dnsd) echo "qa/fuzz/dnsd_fuzz.c $engine dnsd/dnsd_cookie.c dnsd/dnsd_rrl.c $base" ;;
	ecs) echo "qa/fuzz/ecs_fuzz.c $engine $base" ;;
	tcp) echo "qa/fuzz/tcp_fuzz.c $engine dnsd/dnsd_cookie.c dnsd/dnsd_socket.c $base" ;;
	zone) echo "qa/fuzz/zone_fuzz.c $engine $base" ;;
	conf) echo "qa/fuzz/conf_fuzz.c $conf $base" ;;
	mmdb) echo "qa/fuzz/mmdb_fuzz.c $geo $conf $base" ;;
	repl_*) echo "qa/fuzz/repl_fuzz.c replicator/repl_codec.c replicator/repl_buf.c $state $conf $base" ;;
	hc_dns) echo "qa/fuzz/hc_dns_fuzz.c healthcheck/hc_dns_packet.c $conf $base" ;;
	hc_load) echo "qa/fuzz/hc_load_fuzz.c healthcheck/hc_load_parse.c $base" ;;
	*) return 1 ;;
	esac
}
libs() {
	case $1 in
	dnsd) echo "ldns libcrypto" ;;
	ecs | zone) echo "ldns libcrypto" ;;
	tcp) echo "ldns libcrypto liburcu-qsbr" ;;
	conf | hc_dns) echo "yaml-0.1 libcrypto" ;;
	hc_load) echo "sqlite3 libcrypto" ;;
	mmdb) echo "libmaxminddb yaml-0.1 libcrypto" ;;
	repl_*) echo "sqlite3 yaml-0.1 libcrypto" ;;
	esac
}
defines() {
	case $1 in
	repl_pull) echo "-DREPL_FUZZ_PULL" ;;
	repl_batch) echo "-DREPL_FUZZ_BATCH" ;;
	repl_snapshot) echo "-DREPL_FUZZ_SNAPSHOT" ;;
	esac
}

# Every source is compiled once into DIR/obj (harnesses share most of them) and again
# only when it, or any header of the tree, is newer than its object.
newest_header=$(find "$top" -path "$out" -prune -o -path "$top/build*" -prune -o -name '*.h' \
	-printf '%T@\n' | sort -n | tail -1)
compile() {
	local src=$1 obj=$2 pc=$3 flags=$4
	# tcp_fuzz.c includes dnsd_server_tcp.c
	if [ -f "$obj" ] && [ "$obj" -nt "$top/$src" ] && [ "$obj" -nt "$top/dnsd/dnsd_server_tcp.c" ] &&
		awk -v h="$newest_header" -v o="$(stat -c %Y "$obj")" 'BEGIN { exit !(o >= h) }'; then
		return 0
	fi
	mkdir -p "$(dirname "$obj")"
	# shellcheck disable=SC2086
	"$cc" -std=gnu11 -g -O1 -D_GNU_SOURCE -fsanitize=fuzzer-no-link,address,undefined \
		-fno-sanitize-recover=all -Wno-unused-function $flags -I"$top" -I"$out" \
		$(pkg-config --cflags $pc) -c -o "$obj" "$top/$src"
}
build() {
	local name=$1 bin=$out/$1-fuzz srcs f pc objs=() obj
	srcs=$(sources "$name") || { echo "qa/fuzz.sh: no harness $name" >&2; return 1; }
	pc=$(libs "$name")
	for f in $srcs; do
		obj=$out/obj/${f%.c}.o
		# the harness itself may be built several ways (repl_*): one object per harness
		case $f in qa/fuzz/*) obj=$out/obj/qa/fuzz/$name.o ;; esac
		compile "$f" "$obj" "$pc" "$(defines "$name")" || return 1
		objs+=("$obj")
	done
	# shellcheck disable=SC2046,SC2086
	"$cc" -fsanitize=fuzzer,address,undefined -o "$bin" "${objs[@]}" \
		$(pkg-config --libs $pc) -lm -lpthread
}

status=0
for h in "${harnesses[@]}"; do
	if ! build "$h"; then
		echo "fuzz $h: build failed"
		status=1
		continue
	fi
	[ -n "$build_only" ] && continue
	mkdir -p "$out/corpus/$h"
	seeds=$top/qa/fuzz/corpus/$h
	limit=(-max_total_time="$secs")
	[ -n "$runs" ] && limit+=(-runs="$runs")
	[ -n "$jobs" ] && limit+=(-fork="$jobs")
	start=$(date +%s)
	rc=0
	(cd "$out" && ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=1" \
		LSAN_OPTIONS="${LSAN_OPTIONS:-}:suppressions=$top/qa/fuzz/lsan.supp" "./$h-fuzz" "${limit[@]}" \
		-max_len=4096 -timeout=10 -rss_limit_mb=1024 -print_final_stats=1 \
		-artifact_prefix="$out/$h-" "corpus/$h" "$seeds") >"$out/$h.log" 2>&1 || rc=$?
	execs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$out/$h.log" | tail -1)
	# a forked session's parent counts its workers' executions in its "#N:" lines
	[ -n "$execs" ] || execs=$(sed -n 's/^#\([0-9][0-9]*\):.*/\1/p' "$out/$h.log" | tail -1)
	echo "fuzz $h: ${execs:-?} execs in $(($(date +%s) - start)) s, exit $rc"
	if [ "$rc" -ne 0 ]; then
		status=1
		grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$out/$h.log" | head -5
	fi
done
exit $status
