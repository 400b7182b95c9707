/* SPDX-License-Identifier: MIT */
/* state_identity.c -- store incarnations: no two different entries ever share (origin, seq) */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "state/state_internal.h"

/* A store that is new (lost disk) or restored from a backup starts numbering its writes
 * where its own log ends, which may be below what its peers already hold of its origin.
 * The replicator learns from every peer what it holds of our origin (the heads of its
 * batches) before it serves any entry of ours; if a peer holds more than we do, our
 * entries above own_confirmed (the ones no peer has confirmed holding with our numbering)
 * move to a new incarnation: seqs from the next multiple of 65536 above anything held,
 * plus one. Peers accept that one jump (state_seq_is_incarnation_start) and never
 * otherwise a gap. Events take their ids from the same move, so ids do not collide either.
 * What the peers held of the old numbering above our log (entries we lost) is not
 * re-applied here; the anti-entropy digest finds the rows that differ and a re-sync
 * brings them. */

bool state_seq_is_incarnation_start(uint64_t seq)
{
	return seq > 1 && ((seq - 1) & 0xffff) == 0;
}

static int one_int(state_t *st, const char *sql, const char *arg, int64_t *out)
{
	sqlite3_stmt *stmt = state_prepare(st, sql);
	int rc;

	if (!stmt)
		return -1;
	if (arg)
		sqlite3_bind_text(stmt, 1, arg, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW && sqlite3_column_type(stmt, 0) != SQLITE_NULL)
		*out = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? 0 : state_fail_sql(st, "identity");
}

int state_identity_get(state_t *st, state_identity_t *id)
{
	sqlite3_stmt *stmt;
	int64_t seq = 0;
	int rc;

	memset(id, 0, sizeof(*id));
	stmt = state_prepare(st, "SELECT incarnation, own_confirmed FROM node WHERE id = 1");
	if (!stmt)
		return -1;
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW) {
		state_copy(id->incarnation, sizeof(id->incarnation),
			   (const char *)sqlite3_column_text(stmt, 0));
		id->confirmed = (uint64_t)sqlite3_column_int64(stmt, 1);
	}
	state_release(st, stmt);
	if (rc != SQLITE_ROW)
		return state_fail_sql(st, "identity");
	if (one_int(st, "SELECT seq FROM cursors WHERE origin = ?1", st->region, &seq) < 0)
		return -1;
	id->seq = (uint64_t)seq;
	return 0;
}

int state_identity_confirm(state_t *st, uint64_t seq)
{
	sqlite3_stmt *stmt;
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(st, "UPDATE node SET own_confirmed = max(own_confirmed, min(?1,"
				 " COALESCE((SELECT seq FROM cursors WHERE origin = node.region), 0)))"
				 " WHERE id = 1");
	if (!stmt) {
		state_tx_rollback(st);
		return -1;
	}
	sqlite3_bind_int64(stmt, 1, (int64_t)(seq > STATE_SEQ_MAX ? STATE_SEQ_MAX : seq));
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "identity");
		state_tx_rollback(st);
		return -1;
	}
	return state_tx_commit(st);
}

/* Moves one entry (and, for an event, its id) from seq old to seq new. */
static int move_entry(state_t *st, int64_t old, int64_t new_seq, const char *table)
{
	int64_t old_id = 0;
	char key[STATE_NAME_MAX + 24];

	static const char *const entry_sql =
	    "UPDATE changelog SET seq = ?2 WHERE origin = ?1 AND seq = ?3";
	static const char *const event_sql[] = {
	    "UPDATE events SET id = ?2 WHERE origin = ?1 AND id = (SELECT json_extract(row, '$.id')"
	    " FROM changelog WHERE origin = ?1 AND seq = ?2)",
	    "UPDATE changelog SET row = json_set(row, '$.id', ?2), key = ?1 || '/' || ?2"
	    " WHERE origin = ?1 AND seq = ?2",
	};
	sqlite3_stmt *stmt = state_prepare(st, entry_sql);
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, new_seq);
	sqlite3_bind_int64(stmt, 3, old);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE)
		return state_fail_sql(st, "identity: move");
	if (strcmp(table, "events") != 0)
		return 0;
	if (one_int(st, "SELECT json_extract(row, '$.id') FROM changelog WHERE origin = ?1"
			" AND seq = (SELECT max(seq) FROM changelog WHERE origin = ?1)",
		    st->region, &old_id) < 0)
		return -1;
	/* The new id is the new seq: above every id of the old numbering (an id is never
	 * above its entry's seq), so it collides with none. */
	for (size_t i = 0; i < M_ARRAY_LEN(event_sql); i++) {
		stmt = state_prepare(st, event_sql[i]);
		if (!stmt)
			return -1;
		sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, new_seq);
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE)
			return state_fail_sql(st, "identity: move event");
	}
	snprintf(key, sizeof(key), "%s/%lld", st->region, (long long)old_id);
	if (state_digest_row(st, state_table_find("events"), key) < 0)
		return -1;
	snprintf(key, sizeof(key), "%s/%lld", st->region, (long long)new_seq);
	return state_digest_row(st, state_table_find("events"), key);
}

