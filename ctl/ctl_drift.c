/* SPDX-License-Identifier: MIT */
/* ctl_drift.c -- what every region runs and where it drifts, for status, peers, diff, check */
#include "config.h"
#include "ctl/ctl_drift.h"

#include <stdlib.h>
#include <string.h>

#include "ctl/ctl_format.h"

void ctl_drift_load(state_t *st, const conf_t *conf, ctl_drift_t *out)
{
	memset(out, 0, sizeof(*out));
	out->now_ms = state_now_ms(st);
	out->grace_ms = conf->replication.drift_grace_ms;
	if (state_deployments_list(st, &out->deps, &out->dep_count) < 0 ||
	    state_drift_list(st, &out->drift, &out->drift_count) < 0) {
		snprintf(out->problem, sizeof(out->problem), "%s", state_errmsg(st));
		state_deployments_free(out->deps, out->dep_count);
		out->deps = NULL;
		out->dep_count = 0;
	}
}

void ctl_drift_free(ctl_drift_t *d)
{
	state_deployments_free(d->deps, d->dep_count);
	free(d->drift);
	d->deps = NULL;
	d->drift = NULL;
	d->dep_count = d->drift_count = 0;
}

static bool over_grace(const ctl_drift_t *d, const state_drift_t *x)
{
	return d->now_ms - x->since_ms > (int64_t)d->grace_ms;
}

bool ctl_drift_warning(const ctl_drift_t *d)
{
	for (size_t i = 0; i < d->drift_count; i++)
		if (over_grace(d, &d->drift[i]))
			return true;
	return false;
}

const char *ctl_drift_what(const state_drift_t *d, char *buf, size_t len)
{
	const char *parts[4];
	size_t n = 0, used = 0;

	if (d->config)
		parts[n++] = "config";
	if (d->zones)
		parts[n++] = "zones";
	if (d->geoip)
		parts[n++] = "geoip";
	if (d->version)
		parts[n++] = "version";
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", parts[i]);
	return buf;
}

/* This region's row of component, or NULL. */
static const state_deployment_t *local_row(const conf_t *conf, const ctl_drift_t *d,
					   const char *component)
{
	for (size_t i = 0; i < d->dep_count; i++)
		if (strcmp(d->deps[i].region, conf->region) == 0 &&
		    strcmp(d->deps[i].component, component) == 0)
			return &d->deps[i];
	return NULL;
}

void ctl_drift_print_status(FILE *out, const conf_t *conf, const ctl_drift_t *d)
{
	char what[64], since[32], age[32], grace[32];
	size_t regions = 0;

	fputc('\n', out);
	if (d->problem[0] != '\0') {
		fprintf(out, "deployments: not known (%s)\n", d->problem);
		return;
	}
	for (size_t i = 0; i < d->dep_count; i++)
		if (i == 0 || strcmp(d->deps[i].region, d->deps[i - 1].region) != 0)
			regions++;
	timefmt_duration(d->grace_ms, grace, sizeof(grace));
	if (d->drift_count == 0) {
		const state_deployment_t *own = local_row(conf, d, "dnsd");

		if (own == NULL && d->dep_count > 0)
			own = local_row(conf, d, d->deps[0].component);
		if (own == NULL)
			fprintf(out, "deployments: none recorded by this region yet\n");
		else
			fprintf(out,
				"deployments: %zu region%s, no drift (config %.12s, version %s)\n",
				regions, regions == 1 ? "" : "s", own->config_digest, own->version);
		return;
	}
	fprintf(out, "DRIFT from %s (grace %s; `meridianctl diff REGION` shows what differs)\n",
		conf->region, grace);
	ctl_table_t table;
	ctl_table_init(&table, 5);
	ctl_table_row(&table, (const char *const[]){"REGION", "COMPONENT", "DIFFERS", "SINCE", "FOR"});
	for (size_t i = 0; i < d->drift_count; i++) {
		const state_drift_t *x = &d->drift[i];

		ctl_table_row(&table,
			      (const char *const[]){x->region, x->component,
						    ctl_drift_what(x, what, sizeof(what)),
						    timefmt_iso(x->since_ms, since, sizeof(since)),
						    timefmt_duration(d->now_ms - x->since_ms, age,
								     sizeof(age))});
	}
	if (ctl_table_print(&table, out) != 0)
		fprintf(out, "(drift table: out of memory)\n");
	ctl_table_free(&table);
	for (size_t i = 0; i < d->drift_count; i++) {
		const state_drift_t *x = &d->drift[i];

		if (over_grace(d, x))
			fprintf(out,
				"WARNING: region %s %s has run another %s than %s for %s, longer "
				"than replication.drift_grace %s\n",
				x->region, x->component, ctl_drift_what(x, what, sizeof(what)),
				conf->region, timefmt_duration(d->now_ms - x->since_ms, age, sizeof(age)),
				grace);
	}
}

