#!/usr/bin/env bash
# 060-daemon-cli: meridian-dnsd, meridian-healthcheck, meridian-replicator and meridianctl
# run through one table of command lines and behave alike: --help/-h and --version/-V
# exit 0, an unknown option or a missing argument exits 2 with the same wording, a bad
# or missing config is named and exits 1. The three daemons then share a lifecycle:
# --pid-file written once started (a stale one replaced), a second instance on the same
# pid file refused, SIGHUP reloads, SIGTERM stops with exit 0 and removes the pid file.
. "$(dirname "$0")/../lib.sh"

DAEMONS=(meridian-dnsd meridian-healthcheck meridian-replicator)
PROGRAMS=("${DAEMONS[@]}" meridianctl)
for p in "${PROGRAMS[@]}"; do [ -x "$BIN/$p" ] || t_skip "$p not built"; done
VERSION=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "$BIN/config.h")
[ -n "$VERSION" ] || t_abort "PACKAGE_VERSION not found in $BIN/config.h"

cd "$WORK" || exit 1
# Both listeners take a port the kernel picks (port 0).
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >repl.key
t_zone "$WORK"
# One config every program accepts.
cat >good.yaml <<YAML
region: r1
state: state.db
dns:
  listen: ["127.0.0.1:0"]
  zones:
    - origin: example.com.
      file: example.com.zone
datacenters:
  dc1: { location: [38.9, -77.4], addresses: [192.0.2.1] }
replication:
  listen: "127.0.0.1:0"
  key_file: repl.key
  peers: {}
YAML
printf 'region: r1\nstate: state.db\nbogus: 1\n' >bad.yaml

# run PROGRAM ARGS...: sets RC, OUT (stdout) and ERR (stderr).
run() {
	local p=$1; shift
	OUT=$("$BIN/$p" "$@" 2>"$WORK/err") && RC=0 || RC=$?
	ERR=$(cat "$WORK/err")
}

# The table: ARGS | exit status | stream | what its first line is (=) or holds (~).
# PROG stands for the program's name, CHECK for its check-the-config argument
# (-t for a daemon, the check subcommand for meridianctl).
CASES=(
	"--help|0|out|~usage: PROG [-c FILE]"
	"-h|0|out|~usage: PROG [-c FILE]"
	"--version|0|out|=PROG $VERSION"
	"-V|0|out|=PROG $VERSION"
	"--bogus|2|err|~PROG: unknown option"
	"--bogus|2|err|~--bogus"
	"-c|2|err|=PROG: -c: missing argument"
	"--config|2|err|=PROG: --config: missing argument"
	"--config=|2|err|=PROG: --config: empty argument"
	"-c missing.yaml CHECK|1|err|~missing.yaml"
	"-c bad.yaml CHECK|1|err|~bad.yaml:3:1: "
	"-c good.yaml CHECK|0|out|~good.yaml"
)
for p in "${PROGRAMS[@]}"; do
	check=-t
	[ "$p" = meridianctl ] && check=check
	for row in "${CASES[@]}"; do
		IFS='|' read -r args want_rc stream want <<<"$row"
		args=${args//CHECK/$check}
		want=${want//PROG/$p}
		# shellcheck disable=SC2086 # the table's arguments are words
		run "$p" $args
		t_eq "$p $args: exit $want_rc" "$want_rc" "$RC"
		if [ "$stream" = out ]; then text=$OUT; else text=$ERR; fi
		case $want in
		=*) t_eq "$p $args: first line of std$stream" "${want#=}" "${text%%$'\n'*}" ;;
		~*) t_contains "$p $args: std$stream holds ${want#\~}" "${want#\~}" "$text" ;;
		esac
	done
done

# What only a daemon has: the usage follows an unknown option, the shared synopsis, -f,
# bundled flags, and a stray argument is refused.
for p in "${DAEMONS[@]}"; do
	run "$p" --bogus
	t_contains "$p --bogus: the usage follows" \
		"usage: $p [-c FILE] [-t] [--pid-file FILE] [-f]" "$ERR"
	t_eq "$p --bogus: nothing on stdout" "" "$OUT"
	run "$p" -ft -c good.yaml
	t_eq "$p -ft: -f is accepted and bundles" 0 "$RC"
	run "$p" -t -c good.yaml extra
	t_eq "$p: a stray argument exits 2" 2 "$RC"
	t_eq "$p: a stray argument is named" "$p: unexpected argument 'extra'" "${ERR%%$'\n'*}"
done

# wait_for CONDITION...: up to 30 s.
wait_for() { t_until 30 "$@"; }
pid_file_holds() { [ "$(cat "$1" 2>/dev/null)" = "$2" ]; }
gone() { ! kill -0 "$1" 2>/dev/null; }

for p in "${DAEMONS[@]}"; do
	pf=$WORK/$p.pid
	# A stale file: the pid of a process that runs something else (this shell).
	echo $$ >"$pf"
	t_start "$p" "$BIN/$p" -c good.yaml --pid-file "$pf"
	pid=$!
	t_check "$p: pid file written once started" wait_for pid_file_holds "$pf" "$pid"
	t_contains "$p: the stale pid file is said to be replaced" \
		"names pid $$, which is not $p (a stale file); replacing it" "$(cat "$WORK/$p.log")"
	run "$p" -c good.yaml --pid-file "$pf"
	t_eq "$p: a second instance on the pid file exits 1" 1 "$RC"
	t_contains "$p: a second instance says why" "pid file $pf: $p already runs as pid $pid" "$ERR"
	t_check "$p: the first instance's pid file is left alone" pid_file_holds "$pf" "$pid"
	kill -HUP "$pid"
	# Each daemon logs "reloaded FILE: ..." only once the new config is in use.
	t_check "$p: SIGHUP reloaded the config" wait_for grep -q "info: reloaded .*good.yaml: " "$WORK/$p.log"
	t_check "$p: alive after SIGHUP" kill -0 "$pid"
	kill -TERM "$pid"
	t_check "$p: SIGTERM stops it" wait_for gone "$pid"
	wait "$pid"
	t_eq "$p: SIGTERM exit status" 0 "$?"
	t_check "$p: pid file removed at exit" test ! -e "$pf"
	t_check "$p: no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$WORK/$p.log'"
done
t_done
