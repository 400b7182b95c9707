#!/usr/bin/env bash
# 408-repl-partition: three regions, each in its own network namespace, joined by a
# bridge in a fourth namespace this test creates (nothing touches the host's network).
# A is cut off completely (its link down); A and B/C keep writing, including a drain on
# each side; healed, all three converge row for row. Needs root; skipped otherwise.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
[ "$(id -u)" = 0 ] || t_skip "partition test needs root for network namespaces"
command -v ip >/dev/null || t_skip "ip (iproute2) not installed"

tag=$$
NS_HUB=mrhub$tag
NETNS=()
netns_cleanup() {
	local ns
	for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null; done
}
trap 't_cleanup; netns_cleanup' EXIT
ip netns add "$NS_HUB" 2>/dev/null || t_skip "cannot create network namespaces here"
NETNS+=("$NS_HUB")
ip -n "$NS_HUB" link add br0 type bridge && ip -n "$NS_HUB" link set br0 up || t_skip "no bridge support"
i=0
for r in a b c; do
	i=$((i + 1))
	ns=mr$r$tag
	ip netns add "$ns" || t_skip "cannot create network namespaces here"
	NETNS+=("$ns")
	ip -n "$ns" link set lo up
	ip -n "$NS_HUB" link add "br-$r" type veth peer name eth0 netns "$ns"
	ip -n "$NS_HUB" link set "br-$r" master br0 up
	ip -n "$ns" addr add "10.231.0.$i/24" dev eth0
	ip -n "$ns" link set eth0 up
	eval "ADDR_$r=10.231.0.$i NS_$r=$ns"
done

# Configs: each region listens on its namespace address; peers by address. Each
# namespace is this test's alone, so every region can take the same fixed port there.
repl_region a b c
repl_region b a c
repl_region c a b
for r in a b c; do
	eval "REPL_PORT_$r=7000"
	a_var="ADDR_$r"
	sed -i "s|listen: \"127.0.0.1:0\"|listen: \"${!a_var}:7000\"|" "$WORK/$r.yaml"
	for p in a b c; do
		a_var="ADDR_$p"
		sed -i -E "s#([{ ,]$p: \"http://)127\.0\.0\.1:[0-9]+\"#\1${!a_var}:7000\"#" "$WORK/$r.yaml"
	done
done
ns_start() {
	local ns_var="NS_$1" a_var="ADDR_$1"
	REPL_RUNS=$((${REPL_RUNS:-0} + 1))
	t_start "repl-$1.$REPL_RUNS" ip netns exec "${!ns_var}" "$REPL_BIN" -c "$WORK/$1.yaml"
	eval "REPL_PID_$1=$!"
	t_until 30 ns_accepts "${!ns_var}" "${!a_var}" "$(repl_port "$1")" && return 0
	echo "region $1 not listening"; return 1
}
# ns_accepts NS ADDR PORT: something accepts on ADDR:PORT inside namespace NS.
ns_accepts() { ip netns exec "$1" bash -c "exec 3<>/dev/tcp/$2/$3" 2>/dev/null; }
for r in a b c; do ns_start "$r"; done
repl_write a events 20
t_check "connected: all three converge" repl_wait_same 5 a b c

ip -n "$NS_HUB" link set br-a down
repl_write a events 100 500 &
w1=$!
repl_write b events 100 500 &
w2=$!
repl_write c events 50 &
wait $w1 $w2
repl_write a drain dc1 "inside the partition"
repl_write c drain dc2 "outside the partition"
t_check "B and C converge while A is cut off" repl_wait_same 5 b c
# (a window to observe that nothing crosses: it can only hide a failure, never make one)
sleep 0.5
t_eq "A saw nothing of B and C" "" "$(repl_sql a "SELECT origin FROM events WHERE origin != 'a' LIMIT 1")"
t_eq "A's store is readable and holds none of B's or C's events" 0 \
	"$(repl_sql a "SELECT count(*) FROM events WHERE origin != 'a'")"
t_eq "C saw nothing of A's partition writes" 20 "$(repl_sql c "SELECT count(*) FROM events WHERE origin = 'a'")"
t_check "A records its peers as failing" repl_wait_sql 5 a "SELECT count(*) FROM peers WHERE errors > 0" 2

ip -n "$NS_HUB" link set br-a up
t_check "healed: all three converge row for row" repl_wait_same 15 a b c
t_eq "both drains everywhere" "dc1 a|dc2 c" "$(repl_sql b "SELECT datacenter || ' ' || origin FROM overrides ORDER BY 1" | tr '\n' '|' | sed 's/|$//')"
# (each origin's count has +1: its replicator's deployments row, written at first start)
t_eq "every entry once" "a 123|b 101|c 53" "$(repl_sql b "SELECT origin || ' ' || seq FROM cursors ORDER BY origin" | tr '\n' '|' | sed 's/|$//')"
repl_finish
