/* SPDX-License-Identifier: MIT */
/* state_json_check.c -- what the state library checks of JSON from outside before it applies it */
#include "config.h"

#include "state/state_internal.h"

#include <stdbool.h>
#include <stdio.h>
#include <string.h>

int state_json_strict_check(const char *json, json_doc_type_t type, char *why, size_t whylen)
{
	json_doc_t doc;
	char err[160];
	bool same;

	if (json_doc_parse(json, strlen(json), &doc, err, sizeof(err)) != 0) {
		snprintf(why, whylen, "malformed JSON: %s", err);
		return -1;
	}
	same = doc.nodes[0].type == type;
	json_doc_free(&doc);
	if (!same) {
		snprintf(why, whylen, "not a JSON %s", type == JSON_DOC_ARRAY ? "array" : "object");
		return -1;
	}
	return 0;
}

int state_json_members_check(state_t *st, const char *json, const char *path,
			     const char *const *allowed, size_t allowed_count, char *why,
			     size_t whylen)
{
	/* What SQLite itself reads: json_each names each member (decoding escapes), and a
	 * path lookup by that name must find it, once. An escaped name the lookup cannot see,
	 * or a name given twice (lookups take the first), would let a checker and the applier
	 * read different values. */
	sqlite3_stmt *stmt = state_prepare(
	    st, "SELECT key, json_type(?1, ?2 || '.\"' || replace(key, '\"', '') || '\"') IS NULL"
		" FROM json_each(?1, ?2)");
	bool seen[64] = {false};
	int rc, bad = 0;

	if (!stmt)
		return -1;
	sqlite3_bind_text(stmt, 1, json, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, path, -1, SQLITE_STATIC);
	while (!bad && (rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		const char *key = (const char *)sqlite3_column_text(stmt, 0);
		size_t i;

		if (!key || sqlite3_column_int(stmt, 1)) {
			snprintf(why, whylen, "member '%.60s' is escaped or given twice",
				 key ? key : "");
			bad = 1;
			break;
		}
		for (i = 0; i < allowed_count && strcmp(allowed[i], key) != 0; i++)
			;
		if (i == allowed_count) {
			snprintf(why, whylen, "unknown member '%.60s'", key);
			bad = 1;
		} else if (i < M_ARRAY_LEN(seen) && seen[i]) {
			snprintf(why, whylen, "member '%.60s' is escaped or given twice", key);
			bad = 1;
		} else if (i < M_ARRAY_LEN(seen)) {
			seen[i] = true;
		}
	}
	if (!bad && rc != SQLITE_DONE) {
		snprintf(why, whylen, "%s", sqlite3_errmsg(st->db));
		bad = 1;
	}
	state_release(st, stmt);
	return bad ? -1 : 0;
}
