#!/usr/bin/env bash
# 050-style-floors: qa/style-check.sh fails on an #include that breaks the floors of
# docs/architecture.md (an upward arrow, an arrow between the two library siblings geo/
# and state/, state/ reaching for the config, one program including another) and passes
# a tree whose arrows all point down or stay inside their directory.
. "$(dirname "$0")/../lib.sh"
command -v perl >/dev/null || t_skip "perl not installed"

# file PATH INCLUDE...: writes a C file with the house header and the given includes.
file() {
	local path=$WORK/tree/$1
	shift
	mkdir -p "$(dirname "$path")"
	{
		echo "/* SPDX-License-Identifier: MIT */"
		echo "/* $(basename "$path") -- a fixture of test 050 */"
		for inc in "$@"; do echo "#include \"$inc\""; done
	} >"$path"
}
check() { STYLE_CHECK_ROOT=$WORK/tree "$SRC/qa/style-check.sh" 2>&1; }

# Every allowed arrow once: down the floors, or within the directory.
file base/log.h
file base/log.c base/log.h config.h
file conf/conf.h base/log.h
file geo/geo.h conf/conf.h base/log.h
file state/state.h base/log.h
file bridge/bridge_x.c conf/conf.h state/state.h base/log.h bridge/bridge_x.h
file bridge/bridge_x.h
file dnsd/dnsd_x.c dnsd/dnsd_y.h geo/geo.h state/state.h bridge/bridge_x.h conf/conf.h base/log.h
file dnsd/dnsd_y.h
file healthcheck/hc_x.c state/state.h healthcheck/hc_y.h
file healthcheck/hc_y.h
file replicator/repl_x.c state/state.h replicator/repl_y.h
file replicator/repl_y.h
file ctl/ctl_x.c geo/geo.h state/state.h ctl/ctl_y.h
file ctl/ctl_y.h
file bench/b.c geo/geo.h
file tests/unit/t.c dnsd/dnsd_y.h ctl/ctl_y.h healthcheck/hc_y.h
out=$(check)
t_eq "a tree that keeps the floors passes" 0 $?
t_contains "and says so" "style-check: 0 error(s)" "$out"

# Each broken arrow on its own: the check fails and names file, line and the rule.
bad() { # WHAT PATH INCLUDE EXPECTED
	local what=$1 path=$2 inc=$3 want=$4
	cp "$WORK/tree/$path" "$WORK/saved" 2>/dev/null || : >"$WORK/saved"
	file "$path" "$inc"
	out=$(check)
	t_eq "$what: style-check exits 1" 1 $?
	t_contains "$what: named" "$want" "$out"
	cp "$WORK/saved" "$WORK/tree/$path"
}
bad "base including conf" base/log.c conf/conf.h \
	"base/log.c:3: error: base/ may not include conf/ (docs/architecture.md: base/ only)"
bad "conf including geo" conf/conf.h geo/geo.h "conf/conf.h:3: error: conf/ may not include geo/"
bad "geo including state (siblings)" geo/geo.h state/state.h \
	"geo/geo.h:3: error: geo/ may not include state/"
bad "state including geo (siblings)" state/state.h geo/geo.h \
	"state/state.h:3: error: state/ may not include geo/"
bad "state including a program" state/state.h dnsd/dnsd_y.h \
	"state/state.h:3: error: state/ may not include dnsd/"
bad "state including the config (it takes state_params_t)" state/state.h conf/conf.h \
	"state/state.h:3: error: state/ may not include conf/ (docs/architecture.md: base/, state/ only)"
bad "state including the bridge above it" state/state.h bridge/bridge_x.h \
	"state/state.h:3: error: state/ may not include bridge/"
bad "conf including the bridge" conf/conf.h bridge/bridge_x.h "conf/conf.h:3: error: conf/ may not include bridge/"
bad "the bridge including a program" bridge/bridge_x.c ctl/ctl_y.h \
	"bridge/bridge_x.c:3: error: bridge/ may not include ctl/"
bad "a program including another" healthcheck/hc_x.c dnsd/dnsd_y.h \
	"healthcheck/hc_x.c:3: error: healthcheck/ may not include dnsd/"
bad "ctl including the replicator" ctl/ctl_x.c replicator/repl_y.h \
	"ctl/ctl_x.c:3: error: ctl/ may not include replicator/"
bad "bench including a program" bench/b.c dnsd/dnsd_y.h "bench/b.c:3: error: bench/ may not include dnsd/"
bad "a library including the tests" geo/geo.h tests/unit/x.h "geo/geo.h:3: error: geo/ may not include tests/"

out=$(check)
t_eq "restored: passes again" 0 $?

# The real tree keeps the floors (but for those listed in qa/style-known.txt, which are
# printed as "known", not as errors).
out=$("$SRC/qa/style-check.sh" 2>&1)
t_check "the source tree has no include that breaks the floors" \
	bash -c "! grep -q ': error: .* may not include' <<<\"\$1\"" _ "$out"
t_done
