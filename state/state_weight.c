/* SPDX-License-Identifier: MIT */
/* state_weight.c -- run-time weights of configured splits: replicated, audited, expiring */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/timefmt.h"
#include "state/state_internal.h"
#include "state/state_weight.h"

/* Like overrides: last writer wins by (hlc, origin), a clear is a tombstone, and the
 * change-log key is "datacenter/target" (the datacenter first: a target may hold '/'). */

bool state_weight_active(const state_weight_t *w, int64_t now_ms)
{
	return !w->deleted && (w->expires_ms == 0 || w->expires_ms > now_ms);
}

static int key_of(state_t *st, const char *target, const char *datacenter, char *key,
		  size_t keylen)
{
	if (!state_name_valid(datacenter))
		return state_fail(st, "invalid datacenter name '%.60s'", datacenter);
	if (target[0] == '\0' || strlen(target) >= STATE_TEXT_MAX)
		return state_fail(st, "invalid weight target '%.60s'", target);
	snprintf(key, keylen, "%s/%s", datacenter, target);
	return 0;
}

int state_weight_put(state_t *st, const state_weight_t *w, const char *config_detail)
{
	char key[STATE_NAME_MAX + STATE_TEXT_MAX + 2], detail[2 * STATE_TEXT_MAX], when[32];
	int64_t now = state_now_ms(st);
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;

	if (key_of(st, w->target, w->datacenter, key, sizeof(key)) < 0)
		return -1;
	if (w->weight > STATE_WEIGHT_MAX || w->expires_ms < 0)
		return state_fail(st, "invalid weight %u (expires %lld)", w->weight,
				  (long long)w->expires_ms);
	snprintf(detail, sizeof(detail), "%s %u (%s); %s", w->target, w->weight, config_detail,
		 w->expires_ms ? "until " : "no expiry");
	if (w->expires_ms)
		snprintf(detail + strlen(detail), sizeof(detail) - strlen(detail), "%s",
			 timefmt_iso(w->expires_ms, when, sizeof(when)));
	if (state_tx_begin(st) < 0)
		return -1;
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(
	    st, "INSERT INTO weights (target, datacenter, weight, reason, actor, created, expires,"
		" deleted, hlc, origin) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, 0, ?8, ?9)"
		" ON CONFLICT (target, datacenter) DO UPDATE SET weight = excluded.weight,"
		" reason = excluded.reason, actor = excluded.actor, created = excluded.created,"
		" expires = excluded.expires, deleted = 0, hlc = excluded.hlc,"
		" origin = excluded.origin");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, w->target, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, w->datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, w->weight);
	sqlite3_bind_int64(stmt, 6, w->created_ms ? w->created_ms : now);
	sqlite3_bind_int64(stmt, 7, w->expires_ms);
	sqlite3_bind_int64(stmt, 8, (int64_t)hlc);
	sqlite3_bind_text(stmt, 9, st->region, -1, SQLITE_STATIC);
	if (state_bind_free_text(st, stmt, 4, w->reason) < 0 ||
	    state_bind_free_text(st, stmt, 5, w->actor) < 0)
		goto fail;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_release(st, stmt);
		state_fail_sql(st, "weight");
		goto fail;
	}
	state_release(st, stmt);
	if (state_change_record(st, "weights", key, hlc, seq) < 0 ||
	    state_event_append_tx(st, w->actor, "weight", w->datacenter, w->reason, detail) < 0)
		goto fail;
	return state_tx_commit(st);
fail:
	state_tx_rollback(st);
	return -1;
}

