# tests/functional/lib.sh -- shared helpers for functional scenarios (source it)
# Each scenario gets its own work directory, its own loopback ports, and cleans up
# every process it started, by PID, on exit. Exit 77 means skipped.
# Layout: tests/functional/NNN-topic/run.sh are scenarios, nothing else; the helper
# libraries they source after this file live in tests/functional/lib/ (dnsd.sh,
# dnssec.sh, hc.sh, repl.sh, verdict.sh, ctl.sh, obs.sh, install.sh, netns.sh and the
# origins and peers they start); shared fixtures in tests/data/, test tools in tests/tools/.
set -u
: "${MERIDIAN_BUILDDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${MERIDIAN_SRCDIR:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
BIN=$MERIDIAN_BUILDDIR
SRC=$MERIDIAN_SRCDIR
T_NAME=$(basename "$(dirname "$0")")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/meridian-$T_NAME.XXXXXX")
T_PIDS=()
T_FAILS=0
T_CHECKS=0

t_cleanup() {
	local pid
	for pid in "${T_PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null
	done
	for pid in "${T_PIDS[@]}"; do
		for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
		kill -KILL "$pid" 2>/dev/null
	done
	if [ "$T_FAILS" -eq 0 ] && [ -z "${T_KEEP:-}" ]; then rm -rf "$WORK"; else echo "work dir kept: $WORK"; fi
}
trap t_cleanup EXIT

# Every wait below is a condition polled until a deadline, never a fixed sleep. The
# deadlines are generous (a busy 2-core machine, valgrind, ASan); T_WAIT_SCALE multiplies
# them all for a slower setup still.
: "${T_WAIT_SCALE:=1}"

# t_until SECONDS COMMAND...: runs COMMAND every 0.05 s until it succeeds (0), or 1 once
# SECONDS (times T_WAIT_SCALE) of wall-clock time have passed.
t_until() {
	local secs=$1; shift
	local end=$((SECONDS + secs * T_WAIT_SCALE + 1))
	while :; do
		"$@" && return 0
		[ "$SECONDS" -ge "$end" ] && return 1
		sleep 0.05
	done
}

# t_log_has FILE REGEX: the file exists and a line matches (grep -E).
t_log_has() { [ -e "$1" ] && grep -qE -- "$2" "$1"; }

# t_wait_log FILE REGEX [SECONDS]: waits until a line of FILE matches REGEX (default 30 s).
t_wait_log() {
	t_until "${3:-30}" t_log_has "$1" "$2" && return 0
	echo "# waited for /$2/ in $1:"; tail -5 "$1" 2>/dev/null; return 1
}

# Ports: never picked here and bound later by someone else (another process may take a
# port in between). A program under test listens on port 0 and logs the port it got
# (t_listen_port); a port that must refuse connections, or be busy, is held by t_hold.

# t_listen_port LOG [ADDRESS [SECONDS]]: waits (30 s by default) for "listening on
# ADDRESS:PORT" in LOG (as meridian-dnsd logs it; ADDRESS 127.0.0.1 by default, [::1] or
# 0.0.0.0 as written) and prints PORT.
t_listen_port() {
	t_until "${3:-30}" t_listen_port_now "$1" "${2:-127.0.0.1}" >/dev/null && \
		t_listen_port_now "$1" "${2:-127.0.0.1}" && return 0
	echo "# no \"listening on ${2:-127.0.0.1}:PORT\" in $1:" >&2; tail -5 "$1" >&2; return 1
}

# t_listen_port_now LOG ADDRESS: prints the port once it is logged; 1 before.
t_listen_port_now() {
	[ -e "$1" ] && awk -v a="listening on $2:" '
		{ i = index($0, a); if (i) { p = substr($0, i + length(a)); sub(/[^0-9].*/, "", p)
		  print p; found = 1; exit } }
		END { exit !found }' "$1"
}