int state_identity_renumber(state_t *st, uint64_t peer_seq, uint64_t *base, uint64_t *moved)
{
	int64_t cur = 0, confirmed = 0, n = 0;
	sqlite3_stmt *stmt;
	int64_t *olds = NULL;
	char (*tables)[32] = NULL;
	int rc;

	*base = 0;
	*moved = 0;
	if (state_tx_begin(st) < 0)
		return -1;
	if (one_int(st, "SELECT seq FROM cursors WHERE origin = ?1", st->region, &cur) < 0 ||
	    one_int(st, "SELECT own_confirmed FROM node WHERE id = 1", NULL, &confirmed) < 0)
		goto fail;
	if (peer_seq <= (uint64_t)cur || peer_seq > STATE_SEQ_MAX - (1u << 17)) {
		state_tx_rollback(st);
		return 0;
	}
	*base = (((peer_seq > (uint64_t)cur ? peer_seq : (uint64_t)cur) >> 16) + 1) << 16;
	stmt = state_prepare(st, "SELECT seq, tbl FROM changelog WHERE origin = ?1 AND seq > ?2"
				 " ORDER BY seq");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, confirmed);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int64_t *o = realloc(olds, (size_t)(n + 1) * sizeof(*olds));
		char (*t)[32] = realloc(tables, (size_t)(n + 1) * sizeof(*tables));

		if (o)
			olds = o;
		if (t)
			tables = t;
		if (!o || !t) {
			state_release(st, stmt);
			state_fail(st, "identity: out of memory");
			goto fail;
		}
		olds[n] = sqlite3_column_int64(stmt, 0);
		state_copy(tables[n], sizeof(tables[n]), (const char *)sqlite3_column_text(stmt, 1));
		n++;
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "identity");
		goto fail;
	}
	for (int64_t i = 0; i < n; i++)
		if (move_entry(st, olds[i], (int64_t)*base + 1 + i, tables[i]) < 0)
			goto fail;
	stmt = state_prepare(st, "UPDATE cursors SET seq = ?2 WHERE origin = ?1");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, (int64_t)*base + n);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE || state_exec(st, "UPDATE node SET incarnation ="
						" lower(hex(randomblob(8))) WHERE id = 1") < 0) {
		state_fail_sql(st, "identity");
		goto fail;
	}
	/* A new store that never wrote still starts its numbering at the new base. */
	if (n == 0 && state_exec(st, "INSERT INTO cursors (origin, seq) SELECT region, 0 FROM node"
				     " WHERE true ON CONFLICT (origin) DO NOTHING") < 0)
		goto fail;
	if (n == 0) {
		stmt = state_prepare(st, "UPDATE cursors SET seq = ?2 WHERE origin = ?1");
		if (!stmt)
			goto fail;
		sqlite3_bind_text(stmt, 1, st->region, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, (int64_t)*base);
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE) {
			state_fail_sql(st, "identity");
			goto fail;
		}
	}
	free(olds);
	free(tables);
	*moved = (uint64_t)n;
	if (state_tx_commit(st) < 0)
		return -1;
	return 1;
fail:
	free(olds);
	free(tables);
	state_tx_rollback(st);
	return -1;
}
