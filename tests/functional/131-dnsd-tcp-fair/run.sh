#!/usr/bin/env bash
# 131-dnsd-tcp-fair: TCP is answered one message per connection per turn, so 32
# hostile connections pipelining thousands of large queries each delay a legitimate TCP
# query by one answer per connection, not by all they have buffered. The median of 20
# legitimate queries is held to a twentieth of the hostile load's duration (a loaded
# machine stretches both); the slowest is held to the issue's 50 ms with T_TIMING=1 (a
# quiet machine: on a busy one a single query descheduled for a moment took 266 ms of a
# 3.6 s load, median 2 ms). (Before, a query arriving behind a round of every hostile
# buffer waited 200-350 ms of a 2.5 s load here.)
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
d_config "  tcp_max_connections: 64"
d_start || t_abort "meridian-dnsd answers"

python3 "$(dirname "$0")/fair.py" "$D_PORT" 32 8000 >"$WORK/fair.out" 2>&1
cat "$WORK/fair.out" | sed 's/^/# /'
read -r _ hostile_s < <(grep '^hostile ' "$WORK/fair.out")
read -r _ median max < <(grep '^legit ' "$WORK/fair.out")
t_eq "every legitimate query answered NOERROR" "answered 20 of 20" "$(grep '^answered' "$WORK/fair.out")"
t_eq "every hostile query answered" "hostile answers 256000" "$(grep '^hostile answers' "$WORK/fair.out")"
fair() {
	python3 -c "import sys; m, h = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if m >= 0 and (m < 50 or m < h * 1000 / 20) else 1)" \
		"$1" "${hostile_s:-0}"
}
t_check "legitimate TCP queries wait a twentieth of the hostile load at most, in the median (median ${median:-?} ms, slowest ${max:-?} ms, hostile load ${hostile_s:-?} s)" \
	fair "${median:--1}"
[ "${T_TIMING:-0}" != 1 ] ||
	t_check "T_TIMING=1: the slowest legitimate TCP query waits under 50 ms (${max:-?} ms)" \
		python3 -c "import sys; sys.exit(0 if 0 <= float(sys.argv[1]) < 50 else 1)" "${max:--1}"
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_check "no sanitizer report" d_sanitizer_clean
t_done
