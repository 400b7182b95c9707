/* SPDX-License-Identifier: MIT */
/* repl_drift.c -- the replicator's part in drift: its own deployment row, and the drift log */
#include "config.h"
#include "replicator/repl_drift.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/timefmt.h"
#include "conf/conf_canon.h"

#define DRIFT_LOOK_EVERY_MS 1000

void repl_drift_record(state_t *st, const conf_t *conf)
{
	state_deployment_t dep;
	char err[256];

	if (state_deployment_init(&dep, conf->region, "replicator", conf_canonical_json(conf), err,
				  sizeof(err)) < 0) {
		log_warn("deployment: %s", err);
		return;
	}
	if (state_deployment_put(st, &dep) < 0)
		log_warn("deployment: cannot record what this region runs: %s", state_errmsg(st));
	state_deployment_clear(&dep);
}

const char *repl_drift_what(const state_drift_t *d, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s%s%s%s%s%s", d->config ? "config" : "",
		 d->config && (d->zones || d->geoip || d->version) ? ", " : "",
		 d->zones ? "zones" : "", d->zones && (d->geoip || d->version) ? ", " : "",
		 d->geoip ? "geoip" : "", d->geoip && d->version ? ", " : "",
		 d->version ? "version" : "");
	return buf;
}

static const state_drift_t *find(const state_drift_t *list, size_t n, const state_drift_t *d)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(list[i].region, d->region) == 0 &&
		    strcmp(list[i].component, d->component) == 0)
			return &list[i];
	return NULL;
}

void repl_drift_tick(repl_drift_t *rd, state_t *st, uint32_t grace_ms, int64_t mono_ms)
{
	state_drift_t *now_list = NULL, *over = NULL;
	size_t n = 0, over_n = 0;
	int64_t now = state_now_ms(st);
	char what[96], age[32], grace[32], since[32];

	if (rd->last_ms != 0 && mono_ms - rd->last_ms < DRIFT_LOOK_EVERY_MS)
		return;
	rd->last_ms = mono_ms;
	if (state_drift_list(st, &now_list, &n) < 0) {
		log_debug("drift: %s", state_errmsg(st));
		return;
	}
	over = calloc(n ? n : 1, sizeof(*over));
	if (over == NULL) {
		free(now_list);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		const state_drift_t *d = &now_list[i];
		const state_drift_t *was;

		if (now - d->since_ms <= (int64_t)grace_ms)
			continue;
		over[over_n++] = *d;
		was = find(rd->logged, rd->count, d);
		if (was != NULL && was->since_ms == d->since_ms && was->config == d->config &&
		    was->zones == d->zones && was->geoip == d->geoip && was->version == d->version)
			continue;
		log_warn("drift: region %s %s runs another %s than region %s since %s (%s, longer "
			 "than replication.drift_grace %s)",
			 d->region, d->component, repl_drift_what(d, what, sizeof(what)),
			 state_region(st), timefmt_iso(d->since_ms, since, sizeof(since)),
			 timefmt_duration(now - d->since_ms, age, sizeof(age)),
			 timefmt_duration(grace_ms, grace, sizeof(grace)));
	}
	for (size_t i = 0; i < rd->count; i++) {
		const state_drift_t *was = &rd->logged[i], *is = find(now_list, n, was);

		if (is == NULL)
			log_info("drift: region %s %s runs what region %s runs again", was->region,
				 was->component, state_region(st));
		else if (is->since_ms != was->since_ms)
			log_info("drift: region %s %s: the drift since %s ended; another began at %s",
				 was->region, was->component,
				 timefmt_iso(was->since_ms, since, sizeof(since)),
				 timefmt_iso(is->since_ms, age, sizeof(age)));
	}
	free(now_list);
	free(rd->logged);
	rd->logged = over;
	rd->count = over_n;
}

void repl_drift_free(repl_drift_t *rd)
{
	free(rd->logged);
	rd->logged = NULL;
	rd->count = 0;
}

void repl_drift_metrics(metrics_page_t *p, state_t *st, uint32_t grace_ms, int64_t now_ms)
{
	state_drift_t *list = NULL;
	size_t n = 0;
	bool over = false;

	if (st == NULL || state_drift_regions(st, &list, &n) < 0)
		n = 0;
	metrics_family(p, "meridian_deployment_drift_regions", METRICS_GAUGE,
		       "Regions running another config, zones, GeoIP database or version than "
		       "this one.");
	metrics_u64(p, "meridian_deployment_drift_regions", n, NULL);
	metrics_family(p, "meridian_deployment_drift_seconds", METRICS_GAUGE,
		       "How long a region has run another config, zones, GeoIP database or "
		       "version (part) than this one.");
	for (size_t i = 0; i < n; i++) {
		const state_drift_t *d = &list[i];
		const struct {
			bool differs;	  /* this part differs */
			const char *part; /* label value */
		} parts[] = {{d->config, "config"}, {d->zones, "zones"}, {d->geoip, "geoip"},
			     {d->version, "version"}};
		double age = (double)(now_ms - d->since_ms) / 1e3;

		over = over || now_ms - d->since_ms > (int64_t)grace_ms;
		for (size_t k = 0; k < sizeof(parts) / sizeof(parts[0]); k++)
			if (parts[k].differs)
				metrics_f64(p, "meridian_deployment_drift_seconds", age < 0 ? 0 : age,
					    "region", d->region, "part", parts[k].part, NULL);
	}
	metrics_family(p, "meridian_deployment_drift_over_grace", METRICS_GAUGE,
		       "1 when some region's drift has lasted longer than "
		       "replication.drift_grace.");
	metrics_u64(p, "meridian_deployment_drift_over_grace", over ? 1 : 0, NULL);
	free(list);
}
