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
 *    "deployments": [row...], "loads": [row...], "weights": [row...],
 *    "address_observations": [row...]}
 * Rows are exactly the change-log row JSON. The export runs in one read transaction, so
 * rows and cursors agree: every entry up to a cursor is reflected in the rows. */
#define SNAPSHOT_FORMAT "meridian-snapshot/1"

int state_snapshot_export(state_t *st, char **json)
{
	char sql[8192];
	size_t off;
	sqlite3_stmt *stmt;
	int rc;

	*json = NULL;
	off = (size_t)snprintf(
	    sql, sizeof(sql),
	    "SELECT json_object('format', '" SNAPSHOT_FORMAT "',"
	    " 'region', (SELECT region FROM node), 'hlc', (SELECT hlc FROM node), 'exported', ?1,"
	    " 'cursors', json((SELECT json_group_array(json_object('origin', origin, 'seq', seq))"
	    "  FROM cursors))");
	/* every replicated table, each an array of its rows */
	for (size_t i = 0; i < state_table_count && off < sizeof(sql); i++)
		off += (size_t)snprintf(sql + off, sizeof(sql) - off,
					", '%s', json((SELECT json_group_array(json(%s)) FROM %s))",
					state_tables[i].name, state_tables[i].row_json,
					state_tables[i].name);
	if (off + 2 >= sizeof(sql))
		return state_fail(st, "snapshot: query too long");
	memcpy(sql + off, ")", 2);
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

bool state_name_valid(const char *name)
{
	size_t n = 0;

	for (; name[n] != '\0'; n++) {
		char c = name[n];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-' || c == '.'))
			return false;
	}
	return n > 0 && n < STATE_NAME_MAX;
}

/* In a targeted re-sync, our row of the same key, hlc and origin as the snapshot's row of
 * a (table, origin) in replace goes first: the peer's copy then wins a tie that
 * last-writer-wins would keep ours for (rows edited by hand keep their hlc). In an
 * insert-only table (events) a key names one row for ever and no merge ever settles two
 * different rows of one key (two entries numbered alike by a restored copy): there our
 * row of that key goes whatever its hlc when it differs, so the copy of the rows'
 * authority (their origin, or the region whose name sorts first) is the one both keep.
 * Other rows ours alone, or newer here, stay: last-writer-wins settles them. *dropped
 * counts the rows that went with content of their own. */
static int tie_drop(state_t *st, const state_table_t *t, const char *row,
		    const state_digest_t *replace, size_t count, size_t *dropped)
{
	char sql[4096], key[STATE_TEXT_MAX];
	sqlite3_stmt *stmt;
	bool wanted = false;
	int rc, n;

	for (size_t i = 0; i < count && !wanted; i++) {
		if (strcmp(replace[i].table, t->name) != 0)
			continue;
		stmt = state_prepare(st, "SELECT json_extract(?1, '$.origin') = ?2");
		if (!stmt)
			return -1;
		sqlite3_bind_text(stmt, 1, row, -1, SQLITE_STATIC);
		sqlite3_bind_text(stmt, 2, replace[i].origin, -1, SQLITE_STATIC);
		wanted = sqlite3_step(stmt) == SQLITE_ROW && sqlite3_column_int(stmt, 0) == 1;
		state_release(st, stmt);
	}
	if (!wanted)
		return 0;
	/* An insert-only table's rows never change, so any other row of the key gives way;
	 * elsewhere only the row of the same hlc (the tie) does. */
	n = snprintf(sql, sizeof(sql),
		     "DELETE FROM %s WHERE %sorigin = json_extract(?2, '$.origin') AND %s"
		     " AND %s IS NOT json(?2)",
		     t->name, t->insert_only ? "" : "hlc = json_extract(?2, '$.hlc') AND ",
		     t->by_key, t->row_json);
	if (n < 0 || (size_t)n >= sizeof(sql))
		return state_fail(st, "re-sync: the statement for %s does not fit", t->name);
	if (state_row_key(st, t, row, key, sizeof(key)) < 0)
		return -1;
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(stmt, 2, row, -1, SQLITE_STATIC);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE)
		return state_fail_sql(st, "re-sync");
	*dropped += (size_t)sqlite3_changes(st->db);
	return state_digest_row(st, t, key);
}

