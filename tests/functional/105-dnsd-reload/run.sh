#!/usr/bin/env bash
# 105-dnsd-reload: SIGHUP picks up zone and config changes without dropping a query; a
# reload that fails keeps serving the old data and logs why; SIGTERM exits 0.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
d_config
d_start || t_abort "meridian-dnsd answers"

a() { q +short "$@" | head -1; }
# answers EXPECTED NAME: the A answer for NAME is EXPECTED.
answers() { [ "$(a "$2" A)" = "$1" ]; }
# wait_for EXPECTED NAME: waits (30 s) for the A answer to become EXPECTED.
wait_for() { t_until 30 answers "$@"; }
# log_count TEXT: lines of the log holding TEXT.
log_count() { grep -c -- "$1" "$WORK/dnsd.log"; }
# hup_and_wait TEXT: SIGHUP, then waits (30 s) for one more log line holding TEXT.
hup_and_wait() {
	local n; n=$(log_count "$1")
	kill -HUP "$PID_dnsd"
	t_until 30 log_more_than "$1" "$n"
}
# log_more_than TEXT N: more than N lines of the log hold TEXT.
log_more_than() { [ "$(log_count "$1")" -gt "$2" ]; }

t_eq "initial data" 192.0.2.80 "$(a www.example.com)"

# Queries in lock-step while reloads happen: every one must be answered. The client
# runs until the reloads are done (the file steady.stop) and at least 100 answers.
python3 - "$D_PORT" "$WORK/steady.stop" >"$WORK/steady.out" <<'PY' &
import os, socket, struct, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(20)  # "lost" means no answer at all, not a slow one on a busy machine
q = struct.pack("!HHHHHH", 0, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
lost = answered = 0
i = 0
while answered + lost < 100 or not os.path.exists(sys.argv[2]):
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
	hup_and_wait "reloaded $WORK/meridian.yaml"
done
touch "$WORK/steady.stop"
wait $steady
read -r answered lost <"$WORK/steady.out"
t_check "queries answered during reloads ($answered)" [ "${answered:-0}" -ge 100 ]
t_eq "no query lost during reloads" 0 "${lost:-x}"
t_check "SIGHUP picked up the zone change" wait_for 192.0.2.81 www.example.com
t_contains "reload logged" "reloaded $WORK/meridian.yaml: 1 zones" "$(cat "$WORK/dnsd.log")"
t_contains "serial change logged" "zone example.com.: serial 2024010102 (was 2024010101)" "$(cat "$WORK/dnsd.log")"

# A broken zone: refused, old data kept, the reason logged.
cp "$WORK/zones/example.com.zone" "$WORK/good.zone"
echo 'www.example.org. IN A 192.0.2.2' >>"$WORK/zones/example.com.zone"
sed -i 's/^www\tIN A\t192.0.2.81/www\tIN A\t192.0.2.82/' "$WORK/zones/example.com.zone"
hup_and_wait "still serving the previous"
t_contains "bad zone: reason logged" "error: reload failed: $WORK/zones/example.com.zone:" "$(cat "$WORK/dnsd.log")"
t_contains "bad zone: says it keeps the old data" \
	"reload of $WORK/meridian.yaml failed; still serving the previous configuration" "$(cat "$WORK/dnsd.log")"
t_eq "bad zone: old data still served" 192.0.2.81 "$(a www.example.com)"

# A broken config: the same.
cp "$WORK/good.zone" "$WORK/zones/example.com.zone"
cp "$WORK/meridian.yaml" "$WORK/good.yaml"
echo "  bogus_key: 1" >>"$WORK/meridian.yaml"
hup_and_wait "still serving the previous"
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
version_is() { [ "$(q +short version.bind CH TXT)" = '"meridian-test-1"' ]; }
t_until 30 version_is
t_eq "dns.version answers version.bind after a reload" '"meridian-test-1"' "$(q +short version.bind CH TXT)"

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_contains "clean stop logged" "info: stopped" "$(cat "$WORK/dnsd.log")"
t_done