/* The drift entry of (region, component), or NULL. */
static const state_drift_t *drift_of(const ctl_drift_t *d, const state_deployment_t *row)
{
	for (size_t i = 0; i < d->drift_count; i++)
		if (strcmp(d->drift[i].region, row->region) == 0 &&
		    strcmp(d->drift[i].component, row->component) == 0)
			return &d->drift[i];
	return NULL;
}

/* "example.com. 2024010101, example.net. 7" from a zones JSON array, via SQLite. */
static void zones_text(sqlite3 *db, const char *zones, char *buf, size_t len)
{
	sqlite3_stmt *stmt = NULL;
	size_t used = 0;

	buf[0] = '\0';
	if (sqlite3_prepare_v2(db,
			       "SELECT json_extract(value, '$.origin'), json_extract(value, '$.serial')"
			       " FROM json_each(?1)",
			       -1, &stmt, NULL) != SQLITE_OK) {
		sqlite3_finalize(stmt);
		return;
	}
	sqlite3_bind_text(stmt, 1, zones, -1, SQLITE_STATIC);
	while (sqlite3_step(stmt) == SQLITE_ROW && used < len)
		used += (size_t)snprintf(buf + used, len - used, "%s%s %lld", used ? ", " : "",
					 (const char *)sqlite3_column_text(stmt, 0),
					 (long long)sqlite3_column_int64(stmt, 1));
	sqlite3_finalize(stmt);
}

int ctl_drift_print_deployments(FILE *out, sqlite3 *db, const ctl_drift_t *d)
{
	ctl_table_t table;
	int rc;

	fputc('\n', out);
	if (d->problem[0] != '\0') {
		fprintf(out, "deployments: not known (%s)\n", d->problem);
		return 0;
	}
	if (d->dep_count == 0) {
		fprintf(out, "deployments: none recorded yet\n");
		return 0;
	}
	ctl_table_init(&table, 8);
	ctl_table_row(&table, (const char *const[]){"REGION", "COMPONENT", "VERSION", "CONFIG",
						    "ZONES", "GEOIP", "RUNNING SINCE", "DRIFT"});
	for (size_t i = 0; i < d->dep_count; i++) {
		const state_deployment_t *row = &d->deps[i];
		const state_drift_t *x = drift_of(d, row);
		char cfg[16], geo[160], since[32], drift[128], what[64], age[32], zones[256];

		snprintf(cfg, sizeof(cfg), "%.12s", row->config_digest);
		zones_text(db, row->zones, zones, sizeof(zones));
		if (row->geoip_type[0] != '\0')
			snprintf(geo, sizeof(geo), "%.100s %lld %.8s", row->geoip_type,
				 (long long)row->geoip_epoch, row->geoip_digest);
		else
			snprintf(geo, sizeof(geo), "-");
		if (x != NULL)
			snprintf(drift, sizeof(drift), "%s for %s", ctl_drift_what(x, what, sizeof(what)),
				 timefmt_duration(d->now_ms - x->since_ms, age, sizeof(age)));
		else
			snprintf(drift, sizeof(drift), "-");
		ctl_table_row(&table, (const char *const[]){row->region, row->component, row->version,
							    cfg, zones[0] ? zones : "-", geo,
							    timefmt_iso(row->since_ms, since,
									sizeof(since)),
							    drift});
	}
	rc = ctl_table_print(&table, out);
	ctl_table_free(&table);
	return rc;
}

