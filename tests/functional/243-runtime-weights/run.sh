#!/usr/bin/env bash
# 243-runtime-weights: `meridianctl weight TARGET DC N` overrides a configured split's
# weight while it is in effect, replicated and audited like an override: meridian-dnsd
# applies it without a reload (64 San Jose client networks move as the weights say),
# explain agrees, status and status_weights show it, clear restores the config's split,
# expiry ends it, and a change that would empty a split or name something else is refused.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/dnsd.sh"
. "$(dirname "$0")/../lib/ctl.sh"

perl -MMaxMind::DB::Writer::Tree -e 1 2>/dev/null || t_skip "libmaxmind-db-writer-perl missing"
mkdir -p "$WORK/mmdb"
perl "$SRC/tests/data/make-test-mmdb.pl" "$WORK/mmdb" || t_skip "make-test-mmdb.pl failed"

d_zone
d_config
cat >>"$WORK/meridian.yaml" <<'CONF'
geoip: mmdb/test-city.mmdb
datacenters:
  us-west: { location: [37.3, -121.9], addresses: [192.0.2.1] }
  us-east: { location: [38.9, -77.4], addresses: [192.0.2.2] }
  eu-west: { location: [53.3, -6.3], addresses: [192.0.2.3] }
records:
  split.example.com.:
    datacenters: [us-west, us-east, eu-west]
    weights: { us-west: 50, us-east: 50 }
    ttl: 30
  entry.example.com.:
    datacenters: [us-west, us-east, eu-west]
    map:
      NA: { weights: { us-west: 90, eu-west: 10 } }
    ttl: 30
CONF
d_start || t_abort "meridian-dnsd answers"
# tally NAME: how many of 64 San Jose client networks (50.114.N.0/24) get each address
tally() {
	local n
	for n in $(seq 0 63); do
		q +short +subnet=50.114.$n.0/24 "$1" A
	done | sort | uniq -c | awk '{ printf "%s=%s ", $2, $1 }'
}
is_tally() { [ "$(tally "$1")" = "$2" ]; }
BEFORE=$(tally split.example.com)
echo "# config 50/50: $BEFORE"
t_check "the config's 50/50 split sends some to each" \
	bash -c "[[ '$BEFORE' =~ ^192.0.2.1=[0-9]+\ 192.0.2.2=[0-9]+\ \$ ]]"
# a network the config's 50/50 sends to us-east (which one depends on the hash)
NET=""
for n in $(seq 0 63); do
	[ "$(q +short +subnet=50.114.$n.0/24 split.example.com A)" = 192.0.2.2 ] && { NET=$n; break; }
done
t_check "some San Jose network goes to us-east" [ -n "$NET" ]

ctl weight split.example.com us-east 0 --plan
t_eq "--plan of the weight exits 0" 0 "$RC"
t_contains "it names what moves" "(us-east -> us-west)" "$OUT"
t_check "--plan wrote nothing" [ ! -e "$WORK/state.db" ]
ctl weight split.example.com us-east 0 --reason "us-east canary off" --actor alice --for 1h --json
t_eq "weight accepted" 0 "$RC"
t_eq "it names the split and the config's weight" "split.example.com. us-east 0 50" \
	"$(jq_py 'd["target"] + " " + d["datacenter"] + " " + str(d["weight"]) + " " + str(d["config_weight"])')"
t_check "dnsd moves every network to us-west without a reload" \
	t_until 30 is_tally split.example.com "192.0.2.1=64 "
t_contains "and logs it" "run-time weights: 1 in effect" "$(cat "$WORK/dnsd.log")"
ctl explain split.example.com "50.114.${NET:-7}.1" --subnet 24 --json
# that network hashes to us-east under the config's 50/50 (checked after the clear)
t_eq "explain agrees: us-west, from a split of total 50" "us-west 50" \
	"$(jq_py 'd["answer"]["A"]["datacenter"] + " " + str(d["answer"]["A"]["weight_total"])')"
ctl status
t_contains "status shows the weight" 'WEIGHT split.example.com. us-east: 0 by alice, 59m' "$OUT"
t_eq "status_weights has it" "split.example.com.|us-east|0|alice" \
	"$(sqlite3 -readonly "$WORK/state.db" 'SELECT target, datacenter, weight, actor FROM status_weights')"
ctl events
t_contains "the audit log has it" "split.example.com. 0 (config 50); until " "$OUT"

ctl weight split.example.com us-west 0 --plan
t_eq "--plan says emptying the split is refused: exit 1" 1 "$RC"
t_contains "and why" "safety: refused: the split of split.example.com. would have no weight left" "$OUT"
ctl weight split.example.com us-west 0 --reason "both off"
t_eq "emptying the split is refused" 1 "$RC"
t_contains "saying why" "refused: the split of split.example.com. would have no weight left; add --force" "$ERR"
ctl weight split.example.com eu-west 10 --reason x
t_eq "a datacenter the split does not list is a usage error" 2 "$RC"
t_contains "naming it" "eu-west is not in the split of split.example.com." "$ERR"
ctl weight www.example.com us-east 10 --reason x
t_contains "a name that is no geo record" "no geo record www.example.com. in the configuration" "$ERR"
ctl weight entry.example.com us-west 10 --reason x
t_contains "a record without its own weights" "entry.example.com. has no weights in the configuration" "$ERR"
ctl weight split.example.com us-east 1000001 --reason x
t_contains "a weight out of range" '"1000001" is not a weight in 0..1000000 (or clear)' "$ERR"

ctl weight split.example.com us-east clear --reason "canary back"
t_eq "clear" 0 "$RC"
t_contains "says the config counts again" "run-time weight cleared by" "$OUT"
t_check "dnsd is back to the config's split" t_until 30 is_tally split.example.com "$BEFORE"
ctl explain split.example.com "50.114.${NET:-7}.1" --subnet 24 --json
t_eq "explain too: us-east of 100" "us-east 100" \
	"$(jq_py 'd["answer"]["A"]["datacenter"] + " " + str(d["answer"]["A"]["weight_total"])')"
t_eq "and dnsd answers that network the same" 192.0.2.2 "$(q +short +subnet=50.114.${NET:-7}.0/24 split.example.com A)"

# A map entry's split: NA 90/10 us-west/eu-west; eu-west raised to 1000 takes nearly all.
E0=$(tally entry.example.com)
echo "# entry 90/10: $E0"
ctl weight "entry.example.com@NA" eu-west 1000000 --reason "move NA" --for 10s --json
t_eq "an entry's weight" "entry.example.com.@NA" "$(jq_py 'd["target"]')"
EXPIRES=$(jq_py 'd["expires_ms"]')
# (10 s: dnsd must apply it and 64 kdig queries tally it inside the window, on a busy
# machine too)
mostly_eu() { local c; c=$(tally entry.example.com | grep -oE '192.0.2.3=[0-9]+' | cut -d= -f2); [ "${c:-0}" -ge 60 ]; }
t_check "the entry's clients move to eu-west" t_until 30 mostly_eu
t_check "and back when it expires" t_until 30 is_tally entry.example.com "$E0"
t_check "not before it expired" [ "$(date +%s%3N)" -ge "$EXPIRES" ]

t_check "no sanitizer report" d_sanitizer_clean
d_stop
t_done
