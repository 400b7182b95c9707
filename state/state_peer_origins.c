/* SPDX-License-Identifier: MIT */
/* state_peer_origins.c -- replication progress per (peer, origin): write and list */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* Region names become table keys and status columns: same rule as every region id. */
static int check_region(state_t *st, const char *what, const char *id)
{
	if (id[0] == '\0' || strlen(id) >= STATE_NAME_MAX || strchr(id, '/'))
		return state_fail(st, "invalid %s '%s'", what, id);
	return 0;
}

/* Values SQLite stores as signed 64-bit: larger would read back negative. */
static int check_row(state_t *st, const char *peer, const state_peer_origin_t *r)
{
	if (strcmp(r->peer, peer) != 0)
		return state_fail(st, "peer origins: row of peer '%s' given for peer '%s'", r->peer,
				  peer);
	if (check_region(st, "origin", r->origin) < 0)
		return -1;
	if (r->peer_seq > INT64_MAX || r->local_seq > INT64_MAX || r->behind > INT64_MAX ||
	    r->newest_hlc > INT64_MAX)
		return state_fail(st, "peer origins: %s/%s: value out of range", peer, r->origin);
	return 0;
}

int state_peer_origins_update(state_t *st, const char *peer, const state_peer_origin_t *rows,
			      size_t count)
{
	sqlite3_stmt *stmt;

	if (check_region(st, "peer region", peer) < 0)
		return -1;
	if (count > 0 && rows == NULL)
		return state_fail(st, "peer origins: no rows given");
	for (size_t i = 0; i < count; i++)
		if (check_row(st, peer, &rows[i]) < 0)
			return -1;
	if (state_tx_begin(st) < 0)
		return -1;
	/* The set is replaced, not merged: an origin the peer no longer reports disappears. */
	stmt = state_prepare(st, "DELETE FROM peer_origins WHERE peer = ?1");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_fail_sql(st, "peer origins");
		state_release(st, stmt);
		goto fail;
	}
	state_release(st, stmt);
	for (size_t i = 0; i < count; i++) {
		const state_peer_origin_t *r = &rows[i];
		int rc;

		stmt = state_prepare(st, "INSERT INTO peer_origins (peer, origin, peer_seq,"
					 " local_seq, behind, newest_hlc, lag, updated)"
					 " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
		if (!stmt)
			goto fail;
		sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, r->origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 3, (sqlite3_int64)r->peer_seq);
		sqlite3_bind_int64(stmt, 4, (sqlite3_int64)r->local_seq);
		sqlite3_bind_int64(stmt, 5, (sqlite3_int64)r->behind);
		sqlite3_bind_int64(stmt, 6, (sqlite3_int64)r->newest_hlc);
		sqlite3_bind_int64(stmt, 7, r->lag_ms);
		sqlite3_bind_int64(stmt, 8, r->updated_ms);
		rc = sqlite3_step(stmt);
		if (rc != SQLITE_DONE)
			state_fail_sql(st, "peer origins");
		state_release(st, stmt);
		if (rc != SQLITE_DONE)
			goto fail;
	}
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

int state_peer_origins_list(state_t *st, state_peer_origin_t **out, size_t *count)
{
	sqlite3_stmt *stmt =
	    state_prepare(st, "SELECT peer, origin, peer_seq, local_seq, behind, newest_hlc, lag,"
			      " updated FROM peer_origins ORDER BY peer, origin");
	state_peer_origin_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_peer_origin_t *grown = realloc(list, (n + 1) * sizeof(*list)), *r;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "peer origins: out of memory");
		}
		list = grown;
		r = &list[n++];
		memset(r, 0, sizeof(*r));
		state_copy(r->peer, sizeof(r->peer), (const char *)sqlite3_column_text(stmt, 0));
		state_copy(r->origin, sizeof(r->origin),
			   (const char *)sqlite3_column_text(stmt, 1));
		r->peer_seq = (uint64_t)sqlite3_column_int64(stmt, 2);
		r->local_seq = (uint64_t)sqlite3_column_int64(stmt, 3);
		r->behind = (uint64_t)sqlite3_column_int64(stmt, 4);
		r->newest_hlc = (uint64_t)sqlite3_column_int64(stmt, 5);
		r->lag_ms = sqlite3_column_int64(stmt, 6);
		r->updated_ms = sqlite3_column_int64(stmt, 7);
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "peer origins");
	}
	*out = list;
	*count = n;
	return 0;
}