/* -1 malformed, -2 an hlc too far ahead; st->err says which row. */
static int import_rows(state_t *st, const char *json, const state_table_t *t, int64_t max_ms,
		       const state_digest_t *replace, size_t count, size_t *dropped)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT value FROM json_each(?1, '$.' || ?2)");
	char why[256];
	int rc, n = 0;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, t->name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		int bad;

		n++;
		if (count > 0 &&
		    tie_drop(st, t, (const char *)sqlite3_column_text(stmt, 0), replace, count,
			     dropped) < 0) {
			state_release(st, stmt);
			return -1;
		}
		bad = state_row_apply(st, t, (const char *)sqlite3_column_text(stmt, 0), max_ms,
				      why, sizeof(why));
		if (bad < 0) {
			state_release(st, stmt);
			state_fail(st, "snapshot: %s row %d: %s", t->name, n, why);
			return bad;
		}
	}
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "snapshot");
}

/* The document's own members: the header, the cursors and one array per table. */
static int check_document(state_t *st, const char *json, const char *region, int64_t max_ms,
			  int64_t *hlc)
{
	static const char *const head[] = {"format", "region", "hlc", "exported", "cursors"};
	const char *names[M_ARRAY_LEN(head) + 16];
	size_t n = 0;
	char why[200], exporter[STATE_NAME_MAX] = "";
	sqlite3_stmt *stmt;
	int ok = 0;

	/* The whole document, before any of SQLite's JSON functions reads it (state_internal.h) */
	if (state_json_strict_check(json, JSON_DOC_OBJECT, why, sizeof(why)) != 0)
		return state_fail(st, "snapshot: %s", why);
	stmt = state_prepare(
	    st, "SELECT json_valid(?1) AND json_type(?1) = 'object'"
		" AND json_extract(?1, '$.format') = '" SNAPSHOT_FORMAT "'"
		" AND json_type(?1, '$.hlc') = 'integer' AND json_extract(?1, '$.hlc') >= 0"
		" AND json_type(?1, '$.cursors') = 'array',"
		" json_extract(?1, '$.hlc'), json_extract(?1, '$.region')");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW) {
		ok = sqlite3_column_int(stmt, 0);
		*hlc = sqlite3_column_int64(stmt, 1);
		state_copy(exporter, sizeof(exporter), (const char *)sqlite3_column_text(stmt, 2));
	}
	state_release(st, stmt);
	if (!ok)
		return state_fail(st, "snapshot: not a " SNAPSHOT_FORMAT " document");
	for (size_t i = 0; i < M_ARRAY_LEN(head); i++)
		names[n++] = head[i];
	for (size_t i = 0; i < state_table_count && n < M_ARRAY_LEN(names); i++)
		names[n++] = state_tables[i].name;
	if (state_json_members_check(st, json, "$", names, n, why, sizeof(why)) < 0)
		return state_fail(st, "snapshot: %s", why);
	if (region && strcmp(exporter, region) != 0)
		return state_fail(st, "snapshot: region: not %s", region);
	if (max_ms > 0 && (*hlc >> 16) > max_ms) {
		state_fail(st, "snapshot: hlc %lld is %lld ms past the allowed clock skew",
			   (long long)*hlc, (long long)((*hlc >> 16) - max_ms));
		return -2;
	}
	stmt = state_prepare(st, "SELECT json_type(?1, '$.' || ?2)");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	for (size_t i = 0; i < state_table_count; i++) {
		const char *type;

		sqlite3_reset(stmt);
		sqlite3_bind_text(stmt, 2, state_tables[i].name, -1, SQLITE_STATIC);
		type = sqlite3_step(stmt) == SQLITE_ROW ? (const char *)sqlite3_column_text(stmt, 0)
							: NULL;
		/* deployments (schema 4), loads (10), weights (11), address_observations (13):
		 * a region that predates the table exports none */
		if (!type && state_tables[i].snapshot_optional)
			continue;
		if (!type || strcmp(type, "array") != 0) {
			state_release(st, stmt);
			return state_fail(st, "snapshot: %s: missing or not an array",
					  state_tables[i].name);
		}
	}
	state_release(st, stmt);
	return 0;
}

/* Raises origin's cursor to seq when that is ahead; the log of origin is then cut at seq,
 * since the entries between the old cursor and seq were never received here. */
