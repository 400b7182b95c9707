# tests/functional/lib/dnsd.sh -- helpers for the meridian-dnsd scenarios (source after lib.sh)
# Every scenario writes its own zone and config into $WORK, starts meridian-dnsd on
# 127.0.0.1 port 0 (the kernel picks a free one; dnsd logs it and d_start reads it into
# D_PORT) and asks it with kdig; nothing leaves 127.0.0.1.

command -v kdig >/dev/null || t_skip "kdig not installed (knot-dnsutils)"
[ -x "$BIN/meridian-dnsd" ] || t_skip "meridian-dnsd not built"

# 0 until d_start reads the real port: a scenario that writes its own config with
# "127.0.0.1:$D_PORT" before d_start asks for port 0 too.
D_PORT=0

# d_zone: writes $WORK/zones/example.com.zone (the zone every scenario uses).
d_zone() {
	mkdir -p "$WORK/zones"
	cat >"$WORK/zones/example.com.zone" <<'ZONE'
$ORIGIN example.com.
$TTL 3600
@	IN SOA	ns1.example.com. hostmaster.example.com. 2024010101 7200 900 1209600 300
	IN NS	ns1.example.com.
	IN NS	ns2.example.com.
	IN MX	10 mail.example.com.
ns1	IN A	192.0.2.53
ns2	IN AAAA	2001:db8::53
www	IN A	192.0.2.80
	IN AAAA	2001:db8::80
mail	IN A	192.0.2.25
alias	IN CNAME www
ext	IN CNAME www.example.net.
*.wild	IN A	192.0.2.99
	IN TXT	"wildcard"
sub	IN NS	ns.sub.example.com.
ns.sub	IN A	198.51.100.53
big	IN TXT	"0123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789012345678901234567890123456789"
ZONE
	# A TXT RRset of ~3 kB: larger than 1232 bytes, so UDP answers truncate.
	local i
	for i in $(seq 1 15); do
		printf 'big\tIN TXT\t"%03d %s"\n' "$i" \
			"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghij" \
			>>"$WORK/zones/example.com.zone"
	done
}

# d_config [EXTRA-DNS-LINES]: writes $WORK/meridian.yaml serving example.com. on
# 127.0.0.1, port 0.
d_config() {
	cat >"$WORK/meridian.yaml" <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:0"]
  nsid: ns1.test-east
  threads: 2
  zones:
    - origin: example.com.
      file: zones/example.com.zone
${1:-}
CONF
}

# d_start [ARGS...]: starts meridian-dnsd on our config, sets D_PORT to the port it
# logged for 127.0.0.1 and waits for it to answer there.
d_start() {
	t_start dnsd "$BIN/meridian-dnsd" -c "$WORK/meridian.yaml" "$@"
	d_port dnsd && t_wait_dns "$D_PORT"
}

# d_port [NAME]: sets D_PORT to the 127.0.0.1 port logged in $WORK/NAME.log (dnsd).
d_port() {
	D_PORT=$(t_listen_port "$WORK/${1:-dnsd}.log") && [ -n "$D_PORT" ]
}

# q ARGS...: kdig against our server (one try, short timeout).
q() {
	kdig @127.0.0.1 -p "$D_PORT" +retry=0 +timeout=2 "$@"
}

# d_sanitizer_clean: the server's log has no sanitizer report (and exists: a negated
# grep of a missing file would pass).
d_sanitizer_clean() {
	[ -e "$WORK/dnsd.log" ] && ! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error|SUMMARY: UndefinedBehavior' \
		"$WORK/dnsd.log"
}

# d_stop: SIGTERM, wait for the exit status; sets D_STATUS.
d_stop() {
	kill -TERM "$PID_dnsd"
	D_STATUS=0
	wait "$PID_dnsd" || D_STATUS=$?
}
