#!/usr/bin/env bash
# 080-metrics: every daemon of a region serves Prometheus text at /metrics on the address
# of metrics: (port 0 here, the bound port logged); promtool accepts every page; the
# counters move with real traffic (kdig queries, probes, replication); label sets are
# bounded (no client address, no query name); any other path is 404. The example alert
# rules pass promtool check rules and the Grafana dashboard is valid JSON naming only
# metrics the daemons serve.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/../lib/obs.sh"
command -v promtool >/dev/null || t_skip "promtool not installed (prometheus)"

obs_setup
obs_start east
obs_start west
t_wait_dns "$DNS_east" || t_abort "east's meridian-dnsd answers"
for prog in dnsd hc repl; do
	URL=$(obs_url "$prog" east) || t_abort "$prog logs its metrics address"
	eval "URL_$prog=\$URL"
done
before=$(obs_scrape "$URL_dnsd")
# delta SERIES: how much SERIES grew since the first scrape
delta() { echo $(( $(obs_metric "$dnsd" "$1") - $(obs_metric "$before" "$1") )); }

# real traffic (counted from a first scrape, which t_wait_dns's CHAOS probes precede):
# geo A queries from an Ashburn subnet over UDP and TCP, a NXDOMAIN
for _ in 1 2 3; do kdig @127.0.0.1 -p "$DNS_east" +retry=0 +subnet=67.43.156.1/32 www.example.com A >/dev/null; done
kdig @127.0.0.1 -p "$DNS_east" +retry=0 +tcp +subnet=67.43.156.1/32 www.example.com A >/dev/null
kdig @127.0.0.1 -p "$DNS_east" +retry=0 nope.example.com A >/dev/null
# replication: wait until east has pulled from west and recorded the contact (the
# client writes a peer's row at most once a second)
pulled_from_west() {
	local page
	page=$(obs_scrape "$URL_repl")
	[ "$(obs_metric "$page" meridian_replicator_pulls_total)" -gt 0 ] 2>/dev/null &&
		[ "$(obs_metric "$page" 'meridian_replicator_peer_last_contact_timestamp_seconds{peer="west"}')" != 0 ]
}
t_until 30 pulled_from_west

for prog in dnsd hc repl; do
	eval "url=\$URL_$prog"
	page=$(obs_scrape "$url")
	t_check "$prog: /metrics answers" test -n "$page"
	printf '%s\n' "$page" >"$WORK/$prog.prom"
	out=$(promtool check metrics <"$WORK/$prog.prom" 2>&1)
	t_eq "$prog: promtool check metrics finds nothing" "" "$out"
	t_check "$prog: no label carries a client address or a query name" \
		bash -c "! grep -E '67\.43\.|127\.0\.0\.1|www\.example|nope\.example' '$WORK/$prog.prom' | grep -v '^#' | grep -v 'record=\"www.example.com.\"'"
done

dnsd=$(cat "$WORK/dnsd.prom")
t_eq "dnsd: UDP NOERROR counted" 3 "$(delta 'meridian_dnsd_queries_total{transport="udp",rcode="NOERROR"}')"
t_eq "dnsd: TCP NOERROR counted apart" 1 "$(delta 'meridian_dnsd_queries_total{transport="tcp",rcode="NOERROR"}')"
t_eq "dnsd: NXDOMAIN counted" 1 "$(delta 'meridian_dnsd_queries_total{transport="udp",rcode="NXDOMAIN"}')"
t_eq "dnsd: ECS queries counted" 3 "$(delta 'meridian_dnsd_ecs_queries_total{transport="udp"}')"
t_eq "dnsd: answers per record" 4 "$(delta 'meridian_dnsd_record_answers_total{record="www.example.com."}')"
t_eq "dnsd: answers per datacenter (Ashburn gets us-east)" 4 "$(delta 'meridian_dnsd_datacenter_answers_total{datacenter="us-east"}')"
t_eq "dnsd: UDP qtype A counted" 4 "$(delta 'meridian_dnsd_query_types_total{transport="udp",qtype="A"}')"
t_eq "dnsd: TCP qtype A counted" 1 "$(delta 'meridian_dnsd_query_types_total{transport="tcp",qtype="A"}')"
t_eq "dnsd: one TCP connection accepted" 1 "$(delta meridian_dnsd_tcp_connections_total)"
t_check "dnsd: snapshot generation >= 1" test "$(obs_metric "$dnsd" meridian_dnsd_snapshot_generation)" -ge 1
t_eq "dnsd: a receive error counter per worker" 2 "$(grep -c '^meridian_dnsd_receive_errors_total{worker=' <<<"$dnsd")"
t_eq "dnsd: geo database size" "$(stat -c %s "$WORK/test-city.mmdb")" "$(obs_metric "$dnsd" meridian_dnsd_geoip_database_bytes)"

