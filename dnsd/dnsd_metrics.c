/* SPDX-License-Identifier: MIT */
/* dnsd_metrics.c -- meridian-dnsd's /metrics page and its SIGUSR1 line */
#include "config.h"

#include "dnsd/dnsd_metrics.h"

#include <stdio.h>
#include <time.h>

#include "base/dns_wire.h"
#include "base/log.h"

/* Runs on the control thread (the metrics server is driven by its poll loop), so the
 * config and the control counters are read without a lock; the workers' counters are
 * read with relaxed loads (dnsd_server_read()). Label sets are bounded by the config:
 * transport, rcode, qtype class, record, datacenter, worker; never a client or a name
 * asked. */

static const char *const transports[2] = {"udp", "tcp"};

static void rcode_label(int rcode, char *buf, size_t len)
{
	/* (the header's codes and BADVERS: the extended codes above it are never counted) */
	const char *name = rcode <= DNS_RCODE_BADVERS ? dns_rcode_name(rcode) : NULL;
	if (name != NULL)
		snprintf(buf, len, "%s", name);
	else
		snprintf(buf, len, "RCODE%d", rcode);
}

static void per_transport(metrics_page_t *p, const char *name, const char *help,
			  const dnsd_counters_t *c[2], size_t offset)
{
	metrics_family(p, name, METRICS_COUNTER, help);
	for (int t = 0; t < 2; t++)
		metrics_u64(p, name, *(const uint64_t *)((const char *)c[t] + offset), "transport",
			    transports[t], NULL);
}

