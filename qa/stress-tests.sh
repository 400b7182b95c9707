#!/usr/bin/env bash
# qa/stress-tests.sh -- runs the whole test suite N times on a loaded machine and prints every test that failed
#
# usage: qa/stress-tests.sh N [BUILDDIR]      (BUILDDIR: a built tree, default ./build)
#        qa/stress-tests.sh --report DIR      the table of a run that was cut short
#
# While the N runs go (one after the other, two tests at a time as `make -j2 check`),
# the machine is kept busy on purpose: one CPU hog per core, and a second copy of the
# suite running over and over beside them. A test that waits on a fixed time, or picks a
# port and binds it later, fails here sooner or later; a test that waits on conditions
# with deadlines does not. Failures of the copy beside count too.
# The copy beside runs in a build tree of its own ($STRESS_OUT/build-beside: a second
# out-of-tree build of the same sources with the same configure arguments, made here;
# STRESS_BESIDE_BUILD names another built tree instead), as a second CI job would: two
# suites never share a build directory (tests build into it: make dist, make install,
# the fuzzers of 340), so what fails is the test, not a collision of the two copies.
#
# Every test's log is kept under $STRESS_OUT (default /tmp/meridian-stress.XXXXXX) as
# main-R/NAME.log and beside-R/NAME.log; the table at the end names each failing test
# with the runs it failed in, after the commit tested and the load average seen at the
# end of each run ($STRESS_OUT/info). Exit status: 0 when nothing failed, 1 otherwise.
# STRESS_TIMEOUT (seconds, default 900) ends a test that hangs: it counts as failed.
# STRESS_TESTS (a grep -E pattern over the test names, e.g. '40[0-9]-repl|test_dns_wire')
# keeps only a subset, for a quick look (the copy beside runs the same subset);
# STRESS_HOGS sets the number of CPU hogs (default: one per core; 0: none).
set -u

# report OUT: the table of every test that failed in any run under OUT (finished runs of
# the main loop are the ones with a "done" file; the last one may be cut short).
report() {
	local out=$1 t m b where fails_total=0 runs streak=0 best=0 r
	runs=$(ls -d "$out"/main-* 2>/dev/null | wc -l)
	for r in $(ls -d "$out"/main-* 2>/dev/null | sed 's/.*main-//' | sort -n); do
		[ -e "$out/main-$r/done" ] || continue
		if grep -qvE '^(PASS|SKIP) ' "$out/main-$r/results"; then streak=0; else streak=$((streak + 1)); fi
		[ $streak -gt $best ] && best=$streak
	done
	[ ! -e "$out/info" ] || cat "$out/info"
	echo "stress: $(ls "$out"/main-*/done 2>/dev/null | wc -l) runs finished ($runs started)"
	[ ! -e "$out/runs" ] || cat "$out/runs"
	echo "longest streak of finished runs without a failure: $best"
	printf '%-50s %5s %7s  %s\n' test main beside "failed in"
	for t in $(cat "$out/tests"); do
		m=$(cat "$out"/main-*/results 2>/dev/null | grep -cE "^(FAIL|TIMEOUT) $t\$")
		b=$(cat "$out"/beside-*/results 2>/dev/null | grep -cE "^(FAIL|TIMEOUT) $t\$")
		if [ "$m" -gt 0 ] || [ "$b" -gt 0 ]; then
			where=$(grep -lE "^(FAIL|TIMEOUT) $t\$" "$out"/main-*/results "$out"/beside-*/results 2>/dev/null |
				sed "s#$out/##; s#/results##" | tr '\n' ' ')
			printf '%-50s %5s %7s  %s\n' "$t" "$m" "$b" "$where"
			fails_total=$((fails_total + m + b))
		fi
	done
	[ $fails_total -eq 0 ] && printf '%-50s %5s %7s\n' "(none)" 0 0
	echo "($(ls -d "$out"/beside-* 2>/dev/null | wc -l) runs of the copy beside, the last one cut short; logs in $out)"
	[ $fails_total -eq 0 ]
}
if [ "${1:-}" = --report ]; then
	[ -d "${2:-}" ] || { echo "usage: $0 --report DIR" >&2; exit 2; }
	report "$2"
	exit
fi

