#!/usr/bin/env bash
# 411-repl-json-keys: a key-holding peer serves a snapshot whose row names "hlc" twice,
# once escaped ("h\u006cc": now) and once plain (20 years ahead). Checked by one parser
# and applied by another, it planted a clock that made every region refuse ours. Now the
# snapshot is checked by the strict reader (which only refuses more), then by the engine
# that imports it: refused (escaped or repeated member), nothing stored, our clock
# untouched. A batch row naming a member twice is refused too.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/repl.sh"
PEER="python3 $(dirname "$0")/../lib/repl_peer.py"

repl_region a b
repl_start a
A=$(repl_port a)
astat() { $PEER request --port "$A" --key "$WORK/repl.key" --path /v1/stats | sed -n 's/.*"'"$1"'":\([0-9]*\).*/\1/p'; }
stat_at_least() { [ "$(astat "$1")" -ge "$2" ] 2>/dev/null; }
wait_stat() { # COUNTER AT-LEAST
	t_until 30 stat_at_least "$1" "$2" && return 0
	echo "$1 is $(astat "$1")"; return 1
}
row='{"datacenter":"dc1","action":"force-down","reason":"planted","actor":"mallory","created":1,"expires":0,"deleted":0,"origin":"b",'
cat >"$WORK/escaped.json" <<JSON
{"format":"meridian-snapshot/1","region":"{REGION}","hlc":{NOW},"exported":1,"cursors":[{"origin":"b","seq":1}],
 "observations":[],"overrides":[$row"h\\u006cc":{NOW},"hlc":{FUTURE}}],"events":[]}
JSON
cat >"$WORK/twice.json" <<JSON
{"format":"meridian-snapshot/1","region":"{REGION}","hlc":{NOW},"exported":1,"cursors":[{"origin":"b","seq":1}],
 "observations":[],"overrides":[$row"hlc":{NOW},"hlc":{FUTURE}}],"events":[]}
JSON
serve() { # FILE
	repl_fake b --key "$WORK/repl.key" --region b --mode snapshot --snapshot "$1" || t_abort "b's stand-in started"
	BAD=$REPL_FAKE
}
serve "$WORK/escaped.json"
t_check "the escaped-key snapshot is refused as malformed" wait_stat refused_malformed 1
kill "$BAD"; wait "$BAD" 2>/dev/null
# (counted, then logged: wait for the line)
t_check "the refusal says what is wrong, where" repl_wait_log a "refused snapshot: snapshot: malformed JSON: offset [0-9]*: escaped member name"
serve "$WORK/twice.json"
t_check "the repeated-key snapshot is refused as malformed" wait_stat refused_malformed 3
t_check "the refusal says so" repl_wait_log a "refused snapshot: snapshot: malformed JSON: offset [0-9]*: duplicate member name"
kill "$BAD"; wait "$BAD" 2>/dev/null
t_eq "nothing planted: no override, no cursor of b" "0|0" \
	"$(repl_sql a "SELECT (SELECT count(*) FROM overrides), (SELECT count(*) FROM cursors WHERE origin = 'b')")"
now=$(date +%s%3N)
t_eq "a's clock is not pulled into the future" 1 "$(repl_sql a "SELECT (hlc >> 16) < $now + 60000 FROM node")"
t_eq "no snapshot imported" 0 "$(astat snapshots_imported)"
repl_write a drain dc2 "still writes"
t_eq "a still writes with a sane hlc" 1 "$(repl_sql a "SELECT (hlc >> 16) < $now + 60000 FROM overrides WHERE datacenter = 'dc2'")"
repl_finish