static double wall_seconds(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void dnsd_metrics_render(void *arg, metrics_page_t *p)
{
	const dnsd_metrics_src_t *src = arg;
	static dnsd_server_totals_t tot; /* big (per-worker errors): the control thread's */
	dnsd_server_read(src->server, &tot);
	const dnsd_counters_t *c[2] = {&tot.udp, &tot.tcp};
	const conf_t *conf = dnsd_reload_conf(src->reload);
	char label[32];

	metrics_family(p, "meridian_dnsd_queries_total", METRICS_COUNTER,
		       "Queries answered, by transport and response code.");
	for (int t = 0; t < 2; t++)
		for (int r = 0; r < 24; r++) {
			bool usual = r <= 5 || r == 16;
			if (!usual && c[t]->rcode[r] == 0)
				continue;
			rcode_label(r, label, sizeof(label));
			metrics_u64(p, "meridian_dnsd_queries_total", c[t]->rcode[r], "transport",
				    transports[t], "rcode", label, NULL);
		}
	per_transport(p, "meridian_dnsd_queries_dropped_total",
		      "Messages not answered (a response, or shorter than a header).", c,
		      offsetof(dnsd_counters_t, dropped));
	metrics_family(p, "meridian_dnsd_query_types_total", METRICS_COUNTER,
		       "Parsed queries by query type (rare types count as other).");
	for (int t = 0; t < 2; t++)
		for (int q = 0; q < DNSD_QTYPE_CLASSES; q++)
			metrics_u64(p, "meridian_dnsd_query_types_total", c[t]->qtype[q],
				    "transport", transports[t], "qtype",
				    dnsd_qtype_class_name((dnsd_qtype_class_t)q), NULL);
	per_transport(p, "meridian_dnsd_edns_queries_total", "Queries with an EDNS OPT record.",
		      c, offsetof(dnsd_counters_t, edns));
	per_transport(p, "meridian_dnsd_ecs_queries_total",
		      "Queries with a valid EDNS Client Subnet option.", c,
		      offsetof(dnsd_counters_t, ecs));
	per_transport(p, "meridian_dnsd_truncated_responses_total",
		      "Responses sent with TC set because they did not fit.", c,
		      offsetof(dnsd_counters_t, truncated));
	per_transport(p, "meridian_dnsd_nodata_responses_total",
		      "NOERROR responses with an empty answer.", c,
		      offsetof(dnsd_counters_t, nodata));
	per_transport(p, "meridian_dnsd_referral_responses_total", "Delegations answered.", c,
		      offsetof(dnsd_counters_t, referrals));
	per_transport(p, "meridian_dnsd_geo_answers_total",
		      "A/AAAA answers computed from the geo view.", c,
		      offsetof(dnsd_counters_t, geo));
	per_transport(p, "meridian_dnsd_fail_open_answers_total",
		      "Geo answers given while no candidate datacenter was serving.", c,
		      offsetof(dnsd_counters_t, fail_open));
	per_transport(p, "meridian_dnsd_capacity_short_answers_total",
		      "Geo answers spilled from a datacenter not serving whose demand the spare "
		      "capacity of the others did not cover.",
		      c, offsetof(dnsd_counters_t, capacity_short));

	metrics_family(p, "meridian_dnsd_record_answers_total", METRICS_COUNTER,
		       "Geo answers by record.");
	for (size_t i = 0; i < conf->record_count && i < DNSD_COUNTERS_RECORDS; i++)
		metrics_u64(p, "meridian_dnsd_record_answers_total",
			    tot.udp.geo_record[i] + tot.tcp.geo_record[i], "record",
			    conf->records[i].name, NULL);
	metrics_family(p, "meridian_dnsd_datacenter_answers_total", METRICS_COUNTER,
		       "Geo answers by the datacenter they sent clients to.");
	for (size_t i = 0; i < conf->datacenter_count && i < DNSD_COUNTERS_DCS; i++)
		metrics_u64(p, "meridian_dnsd_datacenter_answers_total",
			    tot.udp.geo_dc[i] + tot.tcp.geo_dc[i], "datacenter",
			    conf->datacenters[i].name, NULL);
	metrics_family(p, "meridian_dnsd_datacenter_serving", METRICS_GAUGE,
		       "1 when the datacenter is served in the published snapshot, else 0.");
	for (size_t i = 0; i < conf->datacenter_count; i++) {
		const char *state;
		bool serving = dnsd_reload_serving(src->reload, i, &state);
		metrics_u64(p, "meridian_dnsd_datacenter_serving", serving ? 1 : 0, "datacenter",
			    conf->datacenters[i].name, NULL);
	}

	dnsd_reload_stats_t rs;
	dnsd_reload_stats(src->reload, &rs);
	metrics_family(p, "meridian_dnsd_snapshot_generation", METRICS_GAUGE,
		       "Snapshots published since start.");
	metrics_u64(p, "meridian_dnsd_snapshot_generation", rs.generation, NULL);
	metrics_family(p, "meridian_dnsd_snapshot_age_seconds", METRICS_GAUGE,
		       "Seconds since the answering snapshot was published.");
	metrics_f64(p, "meridian_dnsd_snapshot_age_seconds",
		    rs.published_ms ? wall_seconds() - (double)rs.published_ms / 1e3 : 0, NULL);
	metrics_family(p, "meridian_dnsd_reloads_total", METRICS_COUNTER,
		       "Configuration reloads (SIGHUP), by result.");
	metrics_u64(p, "meridian_dnsd_reloads_total", rs.reloads, "result", "ok", NULL);
	metrics_u64(p, "meridian_dnsd_reloads_total", rs.reload_failures, "result", "failed",
		    NULL);
	metrics_family(p, "meridian_dnsd_geoip_reloads_total", METRICS_COUNTER,
		       "Geo database files reloaded after they changed, by result.");
	metrics_u64(p, "meridian_dnsd_geoip_reloads_total", rs.geo_reloads, "result", "ok", NULL);
	metrics_u64(p, "meridian_dnsd_geoip_reloads_total", rs.geo_failures, "result", "failed",
		    NULL);
	metrics_family(p, "meridian_dnsd_geoip_build_seconds", METRICS_GAUGE,
		       "Time the last geo database compile took.");
	metrics_f64(p, "meridian_dnsd_geoip_build_seconds", rs.geo_build_seconds, NULL);
	metrics_family(p, "meridian_dnsd_geoip_database_bytes", METRICS_GAUGE,
		       "Size of the geo database file.");
	metrics_u64(p, "meridian_dnsd_geoip_database_bytes", rs.geo_bytes, NULL);

	metrics_family(p, "meridian_dnsd_tcp_connections_total", METRICS_COUNTER,
		       "TCP connections accepted.");
	metrics_u64(p, "meridian_dnsd_tcp_connections_total", tot.tcp_accepted, NULL);
	metrics_family(p, "meridian_dnsd_tcp_connections", METRICS_GAUGE,
		       "TCP connections open now.");
	metrics_u64(p, "meridian_dnsd_tcp_connections", tot.tcp_open, NULL);
	metrics_family(p, "meridian_dnsd_udp_workers", METRICS_GAUGE, "UDP worker threads.");
	metrics_u64(p, "meridian_dnsd_udp_workers", tot.workers, NULL);
	metrics_family(p, "meridian_dnsd_receive_errors_total", METRICS_COUNTER,
		       "UDP receive errors, by worker.");
	for (unsigned w = 0; w < tot.workers && w < DNSD_SERVER_WORKERS_SHOWN; w++) {
		snprintf(label, sizeof(label), "%u", w);
		metrics_u64(p, "meridian_dnsd_receive_errors_total", tot.recv_errors[w], "worker",
			    label, NULL);
	}
}

void dnsd_metrics_log(const dnsd_metrics_src_t *src)
{
	static dnsd_server_totals_t tot;
	dnsd_server_read(src->server, &tot);
	dnsd_counters_t all = tot.udp;
	dnsd_counters_add(&all, &tot.tcp);
	dnsd_counters_log("stats: answered", &all);
	dnsd_reload_stats_t rs;
	dnsd_reload_stats(src->reload, &rs);
	log_info("stats: snapshot generation %llu, %llu reloads (%llu failed), %llu tcp "
		 "connections (%llu open)",
		 (unsigned long long)rs.generation, (unsigned long long)rs.reloads,
		 (unsigned long long)rs.reload_failures, (unsigned long long)tot.tcp_accepted,
		 (unsigned long long)tot.tcp_open);
}
