/* SPDX-License-Identifier: MIT */
/* state_digest.c -- anti-entropy digests: per replicated table and row origin, kept in the write */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/json_escape.h"
#include "state/state_internal.h"

/* The digest of (table, origin) is the row count and the XOR of h(row JSON) over
 * the table's rows whose origin column is origin: order-independent, so two stores with
 * the same rows have the same digest however the rows arrived. Every library write path
 * (local writes, applied entries, snapshot rows, renumbered events) calls
 * state_digest_row in its transaction: it subtracts the row's previous hash (row_hashes)
 * and adds the new one, O(1) per write. state_digest_verify recomputes everything from
 * the tables: a difference means rows were changed behind the library's back. */

/* FNV-1a state fed with bytes, for json_utf8_repair. */
static int hash_sink(void *ctx, const char *p, size_t n)
{
	uint64_t *h = ctx;

	for (size_t i = 0; i < n; i++)
		*h = (*h ^ (unsigned char)p[i]) * 0x100000001b3u;
	return 0;
}

/* FNV-1a over the text as it travels (each byte that is not UTF-8 as U+FFFD, as a peer
 * stores it: a row stored raw here and repaired there is the same row), then a 64-bit
 * finalizer so near-identical rows spread. */
static uint64_t row_hash(const char *text)
{
	uint64_t h = 0xcbf29ce484222325u;
	size_t len = strlen(text);

	if (json_utf8_valid(text, len))
		hash_sink(&h, text, len);
	else if (json_utf8_repair(text, len, JSON_UTF8_FFFD, hash_sink, &h) != 0)
		h ^= 1; /* the sink never fails: unreachable */
	h ^= h >> 33;
	h *= 0xff51afd7ed558ccdu;
	h ^= h >> 33;
	h *= 0xc4ceb9fe1a85ec53u;
	h ^= h >> 33;
	return h;
}

/* Adds rows to the count of (table, origin) and folds hash into its digest by XOR (its own
 * inverse, so removing a row is the same fold). In SQL, a XOR b = (a | b) - (a & b), which
 * never overflows: one statement per change. */
static int digest_add(state_t *st, const char *table, const char *origin, int64_t rows,
		      uint64_t hash)
{
	sqlite3_stmt *stmt = state_prepare(
	    st, "INSERT INTO digests (tbl, origin, rows, sum) VALUES (?1, ?2, ?3, ?4)"
		" ON CONFLICT (tbl, origin) DO UPDATE SET rows = rows + excluded.rows,"
		" sum = (sum | excluded.sum) - (sum & excluded.sum)");
	int rc;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, origin, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, rows);
	sqlite3_bind_int64(stmt, 4, (int64_t)hash);
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "digest");
}

int state_row_key(state_t *st, const state_table_t *t, const char *row_json, char *key,
		  size_t keylen)
{
	char sql[512];
	sqlite3_stmt *stmt;
	int n = snprintf(sql, sizeof(sql), "SELECT %s", t->json_key);

	key[0] = '\0';
	if (n < 0 || (size_t)n >= sizeof(sql))
		return state_fail(st, "the key expression of %s does not fit", t->name);
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, row_json, -1, SQLITE_STATIC);
	if (sqlite3_step(stmt) == SQLITE_ROW)
		state_copy(key, keylen, (const char *)sqlite3_column_text(stmt, 0));
	state_release(st, stmt);
	return 0;
}

