#!/usr/bin/env bash
# 070-ctl-override: drain, force-down, force-up and clear through meridianctl against a
# real config and state.db: status shows them, events says who, the safety rule refuses
# to take the last serving datacenter and --force overrides it, every --json parses.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/ctl.sh"

t_config

ctl drain us-east --reason "kernel upgrade" --for 30m --actor alice
t_eq "drain exits 0" 0 "$RC"
t_contains "drain reports what it did" 'us-east: drain by alice until' "$OUT"

ctl status --json
t_eq "status --json exits 1 (WARNING: a datacenter drained)" 1 "$RC"
t_check "status --json parses" json_ok
t_eq "us-east drained in JSON" "drained" "$(jq_py 'd["datacenters"][0]["state"]')"
t_eq "drain carries its reason" "kernel upgrade" "$(jq_py 'd["datacenters"][0]["override"]["reason"]')"
t_eq "drain carries its actor" "alice" "$(jq_py 'd["datacenters"][0]["override"]["actor"]')"
# (about: the time since the drain, seconds on a loaded machine, has passed already)
t_eq "drain lasts about 30m" True "$(jq_py '1680000 < d["datacenters"][0]["override"]["remaining_ms"] <= 1800000')"
t_eq "us-east not serving" False "$(jq_py 'd["datacenters"][0]["serving"]')"
t_eq "eu-west untouched" "unknown None" "$(jq_py 'd["datacenters"][1]["state"] + " " + str(d["datacenters"][1]["override"])')"
t_eq "no record fails open" "[]" "$(jq_py 'd["fail_open"]')"

ctl status
t_check "status table shows the drain" grep -qE \
	"^us-east     DRAINED \(real UNKNOWN\)  no observations  drain by alice, 2[89]m[0-9]{2}s left" <<<"$OUT"
t_contains "status table shows the reason" ': "kernel upgrade"' "$OUT"

ctl events
t_eq "events exits 0" 0 "$RC"
t_contains "events header" "TIME                  ORIGIN   ACTOR  ACTION  DATACENTER  REASON" "$OUT"
t_contains "events shows who drained" "  us-east  alice  drain   us-east     kernel upgrade [until " "$OUT"

# The last serving datacenter of www.example.com.: refused, nothing written.
ctl drain eu-west --reason "second drain" --actor bob
t_eq "second drain refused with exit 1" 1 "$RC"
t_eq "refusal names the record and how to force" \
	"meridianctl: drain eu-west: refused: www.example.com. would have no serving datacenter (us-east drained, eu-west drained); add --force to do it anyway" \
	"$ERR"
ctl force-down eu-west --reason "second drain" --actor bob
t_eq "force-down of the last one refused too" 1 "$RC"
ctl status --json
t_eq "refused drain left eu-west alone" "None" "$(jq_py 'd["datacenters"][1]["override"]')"
ctl events --json
t_eq "refused drain wrote no event" 1 "$(jq_py 'len(d["events"])')"

ctl drain eu-west --reason "second drain" --actor bob --force
t_eq "--force allows it" 0 "$RC"
t_contains "--force warns" "warning: forced past the safety rule: www.example.com. would have no serving datacenter" "$OUT"
ctl status --json
t_eq "eu-west drained" "drained" "$(jq_py 'd["datacenters"][1]["state"]')"
t_eq "www fails open" "www.example.com. us-east,eu-west" \
	"$(jq_py 'd["fail_open"][0]["record"] + " " + ",".join(d["fail_open"][0]["candidates"])')"
ctl status
t_contains "status table shows fail-open" \
	"FAIL-OPEN www.example.com.: no serving candidate (us-east DRAINED, eu-west DRAINED); answering as if all were up" "$OUT"
ctl events --json
t_check "events --json parses" json_ok
t_eq "the forced drain is one event" 2 "$(jq_py 'len(d["events"])')"
t_eq "newest event is the drain, by bob" "drain bob eu-west" \
	"$(jq_py '" ".join([d["events"][0]["action"], d["events"][0]["actor"], d["events"][0]["datacenter"]])')"
