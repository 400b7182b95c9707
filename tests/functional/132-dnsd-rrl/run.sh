#!/usr/bin/env bash
# 132-dnsd-rrl: response rate limiting. A flood from one /24 (sources spread over
# 127.0.1.0/24) is cut to the rate plus slips (every 2nd limited response truncated),
# while a client in another network is answered in full; an exempt network is never
# limited; log_only counts but sends; the exit log counts it all; bad config is named.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
FLOOD="$(cd "$(dirname "$0")" && pwd)/flood.py"
cd "$WORK" || exit 1

d_zone
rrl_config() {
	d_config "  rrl: { rate: 50, slip: 2, log_only: $1, exempt: [127.0.3.0/24, \"::1\"] }"
}
rrl_config false
d_start || t_abort "meridian-dnsd answers"

# the flood in the background, a legitimate client from 127.0.2.1 meanwhile (retries:
# a datagram lost to a saturated socket buffer is no limit; a limited one comes back TC)
python3 "$FLOOD" "$D_PORT" 127.0.1 6000 >flood.out 2>&1 &
FLOOD_PID=$!
legit_ok=0
for i in $(seq 10); do
	out=$(kdig @127.0.0.1 -p "$D_PORT" -b 127.0.2.1 +ignore +retry=3 +timeout=2 www.example.com A 2>&1)
	case "$out" in
	*"status: NOERROR"*"192.0.2.80"*) case "$out" in *" tc"*) ;; *) legit_ok=$((legit_ok + 1)) ;; esac ;;
	esac
done
wait "$FLOOD_PID"
echo "# flood: $(cat flood.out)"
read -r _ sent _ full _ trunc _ secs < flood.out
t_eq "a client in another network is answered in full during the flood" 10 "$legit_ok"
cut_to_rate() {
	python3 -c "
import sys; sent, full, trunc, secs = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), float(sys.argv[4])
limited = sent - full
# the bucket starts full (50) and refills at 50/s while the flood lasts (+1 s collecting)
ok = 0 < full <= 50 * (secs + 2) + 5 and abs(trunc - limited / 2) <= limited * 0.2 + 2
print('# full %d (bound %d), truncated %d of %d limited' % (full, 50 * (secs + 2) + 5, trunc, limited))
sys.exit(0 if ok else 1)" "${sent:-0}" "${full:-0}" "${trunc:-0}" "${secs:-0}"
}
t_check "the flood is cut to the rate plus every 2nd limited response truncated" cut_to_rate

python3 "$FLOOD" "$D_PORT" 127.0.3 2000 20 >exempt.out 2>&1
read -r _ sent _ full _ trunc _ < exempt.out
t_eq "an exempt network is never limited" "2000 0" "$full $trunc"

rrl_config true
kill -HUP "$PID_dnsd"
reloaded() { grep -q "reloaded" dnsd.log; }
t_check "log_only reloads" t_until 30 reloaded
python3 "$FLOOD" "$D_PORT" 127.0.4 2000 >logonly.out 2>&1
read -r _ sent _ full _ trunc _ < logonly.out
t_eq "log_only: everything is answered" "2000 0" "$full $trunc"

d_stop
t_eq "SIGTERM exits 0" 0 "$D_STATUS"
counts() {
	local line
	line=$(grep -oE 'rrl: [0-9]+ dropped, [0-9]+ slipped, [0-9]+ logged only' dnsd.log)
	echo "# $line"
	python3 -c "
import re, sys; d, s, l = map(int, re.findall(r'\d+', sys.argv[1]))
sys.exit(0 if d > 1000 and s > 1000 and l > 1000 else 1)" "$line"
}
t_check "the exit log counts dropped, slipped and logged-only responses" counts
t_check "no sanitizer report" d_sanitizer_clean

cat >bad.yaml <<CONF
region: test-east
state: state.db
dns:
  listen: ["127.0.0.1:$D_PORT"]
  rrl: { rate: 10, exempt: [10.1.2.3/8] }
CONF
out=$("$BIN/meridian-dnsd" -c bad.yaml -t 2>&1)
t_contains "host bits in an exempt prefix are refused with file:line" \
	'bad.yaml:5:' "$out"
t_contains "... naming the key and the value" 'dns.rrl.exempt: invalid CIDR prefix "10.1.2.3/8"' "$out"
t_done