# t_hold NAME: starts a process that holds one port on 127.0.0.1 bound in TCP and in UDP
# (never listening, never reading): connections to it are refused, datagrams unanswered,
# and nothing else can bind it. Sets PORT_NAME to it.
t_hold() {
	local name=$1
	t_start "hold-$name" python3 -c '
import os, signal, socket, sys
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    u.bind(("127.0.0.1", 0))
    t = socket.socket()
    try:
        t.bind(("127.0.0.1", u.getsockname()[1]))
        break
    except OSError:
        u.close(); t.close()
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(str(u.getsockname()[1]))
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.pause()
' "$WORK/hold-$name.port"
	t_until 30 test -s "$WORK/hold-$name.port" || t_abort "port holder $name started"
	eval "PORT_$name=$(cat "$WORK/hold-$name.port")"
}

# t_hold_port NAME PORT: as t_hold, on PORT, a port a stopped program of this scenario
# listened on and will listen on again (its peers name it): held from its stop until
# t_release NAME just before its restart, so nothing else takes it in between.
t_hold_port() {
	rm -f "$WORK/hold-$1.port"
	t_start "hold-$1" python3 -c '
import os, signal, socket, sys
u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
t = socket.socket()
t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # its old connections in TIME_WAIT
u.bind(("127.0.0.1", int(sys.argv[2])))
t.bind(("127.0.0.1", int(sys.argv[2])))
with open(sys.argv[1] + ".tmp", "w") as f:
    f.write(sys.argv[2])
os.rename(sys.argv[1] + ".tmp", sys.argv[1])
signal.pause()
' "$WORK/hold-$1.port" "$2"
	t_until 30 test -s "$WORK/hold-$1.port" || t_abort "port holder $1 holds port $2"
}

# t_release NAME: stops the holder of t_hold_port NAME and waits until it is gone.
t_release() {
	local v; v="PID_hold_$(echo "$1" | tr -c 'A-Za-z0-9_\n' _)"
	kill "${!v}" 2>/dev/null
	wait "${!v}" 2>/dev/null
	return 0
}

# t_low_port: for third-party servers only (NSD, Knot, Unbound: 150, 152), which cannot
# listen on port 0 and say which port they got: a port below the kernel's ephemeral
# range that is free now. No connection's source port and no port-0 bind is ever taken
# from there, so only another such server could take it first; the caller starts the
# server again on another port when it could not bind it. Meridian's own programs all
# listen on port 0 and log the port (t_listen_port).
t_low_port() {
	python3 - <<'PY'
import random, socket
while True:
    p = random.randrange(20000, 32000)
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        s.close()
PY
}

# t_peer_port FILE PEER PORT: points the replication peer PEER named in config FILE
# ("PEER: \"http(s)://HOST:PORT\"") at PORT; 1 when FILE names no such peer or already
# that port (nothing to reload).
t_peer_port() {
	grep -qE "[{ ,]$2: \"https?://[^\"]*:[0-9]+\"" "$1" || return 1
	grep -qE "[{ ,]$2: \"https?://[^\"]*:$3\"" "$1" && return 1
	sed -i -E "s#([{ ,]$2: \"https?://[^\"]*:)[0-9]+\"#\1$3\"#" "$1"
}

# t_zone [DIR]: the minimal example.com. zone (SOA, NS, ns1; tests/data/zones/) copied to
# DIR/example.com.zone ($WORK/zones by default), for scenarios that need a zone to load
# rather than answers from it.
t_zone() {
	local dir=${1:-$WORK/zones}
	mkdir -p "$dir" && cp "$SRC/tests/data/zones/example.com.zone" "$dir/example.com.zone"
}

# t_config [OVERRIDES|-]: $WORK/meridian.yaml from the common config
# (tests/data/configs/meridian.yaml: region us-east, datacenters us-east and eu-west
# behind www.example.com., example.com. served from t_zone's zone, which it copies) with
# OVERRIDES merged in: YAML, the argument, or the standard input for "-". A mapping
# merges key by key, any other value replaces, null removes (lib/config.py). A scenario
# states only how its config differs, e.g. t_config 'dns: { threads: 1 }'.
t_config() { t_config_to "$WORK/meridian.yaml" "$@"; }

# t_config_to FILE [OVERRIDES|-]: the same, written to FILE.
t_config_to() {
	t_zone
	t_config_edit "$SRC/tests/data/configs/meridian.yaml" "$@"
}

