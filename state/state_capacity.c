/* SPDX-License-Identifier: MIT */
/* state_capacity.c -- capacity shortfalls as this region's status thread finds them */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "state/state_capacity.h"
#include "state/state_internal.h"

/* Written by meridian-healthcheck's status thread (hc_status.c), which computes the rows
 * with the pick itself (geo_capacity_shortfalls): the same rule as dnsd's counter and
 * meridianctl status. */

static int transition(state_t *st, int64_t now, const char *kind, const char *record,
		      const char *from, const char *to, const char *reason)
{
	sqlite3_stmt *stmt = state_prepare(st, "INSERT INTO transitions (at, kind, subject,"
					       " from_state, to_state, reason)"
					       " VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
	int rc;

	if (stmt == NULL)
		return -1;
	sqlite3_bind_int64(stmt, 1, now);
	sqlite3_bind_text(stmt, 2, kind, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, record, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 6, reason, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "writing a transition");
}

static bool row_in(const state_capacity_t *rows, size_t n, const char *record, const char *dc)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(rows[i].record, record) == 0 && strcmp(rows[i].datacenter, dc) == 0)
			return true;
	return false;
}

int state_capacity_update(state_t *st, const state_capacity_t *rows, size_t n, int64_t now_ms,
			  bool *changed)
{
	sqlite3_stmt *stmt;
	char reason[128];
	int rc;

	*changed = false;
	if (state_tx_begin(st) < 0)
		return -1;
	/* Gone: rows held that are not among the new ones. */
	stmt = state_prepare(st, "SELECT record, datacenter FROM capacity_state");
	if (stmt == NULL)
		goto fail;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *rec = (const char *)sqlite3_column_text(stmt, 0);
		const char *dc = (const char *)sqlite3_column_text(stmt, 1);

		if (rec == NULL || dc == NULL || row_in(rows, n, rec, dc))
			continue;
		*changed = true;
		snprintf(reason, sizeof(reason), "%s: spare capacity covers its demand again", dc);
		if (transition(st, now_ms, "capacity-short-ended", rec, "short", "covered",
			       reason) < 0) {
			state_release(st, stmt);
			goto fail;
		}
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "capacity_state");
		goto fail;
	}
	for (size_t i = 0; i < n; i++) {
		int64_t held = -1;

		stmt = state_prepare(st, "SELECT demand, spare FROM capacity_state"
					 " WHERE record = ?1 AND datacenter = ?2");
		if (stmt == NULL)
			goto fail;
		sqlite3_bind_text(stmt, 1, rows[i].record, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, rows[i].datacenter, -1, SQLITE_STATIC);
		if (sqlite3_step(stmt) == SQLITE_ROW)
			held = (sqlite3_column_int64(stmt, 0) == (int64_t)rows[i].demand &&
				sqlite3_column_int64(stmt, 1) == (int64_t)rows[i].spare)
				   ? 1
				   : 0;
		state_release(st, stmt);
		if (held == 1)
			continue;
		*changed = true;
		if (held < 0) {
			snprintf(reason, sizeof(reason), "%s not serving: demand %llu, spare %llu",
				 rows[i].datacenter, (unsigned long long)rows[i].demand,
				 (unsigned long long)rows[i].spare);
			if (transition(st, now_ms, "capacity-short", rows[i].record, "covered",
				       "short", reason) < 0)
				goto fail;
		}
		/* A row seen before keeps its since (the shortfall began then). */
		stmt = state_prepare(
		    st, "INSERT INTO capacity_state (record, datacenter, demand, spare, since)"
			" VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (record, datacenter) DO UPDATE"
			" SET demand = excluded.demand, spare = excluded.spare");
		if (stmt == NULL)
			goto fail;
		sqlite3_bind_text(stmt, 1, rows[i].record, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, rows[i].datacenter, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, (int64_t)rows[i].demand);
		sqlite3_bind_int64(stmt, 4, (int64_t)rows[i].spare);
		sqlite3_bind_int64(stmt, 5, now_ms);
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE) {
			state_fail_sql(st, "capacity_state");
			goto fail;
		}
	}
	if (!*changed) {
		state_tx_rollback(st);
		return 0;
	}
	/* Rows no longer short go (their ended transitions were written above). */
	stmt = state_prepare(st, "SELECT record, datacenter FROM capacity_state");
	if (stmt == NULL)
		goto fail;
	char gone[64][2][STATE_TEXT_MAX];
	size_t ngone = 0;
	while (sqlite3_step(stmt) == SQLITE_ROW && ngone < 64) {
		const char *rec = (const char *)sqlite3_column_text(stmt, 0);
		const char *dc = (const char *)sqlite3_column_text(stmt, 1);

		if (rec != NULL && dc != NULL && !row_in(rows, n, rec, dc)) {
			snprintf(gone[ngone][0], STATE_TEXT_MAX, "%s", rec);
			snprintf(gone[ngone][1], STATE_TEXT_MAX, "%s", dc);
			ngone++;
		}
	}
	state_release(st, stmt);
	for (size_t i = 0; i < ngone; i++) {
		stmt = state_prepare(st, "DELETE FROM capacity_state WHERE record = ?1"
					 " AND datacenter = ?2");
		if (stmt == NULL)
			goto fail;
		sqlite3_bind_text(stmt, 1, gone[i][0], -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, gone[i][1], -1, SQLITE_STATIC);
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE) {
			state_fail_sql(st, "capacity_state");
			goto fail;
		}
	}
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}
