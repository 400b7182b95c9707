/* SPDX-License-Identifier: MIT */
/* state_snapshot.c -- consistent export and import of the replicated state, for bootstrap */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* The document:
 *   {"format": "meridian-snapshot/1", "region": exporter, "hlc": high-water mark,
 *    "exported": ms, "cursors": [{"origin", "seq"}...],
 *    "observations": [row...], "overrides": [row...], "events": [row...],
 *    "deployments": [row...]}
 * Rows are exactly the change-log row JSON. The export runs in one read transaction, so
 * rows and cursors agree: every entry up to a cursor is reflected in the rows. */
#define SNAPSHOT_FORMAT "meridian-snapshot/1"

int state_snapshot_export(state_t *st, char **json)
{
	char sql[4096];
	sqlite3_stmt *stmt;
	int rc;

	*json = NULL;
	snprintf(
	    sql, sizeof(sql),
	    "SELECT json_object('format', '" SNAPSHOT_FORMAT "',"
	    " 'region', (SELECT region FROM node), 'hlc', (SELECT hlc FROM node), 'exported', ?1,"
	    " 'cursors', json((SELECT json_group_array(json_object('origin', origin, 'seq', seq))"
	    "  FROM cursors)),"
	    " 'observations', json((SELECT json_group_array(json(%s)) FROM observations)),"
	    " 'overrides', json((SELECT json_group_array(json(%s)) FROM overrides)),"
	    " 'events', json((SELECT json_group_array(json(%s)) FROM events)),"
	    " 'deployments', json((SELECT json_group_array(json(%s)) FROM deployments)))",
	    state_tables[0].row_json, state_tables[1].row_json, state_tables[2].row_json,
	    state_table_find("deployments")->row_json);
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_int64(stmt, 1, state_now_ms(st));
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		*json = strdup((const char *)sqlite3_column_text(stmt, 0));
		if (!*json)
			state_fail(st, "snapshot: out of memory");
	} else {
		state_fail_sql(st, "snapshot");
	}
	state_release(st, stmt);
	return *json ? 0 : -1;
}

static int import_rows(state_t *st, const char *json, const state_table_t *t)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT value FROM json_each(?1, '$.' || ?2)");
	char why[256];
	int rc, n = 0;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		n++;
		if (state_row_apply(st, t, (const char *)sqlite3_column_text(stmt, 0), why,
				    sizeof(why)) < 0) {
			state_release(st, stmt);
			return state_fail(st, "snapshot: %s row %d: %s", t->name, n, why);
		}
	}
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "snapshot");
}

int state_snapshot_import(state_t *st, const char *json)
{
	sqlite3_stmt *stmt;
	int64_t hlc = 0;
	int rc, ok = 0;

	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(
	    st, "SELECT json_valid(?1) AND json_extract(?1, '$.format') = '" SNAPSHOT_FORMAT "'"
		" AND json_type(?1, '$.hlc') = 'integer'"
		" AND json_type(?1, '$.cursors') = 'array'"
		" AND json_type(?1, '$.observations') = 'array'"
		" AND json_type(?1, '$.overrides') = 'array'"
		" AND json_type(?1, '$.events') = 'array', json_extract(?1, '$.hlc')");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		ok = sqlite3_column_int(stmt, 0);
		hlc = sqlite3_column_int64(stmt, 1);
	}
	state_release(st, stmt);
	if (!ok) {
		state_fail(st, "snapshot: not a " SNAPSHOT_FORMAT " document");
		goto fail;
	}
	for (size_t i = 0; i < state_table_count; i++)
		if (import_rows(st, json, &state_tables[i]) < 0)
			goto fail;
	/* Cursors only move forward: what we already hold beyond the snapshot stays. */
	stmt = state_prepare(st,
			     "INSERT INTO cursors (origin, seq)"
			     " SELECT json_extract(value, '$.origin'), json_extract(value, '$.seq')"
			     " FROM json_each(?1, '$.cursors') WHERE true"
			     " ON CONFLICT (origin) DO UPDATE SET seq = max(seq, excluded.seq)");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "snapshot: cursors");
		goto fail;
	}
	if (state_hlc_persist_observe(st, (uint64_t)hlc) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}
