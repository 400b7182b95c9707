# tests/functional/lib.sh -- shared helpers for functional scenarios (source it)
# Each scenario gets its own work directory, its own loopback ports, and cleans up
# every process it started, by PID, on exit. Exit 77 means skipped.
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

# t_port: a free TCP+UDP port on 127.0.0.1 (bind-probe with python).
t_port() {
	python3 - <<'PY'
import socket
while True:
    t = socket.socket(); t.bind(("127.0.0.1", 0)); p = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind(("127.0.0.1", p)); print(p); break
    except OSError:
        pass
    finally:
        u.close(); t.close()
PY
}

# t_start NAME CMD...: starts a program in the background, logs to $WORK/NAME.log.
t_start() {
	local name=$1; shift
	"$@" >"$WORK/$name.log" 2>&1 &
	T_PIDS+=($!)
	eval "PID_$(echo "$name" | tr -c 'A-Za-z0-9_\n' _)=$!"
}

# t_wait_udp PORT: waits until a DNS server answers on 127.0.0.1:PORT (10 s).
t_wait_dns() {
	local port=$1
	for _ in $(seq 100); do
		kdig @127.0.0.1 -p "$port" +timeout=1 +retry=0 id.server CH TXT >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "server on port $port did not answer"; return 1
}

# t_wait_tcp PORT: waits until something accepts on 127.0.0.1:PORT (10 s).
t_wait_tcp() {
	local port=$1
	for _ in $(seq 100); do
		(exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && return 0
		sleep 0.1
	done
	echo "nothing listening on port $port"; return 1
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