static int cursor_raise(state_t *st, const char *origin, int64_t seq)
{
	static const char *const sql[] = {
	    "DELETE FROM changelog WHERE origin = ?1 AND seq <= ?2"
	    " AND ?2 > COALESCE((SELECT seq FROM cursors WHERE origin = ?1), 0)",
	    "INSERT INTO cursors (origin, seq) VALUES (?1, ?2)"
	    " ON CONFLICT (origin) DO UPDATE SET seq = max(seq, excluded.seq)",
	};

	for (size_t i = 0; i < M_ARRAY_LEN(sql); i++) {
		sqlite3_stmt *stmt = state_prepare(st, sql[i]);
		int rc;

		if (!stmt)
			return -1;
		sqlite3_bind_text(stmt, 1, origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 2, seq);
		rc = sqlite3_step(stmt);
		state_release(st, stmt);
		if (rc != SQLITE_DONE)
			return state_fail_sql(st, "snapshot: cursors");
	}
	return 0;
}

static int import_cursors(state_t *st, const char *json)
{
	static const char *const members[] = {"origin", "seq"};
	sqlite3_stmt *stmt = state_prepare(
	    st, "SELECT value, json_type(value), json_type(value, '$.origin'),"
		" json_extract(value, '$.origin'), json_type(value, '$.seq'),"
		" json_extract(value, '$.seq') FROM json_each(?1, '$.cursors')");
	char why[200], origin[STATE_NAME_MAX];
	int rc, n = 0;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *type = (const char *)sqlite3_column_text(stmt, 1);
		const char *otype = (const char *)sqlite3_column_text(stmt, 2);
		const char *stype = (const char *)sqlite3_column_text(stmt, 4);
		const char *name = (const char *)sqlite3_column_text(stmt, 3);
		int64_t seq = sqlite3_column_int64(stmt, 5);
		const char *fault = NULL;

		n++;
		if (!type || strcmp(type, "object") != 0)
			fault = "not an object";
		else if (state_json_members_check(st, (const char *)sqlite3_column_text(stmt, 0),
						  "$", members, 2, why, sizeof(why)) < 0)
			fault = why;
		else if (!otype || strcmp(otype, "text") != 0 || !name || !state_name_valid(name))
			fault = "origin: not a region name";
		else if (!stype || strcmp(stype, "integer") != 0 || seq < 0 ||
			 (uint64_t)seq > STATE_SEQ_MAX)
			fault = "seq: not an integer in 0..2^62";
		if (fault) {
			char copy[200];

			snprintf(copy, sizeof(copy), "%s", fault);
			state_release(st, stmt);
			return state_fail(st, "snapshot: cursors[%d]: %s", n - 1, copy);
		}
		state_copy(origin, sizeof(origin), name);
		/* Never our own: a peer's word on how far our log goes could make us reuse or
		 * skip seqs of our own origin. */
		if (strcmp(origin, st->region) == 0)
			continue;
		if (cursor_raise(st, origin, seq) < 0) {
			state_release(st, stmt);
			return -1;
		}
	}
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "snapshot: cursors");
}

int state_snapshot_import_replace(state_t *st, const char *json, const char *region,
				  int64_t max_ms, const state_digest_t *replace, size_t count,
				  size_t *replaced)
{
	int64_t hlc = 0;
	size_t dropped = 0;
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	rc = check_document(st, json, region[0] ? region : NULL, max_ms, &hlc);
	for (size_t i = 0; rc == 0 && i < state_table_count; i++)
		rc = import_rows(st, json, &state_tables[i], max_ms, replace, count, &dropped);
	if (rc == 0)
		rc = import_cursors(st, json);
	if (rc == 0)
		rc = state_hlc_persist_observe(st, (uint64_t)hlc);
	if (rc == 0 && replaced != NULL)
		*replaced = dropped;
	if (rc == 0)
		return state_tx_commit(st);
	state_tx_rollback(st);
	return rc < -1 ? rc : -1;
}

int state_snapshot_import_from(state_t *st, const char *json, const char *region, int64_t max_ms)
{
	return state_snapshot_import_replace(st, json, region, max_ms, NULL, 0, NULL);
}

int state_snapshot_import(state_t *st, const char *json)
{
	return state_snapshot_import_from(st, json, "", 0);
}
