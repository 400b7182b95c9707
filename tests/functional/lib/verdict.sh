# tests/functional/lib/verdict.sh -- helpers for the verdict scenarios (source after repl.sh)
# Three regions on loopback, each a replicator and a healthcheck with its own clock
# (libfaketime), dnsd where a scenario asks for one.
FAKETIME_LIB=
for f in /usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1 /usr/lib/*/faketime/libfaketimeMT.so.1; do
	[ -r "$f" ] && { FAKETIME_LIB=$f; break; }
done

# v_need_faketime: skips the scenario when libfaketime is not installed.
v_need_faketime() { [ -n "$FAKETIME_LIB" ] || t_skip "libfaketime not installed (faketime)"; }

# v_clock OFFSET CMD...: runs CMD with its wall clock moved by OFFSET seconds ("-25",
# "+29.7"); monotonic clocks are left alone. Under ASan the preload comes first, which
# the runtime would refuse without verify_asan_link_order=0.
# In a subshell (t_start runs it in the background) CMD replaces the subshell, so the pid
# t_start records is CMD's own: killing it stops CMD (it used to outlive the scenario).
v_clock() {
	local offset=$1; shift
	local run=()
	[ "$BASHPID" != "$$" ] && run=(exec)
	"${run[@]}" env LD_PRELOAD="$FAKETIME_LIB" FAKETIME="$offset" FAKETIME_DONT_FAKE_MONOTONIC=1 \
		FAKETIME_NO_CACHE=1 ASAN_OPTIONS="${ASAN_OPTIONS:-}${ASAN_OPTIONS:+:}verify_asan_link_order=0" "$@"
}

# v_state NAME DC: the effective state of DC in region NAME, from meridianctl status --json.
v_state() {
	"$BIN/meridianctl" -c "$WORK/$1.yaml" status --json 2>/dev/null |
		python3 -c 'import json,sys; d=json.load(sys.stdin); print([x["state"] for x in d["datacenters"] if x["name"]==sys.argv[1]][0])' "$2"
}

# v_wait_state SECONDS NAME DC WANT: waits until v_state prints WANT.
v_state_is() { [ "$(v_state "$1" "$2")" = "$3" ]; }
v_wait_state() {
	t_until "$(($1 < 30 ? 30 : $1))" v_state_is "$2" "$3" "$4" && return 0
	echo "# $2: $3 is [$(v_state "$2" "$3")], wanted $4"; return 1
}

# v_mmdb: writes $WORK/test-city.mmdb or skips.
v_mmdb() {
	perl -MMaxMind::DB::Writer::Tree -e1 2>/dev/null || t_skip "libmaxmind-db-writer-perl not installed"
	perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK" >/dev/null || t_skip "make-test-mmdb.pl failed"
}