int state_digest_row(state_t *st, const state_table_t *t, const char *key)
{
	char sql[1024], old_origin[STATE_NAME_MAX] = "", new_origin[STATE_NAME_MAX] = "";
	uint64_t old_hash = 0, new_hash = 0;
	bool had = false, has = false;
	sqlite3_stmt *stmt;
	int rc;

	if (!t)
		return state_fail(st, "digest: unknown table");
	stmt = state_prepare(st, "SELECT origin, hash FROM row_hashes WHERE tbl = ?1 AND key = ?2");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		had = true;
		state_copy(old_origin, sizeof(old_origin), (const char *)sqlite3_column_text(stmt, 0));
		old_hash = (uint64_t)sqlite3_column_int64(stmt, 1);
	}
	state_release(st, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_fail_sql(st, "digest");
	snprintf(sql, sizeof(sql), "SELECT origin, %s FROM %s WHERE %s", t->row_json, t->name,
		 t->by_key);
	stmt = state_prepare(st, sql);
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, key, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		has = true;
		state_copy(new_origin, sizeof(new_origin), (const char *)sqlite3_column_text(stmt, 0));
		new_hash = row_hash((const char *)sqlite3_column_text(stmt, 1));
	}
	state_release(st, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return state_fail_sql(st, "digest");
	if (had == has && old_hash == new_hash && strcmp(old_origin, new_origin) == 0)
		return 0;
	if (had && digest_add(st, t->name, old_origin, -1, old_hash) < 0)
		return -1;
	if (has && digest_add(st, t->name, new_origin, 1, new_hash) < 0)
		return -1;
	stmt = state_prepare(st, has ? "INSERT INTO row_hashes (tbl, key, origin, hash)"
				       " VALUES (?1, ?2, ?3, ?4) ON CONFLICT (tbl, key) DO UPDATE"
				       " SET origin = excluded.origin, hash = excluded.hash"
				     : "DELETE FROM row_hashes WHERE tbl = ?1 AND key = ?2");
	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, t->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, key, -1, SQLITE_STATIC);
	if (has) {
		sqlite3_bind_text(stmt, 3, new_origin, -1, SQLITE_STATIC);
		sqlite3_bind_int64(stmt, 4, (int64_t)new_hash);
	}
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	return rc == SQLITE_DONE ? 0 : state_fail_sql(st, "digest");
}

int state_digests_list(state_t *st, state_digest_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT tbl, origin, rows, sum FROM digests"
					       " WHERE rows != 0 OR sum != 0 ORDER BY tbl, origin");
	state_digest_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_digest_t *grown = realloc(list, (n + 1) * sizeof(*list));

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "digests: out of memory");
		}
		list = grown;
		memset(&list[n], 0, sizeof(list[n]));
		state_copy(list[n].table, sizeof(list[n].table),
			   (const char *)sqlite3_column_text(stmt, 0));
		state_copy(list[n].origin, sizeof(list[n].origin),
			   (const char *)sqlite3_column_text(stmt, 1));
		list[n].rows = sqlite3_column_int64(stmt, 2);
		list[n].sum = (uint64_t)sqlite3_column_int64(stmt, 3);
		n++;
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "digests");
	}
	*out = list;
	*count = n;
	return 0;
}

/* The json_key expression of t over a column named r instead of the parameter ?1. */
static void key_over_column(const state_table_t *t, char *out, size_t len)
{
	size_t o = 0;

	for (const char *p = t->json_key; *p && o + 2 < len; p++) {
		if (p[0] == '?' && p[1] == '1') {
			out[o++] = 'r';
			p++;
		} else {
			out[o++] = *p;
		}
	}
	out[o] = '\0';
}

