#!/usr/bin/env bash
# 510-cluster: examples/cluster/cluster.sh, as the README's Deploy section uses it: three
# regions and their origins start on loopback (in a network namespace of the test's
# own, so the example's fixed ports are free), status shows every region, a failed
# origin moves the Ashburn client away in every region, and stop leaves no process.
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib.sh"

command -v kdig >/dev/null || t_skip "kdig not installed"
perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
export MERIDIAN_CLUSTER_DIR=$WORK/cluster MERIDIAN_BIN=$BIN
C=$SRC/examples/cluster/cluster.sh

"$C" start >"$WORK/start.log" 2>&1
rc=$?
t_eq "cluster.sh start" 0 "$rc"
if [ "$rc" -ne 0 ]; then
	sed 's/^/#   /' "$WORK/start.log"
	"$C" stop >/dev/null 2>&1
	t_done
fi
pids=$(cat "$WORK"/cluster/run/*/*.pid "$WORK"/cluster/run/*.pid 2>/dev/null)
t_eq "12 processes: 3 daemons in each of 3 regions, 3 origins" 12 "$(echo "$pids" | wc -w)"

# answer PORT SUBNET: what a region's DNS answers a client of SUBNET for www.
answer() { kdig @127.0.0.1 -p "$1" +short +timeout=1 +retry=0 +subnet="$2" www.example.com A 2>/dev/null; }
answer_is() { [ "$(answer "$1" "$2")" = "$3" ]; }
# until_answer PORT SUBNET EXPECTED: waits (60 s) for that answer.
until_answer() {
	t_until 60 answer_is "$1" "$2" "$3" && return 0
	echo "# 127.0.0.1:$1 answers $2 with $(answer "$1" "$2"), not $3"; return 1
}
# all_up: every region has every datacenter's observations from all three regions.
all_up() {
	local r
	for r in us-east eu-west ap-northeast; do
		[ "$(sqlite3 "$WORK/cluster/run/$r/state.db" \
			"SELECT count(*) FROM observations WHERE status = 'up'" 2>/dev/null)" = 9 ] || return 1
	done
}
# wait_all_up: all_up within 60 s.
wait_all_up() {
	t_until 60 all_up
}
t_check "every region sees 3 x 3 observations up" wait_all_up

out=$("$C" status 2>&1)
for r in us-east eu-west ap-northeast; do
	t_contains "status: region $r" "== region $r" "$out"
done
t_eq "status: every daemon running" 9 "$(grep -c ': running, pid' <<<"$out")"
t_eq "status: three origins up" 3 "$(grep -c '^origin of .*: up' <<<"$out")"
t_contains "status: Ashburn gets us-east" "Ashburn    203.0.113.10" "$out"

# The us-east origin fails: two regions seeing it down is the quorum, in every region.
rm "$WORK/cluster/run/origin-us-east/healthz"
for p in 5301 5302 5303; do
	t_check "127.0.0.1:$p sends Ashburn elsewhere once us-east's origin fails" \
		until_answer "$p" 67.43.156.0/24 198.51.100.10
done
echo ok >"$WORK/cluster/run/origin-us-east/healthz"
t_check "and back once it recovers" until_answer 5303 67.43.156.0/24 203.0.113.10

"$C" stop >"$WORK/stop.log" 2>&1
t_eq "cluster.sh stop" 0 $?
left=""
for p in $pids; do kill -0 "$p" 2>/dev/null && left="$left $p"; done
t_eq "no process left" "" "$left"
for r in us-east eu-west ap-northeast; do
	t_check "$r: meridian-dnsd stopped cleanly" grep -q "stopped" "$WORK/cluster/run/$r/dnsd.log"
done
t_done
