#!/usr/bin/env bash
# 108-dnsd-listen: --listen (repeatable, IPv4 and IPv6) overrides dns.listen; replies leave
# from the address queried; --pid-file and meridianctl reload; totals logged at exit.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"

d_zone
# The config names another port (held by us: nothing answers there): only --listen must
# be used.
t_hold conf
CONF_PORT=$PORT_conf
d_config
sed -i "s/127.0.0.1:0/127.0.0.1:$CONF_PORT/" "$WORK/meridian.yaml"
v6=0
python3 -c 'import socket; s=socket.socket(socket.AF_INET6, socket.SOCK_DGRAM); s.bind(("::1", 0))' 2>/dev/null && v6=1
args=(--listen "127.0.0.1:0" --pid-file "$WORK/dnsd.pid")
[ $v6 -eq 1 ] && args+=(--listen "[::1]:0")
d_start "${args[@]}" || t_abort "meridian-dnsd answers on --listen"
[ $v6 -eq 1 ] && { V6_PORT=$(t_listen_port "$WORK/dnsd.log" "[::1]") || t_abort "meridian-dnsd logs its IPv6 port"; }

t_eq "answers on the --listen address" 192.0.2.80 "$(q +short www.example.com A)"
t_eq "nothing on the config's address" "" \
	"$(kdig @127.0.0.1 -p "$CONF_PORT" +retry=0 +timeout=1 +short www.example.com A 2>/dev/null | grep -v '^;')"
if [ $v6 -eq 1 ]; then
	t_eq "answers over IPv6 UDP" 192.0.2.80 "$(kdig @::1 -p "$V6_PORT" +retry=0 +timeout=2 +short www.example.com A)"
	t_eq "answers over IPv6 TCP" 192.0.2.80 "$(kdig @::1 -p "$V6_PORT" +tcp +retry=0 +timeout=2 +short www.example.com A)"
else
	echo "# no ::1 here: IPv6 checks skipped"
fi

# A wildcard listener answers from the address the query was sent to (IP_PKTINFO):
# a second instance on 0.0.0.0, asked at 127.0.0.2 (still loopback).
t_start wild "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml" --listen "0.0.0.0:0"
W_PORT=$(t_listen_port "$WORK/wild.log" 0.0.0.0) || t_abort "wildcard meridian-dnsd logs its port"
t_wait_dns "$W_PORT" || t_abort "wildcard meridian-dnsd answers"
python3 - "$W_PORT" >"$WORK/pktinfo.out" 2>&1 <<'PY'
import socket, struct, sys
port = int(sys.argv[1])
q = struct.pack("!HHHHHH", 9, 0x0100, 1, 0, 0, 0) + b"\x03www\x07example\x03com\x00\x00\x01\x00\x01"
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(10)
s.sendto(q, ("127.0.0.2", port))
data, src = s.recvfrom(4096)
print(src[0])
PY
t_eq "wildcard listener replies from the address queried" 127.0.0.2 "$(cat "$WORK/pktinfo.out")"
kill -TERM "$PID_wild"

t_eq "pid file holds our pid" "$PID_dnsd" "$(cat "$WORK/dnsd.pid")"
sed -i 's/^www\tIN A\t192.0.2.80/www\tIN A\t192.0.2.88/' "$WORK/zones/example.com.zone"
if [ -x "$BIN/meridianctl" ]; then
	"$BIN/meridianctl" -c "$WORK/meridian.yaml" reload --pid-file "$WORK/dnsd.pid" >/dev/null
	t_eq "meridianctl reload --pid-file exits 0" 0 $?
else
	kill -HUP "$PID_dnsd"
fi
answers_88() { [ "$(q +short www.example.com A)" = 192.0.2.88 ]; }
t_until 30 answers_88
t_eq "reload through the pid file picked up the change" 192.0.2.88 "$(q +short www.example.com A)"

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
t_check "pid file removed at exit" [ ! -e "$WORK/dnsd.pid" ]
t_contains "query totals logged at exit" "info: answered " "$(cat "$WORK/dnsd.log")"
t_done
