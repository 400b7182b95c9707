#!/usr/bin/env bash
# 084-status-page: meridian-status serves each region's page from its state.db alone
# (read-only), as HTML without JavaScript and as JSON with the same data. In a real
# browser (headless Chromium): with two regions running, a drain made in east appears on
# west's page within 2 s (the figure is printed; the check's deadline is generous); a
# reason holding <script> shows as text and never runs; the
# test saves a screenshot ($WORK/status-page.png, the one docs/status-page.md shows).
# The routing sections (capacity, addresses, loads, scheduled, weights) are on the page:
# empty ones as one line; a scheduled drain and a run-time weight show, escaped, and the
# JSON's rows are the views' rows as the sqlite3 shell reads them.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"
[ -x "$BIN/meridian-status" ] || t_skip "meridian-status not built"
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
[ -x "$CHROMIUM" ] || t_skip "chromium not installed"

# browser ARGS... URL: one headless Chromium run with a profile of its own
browser() {
	local profile
	profile=$(mktemp -d "$WORK/chromium.XXXXXX")
	timeout 600 "$CHROMIUM" --headless --no-sandbox --disable-gpu --disable-quic --no-first-run \
		--disable-background-networking --disable-component-update --disable-sync \
		--user-data-dir="$profile" "$@" 2>>"$WORK/chromium.log"
}

obs_setup
# www splits by weight, so `meridianctl weight` has a split to change
for r in east west; do
	sed -i 's/^    ttl: 30$/    ttl: 30\n    weights: { us-east: 50, eu-west: 50 }/' "$WORK/$r.yaml"
	grep -q 'weights: { us-east: 50' "$WORK/$r.yaml" || t_abort "weights added to $r.yaml"
done
obs_start east "hc repl"
obs_start west "hc repl"
for r in east west; do
	t_start "status-$r" "$BIN/meridian-status" --db "$WORK/$r.db" --listen 127.0.0.1:0 --refresh 1
done
# the stores exist once the daemons started; meridian-status needs the views
# status_serves R: meridian-status of R logged its URL; started again if it stopped (its
# store was not made yet).
status_url() { sed -n 's/.*serving \(http:[^ ]*\) from .*/\1/p' "$WORK/status-$1.log" 2>/dev/null; }
status_serves() {
	[ -n "$(status_url "$1")" ] && return 0
	if ! kill -0 "$(obs_pid status "$1")" 2>/dev/null; then
		t_start "status-$1" "$BIN/meridian-status" --db "$WORK/$1.db" --listen 127.0.0.1:0 --refresh 1
	fi
	return 1
}
for r in east west; do
	t_until 30 status_serves "$r" || t_abort "meridian-status of $r serves"
	eval "PAGE_$r=\$(status_url $r)"
done
json() { curl -sf --max-time 5 "${1}status.json"; }
# page_has URL PY-EXPR: the JSON page makes PY-EXPR (over d) true
page_has() {
	json "$1" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if ($2) else 1)" 2>/dev/null
}
wait_page() { # SECONDS URL PY-EXPR
	t_until "$1" page_has "$2" "$3" && return 0
	echo "# waited $1 s on $2 for: $3"; json "$2" | head -c 600; echo
	return 1
}
UP='[x["state"] for x in d["datacenters"] if x["datacenter"] == "us-east"] == ["up"]'
t_check "west's page shows us-east up" wait_page 30 "$PAGE_west" "$UP"
t_check "east's page too" wait_page 30 "$PAGE_east" "$UP"
NEW='all(k in d for k in ("capacity", "addresses", "loads", "scheduled", "weights"))'
t_check "JSON: the routing sections, empty" page_has "$PAGE_west" \
	"$NEW"' and d["scheduled"] == [] and d["weights"] == [] and d["addresses"] == []'
html=$(curl -sf --max-time 5 "$PAGE_west")
for k in capacity addresses loads scheduled weights; do
	t_contains "HTML: an empty $k section is one line" "</h2>
<p class=\"none empty\" id=\"$k-none\">" "$html"
done