static void zones_json(ctl_json_t *j, sqlite3 *db, const char *zones)
{
	sqlite3_stmt *stmt = NULL;

	ctl_json_array_begin(j);
	if (sqlite3_prepare_v2(db,
			       "SELECT json_extract(value, '$.origin'), json_extract(value, '$.serial'),"
			       " json_extract(value, '$.digest') FROM json_each(?1)",
			       -1, &stmt, NULL) == SQLITE_OK) {
		sqlite3_bind_text(stmt, 1, zones, -1, SQLITE_STATIC);
		while (sqlite3_step(stmt) == SQLITE_ROW) {
			ctl_json_object_begin(j);
			ctl_json_kv_string(j, "origin", (const char *)sqlite3_column_text(stmt, 0));
			ctl_json_kv_int(j, "serial", sqlite3_column_int64(stmt, 1));
			ctl_json_kv_string(j, "digest", (const char *)sqlite3_column_text(stmt, 2));
			ctl_json_object_end(j);
		}
	}
	sqlite3_finalize(stmt);
	ctl_json_array_end(j);
}

void ctl_drift_json(ctl_json_t *j, state_t *st, const ctl_drift_t *d)
{
	ctl_json_key(j, "drift");
	ctl_json_object_begin(j);
	ctl_json_kv_uint(j, "grace_ms", d->grace_ms);
	ctl_json_kv_bool(j, "warning", ctl_drift_warning(d));
	ctl_json_key(j, "problem");
	if (d->problem[0] != '\0')
		ctl_json_string(j, d->problem);
	else
		ctl_json_null(j);
	ctl_json_key(j, "regions");
	ctl_json_array_begin(j);
	for (size_t i = 0; i < d->drift_count; i++) {
		const state_drift_t *x = &d->drift[i];

		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "region", x->region);
		ctl_json_kv_string(j, "component", x->component);
		ctl_json_kv_bool(j, "config", x->config);
		ctl_json_kv_bool(j, "zones", x->zones);
		ctl_json_kv_bool(j, "geoip", x->geoip);
		ctl_json_kv_bool(j, "version", x->version);
		ctl_json_kv_int(j, "since_ms", x->since_ms);
		ctl_json_kv_int(j, "age_ms", d->now_ms - x->since_ms);
		ctl_json_kv_bool(j, "over_grace", over_grace(d, x));
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
	ctl_json_object_end(j);
	ctl_json_key(j, "deployments");
	ctl_json_array_begin(j);
	for (size_t i = 0; i < d->dep_count; i++) {
		const state_deployment_t *row = &d->deps[i];

		ctl_json_object_begin(j);
		ctl_json_kv_string(j, "region", row->region);
		ctl_json_kv_string(j, "component", row->component);
		ctl_json_kv_string(j, "version", row->version);
		ctl_json_kv_string(j, "config_digest", row->config_digest);
		ctl_json_key(j, "zones");
		zones_json(j, state_db(st), row->zones);
		ctl_json_key(j, "geoip");
		if (row->geoip_type[0] == '\0' && row->geoip_digest[0] == '\0') {
			ctl_json_null(j);
		} else {
			ctl_json_object_begin(j);
			ctl_json_kv_string(j, "type", row->geoip_type);
			ctl_json_kv_int(j, "build_epoch", row->geoip_epoch);
			ctl_json_kv_string(j, "digest", row->geoip_digest);
			ctl_json_object_end(j);
		}
		ctl_json_kv_int(j, "since_ms", row->since_ms);
		ctl_json_kv_int(j, "updated_ms", row->updated_ms);
		ctl_json_kv_bool(j, "drift", drift_of(d, row) != NULL);
		ctl_json_object_end(j);
	}
	ctl_json_array_end(j);
}