t_contains "its detail says forced and names the rule" "; forced past the safety rule: www.example.com. would have no serving datacenter" "$(jq_py 'd["events"][0]["detail"]')"
t_contains "and keeps the expiry" "until " "$(jq_py 'd["events"][0]["detail"][:6]')"
t_eq "no separate forced event" 0 "$(jq_py 'len([e for e in d["events"] if e["action"] == "forced"])')"

ctl clear eu-west --reason "done" --actor carol
t_eq "clear exits 0" 0 "$RC"
t_eq "clear says what it removed" 'eu-west: override cleared by carol (was drain by bob: "second drain")' "$OUT"
ctl status --json
t_eq "cleared: no override" "None unknown" "$(jq_py 'str(d["datacenters"][1]["override"]) + " " + d["datacenters"][1]["state"]')"
ctl clear eu-west --json
t_eq "clearing nothing is fine" 0 "$RC"
t_check "clear --json parses" json_ok
t_eq "clear --json says nothing was cleared" False "$(jq_py 'd["cleared"]')"
ctl events --limit 1
t_contains "clear is audited with actor and reason" "  us-east  carol  clear   eu-west     done [drain]" "$OUT"
t_eq "--limit 1 shows one event" 2 "$(printf '%s\n' "$OUT" | wc -l)"

# Replacing an override: force-up beats observations; then force-down us-east is safe
# while eu-west serves.
ctl force-up eu-west --reason "probe broken" --json
t_eq "force-up exits 0" 0 "$RC"
t_check "force-up --json parses" json_ok
t_eq "force-up --json" "force-up eu-west False" "$(jq_py 'd["action"] + " " + d["datacenter"] + " " + str(d["forced"])')"
ctl force-down us-east --reason "replace drain"
t_eq "force-down replaces the drain" 0 "$RC"
ctl status
t_contains "FORCED-DOWN shown with the real state" "us-east     FORCED-DOWN (real UNKNOWN)" "$OUT"
t_contains "FORCED-UP shown" "eu-west     FORCED-UP" "$OUT"

# Without --actor the login name is recorded.
who=$(python3 -c 'import os,pwd
try: print(os.getlogin())
except OSError: print(pwd.getpwuid(os.getuid()).pw_name)')
ctl clear us-east
ctl events --json --limit 1
t_eq "default actor is the login name" "$who" "$(jq_py 'd["events"][0]["actor"]')"

for sub in status events peers check; do
	ctl $sub --json
	t_check "$sub --json parses" json_ok
done

# The shipped example config (copied, so its state.db is created here and not in the
# source tree): drain, status --json shows it, events says who, and the last serving
# datacenter of api.example.com. (us-east, eu-west) is refused.
mkdir -p "$WORK/example"
cp -r "$SRC/examples/meridian.yaml" "$SRC/examples/zones" "$WORK/example/" || c_abort "example config copied"
X() { OUT=$("$BIN/meridianctl" -c "$WORK/example/meridian.yaml" "$@" 2>"$WORK/ctl.err"); RC=$?; ERR=$(cat "$WORK/ctl.err"); }
X drain us-east --reason x --actor dana
t_eq "example config: drain exits 0" 0 "$RC"
X status --json
t_eq "example config: status --json shows the drain by dana" "drained dana x" \
	"$(jq_py '" ".join([c["state"] + " " + c["override"]["actor"] + " " + c["override"]["reason"] for c in d["datacenters"] if c["name"] == "us-east"])')"
X events
t_check "example config: events shows who drained" \
	grep -qE '^[0-9T:Z-]+ +demo-east +dana +drain +us-east +x' <<<"$OUT"
X drain eu-west --reason x --actor erin
t_eq "example config: draining the last serving datacenter of api is refused" 1 "$RC"
t_contains "example config: the refusal names the record" \
	"refused: api.example.com. would have no serving datacenter" "$ERR"
t_done