int state_digest_verify(state_t *st, state_digest_t **bad, size_t *bad_count)
{
	state_digest_t *stored = NULL, *fresh = NULL, *diff = NULL;
	size_t stored_n = 0, fresh_n = 0, diff_n = 0;
	char sql[2048], key[1024];
	int rc = -1;

	*bad = NULL;
	*bad_count = 0;
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_digests_list(st, &stored, &stored_n) < 0)
		goto out;
	if (state_exec(st, "DELETE FROM digests; DELETE FROM row_hashes") < 0)
		goto out;
	for (size_t i = 0; i < state_table_count; i++) {
		const state_table_t *t = &state_tables[i];
		sqlite3_stmt *stmt;
		int step;

		key_over_column(t, key, sizeof(key));
		snprintf(sql, sizeof(sql),
			 "SELECT origin, r, %s FROM (SELECT origin, %s AS r FROM %s)", key,
			 t->row_json, t->name);
		stmt = state_prepare(st, sql);
		if (!stmt)
			goto out;
		while ((step = sqlite3_step(stmt)) == SQLITE_ROW) {
			const char *origin = (const char *)sqlite3_column_text(stmt, 0);
			uint64_t h = row_hash((const char *)sqlite3_column_text(stmt, 1));
			sqlite3_stmt *ins;

			if (digest_add(st, t->name, origin, 1, h) < 0) {
				state_release(st, stmt);
				goto out;
			}
			ins = state_prepare(st, "INSERT OR REPLACE INTO row_hashes (tbl, key, origin,"
						" hash) VALUES (?1, ?2, ?3, ?4)");
			if (!ins) {
				state_release(st, stmt);
				goto out;
			}
			sqlite3_bind_text(ins, 1, t->name, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 2, (const char *)sqlite3_column_text(stmt, 2), -1,
					  SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 3, origin, -1, SQLITE_TRANSIENT);
			sqlite3_bind_int64(ins, 4, (int64_t)h);
			step = sqlite3_step(ins);
			state_release(st, ins);
			if (step != SQLITE_DONE) {
				state_release(st, stmt);
				state_fail_sql(st, "digest");
				goto out;
			}
		}
		state_release(st, stmt);
		if (step != SQLITE_DONE) {
			state_fail_sql(st, "digest");
			goto out;
		}
	}
	if (state_digests_list(st, &fresh, &fresh_n) < 0)
		goto out;
	/* Never built (a store from before digests): this was the first build. */
	if (stored_n == 0)
		fresh_n = 0;
	/* Both lists are sorted by (table, origin): a merge finds every difference. */
	for (size_t i = 0, j = 0; i < stored_n || j < fresh_n;) {
		int c = i == stored_n ? 1 : j == fresh_n ? -1 : strcmp(stored[i].table, fresh[j].table);
		const state_digest_t *d;

		if (c == 0)
			c = strcmp(stored[i].origin, fresh[j].origin);
		if (c == 0 && stored[i].rows == fresh[j].rows && stored[i].sum == fresh[j].sum) {
			i++, j++;
			continue;
		}
		d = c < 0 ? &stored[i] : &fresh[j];
		state_digest_t *grown = realloc(diff, (diff_n + 1) * sizeof(*diff));
		if (!grown) {
			state_fail(st, "digest: out of memory");
			goto out;
		}
		diff = grown;
		diff[diff_n++] = *d;
		if (c <= 0)
			i++;
		if (c >= 0)
			j++;
	}
	/* A difference keeps the stored digests: they follow every write the library made,
	 * so they say what the rows should be; peers compare against them, and a re-sync
	 * rebuilds the ones that differ from the rows it brings. */
	if (diff_n > 0)
		state_tx_rollback(st);
	else if (state_tx_commit(st) < 0)
		goto done;
	*bad = diff;
	*bad_count = diff_n;
	diff = NULL;
	rc = 0;
	goto done;
out:
	state_tx_rollback(st);
done:
	free(stored);
	free(fresh);
	free(diff);
	return rc;
}

int state_read_begin(state_t *st)
{
	return state_tx_read(st);
}

void state_read_end(state_t *st)
{
	state_tx_rollback(st);
}

int state_divergence_note(state_t *st, const char *peer, const char *table, const char *origin,
			  const char *local_digest, const char *peer_digest)
{
	sqlite3_stmt *stmt;
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(
	    st, "INSERT INTO divergences (peer, tbl, origin, local_digest, peer_digest, detected,"
		" count) VALUES (?1, ?2, ?3, ?4, ?5, ?6, 1) ON CONFLICT (peer, tbl, origin) DO"
		" UPDATE SET local_digest = excluded.local_digest,"
		" peer_digest = excluded.peer_digest, detected = excluded.detected,"
		" count = count + 1");
	if (!stmt) {
		state_tx_rollback(st);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 3, origin, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 4, local_digest, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 5, peer_digest, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 6, state_now_ms(st));
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "divergence");
		state_tx_rollback(st);
		return -1;
	}
	return state_tx_commit(st);
}

int state_divergence_resolved(state_t *st, const char *peer)
{
	sqlite3_stmt *stmt;
	int rc;

	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(st, "UPDATE divergences SET repaired = max(?2, detected)"
				 " WHERE peer = ?1 AND repaired < detected");
	if (!stmt) {
		state_tx_rollback(st);
		return -1;
	}
	sqlite3_bind_text(stmt, 1, peer, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 2, state_now_ms(st));
	rc = sqlite3_step(stmt);
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		state_fail_sql(st, "divergence");
		state_tx_rollback(st);
		return -1;
	}
	return state_tx_commit(st);
}