hc=$(cat "$WORK/hc.prom")
t_check "healthcheck: ok probes of us-east counted" \
	test "$(obs_metric "$hc" 'meridian_healthcheck_probes_total{datacenter="us-east",check="0",type="http",result="ok"}')" -ge 1
t_check "healthcheck: probe duration histogram" grep -q '^meridian_healthcheck_probe_duration_seconds_bucket{datacenter="us-east",le="+Inf"}' "$WORK/hc.prom"
t_eq "healthcheck: us-east went up once" 1 "$(obs_metric "$hc" 'meridian_healthcheck_transitions_total{datacenter="us-east",to="up"}')"

repl=$(cat "$WORK/repl.prom")
t_check "replicator: pulls counted" test "$(obs_metric "$repl" meridian_replicator_pulls_total)" -ge 1
t_check "replicator: bytes received counted" test "$(obs_metric "$repl" meridian_replicator_received_bytes_total)" -gt 0
t_check "replicator: bytes sent counted" test "$(obs_metric "$repl" meridian_replicator_sent_bytes_total)" -gt 0
t_eq "replicator: refusals by kind" 9 "$(grep -c '^meridian_replicator_refusals_total{kind=' <<<"$repl")"
t_eq "replicator: no digest mismatch between two healthy regions" 0 \
	"$(obs_metric "$repl" meridian_replicator_digest_mismatches_total)"
t_eq "replicator: not isolated" 0 "$(obs_metric "$repl" meridian_replicator_isolated)"
t_check "replicator: west's last contact is a time" \
	test "$(obs_metric "$repl" 'meridian_replicator_peer_last_contact_timestamp_seconds{peer="west"}' | cut -d. -f1)" -gt 1000000000

t_eq "another path is 404" 404 "$(curl -s -o /dev/null -w '%{http_code}' "${URL_dnsd%/metrics}/nope")"
t_eq "POST is refused" 405 "$(curl -s -o /dev/null -w '%{http_code}' -X POST "$URL_dnsd")"
t_check "content type is the text exposition format" \
	bash -c "curl -sI '$URL_dnsd' | grep -qi 'content-type: text/plain; version=0.0.4'"

# the alert rules and the dashboard
out=$(promtool check rules "$SRC/examples/prometheus-alerts.yml" 2>&1)
t_contains "promtool check rules accepts examples/prometheus-alerts.yml" "SUCCESS" "$out"
for alert in MeridianDatacenterDown MeridianFailOpen MeridianReplicationLag MeridianDivergence MeridianReloadFailed MeridianRegionIsolated; do
	t_check "alert rule $alert" grep -q "alert: $alert" "$SRC/examples/prometheus-alerts.yml"
done
t_check "every metric the rules use is served" bash -c "
	for m in \$(grep -o 'meridian_[a-z_]*' '$SRC/examples/prometheus-alerts.yml' | sort -u); do
		cat '$WORK'/*.prom | grep -q \"^\$m\" || { echo \"unknown metric \$m\"; exit 1; }
	done"
t_check "the dashboard is JSON whose metrics are all served" python3 - "$SRC/examples/grafana-dashboard.json" "$WORK" <<'PY'
import glob, json, re, sys
d = json.load(open(sys.argv[1]))
served = "".join(open(f).read() for f in glob.glob(sys.argv[2] + "/*.prom"))
exprs = [t["expr"] for p in d["panels"] for t in p.get("targets", [])]
assert exprs, "no panels with queries"
for e in exprs:
    for m in re.findall(r"meridian_[a-z_]+", e):
        base = re.sub(r"_(bucket|sum|count)$", "", m)
        assert re.search("^" + m, served, re.M) or re.search("^" + base, served, re.M), m
PY

for prog in dnsd hc repl; do
	t_check "$prog-east: no sanitizer report" bash -c "! grep -q 'Sanitizer\|runtime error' '$WORK/$prog-east.log'"
done
t_done
