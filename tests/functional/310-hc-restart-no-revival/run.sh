#!/usr/bin/env bash
# 310-hc-restart-no-revival: a healthcheck with `interval: 30s` is restarted after its
# origin died; its last row (up) has aged out meanwhile. Until the first probe decides
# (the origin hangs: the first result comes after the 15 s timeout), the restarted
# checker writes nothing: no heartbeat makes the old "up" a fresh vote again, and the
# verdict has no fresh vote for east. Then the probe's "down" is its first write.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/hc.sh"
[ -x "$BIN/meridianctl" ] || t_skip "meridianctl not built"

cd "$WORK" || exit 1
h_origin east http
P=$PORT_east
cat >meridian.yaml <<CONF
region: test-east
state: state.db
health: { stale_after: 3s, poll: 5ms }
datacenters:
  east:
    location: [38.9, -77.4]
    addresses: [192.0.2.10]
    check: { type: http, url: "http://127.0.0.1:$P/healthz", interval: 30s, timeout: 15s, jitter: 500ms, fall: 1, rise: 1 }
CONF

# votes: east's fresh up, fresh down and stale votes as meridianctl status sees them.
votes() {
	"$BIN/meridianctl" -c meridian.yaml status --json |
		python3 -c 'import json,sys; d=json.load(sys.stdin); v=d["datacenters"][0]["votes"]; print(v["up"], v["down"], v["stale"])'
}

h_start
t_check "east up" h_wait east up 15
h_stop
h_mode east hang
writes=$(h_history east | wc -l)
t_check "east's writes are in the change log ($writes)" [ "$writes" -gt 0 ]
# Let the last row age out, as it would have with the checker stopped.
votes_are() { [ "$(votes)" = "$1" ]; }
t_until 30 votes_are "0 0 1"
t_eq "stopped: east's vote aged out" "0 0 1" "$(votes)"

h_start
revived=0 samples=0
# The first probe starts within 0.5 s (jitter) and hangs for its 15 s timeout: sample
# until the checker writes anything, at most 30 s.
# sample: 0 once the checker wrote; else one sample of the votes, and 1.
sample() {
	[ "$(h_history east | wc -l)" -gt "$writes" ] && return 0
	samples=$((samples + 1))
	# A fresh "up" would be the old row revived; a fresh "down" is the probe deciding
	# between the history check above and this read.
	v=$(votes)
	case "$v" in "0 "*) ;; *) revived=$((revived + 1)); echo "# votes up/down/stale: $v" ;; esac
	sleep 0.15
	return 1
}
t_until 30 sample
t_check "sampled the undecided window ($samples samples)" [ "$samples" -ge 2 ]
t_eq "restart: no fresh vote for east before the probes decide" 0 "$revived"
t_check "the probe decides down" h_wait east down 40
t_eq "the restarted checker's first write is the probe's down" down \
	"$(h_history east | sed -n "$((writes + 1))p")"
t_contains "logged as kept until the probes decide" \
	"datacenter east: keeping last known state up until probes decide" "$(cat hc.log)"
t_eq "east's verdict follows the probe" "0 1 0" "$(votes)"
h_stop
t_check "no sanitizer report" h_sanitizer_clean
t_done