REASON='<script>document.title="pwned"</script> kernel & upgrade'
start=$(date +%s%N)
obs_ctl east drain us-east --reason "$REASON" --actor 'alice "ops"' --for 1h
t_eq "drain in east accepted" 0 "$RC"
OVR='[o["reason"] for o in d["overrides"] if o["datacenter"] == "us-east"] == [sys.argv[1]]'
seen=""
drain_shown() {
	json "$PAGE_west" | python3 -c "import json,sys; d=json.load(sys.stdin); sys.exit(0 if $OVR else 1)" "$REASON" 2>/dev/null || return 1
	seen=$(date +%s%N)
}
t_until 30 drain_shown
t_check "the drain reaches west's page" test -n "$seen"
ms=$(( (${seen:-$start} - start) / 1000000 ))
# Issue 11 asks for 2 s; 871 ms on this machine at load 30, 3.5 s at load 90. A wait is a
# condition with a generous deadline here (tests never assert timings): the figure is
# printed, and only a page that never shows the drain fails.
echo "# drain in east to west's page: $ms ms (wanted: within 2 s)"
t_check "within the deadline ($ms ms)" test "$ms" -le $((8000 * ${T_WAIT_SCALE:-1}))
t_check "west's page shows us-east drained, with the reason and the actor" wait_page 10 "$PAGE_west" \
	'[(x["state"], x["decided_by"], x["override_actor"], x["override_origin"]) for x in d["datacenters"] if x["datacenter"] == "us-east"] == [("drained", "forced", "alice \"ops\"", "east")]'

html=$(curl -sf --max-time 5 "$PAGE_west")
t_check "the HTML has no script of its own" bash -c "! grep -qi '<script' <<<'${html//\'/}' || exit 1" 
t_contains "the HTML escapes the reason" '&lt;script&gt;document.title=&quot;pwned&quot;&lt;/script&gt; kernel &amp; upgrade' "$html"
t_contains "the HTML reloads itself" '<meta http-equiv="refresh" content="1">' "$html"
t_check "served with a CSP that forbids scripts" \
	bash -c "curl -sI '$PAGE_west' | grep -qi \"content-security-policy: default-src 'none'\""

# a scheduled drain of eu-west and a run-time weight, set in east, on west's page
SREASON='<b>maint</b> & "window"'
obs_ctl east drain eu-west --at now+1h --for 1h --reason "$SREASON" --actor '<i>bob</i>' --force
t_eq "scheduled drain in east accepted" 0 "$RC"
WREASON='<img src=x> canary'
obs_ctl east weight www.example.com. eu-west 30 --reason "$WREASON" --for 1h
t_eq "run-time weight in east accepted" 0 "$RC"
t_check "west's page: the scheduled drain and the weight" wait_page 30 "$PAGE_west" \
	'[(s["datacenter"], s["action"], s["reason"], s["actor"], s["origin"]) for s in d["scheduled"]] == [("eu-west", "drain", '"'$SREASON'"', "<i>bob</i>", "east")] and [(w["target"], w["datacenter"], w["weight"], w["reason"]) for w in d["weights"]] == [("www.example.com.", "eu-west", 30, '"'$WREASON'"')]'
t_check "the scheduled drain is not in force yet" page_has "$PAGE_west" \
	'[o["datacenter"] for o in d["overrides"]] == ["us-east"] and 3500 < d["scheduled"][0]["seconds_to_start"] <= 3600'