# t_config_edit BASE FILE [OVERRIDES|-]: FILE (which may be BASE) is the config BASE with
# OVERRIDES merged in as t_config does: how a scenario changes a config it wrote, or
# derives a broken one from it, without editing YAML text.
t_config_edit() {
	local base=$1 out=$2 over=${3:-}
	if [ "$over" = - ]; then cat; else printf '%s\n' "$over"; fi |
		python3 "$SRC/tests/functional/lib/config.py" "$base" >"$out.tmp" &&
		mv "$out.tmp" "$out" || t_abort "config $out written from $base"
}

# t_start NAME CMD...: starts a program in the background, logs to $WORK/NAME.log.
t_start() {
	local name=$1; shift
	# emptied here, before the program starts, not by the redirection of the background
	# job: that one runs whenever the job is scheduled, so a check of the log right after
	# (t_listen_port after a restart) could read the last run's lines, then an empty file
	: >"$WORK/$name.log"
	"$@" >>"$WORK/$name.log" 2>&1 &
	T_PIDS+=($!)
	eval "PID_$(echo "$name" | tr -c 'A-Za-z0-9_\n' _)=$!"
}

# t_answers PORT: a DNS server answers id.server on 127.0.0.1:PORT.
t_answers() { kdig @127.0.0.1 -p "$1" +timeout=1 +retry=0 id.server CH TXT >/dev/null 2>&1; }

# t_wait_dns PORT: waits (30 s) until a DNS server answers on 127.0.0.1:PORT.
t_wait_dns() {
	t_until 30 t_answers "$1" && return 0
	echo "server on port $1 did not answer"; return 1
}

# t_accepts PORT: something accepts TCP connections on 127.0.0.1:PORT.
t_accepts() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# t_wait_tcp PORT: waits (30 s) until something accepts on 127.0.0.1:PORT.
t_wait_tcp() {
	t_until 30 t_accepts "$1" && return 0
	echo "nothing listening on port $1"; return 1
}

# t_refuses PORT: connections to 127.0.0.1:PORT are refused.
t_refuses() { ! t_accepts "$1"; }

# t_wait_refused PORT: waits (30 s) until connections to 127.0.0.1:PORT are refused.
t_wait_refused() {
	t_until 30 t_refuses "$1" && return 0
	echo "port $1 still accepts"; return 1
}

# t_check DESCRIPTION COMMAND...: runs a command, counts pass/fail.
t_check() {
	local what=$1; shift
	T_CHECKS=$((T_CHECKS + 1))
	if "$@"; then
		echo "ok - $what"
	else
		echo "not ok - $what"
		T_FAILS=$((T_FAILS + 1))
	fi
}

# t_eq DESCRIPTION EXPECTED ACTUAL
t_eq() {
	T_CHECKS=$((T_CHECKS + 1))
	if [ "$2" = "$3" ]; then
		echo "ok - $1"
	else
		echo "not ok - $1: expected [$2] got [$3]"
		T_FAILS=$((T_FAILS + 1))
	fi
}

# t_contains DESCRIPTION NEEDLE HAYSTACK
t_contains() {
	T_CHECKS=$((T_CHECKS + 1))
	case "$3" in
	*"$2"*) echo "ok - $1" ;;
	*) echo "not ok - $1: [$2] not in:"; echo "$3" | head -20; T_FAILS=$((T_FAILS + 1)) ;;
	esac
}

# t_abort WHAT: counts a failed setup step and ends the scenario (a server that never
# came up must fail the test, not end it with nothing checked).
t_abort() {
	T_CHECKS=$((T_CHECKS + 1))
	echo "not ok - $1"
	T_FAILS=$((T_FAILS + 1))
	t_done
}

# t_done: prints the plan summary and exits with the right status. A scenario that
# checked nothing has not shown anything: that is a failure too.
t_done() {
	echo "$T_NAME: $((T_CHECKS - T_FAILS)) passed, $T_FAILS failed"
	if [ "$T_CHECKS" -eq 0 ]; then echo "not ok - no check ran"; exit 1; fi
	[ "$T_FAILS" -eq 0 ] || exit 1
	exit 0
}

# t_skip REASON
t_skip() { echo "SKIP: $*"; exit 77; }
