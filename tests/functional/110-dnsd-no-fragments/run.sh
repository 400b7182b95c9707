#!/usr/bin/env bash
# 110-dnsd-no-fragments: answers are never fragmented (RFC 9715 3.1: DF set, path-MTU
# information ignored); an answer larger than the interface MTU goes out truncated, so
# the client retries over TCP. Runs meridian-dnsd in a network namespace this test makes,
# whose loopback gets a 1300-byte MTU. Needs root; skipped otherwise.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
[ "$(id -u)" = 0 ] || t_skip "the MTU test needs root for a network namespace"
command -v ip >/dev/null || t_skip "ip (iproute2) not installed"

NS=mrmtu$$
trap 't_cleanup; ip netns del "$NS" 2>/dev/null' EXIT
ip netns add "$NS" 2>/dev/null || t_skip "cannot create network namespaces here"
ip -n "$NS" link set lo up mtu 1300 || t_abort "loopback MTU 1300 in $NS"

# The namespace is ours alone: its ports are free, and nothing outside can take one.
D_PORT=5353
d_zone
# ~1.1 kB of TXT: below the MTU, so it must come whole over UDP.
for i in 1 2 3 4 5; do
	printf 'mid\tIN TXT\t"%03d %s"\n' "$i" "$(printf '%0200d' 0)" >>"$WORK/zones/example.com.zone"
done
cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$D_PORT", "[::1]:$D_PORT"]
  threads: 1
  udp_payload: 4096
  zones:
    - origin: example.com.
      file: zones/example.com.zone
CONF
t_start dnsd ip netns exec "$NS" "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml"
# nq SERVER ARGS...: kdig inside the namespace, EDNS size 4096, UDP only unless asked.
nq() {
	local server=$1
	shift
	ip netns exec "$NS" kdig @"$server" -p "$D_PORT" +retry=0 +timeout=2 +bufsize=4096 "$@"
}
ns_answers() { nq 127.0.0.1 +short www.example.com A 2>/dev/null | grep -q 192.0.2.80; }
t_until 30 ns_answers || t_abort "meridian-dnsd answers in the namespace"

nq 127.0.0.1 +notcp +ignore big.example.com TXT >"$WORK/big4.out" 2>&1
t_contains "IPv4: a 3 kB answer over a 1300-byte MTU is truncated" "Flags: qr aa tc" "$(cat "$WORK/big4.out")"
t_contains "IPv4: the truncated answer carries no records" "ANSWER: 0;" "$(cat "$WORK/big4.out")"
nq ::1 +notcp +ignore big.example.com TXT >"$WORK/big6.out" 2>&1
t_contains "IPv6: a 3 kB answer over a 1300-byte MTU is truncated" "Flags: qr aa tc" "$(cat "$WORK/big6.out")"
nq 127.0.0.1 big.example.com TXT >"$WORK/big-retry.out" 2>&1
t_contains "the client's retry over TCP gets all 16 records" "ANSWER: 16;" "$(cat "$WORK/big-retry.out")"
nq 127.0.0.1 +notcp +ignore mid.example.com TXT >"$WORK/mid.out" 2>&1
t_contains "an answer below the MTU comes whole over UDP" "ANSWER: 5;" "$(cat "$WORK/mid.out")"
t_check "and without TC" bash -c "! grep -q 'Flags: qr aa tc' '$WORK/mid.out'"

# The same answer with the MTU raised: it is the MTU, not a size cap, that truncated it.
ip -n "$NS" link set lo mtu 65536
nq 127.0.0.1 +notcp +ignore big.example.com TXT >"$WORK/big-wide.out" 2>&1
t_contains "with a 64 kB MTU the 3 kB answer comes whole over UDP" "ANSWER: 16;" "$(cat "$WORK/big-wide.out")"

d_stop
t_eq "meridian-dnsd exits 0 on SIGTERM" 0 "$D_STATUS"
t_contains "the truncations are counted" "3 truncated" "$(cat "$WORK/dnsd.log")"
t_check "no sanitizer report" d_sanitizer_clean
t_done
