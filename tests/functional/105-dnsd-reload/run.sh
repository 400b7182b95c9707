#!/usr/bin/env bash
# 105-dnsd-reload: SIGHUP picks up zone and config changes without dropping a query; a
# reload that fails keeps serving the old data and logs why; SIGTERM exits 0.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../100-dnsd-lib/dnsd.sh"

d_zone
d_config
d_start || t_abort "meridian-dnsd answers"

a() { q +short "$@" | head -1; }
# wait_for EXPECTED NAME: polls up to 3 s for the A answer to become EXPECTED.
wait_for() {
	for _ in $(seq 30); do
		[ "$(a "$2" A)" = "$1" ] && return 0
		sleep 0.1
	done
	return 1
}

t_eq "initial data" 192.0.2.80 "$(a www.example.com)"

# Queries in lock-step while reloads happen: every one must be answered.
python3 - "$D_PORT" >"$WORK/steady.out" <<'PY' &
import socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(2)
q = struct.pack("!HHHHHH", 0, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
lost = answered = 0
end = time.time() + 3
i = 0
while time.time() < end:
    i = (i + 1) & 0xffff
    s.sendto(struct.pack("!H", i) + q[2:], ("127.0.0.1", int(sys.argv[1])))
    try:
        while True:
            r = s.recv(4096)
            if r[:2] == struct.pack("!H", i):
                answered += 1
                break
    except socket.timeout:
        lost += 1
print(answered, lost)
PY
steady=$!
sed -i 's/^www\tIN A\t192.0.2.80/www\tIN A\t192.0.2.81/; s/2024010101/2024010102/' "$WORK/zones/example.com.zone"
for _ in 1 2 3 4 5; do
	kill -HUP "$PID_dnsd"
	sleep 0.3
done
wait $steady
read -r answered lost <"$WORK/steady.out"
t_check "queries answered during reloads ($answered)" [ "${answered:-0}" -gt 100 ]
t_eq "no query lost during reloads" 0 "${lost:-x}"
t_check "SIGHUP picked up the zone change" wait_for 192.0.2.81 www.example.com
t_contains "reload logged" "reloaded $WORK/meridian.yaml: 1 zones" "$(cat "$WORK/dnsd.log")"
t_contains "serial change logged" "zone example.com.: serial 2024010102 (was 2024010101)" "$(cat "$WORK/dnsd.log")"

# A broken zone: refused, old data kept, the reason logged.
cp "$WORK/zones/example.com.zone" "$WORK/good.zone"
echo 'www.example.org. IN A 192.0.2.2' >>"$WORK/zones/example.com.zone"
sed -i 's/^www\tIN A\t192.0.2.81/www\tIN A\t192.0.2.82/' "$WORK/zones/example.com.zone"
kill -HUP "$PID_dnsd"
for _ in $(seq 30); do grep -q "still serving the previous" "$WORK/dnsd.log" && break; sleep 0.1; done
t_contains "bad zone: reason logged" "error: reload failed: $WORK/zones/example.com.zone:" "$(cat "$WORK/dnsd.log")"
t_contains "bad zone: says it keeps the old data" \
	"reload of $WORK/meridian.yaml failed; still serving the previous configuration" "$(cat "$WORK/dnsd.log")"
t_eq "bad zone: old data still served" 192.0.2.81 "$(a www.example.com)"

# A broken config: the same.
cp "$WORK/good.zone" "$WORK/zones/example.com.zone"
cp "$WORK/meridian.yaml" "$WORK/good.yaml"
echo "  bogus_key: 1" >>"$WORK/meridian.yaml"
n=$(grep -c "still serving the previous" "$WORK/dnsd.log")
kill -HUP "$PID_dnsd"
for _ in $(seq 30); do [ "$(grep -c "still serving the previous" "$WORK/dnsd.log")" -gt "$n" ] && break; sleep 0.1; done
t_contains "bad config: reason logged with file:line" "error: reload failed: $WORK/meridian.yaml:" "$(cat "$WORK/dnsd.log")"
t_contains "bad config: names the key" 'unknown key "bogus_key"' "$(cat "$WORK/dnsd.log")"
t_eq "bad config: old data still served" 192.0.2.81 "$(a www.example.com)"

# Fixed again: the next SIGHUP works, with a new record too.
cp "$WORK/good.yaml" "$WORK/meridian.yaml"
printf 'new\tIN A\t192.0.2.200\n' >>"$WORK/zones/example.com.zone"
kill -HUP "$PID_dnsd"
t_check "fixed reload serves the new name" wait_for 192.0.2.200 new.example.com

# Options reload too: version.bind is off by default and configurable.
t_eq "version.bind refused by default" REFUSED \
	"$(q version.bind CH TXT | sed -n 's/.*status: \([A-Z]*\).*/\1/p')"
echo '  version: "meridian-test-1"' >>"$WORK/meridian.yaml"
kill -HUP "$PID_dnsd"
for _ in $(seq 30); do [ "$(q +short version.bind CH TXT)" = '"meridian-test-1"' ] && break; sleep 0.1; done
t_eq "dns.version answers version.bind after a reload" '"meridian-test-1"' "$(q +short version.bind CH TXT)"

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_contains "clean stop logged" "info: stopped" "$(cat "$WORK/dnsd.log")"
t_done