int state_weight_clear(state_t *st, const char *target, const char *datacenter,
		       const char *actor, const char *reason)
{
	char key[STATE_NAME_MAX + STATE_TEXT_MAX + 2], detail[STATE_TEXT_MAX + 32];
	int64_t now = state_now_ms(st);
	uint64_t hlc, seq;
	sqlite3_stmt *stmt;
	int64_t was = -1;
	int rc;

	if (key_of(st, target, datacenter, key, sizeof(key)) < 0)
		return -1;
	if (state_tx_begin(st) < 0)
		return -1;
	stmt = state_prepare(st, "SELECT weight FROM weights WHERE target = ?1 AND datacenter = ?2"
				 " AND deleted = 0 AND (expires = 0 OR expires > ?3)");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 3, now);
	rc = sqlite3_step(stmt);
	if (rc == SQLITE_ROW)
		was = sqlite3_column_int64(stmt, 0);
	state_release(st, stmt);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		state_fail_sql(st, "weight");
		goto fail;
	}
	if (was < 0) {
		state_tx_rollback(st);
		return 1;
	}
	if (state_change_next(st, &hlc, &seq) < 0)
		goto fail;
	stmt = state_prepare(st, "UPDATE weights SET deleted = 1, actor = ?3, reason = ?4, hlc = ?5,"
				 " origin = ?6 WHERE target = ?1 AND datacenter = ?2");
	if (!stmt)
		goto fail;
	sqlite3_bind_text(stmt, 1, target, -1, SQLITE_STATIC);
	sqlite3_bind_text(stmt, 2, datacenter, -1, SQLITE_STATIC);
	sqlite3_bind_int64(stmt, 5, (int64_t)hlc);
	sqlite3_bind_text(stmt, 6, st->region, -1, SQLITE_STATIC);
	if (state_bind_free_text(st, stmt, 3, actor) < 0 ||
	    state_bind_free_text(st, stmt, 4, reason) < 0)
		goto fail;
	if (sqlite3_step(stmt) != SQLITE_DONE) {
		state_release(st, stmt);
		state_fail_sql(st, "weight");
		goto fail;
	}
	state_release(st, stmt);
	snprintf(detail, sizeof(detail), "%s was %lld", target, (long long)was);
	if (state_change_record(st, "weights", key, hlc, seq) < 0 ||
	    state_event_append_tx(st, actor, "weight-clear", datacenter, reason, detail) < 0)
		goto fail;
	return state_tx_commit(st) < 0 ? -1 : 0;
fail:
	state_tx_rollback(st);
	return -1;
}

int state_weights_list(state_t *st, state_weight_t **out, size_t *count)
{
	sqlite3_stmt *stmt = state_prepare(st, "SELECT target, datacenter, weight, reason, actor,"
					       " created, expires, deleted, hlc, origin FROM weights"
					       " ORDER BY target, datacenter");
	state_weight_t *list = NULL;
	size_t n = 0;
	int rc;

	*out = NULL;
	*count = 0;
	if (!stmt)
		return -1;
	while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
		state_weight_t *grown = realloc(list, (n + 1) * sizeof(*list)), *w;

		if (!grown) {
			free(list);
			state_release(st, stmt);
			return state_fail(st, "weights: out of memory");
		}
		list = grown;
		w = &list[n++];
		memset(w, 0, sizeof(*w));
		state_copy(w->target, sizeof(w->target), (const char *)sqlite3_column_text(stmt, 0));
		state_copy(w->datacenter, sizeof(w->datacenter),
			   (const char *)sqlite3_column_text(stmt, 1));
		w->weight = (uint32_t)sqlite3_column_int64(stmt, 2);
		state_copy(w->reason, sizeof(w->reason), (const char *)sqlite3_column_text(stmt, 3));
		state_copy(w->actor, sizeof(w->actor), (const char *)sqlite3_column_text(stmt, 4));
		w->created_ms = sqlite3_column_int64(stmt, 5);
		w->expires_ms = sqlite3_column_int64(stmt, 6);
		w->deleted = sqlite3_column_int(stmt, 7) != 0;
		w->hlc = (uint64_t)sqlite3_column_int64(stmt, 8);
		state_copy(w->origin, sizeof(w->origin), (const char *)sqlite3_column_text(stmt, 9));
	}
	state_release(st, stmt);
	if (rc != SQLITE_DONE) {
		free(list);
		return state_fail_sql(st, "weights");
	}
	*out = list;
	*count = n;
	return 0;
}