N=${1:-}
[[ $N =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 N [BUILDDIR]" >&2; exit 2; }
SRC=$(cd "$(dirname "$0")/.." && pwd)
BUILD=$(cd "${2:-$SRC/build}" 2>/dev/null && pwd) || { echo "$0: no build dir ${2:-$SRC/build} (run qa/build.sh build first)" >&2; exit 2; }
[ -f "$BUILD/Makefile" ] || { echo "$0: $BUILD has no Makefile" >&2; exit 2; }
OUT=${STRESS_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/meridian-stress.XXXXXX")}
mkdir -p "$OUT"
TIMEOUT=${STRESS_TIMEOUT:-900}

# The tests as `make check` knows them (unit programs and functional scripts), built.
printf 'stress-print-tests:\n\t@echo $(TESTS)\n' >"$OUT/print-tests.mk"
make -s -C "$BUILD" -j2 check TESTS= >/dev/null 2>&1 || { echo "$0: the build in $BUILD fails" >&2; exit 2; }
# The copy beside: its own build tree of the same sources, configured as $BUILD was.
if [ -n "${STRESS_BESIDE_BUILD:-}" ]; then
	BESIDE=$(cd "$STRESS_BESIDE_BUILD" 2>/dev/null && pwd) || { echo "$0: no build dir $STRESS_BESIDE_BUILD" >&2; exit 2; }
else
	BESIDE=$OUT/build-beside
	args=$(cd "$BUILD" && ./config.status --config) || { echo "$0: $BUILD/config.status --config fails" >&2; exit 2; }
	mkdir -p "$BESIDE"
	(cd "$BESIDE" && eval "\"\$SRC/configure\" -q $args" && make -s -j2) >"$OUT/build-beside.log" 2>&1 ||
		{ echo "$0: the build beside fails (see $OUT/build-beside.log)" >&2; exit 2; }
fi
[ "$BESIDE" != "$BUILD" ] || { echo "$0: the copy beside needs a build dir other than $BUILD" >&2; exit 2; }
make -s -C "$BESIDE" -j2 check TESTS= >/dev/null 2>&1 || { echo "$0: the build in $BESIDE fails" >&2; exit 2; }
TESTS=$(make -s -C "$BUILD" -f Makefile -f "$OUT/print-tests.mk" stress-print-tests | tr ' ' '\n' | grep .)
[ -z "${STRESS_TESTS:-}" ] || TESTS=$(echo "$TESTS" | grep -E -- "$STRESS_TESTS")
[ -n "$TESTS" ] || { echo "$0: no tests found in $BUILD${STRESS_TESTS:+ matching $STRESS_TESTS}" >&2; exit 2; }
echo "$TESTS" >"$OUT/tests"
mkdir -p "$OUT/running"
{
	echo "commit: $(git -C "$SRC" describe --always --dirty 2>/dev/null || echo unknown) ($SRC), build $BUILD, beside $BESIDE"
	echo "started: $(date -u '+%Y-%m-%d %H:%M UTC'), load average $(cut -d' ' -f1-3 /proc/loadavg), $(nproc) cores"
	echo "load added: ${STRESS_HOGS:-$(nproc)} CPU hogs and a second copy of the suite beside the runs"
} >"$OUT/info"

# run_one BUILD DIR TEST: runs one test as make check in BUILD would; appends "STATUS TEST"
# to DIR/results.
# timeout(1) puts the test in a process group of its own; its id is kept in
# $OUT/running while the test runs, so stop_load can end it too.
run_one() {
	local BUILD=$1 dir=$2 t=$3 name rc status pid
	local cmd=("$BUILD/$t")
	name=$(echo "$t" | tr '/' '_')
	[[ $t != *.sh ]] || cmd=(bash "$SRC/$t")
	cd "$BUILD" || return
	MERIDIAN_SRCDIR=$SRC MERIDIAN_BUILDDIR=$BUILD CMOCKA_MESSAGE_OUTPUT=stdout \
		timeout "$TIMEOUT" "${cmd[@]}" >"$dir/$name.log" 2>&1 &
	pid=$!
	: >"$OUT/running/$pid"
	wait "$pid"
	rc=$?
	rm -f "$OUT/running/$pid"
	case $rc in
	0) status=PASS ;;
	77) status=SKIP ;;
	124) status=TIMEOUT ;;
	*) status=FAIL ;;
	esac
	echo "$status $t" >>"$dir/results"
}
# run_suite BUILD DIR: every test in BUILD, two at a time.
run_suite() {
	mkdir -p "$2"
	: >"$2/results"
	xargs -P 2 -I{} bash -c 'run_one "$0" "$1" "$2"' "$1" "$2" {} <"$OUT/tests"
}

# beside_loop: the suite over and over, as beside-1, beside-2, ...
beside_loop() {
	local r=0
	while :; do
		r=$((r + 1))
		run_suite "$BESIDE" "$OUT/beside-$r"
	done
}
export -f run_one run_suite beside_loop
export SRC BUILD BESIDE TIMEOUT OUT

# Each part of the load is its own process group (setsid): stopping it stops all it runs.
PIDS=()
stop_load() {
	local p
	for p in "${PIDS[@]}"; do kill -TERM -- "-$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	PIDS=()
	# the tests still running (the copy beside's, or all when the script is stopped)
	# (each once: a group still led by its timeout process, so an id reused since is spared)
	for p in $(ls "$OUT/running" 2>/dev/null); do
		[ "$(cat "/proc/$p/comm" 2>/dev/null)" != timeout ] || kill -TERM -- "-$p" 2>/dev/null
		rm -f "$OUT/running/$p"
	done
}
trap stop_load EXIT

# The load: a CPU hog per core, and the suite again and again beside the runs.
for _ in $(seq "${STRESS_HOGS:-$(nproc)}"); do
	setsid bash -c 'while :; do :; done' &
	PIDS+=($!)
done
setsid bash -c beside_loop >/dev/null 2>&1 &
PIDS+=($!)

streak=0
best=0
for r in $(seq "$N"); do
	start=$SECONDS
	run_suite "$BUILD" "$OUT/main-$r"
	touch "$OUT/main-$r/done"
	fails=$(grep -cvE '^(PASS|SKIP) ' "$OUT/main-$r/results")
	passes=$(grep -c '^PASS ' "$OUT/main-$r/results")
	skips=$(grep -c '^SKIP ' "$OUT/main-$r/results")
	if [ "$fails" -eq 0 ]; then streak=$((streak + 1)); else streak=0; fi
	[ $streak -gt $best ] && best=$streak
	echo "run $r/$N: $passes passed, $skips skipped, $fails failed ($((SECONDS - start)) s, load average $(cut -d' ' -f1-3 /proc/loadavg) at its end)" |
		tee -a "$OUT/runs"
done
stop_load

# The table: every test that failed in any run (main or beside), with the runs.
echo
report "$OUT"
