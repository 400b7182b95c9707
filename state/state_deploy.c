/* SPDX-License-Identifier: MIT */
/* state_deploy.c -- what each region's daemons run (config, zones, GeoIP, version) and drift */
#include "config.h"
#include "state/state_deploy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* Writers: each daemon of this region writes its own row at start and at each reload
 * (a few times a day); the replicator applies the other regions' rows. Readers
 * (meridianctl, status pages, the replicator's drift log) read the table and views. */

int state_deployment_put(state_t *st, const state_deployment_t *d)
{
	char key[2 * STATE_NAME_MAX];
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;
	bool same;
	int rc;

	if (d->component[0] == '\0' || strchr(d->component, '/'))
		return state_fail(st, "invalid component '%s'", d->component);
	if (d->config == NULL)
		return state_fail(st, "deployment of %s: no config", d->component);
	snprintf(key, sizeof(key), "%s/%s", st->region, d->component);
	if (state_tx_begin(st) < 0)
		return -1;
	/* A start or reload that serves what the row already says writes nothing: a
	 * restarted daemon adds no change-log entry, and since stays. */
	stmt = state_prepare(st, "SELECT count(*) FROM deployments WHERE region = ?1"
				 " AND component = ?2 AND version = ?3 AND config_digest = ?4"
				 " AND config = ?5 AND zones = ?6 AND geoip_type = ?7"
				 " AND geoip_epoch = ?8 AND geoip_digest = ?9");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, d->component, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, d->config_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, d->config, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, d->zones ? d->zones : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, d->geoip_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, d->geoip_epoch);
	sqlite3_bind_text(stmt, 9, d->geoip_digest, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	same = rc == SQLITE_ROW && sqlite3_column_int(stmt, 0) > 0;
	if (rc != SQLITE_ROW)
		state_fail_sql(st, "deployment");
	state_release(st, stmt);
	if (rc != SQLITE_ROW)
		goto fail;
	if (same) {
		state_tx_rollback(st);
		return 0;
	}
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(
	    st, "INSERT INTO deployments (region, component, version, config_digest, config,"
		" zones, geoip_type, geoip_epoch, geoip_digest, since, updated, hlc, origin)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?10, ?11, ?1)"
		" ON CONFLICT (region, component) DO UPDATE SET"
		" since = CASE WHEN (deployments.version, deployments.config_digest,"
		"  deployments.zones, deployments.geoip_type, deployments.geoip_epoch,"
		"  deployments.geoip_digest) IS (excluded.version, excluded.config_digest,"
		"  excluded.zones, excluded.geoip_type, excluded.geoip_epoch,"
		"  excluded.geoip_digest) THEN deployments.since ELSE excluded.since END,"
		" version = excluded.version, config_digest = excluded.config_digest,"
		" config = excluded.config, zones = excluded.zones,"
		" geoip_type = excluded.geoip_type, geoip_epoch = excluded.geoip_epoch,"
		" geoip_digest = excluded.geoip_digest, updated = excluded.updated,"
		" hlc = excluded.hlc, origin = excluded.origin");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, d->component, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, d->version, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, d->config_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, d->config, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, d->zones ? d->zones : "[]", -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 7, d->geoip_type, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 8, d->geoip_epoch);
	sqlite3_bind_text(stmt, 9, d->geoip_digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 10, state_now_ms(st));
	sqlite3_bind_int64(stmt, 11, (int64_t)hlc);
	rc = sqlite3_step(stmt);
	if (rc != SQLITE_DONE)
		state_fail_sql(st, "deployment");
	state_release(st, stmt);
	if (rc != SQLITE_DONE || state_change_record(st, "deployments", key, hlc, seq) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

void state_deployment_clear(state_deployment_t *d)
{
	free(d->config);
	free(d->zones);
	d->config = NULL;
	d->zones = NULL;
}

void state_deployments_free(state_deployment_t *list, size_t count)
{
	if (list == NULL)
		return;
	for (size_t i = 0; i < count; i++) {
		free(list[i].config);
		free(list[i].zones);
	}
	free(list);
}

static char *column_dup(sqlite3_stmt *stmt, int col)
{
	const char *text = (const char *)sqlite3_column_text(stmt, col);

	return strdup(text ? text : "");
}

int state_deployments_list(state_t *st, state_deployment_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(
	    st, "SELECT region, component, version, config_digest, config, zones, geoip_type,"
		" geoip_epoch, geoip_digest, since, updated, hlc, origin FROM deployments"
		" ORDER BY region, component");
	state_deployment_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_deployment_t *grown = realloc(list, (n + 1) * sizeof(*list));
		state_deployment_t *d;

		if (!grown)
			goto nomem;
		list = grown;
		d = &list[n];
		memset(d, 0, sizeof(*d));
		n++;
		state_copy(d->region, sizeof(d->region), (const char *)sqlite3_column_text(stmt, 0));
		state_copy(d->component, sizeof(d->component),
			   (const char *)sqlite3_column_text(stmt, 1));
		state_copy(d->version, sizeof(d->version), (const char *)sqlite3_column_text(stmt, 2));
		state_copy(d->config_digest, sizeof(d->config_digest),
			   (const char *)sqlite3_column_text(stmt, 3));
		d->config = column_dup(stmt, 4);
		d->zones = column_dup(stmt, 5);
		if (!d->config || !d->zones)
			goto nomem;
		state_copy(d->geoip_type, sizeof(d->geoip_type),
			   (const char *)sqlite3_column_text(stmt, 6));
		d->geoip_epoch = sqlite3_column_int64(stmt, 7);
		state_copy(d->geoip_digest, sizeof(d->geoip_digest),
			   (const char *)sqlite3_column_text(stmt, 8));
		d->since_ms = sqlite3_column_int64(stmt, 9);
		d->updated_ms = sqlite3_column_int64(stmt, 10);
		d->hlc = (uint64_t)sqlite3_column_int64(stmt, 11);
		state_copy(d->origin, sizeof(d->origin), (const char *)sqlite3_column_text(stmt, 12));
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_deployments_free(list, n);
		return state_fail_sql(st, "deployments");
	}
	*out = list;
	*count = n;
	return 0;
nomem:
	state_release(st, stmt);
	state_deployments_free(list, n);
	return state_fail(st, "deployments: out of memory");
}

/* Rows of sql (region, component, config, zones, geoip, version, since_ms) as drift. */
static int drift_query(state_t *st, const char *sql, state_drift_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(st, sql);
	state_drift_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_drift_t *grown = realloc(list, (n + 1) * sizeof(*list));

		if (!grown) {
			state_release(st, stmt);
			free(list);
			return state_fail(st, "drift: out of memory");
		}
		list = grown;
		memset(&list[n], 0, sizeof(list[n]));
		state_copy(list[n].region, sizeof(list[n].region),
			   (const char *)sqlite3_column_text(stmt, 0));
		state_copy(list[n].component, sizeof(list[n].component),
			   (const char *)sqlite3_column_text(stmt, 1)); /* NULL: "" */
		list[n].config = sqlite3_column_int(stmt, 2) != 0;
		list[n].zones = sqlite3_column_int(stmt, 3) != 0;
		list[n].geoip = sqlite3_column_int(stmt, 4) != 0;
		list[n].version = sqlite3_column_int(stmt, 5) != 0;
		list[n].since_ms = sqlite3_column_int64(stmt, 6);
		n++;
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "drift");
	}
	*out = list;
	*count = n;
	return 0;
}

int state_drift_list(state_t *st, state_drift_t **out, size_t *count)
{
	return drift_query(st,
			   "SELECT region, component, config, zones, geoip, version, since_ms"
			   " FROM status_drift",
			   out, count);
}

int state_drift_regions(state_t *st, state_drift_t **out, size_t *count)
{
	return drift_query(st,
			   "SELECT region, NULL, max(config), max(zones), max(geoip), max(version),"
			   " min(since_ms) FROM status_drift GROUP BY region ORDER BY region",
			   out, count);
}