# JSON against the views as the sqlite3 shell reads them (the columns that do not tick)
same_as_views() {
	json "$PAGE_west" | python3 -c '
import json, subprocess, sys
d = json.load(sys.stdin)
def view(sql):
    out = subprocess.run(["sqlite3", "-readonly", "-json", "-cmd", ".timeout 5000", sys.argv[1], sql],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out) if out.strip() else []
checks = {
    "scheduled": ("status_scheduled", ["datacenter", "action", "reason", "actor", "origin", "created", "starts", "expires"]),
    "weights": ("status_weights", ["target", "datacenter", "weight", "reason", "actor", "origin", "created", "expires"]),
    "overrides": ("status_overrides", ["datacenter", "action", "reason", "actor", "origin", "created", "starts", "expires"]),
    "addresses": ("status_addresses", ["datacenter", "address", "status"]),
    "capacity": ("status_capacity", ["record", "datacenter", "demand", "spare", "since"]),
}
bad = 0
for key, (v, cols) in checks.items():
    a = [[r[c] for c in cols] for r in d[key]]
    b = [[r[c] for c in cols] for r in view("SELECT %s FROM %s" % (", ".join(cols), v))]
    if a != b:
        print("# %s: page %r, view %r" % (key, a, b)); bad = 1
sys.exit(bad)' "$WORK/west.db"
}
t_check "JSON: the new sections say what the views say" same_as_views
html=$(curl -sf --max-time 5 "$PAGE_west")
t_contains "HTML: the scheduled drain's reason escaped" '&lt;b&gt;maint&lt;/b&gt; &amp; &quot;window&quot;' "$html"
t_contains "HTML: its actor escaped" '<td>&lt;i&gt;bob&lt;/i&gt;</td>' "$html"
t_contains "HTML: the weight's reason escaped" '&lt;img src=x&gt; canary' "$html"
t_contains "HTML: the weights section" '<h2 id="weights">Run-time weights</h2>
<table class="weights">' "$html"

# the browser
dom=$(browser --dump-dom "$PAGE_west")
t_contains "Chromium: the title is the page's (the reason did not run)" "<title>Meridian status</title>" "$dom"
t_check "Chromium: no script element in the DOM" bash -c "! grep -qi '<script' <<<\"\$1\"" _ "$dom"
t_contains "Chromium: the reason shows as text" '&lt;script&gt;document.title="pwned"&lt;/script&gt; kernel &amp; upgrade' "$dom"
t_contains "Chromium: us-east drained in west's page" '<td class="s-drained">drained</td>' "$dom"
t_contains "Chromium: west's own region named" '<span id="region">west</span>' "$dom"
t_contains "Chromium: the level" 'id="level">WARNING</span>' "$dom"
t_contains "Chromium: votes per region" '<h2 id="votes">Votes per region</h2>' "$dom"
t_contains "Chromium: the scheduled drain's reason as text" '&lt;b&gt;maint&lt;/b&gt; &amp; "window"' "$dom"
t_contains "Chromium: the weight's reason as text" '&lt;img src=x&gt; canary' "$dom"
t_check "Chromium: no img element in the DOM" bash -c "! grep -qi '<img' <<<\"\$1\"" _ "$dom"
t_contains "Chromium: an empty section as one line" 'id="addresses-none">no checked address</p>' "$dom"
# the screenshot from a page that does not reload itself within the capture (a loaded
# machine may take longer than the 1 s refresh to render it)
t_start status-shot "$BIN/meridian-status" --db "$WORK/west.db" --listen 127.0.0.1:0 --refresh 3600
t_wait_log "$WORK/status-shot.log" 'serving http:' 30
SHOT=$(sed -n 's/.*serving \(http:[^ ]*\) from .*/\1/p' "$WORK/status-shot.log")
browser --screenshot="$WORK/status-page.png" --window-size=1280,1400 --hide-scrollbars "$SHOT" >/dev/null
t_check "Chromium: a screenshot saved" test -s "$WORK/status-page.png"
t_eq "the screenshot is a PNG" "89504e47" "$(head -c 4 "$WORK/status-page.png" | od -An -tx1 | tr -d ' \n')"
[ -n "${MERIDIAN_SCREENSHOT:-}" ] && cp "$WORK/status-page.png" "$MERIDIAN_SCREENSHOT"

# the JSON says the same as the HTML, and the server is read-only
t_check "JSON: the reason raw, the region, the level" page_has "$PAGE_west" \
	'd["region"]["region"] == "west" and d["region"]["level"] == "WARNING" and any(o["actor"] == "alice \"ops\"" for o in d["overrides"])'
t_eq "POST is refused" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$PAGE_west")"
t_eq "another path is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "${PAGE_west}nope")"
t_check "the store is opened read-only" bash -c "! grep -q 'attempt to write' '$WORK/status-west.log'"
t_done
