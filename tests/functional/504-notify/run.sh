#!/usr/bin/env bash
# 504-notify: started with NOTIFY_SOCKET (systemd's Type=notify), each daemon sends
# READY=1 with its MAINPID only once it can serve: the first query or connection after
# READY is answered at once. STOPPING=1 comes on SIGTERM.
. "$(dirname "$0")/../lib/netns.sh"
. "$(dirname "$0")/../lib.sh"

for p in meridian-dnsd meridian-healthcheck meridian-replicator; do
	[ -x "$BIN/$p" ] || t_skip "$p not built"
done
command -v kdig >/dev/null || t_skip "kdig not installed"
cd "$WORK" || exit 1
mkdir zones
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >repl.key
t_zone
cat >meridian.yaml <<'CONF'
region: r1
state: state.db
dns:
  listen: ["127.0.0.1:5300"]
  threads: 1
  zones:
    - { origin: example.com., file: zones/example.com.zone }
datacenters:
  dc1:
    location: [38.9, -77.4]
    addresses: [192.0.2.1]
    check: { type: tcp, address: "127.0.0.1:9", interval: 200ms, timeout: 100ms }
replication:
  listen: "127.0.0.1:8800"
  key_file: repl.key
CONF

# notified NAME PROG: starts PROG with a notify socket of its own and waits (20 s) for
# READY=1; the messages are in $WORK/NAME.notify.
notified() {
	local name=$1 prog=$2
	t_start "$name-listen" python3 "$SRC/tests/functional/lib/notify-listen.py" \
		"$WORK/$name.sock" "$WORK/$name.notify"
	t_until 30 test -S "$WORK/$name.sock"
	NOTIFY_SOCKET=$WORK/$name.sock t_start "$name" "$BIN/$prog" -c "$WORK/meridian.yaml"
	t_until 30 t_log_has "$WORK/$name.notify" 'READY=1' && return 0
	echo "# no READY=1 from $prog:"; sed 's/^/#   /' "$WORK/$name.log"; return 1
}

t_check "meridian-healthcheck: READY=1" notified hc meridian-healthcheck
t_check "meridian-healthcheck: store created before READY" [ -s state.db ]
t_check "meridian-dnsd: READY=1" notified dnsd meridian-dnsd
t_eq "meridian-dnsd: the first query after READY is answered" "192.0.2.53" \
	"$(kdig @127.0.0.1 -p 5300 +short +retry=0 +timeout=2 ns1.example.com A)"
t_contains "meridian-dnsd: MAINPID is the daemon" "MAINPID=$PID_dnsd" "$(cat dnsd.notify)"
t_check "meridian-replicator: READY=1" notified repl meridian-replicator
t_check "meridian-replicator: listening when READY" \
	python3 -c 'import socket; socket.create_connection(("127.0.0.1", 8800), 2)'

kill -TERM "$PID_dnsd" "$PID_hc" "$PID_repl"
wait "$PID_dnsd" "$PID_hc" "$PID_repl"
# stopping NAME: STOPPING=1 reached the listener (it writes a moment later).
stopping() {
	t_until 30 t_log_has "$WORK/$1.notify" 'STOPPING=1'
}
for n in dnsd hc repl; do
	t_check "$n: STOPPING=1 on SIGTERM" stopping "$n"
done
t_done
